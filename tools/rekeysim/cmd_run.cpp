// `rekeysim run SCENARIO`: all trials of the scenario's base point (its sweep,
// if any, is not expanded), reported as a table, JSON object or CSV row.
#include <spdlog/spdlog.h>

#include "tools/rekeysim/common.hpp"

namespace rekeysim::cli {

Command add_run_command(CLI::App& root) {
  auto o = std::make_shared<CommonOptions>();
  CLI::App* sub = root.add_subcommand("run", "run the scenario's trials and report outcome rates");
  add_common_options(sub, *o, true);
  sub->footer(
      "Example:\n"
      "  rekeysim run scenarios/kb-incident-staggered.yaml --trials 50 --format json --out r.json\n"
      "  rekeysim run scenarios/kb-incident.yaml --set stagger=300s\n"
      "Exit status: 0 ok, 1 an expect failed, 2 usage or input error, 3 internal error.");
  return {sub, [o] {
            OutputFiles files;
            add_out_file(files, *o);
            const scenario::Scenario sc = load_with_overrides(*o);
            if (!sc.sweep.empty()) {
              spdlog::warn("{} has a sweep; `run` uses the base values (use `rekeysim sweep`)",
                           sc.file);
            }
            const scenario::Point base = scenario::build_with(sc, {});
            const RunHeader header{sc.name, sc.seed, sc.trials, per_trial_text(base.config)};
            const auto reports = run_points(sc, {base}, *o, model_trial());
            if (o->format == "json") {
              emit(files, *o, render_json(header, reports, false));
            } else if (o->format == "csv") {
              emit(files, *o, render_csv(header, reports));
            } else {
              emit(files, *o, render_table_run(header, reports.front()));
            }
            files.commit();
            return report_expectations(reports);
          }};
}

}  // namespace rekeysim::cli
