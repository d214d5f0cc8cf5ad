// `rekeysim sweep SCENARIO`: every point of the scenario's sweep grid, one
// row (or JSON object) per point, and optionally the SVG plot.
// --estimator makes run's choice at each point (estimated_points.hpp): plain
// Monte Carlo or the window estimator of rare race rates, named per point.
#include <cmath>
#include <limits>
#include <stdexcept>

#include "tools/rekeysim/common.hpp"
#include "tools/rekeysim/estimated_points.hpp"
#include "tools/rekeysim/option_checks.hpp"
#include "tools/rekeysim/sweep_plot.hpp"
#include "tools/rekeysim/window_report.hpp"
#include "tools/scenario/peer_keys.hpp"
#include "tools/scenario/values.hpp"

namespace rekeysim::cli {

PlotInput sweep_plot_input(const scenario::Scenario& sc, const std::vector<PointReport>& reports) {
  if (sc.sweep.size() != 1) {
    throw std::invalid_argument("--plot needs a sweep of exactly one parameter (this one has " +
                                std::to_string(sc.sweep.size()) + ")");
  }
  const std::string& path = sc.sweep.front().path;
  PlotInput in;
  in.title = sc.name + ": collisions, can't-find-SA, outages and dropped ESP per rekey vs " + path;
  in.y_label = "per rekey episode (95% interval); esp_dropped in packets";
  bool duration = path == "stagger" || path == "duration" || path.starts_with("network.latency");
  if (path.starts_with("peers.")) {
    const auto* key = scenario::find_peer_key(std::string_view(path).substr(8));
    duration = key != nullptr && key->kind == scenario::ValueKind::kDuration;
  }
  in.x_is_duration = duration;
  in.x_label = path == "stagger" ? "stagger = peer B's Child SA lifetime - peer A's (time)"
                                 : path + (duration ? " (time)" : "");
  // Outages and dropped packets too: the direction of a stagger that matters
  // can cost outages without a single collision (PAN-OS vs AWS).
  PlotSeries col{"collisions", "#d62728", {}, {}, {}};
  PlotSeries cfs{"cant_find_sa", "#1f77b4", {}, {}, {}};
  PlotSeries out{"outages", "#ff7f0e", {}, {}, {}};
  PlotSeries esp{"esp_dropped (packets)", "#9467bd", {}, {}, {}};
  // A value that is not a number (a profile name, a network.down list) makes
  // the x axis one category per point, in sweep order.
  bool numeric = true;
  for (const auto& rep : reports) {
    const std::string& label = rep.params.front().value;
    double x = 0;
    try {
      if (duration) {
        YAML::Node n(label);
        x = scenario::read_signed_duration({n, sc.file, path}).seconds();
      } else {
        x = scenario::parse_fraction_text(label);
      }
    } catch (const std::exception&) {
      numeric = false;
    }
    in.x.push_back(x);
    in.x_categories.push_back(label);
    for (auto* s : {&col, &cfs, &out, &esp}) {
      const auto o = s == &col   ? models::Outcome::kCollisions
                     : s == &cfs ? models::Outcome::kCantFindSa
                     : s == &out ? models::Outcome::kOutages
                                 : models::Outcome::kEspDropped;
      const auto& st = rep.result.outcome(o);
      s->rate.push_back(st.rate);
      s->lo.push_back(st.ci95.lo);
      s->hi.push_back(st.ci95.hi);
    }
  }
  if (numeric) {
    in.x_categories.clear();
  } else {
    in.x_is_duration = false;
    in.x_label = path;
  }
  in.series = {col, cfs, out, esp};
  // Name the estimator where it is not plain Monte Carlo: a window point's
  // interval is far tighter than its neighbours' for the same trials, and an
  // exact-zero point's collisions are a proof, not a measurement.
  std::vector<std::string> window_points, zero_points;
  bool any_plain = false;
  for (const auto& rep : reports) {
    any_plain = any_plain || rep.estimator == "plain";
    const std::string& label = rep.params.front().value;
    if (rep.estimator == "window") window_points.push_back(label);
    if (rep.estimator == "exact-zero") zero_points.push_back(label);
  }
  // One line of the 960 px image: up to 6 values by name, more as a range
  // (21 named values ran off the image).
  auto listed = [](const std::vector<std::string>& v) {
    if (v.size() > 6) {
      return std::to_string(v.size()) + " points, " + v.front() + " to " + v.back() +
             " in sweep order";
    }
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  };
  const std::string window_at = listed(window_points), zero_at = listed(zero_points);
  if (!window_at.empty() || !zero_at.empty()) {
    in.note = "estimator: ";
    if (!window_at.empty()) in.note += "window (stratified on the race window) at " + window_at;
    if (!zero_at.empty()) {
      in.note += std::string(window_at.empty() ? "" : "; ") +
                 "exact-zero (collisions proven 0) at " + zero_at;
    }
    if (any_plain) in.note += "; plain Monte Carlo elsewhere";
  }
  return in;
}

Command add_sweep_command(CLI::App& root) {
  auto o = std::make_shared<CommonOptions>();
  auto plot = std::make_shared<std::string>();
  auto estimator = std::make_shared<std::string>("auto");
  CLI::App* sub = root.add_subcommand("sweep", "run every point of the scenario's sweep grid");
  add_common_options(sub, *o, true);
  sub->add_option("--estimator", *estimator,
                  "per point, as `run` chooses: auto (default): the window estimator where it "
                  "applies and plain Monte Carlo would see few first rekeys in the race window, "
                  "else plain; plain; window (every point, else exit 2); exactly 0 [0, 0] "
                  "where the bounds prove the first timers never meet (README 'Rare rates')")
      ->check(CLI::IsMember({"auto", "plain", "window"}));
  sub->add_option("--plot", *plot,
                  "also write an SVG plot of collision, cant_find_sa, outage and dropped-ESP rates "
                  "vs the swept "
                  "value")
      ->check(non_empty());
  sub->footer(
      "Example:\n"
      "  rekeysim sweep scenarios/kb-incident.yaml --plot kb-incident-sweep.svg\n"
      "  rekeysim sweep scenarios/kb-incident.yaml --trials 20 --format csv --out sweep.csv\n"
      "  rekeysim sweep scenarios/rare-collision-sweep.yaml   (window estimator per point)\n"
      "JSON output is an array with one object per point, in grid order (the first\n"
      "parameter varies slowest); each object carries the point's \"params\" and\n"
      "\"estimator\" (as `run --format json`).\n"
      "Exit status: 0 ok, 1 an expect failed, 2 usage or input error, 3 internal error.");
  return {
      sub, [o, plot, estimator] {
        OutputFiles files;
        add_out_file(files, *o);
        if (!plot->empty()) files.add("--plot", *plot);
        const scenario::Scenario sc = load_with_overrides(*o);
        add_profile_inputs(files, sc);
        if (!plot->empty() && sc.sweep.size() != 1) {
          throw scenario::ScenarioError(
              {sc.file, 1, 1}, "sweep",
              "--plot needs a sweep of exactly one parameter (this one has " +
                  std::to_string(sc.sweep.size()) + ")",
              "a scenario whose sweep lists one param");
        }
        std::vector<scenario::Point> points;
        const std::size_t n = scenario::point_count(sc);
        for (std::size_t i = 0; i < n; ++i) points.push_back(scenario::build_point(sc, i));
        const RunHeader header{sc.name, sc.seed, sc.trials, per_trial_text(points.front().config)};
        const auto estimated = run_estimated_points(sc, points, *o, *estimator);
        std::vector<PointReport> reports;
        for (const auto& p : estimated) reports.push_back(p.report);
        if (o->format == "json") {
          nlohmann::ordered_json arr = nlohmann::ordered_json::array();
          for (const auto& p : estimated)
            arr.push_back(
                point_json_with_estimator(header, p.report, p.choice, p.in_window, p.outside));
          emit(files, *o, arr.dump(2) + "\n");
        } else if (o->format == "csv") {
          emit(files, *o, render_csv(header, reports));
        } else {
          emit(files, *o, render_table_sweep(header, reports));
        }
        if (!plot->empty()) files.put("--plot", render_sweep_svg(sweep_plot_input(sc, reports)));
        files.commit();
        return report_expectations(reports);
      }};
}

}  // namespace rekeysim::cli
