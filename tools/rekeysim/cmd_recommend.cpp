// `rekeysim recommend SCENARIO`: which Phase 2 lifetime to set on which box.
// Every harmful outcome is weighed into one harm per rekey (advice.hpp);
// staggers are tried in both directions, each as a lifetime one of the two
// devices can be configured with, in that device's units and range; the
// smallest stagger whose harm has an upper 95% bound below the target wins.
#include <iostream>

#include <spdlog/spdlog.h>

#include "tools/rekeysim/advice.hpp"

namespace rekeysim::cli {

Command add_recommend_command(CLI::App& root) {
  auto o = std::make_shared<CommonOptions>();
  auto flags = std::make_shared<HarmFlags>();
  CLI::App* sub = root.add_subcommand(
      "recommend",
      "which Phase 2 lifetime to set on which peer, weighing every harmful outcome, in the units "
      "each device takes");
  add_common_options(sub, *o, true);
  add_harm_options(sub, *flags);
  sub->footer(
      "Example:\n"
      "  rekeysim recommend scenarios/panos-vs-aws.yaml\n"
      "  rekeysim recommend scenarios/kb-incident.yaml --objective collisions --target 1e-4\n"
      "Tries the current lifetimes, then staggers of ±1s, ±2s, ±5s, ... up to half the shorter\n"
      "lifetime, each set on a peer whose lifetime setting can express it (units and range from\n"
      "the profiles). Trials are raised where an interval still straddles the target.\n"
      "Exit status: 0 advice found (or none needed), 1 no stagger is enough, 2 usage or input "
      "error.");
  return {sub, [o, flags] {
            AdviceOptions opt = advice_options(*flags);
            OutputFiles files;
            add_out_file(files, *o);
            scenario::Scenario sc = load_with_overrides(*o);
            add_profile_inputs(files, sc);
            if (!sc.sweep.empty())
              spdlog::info("recommend ignores the scenario's sweep and varies the lifetimes");
            const Advice a = advise(sc, opt, *o);
            const RunHeader header{sc.name, sc.seed, sc.trials, per_trial_text(a.config)};
            if (o->format == "json") {
              emit(files, *o, advice_json(a, header).dump(2) + "\n");
            } else if (o->format == "csv") {
              std::vector<PointReport> reports = {a.current.report};
              for (const auto& c : a.tried) reports.push_back(c.report);
              reports.front().params = {{"stagger", "current"}};
              emit(files, *o, render_csv(header, reports));
            } else {
              emit(files, *o, render_advice_text(a));
            }
            files.commit();
            return a.verdict == Verdict::kNoneEnough ? kExitExpectFailed : kExitOk;
          }};
}

}  // namespace rekeysim::cli
