#include "tools/rekeysim/audit.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <fstream>
#include <latch>
#include <map>
#include <sstream>

#include "tools/rekeysim/html_report.hpp"
#include "tools/runner/threads.hpp"
#include "tools/runner/worker_pool.hpp"
#include "tools/scenario/values.hpp"

namespace rekeysim::cli {

namespace {

using json = nlohmann::ordered_json;
using scenario::ScenarioError;
using scenario::SourcePos;

constexpr double kDaysPerMonth = 30.44;

const char* const kColumns[] = {"name",    "a_profile", "b_profile",   "a_lifetime", "b_lifetime",
                                "latency", "traffic",   "a_overrides", "b_overrides"};
const std::string kColumnsText =
    "a header row of: name, a_profile, b_profile and optionally a_lifetime, b_lifetime, latency, "
    "traffic, a_overrides, b_overrides";

struct Field {
  std::string text;
  int column = 1;  // 1-based
};

// One CSV line into fields with their columns; "..." quotes a field (a
// doubled quote inside is one quote).
std::vector<Field> split_csv(const std::string& line, const std::string& file, int line_no) {
  std::vector<Field> out;
  std::size_t i = 0;
  while (true) {
    Field f;
    f.column = static_cast<int>(i) + 1;
    if (i < line.size() && line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            f.text += '"';
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        f.text += line[i++];
      }
      if (!closed)
        throw ScenarioError({file, line_no, f.column}, "inventory", "unterminated quoted field",
                            "a closing \" before the end of the line");
      if (i < line.size() && line[i] != ',')
        throw ScenarioError({file, line_no, static_cast<int>(i) + 1}, "inventory",
                            "text after a quoted field", "a comma after the closing \"");
    } else {
      while (i < line.size() && line[i] != ',') f.text += line[i++];
      // Surrounding blanks are not part of a value.
      const auto b = f.text.find_first_not_of(" \t");
      const auto e = f.text.find_last_not_of(" \t");
      if (b == std::string::npos) {
        f.text.clear();
      } else {
        f.column += static_cast<int>(b);
        f.text = f.text.substr(b, e - b + 1);
      }
    }
    out.push_back(std::move(f));
    if (i >= line.size()) break;
    ++i;  // the comma
  }
  return out;
}

scenario::Setting setting(const std::string& path, const std::string& text, SourcePos pos) {
  return scenario::make_setting(path, text, std::move(pos));
}

// "child.margin=5m;ike.lifetime=8h" -> peer settings, each at its column.
void add_overrides(InventoryTunnel& t, char peer, const Field& f, const std::string& file,
                   int line_no) {
  std::size_t start = 0;
  while (start < f.text.size()) {
    const std::size_t end = std::min(f.text.find(';', start), f.text.size());
    const std::string item = f.text.substr(start, end - start);
    const SourcePos pos{file, line_no, f.column + static_cast<int>(start)};
    const std::size_t eq = item.find('=');
    const std::string key = eq == std::string::npos ? item : item.substr(0, eq);
    const std::string path = std::string("peers.") + peer + "." + key;
    if (eq == std::string::npos || key.empty() || !scenario::is_config_path(path) ||
        key == "profile") {
      throw ScenarioError(
          pos, std::string(1, peer) + "_overrides",
          "\"" + item + "\" is not KEY=VALUE with a peer key",
          "peer keys as in `rekeysim schema`, e.g. child.margin=5m;ike.lifetime=8h");
    }
    t.settings.push_back(setting(path, item.substr(eq + 1), pos));
    start = end + 1;
  }
}

// Flattens a YAML peer map into settings ("child: {lifetime: 1h}" ->
// peers.a.child.lifetime), each at its own position.
void flatten(const YAML::Node& n, const std::string& path, const std::string& file,
             InventoryTunnel& t) {
  if (n.IsMap()) {
    for (const auto& kv : n) flatten(kv.second, path + "." + kv.first.Scalar(), file, t);
    return;
  }
  const SourcePos pos = scenario::pos_of(n, file);
  if (!scenario::is_config_path(path))
    throw ScenarioError(pos, path, "unknown key", "a key of `rekeysim schema`");
  scenario::Setting s;
  s.path = path;
  s.value = n;
  s.pos = pos;
  t.settings.push_back(std::move(s));
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw ScenarioError({path, 0, 0}, "inventory", "cannot read the file", "a readable file");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

scenario::Scenario base_scenario(const AuditOptions& o, const std::string& file) {
  const std::string text = "name: audit\nseed: " + std::to_string(o.seed) +
                           "\nduration: " + o.duration + "\ntrials: " + std::to_string(o.trials) +
                           "\nnetwork: {latency: 20ms}\ntraffic: {rate: 100pps, size: 600B}\n"
                           "peers: {a: {profile: rfc7296}, b: {profile: rfc7296}}\n";
  scenario::Scenario sc = scenario::load_scenario_text(text, "<audit defaults>");
  sc.file = file;
  return sc;
}

scenario::Scenario tunnel_scenario(const scenario::Scenario& base, const InventoryTunnel& t) {
  scenario::Scenario sc = base;
  sc.name = t.name;
  for (const auto& s : t.settings) sc.settings.push_back(s);
  return sc;
}

void check_names(const Inventory& inv) {
  std::map<std::string, SourcePos> seen;
  for (const auto& t : inv.tunnels) {
    if (t.name.empty())
      throw ScenarioError(t.pos, "name", "a tunnel without a name", "a unique tunnel name");
    const auto [it, fresh] = seen.emplace(t.name, t.pos);
    if (!fresh)
      throw ScenarioError(t.pos, "name",
                          "duplicate tunnel name \"" + t.name + "\" (first at line " +
                              std::to_string(it->second.line) + ")",
                          "a unique tunnel name");
  }
  if (inv.tunnels.empty())
    throw ScenarioError({inv.file, 1, 1}, "inventory", "no tunnels", "at least one tunnel");
}

std::string amount_month(double per_month, bool seconds) {
  return seconds ? format_seconds(per_month) : format_rate(per_month);
}

const char* risk_name(RiskClass r) {
  return r == RiskClass::kNeedsFix       ? "needs fix"
         : r == RiskClass::kInconclusive ? "inconclusive"
                                         : "ok";
}

std::string fix_text(const TunnelRisk& t) {
  if (t.risk != RiskClass::kNeedsFix) return "";
  if (!t.advice) return "(fix not searched)";
  const Advice& a = *t.advice;
  switch (a.verdict) {
    case Verdict::kStagger:
      return change_text(a, a.tried[*a.chosen]) + " -> harm " +
             format_rate(a.tried[*a.chosen].harm.rate) + "/rekey " +
             format_interval(a.tried[*a.chosen].harm.ci95) +
             " (estimate; confirm with `rekeysim recommend`)";
    case Verdict::kNoStaggerNeeded:
      return "none needed once more trials ran";
    case Verdict::kNoneEnough:
      // The audit's few trials may not prove a fix that the estimate favours.
      if (a.best && a.tried[*a.best].harm.rate < a.target) {
        const Candidate& c = a.tried[*a.best];
        return "likely: " + change_text(a, c) + " -> harm " + format_rate(c.harm.rate) + "/rekey " +
               format_interval(c.harm.ci95) +
               " (not proven with these trials: confirm with `rekeysim recommend`)";
      }
      return "no stagger is enough: " + a.why_none;
  }
  return "";
}

std::string pad(std::string s, std::size_t w) {
  if (s.size() < w) s.append(w - s.size(), ' ');
  return s + (s.size() >= w ? " " : "");
}

}  // namespace

Inventory parse_inventory_csv(std::string_view text, const std::string& file) {
  Inventory inv;
  inv.file = file;
  std::istringstream in{std::string(text)};
  std::string line;
  int line_no = 0;
  std::vector<std::string> header;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos || line.starts_with("#")) continue;
    const auto fields = split_csv(line, file, line_no);
    if (header.empty()) {
      for (const auto& f : fields) {
        if (std::find(std::begin(kColumns), std::end(kColumns), f.text) == std::end(kColumns)) {
          throw ScenarioError({file, line_no, f.column}, "inventory",
                              "unknown column \"" + f.text + "\"", kColumnsText);
        }
        header.push_back(f.text);
      }
      for (const char* required : {"name", "a_profile", "b_profile"}) {
        if (std::find(header.begin(), header.end(), required) == header.end())
          throw ScenarioError({file, line_no, 1}, "inventory",
                              std::string("no column \"") + required + "\"", kColumnsText);
      }
      continue;
    }
    if (fields.size() != header.size()) {
      throw ScenarioError({file, line_no, fields.back().column}, "inventory",
                          std::to_string(fields.size()) + " fields where the header has " +
                              std::to_string(header.size()),
                          "one value (possibly empty) per header column");
    }
    InventoryTunnel t;
    t.pos = {file, line_no, 1};
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const Field& f = fields[i];
      const SourcePos pos{file, line_no, f.column};
      const std::string& col = header[i];
      if (col == "name") {
        t.name = f.text;
        t.pos = pos;
        continue;
      }
      if (f.text.empty()) {
        if (col == "a_profile" || col == "b_profile")
          throw ScenarioError(pos, col, "no profile",
                              "a built-in profile name (`rekeysim profiles`)");
        continue;
      }
      if (col == "a_profile") t.settings.push_back(setting("peers.a.profile", f.text, pos));
      if (col == "b_profile") t.settings.push_back(setting("peers.b.profile", f.text, pos));
      if (col == "a_lifetime") t.settings.push_back(setting("peers.a.child.lifetime", f.text, pos));
      if (col == "b_lifetime") t.settings.push_back(setting("peers.b.child.lifetime", f.text, pos));
      if (col == "latency") t.settings.push_back(setting("network.latency", f.text, pos));
      if (col == "traffic") {
        const bool bare = f.text.find_first_not_of("0123456789.") == std::string::npos;
        t.settings.push_back(setting("traffic.rate", bare ? f.text + "pps" : f.text, pos));
      }
      if (col == "a_overrides") add_overrides(t, 'a', f, file, line_no);
      if (col == "b_overrides") add_overrides(t, 'b', f, file, line_no);
    }
    inv.tunnels.push_back(std::move(t));
  }
  if (header.empty()) throw ScenarioError({file, 1, 1}, "inventory", "no header row", kColumnsText);
  check_names(inv);
  return inv;
}

Inventory parse_inventory_yaml(std::string_view text, const std::string& file) {
  Inventory inv;
  inv.file = file;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    throw ScenarioError({file, e.mark.line + 1, e.mark.column + 1}, "inventory", e.msg,
                        "YAML: {tunnels: [{name, a: {profile}, b: {profile}, latency, traffic}]}");
  }
  const YAML::Node tunnels = root.IsMap() ? root["tunnels"] : YAML::Node();
  if (!tunnels || !tunnels.IsSequence())
    throw ScenarioError(root ? scenario::pos_of(root, file) : SourcePos{file, 1, 1}, "tunnels",
                        "no `tunnels:` list", "tunnels: [{name: ..., a: {profile: panos}, ...}]");
  for (const auto& n : tunnels) {
    InventoryTunnel t;
    t.pos = scenario::pos_of(n, file);
    if (!n.IsMap())
      throw ScenarioError(t.pos, "tunnels", "a tunnel that is not a map",
                          "{name: ..., a: {profile: ...}, b: {profile: ...}}");
    for (const auto& kv : n) {
      const std::string k = kv.first.Scalar();
      const SourcePos pos = scenario::pos_of(kv.first, file);
      if (k == "name") {
        t.name = kv.second.Scalar();
      } else if (k == "a" || k == "b") {
        if (!kv.second.IsMap() || !kv.second["profile"])
          throw ScenarioError(pos, k, "a peer without `profile`", "{profile: NAME, ...peer keys}");
        flatten(kv.second, "peers." + k, file, t);
      } else if (k == "latency") {
        flatten(kv.second, "network.latency", file, t);
      } else if (k == "traffic") {
        flatten(kv.second, "traffic.rate", file, t);
      } else {
        throw ScenarioError(pos, k, "unknown tunnel key \"" + k + "\"",
                            "name, a, b, latency or traffic");
      }
    }
    inv.tunnels.push_back(std::move(t));
  }
  check_names(inv);
  return inv;
}

Inventory load_inventory(const std::string& path) {
  const std::string text = read_file(path);
  if (path.ends_with(".csv")) return parse_inventory_csv(text, path);
  if (path.ends_with(".yaml") || path.ends_with(".yml")) return parse_inventory_yaml(text, path);
  throw ScenarioError({path, 0, 0}, "inventory", "unknown inventory format",
                      "a file ending .csv, .yaml or .yml");
}

std::vector<TunnelRisk> run_audit(const Inventory& inv, const AuditOptions& opt) {
  const scenario::Scenario base = base_scenario(opt, inv.file);
  // Every tunnel is built before anything runs: a bad line fails at once.
  std::vector<scenario::Scenario> scs;
  for (const auto& t : inv.tunnels) {
    scs.push_back(tunnel_scenario(base, t));
    (void)scenario::build_with(scs.back(), {});
  }
  std::vector<TunnelRisk> out(scs.size());
  std::vector<std::exception_ptr> errors(scs.size());
  CommonOptions one;  // each tunnel on one thread; tunnels in parallel
  one.threads = 1;
  one.quiet = true;
  auto audit_one = [&](std::size_t i) {
    TunnelRisk& r = out[i];
    const scenario::Scenario& sc = scs[i];
    r.name = sc.name;
    const scenario::Point point = scenario::build_with(sc, {});
    r.config = point.config;
    r.result = run_points(sc, {point}, one, model_trial()).front().result;
    r.harm = harm_of(r.result, opt.advice.weights);
    const double days = r.result.tunnel_days();
    r.rekeys_per_month =
        days > 0 ? static_cast<double>(r.result.episodes) / days * kDaysPerMonth : 0;
    r.per_month = {r.harm.rate * r.rekeys_per_month,
                   {r.harm.ci95.lo * r.rekeys_per_month, r.harm.ci95.hi * r.rekeys_per_month}};
    r.risk = r.harm.ci95.hi < opt.advice.target ? RiskClass::kOk
             : r.harm.rate > opt.advice.target  ? RiskClass::kNeedsFix
                                                : RiskClass::kInconclusive;
    if (opt.fixes && r.risk == RiskClass::kNeedsFix) {
      AdviceOptions ao = opt.advice;
      ao.pass_on_estimate = true;  // a screen: `recommend` proves the fix
      r.advice = advise(sc, ao, one);
    }
  };
  const unsigned threads = runner::effective_threads(opt.threads, scs.size());
  if (threads <= 1) {
    for (std::size_t i = 0; i < scs.size(); ++i) audit_one(i);
  } else {
    runner::WorkerPool pool(threads);
    std::latch done(static_cast<std::ptrdiff_t>(scs.size()));
    for (std::size_t i = 0; i < scs.size(); ++i) {
      pool.post([&, i] {
        try {
          audit_one(i);
        } catch (...) {
          errors[i] = std::current_exception();
        }
        done.count_down();
      });
    }
    done.wait();
    for (const auto& e : errors)
      if (e) std::rethrow_exception(e);
  }
  std::stable_sort(out.begin(), out.end(), [](const TunnelRisk& x, const TunnelRisk& y) {
    if (x.harm.rate != y.harm.rate) return x.harm.rate > y.harm.rate;
    if (x.harm.ci95.hi != y.harm.ci95.hi) return x.harm.ci95.hi > y.harm.ci95.hi;
    return x.name < y.name;
  });
  return out;
}

std::string render_audit_table(const std::vector<TunnelRisk>& ranked, const AuditOptions& o) {
  std::string out = std::to_string(ranked.size()) + " tunnels, " + std::to_string(o.trials) +
                    " trials x " + o.duration +
                    " each; harm per Child SA rekey = " + describe_weights(o.advice.weights) +
                    "; a tunnel needs a fix when its harm "
                    "exceeds " +
                    format_rate(o.advice.target) + " per rekey\n\n";
  out += pad("rank", 5) + pad("tunnel", 22) + pad("A", 13) + pad("B", 13) +
         pad("harm/rekey [95% CI]", 32) + pad("rekeys/mo", 10) + pad("harm/month [95% CI]", 30) +
         pad("outages/mo", 11) + pad("risk", 13) + "fix\n";
  std::size_t rank = 0;
  for (const auto& t : ranked) {
    const double outages_mo = t.result.outcome(models::Outcome::kOutages).per_day * kDaysPerMonth;
    out += pad(std::to_string(++rank), 5) + pad(t.name, 22) + pad(t.config.a.profile, 13) +
           pad(t.config.b.profile, 13) +
           pad(format_rate(t.harm.rate) + " " + format_interval(t.harm.ci95), 32) +
           pad(format_rate(t.rekeys_per_month), 10) +
           pad(format_rate(t.per_month.rate) + " " + format_interval(t.per_month.ci95), 30) +
           pad(amount_month(outages_mo, false), 11) + pad(risk_name(t.risk), 13) + fix_text(t) +
           "\n";
  }
  out +=
      "\nharm intervals: the sum of each weighted outcome's 95% bounds; per month = per rekey x "
      "the tunnel's simulated rekeys per 30.44 days. 'inconclusive': below the threshold but "
      "the interval reaches above it (run more --trials).\n";
  return out;
}

std::string render_audit_csv(const std::vector<TunnelRisk>& ranked) {
  auto quote = [](const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  auto n = [](double x) { return std::isfinite(x) ? scenario::format_number(x) : std::string(); };
  std::string out =
      "rank,tunnel,a_profile,b_profile,episodes,harm_per_rekey,harm_ci95_lo,harm_ci95_hi,"
      "rekeys_per_month,harm_per_month,harm_per_month_ci95_lo,harm_per_month_ci95_hi,"
      "outages_per_month,downtime_s_per_month,risk,fix\n";
  std::size_t rank = 0;
  for (const auto& t : ranked) {
    out += std::to_string(++rank) + "," + quote(t.name) + "," + quote(t.config.a.profile) + "," +
           quote(t.config.b.profile) + "," + std::to_string(t.result.episodes) + "," +
           n(t.harm.rate) + "," + n(t.harm.ci95.lo) + "," + n(t.harm.ci95.hi) + "," +
           n(t.rekeys_per_month) + "," + n(t.per_month.rate) + "," + n(t.per_month.ci95.lo) + "," +
           n(t.per_month.ci95.hi) + "," +
           n(t.result.outcome(models::Outcome::kOutages).per_day * kDaysPerMonth) + "," +
           n(t.result.outcome(models::Outcome::kDowntime).per_day * kDaysPerMonth * 1e-9) + "," +
           risk_name(t.risk) + "," + quote(fix_text(t)) + "\n";
  }
  return out;
}

std::string render_audit_json(const std::vector<TunnelRisk>& ranked, const AuditOptions& o) {
  json j;
  j["trials"] = o.trials;
  j["seed"] = o.seed;
  j["duration"] = o.duration;
  j["target"] = o.advice.target;
  j["tunnels"] = json::array();
  std::size_t rank = 0;
  for (const auto& t : ranked) {
    json x;
    x["rank"] = ++rank;
    x["tunnel"] = t.name;
    x["a_profile"] = t.config.a.profile;
    x["b_profile"] = t.config.b.profile;
    x["episodes"] = t.result.episodes;
    x["harm_per_rekey"] = t.harm.rate;
    x["harm_ci95"] = json::array(
        {t.harm.ci95.lo, std::isfinite(t.harm.ci95.hi) ? json(t.harm.ci95.hi) : json(nullptr)});
    x["rekeys_per_month"] = t.rekeys_per_month;
    x["harm_per_month"] = t.per_month.rate;
    x["harm_per_month_ci95"] = json::array({t.per_month.ci95.lo, std::isfinite(t.per_month.ci95.hi)
                                                                     ? json(t.per_month.ci95.hi)
                                                                     : json(nullptr)});
    x["risk"] = risk_name(t.risk);
    x["fix"] = fix_text(t);
    if (t.advice && t.advice->chosen) {
      const Candidate& c = t.advice->tried[*t.advice->chosen];
      x["fix_peer"] = std::string(1, c.peer);
      x["fix_lifetime_s"] = c.lifetime.ns() / 1'000'000'000;
    }
    j["tunnels"].push_back(x);
  }
  return j.dump(2) + "\n";
}

std::string render_audit_html(const std::string& file, const std::vector<TunnelRisk>& ranked,
                              const AuditOptions& o) {
  std::size_t needs = 0;
  double max_month = 0;
  for (const auto& t : ranked) {
    needs += t.risk == RiskClass::kNeedsFix;
    max_month = std::max(max_month, t.per_month.rate);
  }
  std::string b = "<h1>rekeysim fleet audit</h1><p class=lead>Inventory <code>" +
                  html_escape(file) + "</code>: " + std::to_string(ranked.size()) + " tunnels, " +
                  std::to_string(needs) + " need a fix. Each tunnel simulated as " +
                  std::to_string(o.trials) + " trials x " + html_escape(o.duration) + " (seed " +
                  std::to_string(o.seed) + ").</p>";
  b += "<section id=\"ranking\"><h2>Tunnels, most harmful first</h2><p class=muted>Harm per "
       "Child SA rekey = " +
       html_escape(describe_weights(o.advice.weights)) +
       "; a tunnel needs a fix when its harm "
       "exceeds " +
       format_rate(o.advice.target) +
       " per rekey. Per month = per rekey × the tunnel's rekeys in 30.44 days. Intervals: 95%.</p>";
  b += "<div class=scroll><table><tr><th>#</th><th>tunnel</th><th>A</th><th>B</th><th>harm / "
       "rekey</th><th>harm / month</th><th></th><th>outages / month</th><th>risk</th><th>fix</th>"
       "</tr>";
  std::size_t rank = 0;
  for (const auto& t : ranked) {
    const char* color = t.risk == RiskClass::kNeedsFix       ? "#c62828"
                        : t.risk == RiskClass::kInconclusive ? "#b26a00"
                                                             : "#2e8b3d";
    char w[32];
    std::snprintf(w, sizeof w, "%.1f",
                  max_month > 0 ? std::max(1.0, t.per_month.rate / max_month * 120) : 1.0);
    b += "<tr><td class=n>" + std::to_string(++rank) + "</td><td class=nw>" + html_escape(t.name) +
         "</td><td>" + html_escape(t.config.a.profile) + "</td><td>" +
         html_escape(t.config.b.profile) + "</td><td class=n>" + format_rate(t.harm.rate) +
         "<br><span class=ci>" + format_interval(t.harm.ci95) + "</span></td><td class=n>" +
         format_rate(t.per_month.rate) + "<br><span class=ci>" + format_interval(t.per_month.ci95) +
         "</span></td><td><span class=bar style=\"width:" + w + "px;background:" + color +
         "\"></span></td><td class=n>" +
         format_rate(t.result.outcome(models::Outcome::kOutages).per_day * kDaysPerMonth) +
         "</td><td style=\"color:" + color + ";font-weight:bold\">" + risk_name(t.risk) +
         "</td><td>" + html_escape(fix_text(t)) + "</td></tr>";
  }
  b += "</table></div></section>";
  b += "<section id=\"method\"><h2>How the numbers were computed</h2><p>Each tunnel is the "
       "scenario its inventory line describes (defaults: 20 ms one way, 100 packets/s each way "
       "of 600 B), simulated with rekeysim's IKEv2 model; harm and its interval as in "
       "<code>rekeysim report</code>. Fixes are searched only for tunnels that need one, with "
       "<code>rekeysim recommend</code>'s search (staggers each device can be configured "
       "with).</p></section>";
  return html_page("rekeysim fleet audit", b);
}

}  // namespace rekeysim::cli
