// `recommend`, `report` and `audit` (issue 16): advice in the units each
// device is configured in, the direction that costs nothing, a report a
// browser renders, and a fleet ranked by risk.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "models/profiles/lifetime_settings.hpp"
#include "run_cli.hpp"
#include "tools/rekeysim/audit.hpp"

#include <fstream>

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
  // No rekey races at the best stagger, so the reason is the profiles'
  // rekey behaviour, not jitter or the range of staggers tried.
  CHECK(r.out.find("why: even at the least-harm stagger (") != std::string::npos);
  CHECK(r.out.find(") no rekey raced, yet the harm is ") != std::string::npos);
  CHECK(r.out.find("not from timing, so no stagger removes it") != std::string::npos);
  CHECK(r.out.find("(jitter)") == std::string::npos);
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

namespace {

bool chromium_available() {
  return std::system("command -v chromium > /dev/null 2>&1") == 0;
}

}  // namespace

TEST_CASE(
    "report: one self-contained HTML file with every section, rendered by headless Chromium") {
  TempDir dir;
  const std::string html = dir / "report.html";
  const Result r = run("report " + source("scenarios/panos-vs-aws.yaml") +
                       " -q --threads 2 --trials 10 --out " + html);
  INFO(r.err);
  REQUIRE(r.status == 0);
  const std::string page = slurp(html);
  for (const char* id :
       {"recommendation", "sweep", "distribution", "ladders", "configuration", "method"}) {
    CHECK(page.find(std::string("<section id=\"") + id + "\">") != std::string::npos);
  }
  // Self-contained: no script, nothing fetched.
  CHECK(page.find("<script") == std::string::npos);
  CHECK(page.find("http://") == page.find("http://www.w3.org/2000/svg"));
  CHECK(page.find("src=") == std::string::npos);
  CHECK(page.find("<link") == std::string::npos);
  // The advice, every outcome's chart, the episode found, both peers' sources.
  CHECK(page.find("set B&#39;s") == std::string::npos);
  CHECK(page.find("Phase2LifetimeSeconds) to 3,480 s (58 min)") != std::string::npos);
  for (const char* chart :
       {"harm per rekey (weighted)", "collisions per rekey", "cant_find_sa per rekey",
        "outages per rekey", "esp_dropped per rekey (packets)", "downtime per rekey (time)",
        "tunnel_resets per rekey"}) {
    CHECK(page.find(std::string("aria-label=\"") + chart + "\"") != std::string::npos);
  }
  CHECK(page.find("first outage at ") != std::string::npos);
  CHECK(page.find("No collision in the 10 trials searched") != std::string::npos);
  CHECK(page.find("AWS EC2 API VpnTunnelOptionsSpecification") != std::string::npos);
  // Times are written unambiguously ("52 min 46.153 s"), never "52m46.153s".
  CHECK(page.find("m46.") == std::string::npos);

  if (!chromium_available()) {
    WARN("chromium is not installed (tools/setup.sh installs it): the render check is skipped");
    return;
  }
  const std::string png = dir / "report.png";
  const std::string log = dir / "chromium.log";
  const std::string cmd =
      "chromium --headless --disable-gpu --no-sandbox --enable-logging=stderr "
      "--v=0 --window-size=1300,2400 --screenshot=" +
      png + " file://" + html + " > " + log + " 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  CHECK(std::filesystem::file_size(png) > 50'000);
  // A page without script has no console messages; any would be an error
  // of the page itself (CONSOLE lines), not of the headless browser.
  const std::string messages = slurp(log);
  INFO(messages);
  CHECK(messages.find("CONSOLE") == std::string::npos);
  CHECK(messages.find("Uncaught") == std::string::npos);
  // Chromium parsed every section: the DOM it builds contains them all.
  const std::string dom = dir / "dom.html";
  REQUIRE(std::system(("chromium --headless --disable-gpu --no-sandbox --dump-dom file://" + html +
                       " > " + dom + " 2>/dev/null")
                          .c_str()) == 0);
  const std::string parsed = slurp(dom);
  for (const char* id :
       {"recommendation", "sweep", "distribution", "ladders", "configuration", "method"}) {
    CHECK(parsed.find(std::string("id=\"") + id + "\"") != std::string::npos);
  }
  CHECK(parsed.find("<svg") != std::string::npos);
}

TEST_CASE("audit: a known risky tunnel ranks above a known safe one, with a fix in device units") {
  TempDir dir;
  const std::string inv = dir / "inv.csv";
  {
    std::ofstream f(inv);
    f << "name,a_profile,b_profile,a_lifetime,b_lifetime,latency,traffic\n"
      // PAN-OS starts every rekey: an outage each time.
      << "risky,panos,aws-vpn,1h,1h,16ms,200\n"
      // AWS starts every rekey (PAN-OS's lifetime is 2 min longer): none.
      << "safe,aws-vpn,panos,1h,62m,16ms,200\n";
  }
  const Result r =
      run("audit " + inv + " --trials 10 --threads 2 --format json --html " + (dir / "a.html"));
  INFO(r.out << r.err);
  REQUIRE(r.status == 1);  // a tunnel needs a fix
  const json j = json::parse(r.out);
  REQUIRE(j["tunnels"].size() == 2);
  CHECK(j["tunnels"][0]["tunnel"] == "risky");
  CHECK(j["tunnels"][0]["risk"] == "needs fix");
  CHECK(j["tunnels"][0]["fix_peer"] == "b");
  CHECK(j["tunnels"][0]["fix_lifetime_s"].get<std::int64_t>() < 3600);
  CHECK(j["tunnels"][1]["tunnel"] == "safe");
  CHECK(j["tunnels"][1]["harm_per_rekey"].get<double>() <
        j["tunnels"][0]["harm_ci95"][0].get<double>());
  CHECK(j["tunnels"][1]["risk"] != "needs fix");
  CHECK(j["tunnels"][0]["fix"].get<std::string>().find("to 3,") != std::string::npos);
  // The same bytes whatever the number of threads.
  const Result one = run("audit " + inv + " --trials 10 --threads 1 --format json");
  CHECK(one.out == r.out);
  const std::string page = slurp(dir / "a.html");
  CHECK(page.find("<section id=\"ranking\">") != std::string::npos);
  CHECK(page.find("risky") < page.find("safe"));
}

TEST_CASE("audit: the example inventory has about 50 mixed-vendor tunnels and loads") {
  const auto inv = rekeysim::cli::load_inventory(source("scenarios/fleet-inventory.csv"));
  CHECK(inv.tunnels.size() == 50);
}

TEST_CASE("audit: bad inventory lines are named by file, line and column, exit 2") {
  TempDir dir;
  struct Case {
    const char* text;
    const char* where;
    const char* what;
  };
  const Case cases[] = {
      {"name,a_profile,b_profile,colour\n", ":1:26:", "unknown column \"colour\""},
      {"name,a_profile,b_profile\nt1,panos\n", ":2:4:", "2 fields where the header has 3"},
      {"name,a_profile,b_profile\nt1,panos,nosuch\n", ":2:10:", "unknown profile"},
      {"name,a_profile,b_profile,latency\nt1,panos,aws-vpn,fast\n", ":2:18:", "latency"},
      {"name,a_profile,b_profile,a_overrides\nt1,panos,aws-vpn,child.margin=5m;bogus=1\n",
       ":2:34:", "\"bogus=1\" is not KEY=VALUE with a peer key"},
      {"name,a_profile,b_profile\nt1,panos,aws-vpn\nt1,panos,aws-vpn\n",
       ":3:1:", "duplicate tunnel name \"t1\" (first at line 2)"},
      {"name,a_profile,b_profile\n\"t1,panos,aws-vpn\n", ":2:1:", "unterminated quoted field"},
  };
  int k = 0;
  for (const auto& c : cases) {
    const std::string inv = dir / ("bad" + std::to_string(k++) + ".csv");
    std::ofstream(inv) << c.text;
    const Result r = run("audit " + inv + " --no-fixes --trials 2 --html " + (dir / "x.html"));
    INFO(c.text << "\n" << r.err);
    CHECK(r.status == 2);
    CHECK(r.err.find(inv + c.where) != std::string::npos);
    CHECK(r.err.find(c.what) != std::string::npos);
    CHECK(!std::filesystem::exists(dir / "x.html"));  // nothing partial left behind
  }
  const std::string yml = dir / "bad.yaml";
  std::ofstream(yml) << "tunnels:\n  - name: t1\n    a: {profile: panos}\n    b: {profile: "
                        "aws-vpn, child: {lifetym: 1h}}\n";
  const Result y = run("audit " + yml + " --no-fixes --trials 2");
  INFO(y.err);
  CHECK(y.status == 2);
  CHECK(y.err.find(yml + ":4:") != std::string::npos);
  CHECK(y.err.find("lifetym") != std::string::npos);
}

TEST_CASE("profiles NAME shows how the device's Phase 2 lifetime is configured, with its source") {
  const Result r = run("profiles panos");
  REQUIRE(r.status == 0);
  CHECK(r.out.find("Phase 2 lifetime as configured: Network > IPSec Crypto profile > Lifetime "
                   "(units min, h, d; step 1 min; 3 min to 365 d)  [assumption]") !=
        std::string::npos);
  const Result aws = run("profiles aws-vpn");
  CHECK(aws.out.find("VPN tunnel option Phase2LifetimeSeconds (units s; step 1 s; 15 min to 1 h)  "
                     "[confirmed]") != std::string::npos);
}
