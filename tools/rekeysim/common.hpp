// Pieces every subcommand shares: the common options, loading a scenario
// with its overrides, running points on the runner, writing output.
//
// Exit codes (documented in `rekeysim --help` and scenarios/README.md):
//   0 ok, 1 an `expect` failed, 2 usage or input error, 3 internal error.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tools/rekeysim/output_files.hpp"
#include "tools/rekeysim/report.hpp"
#include "tools/runner/runner.hpp"
#include "tools/scenario/scenario.hpp"

namespace rekeysim::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitExpectFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInternal = 3;

struct CommonOptions {
  std::string scenario_path;
  std::optional<std::uint64_t> trials;
  std::optional<std::uint64_t> seed;
  unsigned threads = 0;
  std::vector<std::string> sets;
  std::string format = "table";
  std::string out;
  bool quiet = false;
  bool progress = false;  // plain progress lines even when stderr is not a terminal
};

// A subcommand: its CLI11 node and what runs when it was chosen.
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

// Registers SCENARIO, --trials, --seed, --threads, --set, --quiet, --progress
// and (if with_output) --format and --out.
void add_common_options(CLI::App* sub, CommonOptions& o, bool with_output);
// --threads with its one bound (runner::kMaxThreads), for every subcommand.
void add_threads_option(CLI::App* sub, unsigned& threads, const std::string& help);
// --seed: any 64-bit value, written in decimal; nothing wraps.
void add_seed_option(CLI::App* sub, std::optional<std::uint64_t>& seed);

// Loads the scenario, applies --set (in order), then --trials / --seed.
// Throws scenario::ScenarioError.
scenario::Scenario load_with_overrides(const CommonOptions& o);

// The trial function of the real model (models::run_trial).
runner::TrialFunction model_trial();

// "30d" or "1000 rekeys" (from a built config).
std::string per_trial_text(const models::TrialConfig& config);

// Runs `points` (each all trials) and checks expectations on each.
std::vector<PointReport> run_points(const scenario::Scenario& sc,
                                    const std::vector<scenario::Point>& points,
                                    const CommonOptions& o, runner::TrialFunction trial);
// The same with a trial function per point (trial_of(i) for points[i], e.g.
// the window estimator's conditioned trials at some points of a sweep): one
// pool and one progress display for all of them, which calls points[i]
// point_names[i] when given (runner::Progress).
std::vector<PointReport> run_points(
    const scenario::Scenario& sc, const std::vector<scenario::Point>& points,
    const CommonOptions& o, const std::function<runner::TrialFunction(std::size_t)>& trial_of,
    std::vector<std::string> point_names = {});

// Registers --out (when given) with `files`: call before simulating.
void add_out_file(OutputFiles& files, const CommonOptions& o);
// Registers the profile files `sc` reads (`profile: my-asa.yaml`) as inputs,
// so that no output replaces one: call after loading, before simulating.
void add_profile_inputs(OutputFiles& files, const scenario::Scenario& sc);
// `content` for --out, or for stdout without --out; written by files.commit().
void emit(OutputFiles& files, const CommonOptions& o, std::string content);

// Prints each failed expectation to stderr; returns kExitExpectFailed if any failed.
int report_expectations(const std::vector<PointReport>& reports);

// Commands (one file each).
Command add_run_command(CLI::App& root);
Command add_sweep_command(CLI::App& root);
Command add_recommend_command(CLI::App& root);
Command add_validate_command(CLI::App& root);
Command add_profiles_command(CLI::App& root);
Command add_trace_command(CLI::App& root);
Command add_schema_command(CLI::App& root);
Command add_ingest_command(CLI::App& root);
Command add_explore_command(CLI::App& root);
Command add_test_command(CLI::App& root);
Command add_report_command(CLI::App& root);
Command add_audit_command(CLI::App& root);

}  // namespace rekeysim::cli
