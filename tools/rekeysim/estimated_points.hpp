// Running points with the estimator each one needs (issue 15). `run` (its one
// point) and `sweep` (every point of the grid) make the same choice per point
// and compute the same figures, so a sweep point reports what `run --set` at
// that point would.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "tools/rekeysim/common.hpp"
#include "tools/runner/window_estimator.hpp"

namespace rekeysim::cli {

// The scenario's expectations as runner::choose_estimator needs them.
std::vector<runner::ExpectedOutcome> expected_outcomes(const scenario::Scenario& sc);

struct EstimatedPoint {
  // estimator / estimator_why set; with the window estimator every outcome
  // is the stratified estimate (runner::stratify) and the checks are on it.
  PointReport report;
  runner::EstimatorChoice choice;
  runner::PointResult in_window;  // the window estimator's strata (else empty)
  runner::PointResult outside;
};

// Chooses every point's estimator before any trial runs (a refusal throws
// runner::EstimatorError, prefixed with the point's parameters when it has
// any: "sweep point stagger=600s: ..."), then runs all points on one pool:
// sc.trials each, plain trials, or for the window estimator sc.trials
// conditioned inside that point's window and sc.trials conditioned outside it
// (deterministic per (seed, trial), so the same at any thread count).
std::vector<EstimatedPoint> run_estimated_points(const scenario::Scenario& sc,
                                                 const std::vector<scenario::Point>& points,
                                                 const CommonOptions& o,
                                                 std::string_view requested);

}  // namespace rekeysim::cli
