// scenarios/link-bounce-during-rekey.yaml end to end: the same bytes at any
// thread count, the new outcomes in the table and JSON with units and
// intervals, and `trace --first` finding them by their outcome names.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "run_cli.hpp"

using namespace cli_test;

namespace {
const std::string kScenario = source("scenarios/link-bounce-during-rekey.yaml");
}  // namespace

TEST_CASE(
    "link-bounce-during-rekey: identical JSON at 1 and 2 threads, outcomes in packets with "
    "intervals") {
  const Result one = run("run " + kScenario + " --trials 24 --threads 1 --format json");
  const Result two = run("run " + kScenario + " --trials 24 --threads 2 --format json");
  REQUIRE(one.status == 0);
  REQUIRE(two.status == 0);
  CHECK(one.out == two.out);
  const auto j = nlohmann::json::parse(one.out);
  for (const char* name : {"no_sa", "cleartext", "esp_link_down"}) {
    INFO(name);
    const auto& o = j["outcomes"][name];
    CHECK(o["unit"] == "packets");
    CHECK(o["ci95"].size() == 2);
  }
  // Every packet sent while the link is down (24 trials x (45 s + 16 x 5 min,
  // at 2 h, 5 h, ... 47 h, each up to 40 min later, so all within the 2 d) x
  // 2 x 50 pps) is lost to the link, or found no SA (the tunnel reset by an
  // earlier part of the same window): never anything else.
  const std::uint64_t in_windows = 24ull * (45 + 16 * 300) * 100;
  const auto link_down = j["outcomes"]["esp_link_down"]["count"].get<std::uint64_t>();
  const auto no_sa = j["outcomes"]["no_sa"]["count"].get<std::uint64_t>();
  CHECK(link_down <= in_windows);
  CHECK(link_down + no_sa >= in_windows);
  CHECK(link_down > in_windows * 9 / 10);
  CHECK(j["outcomes"]["cleartext"]["count"] == 0);  // rfc7296: trap

  const Result table = run("run " + kScenario + " --trials 24 --threads 2");
  REQUIRE(table.status == 0);
  CHECK(table.out.find("esp_link_down   " + std::to_string(link_down) + " pkt") !=
        std::string::npos);
  CHECK(table.out.find("no_sa ") != std::string::npos);
}

TEST_CASE(
    "link-bounce-during-rekey: trace --first finds esp_link_down and no_sa by their outcome "
    "names") {
  const Result down =
      run("trace " + kScenario + " --first esp_link_down --style plain --window 1s --threads 1");
  REQUIRE(down.status == 0);
  CHECK(down.err.find("first esp_link_down at t=54 min 25.011 s") != std::string::npos);
  CHECK(down.out.find("esp_link_down") != std::string::npos);
  const Result no_sa = run("trace " + kScenario + " --first no_sa --style plain --window 5s");
  REQUIRE(no_sa.status == 0);
  CHECK(no_sa.out.find("esp_no_sa") != std::string::npos);
  const Result bad = run("trace " + kScenario + " --first no_such_kind");
  CHECK(bad.status == 2);
  CHECK(bad.err.find("no_sa, cleartext, esp_link_down") != std::string::npos);
}

TEST_CASE("no_sa_policy: clear turns the packets without an SA into cleartext, counted as a leak") {
  // The scenario's 200 trials: about 1 in 15 has a tunnel reset.
  const Result trap = run("run " + kScenario + " --format json");
  const Result clear = run("run " + kScenario +
                           " --format json --set peers.a.behaviour.no_sa_policy=clear "
                           "--set peers.b.behaviour.no_sa_policy=clear");
  REQUIRE(trap.status == 0);
  REQUIRE(clear.status == 0);
  const auto t = nlohmann::json::parse(trap.out);
  const auto c = nlohmann::json::parse(clear.out);
  CHECK(t["outcomes"]["no_sa"]["count"].get<std::uint64_t>() > 0);
  CHECK(c["outcomes"]["no_sa"]["count"] == 0);
  CHECK(c["outcomes"]["cleartext"]["unit"] == "packets");
  CHECK(c["outcomes"]["cleartext"]["count"].get<std::uint64_t>() > 0);
}
