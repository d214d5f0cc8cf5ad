#include "tools/rekeysim/plot_svg.hpp"
#include "tools/trace/xml_escape.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace rekeysim::cli {

namespace {

constexpr double kWidth = 960, kHeight = 560;
constexpr double kLeft = 96, kRight = 28, kTop = 76, kBottom = 84;

std::string esc(const std::string& s) {
  return trace::xml_escape(s);
}

std::string num(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", x);
  return buf;
}

std::string duration_tick(double s) {
  char buf[32];
  const double a = std::fabs(s);
  const char* sign = s < 0 ? "-" : (s > 0 ? "+" : "");
  if (a == 0) return "0";
  if (a >= 1)
    std::snprintf(buf, sizeof buf, "%s%gs", sign, a);
  else if (a >= 1e-3)
    std::snprintf(buf, sizeof buf, "%s%gms", sign, a * 1e3);
  else
    std::snprintf(buf, sizeof buf, "%s%gus", sign, a * 1e6);
  return buf;
}

std::string value_tick(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string rate_tick(double v) {
  char buf[32];
  if (v == 0) return "0";
  const double e = std::log10(v);
  if (std::fabs(e - std::round(e)) < 1e-9) {
    std::snprintf(buf, sizeof buf, "1e%d", static_cast<int>(std::round(e)));
  } else {
    std::snprintf(buf, sizeof buf, "%.3g", v);
  }
  return buf;
}

// Maps data values onto [0, 1] for one axis.
struct Scale {
  AxisScale kind = AxisScale::kLinear;
  double lo = 0, hi = 1;  // in transformed units
  double c = 1;           // symlog linear threshold

  double t(double v) const {
    switch (kind) {
      case AxisScale::kLog:
        return std::log10(v);
      case AxisScale::kSymlog:
        return (v < 0 ? -1 : 1) * std::log10(1 + std::fabs(v) / c);
      default:
        return v;
    }
  }
  double frac(double v) const { return hi > lo ? (t(v) - lo) / (hi - lo) : 0.5; }
};

// Nice linear ticks covering [lo, hi].
std::vector<double> linear_ticks(double lo, double hi) {
  std::vector<double> out;
  const double span = hi - lo;
  if (!(span > 0)) return {lo};
  const double raw = span / 6;
  const double mag = std::pow(10, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  }
  for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    out.push_back(std::fabs(v) < step * 1e-9 ? 0 : v);
  }
  return out;
}

double min_positive_abs(const std::vector<double>& x) {
  double m = std::numeric_limits<double>::infinity();
  for (double v : x) {
    if (v != 0) m = std::min(m, std::fabs(v));
  }
  return m;
}

}  // namespace

AxisScale choose_x_scale(const std::vector<double>& x) {
  if (x.empty()) return AxisScale::kLinear;
  const auto [mn, mx] = std::minmax_element(x.begin(), x.end());
  const double small = min_positive_abs(x);
  const double big = std::max(std::fabs(*mn), std::fabs(*mx));
  const bool decades = std::isfinite(small) && big / small >= 100;
  if (*mn > 0 && decades) return AxisScale::kLog;
  if (*mn < 0 && *mx > 0 && decades) return AxisScale::kSymlog;
  if (*mn <= 0 && *mx <= 0 && decades) return AxisScale::kSymlog;
  if (*mn == 0 && decades) return AxisScale::kSymlog;
  return AxisScale::kLinear;
}

AxisScale choose_y_scale(const std::vector<PlotSeries>& series) {
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  for (const auto& s : series) {
    for (double v : s.rate) {
      if (v > 0) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
    }
  }
  if (!std::isfinite(lo)) return AxisScale::kLinear;
  // Rates spanning a decade or more, or zeros beside rates (the zero is
  // then "below everything", drawn at the floor), read best on a log axis.
  bool zeros = false;
  for (const auto& s : series) {
    for (double v : s.rate) zeros = zeros || v == 0;
  }
  return (hi / lo >= 10 || zeros) ? AxisScale::kLog : AxisScale::kLinear;
}

std::string render_sweep_svg(const PlotInput& input) {
  const double pw = kWidth - kLeft - kRight, ph = kHeight - kTop - kBottom;
  // Categories are drawn at 0, 1, 2, ... on a linear axis.
  PlotInput in = input;
  const bool categorical = !in.x_categories.empty();
  if (categorical) {
    in.x.clear();
    for (std::size_t i = 0; i < in.x_categories.size(); ++i) in.x.push_back(static_cast<double>(i));
  }
  // ---- x scale
  Scale xs;
  xs.kind = categorical ? AxisScale::kLinear : choose_x_scale(in.x);
  if (xs.kind == AxisScale::kSymlog) {
    const double small = min_positive_abs(in.x);
    xs.c = std::isfinite(small) ? small : 1;
  }
  double xmin = in.x.empty() ? 0 : *std::min_element(in.x.begin(), in.x.end());
  double xmax = in.x.empty() ? 1 : *std::max_element(in.x.begin(), in.x.end());
  if (xmin == xmax) {
    xmin -= 1;
    xmax += 1;
    if (xs.kind == AxisScale::kLog) xs.kind = AxisScale::kLinear;
  }
  xs.lo = xs.t(xmin);
  xs.hi = xs.t(xmax);
  const double xpad = categorical ? 0.5 : (xs.hi - xs.lo) * 0.04;
  xs.lo -= xpad;
  xs.hi += xpad;
  std::vector<double> xticks;
  if (categorical) {
    xticks = in.x;
  } else if (xs.kind == AxisScale::kLinear) {
    xticks = linear_ticks(xmin, xmax);
  } else {
    const double base = xs.kind == AxisScale::kSymlog ? xs.c : min_positive_abs(in.x);
    const double top = std::max(std::fabs(xmin), std::fabs(xmax));
    if (xs.kind == AxisScale::kSymlog) xticks.push_back(0);
    for (double v = std::pow(10, std::floor(std::log10(base))); v <= top * 1.0001; v *= 10) {
      if (v < base * 0.9999) continue;
      if (v <= xmax * 1.0001) xticks.push_back(v);
      if (xs.kind == AxisScale::kSymlog && -v >= xmin * 1.0001) xticks.push_back(-v);
    }
    std::sort(xticks.begin(), xticks.end());
  }
  // ---- y scale
  Scale ys;
  ys.kind = choose_y_scale(in.series);
  double ymax = 0, ymin_pos = std::numeric_limits<double>::infinity();
  for (const auto& s : in.series) {
    for (std::size_t i = 0; i < s.rate.size(); ++i) {
      for (double v : {s.rate[i], s.lo[i], s.hi[i]}) {
        if (!std::isfinite(v)) continue;
        ymax = std::max(ymax, v);
        if (v > 0) ymin_pos = std::min(ymin_pos, v);
      }
    }
  }
  double floor_value = 0;
  std::vector<double> yticks;
  if (ys.kind == AxisScale::kLog) {
    const double top = std::pow(10, std::ceil(std::log10(ymax)));
    floor_value = std::pow(10, std::floor(std::log10(ymin_pos)) - 1);
    ys.lo = std::log10(floor_value) - 0.15;
    ys.hi = std::log10(top);
    for (double v = floor_value * 10; v <= top * 1.0001; v *= 10) yticks.push_back(v);
  } else {
    const double top = ymax > 0 ? ymax * 1.1 : 1;
    ys.lo = 0;
    ys.hi = top;
    yticks = linear_ticks(0, top);
  }
  auto X = [&](double v) { return kLeft + xs.frac(v) * pw; };
  auto Y = [&](double v) {
    if (ys.kind == AxisScale::kLog && v <= 0) v = floor_value;
    return kTop + (1 - ys.frac(v)) * ph;
  };

  std::string svg;
  svg += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + num(kWidth) +
         "\" height=\"" + num(kHeight) + "\" viewBox=\"0 0 " + num(kWidth) + " " + num(kHeight) +
         "\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\">\n";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  svg += "<text x=\"" + num(kWidth / 2) +
         "\" y=\"28\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\">" +
         esc(in.title) + "</text>\n";
  // Grid and ticks.
  for (double v : yticks) {
    const double y = Y(v);
    svg += "<line x1=\"" + num(kLeft) + "\" y1=\"" + num(y) + "\" x2=\"" + num(kLeft + pw) +
           "\" y2=\"" + num(y) + "\" stroke=\"#e5e5e5\"/>\n";
    svg += "<text x=\"" + num(kLeft - 8) + "\" y=\"" + num(y + 4) + "\" text-anchor=\"end\">" +
           esc(ys.kind == AxisScale::kLog ? rate_tick(v) : value_tick(v)) + "</text>\n";
  }
  for (double v : xticks) {
    const double x = X(v);
    svg += "<line x1=\"" + num(x) + "\" y1=\"" + num(kTop) + "\" x2=\"" + num(x) + "\" y2=\"" +
           num(kTop + ph) + "\" stroke=\"#eeeeee\"/>\n";
    // Category names are long: every other one a row lower so they do not overlap.
    const double row = categorical && static_cast<std::size_t>(v) % 2 == 1 ? 14 : 0;
    svg += "<text x=\"" + num(x) + "\" y=\"" + num(kTop + ph + 18 + row) +
           "\" text-anchor=\"middle\">" +
           esc(categorical        ? in.x_categories[static_cast<std::size_t>(v)]
               : in.x_is_duration ? duration_tick(v)
                                  : value_tick(v)) +
           "</text>\n";
  }
  svg += "<rect x=\"" + num(kLeft) + "\" y=\"" + num(kTop) + "\" width=\"" + num(pw) +
         "\" height=\"" + num(ph) + "\" fill=\"none\" stroke=\"#333333\"/>\n";
  if (ys.kind == AxisScale::kLog) {
    const double y = Y(floor_value);
    svg += "<line x1=\"" + num(kLeft) + "\" y1=\"" + num(y) + "\" x2=\"" + num(kLeft + pw) +
           "\" y2=\"" + num(y) + "\" stroke=\"#999999\" stroke-dasharray=\"4 3\"/>\n";
    svg += "<text x=\"" + num(kLeft - 8) + "\" y=\"" + num(y + 4) +
           "\" text-anchor=\"end\" fill=\"#666666\">0</text>\n";
  }
  // Axis labels.
  std::string xl = in.x_label;
  if (xs.kind == AxisScale::kSymlog) xl += " (symmetric log scale)";
  if (xs.kind == AxisScale::kLog) xl += " (log scale)";
  svg += "<text x=\"" + num(kLeft + pw / 2) + "\" y=\"" + num(kHeight - (categorical ? 28 : 40)) +
         "\" text-anchor=\"middle\" font-size=\"13\">" + esc(xl) + "</text>\n";
  std::string yl = in.y_label + (ys.kind == AxisScale::kLog ? " (log scale)" : "");
  svg += "<text transform=\"translate(22 " + num(kTop + ph / 2) +
         ") rotate(-90)\" text-anchor=\"middle\" font-size=\"13\">" + esc(yl) + "</text>\n";
  // Series: interval bars, then markers (hollow at the floor for a zero rate).
  const double offsets[] = {-4, 4, -8, 8};
  bool any_zero = false;
  for (std::size_t si = 0; si < in.series.size(); ++si) {
    const auto& s = in.series[si];
    const double dx = in.series.size() > 1 ? offsets[si % 4] : 0;
    svg += "<g stroke=\"" + s.color + "\" fill=\"" + s.color + "\">\n";
    for (std::size_t i = 0; i < s.rate.size() && i < in.x.size(); ++i) {
      // Not measured at this point (a sweep's window-estimator points): no marker.
      if (!std::isfinite(s.rate[i])) continue;
      const double x = X(in.x[i]) + dx;
      if (std::isfinite(s.hi[i])) {
        const double y1 = Y(s.lo[i]), y2 = Y(s.hi[i]);
        svg += "<line x1=\"" + num(x) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x) + "\" y2=\"" +
               num(y2) + "\"/>";
        svg += "<line x1=\"" + num(x - 3) + "\" y1=\"" + num(y2) + "\" x2=\"" + num(x + 3) +
               "\" y2=\"" + num(y2) + "\"/>";
        svg += "<line x1=\"" + num(x - 3) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x + 3) +
               "\" y2=\"" + num(y1) + "\"/>\n";
      }
      const double y = Y(s.rate[i]);
      if (s.rate[i] == 0) {
        any_zero = true;
        svg += "<circle cx=\"" + num(x) + "\" cy=\"" + num(y) +
               "\" r=\"4\" fill=\"white\" stroke-width=\"1.5\"/>\n";
      } else {
        svg += "<circle cx=\"" + num(x) + "\" cy=\"" + num(y) + "\" r=\"4\"/>\n";
      }
    }
    svg += "</g>\n";
  }
  // Legend: one row between the title and the plot, so it never hides a point.
  double lx = kLeft;
  const double row = kTop - 14;
  auto entry = [&](const std::string& fill, const std::string& stroke, const std::string& text) {
    svg += "<circle cx=\"" + num(lx + 5) + "\" cy=\"" + num(row - 4) + "\" r=\"4\" fill=\"" + fill +
           "\"" + (stroke.empty() ? "" : " stroke=\"" + stroke + "\"") + "/>";
    svg += "<text x=\"" + num(lx + 14) + "\" y=\"" + num(row) + "\">" + esc(text) + "</text>\n";
    lx += 14 + 6.6 * static_cast<double>(text.size()) + 18;
  };
  for (const auto& s : in.series) entry(s.color, "", s.name);
  if (any_zero) entry("white", "#333333", "rate 0, drawn at the floor line");
  svg += "<text x=\"" + num(lx) + "\" y=\"" + num(row) +
         "\" fill=\"#555555\">bars: 95% interval</text>\n";
  if (!in.note.empty()) {
    svg += "<text x=\"" + num(kLeft) + "\" y=\"" + num(kHeight - 10) +
           "\" fill=\"#555555\" font-size=\"11\">" + esc(in.note) + "</text>\n";
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace rekeysim::cli
