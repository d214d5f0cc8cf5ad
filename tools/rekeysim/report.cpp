#include "tools/rekeysim/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "models/profiles/lifetime_settings.hpp"
#include "tools/runner/window_estimator.hpp"
#include "tools/scenario/values.hpp"

namespace rekeysim::cli {

namespace {

using models::Outcome;
using json = nlohmann::ordered_json;

std::string printf_str(const char* fmt, double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, x);
  return buf;
}

json number_or_null(double x) {
  return std::isfinite(x) ? json(x) : json(nullptr);
}

// A Child outcome over zero Child SA rekey episodes (the tunnel never came up,
// or only IKE SAs were rekeyed) has no rate: 0 / 0, not 0.
bool no_child_episode(const runner::PointResult& r, Outcome o) {
  return !models::is_ike_outcome(o) && r.episodes == 0;
}
constexpr const char* kNoChildRekey = "n/a (no Child SA rekey)";
// No episode of the outcome's kind at all (Child SA rekeys, or IKE SA rekeys
// for the IKE outcomes): its per-trial rates and their quantiles are 0 / 0.
bool no_episode(const runner::PointResult& r, Outcome o) {
  return models::is_ike_outcome(o) ? r.ike_episodes == 0 : r.episodes == 0;
}

// Left-aligns s in a column of `width`; a longer cell still ends in a space,
// so it never runs into the next ("17578835818 pkt8.64e+05").
std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) {
    s.append(width - s.size(), ' ');
  } else {
    s += ' ';
  }
  return s;
}

std::string params_text(const std::vector<scenario::PointParam>& params) {
  std::string out;
  for (const auto& p : params) {
    if (!out.empty()) out += ", ";
    out += p.path + "=" + p.value;
  }
  return out;
}

std::string header_text(const RunHeader& h) {
  return "scenario " + h.scenario + ": seed " + std::to_string(h.seed) + ", " +
         std::to_string(h.trials) + " trials x " + h.per_trial + " per trial\n";
}

}  // namespace

// Per-episode amount with its unit.
std::string amount(Outcome o, double per_episode, std::string_view per) {
  if (o == Outcome::kDowntime) return format_seconds(per_episode * 1e-9) + std::string(per);
  if (models::is_packet_outcome(o)) return format_rate(per_episode) + " pkt" + std::string(per);
  return format_rate(per_episode) + std::string(per);
}

std::string count_text(Outcome o, std::uint64_t count) {
  if (o == Outcome::kDowntime) return format_seconds(static_cast<double>(count) * 1e-9);
  if (models::is_packet_outcome(o)) return std::to_string(count) + " pkt";
  return std::to_string(count);
}

std::string interval_text(Outcome o, const sim::Interval& ci) {
  // The ratio-estimator interval needs the spread across trials: with one
  // trial there is none (aggregate.hpp: hi = +inf), so no interval at all
  // rather than "[0, n/a]", which reads as a bound of 0.
  if (!std::isfinite(ci.hi)) return "[no interval: 1 trial]";
  if (o == Outcome::kDowntime) {
    return "[" + format_seconds(ci.lo * 1e-9) + ", " +
           (std::isfinite(ci.hi) ? format_seconds(ci.hi * 1e-9) : std::string("n/a")) + "]";
  }
  return format_interval(ci);
}

std::string format_rate(double r) {
  if (!std::isfinite(r)) return "n/a";
  if (r == 0) return "0";
  if (std::fabs(r) >= 0.01 && std::fabs(r) < 1000) return printf_str("%.3g", r);
  return printf_str("%.2e", r);
}

std::string format_interval(const sim::Interval& ci) {
  return "[" + format_rate(ci.lo) + ", " + format_rate(ci.hi) + "]";
}

std::string format_percent(double f) {
  const double pct = f * 100.0;
  // One decimal, except where that would round a fraction strictly between 0
  // and 1 to "0.0%" or "100.0%": a bound of 1.5e-6 is not the exact 0 an
  // exact-zero row shows, so such values keep two significant digits.
  if (pct > 0 && pct < 0.05) {
    // Two significant digits in fixed notation ("0.000079%"): the tool reads
    // no exponents, so it prints none here either; below 1e-40 % (a window
    // far narrower than any real one) the zeros would outrun the buffer.
    const int digits = static_cast<int>(std::ceil(-std::log10(pct))) + 1;
    if (digits > 40) return printf_str("%.2g%%", pct);
    return printf_str(("%." + std::to_string(digits) + "f%%").c_str(), pct);
  }
  if (pct < 100 && pct >= 99.95) {
    // 100 - pct below 0.05: as many decimals as reach its first digit that
    // is not 0, so the rounding cannot reach 100.
    const int digits = static_cast<int>(std::ceil(-std::log10(100.0 - pct)));
    return printf_str(("%." + std::to_string(std::min(digits, 15)) + "f%%").c_str(), pct);
  }
  return printf_str("%.1f%%", pct);
}

std::string format_seconds(double s) {
  if (!std::isfinite(s)) return "n/a";
  if (s == 0) return "0s";
  const double a = std::fabs(s);
  if (a >= 86400) return printf_str("%.3gd", s / 86400);
  if (a >= 3600) return printf_str("%.3gh", s / 3600);
  if (a >= 60) return printf_str("%.3gm", s / 60);
  if (a >= 1) return printf_str("%.3gs", s);
  if (a >= 1e-3) return printf_str("%.3gms", s * 1e3);
  if (a >= 1e-6) return printf_str("%.3gus", s * 1e6);
  return printf_str("%.3gns", s * 1e9);
}

std::string format_instant(sim::SimTime t) {
  const std::int64_t ns = t.ns();
  const std::int64_t whole = ns / 1'000'000'000;
  const std::int64_t frac_ns = ns % 1'000'000'000;
  if (whole == 0) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f ms", static_cast<double>(frac_ns) / 1e6);
    return buf;
  }
  std::string head = models::format_hms(sim::seconds(whole - whole % 60));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", static_cast<double>(whole % 60) + frac_ns / 1e9);
  if (whole < 60) return buf;
  return head + " " + buf;
}

std::string_view count_unit(Outcome o) {
  if (o == Outcome::kDowntime) return "ns";
  if (models::is_packet_outcome(o)) return "packets";
  return "events";
}

std::vector<ExpectCheck> check_expectations(const std::vector<scenario::Expectation>& expect,
                                            const runner::PointResult& r) {
  std::vector<ExpectCheck> out;
  for (const auto& e : expect) {
    ExpectCheck c;
    c.expectation = e;
    const auto& s = r.outcome(e.outcome);
    const std::string name(models::outcome_name(e.outcome));
    std::string what;
    switch (e.kind) {
      case scenario::ExpectKind::kMaxCount:
        c.value = static_cast<double>(s.count);
        c.passed = c.value <= e.limit;
        what = "count " + std::to_string(s.count) + (c.passed ? " <= " : " > ") + e.limit_text;
        break;
      case scenario::ExpectKind::kMinCount:
        c.value = static_cast<double>(s.count);
        c.passed = c.value >= e.limit;
        what = "count " + std::to_string(s.count) + (c.passed ? " >= " : " < ") + e.limit_text;
        break;
      case scenario::ExpectKind::kMaxRate:
        c.value = s.rate;
        c.passed = c.value <= e.limit;
        what =
            "rate " + format_rate(s.rate) + "/rekey" + (c.passed ? " <= " : " > ") + e.limit_text;
        break;
      case scenario::ExpectKind::kMinRate:
        c.value = s.rate;
        c.passed = c.value >= e.limit;
        what =
            "rate " + format_rate(s.rate) + "/rekey" + (c.passed ? " >= " : " < ") + e.limit_text;
        break;
      case scenario::ExpectKind::kMaxRateUpper95:
        c.value = s.ci95.hi;
        c.passed = c.value < e.limit;
        what = "rate upper 95% bound " + format_rate(s.ci95.hi) + (c.passed ? " < " : " >= ") +
               e.limit_text;
        break;
      case scenario::ExpectKind::kMaxFractionAffected: {
        const auto& p = r.trial_view(e.outcome);
        c.value = p.fraction_affected;
        c.passed = c.value <= e.limit;
        // Both sides as percentages ("7.9e-05% <= 1e-6" read as false).
        what = "fraction of trials affected " + format_percent(p.fraction_affected) +
               (c.passed ? " <= " : " > ") + format_percent(e.limit) + " (" + e.limit_text + ")";
        break;
      }
    }
    c.text = name + ": " + what;
    out.push_back(std::move(c));
  }
  return out;
}

// A tunnel that never came up has no rekey episode, so every rate would read
// as "no problem": say so where the rates are.
std::string never_up_warning(const runner::PointResult& r,
                             std::string_view rates = "the rates below") {
  if (r.trials_never_up == 0) return {};
  return "WARNING: the tunnel never came up (IKE_SA_INIT / IKE_AUTH never completed) in " +
         std::to_string(r.trials_never_up) + " of " + std::to_string(r.trials) + " trials; " +
         std::string(rates) + " cover only the trials where it did\n";
}

json point_json(const RunHeader& h, const PointReport& rep) {
  const auto& r = rep.result;
  json j;
  j["scenario"] = h.scenario;
  json params = json::object();
  for (const auto& p : rep.params) params[p.path] = p.value;
  j["params"] = params;
  j["seed"] = h.seed;
  j["trials"] = r.trials;
  j["episodes"] = r.episodes;
  j["ike_episodes"] = r.ike_episodes;
  j["trials_never_up"] = r.trials_never_up;
  j["tunnel_days"] = r.tunnel_days();
  json outcomes = json::object();
  json per_trial = json::object();
  for (const auto o : models::kAllOutcomes) {
    const auto& s = r.outcome(o);
    const std::string name(models::outcome_name(o));
    // No Child SA rekey episode: rate and interval null (0 / 0), as `episodes` is 0.
    const bool na = no_child_episode(r, o);
    outcomes[name] =
        json{{"count", s.count},
             {"rate", na ? json(nullptr) : json(s.rate)},
             {"ci95", na ? json::array({nullptr, nullptr})
                         : json::array({number_or_null(s.ci95.lo), number_or_null(s.ci95.hi)})},
             {"per_tunnel_day", s.per_day},
             {"unit", count_unit(o)}};
    const auto& p = r.trial_view(o);
    const bool q_na = no_episode(r, o);  // the table's n/a
    per_trial[name] = json{{"fraction_affected", p.fraction_affected},
                           {"ci95", json::array({p.ci95.lo, p.ci95.hi})},
                           {"p50", q_na ? json(nullptr) : json(p.p50)},
                           {"p90", q_na ? json(nullptr) : json(p.p90)},
                           {"p99", q_na ? json(nullptr) : json(p.p99)}};
  }
  j["outcomes"] = outcomes;
  j["per_trial"] = per_trial;
  if (!rep.checks.empty()) {
    json checks = json::array();
    for (const auto& c : rep.checks) {
      checks.push_back(json{{"outcome", models::outcome_name(c.expectation.outcome)},
                            {"check", scenario::to_string(c.expectation.kind)},
                            {"limit", c.expectation.limit},
                            {"value", number_or_null(c.value)},
                            {"passed", c.passed}});
    }
    j["expect"] = checks;
  }
  return j;
}

std::string render_json(const RunHeader& h, const std::vector<PointReport>& reports,
                        bool as_array) {
  if (!as_array && reports.size() == 1) return point_json(h, reports.front()).dump(2) + "\n";
  json arr = json::array();
  for (const auto& r : reports) arr.push_back(point_json(h, r));
  return arr.dump(2) + "\n";
}

std::string render_table_run(const RunHeader& h, const PointReport& rep) {
  const auto& r = rep.result;
  std::string out = header_text(h);
  if (!rep.params.empty()) out += "params: " + params_text(rep.params) + "\n";
  // An episode is one Child SA generation the classifier saw end (rekeyed,
  // deleted, expired, lost with its IKE SA: models/world/outcome_classifier.cpp),
  // so a break-before-make reauth has episodes without rekeys: say how many rekeyed.
  out += std::to_string(r.episodes) + " Child SA episodes (" +
         std::to_string(r.outcome(Outcome::kChildRekeys).episodes_with) +
         " with a completed rekey), " + std::to_string(r.ike_episodes) +
         " IKE SA rekey episodes, " + printf_str("%.1f", r.tunnel_days()) +
         " tunnel-days simulated\n";
  out += never_up_warning(r) + "\n";
  const std::size_t w[] = {16, 14, 40, 18, 26};
  out += pad("outcome", w[0]) + pad("total", w[1]) + pad("rate per rekey episode [95% CI]", w[2]) +
         pad("per tunnel-day", w[3]) + pad("trials affected [95% CI]", w[4]) +
         "per-trial rate p50 / p90 / p99\n";
  for (const auto o : models::kAllOutcomes) {
    const auto& s = r.outcome(o);
    const auto& p = r.trial_view(o);
    // IKE outcomes are per IKE SA rekey episode, the rest per Child SA rekey episode.
    const char* per = models::is_ike_outcome(o) ? "/IKE rekey" : "/rekey";
    std::string rate = amount(o, s.rate, per) + " " + interval_text(o, s.ci95);
    // No IKE SA was rekeyed: a rate over zero IKE episodes means nothing.
    if (models::is_ike_outcome(o) && r.ike_episodes == 0) rate = "n/a (no IKE rekey)";
    if (no_child_episode(r, o)) rate = kNoChildRekey;
    std::string per_day = o == Outcome::kDowntime ? format_seconds(s.per_day * 1e-9) + "/day"
                                                  : amount(o, s.per_day, "/day");
    std::string affected = format_percent(p.fraction_affected) + " [" + format_percent(p.ci95.lo) +
                           ", " + format_percent(p.ci95.hi) + "]";
    std::string quant =
        amount(o, p.p50, "") + " / " + amount(o, p.p90, "") + " / " + amount(o, p.p99, per);
    if (no_episode(r, o)) quant = "n/a";
    out += pad(std::string(models::outcome_name(o)), w[0]) + pad(count_text(o, s.count), w[1]) +
           pad(rate, w[2]) + pad(per_day, w[3]) + pad(affected, w[4]) + quant + "\n";
  }
  // Downtime adds both directions' outages (models/outcome.hpp): an outage
  // of both directions for an hour is 2h of downtime.
  if (r.outcome(Outcome::kDowntime).count > 0) {
    out +=
        "downtime is direction-time: the outages of a->b and b->a are added, so it can reach "
        "twice the time simulated\n";
  }
  for (const auto& c : rep.checks)
    out += std::string(c.passed ? "expect ok:     " : "expect FAILED: ") + c.text + "\n";
  return out;
}

std::string render_table_sweep(const RunHeader& h, const std::vector<PointReport>& reports) {
  std::string out = header_text(h) + "\n";
  std::vector<std::string> names;
  if (!reports.empty()) {
    for (const auto& p : reports.front().params) names.push_back(p.path);
  }
  std::vector<std::size_t> widths;
  for (const auto& n : names) {
    std::size_t w = n.size();
    for (const auto& r : reports) {
      for (const auto& p : r.params) {
        if (p.path == n) w = std::max(w, p.value.size());
      }
    }
    widths.push_back(w + 2);
  }
  // Every figure with its 95% interval: the sweep is where users compare
  // configurations, so a rate without its uncertainty would invite reading
  // noise as a difference.
  const std::size_t w_ep = 10, w_rate = 32, w_amount = 36, w_ike = 14, w_est = 11;
  // Estimators named (sweep --estimator): a column right after the point's
  // values, so each row says how its figures were measured.
  const bool named = !reports.empty() && !reports.front().estimator.empty();
  bool any_window = false;
  bool any_exact_zero = false;
  std::string head;
  for (std::size_t i = 0; i < names.size(); ++i) head += pad(names[i], widths[i]);
  if (named) head += pad("estimator", w_est);
  head += pad("episodes", w_ep) + pad("collisions /rekey [95% CI]", w_rate) +
          pad("cant_find_sa /rekey [95% CI]", w_rate) + pad("outages /rekey [95% CI]", w_rate) +
          pad("esp_dropped /rekey [95% CI]", w_amount) + pad("downtime /rekey [95% CI]", w_amount) +
          pad("tunnel_resets /rekey [95% CI]", w_rate) + pad("ike_episodes", w_ike) +
          pad("ike_collisions /IKE rekey [95% CI]", w_rate + 4) + "trials w/ collision [95% CI]\n";
  out += head;
  auto cell = [](const PointReport& rep, Outcome o) {
    const auto& result = rep.result;
    if (no_child_episode(result, o)) return std::string(kNoChildRekey);
    const auto& s = result.outcome(o);
    return amount(o, s.rate, "") + " " + interval_text(o, s.ci95);
  };
  for (const auto& rep : reports) {
    const auto& r = rep.result;
    std::string line;
    for (std::size_t i = 0; i < rep.params.size() && i < widths.size(); ++i) {
      line += pad(rep.params[i].value, widths[i]);
    }
    any_window = any_window || rep.estimator == "window";
    any_exact_zero = any_exact_zero || rep.estimator == "exact-zero";
    if (named) line += pad(rep.estimator, w_est);
    line += pad(std::to_string(r.episodes), w_ep);
    line += pad(cell(rep, Outcome::kCollisions), w_rate);
    line += pad(cell(rep, Outcome::kCantFindSa), w_rate);
    line += pad(cell(rep, Outcome::kOutages), w_rate);
    line += pad(cell(rep, Outcome::kEspDropped), w_amount);
    line += pad(cell(rep, Outcome::kDowntime), w_amount);
    line += pad(cell(rep, Outcome::kTunnelResets), w_rate);
    // IKE outcomes per IKE SA rekey episode, as in `run`.
    line += pad(std::to_string(r.ike_episodes), w_ike);
    line += pad(r.ike_episodes == 0 ? std::string("n/a (no IKE rekey)")
                                    : cell(rep, Outcome::kIkeCollisions),
                w_rate + 4);
    // Window rows: the stratified fraction (runner::stratify).
    const auto& tv = r.trial_view(Outcome::kCollisions);
    line += format_percent(tv.fraction_affected) + " [" + format_percent(tv.ci95.lo) + ", " +
            format_percent(tv.ci95.hi) + "]\n";
    out += line;
  }
  out +=
      "\nrates are per rekey episode (ike_collisions: per IKE SA rekey episode): Wilson 95% "
      "intervals for counts of episodes, ratio-estimator 95% intervals across trials for "
      "esp_dropped (packets) and downtime (direction-time: both directions' outages added)\n";
  if (any_window) {
    out +=
        "window rows: each rate = P(window) x inside + (1 - P(window)) x outside the race "
        "window, each stratum --trials trials conditioned on its side (episodes: both strata's, "
        "simulated), 95% intervals by MOVER from the strata's; collisions are 0 outside the "
        "window, so theirs is P(window) x the in-window interval; run --format json for the "
        "strata\n";
  }
  if (any_exact_zero) {
    out +=
        "exact-zero rows: the bounds keep the two first rekey timers outside the race window, so "
        "collisions (and redundant_sas) are 0 exactly, interval [0, 0]; the other figures are "
        "plain Monte Carlo's\n";
  }
  if (named) {
    // One line when every point has the same reason (a sweep the window
    // estimator does not apply to), else one per point.
    bool same = true;
    for (const auto& rep : reports)
      same = same && rep.estimator_why == reports.front().estimator_why;
    if (same) {
      out += "estimator (every point): " + reports.front().estimator_why + "\n";
    } else {
      for (const auto& rep : reports) {
        out += "estimator" +
               (rep.params.empty() ? std::string() : " at " + params_text(rep.params)) + ": " +
               rep.estimator_why + "\n";
      }
    }
  }
  for (const auto& rep : reports) {
    // Printed after the table; a sweep without parameters has no label.
    const std::string w =
        never_up_warning(rep.result, rep.params.empty() ? "the rates above" : "its rates above");
    if (!w.empty()) out += (rep.params.empty() ? "" : "at " + params_text(rep.params) + ": ") + w;
  }
  for (const auto& rep : reports) {
    for (const auto& c : rep.checks) {
      if (!c.passed) out += "expect FAILED at " + params_text(rep.params) + ": " + c.text + "\n";
    }
  }
  return out;
}

std::string render_csv(const RunHeader& h, const std::vector<PointReport>& reports) {
  auto num = [](double x) { return std::isfinite(x) ? scenario::format_number(x) : std::string(); };
  auto quote = [](const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  std::string out = "scenario";
  std::vector<std::string> names;
  if (!reports.empty()) {
    for (const auto& p : reports.front().params) names.push_back(p.path);
  }
  for (const auto& n : names) out += "," + quote(n);
  out += ",seed,trials,episodes,ike_episodes,tunnel_days";
  for (const auto o : models::kAllOutcomes) {
    const std::string n(models::outcome_name(o));
    for (const char* f :
         {"_count", "_rate", "_ci95_lo", "_ci95_hi", "_per_tunnel_day", "_fraction_affected",
          "_fraction_ci95_lo", "_fraction_ci95_hi", "_p50", "_p90", "_p99"}) {
      out += "," + n + f;
    }
  }
  // Last, so that the columns before keep their places.
  const bool named = !reports.empty() && !reports.front().estimator.empty();
  if (named) {
    out +=
        ",estimator,estimator_why,estimator_p_window,estimator_window_ns,"
        "estimator_trials_in_window,estimator_trials_outside";
  }
  out += "\n";
  for (const auto& rep : reports) {
    const auto& r = rep.result;
    out += quote(h.scenario);
    for (const auto& p : rep.params) out += "," + quote(p.value);
    out += "," + std::to_string(h.seed) + "," + std::to_string(r.trials) + "," +
           std::to_string(r.episodes) + "," + std::to_string(r.ike_episodes) + "," +
           num(r.tunnel_days());
    for (const auto o : models::kAllOutcomes) {
      const auto& s = r.outcome(o);
      const auto& p = r.trial_view(o);
      // No Child SA rekey episode: empty rate and interval cells (0 / 0).
      const bool na = no_child_episode(r, o);
      const bool q_na = no_episode(r, o);
      const double nan = std::numeric_limits<double>::quiet_NaN();
      out += "," + std::to_string(s.count) + "," + num(na ? nan : s.rate) + "," +
             num(na ? nan : s.ci95.lo) + "," + num(na ? nan : s.ci95.hi) + "," + num(s.per_day) +
             "," + num(p.fraction_affected) + "," + num(p.ci95.lo) + "," + num(p.ci95.hi) + "," +
             num(q_na ? nan : p.p50) + "," + num(q_na ? nan : p.p90) + "," +
             num(q_na ? nan : p.p99);
    }
    if (named) {
      out += "," + quote(rep.estimator) + "," + quote(rep.estimator_why);
      // Empty cells unless the window estimator measured the row.
      if (rep.window) {
        out += "," + num(rep.window->p_window) + "," + num(rep.window->window_ns) + "," +
               std::to_string(rep.window->trials_in_window) + "," +
               std::to_string(rep.window->trials_outside);
      } else {
        out += ",,,,";
      }
    }
    out += "\n";
  }
  return out;
}

}  // namespace rekeysim::cli
