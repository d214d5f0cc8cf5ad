// `rekeysim run SCENARIO`: all trials of the scenario's base point (its sweep,
// if any, is not expanded), reported as a table, JSON object or CSV row.
// --estimator picks plain Monte Carlo or the window estimator of rare race
// rates (tools/runner/window_estimator.hpp); the output names the one used.
#include <spdlog/spdlog.h>

#include "tools/rekeysim/common.hpp"
#include "tools/rekeysim/window_report.hpp"
#include "tools/runner/window_estimator.hpp"

namespace rekeysim::cli {

namespace {

std::vector<runner::ExpectedOutcome> expected_outcomes(const scenario::Scenario& sc) {
  std::vector<runner::ExpectedOutcome> out;
  for (const auto& e : sc.expect) {
    const bool on_rate = e.kind == scenario::ExpectKind::kMaxRate ||
                         e.kind == scenario::ExpectKind::kMinRate ||
                         e.kind == scenario::ExpectKind::kMaxRateUpper95;
    out.push_back({e.outcome, on_rate});
  }
  return out;
}

}  // namespace

Command add_run_command(CLI::App& root) {
  auto o = std::make_shared<CommonOptions>();
  auto estimator = std::make_shared<std::string>("auto");
  CLI::App* sub = root.add_subcommand("run", "run the scenario's trials and report outcome rates");
  add_common_options(sub, *o, true);
  sub->add_option("--estimator", *estimator,
                  "auto (default): the window estimator where it applies and plain Monte Carlo "
                  "would see few first rekeys in the race window, else plain; plain; window "
                  "(rare collision rates of a first rekey, README 'Rare rates')")
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
        if (!sc.sweep.empty()) {
          spdlog::warn("{} has a sweep; `run` uses the base values (use `rekeysim sweep`)",
                       sc.file);
        }
        const scenario::Point base = scenario::build_with(sc, {});
        const RunHeader header{sc.name, sc.seed, sc.trials, per_trial_text(base.config)};
        // CSV has one fixed plain layout: the window estimator has no row for it.
        if (o->format == "csv" && *estimator == "window")
          throw runner::EstimatorError(
              "--format csv has no room for the window estimator's figures: use --format "
              "json or table, or --estimator plain");
        const runner::EstimatorChoice choice =
            runner::choose_estimator(o->format == "csv" ? "plain" : *estimator, base.config,
                                     sc.trials, expected_outcomes(sc));
        spdlog::info("estimator: {}", choice.why);
        std::vector<PointReport> reports;
        runner::PointResult in_window;
        if (choice.used == runner::Estimator::kWindow) {
          auto sampler = std::make_shared<const runner::WindowSampler>(choice.window);
          reports = run_points(sc, {base}, *o, runner::window_trial(sampler, model_trial()));
          PointReport& rep = reports.front();
          in_window = rep.result;
          rep.result = runner::scale_race_outcomes(in_window, choice.window.p_window);
          rep.checks = check_expectations(sc.expect, rep.result);
        } else {
          reports = run_points(sc, {base}, *o, model_trial());
        }
        if (o->format == "json") {
          emit(files, *o, render_json_with_estimator(header, reports.front(), choice, in_window));
        } else if (o->format == "csv") {
          emit(files, *o, render_csv(header, reports));
        } else {
          emit(files, *o, render_table_with_estimator(header, reports.front(), choice, in_window));
        }
        files.commit();
        return report_expectations(reports);
      }};
}

}  // namespace rekeysim::cli
