// The race window of issue 15: the closed form of P(|timer gap| < W) against
// numeric integration and enumeration, the conditioned sampler against that
// closed form, the model producing no race outcome just outside the window
// (and races inside it), and the conditions under which it does not apply.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "models/trial.hpp"
#include "sim/stats.hpp"
#include "tools/runner/race_window.hpp"
#include "tools/runner/window_estimator.hpp"
#include "tools/scenario/scenario.hpp"

using namespace rekeysim::runner;

namespace {

constexpr double kS = 1e9;  // ns per second

JitterModel continuous(double width_s) {
  JitterModel m;
  m.kind = JitterModel::Kind::kContinuous;
  m.width = width_s * kS;
  m.fuzz = 1;
  m.margin_ns = width_s * kS;
  m.drawn = true;
  return m;
}

JitterModel lattice(double width_s, double quantum_s) {
  JitterModel m;
  m.kind = JitterModel::Kind::kLattice;
  m.width = width_s * kS;
  m.step = quantum_s * kS;
  m.cell_u = quantum_s / width_s;
  m.cells = static_cast<std::uint64_t>(std::ceil(width_s / quantum_s));
  m.fuzz = 1;
  m.margin_ns = width_s * kS;
  m.quantum_ns = quantum_s * kS;
  m.drawn = true;
  return m;
}

// P(|c - alpha U + beta V| < W) by the midpoint rule over U, the inner V
// measure taken exactly: an independent route to the convolution.
double integrate(double alpha, double beta, double c, double w, int n) {
  double sum = 0;
  for (int i = 0; i < n; ++i) {
    const double u = (i + 0.5) / n;
    const double y0 = c - alpha * u;
    const double lo = std::max(0.0, (-w - y0) / beta);
    const double hi = std::min(1.0, (w - y0) / beta);
    sum += std::max(0.0, hi - lo);
  }
  return sum / n;
}

models::TrialConfig config_of(const std::string& yaml) {
  const auto sc = rekeysim::scenario::load_scenario_text(yaml, "test.yaml", REKEYSIM_SOURCE_DIR);
  return rekeysim::scenario::build_with(sc, {}).config;
}

std::string scenario_yaml(const std::string& profile, const std::string& child,
                          const std::string& extra = "") {
  return "name: t\nseed: 3\nrekeys: 1\ntrials: 10\n"
         "network: {latency: 16ms, jitter: {dist: uniform, spread: 4ms}}\n"
         "peers:\n  a: {profile: " +
         profile + ", child: " + child + ", ike: {lifetime: 24h}}\n  b: {profile: " + profile +
         ", child: " + child + ", ike: {lifetime: 24h}}\n" + extra;
}

// A draw whose gap Y is `target` (A's jitter from u_a, B's solved for), or
// none when no u_b in [0, 1) gives it.
bool draw_with_gap(const RaceWindow& w, double u_a, double target, JitterDraw& d) {
  d.u_a = u_a;
  if (w.b.kind == JitterModel::Kind::kNone) {
    // Y = c - J_A': solve for A instead (continuous A only).
    d.u_b = 0.5;
    if (w.a.kind != JitterModel::Kind::kContinuous) return false;
    d.u_a = (w.centre_ns - target) / w.a.width;
    return d.u_a >= 0 && d.u_a < 1;
  }
  const double ja = jitter_of(w.a, u_a);
  // Y = c - J_A' + J_B'  =>  J_B' = Y - c + J_A'
  const double jb = target - w.centre_ns + ja;
  if (w.b.kind == JitterModel::Kind::kContinuous) {
    d.u_b = jb / w.b.width;
  } else if (w.b.kind == JitterModel::Kind::kLattice) {
    double k = std::round(jb / w.b.step);
    d.u_b = (k + 0.5) * w.b.cell_u;
    // Gaps come in whole steps: take the nearest one outside the window.
    if (std::abs(timer_gap_of(w, d)) < w.window_ns) {
      k += target > 0 ? 1 : -1;
      d.u_b = (k + 0.5) * w.b.cell_u;
    }
  } else {
    d.u_b = 0.5;
  }
  return d.u_b >= 0 && d.u_b < 1;
}

// The profile's unbounded delays (strongSwan's lognormal processing) made
// bounded and its volume lifetime (cisco-asa) removed, so that the window
// applies and the profile's behaviour is tested.
models::TrialConfig bounded(models::TrialConfig cfg) {
  const auto fix = [](sim::DurationDist& d) {
    using K = sim::DurationDist::Kind;
    if (d.kind == K::kNormal || d.kind == K::kLognormal || d.kind == K::kExponential)
      d = sim::DurationDist::uniform(sim::microseconds(100), sim::milliseconds(2));
  };
  for (models::PeerConfig* pc : {&cfg.a, &cfg.b}) {
    fix(pc->processing_delay);
    if (pc->processing_delay_ke) fix(*pc->processing_delay_ke);
    if (pc->processing_delay_informational) fix(*pc->processing_delay_informational);
    fix(pc->initiation_delay);
    fix(pc->timer_lateness);
    pc->child.lifetime_bytes = 0;  // cisco-asa's volume lifetime
    pc->child.lifetime_packets = 0;
  }
  return cfg;
}

}  // namespace

TEST_CASE("race window closed form matches numeric integration for continuous fuzz") {
  // Different widths, centres in the middle, on the slopes and in the tail.
  const double alpha = 540 * kS;
  const double beta = 300 * kS;
  const double w = 0.05 * kS;
  for (double c_s : {0.0, -120.0, 200.0, -299.0, 539.0, -100.0, 250.0}) {
    const double c = c_s * kS;
    const double closed = window_probability(continuous(540), continuous(300), c, w);
    const double numeric = integrate(alpha, beta, c, w, 2'000'000);
    INFO("c = " << c_s << " s: closed " << closed << ", numeric " << numeric);
    CHECK(closed == Approx(numeric).epsilon(2e-3));
    CHECK(closed > 0);
  }
  // The flat part of the trapezoid (Z = -100 s): exactly 2W / alpha.
  CHECK(window_probability(continuous(540), continuous(300), 100 * kS, w) ==
        Approx(2 * w / alpha).epsilon(1e-9));
  // Outside the support: exactly 0.
  CHECK(window_probability(continuous(540), continuous(300), 541 * kS, w) == 0);
}

TEST_CASE("race window closed form matches enumeration of fuzz_quantum cells") {
  // B's last cell is half a quantum wide (300.5 s of fuzz in whole seconds).
  const JitterModel a = lattice(540, 1);
  const JitterModel b = lattice(300.5, 1);
  for (double c_s : {0.0, 3.02, -17.0, 100.0, 299.99}) {
    const double c = c_s * kS;
    const double w = 0.05 * kS;
    double brute = 0;
    for (std::uint64_t i = 0; i < a.cells; ++i) {
      const double wa = std::min(1.0, (i + 1) * a.cell_u) - i * a.cell_u;
      for (std::uint64_t j = 0; j < b.cells; ++j) {
        const double wb = std::min(1.0, (j + 1) * b.cell_u) - j * b.cell_u;
        if (std::abs(c - i * a.step + j * b.step) < w) brute += wa * wb;
      }
    }
    INFO("c = " << c_s << " s");
    CHECK(window_probability(a, b, c, w) == Approx(brute).margin(1e-15));
  }
  // Equal lattices, no offset: both draw the same second, 1/540.
  CHECK(window_probability(a, a, 0, 0.05 * kS) == Approx(1.0 / 540).epsilon(1e-12));
}

TEST_CASE("race window closed form matches direct sampling of the model's jitter draws") {
  // A continuous, B in whole seconds with a clock error: both mixed branches.
  const auto cfg = config_of(
      scenario_yaml("rfc7296", "{lifetime: 1h, margin: 60s, fuzz: 100%}", "stagger: 7s\n"));
  RaceWindow w = analyse_race_window(cfg);
  REQUIRE(w.applies);
  for (int variant = 0; variant < 3; ++variant) {
    RaceWindow v = w;
    v.window_ns = 1.5 * kS;  // wide, so that direct sampling sees thousands
    if (variant >= 1) v.b = lattice(60, 1);
    if (variant == 2) v.a = lattice(60, 0.25);
    const double p = window_probability(v.a, v.b, v.centre_ns, v.window_ns);
    sim::Rng rng(99 + variant);
    const std::uint64_t n = 400'000;
    std::uint64_t k = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
      JitterDraw d{rng.uniform01(), rng.uniform01()};
      if (std::abs(timer_gap_of(v, d)) < v.window_ns) ++k;
    }
    const sim::Interval ci = sim::wilson_interval(k, n);
    INFO("variant " << variant << ": p = " << p << ", sampled " << k << "/" << n);
    CHECK(p >= ci.lo);
    CHECK(p <= ci.hi);
    CHECK(k > 1000);
  }
}

TEST_CASE("window sampler draws inside the window with the conditional distribution") {
  for (int variant = 0; variant < 3; ++variant) {
    RaceWindow w;
    w.applies = true;
    w.window_ns = 0.08 * kS;
    w.centre_ns = -533 * kS;
    w.a = continuous(540);
    w.b = continuous(540);
    if (variant == 1) {
      w.b = lattice(540, 1);
      w.centre_ns = -20.3 * kS;
    }
    if (variant == 2) {
      w.a = lattice(540, 1);
      w.centre_ns = 3.01 * kS;
    }
    w.p_window = window_probability(w.a, w.b, w.centre_ns, w.window_ns);
    const WindowSampler s(w);
    CHECK(s.mass() == Approx(w.p_window).epsilon(1e-12));
    // P(-W < Y < 0 | |Y| < W) from the closed form (a window of half the width).
    const double lower =
        window_probability(w.a, w.b, w.centre_ns + w.window_ns / 2, w.window_ns / 2) / w.p_window;
    sim::Rng rng(7 + variant);
    const std::uint64_t n = 40'000;
    std::uint64_t below = 0;
    std::uint64_t outside = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
      const JitterDraw d = s.draw(rng);
      const double y = timer_gap_of(w, d);
      if (!(std::abs(y) < w.window_ns) || d.u_a < 0 || d.u_a >= 1 || d.u_b < 0 || d.u_b >= 1)
        ++outside;
      if (y < 0) ++below;
    }
    const sim::Interval ci = sim::wilson_interval(below, n, 3.29);  // 99.9%
    INFO("variant " << variant << ": expected " << lower << ", drew " << below << "/" << n);
    CHECK(outside == 0);
    CHECK(lower >= ci.lo);
    CHECK(lower <= ci.hi);
  }
}

TEST_CASE("no race outcome in trials just outside the window, races inside it") {
  // Continuous fuzz (rfc7296, libreswan's responder margin) and whole seconds
  // (strongswan); each also with PFS and a processing delay in the bound.
  const std::vector<std::string> profiles = {"rfc7296", "strongswan", "libreswan", "panos",
                                             "cisco-asa"};
  for (const auto& profile : profiles) {
    // libreswan's halved responder margin puts B's timer margin/2 later:
    // a stagger brings the two back within reach of each other.
    const std::pair<std::string, std::string> cases[] = {
        {"{lifetime: 1h, margin: 60s, fuzz: 100%}", "-30s"},
        {"{lifetime: 2h, margin: 5m, fuzz: 50%}", "-160s"}};
    for (const auto& [child, libreswan_stagger] : cases) {
      const std::string stagger =
          profile == "libreswan" ? "stagger: " + libreswan_stagger + "\n" : "";
      const auto cfg = bounded(config_of(scenario_yaml(profile, child, stagger)));
      const RaceWindow w = analyse_race_window(cfg);
      INFO(profile << " " << child << ": " << w.why_not);
      REQUIRE(w.applies);
      sim::Rng rng(11);
      std::uint64_t outside_trials = 0;
      std::uint64_t outside_races = 0;
      std::uint64_t episodes = 0;
      for (int i = 0; i < 150; ++i) {
        // |Y| from W to W + 3 w, either side.
        const double target = (i % 2 ? 1 : -1) * (w.window_ns + rng.uniform01() * 3 * w.race_ns);
        JitterDraw d;
        if (!draw_with_gap(w, rng.uniform01(), target, d)) continue;
        if (std::abs(timer_gap_of(w, d)) < w.window_ns) continue;  // lattice rounding
        const auto out = models::run_trial(conditioned_config(cfg, d), 5, i);
        ++outside_trials;
        episodes += out.episodes;
        outside_races +=
            out.count(models::Outcome::kCollisions) + out.count(models::Outcome::kRedundantSas);
      }
      CHECK(outside_trials > 50);
      CHECK(episodes == outside_trials);
      CHECK(outside_races == 0);
      REQUIRE(w.p_window > 0);
      // The same model inside the window does race: the check above can fail.
      const WindowSampler s(w);
      std::uint64_t inside_races = 0;
      for (int i = 0; i < 150; ++i) {
        sim::Rng r = sim::Rng::for_stream(5, i, kRaceWindowStream);
        const auto out = models::run_trial(conditioned_config(cfg, s.draw(r)), 5, i);
        inside_races += out.count(models::Outcome::kCollisions);
      }
      CHECK(inside_races > 0);
    }
  }
}

TEST_CASE("race window does not apply where the gap or the exchange is unbounded") {
  const std::string child = "{lifetime: 1h, margin: 60s, fuzz: 100%}";
  auto why = [&](const std::string& yaml) { return analyse_race_window(config_of(yaml)).why_not; };
  CHECK(why(scenario_yaml("rfc7296", child)).empty());
  // Counted in time, not in one rekey.
  const std::string timed =
      "name: t\nseed: 3\nduration: 1d\ntrials: 10\npeers:\n  a: {profile: "
      "rfc7296}\n  b: {profile: rfc7296}\n";
  CHECK(why(timed).find("rekeys: 1") != std::string::npos);
  std::string lossy = scenario_yaml("rfc7296", child);
  lossy.replace(lossy.find("jitter: {dist: uniform, spread: 4ms}"), 36, "loss: 0.01");
  CHECK(why(lossy).find("loses IKE messages") != std::string::npos);
  // A margin shorter than the rekey and its DELETE: the hard expiry's
  // DELETE could cross them.
  CHECK(why(scenario_yaml("rfc7296", "{lifetime: 1h, margin: 90ms, fuzz: 0%}"))
            .find("before the hard expiry") != std::string::npos);
  // strongSwan's processing delays are lognormal: unbounded.
  CHECK(why(scenario_yaml("strongswan", child)).find("lognormal") != std::string::npos);
  // cisco-asa's Child SAs have a volume lifetime.
  CHECK(why(scenario_yaml("cisco-asa", child)).find("volume lifetime") != std::string::npos);
}

TEST_CASE("race window refuses a retransmission timeout under the longest round trip") {
  // RFC 7296 2.1: a request is retransmitted when its timeout runs out, loss
  // or not. A fresh-clone tester's 3 ms timeout (jitter 50%) sent duplicates
  // that queued at the receiver: A installed 94 ms after B where W allowed
  // 24 ms, and exact-zero printed 0 [0, 0] at a stagger where plain Monte
  // Carlo saw collisions.
  const std::string child = "{lifetime: 1h, margin: 60s, fuzz: 100%}";
  auto with = [&](const std::string& rt) {
    std::string y = scenario_yaml("rfc7296", child);
    // Each peer's mapping gains a behaviour key.
    for (std::size_t at = 0; (at = y.find("ike: {lifetime: 24h}}", at)) != std::string::npos;) {
      const std::string add = "ike: {lifetime: 24h}, behaviour: {retransmit: " + rt + "}}";
      y.replace(at, 21, add);
      at += add.size();
    }
    return analyse_race_window(config_of(y));
  };
  const RaceWindow tiny = with("{timeout: 3ms, base: 1, tries: 60, jitter: 50%}");
  CHECK_FALSE(tiny.applies);
  CHECK(tiny.why_not.find("peers.a.behaviour.retransmit: the first timeout can be 1.500 ms, not "
                          "longer than the longest round trip") != std::string::npos);
  // 40 ms reduced by half (20 ms) is still under two 20 ms transits: refused.
  CHECK_FALSE(with("{timeout: 40ms, jitter: 50%}").applies);
  // The profile's default (seconds) is far above the round trip.
  const RaceWindow fine = with("{timeout: 2s, jitter: 50%}");
  CHECK(fine.applies);
  CHECK(fine.why_not.empty());
}

TEST_CASE("race window bound includes an unbounded processing delay only to refuse it") {
  auto cfg = config_of(scenario_yaml("rfc7296", "{lifetime: 1h, margin: 60s, fuzz: 100%}"));
  cfg.b.processing_delay = sim::DurationDist::normal(sim::milliseconds(1), sim::microseconds(200));
  const RaceWindow w = analyse_race_window(cfg);
  CHECK_FALSE(w.applies);
  CHECK(w.why_not.find("peers.b.processing_delay normal") != std::string::npos);
  CHECK(w.why_not.find("unbounded") != std::string::npos);
  // A bounded one widens the window by its maximum, on both terms that hold it.
  auto bounded = cfg;
  bounded.b.processing_delay =
      sim::DurationDist::uniform(sim::milliseconds(1), sim::milliseconds(3));
  bounded.a.processing_delay = bounded.b.processing_delay;
  auto none = cfg;
  none.b.processing_delay = {};
  const RaceWindow wb = analyse_race_window(bounded);
  const RaceWindow wn = analyse_race_window(none);
  REQUIRE(wb.applies);
  REQUIRE(wn.applies);
  CHECK(wb.race_ns - wn.race_ns == Approx(3e6));
  CHECK(wb.offset_ns - wn.offset_ns == Approx(3e6));
}

TEST_CASE("choose_estimator takes the window only where it applies and helps") {
  const auto cfg = config_of(
      scenario_yaml("rfc7296", "{lifetime: 8h, margin: 9m, fuzz: 100%}", "stagger: 533s\n"));
  const auto c = choose_estimator("auto", cfg, 4000, {});
  CHECK(c.used == Estimator::kWindow);
  CHECK(c.window.p_window > 1e-7);
  CHECK(c.window.p_window < 1e-5);
  CHECK(c.why.find("window estimator") == 0);
  // So many trials that plain Monte Carlo sees the window often: plain.
  CHECK(choose_estimator("auto", cfg, 1'000'000'000, {}).used == Estimator::kPlain);
  CHECK(choose_estimator("plain", cfg, 4000, {}).used == Estimator::kPlain);
  // A rate bound on an outcome that needs no race: the strata estimate it.
  const std::vector<ExpectedOutcome> outages = {{models::Outcome::kOutages, true}};
  CHECK(choose_estimator("auto", cfg, 4000, outages).used == Estimator::kWindow);
  CHECK(choose_estimator("window", cfg, 4000, outages).used == Estimator::kWindow);
  CHECK(c.why.find("4000 trials inside the window, 4000 outside") != std::string::npos);
  // Counts are the strata's simulated totals, not estimates: not checked.
  const std::vector<ExpectedOutcome> count = {{models::Outcome::kCollisions, false}};
  CHECK(choose_estimator("auto", cfg, 4000, count).used == Estimator::kPlain);
  CHECK_THROWS_AS(choose_estimator("window", cfg, 4000, count), EstimatorError);
  const std::vector<ExpectedOutcome> outage_count = {{models::Outcome::kOutages, false}};
  CHECK_THROWS_AS(choose_estimator("window", cfg, 4000, outage_count), EstimatorError);
  // A stagger beyond the fuzz: the window is empty, race outcomes are 0
  // exactly, and there is nothing to simulate inside it (whatever the
  // expectations: the plain trials measure the other outcomes).
  const auto apart = config_of(
      scenario_yaml("rfc7296", "{lifetime: 8h, margin: 9m, fuzz: 100%}", "stagger: 541s\n"));
  for (const auto& ex : {std::vector<ExpectedOutcome>{}, outages, count}) {
    const auto e = choose_estimator("auto", apart, 4000, ex);
    CHECK(e.window.applies);
    CHECK(e.window.p_window == 0);
    CHECK(e.window.zero == RaceWindow::ZeroProof::kRange);
    CHECK(e.used == Estimator::kExactZero);
    CHECK(e.why.starts_with("exact zero: the first timers can never come within the race window"));
    CHECK(e.why.find("exactly 0 [0, 0]") != std::string::npos);
    const auto f = choose_estimator("window", apart, 4000, ex);
    CHECK(f.used == Estimator::kExactZero);
    CHECK(f.why.starts_with("exact zero (--estimator window): "));
  }
  CHECK(choose_estimator("plain", apart, 4000, {}).used == Estimator::kPlain);
}

namespace {

// 30 ms of continuous fuzz per peer (0.1% of 30 s) and the window of the
// uniform 16 +- 4 ms link: W = 20.001 ms + 20.001 ms. B's timer is the later
// by the stagger, so the gap Y lies in [-stagger - 30 ms, -stagger + 30 ms]:
// it reaches -W at a stagger of 70.002 ms.
RaceWindow edge_window(const std::string& stagger, const std::string& network = "") {
  std::string yaml = scenario_yaml("rfc7296", "{lifetime: 1h, margin: 30s, fuzz: 0.1%}",
                                   "stagger: " + stagger + "\n");
  if (!network.empty()) yaml.replace(yaml.find("{dist: uniform, spread: 4ms}"), 28, network);
  return analyse_race_window(config_of(yaml));
}

}  // namespace

TEST_CASE("race window proves P = 0 from the fuzz range, and only beyond its bound") {
  using Z = RaceWindow::ZeroProof;
  const RaceWindow at = edge_window("70002us");
  REQUIRE(at.applies);
  CHECK(at.window_ns == 40'002'000);
  CHECK(at.gap_lo_ns == -100'002'000);
  CHECK(at.gap_hi_ns == -40'002'000);
  CHECK(at.p_window == 0);
  CHECK(at.zero == Z::kRange);
  CHECK(at.zero_not_exact.empty());
  CHECK(edge_window("71ms").zero == Z::kRange);
  CHECK(edge_window("-70002us").zero == Z::kRange);  // A's timer the later one
  // 1 us inside the bound: the fuzz extremes put |Y| under W, and the closed
  // form says how rarely ((1 us)^2 / 2 / (30 ms)^2).
  for (const std::string s : {"70001us", "-70001us"}) {
    INFO("stagger " << s);
    const RaceWindow in = edge_window(s);
    REQUIRE(in.applies);
    CHECK(in.zero == Z::kNone);
    CHECK(in.p_window == Approx(1e-12 / 2 / 9e-4).epsilon(1e-6));
    JitterDraw d;  // A draws no jitter, B all of it (or the other way round)
    d.u_a = s[0] == '-' ? std::nextafter(1.0, 0.0) : 0;
    d.u_b = s[0] == '-' ? 0 : std::nextafter(1.0, 0.0);
    CHECK(std::abs(timer_gap_of(in, d)) < in.window_ns);
  }
}

TEST_CASE("race window proves P = 0 from fuzz_quantum cells that never meet") {
  using Z = RaceWindow::ZeroProof;
  // Whole seconds of fuzz on both sides: Y = -stagger + k s, k an integer.
  auto window = [](const std::string& stagger) {
    return analyse_race_window(config_of(
        scenario_yaml("rfc7296", "{lifetime: 1h, margin: 30s, fuzz: 100%, fuzz_quantum: 1s}",
                      "stagger: " + stagger + "\n")));
  };
  for (const std::string s : {"41ms", "500ms", "959ms"}) {
    INFO("stagger " << s);
    const RaceWindow w = window(s);
    REQUIRE(w.applies);
    CHECK(w.p_window == 0);
    CHECK(w.zero == Z::kLattice);
    // The ranges overlap: only the lattice keeps the timers apart.
    CHECK(w.gap_lo_ns < -w.window_ns);
    CHECK(w.gap_hi_ns > w.window_ns);
  }
  for (const std::string s : {"0", "40ms", "960ms"}) {
    INFO("stagger " << s);
    const RaceWindow w = window(s);
    CHECK(w.p_window > 0.03);
    CHECK(w.zero == Z::kNone);
  }
  // Y = -30 s + (k_B - k_A) s: cells 0 .. 29 never give 0, but a draw that
  // rounds up to the full 30 s (k = 30) could: not claimed.
  const RaceWindow edge = window("30s");
  CHECK(edge.p_window == 0);
  CHECK(edge.zero == Z::kNone);
  CHECK(edge.zero_not_exact.starts_with("only a jitter of the full fuzz x margin"));
  CHECK(window("29500ms").zero == Z::kLattice);
  CHECK(window("30500ms").zero == Z::kRange);
}

TEST_CASE("race window does not call 0 exact where W rests on a cut latency tail") {
  // Normal link jitter: the model cuts it at 8 sd, so W is finite and the
  // estimator applies, but a transit beyond the cut is not impossible.
  const RaceWindow w = edge_window("2s", "{dist: normal, sd: 1ms}");
  REQUIRE(w.applies);
  CHECK(w.p_window == 0);
  CHECK(w.zero == RaceWindow::ZeroProof::kNone);
  CHECK(
      w.zero_not_exact.starts_with("network a_to_b latency normal(16ms, 1ms) has no bound of "
                                   "its own"));
  const auto cfg = config_of([] {
    std::string y =
        scenario_yaml("rfc7296", "{lifetime: 1h, margin: 30s, fuzz: 0.1%}", "stagger: 2s\n");
    y.replace(y.find("{dist: uniform, spread: 4ms}"), 28, "{dist: normal, sd: 1ms}");
    return y;
  }());
  const auto c = choose_estimator("auto", cfg, 4000, {});
  CHECK(c.used == Estimator::kPlain);
  CHECK(
      c.why.starts_with("plain Monte Carlo: P(|timer gap| < W) is 0 in the closed form but "
                        "not provably 0 (network a_to_b latency normal"));
  CHECK_THROWS_AS(choose_estimator("window", cfg, 4000, {}), EstimatorError);
  // Uniform jitter of the same reach is the scenario's own bound.
  CHECK(edge_window("2s", "{dist: uniform, spread: 8ms}").zero == RaceWindow::ZeroProof::kRange);
}

TEST_CASE("exact zero closes the race outcomes' intervals only when no trial saw one") {
  PointResult r;
  r.trials = r.episodes = 1000;
  for (auto& s : r.outcomes) s.ci95 = {0, 3.83e-3};
  for (auto& t : r.per_trial) t.ci95 = {0, 3.83e-3};
  PointResult zero = r;
  REQUIRE(exact_zero_race_outcomes(zero));
  for (const auto o : models::kAllOutcomes) {
    INFO(models::outcome_name(o));
    const double hi = is_race_outcome(o) ? 0 : 3.83e-3;
    CHECK(zero.outcome(o).ci95.hi == hi);
    CHECK(zero.trial_view(o).ci95.hi == hi);
  }
  // A race outcome seen contradicts the proof: nothing is changed.
  PointResult seen = r;
  seen.outcomes[static_cast<std::size_t>(models::Outcome::kRedundantSas)].count = 1;
  CHECK_FALSE(exact_zero_race_outcomes(seen));
  CHECK(seen.outcome(models::Outcome::kCollisions).ci95.hi == 3.83e-3);
}

namespace {

// The first Child SA install at each peer and the first rekey started.
struct FirstTimes final : models::TraceSink {
  double installed[2] = {-1, -1};
  int starter = -1;
  double started = -1;
  void record(const models::TraceRecord& r) override {
    const int p = r.peer == models::PeerId::kA ? 0 : 1;
    if (r.kind == models::TraceKind::kChildSaInstalled && installed[p] < 0)
      installed[p] = static_cast<double>(r.time.ns());
    if (r.kind == models::TraceKind::kRekeyStarted && r.sa_kind == models::SaKind::kChild &&
        starter < 0) {
      starter = p;
      started = static_cast<double>(r.time.ns());
    }
  }
};

// SCHEMA's soft time, transcribed independently of race_window.cpp:
// lifetime - margin_eff - U x fuzz x margin (floored to fuzz_quantum), in the
// peer's clock, converted to true time.
double soft_true_ns(const models::PeerConfig& pc, bool initiator, double u) {
  const auto& p = pc.child;
  const double life = static_cast<double>(p.lifetime.ns());
  const double margin = static_cast<double>(p.margin.resolve(p.lifetime).ns());
  const double eff = initiator ? margin : margin * p.responder_margin_scale;
  double jitter = initiator || p.responder_fuzz ? u * p.fuzz * margin : 0;
  if (p.fuzz_quantum.ns() > 0) {
    const double q = static_cast<double>(p.fuzz_quantum.ns());
    jitter = std::floor(jitter / q) * q;
  }
  return (life - eff - jitter) / (1.0 + pc.clock_error_ppm * 1e-6);
}

}  // namespace

TEST_CASE("the hooked first jitter sets the first rekey time the window assumes") {
  for (const std::string profile : {"rfc7296", "strongswan", "libreswan"}) {
    auto cfg = bounded(config_of(scenario_yaml(profile, "{lifetime: 1h, margin: 60s, fuzz: 100%}",
                                               profile == "libreswan" ? "stagger: -30s\n" : "")));
    cfg.a.clock_error_ppm = 50;
    cfg.b.clock_error_ppm = -30;
    const RaceWindow w = analyse_race_window(cfg);
    INFO(profile << ": " << w.why_not);
    REQUIRE(w.applies);
    sim::Rng rng(21);
    int checked = 0;
    for (int i = 0; i < 60; ++i) {
      const JitterDraw d{rng.uniform01(), rng.uniform01()};
      FirstTimes t;
      models::run_trial(conditioned_config(cfg, d), 8, i, &t);
      REQUIRE(t.starter >= 0);
      const double y = timer_gap_of(w, d);
      // The window's Y is the independent transcription's s_A - s_B.
      const double sa = soft_true_ns(cfg.a, true, d.u_a);
      const double sb = soft_true_ns(cfg.b, false, d.u_b);
      CHECK(std::abs(y - (sa - sb)) < 10);
      // Beyond the window, the peer with the earlier timer starts the rekey.
      if (y < -w.window_ns) CHECK(t.starter == 0);
      if (y > w.window_ns) CHECK(t.starter == 1);
      // ... at its install time + its soft time, up to the bounded terms.
      const double s = t.starter == 0 ? sa : sb;
      const double late = t.started - t.installed[t.starter] - s;
      CHECK(late > -10);
      CHECK(late < w.race_ns + w.offset_ns);
      ++checked;
    }
    CHECK(checked == 60);
  }
}

TEST_CASE("outside draws keep the timer gap at least W with the conditional distribution") {
  for (int variant = 0; variant < 3; ++variant) {
    RaceWindow w;
    w.applies = true;
    w.window_ns = 0.08 * kS;
    w.centre_ns = -3.3 * kS;
    w.a = continuous(540);
    w.b = continuous(540);
    if (variant == 1) w.b = lattice(540, 1);
    if (variant == 2) w.a = lattice(540, 1);
    w.p_window = window_probability(w.a, w.b, w.centre_ns, w.window_ns);
    REQUIRE(w.p_window > 0);
    // P(Y < 0 | |Y| >= W) = (P(Y < 0) - P(-W < Y < 0)) / (1 - P), from the
    // closed form: Y < 0 is |Y + L| < L for L beyond Y's range.
    const double big = 2000 * kS;
    const double below_all = window_probability(w.a, w.b, w.centre_ns + big, big);
    const double below_in =
        window_probability(w.a, w.b, w.centre_ns + w.window_ns / 2, w.window_ns / 2);
    const double expected = (below_all - below_in) / (1 - w.p_window);
    sim::Rng rng(31 + variant);
    const std::uint64_t n = 40'000;
    std::uint64_t below = 0;
    std::uint64_t inside = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
      const JitterDraw d = draw_outside_window(w, rng);
      const double y = timer_gap_of(w, d);
      if (std::abs(y) < w.window_ns || d.u_a < 0 || d.u_a >= 1 || d.u_b < 0 || d.u_b >= 1) ++inside;
      if (y < 0) ++below;
    }
    const sim::Interval ci = sim::wilson_interval(below, n, 3.29);  // 99.9%
    INFO("variant " << variant << ": expected " << expected << ", drew " << below << "/" << n);
    CHECK(inside == 0);
    CHECK(expected >= ci.lo);
    CHECK(expected <= ci.hi);
  }
  // Nothing outside to draw: a clear error, not a hang.
  RaceWindow all;
  all.window_ns = 1 * kS;
  all.a = continuous(0.1);
  all.b = continuous(0.1);
  sim::Rng rng(3);
  CHECK_THROWS_AS(draw_outside_window(all, rng), std::runtime_error);
}

TEST_CASE("MOVER interval of a weighted sum follows Zou and Donner") {
  // L = est - sqrt(sum (w_i (est_i - l_i))^2), U = est + sqrt(sum (w_i (u_i - est_i))^2).
  const sim::Interval ci = mover_interval(0.3, 0.5, {0.4, 0.6}, 0.7, 0.1, {0.05, 0.2});
  CHECK(ci.lo == Approx(0.22 - std::sqrt(0.03 * 0.03 + 0.035 * 0.035)).epsilon(1e-12));
  CHECK(ci.hi == Approx(0.22 + std::sqrt(0.03 * 0.03 + 0.07 * 0.07)).epsilon(1e-12));
  // One stratum alone: its interval, scaled.
  const sim::Interval one = mover_interval(0.25, 0.5, {0.4, 0.6}, 0, 0.1, {0.05, 0.2});
  CHECK(one.lo == Approx(0.1));
  CHECK(one.hi == Approx(0.15));
  // An interval with no upper bound (one trial) keeps none.
  CHECK(std::isinf(mover_interval(0.5, 1, {0.5, INFINITY}, 0.5, 1, {0.5, 1.5}).hi));
}

namespace {

// A stratum of 1000 trials, one episode each, with the given collisions and
// outages (episodes with one), and 10 s of simulated time per trial.
PointResult stratum(std::uint64_t collisions, std::uint64_t outages) {
  PointResult r;
  r.trials = r.episodes = 1000;
  r.simulated_seconds = 10'000;
  auto set = [&r](models::Outcome o, std::uint64_t k) {
    auto& s = r.outcomes[static_cast<std::size_t>(o)];
    s.count = s.episodes_with = k;
    s.rate = static_cast<double>(k) / 1000;
    s.ci95 = sim::wilson_interval(k, 1000);
    auto& t = r.per_trial[static_cast<std::size_t>(o)];
    t.trials_affected = k;
    t.fraction_affected = s.rate;
    t.ci95 = s.ci95;
  };
  set(models::Outcome::kCollisions, collisions);
  set(models::Outcome::kOutages, outages);
  set(models::Outcome::kChildRekeys, 1000);
  return r;
}

}  // namespace

TEST_CASE("stratify weights each outcome by P(window), race outcomes by the inside alone") {
  const double p = 0.01;
  const PointResult in = stratum(300, 500);
  const PointResult out = stratum(0, 100);
  const PointResult r = stratify(in, out, p);
  const auto& col = r.outcome(models::Outcome::kCollisions);
  CHECK(col.rate == Approx(0.003));
  CHECK(col.ci95.lo == Approx(p * in.outcome(models::Outcome::kCollisions).ci95.lo));
  CHECK(col.ci95.hi == Approx(p * in.outcome(models::Outcome::kCollisions).ci95.hi));
  CHECK(r.trial_view(models::Outcome::kCollisions).fraction_affected == Approx(0.003));
  const auto& outages = r.outcome(models::Outcome::kOutages);
  CHECK(outages.rate == Approx(0.01 * 0.5 + 0.99 * 0.1));
  const sim::Interval expect = mover_interval(p, 0.5, sim::wilson_interval(500, 1000), 1 - p, 0.1,
                                              sim::wilson_interval(100, 1000));
  CHECK(outages.ci95.lo == Approx(expect.lo));
  CHECK(outages.ci95.hi == Approx(expect.hi));
  CHECK(outages.ci95.lo < outages.rate);
  CHECK(outages.ci95.hi > outages.rate);
  // 10 s per trial in both strata: per day = rate per trial x 8640 trials.
  CHECK(outages.per_day == Approx(outages.rate * 8640));
  CHECK(r.outcome(models::Outcome::kChildRekeys).rate == Approx(1));
  // Totals are simulated, not estimated; quantiles are not given.
  CHECK(outages.count == 600);
  CHECK(r.trials == 2000);
  CHECK(std::isnan(r.trial_view(models::Outcome::kOutages).p50));
  CHECK_FALSE(race_outside(out));
  // A collision outside the window, which the argument excludes: stratified
  // like the rest, not hidden.
  const PointResult odd = stratum(1, 100);
  CHECK(race_outside(odd));
  CHECK(stratify(in, odd, p).outcome(models::Outcome::kCollisions).rate ==
        Approx(0.003 + 0.99 * 0.001));
}

TEST_CASE("the window estimator refuses a window with nothing outside it") {
  // 30 ms of fuzz per peer and W of about 40 ms: every draw is inside.
  const auto cfg = config_of(
      scenario_yaml("rfc7296", "{lifetime: 1h, margin: 30s, fuzz: 0.1%}", "stagger: 0s\n"));
  const auto a = choose_estimator("auto", cfg, 10, {});
  REQUIRE(a.window.applies);
  CHECK(a.window.p_window > 1 - kMinOutsideMass);
  CHECK(a.used == Estimator::kPlain);
  CHECK(a.why.find("too little outside the window") != std::string::npos);
  CHECK_THROWS_AS(choose_estimator("window", cfg, 10, {}), EstimatorError);
}
