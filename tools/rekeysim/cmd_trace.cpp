// `rekeysim trace SCENARIO`: one trial's trace as vendor-style log lines, a
// ladder diagram (SVG) or JSON Lines, around the first episode of a kind
// (collision, cant_find_sa, outage, tunnel_reset, rekey, a collision kind;
// --nth picks a later one) or for a chosen trial. Log shapes: each peer's
// own vendor style by default (`--style auto`), one device alone with --peer
// (tools/rekeysim/trace_context.hpp).
// The trial is re-run with a TraceBuffer attached (models::run_trial's
// extra_sink); its outcome is identical to the one `run` counted.
#include <algorithm>
#include <exception>
#include <iostream>
#include <latch>
#include <limits>
#include <memory>

#include "models/trial.hpp"
#include "tools/rekeysim/common.hpp"
#include "tools/rekeysim/option_checks.hpp"
#include "tools/rekeysim/trace_context.hpp"
#include "tools/rekeysim/trace_pcap.hpp"
#include "tools/runner/threads.hpp"
#include "tools/runner/worker_pool.hpp"
#include "tools/scenario/limits.hpp"
#include "tools/trace/trace_views.hpp"

namespace rekeysim::cli {

namespace {

struct TraceOptions {
  CommonOptions common;
  std::optional<std::uint64_t> trial;
  std::string first;
  std::string window = "30s";
  std::uint64_t nth = 1;
  TraceLogFlags log;
  std::string svg;
  std::string jsonl;
  std::string pcap;
  std::optional<std::uint64_t> search;
};

// Puts the log, ladder and records into `files` (committed by the caller,
// together with a capture). `records`: the window shown; `trial`: the whole
// trial (who created each IKE SA, for trace.<peer>.first_ike_spi).
void show(OutputFiles& files, const TraceOptions& o, const scenario::Scenario& sc,
          const std::string& where, const std::vector<models::TraceRecord>& records,
          const std::vector<models::TraceRecord>& trial, const ResolvedLog& log) {
  std::cerr << where << ", " << records.size() << " records\n";
  trace::LogContext ctx = log.context;
  ctx.history = trial;
  emit(files, o.common, trace::render_log(records, log.style_a, log.style_b, ctx));
  // The same SPI display mapping as the log (trace.<peer>.first_child_spi,
  // first_ike_spi).
  const std::vector<models::TraceRecord> shown = trace::with_spis(records, ctx);
  if (!o.svg.empty()) {
    trace::LadderOptions lo;
    lo.title = sc.name + ": " + where;
    lo.peer_a_name = ctx.peer_a_name;
    lo.peer_b_name = ctx.peer_b_name;
    files.put("--svg", trace::render_ladder_svg(shown, lo));
  }
  if (!o.jsonl.empty()) files.put("--jsonl", trace::render_jsonl(shown));
}

[[noreturn]] void usage(const std::string& field, const std::string& what,
                        const std::string& expected) {
  throw scenario::ScenarioError({"<command line>", 1, 1}, field, what, expected);
}

int run_trace(const TraceOptions& o) {
  // Every output is checked before anything runs, and written only at the end.
  OutputFiles files;
  add_out_file(files, o.common);
  if (!o.svg.empty()) files.add("--svg", o.svg);
  if (!o.jsonl.empty()) files.add("--jsonl", o.jsonl);
  if (!o.pcap.empty()) add_pcap_files(files, o.pcap);
  const scenario::Scenario sc = load_with_overrides(o.common);
  add_profile_inputs(files, sc);
  const scenario::Point point = scenario::build_with(sc, {});
  const ResolvedLog log = resolve_trace_log(o.log, sc, point.config);
  if (!o.pcap.empty()) check_pcap_context(log.context);
  if (o.nth == 0)
    usage("--nth", "must be at least 1", "1 for the first episode, 2 for the second, ...");
  std::optional<trace::EpisodeFilter> filter;
  if (!o.first.empty()) {
    filter = trace::parse_episode_filter(o.first);
    if (!filter)
      usage("--first", "unknown episode kind \"" + o.first + "\"",
            "collision, cant_find_sa, outage, tunnel_reset, no_sa, cleartext, esp_link_down, "
            "rekey, or a collision kind: "
            "simultaneous_child_rekey, simultaneous_ike_rekey, rekey_vs_delete, "
            "child_vs_ike_rekey, crossing_delete, delete_vs_ike_rekey");
  }
  const std::string window_form =
      "a duration like 30s, at most " + sim::format_duration(scenario::kMaxDuration);
  sim::SimTime half_width;
  try {
    half_width = sim::parse_duration(o.window);
  } catch (const sim::ParseError& e) {
    if (e.why() == "value too large")
      usage("--window", "\"" + o.window + "\" is too large", window_form);
    usage("--window",
          "\"" + o.window + "\" is not a duration" +
              (e.why().empty() ? std::string() : " (" + e.why() + ")"),
          window_form);
  }
  // The window is added to and subtracted from trace times: bounded so that
  // cannot overflow.
  if (half_width > scenario::kMaxDuration)
    usage("--window", "\"" + o.window + "\" is too large", window_form);
  if (!filter && !o.trial) filter = trace::EpisodeFilter::kCollision;

  // Any index names one deterministic trial, so a trial beyond the
  // scenario's count is traced; the note says `run` does not include it.
  if (o.trial && *o.trial >= sc.trials)
    std::cerr << "note: trial " << *o.trial << " is beyond the scenario's trials 0.."
              << sc.trials - 1 << "; `run` with these settings does not include it\n";
  const std::uint64_t from = o.trial.value_or(0);
  // --trial is at most 2^64-2 (its validator), so `to` cannot wrap.
  const std::uint64_t to = o.trial ? *o.trial + 1 : o.search.value_or(sc.trials);
  const unsigned threads = runner::effective_threads(o.common.threads, to - from);

  // Trials are searched in batches on a thread pool; within a batch the lowest
  // trial index with the episode wins, so the trial shown (and every byte of
  // output) is the one a sequential search finds, at any --threads.
  // With --nth the N-th episode counts across trials in index order: a
  // trial's episodes are all found, then the sequential pass below skips
  // whole trials until the N-th falls inside one.
  struct Found {
    std::vector<models::TraceRecord> records;  // the whole trial, when it has episodes
    std::vector<sim::SimTime> episodes;
    bool hit = false;
  };
  auto search_one = [&](std::uint64_t k) {
    trace::TraceBuffer buffer;
    // Kinds that `run` counts are found by the classifier's own count (their
    // onsets), the rest (rekey, one collision kind) from the records.
    const auto counted = filter ? trace::counted_outcome(*filter) : std::nullopt;
    trace::OnsetCollector onsets(counted.value_or(models::Outcome::kCollisions));
    models::run_trial(point.config, sc.seed, k, &buffer, counted ? &onsets : nullptr);
    Found f;
    if (filter) {
      f.episodes = counted ? onsets.episodes() : trace::find_all(buffer.records(), *filter);
      f.hit = !f.episodes.empty();
      if (f.hit) f.records = buffer.take();
    } else {
      f.hit = true;
      f.records = buffer.take();
    }
    return f;
  };
  std::uint64_t remaining = o.nth;  // episodes still to skip, counting the one wanted
  const std::uint64_t batch = std::uint64_t{threads} * 4;
  std::unique_ptr<runner::WorkerPool> pool;
  if (threads > 1) pool = std::make_unique<runner::WorkerPool>(threads);
  // `hi` advances by at most `to - lo`, never past `to`: no index wraps.
  for (std::uint64_t lo = from, hi = from; lo < to; lo = hi) {
    hi = lo + std::min(batch, to - lo);
    std::vector<Found> found(hi - lo);
    if (!pool || hi - lo == 1) {
      for (std::uint64_t k = lo; k < hi; ++k) {
        found[k - lo] = search_one(k);
        if (found[k - lo].episodes.size() >= remaining || (!filter && found[k - lo].hit)) break;
      }
    } else {
      std::vector<std::exception_ptr> errors(hi - lo);
      std::latch done(static_cast<std::ptrdiff_t>(hi - lo));
      for (std::uint64_t k = lo; k < hi; ++k) {
        pool->post([&, k] {
          try {
            found[k - lo] = search_one(k);
          } catch (...) {
            errors[k - lo] = std::current_exception();
          }
          done.count_down();
        });
      }
      done.wait();
      for (const auto& e : errors)
        if (e) std::rethrow_exception(e);
    }
    for (std::uint64_t k = lo; k < hi; ++k) {
      Found& f = found[k - lo];
      if (!f.hit) continue;
      if (!filter) {
        show(files, o, sc, "trial " + std::to_string(k) + ": whole trial", f.records, f.records,
             log);
        const std::string pcap_done = o.pcap.empty()
                                          ? std::string()
                                          : put_trace_pcap(files, o.pcap, point.config, sc.seed, k,
                                                           std::nullopt, half_width, log.context);
        files.commit();
        std::cerr << pcap_done;
        return kExitOk;
      }
      if (f.episodes.size() < remaining) {
        remaining -= f.episodes.size();
        continue;
      }
      const sim::SimTime at = f.episodes[remaining - 1];
      const std::string which =
          o.nth == 1 ? std::string("first") : "episode " + std::to_string(o.nth) + " of";
      std::string where = "trial " + std::to_string(k) + ": " + which + " " +
                          std::string(trace::to_string(*filter)) + " at t=" + format_instant(at) +
                          " (showing ±" + sim::format_duration(half_width) + ")";
      show(files, o, sc, where, trace::window(f.records, at, half_width), f.records, log);
      const std::string pcap_done = o.pcap.empty()
                                        ? std::string()
                                        : put_trace_pcap(files, o.pcap, point.config, sc.seed, k,
                                                         at, half_width, log.context);
      files.commit();
      std::cerr << pcap_done;
      return kExitOk;
    }
  }
  std::cerr << "no " << (o.nth > 1 ? "episode " + std::to_string(o.nth) + " of " : std::string())
            << (filter ? std::string(trace::to_string(*filter)) : std::string("trial"))
            << " found in trials " << from << ".." << (to - 1)
            << " (try --search N or --set to change the scenario)\n";
  return kExitExpectFailed;
}

}  // namespace

Command add_trace_command(CLI::App& root) {
  auto o = std::make_shared<TraceOptions>();
  CLI::App* sub = root.add_subcommand(
      "trace", "show one trial's trace around an episode: vendor logs, ladder SVG, JSONL");
  sub->add_option("scenario", o->common.scenario_path, "scenario YAML file")->required();
  sub->add_option("--set", o->common.sets, "override a key (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  add_seed_option(sub, o->common.seed);
  add_threads_option(
      sub, o->common.threads,
      "threads searching trials for --first (0, the default: all cores); the trial shown "
      "is the lowest-numbered match at any value");
  sub->add_option("--trial", o->trial, "trace this trial index (default: search from 0)")
      ->check(unsigned_in(0, std::numeric_limits<std::uint64_t>::max() - 1));
  sub->add_option("--first", o->first,
                  "the first episode of this kind: collision|cant_find_sa|outage|tunnel_reset|"
                  "no_sa|cleartext|esp_link_down|rekey (a normal rekey, no collision), or one "
                  "collision kind, e.g. "
                  "crossing_delete (default collision)")
      ->check(non_empty());
  sub->add_option("--nth", o->nth,
                  "show the N-th episode of that kind instead of the first (counted over the "
                  "trials searched, in trial order)")
      ->capture_default_str();
  sub->add_option("--search", o->search,
                  "trials to search for --first (default: the scenario's trials)")
      ->check(unsigned_in(1, scenario::kMaxTrials));
  sub->add_option("--window", o->window, "show records within ± this of the episode")
      ->capture_default_str();
  sub->add_option("--style", o->log.style,
                  "log style: auto (default: each peer in its profile's log_style) | plain | "
                  "panos | strongswan | strongswan-6 | cisco-asa | libreswan | cisco-ios | "
                  "juniper-srx");
  sub->add_option("--peer", o->log.peer,
                  "a|b: that device's log alone, exactly as the device writes it (no peer prefix)");
  sub->add_option("--start", o->log.start,
                  "wall-clock time of t = 0, \"YYYY-MM-DD HH:MM:SS\", local to --utc-offset "
                  "(UTC if none is given; default: the scenario's trace.start, else "
                  "2025-07-06 00:00:00 -0400)");
  sub->add_option("--utc-offset", o->log.utc_offset,
                  "time zone of the log's timestamps, e.g. -0400");
  sub->add_option("--first-message-id-a", o->log.first_message_id_a,
                  "message ID of peer A's first request shown (e.g. 0x344)");
  sub->add_option("--first-message-id-b", o->log.first_message_id_b,
                  "message ID of peer B's first request shown");
  sub->add_option("--first-child-spi-a", o->log.first_child_spi_a,
                  "SPI peer A's first inbound Child SA is shown with (e.g. 0xc1a2b3c4)");
  sub->add_option("--first-child-spi-b", o->log.first_child_spi_b,
                  "SPI peer B's first inbound Child SA is shown with");
  sub->add_option("--first-ike-spi-a", o->log.first_ike_spi_a,
                  "peer A's own SPI of the first IKE SA shown (initiator SPI if A created it, "
                  "else responder SPI; e.g. 0x1a2b3c4d5e6f7081)");
  sub->add_option("--first-ike-spi-b", o->log.first_ike_spi_b,
                  "peer B's own SPI of the first IKE SA shown");
  sub->add_option("--syslog-wrap", o->log.syslog_wrap,
                  "cisco-asa style: debug lines as %ASA-7-711001 (asa) or %FTD-7-711001 (ftd) "
                  "syslog messages");
  sub->add_flag("--inferred", o->log.inferred,
                "also print lines the device does not write by default: shapes rekeysim "
                "infers but no public log sample shows (tools/trace/README.md tags them I) "
                "and debug-level lines (strongSwan DBG2)");
  sub->add_option("--out", o->common.out, "write the log to this file instead of stdout")
      ->check(non_empty());
  sub->add_option("--svg", o->svg, "also write a ladder diagram (SVG)")->check(non_empty());
  sub->add_option("--jsonl", o->jsonl, "also write the records as JSON Lines")->check(non_empty());
  sub->add_option("--pcap", o->pcap,
                  "also write the IKE and ESP packets as pcap, with decryption tables (below)")
      ->check(non_empty());
  sub->footer(
      "Example:\n"
      "  rekeysim trace scenarios/kb-incident.yaml --first cant_find_sa --style panos --svg "
      "ladder.svg\n"
      "  rekeysim trace scenarios/kb-incident.yaml --trial 3 --first collision --window 5s\n"
      "  rekeysim trace scenarios/kb-incident.yaml --first cant_find_sa --window 100ms --pcap "
      "kb.pcap\n" +
      std::string(kPcapHelp) +
      "  rekeysim trace scenarios/kb-incident.yaml --first rekey --nth 2 --peer b\n"
      "Exit status: 0 ok, 1 no such episode in the trials searched, 2 usage or input error.");
  return {sub, [o] { return run_trace(*o); }};
}

}  // namespace rekeysim::cli
