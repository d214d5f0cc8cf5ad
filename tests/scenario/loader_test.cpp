// Scenario loading: what a scenario states lands in the TrialConfig, what it
// omits comes from the profile, and every mistake is a file:line:column error.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "models/profiles/profile.hpp"
#include "tools/scenario/scenario.hpp"
#include "tools/scenario/yaml_input.hpp"

using namespace rekeysim::scenario;

namespace {

const char* kBase =
    "name: t\n"
    "seed: 7\n"
    "duration: 2d\n"
    "trials: 3\n"
    "peers:\n"
    "  a: {profile: panos, child: {lifetime: 8h}}\n"
    "  b: {profile: cisco-asa}\n";

Scenario load(const std::string& text) {
  return load_scenario_text(text, "t.yaml");
}

std::string error_of(const std::string& text) {
  try {
    load(text);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("Scenario: a profile supplies defaults and the scenario states only what differs") {
  const Scenario sc = load(kBase);
  const Point p = build_point(sc, 0);
  const auto* panos = models::find_builtin_profile("panos");
  const auto* asa = models::find_builtin_profile("cisco-asa");
  REQUIRE(panos != nullptr);
  REQUIRE(asa != nullptr);
  CHECK(p.config.a.profile == "panos");
  CHECK(p.config.a.child.lifetime == sim::hours(8));
  CHECK(p.config.a.child.margin == panos->config.child.margin);
  CHECK(p.config.a.behaviour.unknown_spi == panos->config.behaviour.unknown_spi);
  CHECK(p.config.b.child.lifetime == asa->config.child.lifetime);
  CHECK(p.config.duration == sim::days(2));
  CHECK_FALSE(p.config.rekeys.has_value());
  CHECK(sc.seed == 7);
  CHECK(sc.trials == 3);
}

TEST_CASE(
    "Scenario: network latency and jitter combine into one delay distribution per direction") {
  const Scenario sc = load(std::string(kBase) +
                           "network:\n"
                           "  latency: {a_to_b: 16ms, b_to_a: 20ms}\n"
                           "  jitter: {dist: normal, sd: 2ms}\n"
                           "  loss: 2%\n"
                           "  reorder: {probability: 1%, delay: 5ms}\n");
  const auto n = build_point(sc, 0).config.network;
  CHECK(n.a_to_b.latency.kind == sim::DurationDist::Kind::kNormal);
  CHECK(n.a_to_b.latency.a == sim::milliseconds(16));
  CHECK(n.a_to_b.latency.b == sim::milliseconds(2));
  CHECK(n.b_to_a.latency.a == sim::milliseconds(20));
  CHECK(n.a_to_b.loss == Approx(0.02));
  CHECK(n.b_to_a.reorder == Approx(0.01));
  CHECK(n.b_to_a.reorder_delay == sim::milliseconds(5));
}

TEST_CASE(
    "Scenario: uniform jitter spreads around the latency and without jitter the delay is "
    "constant") {
  const auto plain = build_point(load(kBase), 0).config.network.a_to_b.latency;
  CHECK(plain.kind == sim::DurationDist::Kind::kConstant);
  CHECK(plain.a == sim::milliseconds(16));
  const auto u =
      build_point(load(std::string(kBase) +
                       "network: {latency: 10ms, jitter: {dist: uniform, spread: 2ms}}\n"),
                  0)
          .config.network.b_to_a.latency;
  CHECK(u.kind == sim::DurationDist::Kind::kUniform);
  CHECK(u.a == sim::milliseconds(8));
  CHECK(u.b == sim::milliseconds(12));
}

TEST_CASE("Scenario: traffic per direction, in either spelling") {
  const Scenario sc = load(std::string(kBase) +
                           "traffic:\n"
                           "  rate: {a_to_b: 200pps, b_to_a: 50pps}\n"
                           "  size: 600B\n"
                           "  b_to_a: {poisson: true}\n");
  const auto t = build_point(sc, 0).config.traffic;
  CHECK(t.a_to_b.rate_pps == 200);
  CHECK(t.b_to_a.rate_pps == 50);
  CHECK(t.a_to_b.size_bytes == 600);
  CHECK_FALSE(t.a_to_b.poisson);
  CHECK(t.b_to_a.poisson);
}

TEST_CASE("Scenario: stagger adds to peer B's Child SA lifetime, in both directions") {
  const Scenario sc = load(std::string(kBase) + "stagger: -300s\n");
  const auto c = build_point(sc, 0).config;
  CHECK(c.b.child.lifetime ==
        models::find_builtin_profile("cisco-asa")->config.child.lifetime - sim::seconds(300));
}

TEST_CASE(
    "Scenario: a sweep range expands from..to by step, and a grid varies the first parameter "
    "slowest") {
  const Scenario sc = load(std::string(kBase) +
                           "sweep:\n"
                           "  - param: stagger\n"
                           "    values: {from: -2s, to: 2s, step: 1s}\n"
                           "  - param: peers.a.child.fuzz\n"
                           "    values: [0%, 50%]\n");
  REQUIRE(point_count(sc) == 10);
  CHECK(sc.sweep[0].labels == std::vector<std::string>{"-2s", "-1s", "0", "1s", "2s"});
  const Point p3 = build_point(sc, 3);  // stagger index 1, fuzz index 1
  REQUIRE(p3.params.size() == 2);
  CHECK(p3.params[0].value == "-1s");
  CHECK(p3.params[1].value == "50%");
  CHECK(p3.config.a.child.fuzz == 0.5);
}

TEST_CASE("Scenario: --set overrides the file and is checked like the file") {
  Scenario sc = load(kBase);
  apply_override(sc, "peers.b.child.lifetime=28500s", 1);
  apply_override(sc, "trials=11", 2);
  apply_override(sc, "network.jitter={dist: normal, sd: 3ms}", 3);
  const auto c = build_point(sc, 0).config;
  CHECK(c.b.child.lifetime == sim::seconds(28500));
  CHECK(c.network.a_to_b.latency.b == sim::milliseconds(3));
  CHECK(sc.trials == 11);
  try {
    apply_override(sc, "peers.b.child.lifetime=abc", 4);
    FAIL("no error");
  } catch (const ScenarioError& e) {
    CHECK(std::string(e.what()).starts_with("--set:4:24: error: peers.b.child.lifetime:"));
  }
  CHECK_THROWS_WITH(apply_override(sc, "peers.b.child.lifetim=1h", 5),
                    Catch::Contains("did you mean \"peers.b.child.lifetime\""));
  CHECK_THROWS_WITH(apply_override(sc, "nonsense", 6), Catch::Contains("--set:6:1: error"));
}

// SCHEMA.md: --set takes a value in the same syntax as the file, so the
// per-direction forms a file accepts work on the command line too.
TEST_CASE("Scenario: --set takes per-direction mappings for network and traffic keys") {
  Scenario sc = load(kBase);
  apply_override(sc, "network.down={a_to_b: [{at: 1h, duration: 1m}]}", 1);
  apply_override(sc, "network.latency={a_to_b: 5ms, b_to_a: 7ms}", 2);
  apply_override(sc, "network.b_to_a={loss: 10%}", 3);
  apply_override(sc, "traffic.rate={a_to_b: 100pps, b_to_a: 50pps}", 4);
  const auto c = build_point(sc, 0).config;
  REQUIRE(c.network.a_to_b.down.size() == 1);
  CHECK(c.network.a_to_b.down[0].at == sim::hours(1));
  CHECK(c.network.a_to_b.down[0].duration == sim::minutes(1));
  CHECK(c.network.b_to_a.down.empty());
  CHECK(c.network.a_to_b.latency.a == sim::milliseconds(5));
  CHECK(c.network.b_to_a.latency.a == sim::milliseconds(7));
  CHECK(c.network.a_to_b.loss == 0);
  CHECK(c.network.b_to_a.loss == 0.1);
  CHECK(c.traffic.a_to_b.rate_pps == 100);
  CHECK(c.traffic.b_to_a.rate_pps == 50);
  // A later --set of one direction wins over the earlier mapping.
  apply_override(sc, "network.latency.b_to_a=9ms", 5);
  CHECK(build_point(sc, 0).config.network.b_to_a.latency.a == sim::milliseconds(9));
  // Mistakes point at the argument and give the expected form (a failed
  // --set stays in the scenario, so each starts afresh).
  sc = load(kBase);
  CHECK_THROWS_WITH(apply_override(sc, "network.latency={a_to_b: 5ms, c_to_a: 7ms}", 6),
                    "--set:6:17: error: network.latency: unknown key \"c_to_a\" beside "
                    "a_to_b/b_to_a; expected one value for both directions, or "
                    "{a_to_b: VALUE, b_to_a: VALUE}");
  sc = load(kBase);
  CHECK_THROWS_WITH(apply_override(sc, "network.down={a_to_b: [{at: 1h}]}", 7),
                    Catch::StartsWith("--set:7:14: error: network.down.a_to_b"));
  sc = load(kBase);
  CHECK_THROWS_WITH(apply_override(sc, "network.a_to_b={latncy: 5ms}", 8),
                    Catch::StartsWith("--set:8:16: error: network.a_to_b: unknown key \"latncy\""));
}

TEST_CASE("Scenario: a profile file has a base and overrides, resolved next to the scenario") {
  const auto dir = std::filesystem::temp_directory_path() / "rekeysim_profile_file_test";
  std::filesystem::create_directories(dir / "profiles");
  std::ofstream(dir / "profiles" / "hub.yaml")
      << "base: strongswan\nchild: {lifetime: 2h, margin: 10m}\n";
  std::ofstream(dir / "s.yaml")
      << "duration: 1d\npeers:\n  a: {profile: profiles/hub.yaml}\n  b: {profile: rfc7296}\n";
  const Scenario sc = load_scenario((dir / "s.yaml").string());
  const auto a = build_point(sc, 0).config.a;
  CHECK(a.profile == "hub");
  CHECK(a.child.lifetime == sim::hours(2));
  CHECK(a.child.margin == sim::minutes(10));
  CHECK(a.behaviour.collision_resolution ==
        models::find_builtin_profile("strongswan")->config.behaviour.collision_resolution);
  std::ofstream(dir / "profiles" / "bad.yaml") << "base: strongswan\nchild: {lifetime: 2x}\n";
  std::ofstream(dir / "s2.yaml")
      << "duration: 1d\npeers:\n  a: {profile: profiles/bad.yaml}\n  b: {profile: rfc7296}\n";
  CHECK_THROWS_WITH(load_scenario((dir / "s2.yaml").string()),
                    Catch::Contains("bad.yaml:2:19: error: child.lifetime"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("Scenario: errors carry file:line:column, the field and the expected form") {
  CHECK(error_of(std::string(kBase) + "network: {loss: 2x}\n") ==
        "t.yaml:8:17: error: network.loss: \"2x\" is not a fraction; expected a fraction like 0.5 "
        "or a percentage like 50% between 0 (0%) and 1 (100%)");
  CHECK_THAT(error_of("seed: 1\nseed: 2\n"),
             Catch::StartsWith("t.yaml:2:1: error: seed: duplicate key"));
  // A nested duplicate is named by its whole path.
  CHECK_THAT(error_of("duration: 1d\npeers:\n  a:\n    child: {lifetime: 1h, lifetime: 2h}\n"
                      "  b: {}\n"),
             Catch::StartsWith("t.yaml:4:27: error: peers.a.child.lifetime: duplicate key "
                               "(first given on line 4)"));
  CHECK_THAT(error_of(std::string(kBase) + "trails: 3\n"),
             Catch::StartsWith(
                 "t.yaml:8:1: error: trails: unknown key \"trails\" (did you mean \"trials\"?)"));
  CHECK_THAT(
      error_of(
          "duration: 1d\npeers:\n  a: {child: {lifetime: 10m, margin: 6m, fuzz: 100%}}\n  b: {}\n"),
      Catch::StartsWith("t.yaml:3:25: error: peers.a.child: margin 6m (t.yaml:3:38) + fuzz 100% "
                        "(t.yaml:3:48) x margin is not less than lifetime 10m (t.yaml:3:25)"));
}

TEST_CASE(
    "Scenario: a number too small or too large for a double is out of range, not 'not a number'") {
  const std::string base =
      "duration: 1d\npeers:\n  a: {processing_delay: \"lognormal(1ms, X)\"}\n  b: {}\n";
  auto with = [&](const std::string& x) {
    std::string s = base;
    s.replace(s.find('X'), 1, x);
    return error_of(s);
  };
  CHECK_THAT(with("1e-400"),
             Catch::Contains("\"1e-400\" is out of range; expected lognormal(median, "
                             "sigma)"));
  CHECK_THAT(with("1e400"), Catch::Contains("\"1e400\" is out of range"));
  CHECK_THAT(with("x"),
             Catch::Contains("\"x\" is not a number; expected lognormal(median, sigma)"));
  CHECK(with("1e-300") == "(no error)");  // tiny but a double: accepted
}

TEST_CASE("Scenario: expect accepts a bare count and named limits") {
  const Scenario sc = load(std::string(kBase) +
                           "expect:\n"
                           "  collisions: 0\n"
                           "  cant_find_sa: {max_rate: 1e-4, max_rate_upper95: 1%}\n");
  REQUIRE(sc.expect.size() == 3);
  CHECK(sc.expect[0].outcome == models::Outcome::kCollisions);
  CHECK(sc.expect[0].kind == ExpectKind::kMaxCount);
  CHECK(sc.expect[0].limit == 0);
  CHECK(sc.expect[1].kind == ExpectKind::kMaxRate);
  CHECK(sc.expect[1].limit == Approx(1e-4));
  CHECK(sc.expect[2].limit == Approx(0.01));
}

TEST_CASE("Scenario: rekeys instead of duration ends a trial after that many episodes") {
  std::string text = kBase;
  text.replace(text.find("duration: 2d"), 12, "rekeys: 500");
  const auto c = build_point(load(text), 0).config;
  REQUIRE(c.rekeys.has_value());
  CHECK(*c.rekeys == 500);
}

TEST_CASE("Scenario: a file is read whole up to 4 MiB and refused beyond, at 1:1") {
  // Read in 64 KiB chunks up to one byte past the limit: a file of exactly
  // the limit (a valid scenario padded with a comment) loads, with its last
  // key read; one byte more, or 20 MiB, is refused at 1:1.
  const auto dir =
      std::filesystem::temp_directory_path() / ("rekeysim_size_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::size_t limit = YamlLimits{}.max_bytes;
  auto write = [&](const std::string& name, std::size_t size) {
    const std::string head =
        "# " + std::string(size - 2 - 1 - std::string(kBase).size(), 'x') + "\n";
    std::ofstream(dir / name, std::ios::binary) << head << kBase;
    CHECK(std::filesystem::file_size(dir / name) == size);
    return (dir / name).string();
  };
  const Scenario at = load_scenario(write("at.yaml", limit));
  CHECK(build_point(at, 0).config.a.child.lifetime == sim::hours(8));  // the file's last line
  for (const std::size_t size : {limit + 1, std::size_t{20} << 20}) {
    INFO(size);
    CHECK_THROWS_WITH(load_scenario(write("over.yaml", size)),
                      Catch::Contains(":1:1: error: file: is over " + std::to_string(limit) +
                                      " bytes long; expected a scenario "
                                      "of at most " +
                                      std::to_string(limit) + " bytes"));
  }
  std::filesystem::remove_all(dir);
}
