#include "tools/runner/window_estimator.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <utility>

namespace rekeysim::runner {

namespace {

std::string sci(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

std::string millis(double ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f ms", ns * 1e-6);
  return buf;
}

std::string window_text(const RaceWindow& w) {
  return "P(|timer gap| < W) = " + sci(w.p_window) + " exact, W = " + millis(w.window_ns) +
         " (exchange bound " + millis(w.race_ns) + " + install, tick and lateness offset " +
         millis(w.offset_ns) + ")";
}

// Seconds where the gap is long (a stagger), milliseconds near the window.
std::string span(double ns) {
  if (std::abs(ns) < 1e9) return millis(ns);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f s", ns * 1e-9);
  return buf;
}

// Why the race outcomes are exactly 0 (RaceWindow::zero is set).
std::string zero_text(const RaceWindow& w) {
  const std::string proof =
      w.zero == RaceWindow::ZeroProof::kRange
          ? "every draw of the two fuzz jitters puts the first timers' gap Y in [" +
                span(w.gap_lo_ns) + ", " + span(w.gap_hi_ns) + "]"
          : "fuzz_quantum puts every first timers' gap Y on the lattice of whole cells around c "
            "= " +
                span(w.centre_ns) + ", none of whose points lies within W";
  return proof + ", and a race needs |Y| < W = " + millis(w.window_ns) + " (exchange bound " +
         millis(w.race_ns) + " + install, tick and lateness offset " + millis(w.offset_ns) +
         "), every bound the scenario's own";
}

}  // namespace

std::string_view estimator_name(Estimator e) {
  switch (e) {
    case Estimator::kPlain:
      return "plain";
    case Estimator::kWindow:
      return "window";
    case Estimator::kExactZero:
      return "exact-zero";
  }
  return "plain";
}

bool exact_zero_race_outcomes(PointResult& plain) {
  for (const auto o : models::kAllOutcomes)
    if (is_race_outcome(o) && plain.outcome(o).count != 0) return false;
  for (const auto o : models::kAllOutcomes) {
    if (!is_race_outcome(o)) continue;
    // Count, rate, per-day figure and quantiles are already 0; only the
    // intervals, which plain Monte Carlo cannot close, change.
    plain.outcomes[static_cast<std::size_t>(o)].ci95 = {0, 0};
    plain.per_trial[static_cast<std::size_t>(o)].ci95 = {0, 0};
  }
  return true;
}

bool is_race_outcome(models::Outcome o) {
  return o == models::Outcome::kCollisions || o == models::Outcome::kRedundantSas;
}

TrialFunction window_trial(std::shared_ptr<const WindowSampler> sampler, TrialFunction inner) {
  return [sampler = std::move(sampler), inner = std::move(inner)](
             const models::TrialConfig& config, std::uint64_t seed, std::uint64_t trial) {
    sim::Rng rng = sim::Rng::for_stream(seed, trial, kRaceWindowStream);
    return inner(conditioned_config(config, sampler->draw(rng)), seed, trial);
  };
}

TrialFunction outside_window_trial(std::shared_ptr<const RaceWindow> window, TrialFunction inner) {
  return [window = std::move(window), inner = std::move(inner)](
             const models::TrialConfig& config, std::uint64_t seed, std::uint64_t trial) {
    sim::Rng rng = sim::Rng::for_stream(seed, trial, kOutsideWindowStream);
    const JitterDraw d = draw_outside_window(*window, rng);
    // Inside trial i and outside trial i would otherwise share every other
    // random stream of the world (seed, i, component), making the two
    // strata's estimates correlated; MOVER needs them independent, so the
    // outside world runs on a seed of its own.
    return inner(conditioned_config(config, d), sim::mix_seed(seed, kOutsideWindowStream), trial);
  };
}

// Zou & Donner 2008 (Stat Med 27:1693), MOVER for a linear combination of
// independent estimates: each stratum's interval gives its own variance
// near each bound, so the asymmetry of a Wilson interval near 0 survives
// (a normal approximation on the sum would not keep the bounds in [0, 1]).
sim::Interval mover_interval(double w1, double est1, sim::Interval ci1, double w2, double est2,
                             sim::Interval ci2) {
  auto sq = [](double w, double d) { return w == 0 ? 0.0 : (w * d) * (w * d); };
  const double est = w1 * est1 + w2 * est2;
  return {est - std::sqrt(sq(w1, est1 - ci1.lo) + sq(w2, est2 - ci2.lo)),
          est + std::sqrt(sq(w1, ci1.hi - est1) + sq(w2, ci2.hi - est2))};
}

bool race_outside(const PointResult& outside) {
  for (const auto o : models::kAllOutcomes)
    if (is_race_outcome(o) && outside.outcome(o).count != 0) return true;
  return false;
}

PointResult stratify(const PointResult& in, const PointResult& out, double p) {
  const double q = 1 - p;
  // Only the race outcomes are 0 outside by the window argument; should the
  // outside trials see one, the argument misses a case and they are
  // stratified like every other outcome.
  const bool zero_outside = !race_outside(out);
  auto per_trial = [](double total, std::uint64_t trials) {
    return trials == 0 ? 0.0 : total / static_cast<double>(trials);
  };
  PointResult r;
  r.trials = in.trials + out.trials;
  r.episodes = in.episodes + out.episodes;
  r.ike_episodes = in.ike_episodes + out.ike_episodes;
  r.trials_never_up = in.trials_never_up + out.trials_never_up;
  r.simulated_seconds = in.simulated_seconds + out.simulated_seconds;
  const double days_per_trial = (p * per_trial(in.simulated_seconds, in.trials) +
                                 q * per_trial(out.simulated_seconds, out.trials)) /
                                86400.0;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const auto o : models::kAllOutcomes) {
    const auto k = static_cast<std::size_t>(o);
    const OutcomeStats& si = in.outcomes[k];
    const OutcomeStats& so = out.outcomes[k];
    const PerTrialStats& ti = in.per_trial[k];
    const PerTrialStats& to = out.per_trial[k];
    OutcomeStats& s = r.outcomes[k];
    PerTrialStats& t = r.per_trial[k];
    s.count = si.count + so.count;
    s.episodes_with = si.episodes_with + so.episodes_with;
    t.trials_affected = ti.trials_affected + to.trials_affected;
    if (is_race_outcome(o) && zero_outside) {
      s.rate = p * si.rate;
      s.ci95 = {p * si.ci95.lo, p * si.ci95.hi};
      t.fraction_affected = p * ti.fraction_affected;
      t.ci95 = {p * ti.ci95.lo, p * ti.ci95.hi};
    } else {
      s.rate = p * si.rate + q * so.rate;
      s.ci95 = mover_interval(p, si.rate, si.ci95, q, so.rate, so.ci95);
      t.fraction_affected = p * ti.fraction_affected + q * to.fraction_affected;
      t.ci95 = mover_interval(p, ti.fraction_affected, ti.ci95, q, to.fraction_affected, to.ci95);
    }
    // No IKE rekey in either stratum: nothing measured, the vacuous [0, 1]
    // plain Monte Carlo gives (MOVER would shave it to 1 - p x 1e-...).
    if (models::is_ike_outcome(o) && r.ike_episodes == 0) s.ci95 = {0, 1};
    const double count_per_trial = p * per_trial(static_cast<double>(si.count), in.trials) +
                                   q * per_trial(static_cast<double>(so.count), out.trials);
    s.per_day = days_per_trial > 0 ? count_per_trial / days_per_trial : 0;
    t.p50 = t.p90 = t.p99 = nan;
  }
  return r;
}

EstimatorChoice choose_estimator(std::string_view requested, const models::TrialConfig& config,
                                 std::uint64_t trials, const std::vector<ExpectedOutcome>& expect) {
  EstimatorChoice c;
  if (requested == "plain") {
    c.why = "plain Monte Carlo (--estimator plain)";
    return c;
  }
  const bool forced = requested == "window";
  c.window = analyse_race_window(config);
  if (!c.window.applies) {
    if (forced)
      throw EstimatorError("--estimator window does not apply to this scenario: " +
                           c.window.why_not + " (use --estimator plain or auto)");
    c.why = "plain Monte Carlo: the window estimator does not apply (" + c.window.why_not + ")";
    return c;
  }
  if (c.window.p_window <= 0 && c.window.zero != RaceWindow::ZeroProof::kNone) {
    // Nothing to simulate inside an empty window; the plain trials measure
    // everything else.
    c.used = Estimator::kExactZero;
    c.why = std::string("exact zero") + (forced ? " (--estimator window)" : "") +
            ": the first timers can never come within the race window (" + zero_text(c.window) +
            "): collisions and redundant_sas of the first rekey are exactly 0 [0, 0]; the other "
            "outcomes are plain Monte Carlo's";
    return c;
  }
  if (c.window.p_window <= 0) {
    const std::string reason = "P(|timer gap| < W) is 0 in the closed form but not provably 0 (" +
                               c.window.zero_not_exact + ")";
    if (forced) throw EstimatorError("--estimator window: " + reason + "; use --estimator plain");
    c.why = "plain Monte Carlo: " + reason;
    return c;
  }
  for (const auto& e : expect) {
    if (e.on_rate) continue;
    const std::string reason =
        "the scenario's expectation on " + std::string(models::outcome_name(e.outcome)) +
        " is on counts, which the window estimator does not estimate (its counts are the "
        "totals of two strata not drawn in proportion); a bound on the rate (max_rate, "
        "min_rate, max_rate_upper95) or on the fraction of trials affected is estimated for "
        "every outcome";
    if (forced) throw EstimatorError("--estimator window: " + reason);
    c.why = "plain Monte Carlo: " + reason;
    return c;
  }
  if (1 - c.window.p_window < kMinOutsideMass) {
    const std::string reason =
        "P(|timer gap| < W) = " + sci(c.window.p_window) +
        " leaves too little outside the window to sample its outside stratum (the window "
        "estimator is for rare windows; plain Monte Carlo sees this one in most trials)";
    if (forced) throw EstimatorError("--estimator window: " + reason + "; use --estimator plain");
    c.why = "plain Monte Carlo: " + reason;
    return c;
  }
  const double plain_in_window = static_cast<double>(trials) * c.window.p_window;
  if (!forced && plain_in_window >= kAutoMinPlainInWindow) {
    c.why = "plain Monte Carlo: " + std::to_string(trials) + " trials put about " +
            sci(plain_in_window) + " first rekeys inside the race window (" +
            window_text(c.window) + "), enough for plain Monte Carlo";
    return c;
  }
  c.used = Estimator::kWindow;
  c.why = std::string("window estimator") + (forced ? " (--estimator window)" : "") + ": " +
          window_text(c.window) + "; plain Monte Carlo would put about " + sci(plain_in_window) +
          " of " + std::to_string(trials) +
          " first rekeys inside it; stratified: " + std::to_string(trials) +
          " trials inside the window, " + std::to_string(trials) +
          " outside (--trials per stratum)";
  return c;
}

}  // namespace rekeysim::runner
