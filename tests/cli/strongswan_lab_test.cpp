// The real strongSwan 5.9.8 experiment (tests/data/strongswan-5.9.8) against
// its simulation (scenarios/strongswan-lab.yaml): what the logs counted, and
// whether the calibrated strongswan profile reproduces it.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "run_cli.hpp"
#include "sim/stats.hpp"

using cli_test::run;
using cli_test::source;
using json = nlohmann::json;

namespace {

std::uint64_t count_lines(const std::string& rel, const std::string& needle) {
  std::ifstream in(source(rel));
  REQUIRE(in);
  std::uint64_t n = 0;
  for (std::string line; std::getline(in, line);) n += line.find(needle) != std::string::npos;
  return n;
}

struct LogCount {
  std::uint64_t episodes = 0;
  std::uint64_t collisions = 0;
};

// An episode is one old Child SA being rekeyed; a collision is an episode in
// which both daemons sent a rekey request for it. Each daemon logs one
// "detected CHILD_REKEY collision with CHILD_REKEY" per collision, so
// requests(A) + requests(B) = episodes + collisions.
LogCount count_pair(const std::string& run_name) {
  const std::string dir = "tests/data/strongswan-5.9.8/" + run_name;
  const std::string request = "generating CREATE_CHILD_SA request";
  const std::string rekey_sa = "N(REKEY_SA)";
  auto requests = [&](const std::string& file) {
    std::ifstream in(source(file));
    std::uint64_t n = 0;
    for (std::string line; std::getline(in, line);)
      n += line.find(request) != std::string::npos && line.find(rekey_sa) != std::string::npos;
    return n;
  };
  const std::string marker = "detected CHILD_REKEY collision with CHILD_REKEY";
  const std::uint64_t ca = count_lines(dir + "-a.log", marker);
  const std::uint64_t cb = count_lines(dir + "-b.log", marker);
  CHECK(ca == cb);  // both sides see every collision
  LogCount c;
  c.collisions = ca;
  c.episodes = requests(dir + "-a.log") + requests(dir + "-b.log") - c.collisions;
  return c;
}

json point(const json& sweep, const std::string& b_lifetime) {
  for (const auto& p : sweep)
    if (p["params"]["peers.b.child.lifetime"] == b_lifetime) return p;
  FAIL("no sweep point " << b_lifetime);
  return {};
}

}  // namespace

TEST_CASE("strongSwan 5.9.8 logs: 4 of 21 identical-timer rekeys collided, 0 of 20 staggered") {
  const LogCount same = count_pair("identical-timers");
  CHECK(same.episodes == 21);
  CHECK(same.collisions == 4);
  const LogCount staggered = count_pair("staggered-3s");
  CHECK(staggered.episodes == 20);
  CHECK(staggered.collisions == 0);
  // The logs carry no TEMPORARY_FAILURE, no unknown-SPI line: every
  // collision settled by the nonces (strongswan-observed notes).
  for (const char* f : {"identical-timers-a.log", "identical-timers-b.log"}) {
    CHECK(count_lines(std::string("tests/data/strongswan-5.9.8/") + f, "TEMPORARY_FAILURE") == 0);
    CHECK(count_lines(std::string("tests/data/strongswan-5.9.8/") + f, "unknown ESP CHILD_SA") ==
          0);
  }
}

TEST_CASE(
    "strongswan-lab: the calibrated profile collides at the logs' rate, a 1 s stagger "
    "ends collisions and rekeys lose no ESP packet") {
  const auto r = run("sweep " + source("scenarios/strongswan-lab.yaml") + " --format json --quiet");
  REQUIRE(r.status == 0);
  const json sweep = json::parse(r.out);

  // Identical timers: the profile is calibrated to the 4 collisions in 21
  // rekeys counted in the logs. 21 rekeys pin that rate only to about
  // [0.077, 0.41] (Wilson 95%), while ~36,000 simulated episodes give an
  // interval 0.008 wide, so "4/21 inside the simulated interval" held or
  // failed with the last digits of the random draws. What the calibration
  // promises: the simulated interval lies within 0.01 of 4/21, and inside
  // the logs' own interval.
  const json same = point(sweep, "30s");
  const auto& coll = same["outcomes"]["collisions"];
  INFO("simulated " << coll.dump());
  CHECK(same["episodes"].get<std::uint64_t>() >= 10000);
  CHECK(coll["ci95"][0].get<double>() >= 4.0 / 21 - 0.01);
  CHECK(coll["ci95"][1].get<double>() <= 4.0 / 21 + 0.01);
  CHECK(coll["ci95"][0].get<double>() >= 0.077);
  CHECK(coll["ci95"][1].get<double>() <= 0.41);
  // Every collision settles by the nonces as in the logs: no outage, no reset.
  CHECK(same["outcomes"]["outages"]["count"] == 0);
  CHECK(same["outcomes"]["tunnel_resets"]["count"] == 0);

  // B one second later: A makes every rekey, no collision in >= 1000 rekeys.
  const json staggered = point(sweep, "31s");
  CHECK(staggered["episodes"].get<std::uint64_t>() >= 1000);
  CHECK(staggered["outcomes"]["collisions"]["count"] == 0);
  CHECK(staggered["outcomes"]["outages"]["count"] == 0);

  // No ESP packet lost to a rekey: every drop of these trials happened while
  // the first SA was being set up (B, the IKE_AUTH responder, sends on it
  // ~0.25 ms before A has installed it), i.e. in their first 10 s.
  const auto setup =
      run("run " + source("scenarios/strongswan-lab.yaml") +
          " --set duration=10s --set peers.b.child.lifetime=31s --format json --quiet");
  REQUIRE(setup.status == 0);
  const json first = json::parse(setup.out);
  CHECK(first["episodes"] == 0);
  CHECK(staggered["outcomes"]["esp_dropped"]["count"] == first["outcomes"]["esp_dropped"]["count"]);
  CHECK(first["outcomes"]["esp_dropped"]["count"].get<std::uint64_t>() <= 2);
}
