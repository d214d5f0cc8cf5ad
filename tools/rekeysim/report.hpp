// What a run prints: the same per-point statistics as a table for people,
// JSON (the contract of architecture.md) and CSV for machines.
//
// JSON: `run` writes one object, `sweep` an array of such objects, one per
// point in grid order. Key order is fixed, numbers are shortest round-trip
// renderings, so equal results are equal bytes. Object layout:
//   {"scenario", "params": {path: value}, "seed", "trials", "episodes",
//    "tunnel_days", "outcomes": {name: {"count", "rate", "ci95": [lo, hi],
//    "per_tunnel_day", "unit"}}, "per_trial": {name: {"fraction_affected",
//    "ci95": [lo, hi], "p50", "p90", "p99"}}, "expect": [...] (if any)}
// An interval end that is unbounded (fewer than 2 trials) is null.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/runner/aggregate.hpp"
#include "tools/scenario/scenario.hpp"

namespace rekeysim::cli {

struct ExpectCheck {
  scenario::Expectation expectation;
  double value = 0;  // what was measured
  bool passed = true;
  std::string text;  // "collisions: count 3 > 0"
};

struct PointReport {
  std::vector<scenario::PointParam> params;
  runner::PointResult result;
  std::vector<ExpectCheck> checks;
  // Which estimator measured `result` ("plain", "window" or "exact-zero":
  // plain figures, the race outcomes 0 [0, 0] from the closed form) and why, for the
  // sweep table's and the CSV's `estimator` columns; empty where the caller
  // names none (those outputs then have no such column). With "window",
  // every outcome in `result` is the stratified estimate (P(window) x inside
  // + (1 - P(window)) x outside, runner::stratify), counts and episodes the
  // totals of both strata, per-trial quantiles NaN.
  std::string estimator;
  std::string estimator_why;
  // With "window": the chance P(|timer gap| < W), the window W (SimTime ns)
  // and the trials run in each stratum, for the CSV's last four columns.
  struct WindowFigures {
    double p_window = 0;
    double window_ns = 0;  // SimTime ns, as RaceWindow::window_ns (fractional: rounding allowance)
    std::uint64_t trials_in_window = 0;
    std::uint64_t trials_outside = 0;
  };
  std::optional<WindowFigures> window;
};

struct RunHeader {
  std::string scenario;
  std::uint64_t seed = 0;
  std::uint64_t trials = 0;
  std::string per_trial;  // "30d" or "1000 rekeys"
};

std::vector<ExpectCheck> check_expectations(const std::vector<scenario::Expectation>& expect,
                                            const runner::PointResult& result);

// Units of an outcome's count as shown to people: "" (events), "pkt", "ns".
std::string_view count_unit(models::Outcome o);

nlohmann::ordered_json point_json(const RunHeader& header, const PointReport& report);
std::string render_json(const RunHeader& header, const std::vector<PointReport>& reports,
                        bool as_array);
std::string render_table_run(const RunHeader& header, const PointReport& report);
// With estimators named (PointReport::estimator), the sweep table gains an
// `estimator` column and the reasons below it, and the CSV ends with
// `estimator`, `estimator_why` and the window estimator's P(window), W (ns)
// and trials per stratum (PointReport::window; empty cells on other rows).
// Window rows fill plain's columns with the stratified figures; per-trial
// quantiles, NaN for them, are empty cells.
std::string render_table_sweep(const RunHeader& header, const std::vector<PointReport>& reports);
std::string render_csv(const RunHeader& header, const std::vector<PointReport>& reports);

// Human renderings with units (shared with `recommend`).
std::string format_rate(double r);                     // "6.83e-03"
std::string format_interval(const sim::Interval& ci);  // "[5.71e-03, 8.16e-03]"
std::string format_percent(double f);                  // "45.0%"
std::string format_seconds(double s);                  // "12.3s", "850ms", "0s"
// An outcome's per-episode amount with its unit ("3.2e-03/rekey", "1.5 pkt/rekey",
// "850ms/rekey" for downtime in ns), its 95% interval and its total count.
std::string amount(models::Outcome o, double per_episode, std::string_view per);
std::string interval_text(models::Outcome o, const sim::Interval& ci);
std::string count_text(models::Outcome o, std::uint64_t count);
// A simulated instant without ambiguity, to the millisecond: "1 h 46 min 46.124 s",
// "59.250 s", "16.500 ms" (never "54m44.172842ms").
std::string format_instant(sim::SimTime t);

}  // namespace rekeysim::cli
