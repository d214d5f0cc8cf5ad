#include "tools/rekeysim/window_report.hpp"

#include <algorithm>

namespace rekeysim::cli {

namespace {

using json = nlohmann::ordered_json;
using models::Outcome;
using runner::Estimator;

std::string pad(std::string s, std::size_t w) {
  if (s.size() < w) s.append(w - s.size(), ' ');
  return s + " ";
}

// Episodes an outcome's rate is per: IKE SA rekeys for IKE outcomes.
std::uint64_t episodes_of(const runner::PointResult& r, Outcome o) {
  return models::is_ike_outcome(o) ? r.ike_episodes : r.episodes;
}

json stratum_json(const runner::PointResult& r) {
  json j = json::object();
  for (const auto o : models::kAllOutcomes) {
    const auto& s = r.outcome(o);
    j[std::string(models::outcome_name(o))] = json{{"count", s.count},
                                                   {"episodes", episodes_of(r, o)},
                                                   {"rate", s.rate},
                                                   {"ci95", json::array({s.ci95.lo, s.ci95.hi})}};
  }
  return j;
}

// A stratum's rate with its interval, or why there is none.
std::string stratum_text(const runner::PointResult& r, Outcome o) {
  if (episodes_of(r, o) == 0)
    return models::is_ike_outcome(o) ? "n/a (no IKE rekey)" : "n/a (no Child SA rekey)";
  const auto& s = r.outcome(o);
  return amount(o, s.rate, "") + " " + interval_text(o, s.ci95);
}

}  // namespace

std::string render_json_with_estimator(const RunHeader& header, const PointReport& report,
                                       const runner::EstimatorChoice& choice,
                                       const runner::PointResult& in_window,
                                       const runner::PointResult& outside) {
  return point_json_with_estimator(header, report, choice, in_window, outside).dump(2) + "\n";
}

json point_json_with_estimator(const RunHeader& header, const PointReport& report,
                               const runner::EstimatorChoice& choice,
                               const runner::PointResult& in_window,
                               const runner::PointResult& outside) {
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
    est["trials_in_window"] = in_window.trials;
    est["trials_outside"] = outside.trials;
    est["in_window"] = stratum_json(in_window);
    est["outside"] = stratum_json(outside);
  }
  j["estimator"] = est;
  return j;
}

std::string render_table_with_estimator(const RunHeader& header, const PointReport& report,
                                        const runner::EstimatorChoice& choice,
                                        const runner::PointResult& in_window,
                                        const runner::PointResult& outside) {
  if (choice.used != Estimator::kWindow)
    return render_table_run(header, report) + "estimator: " + choice.why + "\n";
  const auto& r = report.result;
  std::string out = "scenario " + header.scenario + ": seed " + std::to_string(header.seed) + ", " +
                    header.per_trial + " per trial, stratified on the race window\n";
  out += "estimator: " + choice.why + "\n";
  out += "window estimator: " + std::to_string(in_window.trials) + " trials inside the window, " +
         std::to_string(outside.trials) + " outside (" + std::to_string(in_window.episodes) +
         " and " + std::to_string(outside.episodes) + " first Child SA rekeys)\n\n";
  const std::size_t w[] = {16, 40, 36, 36, 18, 26};
  out += pad("outcome", w[0]) + pad("rate per rekey episode [95% CI]", w[1]) +
         pad("inside the window [95% CI]", w[2]) + pad("outside the window [95% CI]", w[3]) +
         pad("per tunnel-day", w[4]) + pad("trials affected [95% CI]", w[5]) + "total simulated\n";
  for (const auto o : models::kAllOutcomes) {
    const auto& s = r.outcome(o);
    const auto& p = r.trial_view(o);
    const char* per = models::is_ike_outcome(o) ? "/IKE rekey" : "/rekey";
    std::string rate = amount(o, s.rate, per) + " " + interval_text(o, s.ci95);
    if (episodes_of(in_window, o) == 0 && episodes_of(outside, o) == 0)
      rate = models::is_ike_outcome(o) ? "n/a (no IKE rekey)" : "n/a (no Child SA rekey)";
    std::string per_day = o == Outcome::kDowntime ? format_seconds(s.per_day * 1e-9) + "/day"
                                                  : amount(o, s.per_day, "/day");
    std::string affected = format_percent(p.fraction_affected) + " [" + format_percent(p.ci95.lo) +
                           ", " + format_percent(p.ci95.hi) + "]";
    out += pad(std::string(models::outcome_name(o)), w[0]) + pad(rate, w[1]) +
           pad(stratum_text(in_window, o), w[2]) + pad(stratum_text(outside, o), w[3]) +
           pad(per_day, w[4]) + pad(affected, w[5]) + count_text(o, s.count) + "\n";
  }
  out +=
      "\nrate = P(window) x inside + (1 - P(window)) x outside, each stratum --trials trials "
      "conditioned on its side of the window; 95% intervals by MOVER (Zou & Donner 2008) from "
      "the strata's intervals. collisions and redundant_sas are 0 outside the window by the "
      "window argument, so theirs is P(window) x the in-window interval. per tunnel-day and "
      "trials affected are stratified the same way; totals are simulated over both strata, not "
      "estimates; per-trial quantiles are not given (a mixture's quantile does not follow from "
      "the strata).\n";
  for (const auto& c : report.checks)
    out += std::string(c.passed ? "expect ok:     " : "expect FAILED: ") + c.text + "\n";
  return out;
}

}  // namespace rekeysim::cli
