#include "tools/rekeysim/advice.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "models/profiles/lifetime_rules.hpp"
#include "tools/scenario/values.hpp"

namespace rekeysim::cli {

namespace {

using models::Outcome;
using json = nlohmann::ordered_json;

constexpr double kZ2 = 1.959963984540054 * 1.959963984540054;

// Stagger magnitudes tried, in seconds: no device configures a lifetime in
// milliseconds, so the ladder starts at the finest step any profile takes.
constexpr std::int64_t kLadderSeconds[] = {1,   2,   5,    10,   20,   30,   60,    120,  300,
                                           600, 900, 1200, 1800, 3600, 7200, 14400, 28800};

bool is_event(Outcome o) {
  return o != Outcome::kEspDropped && o != Outcome::kDowntime;
}

// Downtime is counted in ns; its weight is per second.
double unit_scale(Outcome o) {
  return o == Outcome::kDowntime ? 1e-9 : 1.0;
}

std::string signed_hms(sim::SimTime t) {
  if (t.ns() == 0) return "0 s";
  return (t.ns() > 0 ? "+" : "-") + models::format_hms(sim::nanoseconds(std::llabs(t.ns())));
}

const models::PeerConfig& peer(const models::TrialConfig& c, char p) {
  return p == 'a' ? c.a : c.b;
}

std::string peer_label(const models::TrialConfig& c, char p) {
  return std::string(p == 'a' ? "A's" : "B's") + " (" + peer(c, p).profile + ")";
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s + (s.size() >= width ? " " : "");
}

std::string amount_text(Outcome o, double x) {
  if (o == Outcome::kDowntime) return format_seconds(x * 1e-9);
  if (o == Outcome::kEspDropped) return format_rate(x) + " pkt";
  return format_rate(x);
}

std::string outcome_text(const runner::PointResult& r, Outcome o) {
  const auto& s = r.outcome(o);
  return std::string(models::outcome_name(o)) + " " + amount_text(o, s.rate) + " [" +
         amount_text(o, s.ci95.lo) + ", " +
         (std::isfinite(s.ci95.hi) ? amount_text(o, s.ci95.hi) : std::string("n/a")) + "]";
}

// The harm's minimum number of episodes for a zero count to show a rate
// below `target`: each event outcome's Wilson upper bound at zero is
// z^2 / (n + z^2), weighted and summed.
double needed_episodes(const HarmWeights& w, double target) {
  double events = 0;
  for (const auto o : models::kAllOutcomes) {
    if (!models::is_ike_outcome(o) && is_event(o)) events += w.of(o);
  }
  return std::ceil(kZ2 * events / target * 1.25);
}

}  // namespace

HarmWeights default_harm_weights() {
  HarmWeights w;
  auto set = [&](Outcome o, double x) { w.w[static_cast<std::size_t>(o)] = x; };
  set(Outcome::kCollisions, 1);
  set(Outcome::kCantFindSa, 1);
  set(Outcome::kOutages, 1);
  set(Outcome::kEspDropped, 0.001);
  set(Outcome::kDowntime, 1);
  set(Outcome::kRedundantSas, 0.1);
  set(Outcome::kTunnelResets, 10);
  return w;
}

HarmWeights parse_harm_weights(std::string_view spec, HarmWeights base) {
  const std::string expected =
      "comma-separated OUTCOME=WEIGHT, e.g. outages=5,esp_dropped=0.1 (outcomes: collisions, "
      "cant_find_sa, esp_dropped, outages, downtime, redundant_sas, tunnel_resets)";
  std::size_t start = 0;
  while (start <= spec.size()) {
    const std::size_t end = std::min(spec.find(',', start), spec.size());
    const std::string_view item = spec.substr(start, end - start);
    const std::size_t eq = item.find('=');
    Outcome o{};
    if (eq == std::string_view::npos || !models::outcome_from_name(item.substr(0, eq), o) ||
        models::is_ike_outcome(o) || o == Outcome::kChildRekeys) {
      throw std::invalid_argument("\"" + std::string(item) + "\" is not OUTCOME=WEIGHT; expected " +
                                  expected);
    }
    double x = 0;
    try {
      x = scenario::parse_fraction_text(std::string(item.substr(eq + 1)));
    } catch (const std::exception&) {
      x = -1;
    }
    if (!(x >= 0) || !std::isfinite(x)) {
      throw std::invalid_argument("weight in \"" + std::string(item) +
                                  "\" is not a number >= 0; expected " + expected);
    }
    base.w[static_cast<std::size_t>(o)] = x;
    start = end + 1;
  }
  return base;
}

HarmWeights objective_weights(Outcome o) {
  HarmWeights w;
  w.w[static_cast<std::size_t>(o)] = 1;
  return w;
}

std::string describe_weights(const HarmWeights& w) {
  std::string out;
  for (const auto o : models::kAllOutcomes) {
    if (w.of(o) == 0) continue;
    if (!out.empty()) out += " + ";
    out += std::string(models::outcome_name(o)) + " x" + format_rate(w.of(o));
    if (o == Outcome::kDowntime) out += "/s";
    if (o == Outcome::kEspDropped) out += "/pkt";
  }
  return out.empty() ? "nothing (all weights 0)" : out;
}

Harm harm_of(const runner::PointResult& r, const HarmWeights& w) {
  Harm h;
  for (const auto o : models::kAllOutcomes) {
    const double k = w.of(o) * unit_scale(o);
    if (k == 0 || models::is_ike_outcome(o)) continue;
    const auto& s = r.outcome(o);
    h.rate += k * s.rate;
    h.ci95.lo += k * s.ci95.lo;
    h.ci95.hi += std::isfinite(s.ci95.hi) ? k * s.ci95.hi : std::numeric_limits<double>::infinity();
  }
  return h;
}

void add_harm_options(CLI::App* sub, HarmFlags& f) {
  sub->add_option("--target", f.target,
                  "harm per rekey episode whose upper 95% bound must stay below")
      ->check(CLI::Range(1e-9, 1e6))
      ->capture_default_str();
  sub->add_option("--weights", f.weights,
                  "weights of the harm, OUTCOME=W,... (default collisions=1,cant_find_sa=1,"
                  "outages=1,esp_dropped=0.001 per packet,downtime=1 per second,redundant_sas=0.1,"
                  "tunnel_resets=10)");
  sub->add_option("--objective", f.objective,
                  "minimise one outcome alone instead (e.g. outages, collisions)")
      ->excludes(sub->get_option("--weights"));
}

AdviceOptions advice_options(const HarmFlags& f) {
  AdviceOptions opt;
  opt.target = f.target;
  if (!f.objective.empty()) {
    Outcome out{};
    if (!models::outcome_from_name(f.objective, out) || models::is_ike_outcome(out) ||
        out == Outcome::kChildRekeys) {
      throw std::runtime_error("--objective: unknown outcome \"" + f.objective +
                               "\" (expected collisions, cant_find_sa, esp_dropped, outages, "
                               "downtime, redundant_sas or tunnel_resets)");
    }
    opt.weights = objective_weights(out);
  } else if (!f.weights.empty()) {
    try {
      opt.weights = parse_harm_weights(f.weights, default_harm_weights());
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(std::string("--weights: ") + e.what());
    }
  }
  return opt;
}

Advice advise(scenario::Scenario sc, const AdviceOptions& opt, const CommonOptions& o) {
  Advice a;
  a.scenario = sc.name;
  a.target = opt.target;
  a.weights = opt.weights;
  a.config = scenario::build_with(sc, {}).config;
  const sim::SimTime la = a.config.a.child.lifetime;
  const sim::SimTime lb = a.config.b.child.lifetime;
  const auto& set_a = models::child_lifetime_setting(a.config.a.profile);
  const auto& set_b = models::child_lifetime_setting(a.config.b.profile);
  const double need = needed_episodes(opt.weights, opt.target);

  // Runs one configuration; raises trials when its interval still straddles
  // the target, so "below the target" is shown by the data when it is true.
  std::vector<std::string> raised;  // "label (trials)" where trials were raised
  auto run = [&](Candidate& c, const std::vector<scenario::Setting>& extra,
                 const std::string& label) {
    scenario::Point point = scenario::build_with(sc, extra);
    if (c.peer != 0) point.params = {{"stagger", label}};
    auto reports = run_points(sc, {point}, o, model_trial());
    const auto episodes = reports.front().result.episodes;
    if (episodes == 0) {
      throw std::runtime_error("no Child SA rekey episode was simulated at " + label +
                               "; lengthen `duration`");
    }
    Harm h = harm_of(reports.front().result, opt.weights);
    if (!opt.pass_on_estimate && !(h.ci95.hi < opt.target) && h.ci95.lo < opt.target &&
        static_cast<double>(episodes) < need) {
      const double per_trial = static_cast<double>(episodes) / static_cast<double>(sc.trials);
      const auto trials = std::min<std::uint64_t>(
          opt.max_trials, static_cast<std::uint64_t>(std::ceil(need / per_trial)));
      if (trials > sc.trials) {
        scenario::Scenario more = sc;
        more.trials = trials;
        a.notes.push_back(label + ": " + std::to_string(sc.trials) + " trials gave " +
                          std::to_string(episodes) +
                          " rekey episodes, too few to show harm below " + format_rate(opt.target) +
                          "; ran " + std::to_string(trials) + " trials");
        reports = run_points(more, {point}, o, model_trial());
        h = harm_of(reports.front().result, opt.weights);
      }
    }
    c.config = point.config;
    c.report = std::move(reports.front());
    c.harm = h;
    c.passed = opt.pass_on_estimate ? h.rate < opt.target : h.ci95.hi < opt.target;
  };

  run(a.current, {}, "current configuration");
  const sim::SimTime limit = sim::nanoseconds(std::min(la, lb).ns() / 2);
  std::optional<std::size_t> first_pass_rung;
  std::vector<std::string> unconfigurable;
  for (const std::int64_t mag_s : kLadderSeconds) {
    const sim::SimTime mag = sim::seconds(mag_s);
    if (mag > limit) break;
    if (a.current.passed && !opt.full_ladder) break;
    const std::size_t rung_start = a.tried.size();
    for (const int sign : {-1, +1}) {
      const sim::SimTime shift = sign < 0 ? sim::SimTime{} - mag : mag;
      const sim::SimTime nb = lb + shift;
      const sim::SimTime na = la - shift;
      const bool b_ok = models::configurable(set_b, nb);
      const bool a_ok = models::configurable(set_a, na);
      const std::string label = scenario::format_signed_duration(shift);
      if (!b_ok && !a_ok) {
        unconfigurable.push_back(label);
        continue;
      }
      Candidate c;
      c.shift = shift;
      c.peer = b_ok ? 'b' : 'a';
      c.lifetime = b_ok ? nb : na;
      if (b_ok && a_ok) {
        c.alt_peer = 'a';
        c.alt_lifetime = na;
      }
      const std::vector<scenario::Setting> extra = {
          scenario::make_setting("stagger", "0"),
          scenario::make_setting("peers.a.child.lifetime",
                                 sim::format_duration(c.peer == 'a' ? na : la)),
          scenario::make_setting("peers.b.child.lifetime",
                                 sim::format_duration(c.peer == 'b' ? nb : lb))};
      try {
        run(c, extra, label);
      } catch (const scenario::ScenarioError& e) {
        a.notes.push_back("stagger " + label + " skipped: " + e.problem());
        continue;
      }
      a.tried.push_back(std::move(c));
    }
    for (std::size_t i = rung_start; i < a.tried.size(); ++i) {
      if (!a.tried[i].passed) continue;
      if (!first_pass_rung) first_pass_rung = rung_start;
      if (!a.chosen || (*first_pass_rung == rung_start &&
                        a.tried[i].harm.ci95.hi < a.tried[*a.chosen].harm.ci95.hi)) {
        if (*first_pass_rung == rung_start) a.chosen = i;
      }
    }
    if (a.chosen && !opt.full_ladder) break;
  }
  if (!unconfigurable.empty()) {
    std::string list;
    for (const auto& u : unconfigurable) list += (list.empty() ? "" : ", ") + u;
    a.notes.insert(a.notes.begin(),
                   "staggers " + list +
                       " skipped: neither peer can be configured "
                       "with them (B: " +
                       set_b.setting + " in steps of " + models::format_hms(set_b.step) + ", " +
                       models::format_hms(set_b.min) + " to " + models::format_hms(set_b.max) +
                       "; A: " + set_a.setting + " in steps of " + models::format_hms(set_a.step) +
                       ", " + models::format_hms(set_a.min) + " to " +
                       models::format_hms(set_a.max) + ")");
  }
  if (!raised.empty()) {
    std::string list;
    for (const auto& r : raised) list += (list.empty() ? "" : ", ") + r;
    a.notes.push_back(std::to_string(sc.trials) +
                      " trials were too few to show a harm below the target where the interval "
                      "straddled it; more trials ran at: " +
                      list);
  }
  if (a.current.passed) {
    a.verdict = Verdict::kNoStaggerNeeded;
    a.chosen.reset();
  } else if (a.chosen) {
    a.verdict = Verdict::kStagger;
    const Candidate& ch = a.tried[*a.chosen];
    for (std::size_t i = 0; i < a.tried.size(); ++i) {
      if (a.tried[i].shift.ns() == -ch.shift.ns()) a.other = i;
    }
  } else {
    a.verdict = Verdict::kNoneEnough;
    for (std::size_t i = 0; i < a.tried.size(); ++i) {
      if (!a.best || a.tried[i].harm.rate < a.tried[*a.best].harm.rate) a.best = i;
    }
    // Harm left where no rekey raced is not a timing problem: say so rather
    // than blame jitter or the range of staggers tried.
    if (a.best) {
      const Candidate& b = a.tried[*a.best];
      const auto& r = b.report.result;
      if (r.episodes > 0 && r.outcome(models::Outcome::kCollisions).count == 0 &&
          r.outcome(models::Outcome::kCantFindSa).count == 0) {
        a.why_none = "even at the least-harm stagger (" + signed_hms(b.shift) +
                     ") no rekey raced, yet the harm is " + harm_text(b, a.weights) +
                     ": it comes from how these two profiles rekey (when each installs and "
                     "switches to the new SA), not from timing, so no stagger removes it; "
                     "`rekeysim trace SCENARIO --first outage` shows one such rekey";
        return a;
      }
    }
    // What keeps rekeys from being separated: each peer's rekey jitter and tick.
    std::string why;
    for (const char p : {'a', 'b'}) {
      const auto& pol = peer(a.config, p).child;
      const models::SoftWindow w = models::soft_window(pol, pol.lifetime);
      why += std::string(why.empty() ? "" : "; ") + "peer " + (p == 'a' ? "A" : "B") + " (" +
             peer(a.config, p).profile + ") rekeys " +
             (w.rekeys ? (w.earliest == w.latest
                              ? "at one instant (no jitter)"
                              : "anywhere in a " + models::format_hms(w.latest - w.earliest) +
                                    " window (jitter)")
                       : std::string("never (its SAs just expire)"));
      if (pol.tick.ns() > 0) why += ", on a " + sim::format_duration(pol.tick) + " timer tick";
    }
    why += "; staggers tried up to ±" + models::format_hms(limit) +
           " (half the shorter lifetime), larger ones are not tried";
    a.why_none = why;
  }
  return a;
}

std::string change_text(const Advice& a, const Candidate& c) {
  if (c.peer == 0) return "keep the current lifetimes";
  const auto& s = models::child_lifetime_setting(peer(a.config, c.peer).profile);
  return "set " + peer_label(a.config, c.peer) + " Phase 2 lifetime (" + s.setting + ") to " +
         models::format_in_setting_units(s, c.lifetime);
}

std::string harm_text(const Candidate& c, const HarmWeights& w) {
  std::string out = format_rate(c.harm.rate) + " per rekey " + format_interval(c.harm.ci95);
  std::string parts;
  for (const auto o : models::kAllOutcomes) {
    if (w.of(o) == 0 || models::is_ike_outcome(o)) continue;
    if (c.report.result.outcome(o).count == 0) continue;
    parts += (parts.empty() ? "" : "; ") + outcome_text(c.report.result, o);
  }
  out += parts.empty() ? " (no harmful outcome seen in " +
                             std::to_string(c.report.result.episodes) + " rekey episodes)"
                       : " (" + parts + " per rekey, over " +
                             std::to_string(c.report.result.episodes) + " rekey episodes)";
  return out;
}

std::string advice_summary(const Advice& a) {
  std::string out;
  switch (a.verdict) {
    case Verdict::kNoStaggerNeeded:
      out += "no stagger needed: the current lifetimes cost harm " +
             harm_text(a.current, a.weights) + ", below the target " + format_rate(a.target) + "\n";
      break;
    case Verdict::kStagger: {
      const Candidate& c = a.tried[*a.chosen];
      out += "recommendation: " + change_text(a, c) + "\n";
      out += "  (B's lifetime minus A's changes by " + signed_hms(c.shift) + ")";
      if (c.alt_peer != 0) {
        const auto& s = models::child_lifetime_setting(peer(a.config, c.alt_peer).profile);
        out += "; or, for the same stagger, set " + peer_label(a.config, c.alt_peer) + " to " +
               models::format_in_setting_units(s, c.alt_lifetime) + " (not simulated separately)";
      }
      out += "\n  expected harm " + harm_text(c, a.weights) + "\n";
      if (a.other) {
        const Candidate& x = a.tried[*a.other];
        out += "  if the other peer rekeyed first instead (stagger " + signed_hms(x.shift) + ": " +
               change_text(a, x) + "), harm would be " + harm_text(x, a.weights) + "\n";
      }
      out += "  now (" + change_text(a, a.current) + "): harm " + harm_text(a.current, a.weights) +
             "\n";
      break;
    }
    case Verdict::kNoneEnough: {
      out += "no stagger is enough: none tried up to ±" +
             models::format_hms(sim::nanoseconds(
                 std::min(a.config.a.child.lifetime, a.config.b.child.lifetime).ns() / 2)) +
             " brings the harm's upper 95% bound below " + format_rate(a.target) + "\n";
      out += "  now: harm " + harm_text(a.current, a.weights) + "\n";
      if (a.best) {
        const Candidate& b = a.tried[*a.best];
        out += "  least harm tried: " + change_text(a, b) + " (stagger " + signed_hms(b.shift) +
               "): " + harm_text(b, a.weights) + "\n";
      }
      out += "  why: " + a.why_none + "\n";
      break;
    }
  }
  return out;
}

std::string render_advice_text(const Advice& a) {
  std::string out = "scenario " + a.scenario +
                    ": harm per Child SA rekey = " + describe_weights(a.weights) +
                    "; target: upper 95% bound below " + format_rate(a.target) + "\n";
  for (const char p : {'a', 'b'}) {
    const auto& pc = peer(a.config, p);
    const auto& s = models::child_lifetime_setting(pc.profile);
    out += std::string("peer ") + (p == 'a' ? "A" : "B") + ": " + pc.profile +
           ", Phase 2 lifetime " + models::format_in_setting_units(s, pc.child.lifetime) + "; " +
           s.setting + " takes " + models::format_hms(s.min) + " to " + models::format_hms(s.max) +
           " in steps of " + models::format_hms(s.step) + " [" +
           std::string(models::to_string(s.status)) + ": " + s.source + "]\n";
  }
  out += "\n" + advice_summary(a) +
         "\ntried (stagger = change of B's lifetime minus A's; rates per rekey episode):\n";
  const Outcome cols[] = {Outcome::kCollisions, Outcome::kCantFindSa, Outcome::kOutages,
                          Outcome::kEspDropped, Outcome::kDowntime,   Outcome::kTunnelResets};
  out += "  " + pad("stagger", 12) + pad("lifetime set", 26) + pad("episodes", 10) +
         pad("harm [95% CI]", 32);
  for (const auto o : cols) out += pad(std::string(models::outcome_name(o)), 14);
  out += "\n";
  auto row = [&](const Candidate& c) {
    std::string set = "(current)";
    if (c.peer != 0) {
      const auto& s = models::child_lifetime_setting(peer(a.config, c.peer).profile);
      const std::string full = models::format_in_setting_units(s, c.lifetime);
      set = std::string(c.peer == 'a' ? "A " : "B ") + full.substr(0, full.find(" ("));
    }
    std::string line =
        "  " + pad(c.peer == 0 ? "0" : signed_hms(c.shift), 12) + pad(set, 26) +
        pad(std::to_string(c.report.result.episodes), 10) +
        pad(format_rate(c.harm.rate) + " " + format_interval(c.harm.ci95) + (c.passed ? " ok" : ""),
            32);
    for (const auto o : cols) line += pad(amount_text(o, c.report.result.outcome(o).rate), 14);
    return line + "\n";
  };
  out += row(a.current);
  for (const auto& c : a.tried) out += row(c);
  for (const auto& n : a.notes) out += "note: " + n + "\n";
  out +=
      "\nharm interval: the sum of each weighted outcome's 95% bounds (Wilson for counts of "
      "episodes, ratio-estimator across trials for packets and downtime), so it covers at least "
      "95%\n";
  return out;
}

json advice_json(const Advice& a, const RunHeader& header) {
  auto cand = [&](const Candidate& c) {
    json j;
    j["shift_s"] = static_cast<double>(c.shift.ns()) * 1e-9;
    if (c.peer != 0) {
      const auto& pc = peer(a.config, c.peer);
      j["peer"] = std::string(1, c.peer);
      j["profile"] = pc.profile;
      j["setting"] = models::child_lifetime_setting(pc.profile).setting;
      j["lifetime_s"] = c.lifetime.ns() / 1'000'000'000;
      j["lifetime_text"] =
          models::format_in_setting_units(models::child_lifetime_setting(pc.profile), c.lifetime);
    }
    j["harm"] = c.harm.rate;
    j["harm_ci95"] = json::array(
        {c.harm.ci95.lo, std::isfinite(c.harm.ci95.hi) ? json(c.harm.ci95.hi) : json(nullptr)});
    j["passed"] = c.passed;
    j["point"] = point_json(header, c.report);
    return j;
  };
  json j;
  j["scenario"] = a.scenario;
  j["target"] = a.target;
  json w = json::object();
  for (const auto o : models::kAllOutcomes) {
    if (a.weights.of(o) != 0) w[std::string(models::outcome_name(o))] = a.weights.of(o);
  }
  j["weights"] = w;
  j["verdict"] = a.verdict == Verdict::kNoStaggerNeeded ? "no_stagger_needed"
                 : a.verdict == Verdict::kStagger       ? "stagger"
                                                        : "none_enough";
  j["current"] = cand(a.current);
  j["recommended"] = a.chosen ? cand(a.tried[*a.chosen]) : json(nullptr);
  j["other_direction"] = a.other ? cand(a.tried[*a.other]) : json(nullptr);
  j["tried"] = json::array();
  for (const auto& c : a.tried) j["tried"].push_back(cand(c));
  j["notes"] = a.notes;
  if (!a.why_none.empty()) j["why_none"] = a.why_none;
  return j;
}

}  // namespace rekeysim::cli
