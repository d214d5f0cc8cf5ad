// YAML document -> Scenario (settings, sweep, expect). Interpretation of the
// settings is in build.cpp; here the document's shape is checked and every
// key is accounted for.
#include <cmath>
#include <filesystem>

#include "tools/scenario/allow_list.hpp"
#include "tools/scenario/peer_keys.hpp"
#include "tools/scenario/peer_map.hpp"
#include "tools/scenario/profile_file.hpp"
#include "tools/scenario/scenario.hpp"
#include "tools/scenario/values.hpp"
#include "tools/scenario/yaml_input.hpp"

namespace rekeysim::scenario {

namespace {

const std::vector<std::string> kTopKeys = {
    "name",    "description", "seed",    "duration", "rekeys", "trials", "network",
    "traffic", "peers",       "stagger", "sweep",    "expect", "trace",  "explore"};
const std::vector<std::string> kDirections = {"a_to_b", "b_to_a"};

struct Loader {
  Scenario& sc;
  std::string dir;

  void add(std::string path, const YAML::Node& value) {
    Setting s;
    s.path = std::move(path);
    s.value = value;
    s.pos = pos_of(value, sc.file);
    s.dir = dir;
    if (s.pos.line == 0) s.pos = {sc.file, 0, 0};
    sc.settings.push_back(std::move(s));
  }

  [[noreturn]] void unknown(const YAML::Node& key, const std::string& field,
                            const std::vector<std::string>& known) {
    throw ScenarioError(pos_of(key, sc.file), field,
                        "unknown key " + quoted_with_suggestion(key.Scalar(), known),
                        "one of " + join(known));
  }

  void require_map(const YAML::Node& node, const std::string& field, const std::string& expected) {
    if (!node.IsMap()) {
      throw ScenarioError(pos_of(node, sc.file), field,
                          node.IsNull() ? "is empty" : "is not a mapping", expected);
    }
  }

  static bool is_direction_map(const YAML::Node& v) {
    if (!v.IsMap() || v.size() == 0) return false;
    for (const auto& kv : v) {
      const std::string k = kv.first.Scalar();
      if (k == "a_to_b" || k == "b_to_a") return true;
    }
    return false;
  }

  // network / traffic: `key: value`, `key: {a_to_b: v, b_to_a: v}` or
  // `a_to_b: {key: v, ...}`; all become section.key[.direction].
  void section(const YAML::Node& node, const std::string& name,
               const std::vector<std::string>& keys, const std::string& expected) {
    require_map(node, name, expected);
    std::vector<std::string> known = keys;
    known.insert(known.end(), kDirections.begin(), kDirections.end());
    for (const auto& kv : node) {
      const std::string k = kv.first.Scalar();
      const std::string field = name + "." + k;
      if (k == "a_to_b" || k == "b_to_a") {
        require_map(kv.second, field, "a mapping of " + join(keys));
        for (const auto& inner : kv.second) {
          const std::string ik = inner.first.Scalar();
          if (std::find(keys.begin(), keys.end(), ik) == keys.end()) {
            unknown(inner.first, field + "." + ik, keys);
          }
          add(name + "." + ik + "." + k, inner.second);
        }
      } else if (std::find(keys.begin(), keys.end(), k) != keys.end()) {
        if (is_direction_map(kv.second)) {
          for (const auto& inner : kv.second) {
            const std::string d = inner.first.Scalar();
            if (d != "a_to_b" && d != "b_to_a") unknown(inner.first, field + "." + d, kDirections);
            add(field + "." + d, inner.second);
          }
        } else {
          add(field, kv.second);
        }
      } else {
        unknown(kv.first, field, known);
      }
    }
  }

  void peers(const YAML::Node& node) {
    const std::string expected = "peers: {a: {profile: ...}, b: {profile: ...}}";
    require_map(node, "peers", expected);
    for (const auto& kv : node) {
      const std::string k = kv.first.Scalar();
      if (k != "a" && k != "b") unknown(kv.first, "peers." + k, {"a", "b"});
    }
    for (const char* p : {"a", "b"}) {
      const YAML::Node peer = node[p];
      if (!peer) {
        throw ScenarioError(pos_of(node, sc.file), std::string("peers.") + p, "missing", expected);
      }
      for (const auto& e : flatten_peer_map(peer, sc.file, std::string("peers.") + p)) {
        add(std::string("peers.") + p + "." + e.path, e.value);
      }
    }
  }

  void sweep(const YAML::Node& node);
  void expect(const YAML::Node& node);
};

// ---- sweep ----------------------------------------------------------------

// How {from, to, step} is expanded for a parameter.
enum class RangeKind { kNone, kDuration, kSignedDuration, kInteger, kBytes, kReal, kRate };

RangeKind range_kind(std::string_view path) {
  if (path == "stagger") return RangeKind::kSignedDuration;
  if (path == "duration") return RangeKind::kDuration;
  if (path == "rekeys") return RangeKind::kInteger;
  if (path.starts_with("network.latency")) return RangeKind::kDuration;
  if (path.starts_with("network.loss") || path.starts_with("network.ike_loss") ||
      path.starts_with("network.esp_loss"))
    return RangeKind::kReal;
  if (path.starts_with("traffic.rate")) return RangeKind::kRate;
  if (path.starts_with("traffic.size")) return RangeKind::kBytes;
  if (path.starts_with("peers.a.") || path.starts_with("peers.b.")) {
    const PeerKey* k = find_peer_key(path.substr(8));
    if (k == nullptr) return RangeKind::kNone;
    switch (k->kind) {
      case ValueKind::kDuration:
        return RangeKind::kDuration;
      case ValueKind::kCount:
        return RangeKind::kInteger;
      case ValueKind::kBytes:
        return RangeKind::kBytes;
      case ValueKind::kFraction:
      case ValueKind::kNumber:
      case ValueKind::kPpm:
        return RangeKind::kReal;
      default:
        return RangeKind::kNone;
    }
  }
  return RangeKind::kNone;
}

// Number of points from..to by step, bounded; fails beyond kMaxSweepPoints.
std::size_t range_count(long double from, long double to, long double step, const ValueContext& v) {
  if (!(step > 0)) v.fail("step must be greater than 0", "{from: X, to: Y, step: Z} with Z > 0");
  if (from > to) v.fail("from is greater than to", "{from: X, to: Y, step: Z} with X <= Y");
  const long double n = std::floor((to - from) / step * (1 + 1e-12L)) + 1;
  if (n > static_cast<long double>(kMaxSweepPoints)) {
    v.fail("expands to more than " + std::to_string(kMaxSweepPoints) + " values",
           "a range of at most " + std::to_string(kMaxSweepPoints) + " values");
  }
  return static_cast<std::size_t>(n);
}

void expand_range(SweepParam& param, const YAML::Node& range, const std::string& file) {
  const std::string field = "sweep." + param.path;
  const ValueContext whole{range, file, field};
  for (const auto& kv : range) {
    const std::string k = kv.first.Scalar();
    if (k != "from" && k != "to" && k != "step") {
      throw ScenarioError(pos_of(kv.first, file), field,
                          "unknown key " + quoted_with_suggestion(
                                               k, std::vector<std::string>{"from", "to", "step"}),
                          "{from: X, to: Y, step: Z}");
    }
  }
  for (const char* k : {"from", "to", "step"}) {
    if (!range[k]) whole.fail(std::string("range has no `") + k + "`", "{from: X, to: Y, step: Z}");
  }
  const ValueContext from{range["from"], file, field + ".from"};
  const ValueContext to{range["to"], file, field + ".to"};
  const ValueContext step{range["step"], file, field + ".step"};
  const RangeKind kind = range_kind(param.path);
  auto push = [&](const std::string& label) {
    YAML::Node n(label);
    param.values.push_back(n);
    param.labels.push_back(label);
  };
  switch (kind) {
    case RangeKind::kNone:
      whole.fail("cannot be a range for this parameter", "a list of values: values: [a, b, c]");
    case RangeKind::kDuration:
    case RangeKind::kSignedDuration: {
      const bool sign = kind == RangeKind::kSignedDuration;
      const auto f = sign ? read_signed_duration(from) : read_duration(from);
      const auto t = sign ? read_signed_duration(to) : read_duration(to);
      const auto s = read_duration(step);
      const std::size_t n = range_count(f.ns(), t.ns(), s.ns(), whole);
      for (std::size_t i = 0; i < n; ++i) {
        push(format_signed_duration(f + s * static_cast<std::int64_t>(i)));
      }
      return;
    }
    case RangeKind::kInteger:
    case RangeKind::kBytes: {
      const bool bytes = kind == RangeKind::kBytes;
      const std::string form = bytes ? std::string(kBytesForm) : "a whole number";
      const auto f = bytes ? read_bytes(from) : read_count(from, UINT64_MAX / 2, form);
      const auto t = bytes ? read_bytes(to) : read_count(to, UINT64_MAX / 2, form);
      const auto s = bytes ? read_bytes(step) : read_count(step, UINT64_MAX / 2, form);
      const std::size_t n = range_count(f, t, s, whole);
      for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t x = f + s * i;
        push(bytes ? (x == 0 ? std::string("0") : sim::format_bytes(x)) : std::to_string(x));
      }
      return;
    }
    case RangeKind::kReal:
    case RangeKind::kRate: {
      const bool rate = kind == RangeKind::kRate;
      const double inf = std::numeric_limits<double>::infinity();
      const double f = rate ? read_rate(from) : read_fraction(from, -inf, inf);
      const double t = rate ? read_rate(to) : read_fraction(to, -inf, inf);
      const double s = rate ? read_rate(step) : read_fraction(step, -inf, inf);
      const std::size_t n = range_count(f, t, s, whole);
      for (std::size_t i = 0; i < n; ++i) {
        const double x = f + s * static_cast<double>(i);
        push(format_number(x) + (rate ? "pps" : ""));
      }
      return;
    }
  }
}

void Loader::sweep(const YAML::Node& node) {
  const std::string expected = "a list like [{param: stagger, values: [0, 1s, 10s]}]";
  if (!node.IsSequence()) {
    throw ScenarioError(pos_of(node, sc.file), "sweep",
                        node.IsNull() ? "is empty" : "is not a list", expected);
  }
  std::size_t total = 1;
  for (const auto& entry : node) {
    require_map(entry, "sweep", "{param: <key path>, values: [..] or {from, to, step}}");
    for (const auto& kv : entry) {
      const std::string k = kv.first.Scalar();
      if (k != "param" && k != "values") unknown(kv.first, "sweep." + k, {"param", "values"});
    }
    if (!entry["param"]) {
      throw ScenarioError(pos_of(entry, sc.file), "sweep", "entry has no `param`",
                          "{param: <key path>, values: [..]}");
    }
    SweepParam param;
    param.path = scalar_text({entry["param"], sc.file, "sweep.param"}, "a key path like stagger");
    param.pos = pos_of(entry["param"], sc.file);
    if (!is_config_path(param.path)) {
      throw ScenarioError(
          param.pos, "sweep.param",
          "unknown parameter " + quoted_with_suggestion(param.path, settable_paths()),
          "a key path like stagger, peers.a.child.lifetime, network.latency");
    }
    for (const auto& other : sc.sweep) {
      if (other.path == param.path) {
        throw ScenarioError(param.pos, "sweep.param", "\"" + param.path + "\" is swept twice",
                            "each parameter once (several parameters form a grid)");
      }
    }
    const YAML::Node values = entry["values"];
    if (!values) {
      throw ScenarioError(pos_of(entry, sc.file), "sweep." + param.path, "entry has no `values`",
                          "values: [a, b, c] or values: {from: X, to: Y, step: Z}");
    }
    if (values.IsSequence()) {
      if (values.size() == 0) {
        throw ScenarioError(pos_of(values, sc.file), "sweep." + param.path, "values is empty",
                            "at least one value");
      }
      if (values.size() > kMaxSweepPoints) {
        throw ScenarioError(pos_of(values, sc.file), "sweep." + param.path,
                            "has more than " + std::to_string(kMaxSweepPoints) + " values",
                            "at most " + std::to_string(kMaxSweepPoints) + " values");
      }
      for (const auto& v : values) {
        param.values.push_back(v);
        YAML::Emitter e;
        e.SetMapFormat(YAML::Flow);
        e.SetSeqFormat(YAML::Flow);
        e << v;
        param.labels.emplace_back(v.IsScalar() ? v.Scalar() : std::string(e.c_str()));
      }
    } else if (values.IsMap()) {
      expand_range(param, values, sc.file);
    } else {
      throw ScenarioError(pos_of(values, sc.file), "sweep." + param.path, "values is not a list",
                          "values: [a, b, c] or values: {from: X, to: Y, step: Z}");
    }
    total *= param.values.size();
    if (total > kMaxSweepPoints) {
      throw ScenarioError(param.pos, "sweep",
                          "the grid has more than " + std::to_string(kMaxSweepPoints) + " points",
                          "a grid of at most " + std::to_string(kMaxSweepPoints) + " points");
    }
    sc.sweep.push_back(std::move(param));
  }
}

// ---- expect ---------------------------------------------------------------

constexpr std::pair<std::string_view, ExpectKind> kExpectKeys[] = {
    {"max_count", ExpectKind::kMaxCount},
    {"min_count", ExpectKind::kMinCount},
    {"max_rate", ExpectKind::kMaxRate},
    {"min_rate", ExpectKind::kMinRate},
    {"max_rate_upper95", ExpectKind::kMaxRateUpper95},
    {"max_fraction_affected", ExpectKind::kMaxFractionAffected},
};

void Loader::expect(const YAML::Node& node) {
  require_map(node, "expect", "a mapping like {collisions: 0, cant_find_sa: {max_rate: 1e-4}}");
  std::vector<std::string> outcomes;
  for (auto o : models::kAllOutcomes) outcomes.emplace_back(models::outcome_name(o));
  std::vector<std::string> kinds;
  for (const auto& [k, _] : kExpectKeys) kinds.emplace_back(k);
  for (const auto& kv : node) {
    const std::string name = kv.first.Scalar();
    models::Outcome outcome{};
    if (!models::outcome_from_name(name, outcome)) unknown(kv.first, "expect." + name, outcomes);
    const std::string field = "expect." + name;
    auto add_expect = [&](ExpectKind kind, const YAML::Node& v, const std::string& f) {
      Expectation e;
      e.outcome = outcome;
      e.kind = kind;
      e.pos = pos_of(v, sc.file);
      e.limit = read_fraction({v, sc.file, f}, 0, std::numeric_limits<double>::max());
      e.limit_text = v.Scalar();
      sc.expect.push_back(e);
    };
    if (kv.second.IsMap()) {
      for (const auto& inner : kv.second) {
        const std::string k = inner.first.Scalar();
        bool found = false;
        for (const auto& [key, kind] : kExpectKeys) {
          if (key == k) {
            add_expect(kind, inner.second, field + "." + k);
            found = true;
          }
        }
        if (!found) unknown(inner.first, field + "." + k, kinds);
      }
    } else {
      add_expect(ExpectKind::kMaxCount, kv.second, field);
    }
  }
}

Scenario load_root(const YAML::Node& root, const std::string& file, const std::string& dir) {
  Scenario sc;
  sc.file = file;
  sc.name = std::filesystem::path(file).stem().string();
  Loader ld{sc, dir};
  if (!root.IsMap()) {
    throw ScenarioError(pos_of(root, file), "scenario", "is not a mapping",
                        "a YAML mapping with keys " + join(kTopKeys));
  }
  for (const auto& kv : root) {
    const std::string k = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (k == "name") {
      sc.name = scalar_text({v, file, k}, "a scenario name");
    } else if (k == "description") {
      sc.description = scalar_text({v, file, k}, "one line of text");
    } else if (k == "seed") {
      sc.seed =
          read_count({v, file, k}, UINT64_MAX, "a whole number from 0 to 18446744073709551615");
    } else if (k == "trials") {
      sc.trials = read_count({v, file, k}, kMaxTrials,
                             "a whole number of trials from 1 to " + std::to_string(kMaxTrials));
      if (sc.trials == 0)
        ValueContext{v, file, k}.fail("must be at least 1", "a whole number of trials from 1 to " +
                                                                std::to_string(kMaxTrials));
    } else if (k == "duration" || k == "rekeys" || k == "stagger") {
      ld.add(k, v);
    } else if (k == "network") {
      ld.section(v, "network",
                 {"latency", "jitter", "loss", "ike_loss", "esp_loss", "reorder", "down"},
                 "a mapping like {latency: 16ms, jitter: {dist: normal, sd: 2ms}, loss: 0}");
    } else if (k == "traffic") {
      ld.section(v, "traffic", {"rate", "size", "poisson"},
                 "a mapping like {rate: 200pps, size: 600B}");
    } else if (k == "peers") {
      ld.peers(v);
    } else if (k == "sweep") {
      ld.sweep(v);
    } else if (k == "expect") {
      ld.expect(v);
    } else if (k == "trace") {
      sc.trace = read_trace_section(v, file);
    } else if (k == "explore") {
      if (!v.IsMap())
        ValueContext{v, file, k}.fail(v.IsNull() ? "is empty" : "is not a mapping",
                                      "a mapping like {allow: [cant_find_sa]}");
      for (const auto& e : v) {
        if (e.first.Scalar() != "allow")
          ld.unknown(e.first, "explore." + e.first.Scalar(), {"allow"});
        sc.explore_allow = read_allow_list(e.second, file, "explore.allow");
      }
    } else {
      ld.unknown(kv.first, k, kTopKeys);
    }
  }
  if (root["duration"] && root["rekeys"]) {
    throw ScenarioError(pos_of(root["rekeys"], file), "rekeys",
                        "both `duration` and `rekeys` are set",
                        "one of them: simulated time per trial, or rekey episodes per trial");
  }
  if (!root["peers"]) {
    throw ScenarioError({file, 1, 1}, "peers", "missing",
                        "peers: {a: {profile: ...}, b: {profile: ...}}");
  }
  // Profile files are read once, here, whether named in the file or a sweep.
  auto cache_profile = [&](const Setting& s) {
    const auto key = profile_file_of(s);
    if (key && !sc.profile_files.count(*key))
      sc.profile_files.emplace(*key, load_profile_file(s, s.value.Scalar()));
  };
  for (const auto& s : sc.settings) {
    if (s.path.ends_with(".profile")) cache_profile(s);
  }
  for (const auto& p : sc.sweep) {
    if (!p.path.ends_with(".profile")) continue;
    for (const auto& v : p.values) cache_profile(Setting{p.path, v, pos_of(v, file), dir});
  }
  return sc;
}

void check_points(const Scenario& sc) {
  const std::size_t n = point_count(sc);
  for (std::size_t i = 0; i < n; ++i) build_point(sc, i);
}

}  // namespace

std::string_view to_string(ExpectKind k) {
  for (const auto& [name, kind] : kExpectKeys) {
    if (kind == k) return name;
  }
  return "?";
}

Scenario load_scenario_text(std::string_view text, const std::string& file,
                            const std::string& dir) {
  Scenario sc = load_root(parse_yaml(text, file), file, dir);
  check_points(sc);
  return sc;
}

namespace {

// The file's settings, unchecked: its values are judged only with the
// overrides that follow (SCHEMA.md: profile, file, --set, sweep point).
Scenario read_scenario_file(const std::string& path) {
  const YAML::Node root = load_yaml_file(path);
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  return load_root(root, path, dir);
}

// Parses one --set and appends it as a setting; checks only the assignment
// itself (path, syntax), not the points it changes.
void add_override(Scenario& sc, std::string_view assignment, int index);

}  // namespace

Scenario load_scenario(const std::string& path) {
  Scenario sc = read_scenario_file(path);
  check_points(sc);
  return sc;
}

Scenario load_scenario(const std::string& path, std::span<const std::string> overrides) {
  Scenario sc = read_scenario_file(path);
  int index = 1;
  for (const std::string& o : overrides) add_override(sc, o, index++);
  check_points(sc);
  return sc;
}

void apply_override(Scenario& sc, std::string_view assignment, int index) {
  add_override(sc, assignment, index);
  check_points(sc);
}

namespace {

void add_override(Scenario& sc, std::string_view assignment, int index) {
  const std::string file = "--set";
  const std::string text(assignment);
  const auto eq = text.find('=');
  const std::string form = "path=value, like peers.a.child.lifetime=28500s";
  if (eq == std::string::npos || eq == 0) {
    throw ScenarioError({file, index, 1}, "--set", "\"" + text + "\" has no path=value", form);
  }
  const std::string path = text.substr(0, eq);
  const std::string value = text.substr(eq + 1);
  const SourcePos pos{file, index, static_cast<int>(eq) + 2};
  YAML::Node node;
  try {
    node = YAML::Load(value);
  } catch (const YAML::Exception& e) {
    throw ScenarioError(pos, path, e.msg, "a value in scenario syntax");
  }
  if (!node.IsDefined() || node.IsNull()) {
    throw ScenarioError(pos, path, "missing value", form);
  }
  // Values from the command line carry the --set position, not the marks of
  // the little YAML document they were parsed from.
  const YAML::Node detached = node.IsScalar() ? YAML::Node(node.Scalar()) : YAML::Clone(node);
  if (path == "seed") {
    sc.seed = read_count({detached, file, path, pos}, UINT64_MAX, "a whole number");
  } else if (path == "trials") {
    sc.trials = read_count({detached, file, path, pos}, kMaxTrials,
                           "a whole number of trials from 1 to " + std::to_string(kMaxTrials));
    if (sc.trials == 0)
      throw ScenarioError(pos, path, "must be at least 1", "a whole number of trials");
  } else if (path == "name") {
    sc.name = value;
  } else if (path == "description") {
    sc.description = value;
  } else if (path.starts_with("trace.")) {
    // `trace.a.first_message_id=0x344` -> {a: {first_message_id: 0x344}}, read
    // like the scenario's own `trace:` section, errors at this argument.
    YAML::Node root(YAML::NodeType::Map);
    const std::string rest = path.substr(6);
    if (const auto dot = rest.find('.'); dot == std::string::npos) {
      root[rest] = detached;
    } else {  // a.address, b.first_message_id: one level of nesting
      YAML::Node inner(YAML::NodeType::Map);
      inner[rest.substr(dot + 1)] = detached;
      root[rest.substr(0, dot)] = inner;
    }
    merge_trace_section(sc.trace, read_trace_section(root, file, pos));
  } else if (const auto dot = path.find('.');
             (path.starts_with("network.") || path.starts_with("traffic.")) &&
             (path.substr(dot + 1) == "a_to_b" || path.substr(dot + 1) == "b_to_a")) {
    // `network.a_to_b={latency: 5ms, loss: 1%}`, as `network: {a_to_b: ...}`
    // in a file: one setting per key for that direction.
    const std::string section = path.substr(0, dot), direction = path.substr(dot + 1);
    if (!detached.IsMap() || detached.size() == 0)
      throw ScenarioError(pos, path, "is not a mapping",
                          "a mapping of " + section + " keys, like {latency: 5ms}");
    for (const auto& kv : detached) {
      const std::string key = section + "." + kv.first.Scalar() + "." + direction;
      if (!is_config_path(key))
        throw ScenarioError(pos, path, "unknown key \"" + kv.first.Scalar() + "\"",
                            "a key listed under " + section + " in scenarios/SCHEMA.md");
      sc.settings.push_back(Setting{key, kv.second, pos, "."});
    }
  } else if (is_config_path(path)) {
    Setting s{path, detached, pos, "."};
    if (path.ends_with(".profile") && looks_like_profile_path(value)) {
      sc.profile_files.emplace(profile_key(".", value), load_profile_file(s, value));
    }
    sc.settings.push_back(std::move(s));
  } else {
    std::vector<std::string> all(settable_paths().begin(), settable_paths().end());
    for (const char* k : {"seed", "trials", "name", "description"}) all.emplace_back(k);
    throw ScenarioError({file, index, 1}, "--set",
                        "unknown key path " + quoted_with_suggestion(path, all),
                        "a key path listed in scenarios/SCHEMA.md, e.g. peers.a.child.lifetime");
  }
}

}  // namespace

}  // namespace rekeysim::scenario
