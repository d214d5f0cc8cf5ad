// What `run` and `sweep` print about the estimator (issue 15): plain Monte Carlo output
// gains one line / key naming the estimator and why; the window estimator's
// output shows the race outcomes (collisions, redundant_sas) only, each as
// P(window) x the rate inside the window, with both figures.
//
// Where the bounds prove P(window) = 0 ("exact-zero"), the output is plain
// Monte Carlo's with collisions and redundant_sas 0 [0, 0] (rate and
// trials-affected intervals).
//
// JSON: the run object gains "estimator": {"name": "plain" | "window" |
// "exact-zero", "why"}; for "exact-zero" also "p_window" (0), "proof"
// ("range" | "lattice", RaceWindow::ZeroProof), "gap_ns" (the range of the
// timer gap Y), "window_ns", "race_ns", "offset_ns" and "centre_ns"; for the
// window estimator "p_window", "window_ns", "race_ns",
// "offset_ns", "centre_ns" and "in_window": {name: {"count", "episodes",
// "rate", "ci95"}}, and "outcomes" holds the race outcomes only (rate and
// ci95 scaled by p_window; count is the in-window count), with no
// "per_trial" (the trials are conditioned, so per-trial views mean nothing).
#pragma once

#include <string>

#include "tools/rekeysim/report.hpp"
#include "tools/runner/window_estimator.hpp"

namespace rekeysim::cli {

// One point's JSON object as above (`sweep` writes an array of them).
nlohmann::ordered_json point_json_with_estimator(const RunHeader& header, const PointReport& report,
                                                 const runner::EstimatorChoice& choice,
                                                 const runner::PointResult& in_window);
std::string render_json_with_estimator(const RunHeader& header, const PointReport& report,
                                       const runner::EstimatorChoice& choice,
                                       const runner::PointResult& in_window);
std::string render_table_with_estimator(const RunHeader& header, const PointReport& report,
                                        const runner::EstimatorChoice& choice,
                                        const runner::PointResult& in_window);

}  // namespace rekeysim::cli
