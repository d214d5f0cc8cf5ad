// network.down: link-down windows as the scenario states them, and every bad
// window reported at its file:line:column.
#include <catch2/catch.hpp>

#include "tools/scenario/link_down.hpp"
#include "tools/scenario/scenario.hpp"

using namespace rekeysim::scenario;
using models::DownWindow;
using sim::SimTime;

namespace {

const char* kBase =
    "name: t\n"
    "seed: 7\n"
    "duration: 2d\n"
    "trials: 3\n"
    "peers:\n"
    "  a: {profile: panos}\n"
    "  b: {profile: cisco-asa}\n";

std::string error_of(const std::string& text) {
  try {
    load_scenario_text(text, "t.yaml");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("network.down: one window, a list, periodic windows and one direction") {
  const Scenario sc = load_scenario_text(std::string(kBase) +
                                             "network:\n"
                                             "  down:\n"
                                             "    - {at: 55m, duration: 20s}\n"
                                             "    - {every: 3h, duration: 3m, phase: 2h}\n"
                                             "    - {every: 1d, duration: 1m}\n",
                                         "t.yaml");
  const auto c = build_point(sc, 0).config;
  REQUIRE(c.network.a_to_b.down.size() == 3);
  CHECK(c.network.a_to_b.down[0].at == sim::minutes(55));
  CHECK(c.network.a_to_b.down[0].duration == sim::seconds(20));
  CHECK(c.network.a_to_b.down[0].every == SimTime{});
  CHECK(c.network.a_to_b.down[1].at == sim::hours(2));
  CHECK(c.network.a_to_b.down[1].every == sim::hours(3));
  CHECK(c.network.a_to_b.down[2].at == sim::days(1));  // phase defaults to every
  CHECK(c.network.b_to_a.down.size() == 3);

  const auto one =
      build_point(load_scenario_text(std::string(kBase) + "network: {down: {a_to_b: {at: 1h, "
                                                          "duration: 1s}}}\n",
                                     "t.yaml"),
                  0)
          .config;
  CHECK(one.network.a_to_b.down.size() == 1);
  CHECK(one.network.b_to_a.down.empty());
}

TEST_CASE("network.down: bad windows are errors at their file:line:column") {
  // Column of a value in "    - {at: -5m, ...}": the flow map opens at 7.
  CHECK_THAT(error_of(std::string(kBase) + "network:\n  down:\n    - {at: -5m, duration: 30s}\n"),
             Catch::StartsWith("t.yaml:10:12: error: network.down[0].at: negative duration "
                               "\"-5m\"; expected a duration like 8h, 7h55m, 250ms or 0"));
  // Negative values are refused, so the expected form shows none.
  CHECK(error_of(std::string(kBase) + "network:\n  down:\n    - {at: 1h, duration: soon}\n")
            .ends_with("expected a duration like 8h, 7h55m, 250ms or 0"));
  CHECK_THAT(error_of(std::string(kBase) + "network:\n  down:\n    - {at: 1h, duration: 0}\n"),
             Catch::StartsWith("t.yaml:10:26: error: network.down[0].duration: must be greater "
                               "than 0"));
  CHECK_THAT(error_of(std::string(kBase) + "network:\n  down:\n    - {every: 1m, duration: 2m}\n"),
             Catch::StartsWith("t.yaml:10:29: error: network.down[0].duration: is not shorter "
                               "than every (1m)"));
  CHECK_THAT(error_of(std::string(kBase) + "network:\n  down:\n    - {at: 1h, every: 2h, "
                                           "duration: 1m}\n"),
             Catch::StartsWith("t.yaml:10:7: error: network.down[0]: has both `at` and `every`"));
  CHECK_THAT(
      error_of(std::string(kBase) + "network:\n  down:\n    - {every: 10ms, duration: 1ms}\n"),
      Catch::StartsWith("t.yaml:10:15: error: network.down[0].every: is shorter than the "
                        "minimum 1s"));
  CHECK_THAT(error_of(std::string(kBase) + "network:\n  down:\n    - {at: 1h, duraton: 1m}\n"),
             Catch::Contains("unknown key \"duraton\" (did you mean \"duration\"?)"));
  // Overlapping one-off windows: blamed on the later one.
  CHECK_THAT(error_of(std::string(kBase) + "network:\n  down:\n    - {at: 1h, duration: 30s}\n"
                                           "    - {at: 1h, duration: 1m}\n"),
             Catch::StartsWith("t.yaml:11:7: error: network.down[1]: overlaps window 0"));
  // Through --set too, at the argument.
  CHECK_THAT(
      [] {
        try {
          Scenario sc = load_scenario_text(std::string(kBase), "t.yaml");
          apply_override(sc, "network.down={every: 1h, duration: 1h}", 1);
        } catch (const ScenarioError& e) {
          return std::string(e.what());
        }
        return std::string("(no error)");
      }(),
      Catch::StartsWith("--set:1:14: error: network.down.duration: is not shorter than every"));
}

TEST_CASE(
    "network.down: periodic windows overlap iff their phases differ by less than a duration, "
    "modulo the gcd of the periods") {
  const auto w = [](SimTime at, SimTime d, SimTime every) { return DownWindow{at, d, every}; };
  using sim::minutes;
  using sim::seconds;
  // A: [30, 40) every 60 min; B: [0, 5) every 40 min. gcd 20 min: B starts
  // 10 min after A (mod 20), so they touch (A ends at 160 when B starts) but
  // never overlap...
  CHECK_FALSE(windows_overlap(w(minutes(30), minutes(10), minutes(60)),
                              w(SimTime{}, minutes(5), minutes(40))));
  // ... until A lasts one second longer.
  CHECK(windows_overlap(w(minutes(30), minutes(10) + seconds(1), minutes(60)),
                        w(SimTime{}, minutes(5), minutes(40))));
  // A one-off window against a periodic one.
  CHECK(windows_overlap(w(minutes(125), minutes(1), {}), w(minutes(0), minutes(10), minutes(60))));
  // [130, 180) between [120, 130) and [180, 190): touching, not overlapping.
  CHECK_FALSE(
      windows_overlap(w(minutes(130), minutes(50), {}), w(minutes(0), minutes(10), minutes(60))));
  CHECK(windows_overlap(w(minutes(130), minutes(50) + seconds(1), {}),
                        w(minutes(0), minutes(10), minutes(60))));
  // Never before the first occurrence.
  CHECK_FALSE(
      windows_overlap(w(minutes(5), minutes(10), {}), w(minutes(60), minutes(10), minutes(60))));
}

TEST_CASE(
    "network.down: jitter for periodic windows only, with duration + jitter shorter than every") {
  const auto c = build_point(load_scenario_text(std::string(kBase) +
                                                    "network: {down: {every: 3h, duration: 5m, "
                                                    "phase: 2h, jitter: 1h}}\n",
                                                "t.yaml"),
                             0)
                     .config;
  REQUIRE(c.network.a_to_b.down.size() == 1);
  CHECK(c.network.a_to_b.down[0].jitter == sim::hours(1));
  CHECK_THAT(error_of(std::string(kBase) +
                      "network:\n  down:\n    - {every: 1h, duration: 5m, jitter: 55m}\n"),
             Catch::StartsWith("t.yaml:10:41: error: network.down[0].jitter: plus duration (5m) "
                               "is not shorter than every (1h)"));
  CHECK_THAT(error_of(std::string(kBase) +
                      "network:\n  down:\n    - {at: 1h, duration: 5m, jitter: 1m}\n"),
             Catch::StartsWith("t.yaml:10:38: error: network.down[0].jitter: applies to periodic "
                               "windows only"));
  // A jittered window is judged by duration + jitter: [0, 25m) of every 1 h
  // meets a one-off window at 20 min.
  CHECK_THAT(error_of(std::string(kBase) +
                      "network:\n  down:\n    - {every: 1h, duration: 5m, phase: 0s, jitter: 20m}\n"
                      "    - {at: 2h20m, duration: 1m}\n"),
             Catch::StartsWith("t.yaml:11:7: error: network.down[1]: overlaps window 0"));
}
