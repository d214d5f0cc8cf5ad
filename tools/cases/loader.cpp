// Case YAML -> Case. The document's shape and every value are checked here,
// before anything runs, so a case that loads is one `rekeysim test` can run;
// the peers go through the scenario loader's own peer keys and profiles.
#include <algorithm>
#include <filesystem>
#include <system_error>

#include "tools/cases/case.hpp"
#include "tools/cases/checks.hpp"
#include "tools/cases/names.hpp"
#include "tools/scenario/allow_list.hpp"
#include "tools/scenario/peer_map.hpp"
#include "tools/scenario/profile_file.hpp"
#include "tools/scenario/scenario.hpp"
#include "tools/scenario/values.hpp"
#include "tools/scenario/yaml_input.hpp"

namespace rekeysim::cases {

namespace {

using scenario::join;
using scenario::pos_of;
using scenario::quoted_with_suggestion;
using scenario::ValueContext;

const std::vector<std::string> kTopKeys = {"name",      "description", "source", "seed", "peers",
                                           "establish", "script",      "expect", "allow"};
const std::vector<std::string> kStepKeys = {
    "rekey_child", "delete_child", "rekey_ike", "delete_ike",   "reauth_ike",
    "connect",     "forget_child", "fire",      "deliver",      "hold",
    "drop",        "drop_all",     "duplicate", "settle",       "advance",
    "advance_to",  "settle_for",   "nonces",    "lowest_nonce", "expect"};
const std::vector<StepKind> kStepKinds = {
    StepKind::kRekeyChild, StepKind::kDeleteChild, StepKind::kRekeyIke,    StepKind::kDeleteIke,
    StepKind::kReauthIke,  StepKind::kConnect,     StepKind::kForgetChild, StepKind::kFire,
    StepKind::kDeliver,    StepKind::kHold,        StepKind::kDrop,        StepKind::kDropAll,
    StepKind::kDuplicate,  StepKind::kSettle,      StepKind::kAdvance,     StepKind::kAdvanceTo,
    StepKind::kSettleFor,  StepKind::kNonces,      StepKind::kLowestNonce, StepKind::kExpect};

constexpr std::string_view kPeerForm = "a or b";
const std::vector<std::string> kPeerNames = {"a", "b"};
constexpr std::string_view kSaForm = "an inbound SPI of that peer (e.g. 3), oldest or newest";

struct Reader {
  std::string file;

  ValueContext ctx(const YAML::Node& n, const std::string& field) const {
    return ValueContext{n, file, field, {file, 1, 1}};
  }
  [[noreturn]] void fail(const YAML::Node& n, const std::string& field, const std::string& what,
                         const std::string& expected) const {
    ctx(n, field).fail(what, expected);
  }
  void require_map(const YAML::Node& n, const std::string& field,
                   const std::string& expected) const {
    if (!n.IsMap()) fail(n, field, n.IsNull() ? "is empty" : "is not a mapping", expected);
  }
  void require_keys(const YAML::Node& map, const std::string& field,
                    const std::vector<std::string>& known) const {
    for (const auto& kv : map) {
      const std::string k = kv.first.Scalar();
      if (std::find(known.begin(), known.end(), k) == known.end()) {
        throw ScenarioError(pos_of(kv.first, file), field.empty() ? k : field + "." + k,
                            "unknown key " + quoted_with_suggestion(k, known),
                            "one of " + join(known));
      }
    }
  }

  models::PeerId peer(const YAML::Node& n, const std::string& field) const {
    const std::string t = scalar_text(ctx(n, field), kPeerForm);
    if (t == "a" || t == "A") return models::PeerId::kA;
    if (t == "b" || t == "B") return models::PeerId::kB;
    fail(n, field, "unknown peer " + quoted_with_suggestion(t, kPeerNames), std::string(kPeerForm));
  }

  std::uint32_t spi(const YAML::Node& n, const std::string& field) const {
    // RFC 7296 3.3.1: SPI 0 is never a real SA.
    const std::uint64_t v =
        scenario::read_count(ctx(n, field), UINT32_MAX, "an SPI: a whole number, 1 to 4294967295");
    if (v == 0) ctx(n, field).fail("0 is not an SPI", "an SPI: a whole number, 1 to 4294967295");
    return static_cast<std::uint32_t>(v);
  }

  SaSelector sa(const YAML::Node& n, const std::string& field) const {
    const std::string t = scalar_text(ctx(n, field), kSaForm);
    if (t == "oldest") return {SaSelector::Pick::kOldest, 0};
    if (t == "newest") return {SaSelector::Pick::kNewest, 0};
    if (t.empty() || !std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; }))
      fail(n, field, "\"" + t + "\" is not an SA", std::string(kSaForm));
    return {SaSelector::Pick::kSpi, spi(n, field)};
  }

  std::string message_name(const YAML::Node& n, const std::string& field) const {
    const std::string t = scalar_text(ctx(n, field), kMessageNameForm);
    if (!valid_message_name(t))
      fail(n, field, "\"" + t + "\" is not a message name", std::string(kMessageNameForm));
    return t;
  }

  std::vector<std::string> message_names(const YAML::Node& n, const std::string& field) const {
    std::vector<std::string> out;
    if (n.IsSequence()) {
      if (n.size() == 0) fail(n, field, "is an empty list", "a message name or a list of them");
      for (std::size_t i = 0; i < n.size(); ++i)
        out.push_back(message_name(n[i], field + "[" + std::to_string(i) + "]"));
    } else {
      out.push_back(message_name(n, field));
    }
    return out;
  }

  std::uint8_t octet(const YAML::Node& n, const std::string& field) const {
    const std::string expected = "an octet: 0x00 to 0xff, or 0 to 255";
    const std::string t = scalar_text(ctx(n, field), expected);
    unsigned value = 0;
    std::size_t start = 0;
    int base = 10;
    if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
      start = 2;
      base = 16;
    }
    if (start == t.size() || t.size() - start > 3)
      fail(n, field, "\"" + t + "\" is not an octet", expected);
    for (std::size_t i = start; i < t.size(); ++i) {
      const char c = t[i];
      int d = -1;
      if (c >= '0' && c <= '9') d = c - '0';
      if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
      if (base == 16 && c >= 'A' && c <= 'F') d = c - 'A' + 10;
      if (d < 0) fail(n, field, "\"" + t + "\" is not an octet", expected);
      value = value * static_cast<unsigned>(base) + static_cast<unsigned>(d);
    }
    if (value > 255) fail(n, field, "\"" + t + "\" is larger than 255", expected);
    return static_cast<std::uint8_t>(value);
  }

  // PEER, or {peer: PEER, sa: SA}.
  void peer_and_sa(const YAML::Node& v, const std::string& field, Step& s) const {
    if (v.IsMap()) {
      require_keys(v, field, {"peer", "sa"});
      if (!v["peer"]) fail(v, field + ".peer", "missing", std::string(kPeerForm));
      s.peer = peer(v["peer"], field + ".peer");
      if (v["sa"]) s.sa = sa(v["sa"], field + ".sa");
    } else {
      s.peer = peer(v, field);
    }
  }

  void fire(const YAML::Node& v, const std::string& field, Step& s) const {
    const std::string form = "{peer: a, timer: KIND} with optional sa: SA or ike: ID";
    require_map(v, field, form);
    require_keys(v, field, {"peer", "timer", "sa", "ike"});
    if (!v["peer"]) fail(v, field + ".peer", "missing", std::string(kPeerForm));
    if (!v["timer"]) fail(v, field + ".timer", "missing", "one of " + join(timer_names()));
    s.peer = peer(v["peer"], field + ".peer");
    const std::string t = scalar_text(ctx(v["timer"], field + ".timer"), "a timer kind");
    const auto kind = timer_from_name(t);
    if (!kind)
      fail(v["timer"], field + ".timer",
           "unknown timer " + quoted_with_suggestion(t, timer_names()),
           "one of " + join(timer_names()));
    s.timer = *kind;
    if (v["sa"] && v["ike"]) fail(v["ike"], field + ".ike", "both sa and ike are given", form);
    if (v["sa"]) {
      if (!is_child_timer(*kind))
        fail(v["sa"], field + ".sa", "timer " + t + " belongs to an IKE SA", "ike: ID or no sa");
      s.sa = sa(v["sa"], field + ".sa");
      s.has_sa = true;
    }
    if (v["ike"]) {
      if (is_child_timer(*kind))
        fail(v["ike"], field + ".ike", "timer " + t + " belongs to a Child SA", "sa: SA or no ike");
      const YAML::Node n = v["ike"];
      if (n.IsScalar() && n.Scalar() == "current") {
        s.ike = 0;
      } else {
        s.ike = scenario::read_count(ctx(n, field + ".ike"), UINT64_MAX,
                                     "an IKE SA id (its initiator SPI, 1, 3, ...) or current");
        if (*s.ike == 0)
          fail(n, field + ".ike", "0 is no IKE SA", "an IKE SA id from 1, or current");
      }
    }
  }

  void nonces(const YAML::Node& v, const std::string& field, Step& s) const {
    const std::string form = "{a: [0x00, 0xff], b: [0xff]}";
    require_map(v, field, form);
    require_keys(v, field, {"a", "b"});
    for (int p = 0; p < 2; ++p) {
      const char* key = p == 0 ? "a" : "b";
      const YAML::Node list = v[key];
      if (!list) continue;
      const std::string f = field + "." + key;
      if (!list.IsSequence()) fail(list, f, "is not a list", "a list of octets like [0x00, 0xff]");
      for (std::size_t i = 0; i < list.size(); ++i)
        s.octets[p].push_back(octet(list[i], f + "[" + std::to_string(i) + "]"));
    }
  }

  Step step(const YAML::Node& n, std::size_t index) const {
    const std::string where = "script[" + std::to_string(index) + "]";
    const std::string form = "a one-key mapping like `- deliver: a.CREATE_CHILD_SA.req#1`";
    if (!n.IsMap() || n.size() != 1) {
      fail(n, where, n.IsMap() ? "has " + std::to_string(n.size()) + " keys" : "is not a mapping",
           form);
    }
    const auto kv = *n.begin();
    const std::string key = kv.first.Scalar();
    const auto it = std::find(kStepKeys.begin(), kStepKeys.end(), key);
    if (it == kStepKeys.end()) {
      throw ScenarioError(pos_of(kv.first, file), where,
                          "unknown step " + quoted_with_suggestion(key, kStepKeys),
                          "one of " + join(kStepKeys));
    }
    Step s;
    s.kind = kStepKinds[static_cast<std::size_t>(it - kStepKeys.begin())];
    s.pos = pos_of(kv.first, file);
    s.field = where + "." + key;
    const YAML::Node v = kv.second;
    switch (s.kind) {
      case StepKind::kRekeyChild:
      case StepKind::kDeleteChild:
      case StepKind::kForgetChild:
        peer_and_sa(v, s.field, s);
        break;
      case StepKind::kRekeyIke:
      case StepKind::kDeleteIke:
      case StepKind::kReauthIke:
      case StepKind::kConnect:
      case StepKind::kDropAll:
        s.peer = peer(v, s.field);
        break;
      case StepKind::kFire:
        fire(v, s.field, s);
        break;
      case StepKind::kDeliver:
      case StepKind::kHold:
      case StepKind::kDrop:
        s.names = message_names(v, s.field);
        break;
      case StepKind::kDuplicate:
        s.names.push_back(message_name(v, s.field));
        break;
      case StepKind::kSettle:
        if (!scenario::read_bool(ctx(v, s.field)))
          fail(v, s.field, "false does nothing", "settle: true");
        break;
      case StepKind::kAdvance:
      case StepKind::kAdvanceTo:
      case StepKind::kSettleFor:
        s.duration = scenario::read_duration(ctx(v, s.field));
        break;
      case StepKind::kNonces:
        nonces(v, s.field, s);
        break;
      case StepKind::kLowestNonce: {
        static const std::string_view names[] = {"N1", "N2", "N3", "N4"};
        const int lowest = scenario::read_enum(ctx(v, s.field), names);
        // A creates N1 then N4, B creates N2 then N3 (strongSwan's collision tests).
        s.octets[0] = {std::uint8_t(lowest == 0 ? 0x00 : 0xff),
                       std::uint8_t(lowest == 3 ? 0x00 : 0xff)};
        s.octets[1] = {std::uint8_t(lowest == 1 ? 0x00 : 0xff),
                       std::uint8_t(lowest == 2 ? 0x00 : 0xff)};
        break;
      }
      case StepKind::kExpect:
        s.checks = parse_checks(v, file, s.field, nullptr);
        break;
    }
    return s;
  }
};

// The peers as a scenario would build them: profile, then overrides.
void read_peers(const YAML::Node& node, const std::string& file, const std::string& dir, Case& c) {
  const std::string expected = "peers: {a: {profile: ...}, b: {profile: ...}}";
  Reader r{file};
  r.require_map(node, "peers", expected);
  r.require_keys(node, "peers", {"a", "b"});
  scenario::Scenario sc;
  sc.file = file;
  for (const char* p : {"a", "b"}) {
    const YAML::Node peer = node[p];
    if (!peer)
      throw ScenarioError(pos_of(node, file), std::string("peers.") + p, "missing", expected);
    for (const auto& e : scenario::flatten_peer_map(peer, file, std::string("peers.") + p)) {
      scenario::Setting s{std::string("peers.") + p + "." + e.path, e.value, pos_of(e.value, file),
                          dir};
      if (const auto key = scenario::profile_file_of(s); key && !sc.profile_files.count(*key))
        sc.profile_files.emplace(*key, scenario::load_profile_file(s, e.value.Scalar()));
      sc.settings.push_back(std::move(s));
    }
  }
  // A case runs on a manual clock; the duration only satisfies the builder.
  const scenario::Setting duration = scenario::make_setting("duration", "1d", {file, 1, 1});
  const scenario::Point point = scenario::build_with(sc, std::span(&duration, 1));
  c.a = point.config.a;
  c.b = point.config.b;
  for (const auto& [path, config] : sc.profile_files) c.profile_files.push_back(path);
}

Case load_root(const YAML::Node& root, const std::string& file, const std::string& dir) {
  Reader r{file};
  Case c;
  c.file = file;
  c.name = std::filesystem::path(file).stem().string();
  if (!root.IsMap()) {
    throw ScenarioError(pos_of(root, file), "case", "is not a mapping",
                        "a YAML mapping with keys " + join(kTopKeys));
  }
  r.require_keys(root, "", kTopKeys);
  if (!root["peers"])
    throw ScenarioError({file, 1, 1}, "peers", "missing",
                        "peers: {a: {profile: ...}, b: {profile: ...}}");
  if (!root["script"])
    throw ScenarioError({file, 1, 1}, "script", "missing", "script: [a list of steps]");
  if (root["name"]) c.name = scalar_text(r.ctx(root["name"], "name"), "a case name");
  if (root["description"])
    c.description = scalar_text(r.ctx(root["description"], "description"), "one line of text");
  if (root["source"]) c.source = scalar_text(r.ctx(root["source"], "source"), "one line of text");
  if (root["seed"])
    c.seed = scenario::read_count(r.ctx(root["seed"], "seed"), UINT64_MAX,
                                  "a whole number from 0 to 18446744073709551615");
  if (root["establish"]) {
    const YAML::Node n = root["establish"];
    if (n.IsScalar() && n.Scalar() == "none")
      c.establish.reset();
    else if (n.IsScalar() && (n.Scalar() == "a" || n.Scalar() == "b"))
      c.establish = r.peer(n, "establish");
    else
      r.fail(n, "establish", "is not a, b or none", "a, b or none");
  }
  if (root["allow"]) {
    c.allow = scenario::read_allow_list(root["allow"], file, "allow");
    c.allow_pos = pos_of(root["allow"], file);
  }
  read_peers(root["peers"], file, dir, c);
  const YAML::Node script = root["script"];
  if (!script.IsSequence() && !script.IsNull())
    r.fail(script, "script", "is not a list", "a list of steps like `- rekey_child: a`");
  if (script.IsSequence()) {
    for (std::size_t i = 0; i < script.size(); ++i) c.script.push_back(r.step(script[i], i));
  }
  if (root["expect"]) {
    std::vector<std::string> ladder;
    bool has_ladder = false;
    c.expect = parse_checks(root["expect"], file, "expect", &ladder, &has_ladder);
    if (has_ladder) c.expected_ladder = std::move(ladder);
  }
  return c;
}

}  // namespace

std::string_view to_string(StepKind k) {
  for (std::size_t i = 0; i < kStepKinds.size(); ++i)
    if (kStepKinds[i] == k) return kStepKeys[i];
  return "?";
}

Case load_case_text(std::string_view text, const std::string& file, const std::string& dir) {
  return load_root(scenario::parse_yaml(text, file), file, dir);
}

Case load_case_file(const std::string& path) {
  const YAML::Node root = scenario::load_yaml_file(path);
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  return load_root(root, path, dir);
}

std::vector<std::string> collect_case_files(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (const auto& p : paths) {
    std::error_code ec;
    const auto st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
      throw ScenarioError({p, 1, 1}, "", "no such file or directory",
                          "a case file (.yaml) or a directory of them");
    }
    if (!fs::is_directory(st)) {
      out.push_back(p);
      continue;
    }
    std::vector<std::string> found;
    for (fs::recursive_directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec)) {
      const auto ext = it->path().extension();
      if (it->is_regular_file() && (ext == ".yaml" || ext == ".yml"))
        found.push_back(it->path().string());
    }
    if (ec)
      throw ScenarioError({p, 1, 1}, "", "cannot read directory: " + ec.message(),
                          "a readable directory");
    if (found.empty())
      throw ScenarioError({p, 1, 1}, "", "no case files (*.yaml) in this directory",
                          "a directory holding case files");
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

}  // namespace rekeysim::cases
