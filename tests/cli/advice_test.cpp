// `recommend`, `report` and `audit` (issue 16): advice in the units each
// device is configured in, the direction that costs nothing, a report a
// browser renders, and a fleet ranked by risk.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "models/profiles/lifetime_settings.hpp"
#include "run_cli.hpp"
#include "tools/rekeysim/advice.hpp"

using namespace cli_test;
using json = nlohmann::json;

TEST_CASE("recommend: PAN-OS vs AWS picks the direction where AWS rekeys first, in AWS seconds") {
  // A rekey PAN-OS starts costs a 16 ms outage (it removes its inbound old SA
  // as it sends the DELETE); one AWS starts costs none. So B (AWS) must get
  // the shorter lifetime, and the other direction must be shown to cost more.
  const Result r =
      run("recommend " + source("scenarios/panos-vs-aws.yaml") + " -q --threads 2 --format json");
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const json j = json::parse(r.out);
  CHECK(j["verdict"] == "stagger");
  const json& rec = j["recommended"];
  CHECK(rec["shift_s"].get<double>() < 0);  // B's lifetime shorter than A's
  CHECK(rec["peer"] == "b");
  CHECK(rec["profile"] == "aws-vpn");
  const auto lifetime = rec["lifetime_s"].get<std::int64_t>();
  CHECK(lifetime >= 900);  // AWS Phase2LifetimeSeconds range
  CHECK(lifetime < 3600);
  CHECK(rec["lifetime_text"].get<std::string>().ends_with(
      " s (" + models::format_hms(sim::seconds(lifetime)) + ")"));
  CHECK(rec["point"]["outcomes"]["outages"]["count"] == 0);
  // The opposite direction at the same magnitude: A (PAN-OS) rekeys first.
  const json& other = j["other_direction"];
  REQUIRE(other.is_object());
  CHECK(other["shift_s"].get<double>() == -rec["shift_s"].get<double>());
  CHECK(other["harm"].get<double>() > 0.3);
  CHECK(other["point"]["outcomes"]["outages"]["rate"].get<double>() > 0.5);
  CHECK(rec["harm_ci95"][1].get<double>() < j["target"].get<double>());
  // PAN-OS only takes whole minutes: an A-side change is never sub-minute.
  for (const auto& t : j["tried"]) {
    if (t["peer"] == "a") CHECK(t["lifetime_s"].get<std::int64_t>() % 60 == 0);
  }
}

TEST_CASE("recommend: with PAN-OS as peer B the answer is in PAN-OS minutes") {
  // Peers swapped: now B (PAN-OS) must get the longer lifetime; B's setting
  // takes minutes, so the answer is written in minutes.
  const Result r = run("recommend " + source("scenarios/panos-vs-aws.yaml") +
                       " -q --threads 2 --set peers.a.profile=aws-vpn --set peers.b.profile=panos");
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("recommendation: set B's (panos) Phase 2 lifetime (Network > IPSec Crypto "
                   "profile > Lifetime) to 62 min (1 h 2 min)") != std::string::npos);
  CHECK(r.out.find("set A's (aws-vpn) to 3,480 s (58 min)") != std::string::npos);
}

TEST_CASE("recommend: says when no stagger is needed") {
  const Result r =
      run("recommend " + source("scenarios/panos-vs-aws.yaml") + " -q --trials 5 --target 100");
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("no stagger needed: the current lifetimes cost harm ") != std::string::npos);
}

TEST_CASE("recommend: says when no stagger is enough, and why") {
  // A dropped packet weighs 1: the ~0.45 packets per rekey that even an
  // AWS-started rekey drops keep every stagger above the target.
  const Result r = run("recommend " + source("scenarios/panos-vs-aws.yaml") +
                       " -q --trials 5 --weights esp_dropped=1 --target 1e-3");
  INFO(r.out << r.err);
  CHECK(r.status == 1);
  CHECK(r.out.find("no stagger is enough") != std::string::npos);
  CHECK(r.out.find("why: peer A (panos) rekeys at one instant (no jitter); peer B (aws-vpn) "
                   "rekeys anywhere in a 4 min 30 s window (jitter)") != std::string::npos);
}

TEST_CASE("recommend: bad --weights and --objective are usage errors naming the expected form") {
  const Result r =
      run("recommend " + source("scenarios/panos-vs-aws.yaml") + " -q --weights outages=x");
  CHECK(r.status == 2);
  CHECK(r.err.find("--weights: weight in \"outages=x\" is not a number >= 0") != std::string::npos);
  const Result o =
      run("recommend " + source("scenarios/panos-vs-aws.yaml") + " -q --objective nonsense");
  CHECK(o.status == 2);
  CHECK(o.err.find("unknown outcome \"nonsense\"") != std::string::npos);
}

TEST_CASE("lifetime settings: every built-in profile's default lifetime is configurable on it") {
  for (const auto& p : models::builtin_profiles()) {
    INFO(p.name);
    const auto& s = models::child_lifetime_setting(p.name);
    CHECK(s.profile == p.name);
    CHECK(!s.source.empty());
    CHECK(models::configurable(s, p.config.child.lifetime));
  }
  CHECK(models::format_in_setting_units(models::child_lifetime_setting("cisco-asa"),
                                        sim::seconds(28500)) == "28,500 s (7 h 55 min)");
  CHECK(models::format_in_setting_units(models::child_lifetime_setting("panos"),
                                        sim::minutes(475)) == "475 min (7 h 55 min)");
  CHECK(!models::configurable(models::child_lifetime_setting("panos"), sim::seconds(3630)));
  CHECK(!models::configurable(models::child_lifetime_setting("aws-vpn"), sim::seconds(3601)));
}
