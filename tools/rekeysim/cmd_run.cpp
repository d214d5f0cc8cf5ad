// `rekeysim run SCENARIO`: all trials of the scenario's base point (its sweep,
// if any, is not expanded), reported as a table, JSON object or CSV row.
// --estimator picks plain Monte Carlo or the window estimator of rare race
// rates (tools/runner/window_estimator.hpp); the output names the one used.
#include <spdlog/spdlog.h>

#include "tools/rekeysim/common.hpp"
#include "tools/rekeysim/estimated_points.hpp"
#include "tools/rekeysim/window_report.hpp"

namespace rekeysim::cli {

Command add_run_command(CLI::App& root) {
  auto o = std::make_shared<CommonOptions>();
  auto estimator = std::make_shared<std::string>("auto");
  CLI::App* sub = root.add_subcommand("run", "run the scenario's trials and report outcome rates");
  add_common_options(sub, *o, true);
  sub->add_option("--estimator", *estimator,
                  "auto (default): the window estimator where it applies and plain Monte Carlo "
                  "would see few first rekeys in the race window, else plain; plain; window "
                  "(rare collision rates of a first rekey, every outcome stratified on the race "
                  "window: --trials inside and --trials outside, README 'Rare rates'). Where the "
                  "bounds prove the first timers never meet, auto and window report collisions "
                  "as exactly 0 [0, 0] (exact-zero)")
      ->check(CLI::IsMember({"auto", "plain", "window"}));
  sub->footer(
      "Example:\n"
      "  rekeysim run scenarios/kb-incident-staggered.yaml --trials 50 --format json --out r.json\n"
      "  rekeysim run scenarios/kb-incident.yaml --set stagger=300s\n"
      "  rekeysim run scenarios/rare-collision.yaml --estimator window\n"
      "Exit status: 0 ok, 1 an expect failed, 2 usage or input error, 3 internal error.");
  return {
      sub, [o, estimator] {
        OutputFiles files;
        add_out_file(files, *o);
        const scenario::Scenario sc = load_with_overrides(*o);
        add_profile_inputs(files, sc);
        if (!sc.sweep.empty()) {
          spdlog::warn("{} has a sweep; `run` uses the base values (use `rekeysim sweep`)",
                       sc.file);
        }
        const scenario::Point base = scenario::build_with(sc, {});
        const RunHeader header{sc.name, sc.seed, sc.trials, per_trial_text(base.config)};
        // The same choice and figures as each point of a sweep (estimated_points.hpp).
        const auto points = run_estimated_points(sc, {base}, *o, *estimator);
        const EstimatedPoint& pt = points.front();
        const std::vector<PointReport> reports{pt.report};
        if (o->format == "json") {
          emit(files, *o,
               render_json_with_estimator(header, pt.report, pt.choice, pt.in_window, pt.outside));
        } else if (o->format == "csv") {
          emit(files, *o, render_csv(header, reports));
        } else {
          emit(files, *o,
               render_table_with_estimator(header, pt.report, pt.choice, pt.in_window, pt.outside));
        }
        files.commit();
        return report_expectations(reports);
      }};
}

}  // namespace rekeysim::cli
