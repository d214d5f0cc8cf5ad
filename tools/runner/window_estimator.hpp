// The window estimator of rare race rates (issue 15): a stratified estimator
// over the window indicator. With P = P(|Y| < W) exact
// (tools/runner/race_window.hpp), every outcome's rate per first Child SA
// rekey is
//   rate = P x r_in + (1 - P) x r_out,
// r_in measured on trials whose two jitter draws are conditioned inside the
// window (WindowSampler) and r_out on trials conditioned outside it
// (draw_outside_window). A race outcome cannot happen outside the window
// (race_window.hpp gives the argument), so its r_out is 0 and its rate is
// P x r_in, interval r_in's (Wilson) times P; the outside trials still check
// that none occurs there. Every other outcome is stratified, its interval
// the MOVER combination of the two strata's 95% intervals (stratify).
//
// Trial allocation: each stratum runs the user's --trials (the work is
// doubled), so the race outcomes get the precision they had before and the
// other outcomes that of plain Monte Carlo at --trials (1 - P is near 1).
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
// The only outcomes that are 0 outside the window.
bool is_race_outcome(models::Outcome o);

// The trial function of the in-window stratum: trial i draws its two jitters
// from `sampler` on its own stream (seed, i, kRaceWindowStream) and runs
// `inner` on the conditioned config. Deterministic per (seed, i), so the
// result is the same at any thread count.
TrialFunction window_trial(std::shared_ptr<const WindowSampler> sampler, TrialFunction inner);

// The outside stratum's trial function: trial i draws its two jitters
// conditioned on |Y| >= W (draw_outside_window) on its own stream
// (seed, i, kOutsideWindowStream), and runs `inner` with the scenario seed
// replaced by mix_seed(seed, kOutsideWindowStream), so that no random
// stream of its world is shared with inside trial i (the strata must be
// independent for mover_interval). Deterministic per (seed, i).
TrialFunction outside_window_trial(std::shared_ptr<const RaceWindow> window, TrialFunction inner);

// 95% interval of w_1 x est_1 + w_2 x est_2 (w_i >= 0) from independent
// estimates and their 95% intervals, by MOVER (method of variance estimates
// recovery): Zou & Donner 2008, "Construction of confidence limits about
// effect measures: a general approach", Stat Med 27:1693-1702:
//   L = est - sqrt(sum_i (w_i (est_i - l_i))^2),
//   U = est + sqrt(sum_i (w_i (u_i - est_i))^2).
// An infinite bound stays infinite; a weight of 0 drops its stratum.
sim::Interval mover_interval(double w1, double est1, sim::Interval ci1, double w2, double est2,
                             sim::Interval ci2);

// The stratified point result from the in-window and outside strata, p =
// P(window) (0 < p < 1):
// - rate: p x r_in + (1 - p) x r_out, interval by mover_interval; race
//   outcomes p x r_in, interval p x r_in's, unless the outside stratum saw
//   one (race_outside) when they are stratified like the rest;
// - per_day: the stratified count per trial over the stratified tunnel-days
//   per trial (a point estimate, as plain Monte Carlo's);
// - per-trial view: fraction of trials affected stratified the same way
//   (each trial is one draw of the pair of jitters, so P x f_in + (1 - P) x
//   f_out is the unconditional fraction); quantiles NaN (a mixture's quantile
//   does not follow from the strata's sketches);
// - count, episodes_with, trials_affected, trials, episodes, ike_episodes,
//   trials_never_up, simulated_seconds: the totals simulated over both
//   strata, not estimates (the strata are not drawn in proportion).
PointResult stratify(const PointResult& in_window, const PointResult& outside, double p);

// Whether the outside stratum saw a race outcome, which the window argument
// excludes (the caller warns: the argument misses a case).
bool race_outside(const PointResult& outside);

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

// One expectation as the choice needs it: its outcome and whether it bounds
// an estimate (the rate: max/min rate, upper 95% bound; or the fraction of
// trials affected) rather than a count (a total the window estimator
// simulates over two strata not drawn in proportion, not an estimate).
struct ExpectedOutcome {
  models::Outcome outcome;
  bool on_rate = false;  // true: a bound on the rate or the fraction of trials affected
};

// Plain Monte Carlo sees about trials x P(window) first rekeys inside the
// window; below this many, `auto` takes the window estimator.
inline constexpr double kAutoMinPlainInWindow = 100;

// The outside stratum is drawn by rejection (draw_outside_window): it needs
// 1 - P(window) not too small. The window estimator is meant for rare
// windows; with P(window) this near 1 plain Monte Carlo sees it anyway.
inline constexpr double kMinOutsideMass = 1e-3;

// requested: "auto", "plain" or "window". `auto` takes the window estimator
// when it applies, every expectation is a rate bound (any outcome: the
// strata estimate every rate and fraction of trials affected; counts are
// not estimates), trials x P(window) < kAutoMinPlainInWindow and 1 - P(window)
// >= kMinOutsideMass; otherwise plain. Where the
// bounds prove P(window) = 0 (RaceWindow::zero), both "auto" and "window"
// take kExactZero, whatever the expectations (every outcome is then
// measured). "window" where it does not apply, where P(window) is 0 without
// that proof, with P(window) > 1 - kMinOutsideMass, or with an expectation on
// counts, throws EstimatorError.
EstimatorChoice choose_estimator(std::string_view requested, const models::TrialConfig& config,
                                 std::uint64_t trials, const std::vector<ExpectedOutcome>& expect);

}  // namespace rekeysim::runner
