// The window estimator of rare race rates (issue 15): the rate of a race
// outcome per first Child SA rekey is
//   rate = P(|Y| < W) x r_w,
// P(|Y| < W) exact (tools/runner/race_window.hpp) and r_w, the rate among
// first rekeys inside the window, measured on trials whose two jitter draws
// are drawn conditioned on the window. A race outcome cannot happen outside
// the window (race_window.hpp gives the argument; tests run trials just
// outside it), so nothing is lost by never simulating there. The 95%
// interval is r_w's (Wilson) times the exact P: no further error to
// propagate.
//
// Plain Monte Carlo stays the default wherever the window estimator does not
// apply; choose_estimator says which one runs and why.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "models/outcome.hpp"
#include "tools/runner/aggregate.hpp"
#include "tools/runner/race_window.hpp"
#include "tools/runner/runner.hpp"

namespace rekeysim::runner {

// Outcomes that need a Child SA rekey collision (two crossing CREATE_CHILD_SA
// requests for one SA): collisions and the redundant SAs a collision leaves.
// The window estimator estimates only these.
bool is_race_outcome(models::Outcome o);

// The trial function of the in-window stratum: trial i draws its two jitters
// from `sampler` on its own stream (seed, i, kRaceWindowStream) and runs
// `inner` on the conditioned config. Deterministic per (seed, i), so the
// result is the same at any thread count.
TrialFunction window_trial(std::shared_ptr<const WindowSampler> sampler, TrialFunction inner);

// The in-window result with each race outcome's rate, interval and per-day
// figure multiplied by p (counts stay the in-window counts). Other outcomes
// are left as measured in the window; callers must not report them.
PointResult scale_race_outcomes(const PointResult& in_window, double p);

// kExactZero: the closed form proves P(window) = 0 (RaceWindow::zero), so the
// race outcomes are 0 exactly, interval [0, 0], and no trial is needed for
// them; the trials run plain for every other outcome (and, as a check, must
// see no race outcome: exact_zero_race_outcomes).
// The plain result with each race outcome 0 exactly, its rate interval and
// trials-affected interval [0, 0], where P(window) = 0 is proven; false (and
// `plain` untouched) when a plain trial did see a race outcome, which the
// proof says cannot happen: the caller must then report plain figures.
bool exact_zero_race_outcomes(PointResult& plain);

enum class Estimator { kPlain, kWindow, kExactZero };

// Name of an estimator in the outputs: "plain", "window", "exact-zero".
std::string_view estimator_name(Estimator e);

struct EstimatorChoice {
  Estimator used = Estimator::kPlain;
  std::string why;  // one line for people: which estimator, and why
  RaceWindow window;
};

// A bad --estimator request (exit 2): the text says why and what to do.
class EstimatorError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One expectation as the choice needs it: its outcome and whether it is a
// bound on the rate (max/min rate, upper 95% bound) rather than on counts or
// trials affected.
struct ExpectedOutcome {
  models::Outcome outcome;
  bool on_rate = false;
};

// Plain Monte Carlo sees about trials x P(window) first rekeys inside the
// window; below this many, `auto` takes the window estimator.
inline constexpr double kAutoMinPlainInWindow = 100;

// requested: "auto", "plain" or "window". `auto` takes the window estimator
// when it applies, every expectation is a rate bound on a race outcome, and
// trials x P(window) < kAutoMinPlainInWindow; otherwise plain. Where the
// bounds prove P(window) = 0 (RaceWindow::zero), both "auto" and "window"
// take kExactZero, whatever the expectations (every outcome is then
// measured). "window" where it does not apply, where P(window) is 0 without
// that proof, or with another expectation, throws EstimatorError.
EstimatorChoice choose_estimator(std::string_view requested, const models::TrialConfig& config,
                                 std::uint64_t trials, const std::vector<ExpectedOutcome>& expect);

}  // namespace rekeysim::runner
