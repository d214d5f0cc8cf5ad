// What `run` and `sweep` print about the estimator (issue 15): plain Monte Carlo output
// gains one line / key naming the estimator and why; the window estimator's
// output shows every outcome stratified on the race window,
// P(window) x inside + (1 - P(window)) x outside (runner::stratify), with
// both strata's figures.
//
// Where the bounds prove P(window) = 0 ("exact-zero"), the output is plain
// Monte Carlo's with collisions and redundant_sas 0 [0, 0] (rate and
// trials-affected intervals).
//
// JSON: the run object gains "estimator": {"name": "plain" | "window" |
// "exact-zero", "why"}; for "exact-zero" also "p_window" (0), "proof"
// ("range" | "lattice", RaceWindow::ZeroProof), "gap_ns" (the range of the
// timer gap Y), "window_ns", "race_ns", "offset_ns" and "centre_ns"; for the
// window estimator "p_window", "window_ns", "race_ns", "offset_ns",
// "centre_ns", "trials_in_window", "trials_outside" and "in_window" /
// "outside": {name: {"count", "episodes", "rate", "ci95"}} (each stratum as
// simulated; "episodes" is the stratum's Child SA, or for IKE outcomes IKE
// SA, rekey episodes). "outcomes" and "per_trial" keep plain Monte Carlo's
// shape: rate, ci95, per_tunnel_day and fraction_affected are the stratified
// estimates; count and the top-level trials / episodes / tunnel_days are
// totals simulated over both strata, not estimates; the per-trial quantiles
// are null (a mixture's quantile does not follow from the strata).
#pragma once

#include <string>

#include "tools/rekeysim/report.hpp"
#include "tools/runner/window_estimator.hpp"

namespace rekeysim::cli {

// One point's JSON object as above (`sweep` writes an array of them).
// in_window / outside: the window estimator's strata (empty otherwise).
nlohmann::ordered_json point_json_with_estimator(const RunHeader& header, const PointReport& report,
                                                 const runner::EstimatorChoice& choice,
                                                 const runner::PointResult& in_window,
                                                 const runner::PointResult& outside);
std::string render_json_with_estimator(const RunHeader& header, const PointReport& report,
                                       const runner::EstimatorChoice& choice,
                                       const runner::PointResult& in_window,
                                       const runner::PointResult& outside);
std::string render_table_with_estimator(const RunHeader& header, const PointReport& report,
                                        const runner::EstimatorChoice& choice,
                                        const runner::PointResult& in_window,
                                        const runner::PointResult& outside);

}  // namespace rekeysim::cli
