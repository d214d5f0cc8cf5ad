// `rekeysim trace SCENARIO`: one trial's trace as vendor-style log lines, a
// ladder diagram (SVG) or JSON Lines, around the first episode of a kind
// (collision, cant_find_sa, outage, tunnel_reset) or for a chosen trial.
// The trial is re-run with a TraceBuffer attached (models::run_trial's
// extra_sink); its outcome is identical to the one `run` counted.
#include <iostream>

#include "models/trial.hpp"
#include "tools/rekeysim/atomic_file.hpp"
#include "tools/rekeysim/common.hpp"
#include "tools/trace/trace_views.hpp"

namespace rekeysim::cli {

namespace {

struct TraceOptions {
  CommonOptions common;
  std::optional<std::uint64_t> trial;
  std::string first;
  std::string window = "30s";
  std::string style = "plain";
  std::string svg;
  std::string jsonl;
  std::optional<std::uint64_t> search;
};

[[noreturn]] void usage(const std::string& field, const std::string& what,
                        const std::string& expected) {
  throw scenario::ScenarioError({"<command line>", 1, 1}, field, what, expected);
}

int run_trace(const TraceOptions& o) {
  const scenario::Scenario sc = load_with_overrides(o.common);
  const scenario::Point point = scenario::build_with(sc, {});
  const auto style = trace::parse_log_style(o.style);
  if (!style) usage("--style", "unknown style \"" + o.style + "\"", "panos, strongswan or plain");
  std::optional<trace::EpisodeFilter> filter;
  if (!o.first.empty()) {
    filter = trace::parse_episode_filter(o.first);
    if (!filter)
      usage("--first", "unknown episode kind \"" + o.first + "\"",
            "collision, cant_find_sa, outage or tunnel_reset");
  }
  sim::SimTime half_width;
  try {
    half_width = sim::parse_duration(o.window);
  } catch (const sim::ParseError& e) {
    usage("--window", "\"" + o.window + "\" is not a duration", "a duration like 30s");
  }
  if (!filter && !o.trial) filter = trace::EpisodeFilter::kCollision;

  const std::uint64_t from = o.trial.value_or(0);
  const std::uint64_t to = o.trial ? *o.trial + 1 : o.search.value_or(sc.trials);
  for (std::uint64_t k = from; k < to; ++k) {
    trace::TraceBuffer buffer;
    models::run_trial(point.config, sc.seed, k, &buffer);
    std::vector<models::TraceRecord> records;
    std::string where;
    if (filter) {
      const auto at = trace::find_first(buffer.records(), *filter);
      if (!at) continue;
      records = trace::window(buffer.records(), *at, half_width);
      where = "trial " + std::to_string(k) + ": first " + std::string(trace::to_string(*filter)) +
              " at t=" + sim::format_duration(*at) + " (showing ±" +
              sim::format_duration(half_width) + ")";
    } else {
      records = buffer.take();
      where = "trial " + std::to_string(k) + ": whole trial";
    }
    std::cerr << where << ", " << records.size() << " records\n";
    trace::LogContext ctx;
    ctx.peer_a_name = "A(" + point.config.a.profile + ")";
    ctx.peer_b_name = "B(" + point.config.b.profile + ")";
    emit(o.common, trace::render_log(records, *style, ctx));
    if (!o.svg.empty()) {
      trace::LadderOptions lo;
      lo.title = sc.name + ": " + where;
      lo.peer_a_name = ctx.peer_a_name;
      lo.peer_b_name = ctx.peer_b_name;
      write_file_atomic(o.svg, trace::render_ladder_svg(records, lo));
    }
    if (!o.jsonl.empty()) write_file_atomic(o.jsonl, trace::render_jsonl(records));
    return kExitOk;
  }
  std::cerr << "no " << (filter ? std::string(trace::to_string(*filter)) : std::string("trial"))
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
  sub->add_option("--seed", o->common.seed, "scenario seed");
  sub->add_option("--trial", o->trial, "trace this trial index (default: search from 0)");
  sub->add_option("--first", o->first,
                  "the first episode of this kind: collision|cant_find_sa|outage|tunnel_reset "
                  "(default collision)");
  sub->add_option("--search", o->search,
                  "trials to search for --first (default: the scenario's trials)");
  sub->add_option("--window", o->window, "show records within ± this of the episode")
      ->capture_default_str();
  sub->add_option("--style", o->style, "log style: panos|strongswan|plain")->capture_default_str();
  sub->add_option("--out", o->common.out, "write the log to this file instead of stdout");
  sub->add_option("--svg", o->svg, "also write a ladder diagram (SVG)");
  sub->add_option("--jsonl", o->jsonl, "also write the records as JSON Lines");
  sub->footer(
      "Example:\n"
      "  rekeysim trace scenarios/kb-incident.yaml --first cant_find_sa --style panos --svg "
      "ladder.svg\n"
      "  rekeysim trace scenarios/kb-incident.yaml --trial 3 --first collision --window 5s\n"
      "Exit status: 0 ok, 1 no such episode in the trials searched, 2 usage or input error.");
  return {sub, [o] { return run_trace(*o); }};
}

}  // namespace rekeysim::cli
