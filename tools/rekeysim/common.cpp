#include "tools/rekeysim/common.hpp"

#include <spdlog/spdlog.h>

#include <iostream>
#include <limits>
#include <utility>

#include "models/trial.hpp"
#include "tools/rekeysim/estimate.hpp"
#include "tools/rekeysim/option_checks.hpp"
#include "tools/runner/threads.hpp"

namespace rekeysim::cli {

void add_common_options(CLI::App* sub, CommonOptions& o, bool with_output) {
  sub->add_option("scenario", o.scenario_path, "scenario YAML file (see scenarios/SCHEMA.md)")
      ->required();
  sub->add_option("--trials", o.trials, "trials per point (overrides the scenario's `trials`)")
      ->check(unsigned_in(1, scenario::kMaxTrials));
  add_seed_option(sub, o.seed);
  add_threads_option(sub, o.threads,
                     "worker threads (0, the default: all cores; more than cores or trials are not "
                     "started); results are identical for any value");
  sub->add_option("--set", o.sets,
                  "override a key, e.g. --set peers.a.child.lifetime=28500s (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  sub->add_flag("-q,--quiet", o.quiet, "no progress display on stderr");
  sub->add_flag("--progress", o.progress,
                "plain progress lines on stderr every few seconds, even when it is not a terminal");
  if (with_output) {
    sub->add_option("--format", o.format, "output format")
        ->check(CLI::IsMember({"table", "json", "csv"}))
        ->capture_default_str();
    sub->add_option("--out", o.out, "write the output to this file (atomically) instead of stdout")
        ->check(non_empty());
  }
}

void add_threads_option(CLI::App* sub, unsigned& threads, const std::string& help) {
  sub->add_option("--threads", threads, help)->check(unsigned_in(0, runner::kMaxThreads));
}

void add_seed_option(CLI::App* sub, std::optional<std::uint64_t>& seed) {
  sub->add_option("--seed", seed, "scenario seed (overrides the scenario's `seed`)")
      ->check(unsigned_in(0, std::numeric_limits<std::uint64_t>::max()));
}

scenario::Scenario load_with_overrides(const CommonOptions& o) {
  // Overrides before validation (SCHEMA.md): `--set` may be what makes the file valid.
  scenario::Scenario sc = scenario::load_scenario(o.scenario_path, o.sets);
  spdlog::debug("loaded {} with {} --set: {} setting(s), {} point(s)", o.scenario_path,
                o.sets.size(), sc.settings.size(), scenario::point_count(sc));
  if (o.trials) sc.trials = *o.trials;
  if (o.seed) sc.seed = *o.seed;
  return sc;
}

runner::TrialFunction model_trial() {
  return [](const models::TrialConfig& c, std::uint64_t seed, std::uint64_t trial) {
    return models::run_trial(c, seed, trial);
  };
}

std::string per_trial_text(const models::TrialConfig& config) {
  if (config.rekeys) return std::to_string(*config.rekeys) + " rekeys";
  return sim::format_duration(config.duration);
}

std::vector<PointReport> run_points(const scenario::Scenario& sc,
                                    const std::vector<scenario::Point>& points,
                                    const CommonOptions& o, runner::TrialFunction trial) {
  return run_points(sc, points, o, [&trial](std::size_t) { return trial; });
}

std::vector<PointReport> run_points(
    const scenario::Scenario& sc, const std::vector<scenario::Point>& points,
    const CommonOptions& o, const std::function<runner::TrialFunction(std::size_t)>& trial_of,
    std::vector<std::string> point_names) {
  const unsigned threads = runner::effective_threads(o.threads, sc.trials);
  // The pool keeps one trial function; it calls the current point's, which
  // changes only between run_point calls, when no worker is running a trial.
  auto current = std::make_shared<runner::TrialFunction>();
  runner::Runner pool(
      threads, [current](const models::TrialConfig& c, std::uint64_t seed, std::uint64_t trial) {
        return (*current)(c, seed, trial);
      });
  double episodes = 0;
  for (const auto& p : points)
    episodes += expected_episodes_per_trial(p.config) * static_cast<double>(sc.trials);
  using Mode = runner::Progress::Mode;
  const Mode mode = o.progress                                           ? Mode::kLines
                    : !o.quiet && runner::Progress::stderr_is_terminal() ? Mode::kTerminal
                                                                         : Mode::kOff;
  runner::Progress progress(mode, points.size(), sc.trials, estimated_seconds(episodes, threads),
                            std::move(point_names));
  std::vector<PointReport> reports;
  for (std::size_t i = 0; i < points.size(); ++i) {
    progress.start_point(i);
    spdlog::debug("point {}/{}: {} trials on {} thread(s)", i + 1, points.size(), sc.trials,
                  pool.threads());
    PointReport rep;
    rep.params = points[i].params;
    *current = trial_of(i);
    rep.result = pool.run_point(points[i].config, sc.seed, sc.trials, &progress);
    rep.checks = check_expectations(sc.expect, rep.result);
    reports.push_back(std::move(rep));
  }
  progress.finish();
  return reports;
}

void add_out_file(OutputFiles& files, const CommonOptions& o) {
  files.add_input("the scenario", o.scenario_path);
  if (!o.out.empty()) files.add("--out", o.out);
}

void add_profile_inputs(OutputFiles& files, const scenario::Scenario& sc) {
  for (const auto& [path, config] : sc.profile_files) files.add_input("the profile " + path, path);
}

void emit(OutputFiles& files, const CommonOptions& o, std::string content) {
  if (o.out.empty()) {
    files.put_stdout(std::move(content));
  } else {
    files.put("--out", std::move(content));
  }
}

int report_expectations(const std::vector<PointReport>& reports) {
  int status = kExitOk;
  for (const auto& r : reports) {
    std::string where;
    for (const auto& p : r.params)
      where += (where.empty() ? " at " : ", ") + p.path + "=" + p.value;
    for (const auto& c : r.checks) {
      if (c.passed) continue;
      std::cerr << c.expectation.pos.file << ":" << c.expectation.pos.line << ":"
                << c.expectation.pos.column << ": expect failed" << where << ": " << c.text << "\n";
      status = kExitExpectFailed;
    }
  }
  return status;
}

}  // namespace rekeysim::cli
