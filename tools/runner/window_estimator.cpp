#include "tools/runner/window_estimator.hpp"

#include <cmath>
#include <cstdio>
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

PointResult scale_race_outcomes(const PointResult& in_window, double p) {
  PointResult r = in_window;
  for (const auto o : models::kAllOutcomes) {
    if (!is_race_outcome(o)) continue;
    OutcomeStats& s = r.outcomes[static_cast<std::size_t>(o)];
    s.rate *= p;
    s.ci95.lo *= p;
    s.ci95.hi *= p;
    s.per_day *= p;
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
    if (is_race_outcome(e.outcome) && e.on_rate) continue;
    const std::string name(models::outcome_name(e.outcome));
    const std::string reason =
        !is_race_outcome(e.outcome)
            ? "the scenario expects " + name +
                  ", which needs no race, and the window estimator estimates only collisions "
                  "and redundant_sas"
            : "the scenario's expectation on " + name +
                  " is on counts or trials affected, which the window estimator does not "
                  "measure (a bound on the rate, max_rate, min_rate or max_rate_upper95, is)";
    if (forced) throw EstimatorError("--estimator window: " + reason);
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
          " of " + std::to_string(trials) + " first rekeys inside it";
  return c;
}

}  // namespace rekeysim::runner
