// `run` / `sweep --estimator` where the bounds prove P(window) = 0: the race
// outcomes (collisions, redundant_sas) are exactly 0 [0, 0] and the reason is
// in the table, JSON and CSV; the other outcomes keep plain Monte Carlo's
// figures; a point just inside the bound is not called exact; plain Monte
// Carlo at such points finds no race in many trials near the window's edge;
// a sweep crossing the bound switches estimator exactly there.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "run_cli.hpp"

using namespace cli_test;
using json = nlohmann::json;

namespace {

// 30 ms of continuous fuzz per peer (0.1% of a 30 s margin) over a uniform
// 16 +- 4 ms link: W = 20.001 ms (exchange) + 20.001 ms (install, tick and
// lateness offset). B's first timer is later by the stagger, so the gap Y lies
// in [-stagger - 30 ms, -stagger + 30 ms] and reaches -W at 70.002 ms; beyond
// it every plain trial's timers are still within about 60 ms of the edge.
std::string edge_scenario(const TempDir& dir) {
  const std::string path = dir / "edge.yaml";
  std::ofstream(path) << "name: edge\nseed: 7\nrekeys: 1\ntrials: 500\n"
                         "network: {latency: 16ms, jitter: {dist: uniform, spread: 4ms}}\n"
                         "peers:\n"
                         "  a: {profile: rfc7296, child: {lifetime: 1h, margin: 30s, fuzz: 0.1%}}\n"
                         "  b: {profile: rfc7296, child: {lifetime: 1h, margin: 30s, fuzz: 0.1%}}\n"
                         "stagger: 71ms\n"
                         "expect:\n  collisions: {max_rate_upper95: 1e-9}\n";
  return path;
}

const std::string kWhy =
    "exact zero: the first timers can never come within the race window (every draw of the two "
    "fuzz jitters puts the first timers' gap Y in [-101.000 ms, -41.000 ms], and a race needs |Y| "
    "< W = 40.002 ms (exchange bound 20.001 ms + install, tick and lateness offset 20.001 ms), "
    "every bound the scenario's own): collisions and redundant_sas of the first rekey are exactly "
    "0 [0, 0]; the other outcomes are plain Monte Carlo's";

}  // namespace

TEST_CASE("exact zero: collisions 0 [0, 0] with the reason in the table, JSON and CSV") {
  TempDir dir;
  const std::string file = edge_scenario(dir);

  const Result j = run("run " + file + " -q --format json");
  REQUIRE(j.status == 0);
  const json r = json::parse(j.out);
  CHECK(r["estimator"]["name"] == "exact-zero");
  CHECK(r["estimator"]["why"] == kWhy);
  CHECK(r["estimator"]["proof"] == "range");
  CHECK(r["estimator"]["p_window"] == 0);
  CHECK(r["estimator"]["gap_ns"] == json::array({-101'000'000.0, -41'000'000.0}));
  CHECK(r["estimator"]["window_ns"] == 40'002'000.0);
  // Every trial ran plain: one first rekey each.
  CHECK(r["episodes"] == 500);
  for (const char* o : {"collisions", "redundant_sas"}) {
    INFO(o);
    CHECK(r["outcomes"][o]["count"] == 0);
    CHECK(r["outcomes"][o]["rate"] == 0);
    CHECK(r["outcomes"][o]["ci95"] == json::array({0, 0}));
    CHECK(r["per_trial"][o]["ci95"] == json::array({0, 0}));
  }
  // The other outcomes keep plain Monte Carlo's figures (Wilson on 500).
  CHECK(r["outcomes"]["cant_find_sa"]["ci95"][1] > 7e-3);
  CHECK(r["outcomes"]["child_rekeys"]["count"] == 500);
  CHECK(r["expect"][0]["passed"] == true);

  const Result t = run("run " + file + " -q");
  REQUIRE(t.status == 0);
  CHECK(t.out.find("\ncollisions      0             0/rekey [0, 0]") != std::string::npos);
  CHECK(t.out.find("\nredundant_sas   0             0/rekey [0, 0]") != std::string::npos);
  CHECK(t.out.find("\ncant_find_sa    0             0/rekey [0, 7.62e-03]") != std::string::npos);
  CHECK(t.out.find("expect ok:     collisions: rate upper 95% bound 0 < 1e-9") !=
        std::string::npos);
  CHECK(t.out.ends_with("estimator: " + kWhy + "\n"));

  // CSV keeps its plain layout: the interval closes, the reason is quoted.
  const Result c = run("run " + file + " -q --format csv");
  REQUIRE(c.status == 0);
  const auto rows = csv_rows(c.out);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].at("collisions_count") == "0");
  CHECK(rows[0].at("collisions_ci95_lo") == "0");
  CHECK(rows[0].at("collisions_ci95_hi") == "0");
  CHECK(rows[0].at("collisions_fraction_ci95_hi") == "0");
  CHECK(rows[0].at("redundant_sas_ci95_hi") == "0");
  CHECK(rows[0].at("cant_find_sa_ci95_hi") != "0");
  CHECK(rows[0].at("estimator") == "exact-zero");
  CHECK(rows[0].at("estimator_why") == kWhy);

  // --estimator window gives the same figures and says it was asked for.
  const Result w = run("run " + file + " -q --format json --estimator window");
  REQUIRE(w.status == 0);
  json wj = json::parse(w.out);
  CHECK(wj["estimator"]["why"] == "exact zero (--estimator window): " + kWhy.substr(12));
  wj["estimator"]["why"] = kWhy;
  CHECK(wj == r);
  // --estimator plain does not claim it.
  const json p = json::parse(run("run " + file + " -q --format json --estimator plain").out);
  CHECK(p["estimator"]["name"] == "plain");
  CHECK(p["outcomes"]["collisions"]["ci95"][1] > 7e-3);
}

TEST_CASE("exact zero: not claimed 1 us inside the bound, nor on a cut normal latency") {
  TempDir dir;
  const std::string file = edge_scenario(dir);
  // 70.001 ms: the fuzz extremes bring the timers 1 us within W.
  const json in = json::parse(run("run " + file + " -q --format json --set stagger=70001us").out);
  CHECK(in["estimator"]["name"] == "window");
  CHECK(in["estimator"]["p_window"] == Approx(1e-12 / 2 / 9e-4).epsilon(1e-6));
  CHECK(in["outcomes"]["collisions"]["ci95"][1] > 0);
  // The bound itself: |Y| >= W for every draw.
  const json at = json::parse(run("run " + file + " -q --format json --set stagger=70002us").out);
  CHECK(at["estimator"]["name"] == "exact-zero");
  // Normal link jitter: W uses rekeysim's 8 sd cut, so 0 is not exact and
  // the plain interval stays (the behaviour before exact zero).
  const std::string normal = " --set \"network.jitter={dist: normal, sd: 1ms}\" --set stagger=2s";
  const Result n = run("run " + file + " -q --format json" + normal);
  CHECK(n.status == 1);  // plain cannot show the rate under 1e-9
  const json nj = json::parse(n.out);
  CHECK(nj["estimator"]["name"] == "plain");
  CHECK(nj["estimator"]["why"].get<std::string>().starts_with(
      "plain Monte Carlo: P(|timer gap| < W) is 0 in the closed form but not provably 0 (network "
      "a_to_b latency normal(16ms, 1ms) has no bound of its own"));
  CHECK(nj["outcomes"]["collisions"]["ci95"][1] > 7e-3);
  const Result nw = run("run " + file + " -q --estimator window" + normal);
  CHECK(nw.status == 2);
  CHECK(nw.err.find("not provably 0") != std::string::npos);
  CHECK(nw.out.empty());
}

TEST_CASE("exact zero: plain Monte Carlo finds no race where it is claimed, many where it is not") {
  TempDir dir;
  const std::string file = edge_scenario(dir);
  auto plain = [&](const std::string& stagger, const std::string& extra) {
    const Result r = run("run " + file + " -q --format json --estimator plain --trials 20000" +
                         " --set stagger=" + stagger + extra);
    REQUIRE(r.status <= 1);
    return json::parse(r.out);
  };
  // 0.3 ms of fuzz per peer: at a 40.302 ms stagger every trial's gap Y lies
  // in [-40.602 ms, -40.002 ms], within 0.6 ms of the window's edge.
  const std::string tight = " --set peers.a.child.fuzz=0.001% --set peers.b.child.fuzz=0.001%";
  const std::string wide;
  const std::string lattice =
      " --set peers.a.child.fuzz=100% --set peers.b.child.fuzz=100%"
      " --set peers.a.child.fuzz_quantum=1s --set peers.b.child.fuzz_quantum=1s";
  const std::pair<std::string, std::string> zero[] = {
      {"40302us", tight}, {"-40302us", tight}, {"70002us", wide}, {"500ms", lattice}};
  for (const auto& [stagger, extra] : zero) {
    INFO("stagger " << stagger << extra);
    const json claimed =
        json::parse(run("run " + file + " -q --format json --set stagger=" + stagger + extra).out);
    CHECK(claimed["estimator"]["name"] == "exact-zero");
    const json p = plain(stagger, extra);
    CHECK(p["episodes"] == 20000);
    CHECK(p["outcomes"]["collisions"]["count"] == 0);
    CHECK(p["outcomes"]["redundant_sas"]["count"] == 0);
  }
  // The same trials with the timers able to meet do collide, the tight
  // ones within 0.5 ms of the window (W is close to the model's own
  // reach): the checks above can fail.
  CHECK(plain("39500us", tight)["outcomes"]["collisions"]["count"] > 5);
  CHECK(plain("20ms", wide)["outcomes"]["collisions"]["count"] > 1000);
  CHECK(plain("0", lattice)["outcomes"]["collisions"]["count"] > 100);
}

TEST_CASE("exact zero: a sweep across the bound switches estimator exactly there") {
  TempDir dir;
  const std::string file = edge_scenario(dir);
  const std::string swept = dir / "edge-sweep.yaml";
  std::ofstream(swept) << slurp(file)
                       << "sweep:\n  - param: stagger\n    values: [20ms, 69ms, 70001us, "
                          "70002us, 2s, -70001us, -70002us]\n";
  const std::string sweep = swept + " -q --trials 300";
  const Result j1 = run("sweep " + sweep + " --format json --threads 1");
  const Result j2 = run("sweep " + sweep + " --format json --threads 2");
  CHECK(j1.status == 1);  // the plain and window points cannot show 1e-9
  CHECK(j1.out == j2.out);
  const json a = json::parse(j1.out);
  const std::vector<std::string> names = {"plain",      "window", "window",    "exact-zero",
                                          "exact-zero", "window", "exact-zero"};
  REQUIRE(a.size() == names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    INFO("stagger " << a[i]["params"]["stagger"]);
    CHECK(a[i]["estimator"]["name"] == names[i]);
    const json& ci = a[i]["outcomes"]["collisions"]["ci95"];
    if (names[i] == "exact-zero") {
      CHECK(ci == json::array({0, 0}));
      CHECK(a[i]["episodes"] == 300);
    } else {
      CHECK(ci[1] > 0);
    }
    // A sweep point is what `run --set` gives there.
    const Result one = run("run " + file + " -q --trials 300 --format json --set stagger=" +
                           a[i]["params"]["stagger"].get<std::string>());
    json r = json::parse(one.out);
    json s = a[i];
    s["params"] = json::object();
    CHECK(r == s);
  }

  const Result t = run("sweep " + sweep);
  CHECK(t.status == 1);
  CHECK(t.out.find("expect FAILED at stagger=70002us") == std::string::npos);
  CHECK(t.out.find("\n70002us   exact-zero 300       0 [0, 0]  ") != std::string::npos);
  // Window rows count the episodes of both strata (300 inside, 300 outside).
  CHECK(t.out.find("\n70001us   window     600       ") != std::string::npos);
  CHECK(t.out.find("\nexact-zero rows: the bounds keep the two first rekey timers outside the "
                   "race window, so collisions (and redundant_sas) are 0 exactly, interval [0, "
                   "0]; the other figures are plain Monte Carlo's\n") != std::string::npos);
  CHECK(t.out.find("\nestimator at stagger=2s: exact zero: the first timers can never come "
                   "within the race window (every draw of the two fuzz jitters puts the first "
                   "timers' gap Y in [-2.030000 s, -1.970000 s]") != std::string::npos);

  const Result c = run("sweep " + sweep + " --format csv");
  CHECK(c.status == 1);
  const auto rows = csv_rows(c.out);
  REQUIRE(rows.size() == names.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    INFO("stagger " << rows[i].at("stagger"));
    // CSV makes the same choice as the table and JSON at every point.
    CHECK(rows[i].at("estimator") == names[i]);
    CHECK((rows[i].at("collisions_ci95_hi") == "0") == (names[i] == "exact-zero"));
    CHECK(rows[i]
              .at("estimator_why")
              .starts_with(names[i] == "exact-zero" ? "exact zero: "
                           : names[i] == "window"   ? "window estimator"
                                                    : "plain Monte Carlo"));
  }
}

TEST_CASE("exact zero: no claim where a request is retransmitted without loss") {
  // A fresh-clone tester's scenario: 3 ms retransmission timeouts (halved by
  // jitter) under a ~40 ms round trip. Duplicates queued at the receiver and
  // moved A's first install 94 ms after B's; exact-zero printed 0 [0, 0] at
  // 140 ms and 146 ms staggers where plain Monte Carlo sees collisions.
  TempDir dir;
  const std::string path = dir / "rt.yaml";
  std::ofstream(path)
      << "name: rt\nseed: 1\nrekeys: 1\ntrials: 2000\n"
         "network: {latency: 16ms, jitter: {dist: uniform, spread: 4ms}}\n"
         "peers:\n"
         "  a: {profile: rfc7296, processing_delay: 8ms, child: {lifetime: 8h, margin: 9m, fuzz: "
         "0}, ike: {lifetime: 24h}, behaviour: {retransmit: {timeout: 3ms, base: 1, tries: 60, "
         "jitter: 50%}}}\n"
         "  b: {profile: rfc7296, processing_delay: 2ms, child: {lifetime: 8h, margin: 9m, fuzz: "
         "0}, ike: {lifetime: 24h}, behaviour: {retransmit: {timeout: 3ms, base: 1, tries: 60, "
         "jitter: 50%}}}\n";
  const Result r = run("run " + path + " --set stagger=140ms -q --format json");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const json j = json::parse(r.out);
  CHECK(j["estimator"]["name"] == "plain");
  CHECK(j["estimator"]["why"].get<std::string>().find(
            "peers.a.behaviour.retransmit: the first timeout can be 1.500 ms") !=
        std::string::npos);
  // The race the old claim denied: plain trials collide at this stagger.
  CHECK(j["outcomes"]["collisions"]["count"].get<int>() > 0);
  const Result w = run("run " + path + " --set stagger=146ms -q --estimator window");
  CHECK(w.status == 2);
  CHECK(w.err.find("retransmit") != std::string::npos);
}
