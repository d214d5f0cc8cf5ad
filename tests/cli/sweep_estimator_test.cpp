// `rekeysim sweep --estimator` (issue 15): each point gets the estimator
// `run` would choose there, named with its reason in the table, CSV and JSON;
// window and plain agree point by point where plain Monte Carlo reaches; the
// output is the same at any thread count; `--estimator window` where a point
// cannot take it exits 2 before any trial runs.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "run_cli.hpp"

using namespace cli_test;
using json = nlohmann::json;

namespace {

// window_estimator_cli_test.cpp's scenario near 1e-3 (30 s margins, 100%
// fuzz: each first timer drawn from 30 s) swept over B's extra lifetime. At
// 45 s the stagger exceeds the 30 s of fuzz by more than the race window, so
// the first timers never meet: P(window) = 0 from the bounds, and auto
// reports the race outcomes as exactly 0 there (exact-zero) with plain
// trials for the rest.
std::string common_sweep(const TempDir& dir) {
  const std::string path = dir / "common-sweep.yaml";
  std::ofstream(path) << "name: common-collision-sweep\nseed: 15\nrekeys: 1\ntrials: 1000\n"
                         "network: {latency: 16ms, jitter: {dist: uniform, spread: 4ms}}\n"
                         "peers:\n"
                         "  a: {profile: rfc7296, child: {lifetime: 1h, margin: 30s, fuzz: 100%}}\n"
                         "  b: {profile: rfc7296, child: {lifetime: 1h, margin: 30s, fuzz: 100%}}\n"
                         "sweep:\n  - param: stagger\n    values: [0, 10s, 20s, 45s]\n";
  return path;
}

}  // namespace

TEST_CASE("sweep: window and plain agree within their intervals at each stagger near 1e-3") {
  TempDir dir;
  const std::string file = common_sweep(dir);
  const Result plain = run("sweep " + file + " -q --estimator plain --trials 60000 --format json");
  const Result window = run("sweep " + file + " -q --trials 3000 --format json");  // auto
  REQUIRE(plain.status == 0);
  REQUIRE(window.status == 0);
  const json p = json::parse(plain.out);
  const json w = json::parse(window.out);
  REQUIRE(p.size() == 4);
  REQUIRE(w.size() == 4);
  for (std::size_t i = 0; i < 3; ++i) {
    const std::string stagger = w[i]["params"]["stagger"];
    INFO("stagger " << stagger);
    CHECK(p[i]["params"]["stagger"] == stagger);
    CHECK(p[i]["estimator"]["name"] == "plain");
    CHECK(p[i]["estimator"]["why"] == "plain Monte Carlo (--estimator plain)");
    REQUIRE(w[i]["estimator"]["name"] == "window");  // auto: 3000 x P(window) < 100
    const json& pc = p[i]["outcomes"]["collisions"];
    const json& wc = w[i]["outcomes"]["collisions"];
    const double p_rate = pc["rate"], p_lo = pc["ci95"][0], p_hi = pc["ci95"][1];
    const double w_rate = wc["rate"], w_lo = wc["ci95"][0], w_hi = wc["ci95"][1];
    INFO("plain " << p_rate << " [" << p_lo << ", " << p_hi << "], window " << w_rate << " ["
                  << w_lo << ", " << w_hi << "]");
    CHECK(p_rate > 1e-4);  // plain sees collisions at every one of these points
    CHECK(p_rate < 3e-3);
    CHECK(w_lo > 0);
    // The two 95% intervals overlap, and the window estimate (the far
    // tighter one) lies in plain's interval (with these seeds).
    CHECK(p_lo <= w_hi);
    CHECK(w_lo <= p_hi);
    CHECK(w_rate >= p_lo);
    CHECK(w_rate <= p_hi);
    // Computed as `run` computes it: P(window) x the in-window rate.
    const double pw = w[i]["estimator"]["p_window"];
    const double inside = w[i]["estimator"]["in_window"]["collisions"]["rate"];
    CHECK(w_rate == Approx(pw * inside).epsilon(1e-12));
    CHECK(w[i]["estimator"]["in_window"]["collisions"]["episodes"] == 3000);
    CHECK(w[i]["estimator"]["trials_outside"] == 3000);
    // Every outcome stratified, in plain's shape; outages agree with plain.
    CHECK(w[i]["outcomes"].size() == p[i]["outcomes"].size());
    CHECK(w[i].contains("per_trial"));
    const json& po = p[i]["outcomes"]["outages"];
    const json& wo = w[i]["outcomes"]["outages"];
    INFO("outages: plain " << po.dump() << ", stratified " << wo.dump());
    CHECK(po["ci95"][0].get<double>() <= wo["ci95"][1].get<double>());
    CHECK(wo["ci95"][0].get<double>() <= po["ci95"][1].get<double>());
  }
  // The rate falls as the stagger moves the timers apart.
  CHECK(w[0]["outcomes"]["collisions"]["rate"] > w[2]["outcomes"]["collisions"]["rate"]);
  // 45 s: the timers never meet, so auto says collisions are exactly 0
  // and why; plain sees no collision either.
  CHECK(w[3]["params"]["stagger"] == "45s");
  CHECK(w[3]["estimator"]["name"] == "exact-zero");
  CHECK(w[3]["estimator"]["why"].get<std::string>().starts_with(
      "exact zero: the first timers can never come within the race window (every draw of the two "
      "fuzz jitters puts the first timers' gap Y in [-75.000000 s, -15.000000 s]"));
  CHECK(w[3]["outcomes"]["collisions"]["count"] == 0);
  CHECK(w[3]["outcomes"]["collisions"]["ci95"] == json::array({0, 0}));
  CHECK(p[3]["outcomes"]["collisions"]["count"] == 0);
  CHECK(p[3]["outcomes"]["collisions"]["ci95"][1] > 0);  // plain cannot close it
  CHECK(w[3].contains("per_trial"));
  // The same point through `run` gives the same object.
  const Result one = run("run " + file + " -q --trials 3000 --format json --set stagger=10s");
  REQUIRE(one.status == 0);
  json r = json::parse(one.out);
  json s = w[1];
  s["params"] = json::object();  // run does not list the point's params
  CHECK(r == s);
}

TEST_CASE("sweep: auto refuses the window estimator where it does not apply and names the reason") {
  TempDir dir;
  const std::string file = dir / "delay-sweep.yaml";
  std::ofstream(file) << "name: delay-sweep\nseed: 3\nrekeys: 1\ntrials: 200\n"
                         "network: {latency: 16ms, jitter: {dist: uniform, spread: 4ms}}\n"
                         "peers:\n"
                         "  a: {profile: rfc7296, child: {lifetime: 8h, margin: 9m, fuzz: 100%}}\n"
                         "  b: {profile: rfc7296, child: {lifetime: 8h, margin: 9m, fuzz: 100%}}\n"
                         "stagger: 533s\n"
                         "sweep:\n  - param: peers.b.processing_delay\n"
                         "    values: [1ms, \"normal(1ms, 200us)\"]\n";
  const std::string unbounded_why = "plain Monte Carlo: the window estimator does not apply (";

  const Result j = run("sweep " + file + " -q --format json");
  REQUIRE(j.status == 0);
  const json a = json::parse(j.out);
  REQUIRE(a.size() == 2);
  CHECK(a[0]["estimator"]["name"] == "window");
  CHECK(a[1]["estimator"]["name"] == "plain");
  const std::string why = a[1]["estimator"]["why"];
  CHECK(why.starts_with(unbounded_why));
  CHECK(why.find("unbounded") != std::string::npos);
  CHECK(why.find("peers.b.processing_delay") != std::string::npos);

  // Table: an estimator column, and one reason line per point.
  const Result t = run("sweep " + file + " -q");
  REQUIRE(t.status == 0);
  CHECK(t.out.find("peers.b.processing_delay  estimator  episodes") != std::string::npos);
  // Window rows: episodes of both strata (200 inside, 200 outside), every figure.
  CHECK(t.out.find("\n1ms                       window     400") != std::string::npos);
  CHECK(t.out.find("n/a (window estimator)") == std::string::npos);
  CHECK(t.out.find("\nnormal(1ms, 200us)        plain      ") != std::string::npos);
  CHECK(t.out.find("estimator at peers.b.processing_delay=1ms: window estimator: P(|timer gap| "
                   "< W) = ") != std::string::npos);
  CHECK(t.out.find("estimator at peers.b.processing_delay=normal(1ms, 200us): " + why + "\n") !=
        std::string::npos);
  CHECK(t.out.find("window rows: each rate = P(window) x inside + (1 - P(window)) x outside") !=
        std::string::npos);

  // CSV: the same estimator and figures as JSON at every point (it forced
  // plain Monte Carlo), window rows with P(window), W and both strata's trials.
  const Result c = run("sweep " + file + " -q --format csv");
  REQUIRE(c.status == 0);
  const std::string head = c.out.substr(0, c.out.find('\n'));
  CHECK(
      head.ends_with(",esp_link_down_p99,estimator,estimator_why,estimator_p_window,"
                     "estimator_window_ns,estimator_trials_in_window,estimator_trials_outside"));
  const auto rows = csv_rows(c.out);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].at("estimator") == "window");
  CHECK(rows[1].at("estimator") == "plain");
  CHECK(rows[1].at("estimator_why") == why);
  for (std::size_t i = 0; i < 2; ++i) {
    INFO("point " << i);
    CHECK(rows[i].at("episodes") == std::to_string(a[i]["episodes"].get<std::uint64_t>()));
    for (const char* o : {"collisions", "outages", "esp_dropped", "child_rekeys"}) {
      INFO(o);
      const json& js = a[i]["outcomes"][o];
      const std::string n(o);
      CHECK(std::stod(rows[i].at(n + "_rate")) == js["rate"].get<double>());
      CHECK(std::stod(rows[i].at(n + "_ci95_lo")) == js["ci95"][0].get<double>());
      CHECK(std::stod(rows[i].at(n + "_ci95_hi")) == js["ci95"][1].get<double>());
      CHECK(rows[i].at(n + "_count") == std::to_string(js["count"].get<std::uint64_t>()));
    }
  }
  // A mixture's quantiles do not follow from its strata's: empty cells.
  CHECK(rows[0].at("collisions_p50").empty());
  CHECK(!rows[1].at("collisions_p50").empty());
  CHECK(std::stod(rows[0].at("estimator_p_window")) == a[0]["estimator"]["p_window"].get<double>());
  CHECK(std::stod(rows[0].at("estimator_window_ns")) ==
        a[0]["estimator"]["window_ns"].get<double>());
  CHECK(rows[0].at("estimator_trials_in_window") == "200");
  CHECK(rows[0].at("estimator_trials_outside") == "200");
  for (const char* k : {"estimator_p_window", "estimator_window_ns", "estimator_trials_in_window",
                        "estimator_trials_outside"}) {
    CHECK(rows[1].at(k).empty());
  }
}

TEST_CASE("sweep: estimator output is the same at 1 and 2 threads") {
  TempDir dir;
  const std::string file = source("scenarios/rare-collision-sweep.yaml");
  const Result one = run("sweep " + file + " -q --trials 300 --format json --threads 1");
  const Result two = run("sweep " + file + " -q --trials 300 --format json --threads 2");
  REQUIRE(one.status == 0);
  CHECK(one.out == two.out);
  const json j = json::parse(one.out);
  REQUIRE(j.size() == 5);
  for (std::size_t i = 0; i < 4; ++i) CHECK(j[i]["estimator"]["name"] == "window");
  CHECK(j[4]["estimator"]["name"] == "exact-zero");
  const Result t1 = run("sweep " + file + " -q --trials 300 --threads 1");
  const Result t2 = run("sweep " + file + " -q --trials 300 --threads 2");
  CHECK(t1.out == t2.out);
  // Every point plots every series (no NaN marker).
  const std::string svg = dir / "p.svg";
  const Result p = run("sweep " + file + " -q --trials 100 --plot " + svg);
  REQUIRE(p.status == 0);
  const std::string s = slurp(svg);
  CHECK(s.find("<circle") != std::string::npos);
  CHECK(s.find("nan") == std::string::npos);
}

TEST_CASE("sweep: --estimator window where a point cannot take it exits 2 with a clear message") {
  TempDir dir;
  const std::string out = dir / "out.json";
  SECTION("a scenario it does not apply to") {
    const Result r = run("sweep " + source("scenarios/kb-incident.yaml") +
                         " -q --trials 2 --estimator window --out " + out);
    CHECK(r.status == 2);
    CHECK(r.err.starts_with("rekeysim: error: sweep point stagger="));
    CHECK(r.err.find("--estimator window does not apply to this scenario") != std::string::npos);
    CHECK(r.err.find("rekeys: 1") != std::string::npos);
    CHECK(r.out.empty());
    CHECK_FALSE(std::filesystem::exists(out));
  }
  SECTION("one point whose timers never meet, but only up to a cut latency tail") {
    // Normal link jitter: P(window) is 0 at 545 s only because rekeysim cuts
    // the tail at 8 sd, so the race outcomes are not provably 0 there.
    const Result r = run("sweep " + source("scenarios/rare-collision-sweep.yaml") +
                         " -q --estimator window --set \"network.jitter={dist: normal, sd: 1ms}\""
                         " --out " +
                         out);
    CHECK(r.status == 2);
    CHECK(
        r.err.starts_with("rekeysim: error: sweep point stagger=545s: --estimator window: "
                          "P(|timer gap| < W) is 0 in the closed form but not provably 0 (network "
                          "a_to_b latency normal(16ms, 1ms) has no bound of its own"));
    CHECK(r.err.find("use --estimator plain") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(out));
  }
  SECTION("window with csv") {
    // Every point takes it: 500 s to 539 s inside the fuzz's reach, 545 s
    // past it (exact zero), as in JSON.
    const Result r = run("sweep " + source("scenarios/rare-collision-sweep.yaml") +
                         " -q --estimator window --format csv --trials 300");
    const Result j = run("sweep " + source("scenarios/rare-collision-sweep.yaml") +
                         " -q --estimator window --format json --trials 300");
    REQUIRE(r.status == 0);
    REQUIRE(j.status == 0);
    const auto rows = csv_rows(r.out);
    const json a = json::parse(j.out);
    REQUIRE(rows.size() == 5);
    REQUIRE(a.size() == 5);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      INFO("stagger " << rows[i].at("stagger"));
      CHECK(rows[i].at("estimator") == (i == 4 ? "exact-zero" : "window"));
      CHECK(rows[i].at("estimator") == a[i]["estimator"]["name"].get<std::string>());
      CHECK(std::stod(rows[i].at("collisions_rate")) ==
            a[i]["outcomes"]["collisions"]["rate"].get<double>());
      CHECK(std::stod(rows[i].at("collisions_ci95_hi")) ==
            a[i]["outcomes"]["collisions"]["ci95"][1].get<double>());
    }
  }
  SECTION("unknown estimator") {
    const Result r =
        run("sweep " + source("scenarios/rare-collision-sweep.yaml") + " -q --estimator mcmc");
    CHECK(r.status == 2);
    CHECK(r.err.find("--estimator") != std::string::npos);
  }
}
