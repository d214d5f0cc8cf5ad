#include "tools/rekeysim/html_report.hpp"
#include "tools/trace/xml_escape.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "models/profiles/profile.hpp"

namespace rekeysim::cli {

namespace {

using models::Outcome;

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string amount(Outcome o, double x) {
  if (!std::isfinite(x)) return "n/a";
  if (o == Outcome::kDowntime) return format_seconds(x * 1e-9);
  if (o == Outcome::kEspDropped) return format_rate(x) + " pkt";
  return format_rate(x);
}

std::string stat_cell(const runner::PointResult& r, Outcome o) {
  const auto& s = r.outcome(o);
  return amount(o, s.rate) + "<br><span class=ci>[" + amount(o, s.ci95.lo) + ", " +
         amount(o, s.ci95.hi) + "]</span>";
}

// Symmetric log of a stagger in seconds: staggers from 1 s to hours, both signs.
double symlog(double s) {
  return (s < 0 ? -1 : 1) * std::log10(1 + std::fabs(s));
}

std::string tick_label(double s) {
  if (s == 0) return "0";
  return std::string(s < 0 ? "−" : "+") +
         models::format_hms(sim::seconds(static_cast<std::int64_t>(std::fabs(s))));
}

struct SeriesPoint {
  double x;  // stagger, seconds
  double rate, lo, hi;
};

// One outcome against the stagger: the 95% band, the estimate, the
// recommended stagger marked in green and the current one (0) in grey.
std::string chart(const std::string& title, Outcome o, bool harm, std::vector<SeriesPoint> pts,
                  std::optional<double> chosen_x) {
  std::sort(pts.begin(), pts.end(), [](const auto& a, const auto& b) { return a.x < b.x; });
  const double w = 400, h = 230, left = 62, right = 12, top = 26, bottom = 44;
  double xmax = 1;
  double ymax = 0;
  for (const auto& p : pts) {
    xmax = std::max(xmax, std::fabs(p.x));
    ymax = std::max(ymax, std::isfinite(p.hi) ? p.hi : p.rate);
  }
  if (ymax <= 0) ymax = 1;
  ymax *= 1.08;
  const double umax = symlog(xmax);
  auto X = [&](double x) { return left + (symlog(x) + umax) / (2 * umax) * (w - left - right); };
  auto Y = [&](double y) {
    return top + (1 - std::clamp(y, 0.0, ymax) / ymax) * (h - top - bottom);
  };
  auto yfmt = [&](double y) { return harm ? format_rate(y) : amount(o, y); };
  std::string s = "<svg class=chart xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + num(w) +
                  " " + num(h) + "\" width=\"" + num(w) + "\" height=\"" + num(h) +
                  "\" role=\"img\" aria-label=\"" + html_escape(title) + "\">";
  s += "<text x=\"" + num(left) + "\" y=\"16\" class=ct>" + html_escape(title) + "</text>";
  // Y grid: 0, half, max.
  for (const double f : {0.0, 0.5, 1.0}) {
    const double yv = ymax / 1.08 * f;
    s += "<line x1=\"" + num(left) + "\" x2=\"" + num(w - right) + "\" y1=\"" + num(Y(yv)) +
         "\" y2=\"" + num(Y(yv)) + "\" class=grid />";
    s += "<text x=\"" + num(left - 4) + "\" y=\"" + num(Y(yv) + 3) + "\" class=yt>" +
         html_escape(yfmt(yv)) + "</text>";
  }
  // X ticks that fit, from 0 outward.
  const double candidates[] = {1, 10, 60, 600, 3600, 36000};
  double last_px = X(0);
  std::vector<double> ticks = {0};
  for (double c : candidates) {
    if (c > xmax * 1.0001) break;
    if (X(c) - last_px < 34) continue;
    ticks.push_back(c);
    ticks.push_back(-c);
    last_px = X(c);
  }
  for (double t : ticks) {
    s += "<line x1=\"" + num(X(t)) + "\" x2=\"" + num(X(t)) + "\" y1=\"" + num(top) + "\" y2=\"" +
         num(h - bottom) + "\" class=grid />";
    s += "<text x=\"" + num(X(t)) + "\" y=\"" + num(h - bottom + 13) + "\" class=xt>" +
         html_escape(tick_label(t)) + "</text>";
  }
  s += "<text x=\"" + num((left + w - right) / 2) + "\" y=\"" + num(h - 8) +
       "\" class=xl>stagger: change of B's lifetime − A's (B shorter ← → B longer)</text>";
  if (chosen_x) {
    s += "<line x1=\"" + num(X(*chosen_x)) + "\" x2=\"" + num(X(*chosen_x)) + "\" y1=\"" +
         num(top) + "\" y2=\"" + num(h - bottom) + "\" class=chosen />";
  }
  if (!pts.empty()) {
    std::string band;
    for (const auto& p : pts)
      band += num(X(p.x)) + "," + num(Y(std::isfinite(p.hi) ? p.hi : ymax)) + " ";
    for (auto it = pts.rbegin(); it != pts.rend(); ++it)
      band += num(X(it->x)) + "," + num(Y(it->lo)) + " ";
    s += "<polygon points=\"" + band + "\" class=band />";
    std::string line;
    for (const auto& p : pts) line += num(X(p.x)) + "," + num(Y(p.rate)) + " ";
    s += "<polyline points=\"" + line + "\" class=est />";
    for (const auto& p : pts) {
      s += "<circle cx=\"" + num(X(p.x)) + "\" cy=\"" + num(Y(p.rate)) +
           "\" r=\"2.6\" class=" + (p.x == 0 ? "now" : "pt") + "><title>" +
           html_escape(tick_label(p.x)) + ": " + html_escape(yfmt(p.rate)) + " [" +
           html_escape(yfmt(p.lo)) + ", " + html_escape(yfmt(p.hi)) + "]</title></circle>";
    }
  }
  return s + "</svg>";
}

const char* kCss = R"(
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:24px auto;max-width:1280px;color:#1d1d1f;line-height:1.45;padding:0 16px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;border-bottom:2px solid #dde3ec;padding-bottom:4px;margin-top:34px}
h3{font-size:15px;margin:18px 0 6px}
.lead{color:#555;margin:0 0 14px}
.advice{background:#eef7ee;border-left:6px solid #2e8b3d;padding:12px 16px;font-size:15px}
.advice.bad{background:#fdf0f0;border-left-color:#c62828}.advice.ok{background:#eef3fb;border-left-color:#1f5fbf}
.advice p{margin:4px 0}
table{border-collapse:collapse;font-size:13px;margin:8px 0}
th,td{border:1px solid #d6dbe3;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f2f5f9}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.nw{white-space:nowrap}tr.chosen td{background:#e3f3e5;font-weight:bold}
.scroll{overflow-x:auto}
.ci{color:#666;font-size:12px}
.charts{display:flex;flex-wrap:wrap;gap:10px}
svg.chart{border:1px solid #e3e7ee;background:#fff}
svg.chart .ct{font-size:13px;font-weight:bold}
svg.chart .grid{stroke:#eceff3;stroke-width:1}
svg.chart .yt{font-size:10px;text-anchor:end;fill:#555}
svg.chart .xt{font-size:10px;text-anchor:middle;fill:#555}
svg.chart .xl{font-size:10px;text-anchor:middle;fill:#333}
svg.chart .band{fill:#c9daf2;stroke:none}
svg.chart .est{fill:none;stroke:#1f5fbf;stroke-width:1.6}
svg.chart .pt{fill:#1f5fbf}svg.chart .now{fill:#444;stroke:#fff;stroke-width:1}
svg.chart .chosen{stroke:#2e8b3d;stroke-width:2;stroke-dasharray:5,3}
.legend span{display:inline-block;margin-right:18px;font-size:13px}
.sw{display:inline-block;width:26px;height:10px;vertical-align:middle;margin-right:5px}
.ladder{overflow-x:auto;border:1px solid #e3e7ee;margin:6px 0 16px}
.ladder svg{display:block;max-width:100%;height:auto}
.bar{display:inline-block;height:10px;background:#1f5fbf;vertical-align:middle}
.muted{color:#666}
.st-confirmed{color:#1b7f2a;font-weight:bold}.st-assumption{color:#8a5a00;font-weight:bold}
code{background:#f4f6f8;padding:1px 4px;border-radius:3px}
nav a{margin-right:14px}
)";

std::string strip_xml_decl(std::string svg) {
  if (svg.starts_with("<?xml")) svg.erase(0, svg.find('\n') + 1);
  return svg;
}

std::string setting_text(const YAML::Node& n) {
  if (n.IsScalar()) return n.Scalar();
  YAML::Emitter e;
  e << YAML::Flow << n;
  return e.c_str();
}

// The resolved configuration of one peer: each profile field, with the
// scenario line that overrides it or the profile's own source.
std::string peer_config(const scenario::Scenario& sc, const models::TrialConfig& config, char p) {
  const models::PeerConfig& pc = p == 'a' ? config.a : config.b;
  const std::string prefix = std::string("peers.") + p + ".";
  const models::Profile* prof = models::find_builtin_profile(pc.profile);
  std::string s = "<h3>Peer " + std::string(p == 'a' ? "A" : "B") + ": <code>" +
                  html_escape(pc.profile) + "</code>" +
                  (prof ? " — " + html_escape(prof->description) : std::string()) + "</h3>";
  s += "<p>Child SA lifetime as resolved: <b>" +
       html_escape(models::format_in_setting_units(models::child_lifetime_setting(pc.profile),
                                                   pc.child.lifetime)) +
       "</b>; IKE SA lifetime " + html_escape(models::format_hms(pc.ike.lifetime)) + ".</p>";
  s += "<table><tr><th>key</th><th>value</th><th>from</th><th>status</th><th>source / "
       "note</th></tr>";
  std::vector<std::string> shown;
  auto override_of = [&](const std::string& key) -> const scenario::Setting* {
    const scenario::Setting* found = nullptr;
    for (const auto& st : sc.settings) {
      if (st.path == prefix + key) found = &st;
    }
    return found;
  };
  if (prof != nullptr) {
    for (const auto& f : prof->fields) {
      const scenario::Setting* o = override_of(f.key);
      shown.push_back(f.key);
      if (o != nullptr) {
        s += "<tr><td><code>" + html_escape(f.key) + "</code></td><td><b>" +
             html_escape(setting_text(o->value)) + "</b></td><td>scenario " +
             html_escape(o->pos.file) + ":" + std::to_string(o->pos.line) +
             "</td><td>set</td><td class=muted>profile default " + html_escape(f.value) +
             "</td></tr>";
      } else {
        s += "<tr><td><code>" + html_escape(f.key) + "</code></td><td>" + html_escape(f.value) +
             "</td><td>profile</td><td class=st-" + std::string(models::to_string(f.status)) + ">" +
             std::string(models::to_string(f.status)) + "</td><td>" + html_escape(f.source) +
             (f.note.empty() ? "" : "<br><span class=muted>" + html_escape(f.note) + "</span>") +
             "</td></tr>";
      }
    }
  }
  for (const auto& st : sc.settings) {
    if (!st.path.starts_with(prefix)) continue;
    const std::string key = st.path.substr(prefix.size());
    if (std::find(shown.begin(), shown.end(), key) != shown.end()) continue;
    shown.push_back(key);
    s += "<tr><td><code>" + html_escape(key) + "</code></td><td><b>" +
         html_escape(setting_text(st.value)) + "</b></td><td>scenario " + html_escape(st.pos.file) +
         ":" + std::to_string(st.pos.line) + "</td><td>set</td><td></td></tr>";
  }
  return s + "</table>";
}

std::string setting_row(const models::PeerConfig& pc, const char* who) {
  const auto& st = models::child_lifetime_setting(pc.profile);
  std::string units;
  for (const auto& u : st.units) units += (units.empty() ? "" : ", ") + u;
  return "<tr><td>" + std::string(who) + " (" + html_escape(pc.profile) + ")</td><td>" +
         html_escape(st.setting) + "</td><td>" + html_escape(units) + "</td><td>" +
         html_escape(models::format_hms(st.step)) + "</td><td>" +
         html_escape(models::format_hms(st.min)) + " – " + html_escape(models::format_hms(st.max)) +
         "</td><td class=st-" + std::string(models::to_string(st.status)) + ">" +
         std::string(models::to_string(st.status)) + "</td><td>" + html_escape(st.source) +
         "<br><span class=muted>" + html_escape(st.note) + "</span></td></tr>";
}

}  // namespace

std::string html_escape(std::string_view s) {
  return trace::xml_escape(s);
}

std::string html_page(const std::string& title, const std::string& body) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<title>" +
         html_escape(title) + "</title><style>" + kCss + "</style></head><body>\n" + body +
         "\n</body></html>\n";
}

std::string render_report_html(const scenario::Scenario& sc, const Advice& a,
                               const std::vector<LadderShown>& ladders) {
  std::string b;
  b += "<h1>rekeysim report: " + html_escape(sc.name) + "</h1>";
  b += "<p class=lead>" + html_escape(sc.description) + "<br>Scenario <code>" +
       html_escape(sc.file) + "</code>, seed " + std::to_string(sc.seed) + ", " +
       std::to_string(sc.trials) + " trials of " + html_escape(per_trial_text(a.config)) +
       " simulated per configuration (raised where an interval straddled the target).</p>";
  b += "<nav><a href=\"#recommendation\">Recommendation</a><a href=\"#sweep\">Outcomes vs "
       "stagger</a><a href=\"#distribution\">Per-tunnel distribution</a><a "
       "href=\"#ladders\">Episodes</a><a href=\"#configuration\">Configuration</a><a "
       "href=\"#method\">Method</a></nav>";

  // ---- Recommendation ----
  b += "<section id=\"recommendation\"><h2>Recommendation</h2>";
  const char* cls = a.verdict == Verdict::kStagger           ? "advice"
                    : a.verdict == Verdict::kNoStaggerNeeded ? "advice ok"
                                                             : "advice bad";
  b += std::string("<div class=\"") + cls + "\">";
  switch (a.verdict) {
    case Verdict::kStagger: {
      const Candidate& c = a.tried[*a.chosen];
      b += "<p><b>" + html_escape(change_text(a, c)) + ".</b></p>";
      b += "<p>Expected harm " + html_escape(harm_text(c, a.weights)) + ".</p>";
      if (a.other) {
        const Candidate& x = a.tried[*a.other];
        b += "<p>If the other peer rekeyed first instead (" + html_escape(change_text(a, x)) +
             "), harm would be " + html_escape(harm_text(x, a.weights)) + ".</p>";
      }
      b += "<p>Now: " + html_escape(harm_text(a.current, a.weights)) + ".</p>";
      break;
    }
    case Verdict::kNoStaggerNeeded:
      b += "<p><b>No stagger needed.</b> The current lifetimes cost harm " +
           html_escape(harm_text(a.current, a.weights)) + ", below the target " +
           format_rate(a.target) + ".</p>";
      break;
    case Verdict::kNoneEnough:
      b += "<p><b>No stagger is enough</b> to bring the harm's upper 95% bound below " +
           format_rate(a.target) + ".</p><p>Now: " + html_escape(harm_text(a.current, a.weights)) +
           ".</p>";
      if (a.best) {
        b += "<p>Least harm tried: " + html_escape(change_text(a, a.tried[*a.best])) + ": " +
             html_escape(harm_text(a.tried[*a.best], a.weights)) + ".</p>";
      }
      b += "<p>Why: " + html_escape(a.why_none) + ".</p>";
      break;
  }
  b +=
      "</div><p class=muted>Harm per Child SA rekey = " + html_escape(describe_weights(a.weights)) +
      "; target: upper 95% bound below " + format_rate(a.target) +
      ". Evidence for every configuration tried is in the table below.</p>";
  const Outcome cols[] = {Outcome::kCollisions, Outcome::kCantFindSa, Outcome::kOutages,
                          Outcome::kEspDropped, Outcome::kDowntime,   Outcome::kTunnelResets};
  b += "<div class=scroll><table><tr><th>stagger</th><th>lifetime set</th><th>rekey "
       "episodes</th><th>harm / rekey "
       "[95%]</th>";
  for (const auto o : cols) b += "<th>" + std::string(models::outcome_name(o)) + " / rekey</th>";
  b += "</tr>";
  std::vector<const Candidate*> rows = {&a.current};
  for (const auto& c : a.tried) rows.push_back(&c);
  std::sort(rows.begin(), rows.end(),
            [](const Candidate* x, const Candidate* y) { return x->shift < y->shift; });
  for (const Candidate* c : rows) {
    const bool chosen = a.chosen && c == &a.tried[*a.chosen];
    std::string set = "(current)";
    if (c->peer != 0) {
      const auto& pc = c->peer == 'a' ? a.config.a : a.config.b;
      set =
          std::string(c->peer == 'a' ? "A " : "B ") + pc.profile + ": " +
          models::format_in_setting_units(models::child_lifetime_setting(pc.profile), c->lifetime);
    }
    b += std::string("<tr") + (chosen ? " class=chosen" : "") + "><td class=n>" +
         html_escape(c->peer == 0 ? "0" : tick_label(c->shift.ns() * 1e-9)) + "</td><td class=nw>" +
         html_escape(set) + "</td><td class=n>" + std::to_string(c->report.result.episodes) +
         "</td><td class=n>" + format_rate(c->harm.rate) + "<br><span class=ci>" +
         format_interval(c->harm.ci95) + "</span></td>";
    for (const auto o : cols) b += "<td class=n>" + stat_cell(c->report.result, o) + "</td>";
    b += "</tr>";
  }
  b += "</table></div>";
  for (const auto& n : a.notes) b += "<p class=muted>Note: " + html_escape(n) + "</p>";
  b += "</section>";

  // ---- Sweep ----
  b += "<section id=\"sweep\"><h2>Every outcome against the stagger, both directions</h2>";
  b += "<p class=legend><span><i class=sw style=\"background:#c9daf2\"></i>95% interval</span>"
       "<span><i class=sw style=\"height:2px;background:#1f5fbf\"></i>estimate per rekey "
       "episode</span><span><i class=sw style=\"height:0;border-top:2px dashed "
       "#2e8b3d\"></i>recommended stagger</span><span>● grey: current lifetimes (0)</span></p>";
  b += "<p class=muted>Negative: B's Phase 2 lifetime made shorter than now relative to A's, so B "
       "tends to rekey first; positive: A rekeys first. x axis: symmetric log.</p><div "
       "class=charts>";
  std::optional<double> chosen_x;
  if (a.chosen) chosen_x = a.tried[*a.chosen].shift.ns() * 1e-9;
  auto series = [&](Outcome o) {
    std::vector<SeriesPoint> pts;
    for (const Candidate* c : rows) {
      const auto& s = c->report.result.outcome(o);
      pts.push_back({c->shift.ns() * 1e-9, s.rate, s.ci95.lo, s.ci95.hi});
    }
    return pts;
  };
  {
    std::vector<SeriesPoint> pts;
    for (const Candidate* c : rows)
      pts.push_back({c->shift.ns() * 1e-9, c->harm.rate, c->harm.ci95.lo, c->harm.ci95.hi});
    b += chart("harm per rekey (weighted)", Outcome::kCollisions, true, pts, chosen_x);
  }
  for (const auto o : cols) {
    const std::string unit = o == Outcome::kEspDropped ? " (packets)"
                             : o == Outcome::kDowntime ? " (time)"
                                                       : "";
    b += chart(std::string(models::outcome_name(o)) + " per rekey" + unit, o, false, series(o),
               chosen_x);
  }
  b += "</div></section>";

  // ---- Distribution ----
  b += "<section id=\"distribution\"><h2>Per-tunnel distribution</h2>";
  b += "<p class=muted>Each trial is one tunnel over " + html_escape(per_trial_text(a.config)) +
       ". How many tunnels see an outcome at all, and how its per-rekey rate spreads across "
       "tunnels (p50 / p90 / p99 of the per-tunnel rate).</p>";
  std::vector<std::pair<std::string, const Candidate*>> dist = {{"current lifetimes", &a.current}};
  if (a.chosen) dist.push_back({"recommended", &a.tried[*a.chosen]});
  for (const auto& [label, c] : dist) {
    b += "<h3>" + html_escape(label) + " (" + std::to_string(c->report.result.trials) +
         " tunnels)</h3><table><tr><th>outcome</th><th>tunnels affected [95%]</th><th></th>"
         "<th>p50</th><th>p90</th><th>p99</th></tr>";
    for (const auto o : cols) {
      const auto& p = c->report.result.trial_view(o);
      b += "<tr><td>" + std::string(models::outcome_name(o)) + "</td><td class=n>" +
           format_percent(p.fraction_affected) + " <span class=ci>[" + format_percent(p.ci95.lo) +
           ", " + format_percent(p.ci95.hi) + "]</span></td><td><span class=bar style=\"width:" +
           num(std::max(1.0, p.fraction_affected * 160)) + "px\"></span></td><td class=n>" +
           amount(o, p.p50) + "</td><td class=n>" + amount(o, p.p90) + "</td><td class=n>" +
           amount(o, p.p99) + "</td></tr>";
    }
    b += "</table>";
  }
  b += "</section>";

  // ---- Ladders ----
  b += "<section id=\"ladders\"><h2>A representative episode of each kind</h2>";
  b += "<p class=muted>The first episode of each kind found, ±1 s around it (tunnel resets ±60 "
       "s). Time runs down; solid arrows are messages that arrived, a dashed arrow ending in ✕ "
       "was lost in the network, a dashed stub is a message sent before the window.</p>";
  for (const auto& l : ladders) {
    b += "<h3>" + html_escape(l.kind) + "</h3>";
    if (l.svg.empty()) {
      b += "<p class=muted>" + html_escape(l.absent) + "</p>";
    } else {
      b += "<p>" + html_escape(l.where) + "</p><div class=ladder>" + strip_xml_decl(l.svg) +
           "</div>";
    }
  }
  b += "</section>";

  // ---- Configuration ----
  b += "<section id=\"configuration\"><h2>Resolved configuration of both peers</h2>";
  b += "<p class=muted>Every value either comes from the peer's vendor profile (with the source it "
       "was read in, and whether it is confirmed there or assumed) or was set in the "
       "scenario.</p>";
  b += "<h3>Lifetime settings the advice is written for</h3><table><tr><th>peer</th><th>setting"
       "</th><th>units</th><th>step</th><th>range</th><th>status</th><th>source</th></tr>" +
       setting_row(a.config.a, "A") + setting_row(a.config.b, "B") + "</table>";
  b += peer_config(sc, a.config, 'a') + peer_config(sc, a.config, 'b');
  b += "</section>";

  // ---- Method ----
  b += "<section id=\"method\"><h2>How the numbers were computed</h2><ul>";
  b += "<li>Each configuration is simulated as independent trials (one tunnel each, seed " +
       std::to_string(sc.seed) +
       "): a discrete-event model of both peers' IKEv2 state machines (RFC 7296), the network "
       "(latency, jitter, loss) and ESP traffic. Same scenario and seed give the same numbers "
       "at any thread count.</li>";
  b += "<li>Rates are per Child SA rekey episode (one replacement of a Child SA by the pair). "
       "Collisions, can't-find-SA, outages, redundant SAs and tunnel resets: fraction of "
       "episodes with at least one, Wilson 95% interval. Dropped ESP packets and downtime: "
       "amount per episode, ratio-estimator 95% interval across trials.</li>";
  b += "<li>Harm = " + html_escape(describe_weights(a.weights)) +
       ". Its interval is the sum of each weighted outcome's own 95% bounds, so it covers at "
       "least 95%. A configuration passes when the upper bound is below " +
       format_rate(a.target) +
       "; where an interval straddled the target, more trials were run so that the data can "
       "show it.</li>";
  b += "<li>Staggers tried: ±1 s, ±2 s, ±5 s, ±10 s, ... up to half the shorter lifetime; each "
       "is realised as a lifetime one peer's setting can express (step and range in the table "
       "above), B's when possible, otherwise A's. Staggers neither device can express are "
       "skipped. The smallest stagger that passes is recommended, the lower-harm direction at "
       "that size.</li>";
  b += "<li>Per-tunnel view: the fraction of trials with at least one occurrence (Wilson "
       "interval) and quantiles of the per-trial rate.</li>";
  b += "<li>Episodes: the first of each kind found by re-running trials in index order with "
       "the trace on; the ladder shows every IKE message and SA change in the window.</li>";
  b += "</ul></section>";
  return html_page("rekeysim report: " + sc.name, b);
}

}  // namespace rekeysim::cli
