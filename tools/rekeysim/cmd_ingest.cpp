// `rekeysim ingest LOG [LOG_B]`: one or both peers' real logs read back into
// rekeysim's typed trace records, put on one time line, and reported as the
// episode timeline (the outcome vocabulary of `run`) and what the logs say
// about the tunnel, each value with the log lines it came from. Optionally
// writes the records (JSON Lines), a scenario reproducing the tunnel, and
// compares a run of that scenario with what the logs counted.
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "models/profiles/profile.hpp"
#include "sim/stats.hpp"
#include "tools/ingest/align.hpp"
#include "tools/ingest/timeline.hpp"
#include "tools/rekeysim/advice.hpp"
#include "tools/rekeysim/common.hpp"
#include "tools/scenario/profile_file.hpp"
#include "tools/trace/trace_views.hpp"

namespace rekeysim::cli {

namespace {

// What a log's outage count is (tools/ingest/README.md, Cisco): bursts of
// dropped ESP, where `run` counts a direction left without a working SA. A
// burst also comes from packets in flight when the sender switched, and an
// outage while nothing was sent leaves no drop line, so neither bounds the other.
constexpr const char* kOutageMeasure =
    "  (bursts of dropped ESP: packets in flight at a switch count too, an outage with nothing "
    "sent does not; `run` counts outages from SA state)";

struct IngestCliOptions {
  std::vector<std::string> logs;
  std::string style = "auto";
  std::string style_b = "auto";
  std::string peer = "a";
  std::string out;
  std::string scenario_out;
  std::string profile_b;
  bool compare = false;
  bool verbose = false;
  bool force_pair = false;  // merge two logs that do not look like one tunnel's
  std::uint64_t trials = 20;
  std::vector<std::string> sets;  // for --compare: values the logs do not show
};

[[noreturn]] void usage(const std::string& field, const std::string& what,
                        const std::string& expected) {
  throw scenario::ScenarioError({"<command line>", 1, 1}, field, what, expected);
}

std::optional<ingest::Style> style_option(const std::string& flag, const std::string& value) {
  if (value == "auto") return std::nullopt;
  auto s = ingest::parse_style(value);
  if (!s)
    usage(flag, "unknown style \"" + value + "\"",
          "auto, panos, strongswan, strongswan-6, cisco-asa, libreswan, cisco-ios or juniper-srx");
  return s;
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// A duration in seconds as the scenario grammar reads it, with a sensible unit.
std::string yaml_duration(double s) {
  if (s >= 3600 && std::fmod(s, 3600) == 0) return fmt("%.0fh", s / 3600);
  if (s >= 60 && std::fmod(s, 60) == 0) return fmt("%.0fm", s / 60);
  if (s >= 1000) {
    // %g would print 4860.068 s as "4.86e+03s", which the grammar refuses.
    std::string t = fmt("%.3f", s);
    while (t.back() == '0') t.pop_back();
    if (t.back() == '.') t.pop_back();
    return t + "s";
  }
  if (s >= 1) return fmt("%.3gs", s);
  if (s >= 1e-3) return fmt("%.3gms", s * 1e3);
  return fmt("%.3gus", s * 1e6);
}

std::string human(double s) {
  if (s >= 1) return fmt("%.3f s", s);
  if (s >= 1e-3) return fmt("%.3f ms", s * 1e3);
  return fmt("%.1f us", s * 1e6);
}

struct LogIn {
  std::string path;
  ingest::IngestResult result;
};

std::string where(const std::vector<LogIn>& logs, const ingest::Evidence& e) {
  const std::size_t i = e.peer == models::PeerId::kA ? 0 : 1;
  const std::string& p = logs[std::min(i, logs.size() - 1)].path;
  const auto slash = p.find_last_of('/');
  return (slash == std::string::npos ? p : p.substr(slash + 1)) + ":" + std::to_string(e.line);
}

std::string lines_of(const std::vector<LogIn>& logs, const std::vector<ingest::Evidence>& ev,
                     std::size_t max = 4) {
  std::string s;
  for (std::size_t i = 0; i < ev.size() && i < max; ++i)
    s += (s.empty() ? "" : ", ") + where(logs, ev[i]);
  if (ev.size() > max) s += ", ...";
  return s;
}

// The profile a vendor's log points at (models/profiles names).
std::string profile_for(const ingest::IngestResult& r) {
  switch (r.style) {
    case ingest::Style::kPanos:
      return "panos";
    case ingest::Style::kStrongswan:
      return r.version.find("strongSwan 5") == 0 ? "strongswan-5.9" : "strongswan";  // 6.x
    case ingest::Style::kCiscoAsa:
      return "cisco-asa";
    case ingest::Style::kLibreswan:
      return "libreswan";
    case ingest::Style::kCiscoIos:
      return "cisco-ios";
    case ingest::Style::kJuniperSrx:
      return "juniper-srx";
  }
  return "rfc7296";
}

std::string count_text(const std::optional<std::uint64_t>& v) {
  return v ? std::to_string(*v) : std::string("not shown by this log style");
}

// `peer_b`: one log, of peer B (--peer b): labelled B.
std::string report(const std::vector<LogIn>& logs, const ingest::Merged& merged,
                   const ingest::Timeline& tl, bool peer_b) {
  std::ostringstream o;
  for (std::size_t i = 0; i < logs.size(); ++i) {
    const auto& r = logs[i].result;
    o << "log " << (i == 0 && !peer_b ? "A" : "B") << ": " << logs[i].path << ", style "
      << ingest::to_string(r.style) << (r.detected ? " (detected)" : "") << ", vendor "
      << (r.version.empty() ? std::string("version not shown") : r.version);
    if (r.version_line) o << " (line " << r.version_line << ")";
    o << "\n";
  }
  if (logs.size() == 2) {
    const auto& al = merged.alignment;
    o << "alignment: by " << ingest::to_string(al.method) << " (" << al.messages_matched
      << " messages, " << al.spis_matched
      << " SPIs matched); B's clock - A's = " << fmt("%+.6f s", al.offset.seconds()) << ", within ["
      << fmt("%+.6f", al.low.seconds()) << ", " << fmt("%+.6f", al.high.seconds()) << "] s"
      << (al.one_sided ? " (messages one way only: one end is a bound, the other 1 s past it)" : "")
      << "\n";
  }
  o << "timeline (t = 0 at log " << (peer_b ? "B" : "A") << "'s first timestamp):\n";
  if (tl.episodes.empty()) o << "  no episode\n";
  for (const auto& e : tl.episodes) {
    o << "  t=" << fmt("%12.3f", e.time.seconds()) << " s  " << trace::to_string(e.kind);
    if (!e.detail.empty()) o << " (" << e.detail << ")";
    o << "  lines " << lines_of(logs, e.lines, 6) << "\n";
  }
  if (tl.episodes_not_listed > 0)
    o << "  ... " << tl.episodes_not_listed << " more episodes (counted below, not listed)\n";
  o << "outcomes (the names `run` uses):\n";
  o << "  child_rekeys   "
    << (tl.child_rekeys_shown ? std::to_string(tl.child_rekeys) : "not shown") << "  ("
    << tl.child_rekeys_from << ")\n";
  auto rate = [&](const std::optional<std::uint64_t>& k) {
    if (!k || tl.child_rekeys == 0) return std::string();
    if (*k > tl.child_rekeys) return std::string("  (more episodes than rekeys seen: no rate)");
    const auto ci = sim::wilson_interval(std::min(*k, tl.child_rekeys), tl.child_rekeys);
    return "  rate " + fmt("%.3f", static_cast<double>(*k) / static_cast<double>(tl.child_rekeys)) +
           "/rekey, Wilson 95% [" + fmt("%.3f", ci.lo) + ", " + fmt("%.3f", ci.hi) + "]";
  };
  o << "  collisions     " << count_text(tl.collisions) << rate(tl.collisions) << "\n";
  o << "  cant_find_sa   " << count_text(tl.cant_find_sa) << rate(tl.cant_find_sa) << "\n";
  o << "  redundant_sas  "
    << (tl.redundant_sas || logs.size() == 2
            ? count_text(tl.redundant_sas)
            : std::string("needs both peers' logs (an SA neither peer deleted)"))
    << "\n";
  // A log shows drops, not SA state: see kOutageMeasure.
  o << "  outages        " << count_text(tl.outages) << (tl.outages ? kOutageMeasure : "") << "\n";
  o << "  tunnel_resets  " << count_text(tl.tunnel_resets) << "\n";
  o << "  ike_rekeys     " << tl.ike_rekeys << "\n";
  o << "inferred:\n";
  auto durations = [&](const char* what, const ingest::Durations& d, const char* extra) {
    o << "  " << what << ": ";
    if (d.empty()) {
      o << "not shown (fewer than two points)\n";
      return;
    }
    const auto ci = d.mean_ci95();
    o << "median " << human(d.median());
    if (d.n > ingest::Durations::kMaxKept) o << " (of a sample of " << d.values_s.size() << ")";
    if (d.n > 1) {
      o << ", mean 95% [" << human(std::max(0.0, ci.lo)) << ", " << human(ci.hi) << "], range "
        << human(d.min_s) << " .. " << human(d.max_s);
    } else {
      o << " (one value: no interval)";
    }
    o << ", n=" << d.n << extra << "; lines " << lines_of(logs, d.lines) << "\n";
  };
  durations("Child SA rekey interval (= lifetime - margin - random part)", tl.child_interval, "");
  durations("IKE SA rekey interval", tl.ike_interval, "");
  const bool requests_logged = tl.rekey_requests[0] + tl.rekey_requests[1] > 0;
  if (!requests_logged && tl.soft_expiries[0] + tl.soft_expiries[1] > 0) {
    // PAN-OS logs no CREATE_CHILD_SA at its default level; its soft expiry
    // starts each rekey it initiates (a collision shows on both sides).
    o << "  who initiates Child SA rekeys: A " << tl.soft_expiries[0] << ", B "
      << tl.soft_expiries[1] << " soft expiries (each starts a rekey; no request logged)";
  } else if (!requests_logged) {
    // ASA, IOS and kmd log no REKEY_SA request and no soft expiry.
    o << "  who initiates Child SA rekeys: not shown (no rekey request or soft expiry logged)";
  } else {
    o << "  who initiates Child SA rekeys: A " << tl.rekey_requests[0] << ", B "
      << tl.rekey_requests[1] << " requests";
  }
  if (!tl.initiator_lines.empty()) o << "; lines " << lines_of(logs, tl.initiator_lines);
  o << "\n";
  if (requests_logged) {
    o << "  PFS on Child SA rekeys (KE in the request): A " << tl.pfs_requests[0] << " of "
      << tl.rekey_requests[0] << ", B " << tl.pfs_requests[1] << " of " << tl.rekey_requests[1]
      << "\n";
  } else {
    o << "  PFS on Child SA rekeys: not shown (no rekey request logged)\n";
  }
  durations("one-way latency (half of request -> response gaps, responder processing included)",
            tl.one_way, "");
  if (tl.one_way.empty() && tl.one_way_below_resolution)
    o << "  (request -> response gaps seen, but the timestamps have whole seconds only)\n";
  if (tl.one_way.n > 1) o << "  jitter (sd of those): " << human(tl.one_way.sd()) << "\n";
  return o.str();
}

// A scenario reproducing the tunnel: every value with the lines it came from.
// `peer_b`: one log, of peer B (--peer b): its profile goes on peer b.
// `profile_other`: --profile-b, the profile of the peer whose log is not given.
std::string scenario_yaml(const std::vector<LogIn>& logs, const ingest::Timeline& tl,
                          const std::string& profile_other, bool peer_b) {
  std::ostringstream y;
  y << "# Written by `rekeysim ingest`";
  for (const auto& l : logs) y << " " << l.path;
  y << ".\n# Each value names the log lines it was read from, or says \"profile default\".\n";
  y << "name: ingested\n";
  y << "description: the tunnel of the ingested log" << (logs.size() > 1 ? "s" : "") << "\n";
  y << "seed: 1\n";
  y << "rekeys: 500          # Child SA rekey episodes per trial\n";
  y << "trials: 20\n";
  y << "network:\n";
  if (tl.one_way.empty()) {
    y << "  latency: 10ms      # not shown in the logs: an assumption\n";
  } else {
    y << "  latency: " << yaml_duration(std::max(1e-6, tl.one_way.stats.mean()))
      << "   # mean half request->response gap, n=" << tl.one_way.n << ": "
      << lines_of(logs, tl.one_way.lines) << "\n";
    if (tl.one_way.n > 1 && tl.one_way.sd() > 0)
      y << "  jitter: {dist: normal, sd: " << yaml_duration(tl.one_way.sd())
        << "}   # sd of the same gaps\n";
  }
  y << "peers:\n";
  for (std::size_t i = 0; i < 2; ++i) {
    // The log of peer i: with one log, that of the peer --peer names.
    const bool has_log = logs.size() > 1 || (i == 1) == peer_b;
    const LogIn& l = logs[logs.size() > 1 ? i : 0];
    y << "  " << (i == 0 ? "a" : "b") << ":\n";
    y << "    profile: "
      << (!has_log && !profile_other.empty() ? profile_other : profile_for(l.result)) << "   # ";
    if (!has_log && !profile_other.empty()) {
      y << "--profile-b (the peer whose log is not given)\n";
    } else if (!has_log) {
      y << "no log of peer " << (i == 0 ? "A" : "B") << ": the same vendor as "
        << (i == 0 ? "B" : "A") << " assumed (--profile-b names it)\n";
    } else {
      y << "log style " << ingest::to_string(l.result.style);
      if (l.result.version_line)
        y << ", " << l.result.version << " (" << l.path << ":" << l.result.version_line << ")";
      y << "\n";
    }
    if (!tl.child_interval.empty()) {
      // The log shows when SAs were rekeyed: lifetime - margin - random part.
      // Lifetime and margin apart are not visible; the margin is written as
      // half the rekey interval (it matters only for hard expiry).
      // The random part: the middle half of the intervals (the extremes carry
      // the network's and the daemon's own delays too).
      std::vector<double> v = tl.child_interval.values_s;
      std::sort(v.begin(), v.end());
      const double q1 = v[v.size() / 4];
      const double q3 = v[(3 * v.size()) / 4];
      const double soft = std::round(q3 * 1000) / 1000;
      const double margin = std::max(1.0, std::round(soft / 2));
      const double spread = q3 - q1;
      const double fuzz = spread < 0.005 ? 0 : std::min(1.0, spread / margin);
      y << "    child: {lifetime: " << yaml_duration(std::round((soft + margin) * 1000) / 1000)
        << ", margin: " << yaml_duration(margin) << ", fuzz: " << fmt("%.3g", fuzz) << "}\n";
      y << "    # rekey interval (lifetime - margin): upper quartile " << human(q3)
        << ", interquartile spread " << human(spread)
        << " (fuzz 0 below 5 ms), n=" << tl.child_interval.n << " ("
        << lines_of(logs, tl.child_interval.lines)
        << "); lifetime and margin apart: not in the log (margin = half the interval assumed)\n";
    } else {
      y << "    # child lifetime and margin: profile default (no rekey interval in the log)\n";
    }
    if (tl.pfs_requests[i] > 0) {
      y << "    behaviour: {child_pfs: true}   # " << tl.pfs_requests[i] << " of "
        << tl.rekey_requests[i] << " rekey requests carry KE: " << lines_of(logs, tl.pfs_lines[i])
        << "\n";
    } else if (tl.rekey_requests[i] > 0) {
      y << "    behaviour: {child_pfs: false}   # no KE in " << tl.rekey_requests[i]
        << " rekey requests\n";
    } else {
      y << "    # child_pfs: profile default (no rekey request of this peer in the logs)\n";
    }
    if (!tl.ike_interval.empty()) {
      y << "    ike: {lifetime: " << yaml_duration(std::round(tl.ike_interval.median() * 1.1))
        << "}   # IKE rekey interval " << human(tl.ike_interval.median()) << " ("
        << lines_of(logs, tl.ike_interval.lines) << ") / 0.9\n";
    } else {
      y << "    # ike lifetime: profile default\n";
    }
  }
  y << "# The fix to try: stagger the two Child SA lifetimes (B's minus A's).\n";
  y << "sweep:\n  - param: stagger\n    values: [-10s, -1s, -100ms, -10ms, 0, 10ms, 100ms, 1s, "
       "10s]\n";
  return y.str();
}

// `--compare`: the written scenario (with any --set) run beside the logs'
// own counts, then the advice `recommend` gives on it (advice.hpp), its
// trials raised at most tenfold so that the answer comes in seconds.
// With one log, what the log shows of some outcomes is a lower bound on the
// tunnel's (`run` counts both peers): a device logs only its own
// can't-find-SA, and one PAN-OS log only the collisions whose DELETEs crossed.
// Those are judged only against the simulated rate being below them.
struct LowerBounds {
  bool collisions = false;
  bool cant_find_sa = false;
};

void print_compare(const scenario::Scenario& sc, const ingest::Timeline& tl,
                   const IngestCliOptions& o, LowerBounds lower) {
  CommonOptions c;
  c.scenario_path = o.scenario_out;
  c.trials = o.trials;
  c.quiet = true;
  const scenario::Point base = scenario::build_with(sc, {});
  const auto reports = run_points(sc, {base}, c, model_trial());
  const auto& res = reports.front().result;
  std::cout << "compare (" << res.trials << " trials, " << res.episodes
            << " simulated rekey episodes):\n";
  // lower_why: the observed count is a lower bound, for this reason.
  // other_measure: the log counts something else (no verdict either way).
  auto line = [&](const char* name, models::Outcome oc, const std::optional<std::uint64_t>& seen,
                  const char* lower_why = nullptr, const char* other_measure = nullptr) {
    const auto& s = res.outcome(oc);
    std::cout << "  " << name << ": simulated " << format_rate(s.rate) << "/rekey "
              << format_interval(s.ci95) << "; observed ";
    if (!seen) {
      std::cout << "not shown by the logs\n";
      return;
    }
    if (tl.child_rekeys == 0) {
      std::cout << *seen << " (the logs show no rekey to count them against: no rate)\n";
      return;
    }
    const auto ci = sim::wilson_interval(std::min(*seen, tl.child_rekeys), tl.child_rekeys);
    const double rate = static_cast<double>(*seen) / static_cast<double>(tl.child_rekeys);
    std::cout << *seen << " in " << tl.child_rekeys << " rekeys = " << format_rate(rate) << " "
              << format_interval(ci);
    if (other_measure) {
      std::cout << ", " << other_measure << " -> no verdict\n";
      return;
    }
    if (lower_why) {
      // Only an observed rate above the simulated one contradicts the model.
      const bool consistent = s.rate >= ci.lo;
      std::cout << ", a lower bound (" << lower_why << ") -> simulated rate "
                << (consistent ? "consistent with it" : "BELOW it") << "\n";
      return;
    }
    const bool inside = s.rate >= ci.lo && s.rate <= ci.hi;
    std::cout << " -> simulated rate " << (inside ? "inside" : "OUTSIDE")
              << " the observed interval\n";
  };
  line("collisions", models::Outcome::kCollisions, tl.collisions,
       lower.collisions ? "one PAN-OS log shows only the collisions whose DELETEs crossed"
                        : nullptr);
  line("cant_find_sa", models::Outcome::kCantFindSa, tl.cant_find_sa,
       lower.cant_find_sa ? "one log shows only its own device's" : nullptr);
  line("outages", models::Outcome::kOutages, tl.outages, nullptr,
       "drop bursts, not the same measure as the simulated outages (packets in flight at a "
       "switch drop too; an outage with nothing sent shows no drop)");
  line("tunnel_resets", models::Outcome::kTunnelResets, tl.tunnel_resets);
  if (!tl.child_interval.empty()) {
    std::cout << "  Child SA rekey interval: observed median " << human(tl.child_interval.median())
              << "; the scenario rekeys at lifetime - margin as written\n";
  }
  AdviceOptions opt;
  opt.max_trials = 10 * o.trials;
  const Advice a = advise(sc, opt, c);
  std::cout << "recommend (the advice of `rekeysim recommend " << o.scenario_out
            << (o.sets.empty() ? "" : " --set ...") << "`, " << o.trials
            << " trials a point, at most " << opt.max_trials << " where raised):\n"
            << advice_summary(a);
}

// Two logs that share nothing (ingest::not_one_tunnel) would be merged at a
// spurious offset, their episodes counted as one tunnel's: refused unless
// --force-pair.
bool pair_credible(const ingest::Alignment& al, const IngestCliOptions& o) {
  const std::string why = ingest::not_one_tunnel(al);
  if (why.empty()) return true;
  if (o.force_pair) {
    std::cerr << "warning: these two logs do not look like the two ends of one tunnel: " << why
              << "; merged anyway (--force-pair)\n";
    return true;
  }
  std::cerr << "error: these two logs do not look like the two ends of one tunnel: " << why << " ("
            << o.logs[0] << ", " << o.logs[1]
            << ")\n  hint: ingest each log alone (rekeysim ingest LOG), or pass --force-pair "
               "to merge them anyway\n";
  return false;
}

// A log line as echoed to the terminal: control bytes (ESC, CR, ...) as \xNN,
// so a line cannot move the cursor or recolour the terminal.
std::string escaped(const std::string& text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      s += "\\x";
      s += kHex[c >> 4];
      s += kHex[c & 15];
    } else {
      s += ch;
    }
  }
  return s;
}

// Why a log with no usable line is refused, and what was expected instead.
// `flag`: the option that gave the style, empty if it was detected.
std::string no_usable_line(const ingest::IngestResult& r, const std::string& flag) {
  const std::string style(ingest::to_string(r.style));
  std::string s =
      "no usable line: all " + std::to_string(r.lines) + " lines are unusable as style " + style +
      (!flag.empty() ? " (given by " + flag + ")" : " (detected: the closest of the styles tried)");
  for (const auto& u : r.first_unusable) {
    if (ingest::is_interleaved_trace_line(u.text))
      return s + "; " + std::string(ingest::kInterleavedTraceHint);
  }
  std::string styles;
  for (ingest::Style st : ingest::kStyles)
    styles += (styles.empty() ? "" : ", ") + std::string(ingest::to_string(st));
  return s + "; a " + style + " line looks like \"" + std::string(ingest::example_line(r.style)) +
         "\"; styles: " + styles + " (--style NAME, or --style auto to detect)";
}

int run_ingest(const IngestCliOptions& o) {
  if (o.logs.empty() || o.logs.size() > 2) usage("LOG", "one or two logs expected", "LOG [LOG_B]");
  if (o.compare && o.scenario_out.empty())
    usage("--compare", "needs --scenario", "--scenario OUT.yaml --compare");
  if (!o.sets.empty() && !o.compare)
    usage("--set", "only changes the --compare run", "--scenario OUT.yaml --compare --set K=V");
  // Outputs are checked before the logs are read and written only at the end.
  OutputFiles files;
  CommonOptions common;
  common.out = o.out;
  for (const auto& log : o.logs) {
    // A log on standard input may be a file redirected in (`- < i.log`).
    if (log == "-") {
      files.add_input("the log on standard input", "/dev/stdin");
    } else {
      files.add_input("the log " + log, log);
    }
  }
  if (!o.profile_b.empty()) files.add_input("the profile " + o.profile_b, o.profile_b);
  // `--compare --set peers.b.profile=prof.yaml` reads that profile file too
  // (resolved from here, as scenario overrides are).
  for (const auto& set : o.sets) {
    const auto eq = set.find('=');
    if (eq == std::string::npos || !set.substr(0, eq).ends_with(".profile")) continue;
    const std::string value = set.substr(eq + 1);
    if (scenario::looks_like_profile_path(value)) {
      const std::string p = scenario::profile_key(".", value);
      files.add_input("the profile " + p, p);
    }
  }
  add_out_file(files, common);
  if (!o.scenario_out.empty()) files.add("--scenario", o.scenario_out);
  if (o.peer != "a" && o.peer != "b") usage("--peer", "unknown peer \"" + o.peer + "\"", "a or b");
  // Options about the one log's device and its unseen peer mean nothing
  // with two logs: refused rather than ignored.
  if (o.logs.size() == 2 && o.peer == "b")
    usage("--peer", "says which peer one log is; with two logs the first is A's",
          "LOG_A LOG_B, or --peer b with one log");
  if (o.logs.size() == 2 && !o.profile_b.empty())
    usage("--profile-b", "names the peer whose log is missing; both logs were given",
          "one log and --profile-b NAME");
  if (!o.profile_b.empty() && !models::find_builtin_profile(o.profile_b) &&
      !std::filesystem::is_regular_file(o.profile_b)) {
    std::string names;
    for (const auto& p : models::builtin_profiles()) names += (names.empty() ? "" : ", ") + p.name;
    usage("--profile-b", "unknown profile \"" + o.profile_b + "\"",
          "a built-in profile (" + names + ") or a profile file");
  }
  const auto style_a = style_option("--style", o.style);
  const auto style_b = style_option("--style-b", o.style_b);
  if (o.logs.size() == 1 && o.style_b != "auto")
    usage("--style-b", "names the second log's style, and one log was given",
          "LOG LOG_B --style-b STYLE, or --style STYLE for one log");
  std::vector<LogIn> logs;
  const bool two = o.logs.size() == 2;
  if (two) {
    // One file named twice (or by two names) is one peer's log, not both ends.
    std::error_code ec;
    if (std::filesystem::equivalent(o.logs[0], o.logs[1], ec) && !ec)
      usage("LOG_B", "\"" + o.logs[1] + "\" is the same file as \"" + o.logs[0] + "\"",
            "the other peer's log of the same tunnel, or one log alone");
  }
  // Two regular files are read twice (pass 1 for the alignment keys, pass 2
  // merged); anything else (a pipe) once, held.
  bool rereadable = two;
  for (const auto& path : o.logs) {
    std::error_code ec;  // a path that cannot be looked at is reported when opened
    rereadable = rereadable && path != "-" && std::filesystem::is_regular_file(path, ec);
  }
  if (two && o.logs[0] == "-" && o.logs[1] == "-")
    usage("LOG", "standard input given for both logs", "at most one log as -");
  const bool held = two && !rereadable;
  std::ostream* out = o.out.empty() ? nullptr : &files.stream("--out");
  // --out: the records as the analysis gets them, a batch at a time.
  std::vector<models::TraceRecord> batch;
  auto write_out = [&](bool last) {
    if (out && (last || batch.size() >= 1024)) {
      *out << trace::render_jsonl(batch);
      batch.clear();
    }
  };
  std::optional<ingest::Analyser> analyser;
  ingest::AlignKeys keys[2];
  auto options_for = [&](std::size_t i) {
    ingest::IngestOptions opts;
    opts.style = i == 0 ? style_a : style_b;
    opts.peer = two ? (i == 0 ? models::PeerId::kA : models::PeerId::kB)
                    : (o.peer == "a" ? models::PeerId::kA : models::PeerId::kB);
    return opts;
  };
  for (std::size_t i = 0; i < o.logs.size(); ++i) {
    const std::string& path = o.logs[i];
    ingest::IngestOptions opts = options_for(i);
    if (o.verbose) {
      opts.on_unusable = [path](std::uint64_t n, const std::string& text) {
        std::cerr << path << ":" << n << ": unusable: " << escaped(text) << "\n";
      };
    }
    // One log streams: each record goes to the analysis (and --out) as the
    // reader finishes it, so memory stays flat however long the log. Two
    // logs: this pass keeps only what the alignment matches on (AlignKeys).
    if (!two) {
      opts.on_style = [&analyser](ingest::Style s) { analyser.emplace(s, std::nullopt); };
      opts.on_record = [&](const models::TraceRecord& r, std::uint64_t line) {
        analyser->feed(r, {models::PeerId::kA, line});
        if (out) batch.push_back(r);
        write_out(false);
      };
    } else if (!held) {
      opts.on_record = [&keys, i](const models::TraceRecord& r, std::uint64_t) { keys[i].add(r); };
    }
    std::error_code ec;
    if (path != "-" && std::filesystem::is_directory(path, ec)) {
      std::cerr << path << ": error: is a directory; expected a log file\n";
      return kExitUsage;
    }
    std::ifstream file;
    if (path != "-") file.open(path, std::ios::binary);
    std::istream& in = path == "-" ? std::cin : file;
    if (!in) {
      // At the path, as a directory or an empty log is (it said
      // "<command line>:1:1: error: LOG: ...").
      const int err = errno;
      std::cerr << path << ": error: cannot be read (" << std::strerror(err)
                << "); expected a readable log file\n";
      return kExitUsage;
    }
    LogIn l{path, {}};
    try {
      l.result = ingest::ingest(in, opts);
    } catch (const ingest::IngestError& e) {
      std::cerr << path << ": error: " << e.what() << "\n";
      return kExitUsage;
    }
    keys[i].finish(l.result);
    const auto& r = l.result;
    std::cerr << path << ": style " << ingest::to_string(r.style)
              << (r.detected ? " (detected)" : "") << ", " << r.lines << " lines: " << r.used
              << " used, " << r.skipped << " skipped (no record kind), " << r.unusable
              << " unusable; " << r.record_count << " records\n";
    if (!o.verbose) {
      for (const auto& u : r.first_unusable)
        std::cerr << path << ":" << u.line << ": unusable: " << escaped(u.text) << "\n";
      if (r.unusable > r.first_unusable.size())
        std::cerr << path << ": " << (r.unusable - r.first_unusable.size())
                  << " more unusable lines (--verbose lists them)\n";
    }
    if (r.time_backwards > 0) {
      // Readers read a line's time only where it makes a record, so this is
      // the first record after the jump: the join itself is at or before it.
      std::cerr << path << ":" << r.first_backwards_line
                << ": warning: the log's time has gone back "
                << sim::format_duration(r.first_backwards_by)
                << " by this line, the first record stamped before an earlier one ("
                << r.time_backwards << (r.time_backwards == 1 ? " record" : " records")
                << " in all); rotated files joined out of order? Join "
                   "them oldest first (e.g. `cat old.log new.log`): counts from this "
                   "log are too low\n";
    }
    if (r.long_day_rollovers > 0) {
      std::cerr << path << ":" << r.first_long_rollover_line
                << ": warning: the time of day has gone back by this line, the first record "
                   "after the jump; with no date on the lines it "
                   "reads as the next day, after "
                << sim::format_duration(r.first_long_rollover_gap)
                << " without a line. If these are rotated files joined newest first, join them "
                   "oldest first (e.g. `cat charon.log.1 charon.log`): read this way, times and "
                   "counts are wrong\n";
    }
    if (r.used + r.skipped == 0) {
      std::cerr << path << ": error: "
                << no_usable_line(r, !opts.style ? ""
                                     : i == 0    ? "--style"
                                                 : "--style-b")
                << "\n";
      return kExitUsage;
    }
    logs.push_back(std::move(l));
  }
  ingest::Merged merged;
  merged.resolution[0] = logs[0].result.resolution;
  // One log: both entries are its own (Analyser::finish), whichever peer it is.
  merged.resolution[1] = logs[two ? 1 : 0].result.resolution;
  ingest::Timeline tl;
  if (!two) {
    write_out(true);
    tl = analyser->finish(merged.resolution);
  } else if (held) {
    merged = ingest::merge(logs[0].result, &logs[1].result);
    if (!pair_credible(merged.alignment, o)) return kExitUsage;
    for (auto& l : logs) std::vector<std::uint64_t>().swap(l.result.record_lines);
    ingest::Analyser a(logs[0].result.style, logs[1].result.style);
    for (std::size_t k = 0; k < merged.records.size(); ++k) {
      a.feed(merged.records[k], merged.evidence[k]);
      if (out) batch.push_back(merged.records[k]);
      write_out(false);
    }
    write_out(true);
    tl = a.finish(merged.resolution);
  } else {
    // Pass 2: both logs again, merged by time on A's clock.
    merged.alignment = ingest::align(keys[0], keys[1]);
    if (!pair_credible(merged.alignment, o)) return kExitUsage;
    const ingest::Placement placement = ingest::place(keys[0], keys[1], merged.alignment);
    std::ifstream in_a(o.logs[0], std::ios::binary), in_b(o.logs[1], std::ios::binary);
    auto opts_a = options_for(0), opts_b = options_for(1);
    opts_a.style = logs[0].result.style;
    opts_b.style = logs[1].result.style;
    ingest::RecordStream a(in_a, opts_a), b(in_b, opts_b);
    ingest::MergedStream m(a, b, placement);
    ingest::Analyser an(logs[0].result.style, logs[1].result.style);
    models::TraceRecord r;
    ingest::Evidence e;
    while (m.next(r, e)) {
      an.feed(r, e);
      if (out) batch.push_back(r);
      write_out(false);
    }
    write_out(true);
    for (std::size_t i = 0; i < 2; ++i) {
      const auto& first = logs[i].result;
      const auto& again = (i == 0 ? a : b).result();
      if (again.record_count != first.record_count || again.lines != first.lines) {
        std::cerr << o.logs[i] << ": error: the log changed while it was read (" << first.lines
                  << " lines, then " << again.lines << ")\n";
        return kExitUsage;
      }
    }
    tl = an.finish(merged.resolution);
  }
  std::string yaml;
  if (!o.scenario_out.empty()) {
    yaml = scenario_yaml(logs, tl, o.profile_b, !two && o.peer == "b");
    files.put("--scenario", yaml);
  }
  // The --compare run is set up before anything is written: a bad --set is
  // exit 2 with no scenario left behind.
  std::optional<scenario::Scenario> compared;
  if (o.compare) {
    std::string dir = std::filesystem::path(o.scenario_out).parent_path().string();
    if (dir.empty()) dir = ".";
    compared = scenario::load_scenario_text(yaml, o.scenario_out, dir);
    int index = 1;
    for (const auto& set : o.sets) scenario::apply_override(*compared, set, index++);
    compared->trials = o.trials;
  }
  files.put_stdout(report(logs, merged, tl, !two && o.peer == "b"));
  files.commit();
  if (!o.scenario_out.empty()) std::cout << "wrote " << o.scenario_out << "\n";
  if (compared) {
    LowerBounds lower;
    lower.collisions = !two && !ingest::one_log_shows_every_collision(logs[0].result.style);
    lower.cant_find_sa = !two;
    print_compare(*compared, tl, o, lower);
  }
  return kExitOk;
}

}  // namespace

Command add_ingest_command(CLI::App& root) {
  auto o = std::make_shared<IngestCliOptions>();
  CLI::App* sub = root.add_subcommand(
      "ingest", "read one or both peers' real logs: episode timeline, inferred values, scenario");
  sub->add_option("logs", o->logs,
                  "peer A's log, then (optionally) peer B's log of the same tunnel; - is "
                  "standard input")
      ->required();
  sub->add_option("--style", o->style,
                  "style of the (first) log: auto, panos, strongswan, strongswan-6, cisco-asa, "
                  "libreswan, cisco-ios, juniper-srx")
      ->capture_default_str();
  sub->add_option("--style-b", o->style_b, "style of the second log (as --style)")
      ->capture_default_str();
  sub->add_option("--peer", o->peer, "with one log: which peer (a|b) the device is")
      ->capture_default_str();
  sub->add_option("--out", o->out, "write the merged trace records (JSON Lines) to this file");
  sub->add_option("--scenario", o->scenario_out,
                  "write a scenario reproducing the tunnel, each value commented with its lines");
  sub->add_option("--profile-b", o->profile_b,
                  "with one log: the profile of the other peer in the written scenario");
  sub->add_flag(
      "--compare", o->compare,
      "run the written scenario, print the observed counts beside the simulated rates, then "
      "what `recommend` advises on it");
  sub->add_option("--trials", o->trials, "trials for --compare")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  sub->add_option("--set", o->sets,
                  "for --compare: KEY=VALUE applied to the written scenario before it runs "
                  "(values the logs do not show, e.g. peers.a.child.lifetime=8h); repeatable")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  sub->add_flag("--force-pair", o->force_pair,
                "merge two logs even if they share too little to be one tunnel's two ends "
                "(no SPI in common or, in logs that name no SPIs, fewer than 3 or 20% of the "
                "messages matched)");
  sub->add_flag("--verbose", o->verbose, "list every unusable line with its line number");
  sub->footer(
      "Example:\n"
      "  rekeysim ingest gw-a.log gw-b.log --scenario tunnel.yaml --compare\n"
      "Exit status: 0 ok, 2 usage error, no known log style (the styles tried are named) or a "
      "log with no usable line.");
  return {sub, [o] { return run_ingest(*o); }};
}

}  // namespace rekeysim::cli
