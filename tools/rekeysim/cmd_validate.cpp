// `rekeysim validate SCENARIO`: load, apply overrides and build every sweep
// point without running anything; print what would run.
#include <cstdio>
#include <iostream>

#include "tools/rekeysim/common.hpp"
#include "tools/rekeysim/estimate.hpp"
#include "tools/rekeysim/estimated_points.hpp"
#include "tools/runner/threads.hpp"
#include "tools/scenario/peer_keys.hpp"

namespace rekeysim::cli {

Command add_validate_command(CLI::App& root) {
  auto o = std::make_shared<CommonOptions>();
  CLI::App* sub =
      root.add_subcommand("validate", "check a scenario (every sweep point) without running it");
  add_common_options(sub, *o, false);
  sub->footer(
      "Example:\n"
      "  rekeysim validate scenarios/kb-incident.yaml --set peers.b.child.lifetime=28500s\n"
      "Exit status: 0 valid, 2 the first error as file:line:column: error: field: what; expected "
      "form.");
  return {
      sub, [o] {
        const scenario::Scenario sc = load_with_overrides(*o);
        const std::size_t points = scenario::point_count(sc);
        const scenario::Point base = scenario::build_with(sc, {});
        std::cout << "ok: " << sc.file << " (" << sc.name << "): " << points << " point(s) x "
                  << sc.trials << " trials, " << per_trial_text(base.config) << " per trial, seed "
                  << sc.seed << "\n";
        // What the run will cost, before it starts (a 1000-day trial of 1 s
        // lifetimes is 86 million episodes).
        // A point that takes the window estimator under `run`'s and `sweep`'s
        // default (auto) runs its trials twice, once in each stratum.
        double per_trial = 0;
        std::size_t windowed = 0;
        const auto expect = expected_outcomes(sc);
        for (std::size_t i = 0; i < points; ++i) {
          const models::TrialConfig config = scenario::build_point(sc, i).config;
          const bool window = runner::choose_estimator("auto", config, sc.trials, expect).used ==
                              runner::Estimator::kWindow;
          windowed += window ? 1 : 0;
          per_trial += expected_episodes_per_trial(config) * (window ? 2 : 1);
        }
        const double episodes = per_trial * static_cast<double>(sc.trials);
        const unsigned threads = runner::effective_threads(o->threads, sc.trials);
        std::cout << "  expected: about " << format_about_count(episodes)
                  << " rekey episodes in all; estimated run time "
                  << format_wall_seconds(estimated_seconds(episodes, threads)) << " on " << threads
                  << " thread(s) (at ~" << kEpisodesPerSecondPerThread / 1000
                  << "k episodes/s per thread)\n";
        if (windowed > 0) {
          std::cout << "  estimator: " << windowed << " of " << points
                    << " point(s) take the window estimator (the default, --estimator auto): "
                       "their trials run once inside the race window and once outside, counted "
                       "twice above\n";
        }
        for (int p = 0; p < 2; ++p) {
          const models::PeerConfig& peer = p == 0 ? base.config.a : base.config.b;
          std::cout << "  peer " << (p == 0 ? 'A' : 'B') << ": profile " << peer.profile;
          for (const char* k : {"child.lifetime", "child.margin", "child.fuzz", "ike.lifetime"}) {
            std::cout << ", " << k << " " << scenario::format_peer_field(peer, k);
            // A fraction of the lifetime: show what it comes to for this point.
            if (std::string_view(k) == "child.margin" && peer.child.margin.is_fraction()) {
              std::cout << " ("
                        << sim::format_duration(peer.child.margin.resolve(peer.child.lifetime))
                        << ")";
            }
          }
          std::cout << "\n";
        }
        for (const auto& s : sc.sweep) {
          std::cout << "  sweep " << s.path << ": " << s.values.size() << " value(s) from "
                    << s.labels.front() << " to " << s.labels.back() << "\n";
        }
        for (const auto& e : sc.expect) {
          std::cout << "  expect " << models::outcome_name(e.outcome) << " "
                    << scenario::to_string(e.kind) << " " << e.limit_text << "\n";
        }
        return kExitOk;
      }};
}

}  // namespace rekeysim::cli
