// Settings -> models::TrialConfig. One function per section; the order of
// application is the user contract described in scenario.hpp.
#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <filesystem>
#include <optional>

#include "models/profiles/profile.hpp"
#include "tools/scenario/lifetime_check.hpp"
#include "tools/scenario/limits.hpp"
#include "tools/scenario/link_down.hpp"
#include "tools/scenario/peer_keys.hpp"
#include "tools/scenario/profile_file.hpp"
#include "tools/scenario/scenario.hpp"
#include "tools/scenario/values.hpp"

namespace rekeysim::scenario {

namespace {

constexpr std::array<std::string_view, 2> kDirs = {"a_to_b", "b_to_a"};
constexpr std::array<std::string_view, 7> kNetworkKeys = {"latency",  "jitter",  "loss", "ike_loss",
                                                          "esp_loss", "reorder", "down"};
constexpr std::array<std::string_view, 3> kTrafficKeys = {"rate", "size", "poisson"};

// The network as stated, per direction, before latency and jitter are
// combined into one delay distribution.
struct DirectionSpec {
  sim::SimTime latency = sim::milliseconds(16);
  bool has_jitter = false;
  YAML::Node jitter;
  SourcePos jitter_pos;
  std::string jitter_file;
  double loss = 0;
  std::optional<double> ike_loss;  // override `loss` for IKE messages / ESP packets
  std::optional<double> esp_loss;
  double reorder = 0;
  sim::SimTime reorder_delay{};
  std::vector<models::DownWindow> down;  // network.down (link_down.hpp)
};

struct BuildState {
  models::TrialConfig config;
  std::array<DirectionSpec, 2> net;
  std::optional<sim::SimTime> stagger;
  SourcePos stagger_pos;
  bool has_duration = false;
  bool has_rekeys = false;
  std::map<std::string, SourcePos> where;  // last position each path was set at
};

ValueContext ctx(const Setting& s) {
  return ValueContext{s.value, s.pos.file, s.path, s.pos};
}

// "network.latency.a_to_b" -> ("latency", 0); "network.latency" -> ("latency", -1).
std::pair<std::string, int> split_direction(std::string_view rest) {
  for (int d = 0; d < 2; ++d) {
    const std::string suffix = "." + std::string(kDirs[d]);
    if (rest.size() > suffix.size() && rest.substr(rest.size() - suffix.size()) == suffix) {
      return {std::string(rest.substr(0, rest.size() - suffix.size())), d};
    }
  }
  return {std::string(rest), -1};
}

void apply_reorder(const Setting& s, DirectionSpec& d) {
  const std::string expected = "0, or {probability: 1%, delay: 5ms}";
  if (!s.value.IsMap()) {
    const double p = read_fraction(ctx(s), 0, 1);
    if (p != 0) ctx(s).fail("a reorder probability needs a delay", expected);
    d.reorder = 0;
    d.reorder_delay = {};
    return;
  }
  for (const auto& kv : s.value) {
    const std::string k = kv.first.Scalar();
    if (k != "probability" && k != "delay") {
      const std::vector<std::string> known = {"probability", "delay"};
      throw ScenarioError(pos_of(kv.first, s.pos.file), s.path,
                          "unknown key " + quoted_with_suggestion(k, known), expected);
    }
  }
  if (!s.value["probability"] || !s.value["delay"])
    ctx(s).fail("needs probability and delay", expected);
  d.reorder =
      read_fraction({s.value["probability"], s.pos.file, s.path + ".probability", s.pos}, 0, 1);
  d.reorder_delay = read_duration({s.value["delay"], s.pos.file, s.path + ".delay", s.pos});
}

void apply_network(BuildState& st, const Setting& s, std::string_view rest) {
  const auto [key, dir] = split_direction(rest);
  for (int d = 0; d < 2; ++d) {
    if (dir >= 0 && d != dir) continue;
    DirectionSpec& spec = st.net[static_cast<std::size_t>(d)];
    if (key == "latency") {
      spec.latency = read_duration(ctx(s));
    } else if (key == "jitter") {
      // Checked when combined with the latency (the spread may depend on it).
      spec.has_jitter = true;
      spec.jitter = s.value;
      spec.jitter_pos = s.pos;
      spec.jitter_file = s.pos.file;
    } else if (key == "loss") {
      spec.loss = read_fraction(ctx(s), 0, 1);
    } else if (key == "ike_loss") {
      spec.ike_loss = read_fraction(ctx(s), 0, 1);
    } else if (key == "esp_loss") {
      spec.esp_loss = read_fraction(ctx(s), 0, 1);
    } else if (key == "down") {
      spec.down = read_down_windows(ctx(s));
    } else {
      apply_reorder(s, spec);
    }
  }
}

// latency + jitter -> the one-way delay distribution of LinkConfig.
sim::DurationDist combine(const DirectionSpec& d, const std::string& field) {
  const sim::SimTime lat = d.latency;
  if (!d.has_jitter) return sim::DurationDist::constant(lat);
  const std::string expected =
      "0, a duration (normal sd), or {dist: normal, sd: 2ms} | {dist: uniform, spread: 2ms} | "
      "{dist: lognormal, sigma: 0.3} | {dist: exponential} | {dist: constant} | "
      "{dist: empirical, samples: [0ms, 1ms, 30ms]}";
  const ValueContext v{d.jitter, d.jitter_file, field, d.jitter_pos};
  if (!d.jitter.IsMap()) {
    const sim::SimTime sd = read_duration({d.jitter, d.jitter_file, field, d.jitter_pos});
    return sd.ns() == 0 ? sim::DurationDist::constant(lat) : sim::DurationDist::normal(lat, sd);
  }
  static constexpr std::string_view kKinds[] = {"normal",      "uniform",  "lognormal",
                                                "exponential", "constant", "empirical"};
  static const std::vector<std::vector<std::string>> params = {{"sd"}, {"spread"}, {"sigma"},
                                                               {},     {},         {"samples"}};
  const YAML::Node kind_node = d.jitter["dist"];
  if (!kind_node) v.fail("mapping has no `dist` key", expected);
  const int kind = read_enum({kind_node, d.jitter_file, field + ".dist", d.jitter_pos}, kKinds);
  const auto& want = params[static_cast<std::size_t>(kind)];
  for (const auto& kv : d.jitter) {
    const std::string k = kv.first.Scalar();
    if (k == "dist") continue;
    bool ok = false;
    for (const auto& w : want) ok = ok || w == k;
    if (!ok) {
      throw ScenarioError(pos_of(kv.first, d.jitter_file), field,
                          "unknown key " + quoted_with_suggestion(k, want) + " for dist " +
                              std::string(kKinds[kind]),
                          want.empty() ? std::string("no other keys") : "keys dist, " + join(want));
    }
  }
  for (const auto& w : want) {
    if (!d.jitter[w]) v.fail("dist " + std::string(kKinds[kind]) + " needs `" + w + "`", expected);
  }
  auto sub = [&](const std::string& w) {
    return ValueContext{d.jitter[w], d.jitter_file, field + "." + w, d.jitter_pos};
  };
  switch (kind) {
    case 0:
      return sim::DurationDist::normal(lat, read_duration(sub("sd")));
    case 1: {
      const sim::SimTime spread = read_duration(sub("spread"));
      if (spread > lat)
        sub("spread").fail("spread exceeds the latency (" + sim::format_duration(lat) + ")",
                           "a spread <= latency, so delays stay >= 0");
      return sim::DurationDist::uniform(lat - spread, lat + spread);
    }
    case 2:
      return sim::DurationDist::lognormal(
          lat, read_number(sub("sigma"), 0, 10, "a shape parameter between 0 and 10"));
    case 3:
      return sim::DurationDist::exponential(lat);
    case 4:
      return sim::DurationDist::constant(lat);
    default: {
      const YAML::Node samples = d.jitter["samples"];
      if (!samples.IsSequence() || samples.size() == 0)
        sub("samples").fail("not a non-empty list", "a list of durations like [0ms, 1ms, 30ms]");
      std::vector<sim::SimTime> out;
      for (const auto& x : samples)
        out.push_back(lat + read_duration({x, d.jitter_file, field + ".samples", d.jitter_pos}));
      return sim::DurationDist::empirical(std::move(out));
    }
  }
}

void apply_traffic(BuildState& st, const Setting& s, std::string_view rest) {
  const auto [key, dir] = split_direction(rest);
  for (int d = 0; d < 2; ++d) {
    if (dir >= 0 && d != dir) continue;
    models::FlowConfig& flow = d == 0 ? st.config.traffic.a_to_b : st.config.traffic.b_to_a;
    if (key == "rate") {
      flow.rate_pps = read_rate(ctx(s));
    } else if (key == "size") {
      const std::uint64_t b = read_bytes(ctx(s));
      if (b == 0 || b > 65535)
        ctx(s).fail("packet size out of range", "a packet size from 1B to 65535B");
      flow.size_bytes = b;
    } else {
      flow.poisson = read_bool(ctx(s));
    }
  }
}

models::PeerConfig resolve_profile(const Scenario& sc, const Setting& s) {
  const std::string name =
      scalar_text(ctx(s), "a builtin profile name or a path to a profile YAML file");
  if (looks_like_profile_path(name)) {
    const auto it = sc.profile_files.find(profile_key(s.dir, name));
    if (it != sc.profile_files.end()) return it->second;
    return load_profile_file(s, name);  // reports the problem with position
  }
  const models::Profile* p = models::find_builtin_profile(name);
  if (p == nullptr) {
    std::vector<std::string> names;
    for (const auto& b : models::builtin_profiles()) names.push_back(b.name);
    ctx(s).fail("unknown profile " + quoted_with_suggestion(name, names),
                "one of " + join(names) + ", or a path to a profile YAML file (ending .yaml)");
  }
  return p->config;
}

SourcePos where_or(const BuildState& st, const std::string& path, const std::string& file);

// Shorter lifetimes make no sense for a VPN and make a trial's event count
// explode (issue 14, fault 8: `lifetime: 1ns` ran with the tunnel down
// throughout and reported no outage).
void check_min_lifetime(const models::LifetimePolicy& lp, const std::string& base,
                        const BuildState& st, const std::string& file) {
  if (lp.lifetime < kMinLifetime) {
    throw ScenarioError(where_or(st, base + ".lifetime", file), base + ".lifetime",
                        sim::format_duration(lp.lifetime) + " is shorter than the minimum " +
                            sim::format_duration(kMinLifetime),
                        "a lifetime of at least " + sim::format_duration(kMinLifetime));
  }
}

// `network.latency: {a_to_b: 5ms, b_to_a: 7ms}` given as one value (--set,
// a sweep point) rather than read apart by the file loader: appends one
// setting per direction to `out` and returns true; false if `s` is not such
// a value.
bool split_directions(const Setting& s, std::deque<Setting>& out) {
  const bool net = s.path.starts_with("network."), traffic = s.path.starts_with("traffic.");
  if ((!net && !traffic) || !s.value.IsMap()) return false;
  if (split_direction(std::string_view(s.path).substr(8)).second >= 0) return false;
  bool any = false;
  for (const auto& kv : s.value) {
    const std::string k = kv.first.IsScalar() ? kv.first.Scalar() : "";
    any = any || k == kDirs[0] || k == kDirs[1];
  }
  if (!any) return false;
  // A --set value's marks are those of its own little document: keep the
  // argument's position (as add_override does).
  const auto where = [&s](const YAML::Node& n) {
    SourcePos pos = pos_of(n, s.pos.file);
    return pos.line == 0 || s.pos.file == "--set" ? s.pos : pos;
  };
  for (const auto& kv : s.value) {
    const std::string k = kv.first.IsScalar() ? kv.first.Scalar() : "";
    if (k != kDirs[0] && k != kDirs[1]) {
      throw ScenarioError(where(kv.first), s.path, "unknown key \"" + k + "\" beside a_to_b/b_to_a",
                          "one value for both directions, or {a_to_b: VALUE, b_to_a: VALUE}");
    }
    // Built afresh: assigning to a copied YAML::Node would rewrite the
    // node it shares with `s`.
    out.push_back(Setting{s.path + "." + k, kv.second, where(kv.second), s.dir});
  }
  return true;
}

SourcePos where_or(const BuildState& st, const std::string& path, const std::string& file) {
  const auto it = st.where.find(path);
  return it != st.where.end() ? it->second : SourcePos{file, 0, 0};
}

Point build(const Scenario& sc, std::span<const Setting> extra, std::size_t index,
            std::vector<PointParam> params) {
  BuildState st;
  std::vector<const Setting*> all;
  std::deque<Setting> split;  // per-direction halves of `key: {a_to_b: ..., b_to_a: ...}`
  for (const auto list : {std::span<const Setting>(sc.settings), extra}) {
    for (const Setting& s : list) {
      const std::size_t first = split.size();
      if (!split_directions(s, split)) all.push_back(&s);
      // In place, so a later setting (a sweep point) still wins.
      for (std::size_t i = first; i < split.size(); ++i) all.push_back(&split[i]);
    }
  }

  // 1. Profiles first: they are the defaults every other setting overrides.
  for (int p = 0; p < 2; ++p) {
    const std::string path = p == 0 ? "peers.a.profile" : "peers.b.profile";
    const Setting* last = nullptr;
    for (const Setting* s : all) {
      if (s->path == path) last = s;
    }
    models::PeerConfig& peer = p == 0 ? st.config.a : st.config.b;
    if (last != nullptr) {
      peer = resolve_profile(sc, *last);
      st.where[path] = last->pos;
    } else if (const models::Profile* rfc = models::find_builtin_profile("rfc7296")) {
      peer = rfc->config;  // documented default: the RFC 7296 profile
    }
  }
  // 2. Everything else, in order.
  for (const Setting* s : all) {
    const std::string& path = s->path;
    st.where[path] = s->pos;
    if (path == "duration") {
      st.config.duration = read_duration(ctx(*s));
      if (st.config.duration.ns() <= 0)
        ctx(*s).fail("must be greater than 0", "a positive duration like 30d");
      // The last of duration / rekeys stated wins: `--set duration=2d` on a
      // scenario that counts rekeys switches how its trials end.
      st.has_duration = true;
      st.has_rekeys = false;
      st.config.rekeys.reset();
    } else if (path == "rekeys") {
      st.config.rekeys = read_count(ctx(*s), 1'000'000'000,
                                    "a whole number of rekey episodes from 1 to 1000000000");
      if (*st.config.rekeys == 0)
        ctx(*s).fail("must be at least 1", "a whole number of rekey episodes from 1 to 1000000000");
      st.has_rekeys = true;
      st.has_duration = false;
    } else if (path == "stagger") {
      st.stagger = read_signed_duration(ctx(*s));
      st.stagger_pos = s->pos;
    } else if (path.starts_with("network.")) {
      apply_network(st, *s, std::string_view(path).substr(8));
    } else if (path.starts_with("traffic.")) {
      apply_traffic(st, *s, std::string_view(path).substr(8));
    } else if (path.starts_with("peers.a.") || path.starts_with("peers.b.")) {
      const std::string_view rel = std::string_view(path).substr(8);
      const PeerKey* key = find_peer_key(rel);
      if (key == nullptr) ctx(*s).fail("unknown key", "a peer key (scenarios/SCHEMA.md)");
      if (key->kind == ValueKind::kProfile) continue;  // applied in step 1
      key->read(ctx(*s), path[6] == 'a' ? st.config.a : st.config.b);
    } else {
      ctx(*s).fail("cannot be set", "a key path listed in scenarios/SCHEMA.md");
    }
  }
  // 3. Derived values and whole-config checks.
  if (!st.has_duration && !st.has_rekeys) {
    throw ScenarioError({sc.file, 1, 1}, "duration", "missing",
                        "`duration: 30d` (simulated time per trial) or `rekeys: 1000`");
  }
  if (st.has_rekeys) st.config.duration = sim::SimTime::max();
  if (st.has_rekeys) {
    // Counted in rekeys, a trial lasts about rekeys x lifetime: bounded so the
    // simulated clock stays far from overflowing.
    const sim::SimTime longest = std::max(st.config.a.child.lifetime, st.config.b.child.lifetime);
    // (the model also stops at 4 Child lifetimes per rekey plus a day).
    const double horizon =
        4.0 * static_cast<double>(*st.config.rekeys) * static_cast<double>(longest.ns()) +
        static_cast<double>(sim::days(1).ns());
    if (horizon > static_cast<double>(kMaxHorizon.ns())) {
      throw ScenarioError(
          where_or(st, "rekeys", sc.file), "rekeys",
          std::to_string(*st.config.rekeys) + " rekeys of a " + sim::format_duration(longest) +
              " lifetime may need more than " + sim::format_duration(kMaxHorizon) +
              " of simulated time",
          "4 x rekeys x child lifetime + 1d <= " + sim::format_duration(kMaxHorizon));
    }
  }
  if (st.stagger) {
    // stagger = B's Child lifetime minus A's: B's stated lifetime is shifted.
    st.config.b.child.lifetime += *st.stagger;
    if (st.config.b.child.lifetime.ns() <= 0) {
      throw ScenarioError(
          st.stagger_pos, "stagger",
          "makes peer B's child.lifetime " + format_signed_duration(st.config.b.child.lifetime),
          "a stagger greater than -" +
              sim::format_duration(st.config.b.child.lifetime - *st.stagger));
    }
  }
  for (int d = 0; d < 2; ++d) {
    models::LinkConfig& link = d == 0 ? st.config.network.a_to_b : st.config.network.b_to_a;
    const DirectionSpec& spec = st.net[static_cast<std::size_t>(d)];
    link.latency = combine(spec, "network.jitter");
    if (worst_case_draw_ns(link.latency) > static_cast<double>(kMaxDelay.ns())) {
      // The jitter is to blame when the latency alone stays within the bound:
      // point at it (a --set of it was reported at the file's latency).
      // When both are needed to pass it, point at the one a --set changed if
      // only one was (a --set latency was reported at the file's jitter).
      const char* dir_path = d == 0 ? "network.latency.a_to_b" : "network.latency.b_to_a";
      const SourcePos latency_pos = st.where.count(dir_path)
                                        ? st.where.at(dir_path)
                                        : where_or(st, "network.latency", sc.file);
      const bool only_latency_set = latency_pos.file == "--set" && spec.jitter_pos.file != "--set";
      const bool jitter_to_blame =
          spec.has_jitter && spec.latency <= kMaxDelay && !only_latency_set;
      const SourcePos pos = jitter_to_blame ? spec.jitter_pos : latency_pos;
      throw ScenarioError(pos, jitter_to_blame ? "network.jitter" : "network.latency",
                          "latency with jitter (" + link.latency.describe() +
                              ") can delay a message by more than " +
                              sim::format_duration(kMaxDelay),
                          "a latency and jitter whose largest delay stays under " +
                              sim::format_duration(kMaxDelay));
    }
    link.loss = spec.loss;
    link.ike_loss = spec.ike_loss;
    link.esp_loss = spec.esp_loss;
    link.reorder = spec.reorder;
    link.reorder_delay = spec.reorder_delay;
    link.down = spec.down;
  }
  // After every override and the stagger: a fractional margin is judged
  // against the lifetime the trial will run with.
  std::optional<StaggerOrigin> stagger;
  if (st.stagger) stagger = StaggerOrigin{*st.stagger, st.stagger_pos};
  check_min_lifetime(st.config.a.child, "peers.a.child", st, sc.file);
  check_min_lifetime(st.config.a.ike, "peers.a.ike", st, sc.file);
  check_min_lifetime(st.config.b.child, "peers.b.child", st, sc.file);
  check_min_lifetime(st.config.b.ike, "peers.b.ike", st, sc.file);
  check_lifetime(st.config.a.child, "peers.a.child", st.config.a.profile, st.where, sc.file, {});
  check_lifetime(st.config.a.ike, "peers.a.ike", st.config.a.profile, st.where, sc.file, {});
  check_lifetime(st.config.b.child, "peers.b.child", st.config.b.profile, st.where, sc.file,
                 stagger);
  check_lifetime(st.config.b.ike, "peers.b.ike", st.config.b.profile, st.where, sc.file, {});
  for (int p = 0; p < 2; ++p) {
    const models::PeerConfig& peer = p == 0 ? st.config.a : st.config.b;
    const std::string prefix = p == 0 ? "peers.a." : "peers.b.";
    // The longest retransmission interval (timeout x base^tries, capped) is
    // added to the current time: bounded like every other delay.
    const models::RetransmitPolicy& rt = peer.behaviour.retransmit;
    double longest =
        static_cast<double>(rt.timeout.ns()) * std::pow(rt.base, static_cast<double>(rt.tries));
    if (rt.cap.ns() > 0) longest = std::min(longest, static_cast<double>(rt.cap.ns()));
    if (!(longest <= static_cast<double>(kMaxDelay.ns()))) {
      const std::string field = prefix + "behaviour.retransmit.timeout";
      throw ScenarioError(where_or(st, field, sc.file), field,
                          "timeout x base^tries (" + sim::format_duration(rt.timeout) + " x " +
                              format_number(rt.base) + "^" + std::to_string(rt.tries) +
                              ") exceeds " + sim::format_duration(kMaxDelay),
                          "a retransmission schedule whose longest interval is at most " +
                              sim::format_duration(kMaxDelay) + " (or set retransmit.cap)");
    }
    if (peer.behaviour.worker_race_window > kMaxWorkerRaceWindow) {
      const std::string field = prefix + "behaviour.worker_race_window";
      throw ScenarioError(where_or(st, field, sc.file), field,
                          sim::format_duration(peer.behaviour.worker_race_window) +
                              " is longer than the worker-thread wait this window models",
                          "a window of at most " + sim::format_duration(kMaxWorkerRaceWindow) +
                              " (strongSwan issue #1458: 0.5 ms)");
    }
    if (peer.behaviour.retry_min > peer.behaviour.retry_max) {
      throw ScenarioError(
          where_or(st, prefix + "behaviour.retry_min", sc.file), prefix + "behaviour.retry_min",
          "is greater than retry_max (" + sim::format_duration(peer.behaviour.retry_max) + ")",
          "retry_min <= retry_max");
    }
  }
  Point point;
  point.index = index;
  point.params = std::move(params);
  point.config = std::move(st.config);
  return point;
}

}  // namespace

Setting make_setting(std::string path, const std::string& text, SourcePos pos) {
  Setting s;
  s.path = std::move(path);
  s.value = YAML::Node(text);
  s.pos = std::move(pos);
  s.dir = ".";
  return s;
}

std::size_t point_count(const Scenario& sc) {
  std::size_t n = 1;
  for (const auto& p : sc.sweep) n *= p.values.size();
  return n;
}

Point build_with(const Scenario& sc, std::span<const Setting> extra) {
  return build(sc, extra, 0, {});
}

Point build_point(const Scenario& sc, std::size_t index) {
  std::vector<Setting> extra;
  std::vector<PointParam> params;
  // Mixed radix: the first sweep parameter varies slowest.
  std::size_t stride = point_count(sc);
  std::size_t rest = index;
  for (const auto& p : sc.sweep) {
    stride /= p.values.size();
    const std::size_t i = rest / stride;
    rest %= stride;
    Setting s;
    s.path = p.path;
    s.value = p.values[i];
    s.pos = pos_of(p.values[i], p.pos.file);
    if (s.pos.line == 0) s.pos = p.pos;
    s.dir = std::filesystem::path(sc.file).parent_path().string();
    if (s.dir.empty()) s.dir = ".";
    extra.push_back(std::move(s));
    params.push_back({p.path, p.labels[i]});
  }
  return build(sc, extra, index, std::move(params));
}

std::span<const std::string> settable_paths() {
  static const std::vector<std::string> paths = [] {
    std::vector<std::string> out = {"duration", "rekeys", "stagger"};
    for (auto k : kNetworkKeys) {
      out.push_back("network." + std::string(k));
      for (auto d : kDirs) out.push_back("network." + std::string(k) + "." + std::string(d));
    }
    for (auto k : kTrafficKeys) {
      out.push_back("traffic." + std::string(k));
      for (auto d : kDirs) out.push_back("traffic." + std::string(k) + "." + std::string(d));
    }
    for (const char* peer : {"peers.a.", "peers.b."}) {
      for (const auto& k : peer_keys()) out.push_back(peer + std::string(k.path));
    }
    return out;
  }();
  return paths;
}

bool is_config_path(std::string_view path) {
  for (const auto& p : settable_paths()) {
    if (p == path) return true;
  }
  return false;
}

}  // namespace rekeysim::scenario
