#include "tools/rekeysim/estimated_points.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <string>

namespace rekeysim::cli {

namespace {

std::string params_label(const std::vector<scenario::PointParam>& params) {
  std::string out;
  for (const auto& p : params) out += (out.empty() ? "" : ", ") + p.path + "=" + p.value;
  return out;
}

}  // namespace

std::vector<runner::ExpectedOutcome> expected_outcomes(const scenario::Scenario& sc) {
  std::vector<runner::ExpectedOutcome> out;
  for (const auto& e : sc.expect) {
    // Estimates under every estimator: rates and the fraction of trials affected.
    const bool on_rate = e.kind == scenario::ExpectKind::kMaxRate ||
                         e.kind == scenario::ExpectKind::kMinRate ||
                         e.kind == scenario::ExpectKind::kMaxRateUpper95 ||
                         e.kind == scenario::ExpectKind::kMaxFractionAffected;
    out.push_back({e.outcome, on_rate});
  }
  return out;
}

std::vector<EstimatedPoint> run_estimated_points(const scenario::Scenario& sc,
                                                 const std::vector<scenario::Point>& points,
                                                 const CommonOptions& o,
                                                 std::string_view requested) {
  const auto expect = expected_outcomes(sc);
  std::vector<EstimatedPoint> out(points.size());
  auto where_of = [&points](std::size_t i) {
    const std::string where = params_label(points[i].params);
    return where.empty() ? where : " at " + where;
  };
  for (std::size_t i = 0; i < points.size(); ++i) {
    const std::string where = params_label(points[i].params);
    try {
      out[i].choice = runner::choose_estimator(requested, points[i].config, sc.trials, expect);
    } catch (const runner::EstimatorError& e) {
      if (where.empty()) throw;
      throw runner::EstimatorError("sweep point " + where + ": " + e.what());
    }
    spdlog::info("estimator{}: {}", where_of(i), out[i].choice.why);
  }
  // The outside strata run as extra points after the given ones:
  // outside_of[i] is the index of window point i's outside stratum.
  std::vector<scenario::Point> all = points;
  std::vector<std::size_t> outside_of(points.size(), 0);
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (out[i].choice.used != runner::Estimator::kWindow) continue;
    outside_of[i] = all.size();
    all.push_back(points[i]);
  }
  // A point's sampler (up to 4,000,000 cell pairs) is built when the point
  // starts and dropped when the next one does.
  auto trial_of = [&](std::size_t i) {
    if (i >= points.size()) {
      const std::size_t k = static_cast<std::size_t>(
          std::find(outside_of.begin(), outside_of.end(), i) - outside_of.begin());
      return runner::outside_window_trial(
          std::make_shared<const runner::RaceWindow>(out[k].choice.window), model_trial());
    }
    if (out[i].choice.used != runner::Estimator::kWindow) return model_trial();
    return runner::window_trial(std::make_shared<const runner::WindowSampler>(out[i].choice.window),
                                model_trial());
  };
  // Progress counts the user's points, each stratum named, not the runs.
  std::vector<std::string> names;
  if (all.size() > points.size()) {
    names.resize(all.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
      const std::string point =
          "point " + std::to_string(i + 1) + "/" + std::to_string(points.size());
      const bool window = out[i].choice.used == runner::Estimator::kWindow;
      names[i] = point + (window ? " inside the window" : "");
      if (window) names[outside_of[i]] = point + " outside the window";
    }
  }
  auto reports = run_points(sc, all, o, trial_of, std::move(names));
  for (std::size_t i = 0; i < points.size(); ++i) {
    EstimatedPoint& p = out[i];
    p.report = std::move(reports[i]);
    if (p.choice.used == runner::Estimator::kWindow) {
      p.in_window = p.report.result;
      p.outside = reports[outside_of[i]].result;
      p.report.result = runner::stratify(p.in_window, p.outside, p.choice.window.p_window);
      p.report.checks = check_expectations(sc.expect, p.report.result);
      p.report.window =
          PointReport::WindowFigures{p.choice.window.p_window, p.choice.window.window_ns,
                                     p.in_window.trials, p.outside.trials};
      if (runner::race_outside(p.outside)) {
        // The window argument says this cannot happen: say so, and report
        // the race outcomes stratified like the rest (runner::stratify).
        p.choice.why =
            "window estimator, race outcomes stratified: the race window's argument says no "
            "collision or redundant SA can happen outside the window, but trials conditioned "
            "outside it saw some, so the argument misses a case (please report it); every "
            "figure is P(window) x inside + (1 - P(window)) x outside. The closed form said: " +
            p.choice.why;
        spdlog::warn("estimator{}: {}", where_of(i), p.choice.why);
      }
    }
    if (p.choice.used == runner::Estimator::kExactZero) {
      if (runner::exact_zero_race_outcomes(p.report.result)) {
        p.report.checks = check_expectations(sc.expect, p.report.result);
      } else {
        // A plain trial saw what the proof excludes: report what was seen.
        p.choice.used = runner::Estimator::kPlain;
        p.choice.why =
            "plain Monte Carlo: the closed form says the race outcomes are exactly 0 here, but "
            "plain trials saw some, so the race window's argument misses a case (please "
            "report it); these are plain Monte Carlo's figures. The closed form said: " +
            p.choice.why;
        spdlog::warn("estimator{}: {}", where_of(i), p.choice.why);
      }
    }
    p.report.estimator = std::string(runner::estimator_name(p.choice.used));
    p.report.estimator_why = p.choice.why;
  }
  return out;
}

}  // namespace rekeysim::cli
