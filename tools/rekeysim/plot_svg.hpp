// The sweep plot: per-rekey-episode rates (collisions, can't-find-SA,
// outages, dropped ESP packets) with
// their 95% intervals against the swept value, as a self-contained SVG.
// Axis choices follow the data: a symmetric-log x axis for a stagger that
// spans 0 and several decades either side (±1ms..±300s), a log x axis for
// positive values spanning decades, a log y axis when rates span decades
// (zero rates are drawn hollow at a floor line marked "0").
#pragma once

#include <string>
#include <vector>

namespace rekeysim::cli {

struct PlotSeries {
  std::string name;   // "collisions"
  std::string color;  // "#d62728"
  std::vector<double> rate, lo, hi;
};

struct PlotInput {
  std::string title;
  std::string x_label;
  bool x_is_duration = false;  // x in seconds; ticks labelled 1ms, 10s, ...
  std::vector<double> x;
  // Non-empty: x is a category per point (a profile name, a network.down
  // list); points sit evenly spaced in this order, each labelled with its
  // text, and `x` is ignored.
  std::vector<std::string> x_categories;
  std::vector<PlotSeries> series;
  std::string y_label = "rate per rekey episode (95% interval)";
  // One grey line under the x axis label (empty: none), e.g. which points a
  // rare-rate estimator measured.
  std::string note;
};

enum class AxisScale { kLinear, kLog, kSymlog };

// Which x scale render_sweep_svg uses for these values (exposed for tests).
AxisScale choose_x_scale(const std::vector<double>& x);
// Which y scale for these series.
AxisScale choose_y_scale(const std::vector<PlotSeries>& series);

std::string render_sweep_svg(const PlotInput& input);

}  // namespace rekeysim::cli
