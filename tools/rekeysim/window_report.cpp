#include "tools/rekeysim/window_report.hpp"

#include <algorithm>

namespace rekeysim::cli {

namespace {

using json = nlohmann::ordered_json;
using runner::Estimator;

std::string pad(std::string s, std::size_t w) {
  if (s.size() < w) s.append(w - s.size(), ' ');
  return s + " ";
}

}  // namespace

std::string render_json_with_estimator(const RunHeader& header, const PointReport& report,
                                       const runner::EstimatorChoice& choice,
                                       const runner::PointResult& in_window) {
  return point_json_with_estimator(header, report, choice, in_window).dump(2) + "\n";
}

json point_json_with_estimator(const RunHeader& header, const PointReport& report,
                               const runner::EstimatorChoice& choice,
                               const runner::PointResult& in_window) {
  json j = point_json(header, report);
  json est;
  est["name"] = runner::estimator_name(choice.used);
  est["why"] = choice.why;
  if (choice.used == Estimator::kExactZero) {
    const runner::RaceWindow& w = choice.window;
    est["p_window"] = w.p_window;
    est["proof"] = w.zero == runner::RaceWindow::ZeroProof::kRange ? "range" : "lattice";
    est["gap_ns"] = json::array({w.gap_lo_ns, w.gap_hi_ns});
    est["window_ns"] = w.window_ns;
    est["race_ns"] = w.race_ns;
    est["offset_ns"] = w.offset_ns;
    est["centre_ns"] = w.centre_ns;
  }
  if (choice.used == Estimator::kWindow) {
    const runner::RaceWindow& w = choice.window;
    est["p_window"] = w.p_window;
    est["window_ns"] = w.window_ns;
    est["race_ns"] = w.race_ns;
    est["offset_ns"] = w.offset_ns;
    est["centre_ns"] = w.centre_ns;
    json inside = json::object();
    json kept = json::object();
    for (const auto o : models::kAllOutcomes) {
      if (!runner::is_race_outcome(o)) continue;
      const std::string name(models::outcome_name(o));
      const auto& s = in_window.outcome(o);
      inside[name] = json{{"count", s.count},
                          {"episodes", in_window.episodes},
                          {"rate", s.rate},
                          {"ci95", json::array({s.ci95.lo, s.ci95.hi})}};
      kept[name] = j["outcomes"][name];
    }
    est["in_window"] = inside;
    j["outcomes"] = kept;
    j.erase("per_trial");
  }
  j["estimator"] = est;
  return j;
}

std::string render_table_with_estimator(const RunHeader& header, const PointReport& report,
                                        const runner::EstimatorChoice& choice,
                                        const runner::PointResult& in_window) {
  if (choice.used != Estimator::kWindow)
    return render_table_run(header, report) + "estimator: " + choice.why + "\n";
  const auto& r = report.result;
  std::string out = "scenario " + header.scenario + ": seed " + std::to_string(header.seed) + ", " +
                    std::to_string(header.trials) + " trials x " + header.per_trial +
                    " per trial, each conditioned on the race window\n";
  out += "estimator: " + choice.why + "\n";
  out +=
      std::to_string(in_window.episodes) + " first Child SA rekeys simulated inside the window\n\n";
  const std::size_t w[] = {16, 40, 40};
  out += pad("outcome", w[0]) + pad("rate per rekey episode [95% CI]", w[1]) +
         pad("rate inside the window [95% CI]", w[2]) + "count inside\n";
  for (const auto o : models::kAllOutcomes) {
    if (!runner::is_race_outcome(o)) continue;
    const auto& s = r.outcome(o);
    const auto& in = in_window.outcome(o);
    out += pad(std::string(models::outcome_name(o)), w[0]) +
           pad(format_rate(s.rate) + "/rekey " + format_interval(s.ci95), w[1]) +
           pad(format_rate(in.rate) + " " + format_interval(in.ci95), w[2]) +
           std::to_string(in.count) + "\n";
  }
  out +=
      "\nrate = P(window) x rate inside the window; the 95% interval is the in-window Wilson "
      "interval times the exact P(window). Other outcomes need no race and are not estimated "
      "here: use --estimator plain for them.\n";
  for (const auto& c : report.checks)
    out += std::string(c.passed ? "expect ok:     " : "expect FAILED: ") + c.text + "\n";
  return out;
}

}  // namespace rekeysim::cli
