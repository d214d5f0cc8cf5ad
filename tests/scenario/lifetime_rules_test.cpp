// Issue 11 part 1 at the scenario level: `margin` takes a fraction of the
// lifetime, a profile's rule is resolved against the final lifetime after
// every override, --set is applied before validation, and a margin that is
// not below its lifetime is an error naming both values and their origins.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <vector>

#include "tools/scenario/peer_keys.hpp"
#include "tools/scenario/scenario.hpp"

using namespace rekeysim::scenario;

namespace {

Scenario load(const std::string& text) {
  return load_scenario_text(text, "t.yaml");
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "no error";
}

sim::SimTime margin_of(const models::LifetimePolicy& p) {
  return p.margin.resolve(p.lifetime);
}

// A scenario file on disk (for --set, which needs load_scenario(path, ...)).
struct File {
  std::filesystem::path path;
  explicit File(const std::string& text) {
    static int n = 0;
    path = std::filesystem::temp_directory_path() /
           ("rekeysim_lifetime_rules_" + std::to_string(::getpid()) + "_" + std::to_string(n++) +
            ".yaml");
    std::ofstream(path) << text;
  }
  ~File() { std::filesystem::remove(path); }
};

}  // namespace

TEST_CASE("Lifetime rules: `margin: 10%` and `margin: 1/11` are fractions of the final lifetime") {
  const Scenario sc = load(
      "duration: 1d\n"
      "peers:\n"
      "  a: {profile: rfc7296, child: {lifetime: 1h, margin: 10%}, ike: {lifetime: 22h, margin: "
      "1/11}}\n"
      "  b: {profile: rfc7296, child: {margin: 12.5%}}\n");
  const auto c = build_point(sc, 0).config;
  CHECK(c.a.child.margin == models::Margin::fraction(10, 100));
  CHECK(margin_of(c.a.child) == sim::minutes(6));
  CHECK(margin_of(c.a.ike) == sim::hours(2));
  CHECK(margin_of(c.b.child) == sim::hours(1));  // 12.5% of rfc7296's 8 h
  CHECK(format_peer_field(c.a, "child.margin") == "10%");
  // A sweep can list margins of either kind.
  const Scenario sw = load(
      "duration: 1d\npeers:\n  a: {child: {lifetime: 1h}}\n  b: {}\n"
      "sweep:\n  - {param: peers.a.child.margin, values: [5%, 1/12, 2m]}\n");
  CHECK(margin_of(build_point(sw, 0).config.a.child) == sim::minutes(3));
  CHECK(margin_of(build_point(sw, 1).config.a.child) == sim::minutes(5));
  CHECK(margin_of(build_point(sw, 2).config.a.child) == sim::minutes(2));
  CHECK(format_peer_field(c.a, "ike.margin") == "1/11");
}

TEST_CASE("Lifetime rules: bad margins are file:line:column errors naming the accepted forms") {
  const auto bad = [](const std::string& v) {
    return error_of(
        [&] { load("duration: 1d\npeers:\n  a: {child: {margin: " + v + "}}\n  b: {}\n"); });
  };
  CHECK_THAT(bad("abc%"), Catch::StartsWith("t.yaml:3:23: error: peers.a.child.margin: \"abc%\" "
                                            "is not a margin") &&
                              Catch::Contains("a percentage of the lifetime like 10%"));
  CHECK_THAT(bad("-5%"), Catch::Contains("is not a margin"));
  CHECK_THAT(bad("1/0"), Catch::Contains("is not a margin"));
  CHECK_THAT(bad("-5m"), Catch::Contains("negative duration"));
  // A bare number could be meant as a duration or a fraction: both forms shown.
  CHECK_THAT(bad("10"),
             Catch::StartsWith("t.yaml:3:23: error: peers.a.child.margin: \"10\" is not a "
                               "duration") &&
                 Catch::EndsWith("expected a duration like 9m or 270s, a percentage of the "
                                 "lifetime like 10%, or a ratio like 1/11"));
}

TEST_CASE(
    "Lifetime rules: a profile's fractional margin follows a lifetime set in the scenario, "
    "a profile file, --set or a sweep, and a stated margin replaces the rule") {
  // cisco-asa: 10% of the lifetime (48 min at its 8 h default).
  const std::string base =
      "duration: 1d\n"
      "peers:\n"
      "  a: {profile: cisco-asa, child: {lifetime: 1h}, ike: {lifetime: 8h}}\n"
      "  b: {profile: cisco-asa}\n";
  Scenario sc = load(base);
  auto c = build_point(sc, 0).config;
  CHECK(margin_of(c.a.child) == sim::minutes(6));
  CHECK(margin_of(c.a.ike) == sim::minutes(48));
  CHECK(margin_of(c.b.child) == sim::minutes(48));
  apply_override(sc, "peers.a.child.lifetime=4h", 1);
  CHECK(margin_of(build_point(sc, 0).config.a.child) == sim::minutes(24));
  apply_override(sc, "peers.a.child.margin=60s", 2);
  CHECK(margin_of(build_point(sc, 0).config.a.child) == sim::seconds(60));

  // stagger shifts B's lifetime; its 10% margin follows (8h + 1h -> 54 min).
  const Scenario st = load(base + "stagger: 1h\n");
  CHECK(margin_of(build_point(st, 0).config.b.child) == sim::minutes(54));

  // strongswan: 1/11, i.e. rekey_time = life_time / 1.1 for a life_time set alone.
  const Scenario sw = load(
      "duration: 1d\npeers:\n  a: {profile: strongswan, child: {lifetime: 11h}}\n  b: {}\n"
      "sweep:\n  - {param: peers.a.child.lifetime, values: [22h, 110m]}\n");
  CHECK(margin_of(build_point(sw, 0).config.a.child) == sim::hours(2));
  CHECK(margin_of(build_point(sw, 1).config.a.child) == sim::minutes(10));

  // A profile file that changes only the lifetime keeps its base's rule.
  const auto dir = std::filesystem::temp_directory_path() / "rekeysim_lifetime_rules_profile";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "asa.yaml") << "base: cisco-asa\nchild: {lifetime: 2h}\n";
  std::ofstream(dir / "s.yaml") << "duration: 1d\npeers:\n  a: {profile: asa.yaml}\n  b: {}\n";
  CHECK(margin_of(build_point(load_scenario((dir / "s.yaml").string()), 0).config.a.child) ==
        sim::minutes(12));
  std::filesystem::remove_all(dir);
}

TEST_CASE("Lifetime rules: a margin not below its lifetime names both values and their origins") {
  // cisco-ios: a fixed 30 s margin, no fuzz. A 20 s lifetime set in the file:
  CHECK(error_of([] {
          load(
              "duration: 1d\npeers:\n  a: {profile: cisco-ios, child: {lifetime: 20s}}\n  b: {}\n");
        }) ==
        "t.yaml:3:45: error: peers.a.child: margin 30s (profile cisco-ios default) is not less "
        "than lifetime 20s (t.yaml:3:45); expected lifetime > margin x (1 + fuzz), so an SA lives "
        "before it is rekeyed");
  // A fraction: 60% + 100% fuzz of 1h, both set in the file.
  CHECK_THAT(error_of([] {
               load("duration: 1d\npeers:\n  a: {child: {lifetime: 1h, margin: 60%}}\n  b: {}\n");
             }),
             Catch::Contains("margin 60% of the lifetime = 36m (t.yaml:3:37) + fuzz 100% "
                             "(profile rfc7296 default) x margin is not less than lifetime 1h "
                             "(t.yaml:3:25)"));
  // The lifetime from --set, the margin from the file.
  const File f("duration: 1d\npeers:\n  a: {child: {margin: 10m}}\n  b: {}\n");
  const std::vector<std::string> sets = {"trials=5", "peers.a.child.lifetime=15m"};
  CHECK_THAT(error_of([&] { load_scenario(f.path.string(), sets); }),
             Catch::StartsWith("--set:2:24: error: peers.a.child: margin 10m (" + f.path.string() +
                               ":3:23) + fuzz 100% (profile rfc7296 default) x "
                               "margin is not less than lifetime 15m (--set 2)"));
  // The stagger is named with the lifetime it changed.
  CHECK_THAT(error_of([] {
               load("duration: 1d\npeers:\n  a: {}\n  b: {child: {lifetime: 20m}}\nstagger: -5m\n");
             }),
             Catch::Contains("lifetime 15m (t.yaml:4:25, plus stagger -5m from t.yaml:5:10)"));
}

TEST_CASE("Lifetime rules: --set overrides are applied before validation") {
  // Invalid alone: margin 9m + fuzz 100% x 9m >= 10m.
  const File f("duration: 1d\npeers:\n  a: {child: {lifetime: 10m, margin: 9m}}\n  b: {}\n");
  CHECK_THAT(error_of([&] { load_scenario(f.path.string()); }),
             Catch::Contains("is not less than lifetime 10m"));
  const std::vector<std::string> sets = {"peers.a.child.margin=1m"};
  const Scenario sc = load_scenario(f.path.string(), sets);
  CHECK(margin_of(build_point(sc, 0).config.a.child) == sim::minutes(1));
  // A bad --set is still reported at its own position.
  const std::vector<std::string> bad = {"peers.a.child.margin=1m", "peers.a.child.margin=x%"};
  CHECK_THAT(error_of([&] { load_scenario(f.path.string(), bad); }),
             Catch::StartsWith("--set:2:22: error: peers.a.child.margin"));
}
