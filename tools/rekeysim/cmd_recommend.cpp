// `rekeysim recommend SCENARIO`: the smallest lifetime stagger (peer B's
// Child SA lifetime minus peer A's, tried in both directions) whose collision
// rate has an upper 95% bound below the target. "Below the target" must be
// shown by the data, so enough episodes are simulated for a zero count to
// prove it: with n episodes and no collision the Wilson upper bound is
// z²/(n + z²), so n must exceed z²/target - z².
#include <cmath>
#include <iostream>

#include <spdlog/spdlog.h>

#include "tools/rekeysim/common.hpp"
#include "tools/scenario/values.hpp"

namespace rekeysim::cli {

namespace {

// Staggers tried, in increasing magnitude (each also negated).
const char* const kLadder[] = {"0",   "1ms", "3ms", "10ms", "30ms", "100ms", "300ms", "1s",  "3s",
                               "10s", "30s", "1m",  "2m",   "5m",   "10m",   "20m",   "30m", "1h"};

std::string magnitude_of(const std::string& stagger) {
  return stagger.empty() || stagger[0] != '-' ? stagger : stagger.substr(1);
}

struct Tried {
  std::string stagger;
  PointReport report;
  bool passed = false;
};

std::string evidence(const Tried& t, double target) {
  const auto& c = t.report.result.outcome(models::Outcome::kCollisions);
  const auto& f = t.report.result.outcome(models::Outcome::kCantFindSa);
  return "stagger " + t.stagger + ": collisions " + std::to_string(c.episodes_with) + " in " +
         std::to_string(t.report.result.episodes) + " rekey episodes, rate " + format_rate(c.rate) +
         "/rekey " + format_interval(c.ci95) + " (upper bound " + format_rate(c.ci95.hi) +
         (t.passed ? " < " : " >= ") + "target " + format_rate(target) + "); cant_find_sa rate " +
         format_rate(f.rate) + "/rekey " + format_interval(f.ci95);
}

}  // namespace

Command add_recommend_command(CLI::App& root) {
  auto o = std::make_shared<CommonOptions>();
  auto target = std::make_shared<double>(1e-4);
  CLI::App* sub = root.add_subcommand(
      "recommend",
      "find the smallest lifetime stagger whose collision rate is provably below a target");
  add_common_options(sub, *o, true);
  sub->add_option("--target", *target,
                  "collision rate per rekey episode the upper 95% bound must stay below")
      ->check(CLI::Range(1e-9, 0.5))
      ->capture_default_str();
  sub->footer(
      "Example:\n"
      "  rekeysim recommend scenarios/kb-incident.yaml --target 1e-4\n"
      "Tries staggers 0, ±1ms, ±3ms, ... ±1h; prints the evidence at the chosen one and at\n"
      "the next smaller one tried. Trials are raised automatically when the scenario's\n"
      "trials cannot show a rate that low.\n"
      "Exit status: 0 found, 1 no stagger up to ±1h meets the target, 2 usage or input error.");
  return {
      sub, [o, target] {
        OutputFiles files;
        add_out_file(files, *o);
        scenario::Scenario sc = load_with_overrides(*o);
        if (!sc.sweep.empty())
          spdlog::info("recommend ignores the scenario's sweep and varies `stagger`");
        const double z2 = 1.959963984540054 * 1.959963984540054;
        const double needed_episodes = std::ceil((z2 / *target - z2) * 1.25);
        std::vector<Tried> tried;
        const Tried* chosen = nullptr;
        std::size_t chosen_at = 0;
        for (const char* magnitude : kLadder) {
          std::vector<std::string> signs = {magnitude};
          if (std::string(magnitude) != "0") signs.push_back(std::string("-") + magnitude);
          std::vector<std::size_t> passing;
          for (const auto& s : signs) {
            scenario::Point point;
            try {
              point =
                  scenario::build_with(sc, std::vector<scenario::Setting>{scenario::make_setting(
                                               "stagger", s, {"--target", 1, 1})});
            } catch (const scenario::ScenarioError& e) {
              spdlog::info("stagger {} skipped: {}", s, e.problem());
              continue;
            }
            point.params = {{"stagger", s}};
            auto reports = run_points(sc, {point}, *o, model_trial());
            const auto episodes = reports.front().result.episodes;
            if (episodes == 0) {
              throw std::runtime_error("no rekey episodes were simulated at stagger " + s +
                                       "; lengthen `duration`");
            }
            if (static_cast<double>(episodes) < needed_episodes) {
              const double per_trial =
                  static_cast<double>(episodes) / static_cast<double>(sc.trials);
              const auto trials =
                  static_cast<std::uint64_t>(std::ceil(needed_episodes / per_trial));
              if (trials > scenario::kMaxTrials)
                throw std::runtime_error("target too low for this scenario");
              std::cerr << "note: " << sc.trials << " trials give " << episodes
                        << " rekey episodes; showing a rate below " << format_rate(*target)
                        << " needs about " << static_cast<std::uint64_t>(needed_episodes)
                        << ", so using " << trials << " trials\n";
              sc.trials = trials;
              reports = run_points(sc, {point}, *o, model_trial());
            }
            Tried t{s, std::move(reports.front()), false};
            t.passed = t.report.result.outcome(models::Outcome::kCollisions).ci95.hi < *target;
            if (t.passed) passing.push_back(tried.size());
            tried.push_back(std::move(t));
          }
          if (!passing.empty()) {
            chosen_at = passing.front();
            for (std::size_t i : passing) {
              if (tried[i].report.result.outcome(models::Outcome::kCollisions).ci95.hi <
                  tried[chosen_at].report.result.outcome(models::Outcome::kCollisions).ci95.hi) {
                chosen_at = i;
              }
            }
            chosen = &tried[chosen_at];
            break;
          }
        }
        const RunHeader header{sc.name, sc.seed, sc.trials,
                               per_trial_text(scenario::build_with(sc, {}).config)};
        if (o->format == "json" || o->format == "csv") {
          std::vector<PointReport> reports;
          for (const auto& t : tried) reports.push_back(t.report);
          if (o->format == "csv") {
            emit(files, *o, render_csv(header, reports));
          } else {
            nlohmann::ordered_json j;
            j["scenario"] = sc.name;
            j["target"] = *target;
            j["recommended"] =
                chosen ? nlohmann::ordered_json(chosen->stagger) : nlohmann::ordered_json(nullptr);
            j["tried"] = nlohmann::ordered_json::array();
            for (const auto& r : reports) j["tried"].push_back(point_json(header, r));
            emit(files, *o, j.dump(2) + "\n");
          }
        } else {
          std::string out = "scenario " + sc.name +
                            ": smallest stagger (peer B's Child SA lifetime - peer A's)\n"
                            "whose collision rate has an upper 95% bound below " +
                            format_rate(*target) + " per rekey episode\n\ntried:\n";
          for (const auto& t : tried) out += "  " + evidence(t, *target) + "\n";
          if (chosen != nullptr) {
            // "-100ms" means B's lifetime is the shorter one: say it that way.
            const bool shorter = !chosen->stagger.empty() && chosen->stagger.front() == '-';
            const std::string magnitude = shorter ? chosen->stagger.substr(1) : chosen->stagger;
            out += "\nrecommended stagger: " + chosen->stagger +
                   " (write `stagger: " + chosen->stagger +
                   "` in the scenario, or make peer B's Child SA lifetime " + magnitude +
                   (shorter ? " shorter" : " longer") + " than peer A's)\n";
            out += "evidence: " + evidence(*chosen, *target) + "\n";
            // The next smaller magnitude tried (both signs, when both ran).
            std::size_t rung = 0;
            while (magnitude_of(kLadder[rung]) != magnitude_of(chosen->stagger)) ++rung;
            if (rung > 0) {
              for (const auto& t : tried) {
                if (magnitude_of(t.stagger) == kLadder[rung - 1]) {
                  out += "next smaller tried: " + evidence(t, *target) + "\n";
                }
              }
            }
          } else {
            out += "\nno stagger up to ±1h has a collision upper 95% bound below the target\n";
          }
          emit(files, *o, out);
        }
        files.commit();
        return chosen != nullptr ? kExitOk : kExitExpectFailed;
      }};
}

}  // namespace rekeysim::cli
