// `rekeysim run --estimator` (issue 15): the window estimator agrees with
// plain Monte Carlo where plain Monte Carlo reaches (a rate near 1e-3), gets a
// tight interval on a rate near 1e-6, names itself in every output, is the
// same at any thread count, and refuses bad combinations with exit 2.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

#include "run_cli.hpp"

using namespace cli_test;
using json = nlohmann::json;

namespace {

// rare-collision.yaml's peers with a 30 s margin and no stagger: the first
// timers meet within the window about 2.7 in 1000 first rekeys, and
// collide in about 1 in 1000 (plain: 9.2e-4 [7.0e-4, 1.19e-3] from 60000).
std::string common_scenario(const TempDir& dir) {
  const std::string path = dir / "common.yaml";
  std::ofstream(path)
      << "name: common-collision\nseed: 15\nrekeys: 1\ntrials: 1000\n"
         "network: {latency: 16ms, jitter: {dist: uniform, spread: 4ms}}\n"
         "peers:\n"
         "  a: {profile: rfc7296, child: {lifetime: 1h, margin: 30s, fuzz: 100%}}\n"
         "  b: {profile: rfc7296, child: {lifetime: 1h, margin: 30s, fuzz: 100%}}\n";
  return path;
}

// A PAN-OS initiator against strongSwan carrying 200 pps, every delay
// bounded: besides collisions near 1e-3 (2.7e-3 of first rekeys inside the
// window), every rekey drops ESP and half of them cause an outage, inside
// the window and outside it (plain, 40000 trials: collisions 1.15e-3
// [8.6e-4, 1.53e-3], outages 0.516 [0.511, 0.521], esp_dropped 3.87
// [3.84, 3.90] pkt per rekey).
std::string traffic_scenario(const TempDir& dir) {
  const std::string path = dir / "traffic.yaml";
  std::ofstream(path)
      << "name: traffic-collision\nseed: 15\nrekeys: 1\ntrials: 1000\n"
         "traffic: {rate: 200pps}\n"
         "network: {latency: 16ms, jitter: {dist: uniform, spread: 4ms}}\n"
         "peers:\n"
         "  a: {profile: panos, child: {lifetime: 1h, margin: 30s, fuzz: 100%}}\n"
         "  b: {profile: strongswan, processing_delay: 250us, processing_delay_ke: 700us,\n"
         "      processing_delay_informational: 250us, initiation_delay: 345us,\n"
         "      child: {lifetime: 1h, margin: 30s, fuzz: 100%}}\n";
  return path;
}

}  // namespace

TEST_CASE("window estimator agrees with plain Monte Carlo near 1e-3") {
  TempDir dir;
  const std::string file = common_scenario(dir);
  const Result plain = run("run " + file + " -q --estimator plain --trials 60000 --format json");
  const Result window = run("run " + file + " -q --estimator window --trials 3000 --format json");
  REQUIRE(plain.status == 0);
  REQUIRE(window.status == 0);
  const json p = json::parse(plain.out);
  const json w = json::parse(window.out);
  CHECK(p["estimator"]["name"] == "plain");
  CHECK(w["estimator"]["name"] == "window");
  const double p_rate = p["outcomes"]["collisions"]["rate"];
  const double p_lo = p["outcomes"]["collisions"]["ci95"][0];
  const double p_hi = p["outcomes"]["collisions"]["ci95"][1];
  const double w_rate = w["outcomes"]["collisions"]["rate"];
  const double w_lo = w["outcomes"]["collisions"]["ci95"][0];
  const double w_hi = w["outcomes"]["collisions"]["ci95"][1];
  INFO("plain " << p_rate << " [" << p_lo << ", " << p_hi << "], window " << w_rate << " [" << w_lo
                << ", " << w_hi << "]");
  CHECK(p_rate > 3e-4);
  CHECK(p_rate < 3e-3);
  // The two 95% intervals overlap, and each contains the other's estimate
  // or comes close: here, with these seeds, both contain both.
  CHECK(p_lo <= w_hi);
  CHECK(w_lo <= p_hi);
  CHECK(w_rate >= p_lo);
  CHECK(w_rate <= p_hi);
  // The race outcomes are 0 outside the window: P(window) x the in-window rate.
  const double pw = w["estimator"]["p_window"];
  const double inside = w["estimator"]["in_window"]["collisions"]["rate"];
  CHECK(w_rate == Approx(pw * inside).epsilon(1e-12));
  CHECK(w["estimator"]["in_window"]["collisions"]["episodes"] == 3000);
  CHECK(w["estimator"]["outside"]["collisions"]["count"] == 0);
  CHECK(w["estimator"]["trials_in_window"] == 3000);
  CHECK(w["estimator"]["trials_outside"] == 3000);
  // Every outcome has a figure now, in plain's shape.
  CHECK(w["outcomes"].size() == p["outcomes"].size());
  CHECK(w["per_trial"].size() == p["per_trial"].size());
  CHECK(w["per_trial"]["outages"]["p50"].is_null());
}

TEST_CASE("stratified window estimator agrees with plain Monte Carlo on every outcome") {
  TempDir dir;
  const std::string file = traffic_scenario(dir);
  const Result plain = run("run " + file + " -q --estimator plain --trials 40000 --format json");
  const Result window = run("run " + file + " -q --estimator window --trials 3000 --format json");
  REQUIRE(plain.status == 0);
  REQUIRE(window.status == 0);
  const json p = json::parse(plain.out);
  const json w = json::parse(window.out);
  REQUIRE(w["estimator"]["name"] == "window");
  const double pw = w["estimator"]["p_window"];
  int measured = 0;
  for (const auto& [name, po] : p["outcomes"].items()) {
    const json& wo = w["outcomes"][name];
    INFO(name << ": plain " << po.dump() << ", stratified " << wo.dump());
    if (po["rate"].is_null() || wo["rate"].is_null()) {
      CHECK(po["rate"].is_null() == wo["rate"].is_null());
      continue;
    }
    const double lo = wo["ci95"][0], hi = wo["ci95"][1], rate = wo["rate"];
    CHECK(lo <= rate);
    CHECK(rate <= hi);
    // Overlapping 95% intervals.
    CHECK(po["ci95"][0].get<double>() <= hi);
    CHECK(lo <= po["ci95"][1].get<double>());
    // The stratified rate is P x inside + (1 - P) x outside.
    const double in = w["estimator"]["in_window"][name]["rate"];
    const double out = w["estimator"]["outside"][name]["rate"];
    if (name != "collisions" && name != "redundant_sas")
      CHECK(rate == Approx(pw * in + (1 - pw) * out).epsilon(1e-12));
    if (po["rate"].get<double>() > 0) ++measured;
  }
  // Plain Monte Carlo measures these here, so the comparison can fail.
  for (const char* name :
       {"collisions", "esp_dropped", "outages", "downtime", "child_rekeys", "cant_find_sa"}) {
    INFO(name);
    CHECK(p["outcomes"][name]["rate"].get<double>() > 0);
    CHECK(w["outcomes"][name]["rate"].get<double>() > 0);
  }
  CHECK(measured >= 7);
  // One completed rekey per first Child SA rekey episode, in both strata.
  CHECK(w["outcomes"]["child_rekeys"]["rate"].get<double>() == Approx(1).epsilon(1e-12));
  // Outages happen on both sides of the window, at different rates: the
  // outside stratum carries them, and the weighting matters.
  const double out_in = w["estimator"]["in_window"]["outages"]["rate"];
  const double out_out = w["estimator"]["outside"]["outages"]["rate"];
  CHECK(out_in > 0);
  CHECK(out_out > 0);
  CHECK(out_in != out_out);
  CHECK(w["estimator"]["outside"]["collisions"]["count"] == 0);
  CHECK(w["estimator"]["outside"]["redundant_sas"]["count"] == 0);
  // The fraction of trials with a collision is P x the inside fraction.
  const double frac = w["per_trial"]["collisions"]["fraction_affected"];
  CHECK(frac == Approx(w["outcomes"]["collisions"]["rate"].get<double>()).epsilon(1e-9));
}

TEST_CASE("rare-collision gets a tight interval on a rate near 1e-6") {
  const Result r = run("run " + source("scenarios/rare-collision.yaml") + " -q --format json");
  REQUIRE(r.status == 0);
  const json j = json::parse(r.out);
  CHECK(j["estimator"]["name"] == "window");  // auto chose it
  const double rate = j["outcomes"]["collisions"]["rate"];
  const double lo = j["outcomes"]["collisions"]["ci95"][0];
  const double hi = j["outcomes"]["collisions"]["ci95"][1];
  INFO("rate " << rate << " [" << lo << ", " << hi << "]");
  CHECK(rate > 2e-7);
  CHECK(rate < 5e-6);
  CHECK((hi - lo) / 2 / rate < 0.15);  // 4000 trials: about +-8%
  CHECK(lo > 0);
  // No IKE SA rekey in either stratum: nothing measured, the vacuous [0, 1]
  // of plain Monte Carlo (the MOVER sum of two [0, 1] gave 0.999998).
  CHECK(j["ike_episodes"] == 0);
  for (const char* o : {"ike_rekeys", "ike_collisions"}) {
    CHECK(j["outcomes"][o]["ci95"][0].get<double>() == 0.0);
    CHECK(j["outcomes"][o]["ci95"][1].get<double>() == 1.0);
  }
}

TEST_CASE("window estimator output is the same at any thread count") {
  const std::string file = source("scenarios/rare-collision.yaml");
  const Result one = run("run " + file + " -q --trials 300 --format json --threads 1");
  const Result two = run("run " + file + " -q --trials 300 --format json --threads 2");
  REQUIRE(one.status == 0);
  CHECK(one.out == two.out);
  const Result table = run("run " + file + " -q --trials 300 --threads 2");
  CHECK(table.out.find("estimator: window estimator: P(|timer gap| < W) = ") != std::string::npos);
  CHECK(table.out.find("inside the window [95% CI]") != std::string::npos);
  CHECK(table.out.find("window estimator: 300 trials inside the window, 300 outside") !=
        std::string::npos);
  CHECK(table.out.find("n/a (window estimator)") == std::string::npos);
  CHECK(table.out.find("\nesp_dropped ") != std::string::npos);
}

TEST_CASE("plain output names its estimator and why the window one was not used") {
  const Result r = run("run " + source("scenarios/kb-incident.yaml") +
                       " -q --trials 2 --set duration=1d --threads 1");
  CHECK(r.status == 0);
  CHECK(r.out.find("estimator: plain Monte Carlo: the window estimator does not apply (a trial "
                   "must end after its first Child SA rekey (rekeys: 1)") != std::string::npos);
}

TEST_CASE("bad estimator combinations exit 2 with a clear message") {
  const std::string rare = source("scenarios/rare-collision.yaml");
  SECTION("window where it does not apply") {
    const Result r =
        run("run " + source("scenarios/kb-incident.yaml") + " -q --trials 2 --estimator window");
    CHECK(r.status == 2);
    CHECK(r.err.find("--estimator window does not apply to this scenario") != std::string::npos);
    CHECK(r.err.find("rekeys: 1") != std::string::npos);
    CHECK(r.out.empty());
  }
  SECTION("window with csv: the JSON's figures in the plain layout") {
    const Result r = run("run " + rare + " -q --estimator window --format csv");
    const Result j = run("run " + rare + " -q --estimator window --format json");
    REQUIRE(r.status == 0);
    REQUIRE(j.status == 0);
    const auto rows = csv_rows(r.out);
    const json w = json::parse(j.out);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].at("estimator") == "window");
    CHECK(rows[0].at("estimator_why") == w["estimator"]["why"].get<std::string>());
    CHECK(std::stod(rows[0].at("collisions_rate")) ==
          w["outcomes"]["collisions"]["rate"].get<double>());
    CHECK(std::stod(rows[0].at("collisions_ci95_lo")) ==
          w["outcomes"]["collisions"]["ci95"][0].get<double>());
    CHECK(std::stod(rows[0].at("child_rekeys_ci95_hi")) ==
          w["outcomes"]["child_rekeys"]["ci95"][1].get<double>());
    CHECK(std::stod(rows[0].at("estimator_p_window")) == w["estimator"]["p_window"].get<double>());
    CHECK(rows[0].at("estimator_trials_in_window") ==
          std::to_string(w["estimator"]["trials_in_window"].get<std::uint64_t>()));
    CHECK(rows[0].at("estimator_trials_outside") ==
          std::to_string(w["estimator"]["trials_outside"].get<std::uint64_t>()));
    CHECK(rows[0].at("collisions_p99").empty());
  }
  SECTION("unknown estimator") {
    const Result r = run("run " + rare + " -q --estimator importance");
    CHECK(r.status == 2);
    CHECK(r.err.find("--estimator") != std::string::npos);
  }
  SECTION("window with an expectation on counts") {
    TempDir dir;
    const std::string file = dir / "counts.yaml";
    std::ofstream(file) << "name: c\nseed: 1\nrekeys: 1\ntrials: 10\n"
                           "peers: {a: {profile: rfc7296}, b: {profile: rfc7296}}\n"
                           "expect: {collisions: 0}\n";
    const Result r = run("run " + file + " -q --estimator window");
    CHECK(r.status == 2);
    CHECK(r.err.find("is on counts, which the window estimator does not estimate") !=
          std::string::npos);
  }
  SECTION("window with an unbounded processing delay") {
    const Result r = run("run " + rare + " -q --estimator window --set " +
                         "'peers.b.processing_delay=normal(1ms, 200us)'");
    CHECK(r.status == 2);
    CHECK(r.err.find("unbounded") != std::string::npos);
  }
}

TEST_CASE("window estimator checks expectations on any outcome's rate and fraction affected") {
  TempDir dir;
  const std::string base = traffic_scenario(dir);
  std::string yaml = slurp(base);
  yaml.replace(yaml.find("trials: 1000"), 12, "trials: 500");
  const std::string file = dir / "expect.yaml";
  // Stratified (auto: 500 x 2.7e-3 first rekeys inside the window < 100):
  // outages about 0.53 per rekey, in about 53% of trials.
  std::ofstream(file) << yaml
                      << "expect:\n"
                         "  collisions: {max_rate_upper95: 1e-2}\n"
                         "  outages: {min_rate: 0.3, max_fraction_affected: 0.9}\n"
                         "  esp_dropped: {max_rate: 1}\n";
  const Result r = run("run " + file + " -q --format json");
  CHECK(r.status == 1);  // esp_dropped: about 3.9 packets per rekey > 1
  const json j = json::parse(r.out);
  CHECK(j["estimator"]["name"] == "window");
  REQUIRE(j["expect"].size() == 4);
  for (const auto& c : j["expect"]) {
    INFO(c.dump());
    const std::string outcome = c["outcome"];
    const std::string check = c["check"];
    if (outcome == "outages" && check == "min_rate")
      CHECK(c["value"] == j["outcomes"]["outages"]["rate"]);
    if (outcome == "outages" && check == "max_fraction_affected")
      CHECK(c["value"] == j["per_trial"]["outages"]["fraction_affected"]);
    CHECK(c["passed"] == (outcome != "esp_dropped"));
  }
  // A count is a total of two strata, not an estimate: plain Monte Carlo.
  std::ofstream(file) << yaml << "expect:\n  outages: {max_count: 100000}\n";
  const Result p = run("run " + file + " -q --format json");
  CHECK(p.status == 0);
  CHECK(json::parse(p.out)["estimator"]["name"] == "plain");
}

TEST_CASE("validate counts a window point's trials twice, as run simulates them") {
  // A tester's finding: validate said about 4,000 episodes for rare-collision,
  // which simulates 4,000 trials in each stratum.
  const Result one = run("validate " + source("scenarios/rare-collision.yaml"));
  REQUIRE(one.status == 0);
  CHECK(one.out.find("expected: about 8,000 rekey episodes") != std::string::npos);
  CHECK(one.out.find("estimator: 1 of 1 point(s) take the window estimator") != std::string::npos);
  const Result ran = run("run " + source("scenarios/rare-collision.yaml") + " -q --format json");
  REQUIRE(ran.status == 0);
  CHECK(json::parse(ran.out)["episodes"] == 8000);
  // 4 window points x 2 x 4000 + the exact-zero point's 4000 plain trials.
  const Result sweep = run("validate " + source("scenarios/rare-collision-sweep.yaml"));
  REQUIRE(sweep.status == 0);
  CHECK(sweep.out.find("expected: about 36,000 rekey episodes") != std::string::npos);
  CHECK(sweep.out.find("estimator: 4 of 5 point(s)") != std::string::npos);
  // Plain points are counted once and no estimator line is printed.
  const Result plain = run("validate " + source("scenarios/kb-incident.yaml"));
  REQUIRE(plain.status == 0);
  CHECK(plain.out.find("estimator:") == std::string::npos);
}

TEST_CASE("progress counts a sweep's points and names the window strata") {
  // A tester's finding: the 5-point rare-collision sweep reported "point 9/9"
  // (each stratum of a window point was counted as a point).
  const Result r =
      run("sweep " + source("scenarios/rare-collision-sweep.yaml") + " --trials 20 --progress");
  REQUIRE(r.status == 0);
  CHECK(r.err.find("progress: started: point 1/5 inside the window, trials 0/20") !=
        std::string::npos);
  CHECK(r.err.find(" outside the window, trials 20/20") != std::string::npos);
  CHECK(r.err.find("/9") == std::string::npos);
}
