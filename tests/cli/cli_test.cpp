// rekeysim end to end: scenarios in, numbers out, exit codes as documented
// (0 ok, 1 an expect failed, 2 usage or input error).
#include <catch2/catch.hpp>
#include <cctype>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "run_cli.hpp"

using namespace cli_test;
using json = nlohmann::json;

namespace {
// Few short trials: enough to exercise every path, fast under sanitizers.
const std::string kQuick = " --trials 3 --set duration=2d -q ";
}  // namespace

TEST_CASE("CLI: every scenario in scenarios/ validates and runs") {
  int seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(source("scenarios"))) {
    if (entry.path().extension() != ".yaml") continue;
    ++seen;
    const std::string file = entry.path().string();
    INFO(file);
    const Result v = run("validate " + file);
    CHECK(v.status == 0);
    CHECK(v.out.starts_with("ok: "));
    const Result r = run("sweep " + file + kQuick + "--format json --threads 2");
    INFO(r.err);
    CHECK((r.status == 0 || r.status == 1));
    const json j = json::parse(r.out);
    REQUIRE(j.is_array());
    REQUIRE(!j.empty());
    for (const auto& point : j) CHECK(point["episodes"].get<std::uint64_t>() > 0);
  }
  CHECK(seen >= 7);
}

TEST_CASE("CLI: JSON results are byte-identical at 1, 2 and 8 threads") {
  TempDir dir;
  std::string reference;
  for (const char* threads : {"1", "2", "8"}) {
    const std::string out = dir / (std::string("t") + threads + ".json");
    const Result r = run("sweep " + source("scenarios/kb-incident.yaml") +
                         " --trials 10 --set duration=3d -q --format json --threads " + threads +
                         " --out " + out);
    REQUIRE(r.status == 0);
    const std::string text = slurp(out);
    REQUIRE(text.size() > 1000);
    if (reference.empty()) reference = text;
    CHECK(text == reference);
  }
}

TEST_CASE(
    "CLI: JSON follows the contract: episodes, trials, outcomes with ci95, per_trial, params") {
  const Result r = run("sweep " + source("scenarios/kb-incident.yaml") + kQuick + "--format json");
  REQUIRE(r.status == 0);
  const json j = json::parse(r.out);
  REQUIRE(j.size() == 25);
  const json& p = j[0];
  CHECK(p["params"]["stagger"] == "-300s");
  CHECK(p["trials"] == 3);
  for (const char* name :
       {"child_rekeys", "collisions", "cant_find_sa", "esp_dropped", "outages", "downtime",
        "redundant_sas", "tunnel_resets", "ike_rekeys", "ike_collisions"}) {
    INFO(name);
    const json& o = p["outcomes"][name];
    CHECK(o.contains("count"));
    CHECK(o.contains("rate"));
    CHECK(o["ci95"].size() == 2);
    const json& t = p["per_trial"][name];
    for (const char* k : {"fraction_affected", "ci95", "p50", "p90", "p99"}) CHECK(t.contains(k));
  }
}

TEST_CASE(
    "KB incident: identical lifetimes collide but the KB's 300 s stagger does not (--set "
    "overrides)") {
  const std::string file = source("scenarios/kb-incident.yaml");
  const Result same = run("run " + file + kQuick + "--format json --set stagger=0");
  const Result staggered = run("run " + file + kQuick + "--format json --set stagger=300s");
  REQUIRE(same.status == 0);
  REQUIRE(staggered.status == 0);
  CHECK(json::parse(same.out)["outcomes"]["collisions"]["count"].get<std::uint64_t>() > 0);
  CHECK(json::parse(staggered.out)["outcomes"]["collisions"]["count"].get<std::uint64_t>() == 0);
}

TEST_CASE("CLI: --set reaches the config and validate shows it") {
  const Result r = run("validate " + source("scenarios/kb-incident.yaml") +
                       " --set peers.b.child.lifetime=28500s --set trials=9");
  REQUIRE(r.status == 0);
  CHECK(r.out.find("x 9 trials") != std::string::npos);
  CHECK(r.out.find("peer B: profile cisco-asa, child.lifetime 7h55m") != std::string::npos);
  const Result bad = run("validate " + source("scenarios/kb-incident.yaml") +
                         " --set peers.b.child.lifetime=8hours");
  CHECK(bad.status == 2);
  CHECK(bad.err.starts_with("--set:1:24: error: peers.b.child.lifetime:"));
}

TEST_CASE("CLI: expect passes with exit 0 and fails with exit 1, printing each failure") {
  const std::string file = source("scenarios/kb-incident-staggered.yaml");
  const Result ok = run("run " + file + kQuick);
  CHECK(ok.status == 0);
  CHECK(ok.out.find("expect ok:") != std::string::npos);
  const Result fail = run("run " + file + kQuick + "--set stagger=0");
  CHECK(fail.status == 1);
  CHECK(fail.err.find("expect failed: collisions: count") != std::string::npos);
  CHECK(fail.err.find("kb-incident-staggered.yaml:") != std::string::npos);
}

TEST_CASE("CLI: table output names units and CSV has a header and one row per point") {
  const Result t = run("run " + source("scenarios/kb-incident.yaml") + kQuick);
  REQUIRE(t.status == 0);
  CHECK(t.out.find("rate per rekey episode [95% CI]") != std::string::npos);
  CHECK(t.out.find("/rekey") != std::string::npos);
  CHECK(t.out.find("/day") != std::string::npos);
  CHECK(t.out.find("pkt") != std::string::npos);
  const Result c = run("sweep " + source("scenarios/coarse-tick.yaml") + kQuick + "--format csv");
  REQUIRE(c.status == 0);
  CHECK(
      c.out.starts_with("scenario,peers.b.child.tick,seed,trials,episodes,ike_episodes,tunnel_days,"
                        "child_rekeys_count,"));
  CHECK(std::count(c.out.begin(), c.out.end(), '\n') == 1 + 6);
  // The sweep table gives every figure with its interval: 8 per row (7 when
  // no IKE SA was rekeyed: ike_collisions reads n/a).
  const Result s = run("sweep " + source("scenarios/coarse-tick.yaml") + kQuick);
  REQUIRE(s.status == 0);
  std::istringstream rows(s.out);
  int data_rows = 0;
  for (std::string line; std::getline(rows, line);) {
    if (line.empty() || !std::isdigit(static_cast<unsigned char>(line[0]))) continue;
    ++data_rows;
    const bool no_ike = line.find("n/a (no IKE rekey)") != std::string::npos;
    CHECK(std::count(line.begin(), line.end(), '[') == (no_ike ? 7 : 8));
  }
  CHECK(data_rows == 6);
}

TEST_CASE("CLI: the sweep plot renders to a PNG of non-trivial size") {
  TempDir dir;
  const Result r =
      run("sweep " + source("scenarios/kb-incident.yaml") + kQuick + "--plot " + (dir / "p.svg"));
  REQUIRE(r.status == 0);
  const std::string svg = slurp(dir / "p.svg");
  CHECK(svg.find("symmetric log scale") != std::string::npos);
  CHECK(svg.find("collisions") != std::string::npos);
  CHECK(svg.find("estimator:") == std::string::npos);  // plain at every point: no note
  // A sweep whose points take other estimators says which (a tester's
  // finding: window, exact-zero and plain points looked alike).
  const Result rare = run("sweep " + source("scenarios/rare-collision-sweep.yaml") +
                          " --trials 20 -q --plot " + (dir / "rare.svg"));
  REQUIRE(rare.status == 0);
  CHECK(slurp(dir / "rare.svg")
            .find(">estimator: window (stratified on the race window) at 500s, 520s, 533s, 539s; "
                  "exact-zero (collisions proven 0) at 545s</text>") != std::string::npos);
  // Many points: a range, so the line stays inside the image (21 named
  // values ran off it, a tester's finding).
  std::string yaml = slurp(source("scenarios/rare-collision-sweep.yaml"));
  const std::string five = "values: [500s, 520s, 533s, 539s, 545s]";
  REQUIRE(yaml.find(five) != std::string::npos);
  yaml.replace(yaml.find(five), five.size(),
               "values: [500s, 501s, 502s, 503s, 504s, 505s, 506s, 507s, 545s]");
  std::ofstream(dir / "many.yaml") << yaml;
  const Result many =
      run("sweep " + (dir / "many.yaml") + " --trials 5 -q --plot " + (dir / "many.svg"));
  REQUIRE(many.status == 0);
  CHECK(slurp(dir / "many.svg")
            .find(">estimator: window (stratified on the race window) at 8 points, 500s to 507s "
                  "in sweep order; exact-zero (collisions proven 0) at 545s</text>") !=
        std::string::npos);
  if (std::system("command -v rsvg-convert >/dev/null 2>&1") != 0) {
    WARN("rsvg-convert is not installed (Debian package librsvg2-bin): PNG rendering not checked");
    return;
  }
  const std::string cmd = "rsvg-convert " + (dir / "p.svg") + " -o " + (dir / "p.png");
  REQUIRE(std::system(cmd.c_str()) == 0);
  CHECK(std::filesystem::file_size(dir / "p.png") > 20000);
}

// A sweep over names (collision_resolution) or lists (network.down) plots one
// category per point, labelled with its value, in sweep order.
TEST_CASE("CLI: a sweep plot over non-numeric values has one labelled category per point") {
  TempDir dir;
  const Result r = run("sweep " + source("scenarios/collision-variants.yaml") + kQuick + "--plot " +
                       (dir / "c.svg"));
  INFO(r.err);
  REQUIRE(r.status == 0);
  const std::string svg = slurp(dir / "c.svg");
  std::size_t last = 0;
  for (const std::string v : {"rfc7296", "strongswan_min_nonce", "strongswan_pre56_min_nonce",
                              "strongswan4_lowest_wins", "inverted", "none"}) {
    INFO(v);
    const std::size_t at = svg.find("text-anchor=\"middle\">" + v + "</text>");
    CHECK(at != std::string::npos);
    CHECK(at > last);
    last = at;
  }
  // The x axis is named by the parameter alone: no time unit, no log scale.
  CHECK(svg.find(">peers.a.behaviour.collision_resolution</text>") != std::string::npos);
  {
    std::ofstream(dir / "down.yaml") << "name: down-sweep\nseed: 1\ntrials: 3\nduration: 2d\n"
                                        "peers:\n  a: {profile: strongswan}\n"
                                        "  b: {profile: strongswan}\n"
                                        "sweep:\n  - param: network.down\n"
                                        "    values: [[], [{at: 1h, duration: 1m}]]\n";
  }
  const Result d = run("sweep " + (dir / "down.yaml") + " -q --plot " + (dir / "d.svg"));
  INFO(d.err);
  REQUIRE(d.status == 0);
  const std::string dsvg = slurp(dir / "d.svg");
  CHECK(dsvg.find(">[]</text>") != std::string::npos);
  CHECK(dsvg.find(">[{at: 1h, duration: 1m}]</text>") != std::string::npos);
}

// The sweep table comes first, so its never-up warning looks up at it, and a
// sweep without parameters has no "at ...:" label to print.
TEST_CASE("CLI: a sweep's never-up warning names its point and refers to the table above") {
  TempDir dir;
  const std::string base =
      "name: nu\nseed: 1\ntrials: 3\nduration: 1d\nnetwork: {loss: 1}\n"
      "peers:\n  a: {profile: strongswan}\n  b: {profile: strongswan}\n";
  { std::ofstream(dir / "one.yaml") << base; }
  {
    std::ofstream(dir / "two.yaml") << base << "sweep:\n  - param: stagger\n    values: [0s, 1s]\n";
  }
  const std::string warning =
      "WARNING: the tunnel never came up (IKE_SA_INIT / IKE_AUTH never completed) in 3 of 3 "
      "trials; ";
  const Result one = run("sweep " + (dir / "one.yaml") + " -q");
  INFO(one.out << one.err);
  CHECK(one.out.find("\n" + warning + "the rates above cover only") != std::string::npos);
  CHECK(one.out.find("at : ") == std::string::npos);
  const Result two = run("sweep " + (dir / "two.yaml") + " -q");
  INFO(two.out << two.err);
  for (const std::string at : {"0s", "1s"})
    CHECK(two.out.find("\nat stagger=" + at + ": " + warning + "its rates above cover only") !=
          std::string::npos);
  CHECK(two.out.find("below") == std::string::npos);
}

TEST_CASE("CLI: usage errors exit 2 and help for each subcommand has an example") {
  CHECK(run("run").status == 2);
  CHECK(run("frobnicate").status == 2);
  CHECK(run("run " + source("scenarios/kb-incident.yaml") + " --format xml").status == 2);
  const Result missing = run("run /nonexistent/x.yaml");
  CHECK(missing.status == 2);
  CHECK(missing.err.starts_with("/nonexistent/x.yaml:1:1: error: file: cannot be opened"));
  {
    // A directory opens and fails only when read: it said "read error".
    cli_test::TempDir dir;
    const Result d = run("run " + dir.path.string());
    CHECK(d.status == 2);
    CHECK(d.err.starts_with(dir.path.string() + ":1:1: error: file: is a directory; expected a "
                                                "readable YAML file"));
    // A profile path that is a directory says so too.
    const Result p = run("validate " + source("scenarios/rare-collision.yaml") +
                         " --set peers.a.profile=" + dir.path.string());
    CHECK(p.status == 2);
    CHECK(p.err.find("profile file \"" + dir.path.string() + "\" is a directory; expected") !=
          std::string::npos);
  }
  for (const char* sub :
       {"run", "sweep", "recommend", "validate", "profiles", "trace", "report", "audit"}) {
    INFO(sub);
    const Result h = run(std::string(sub) + " --help");
    CHECK(h.status == 0);
    CHECK(h.out.find("Example") != std::string::npos);
  }
  const Result v = run("--version");
  CHECK(v.status == 0);
  CHECK(v.out.starts_with("rekeysim "));
}

TEST_CASE("CLI: an output file that cannot be written is an error and leaves nothing behind") {
  TempDir dir;
  const Result r = run("run " + source("scenarios/kb-incident.yaml") + kQuick + "--out " +
                       (dir / "no/such/dir/r.json"));
  CHECK(r.status == 2);
  CHECK(r.err.find("cannot write") != std::string::npos);
  CHECK(std::filesystem::is_empty(dir.path));
}

TEST_CASE("CLI: profiles lists every builtin profile and NAME shows every key with its source") {
  const Result all = run("profiles");
  REQUIRE(all.status == 0);
  for (const char* p : {"rfc7296", "strongswan", "panos", "cisco-asa", "aws-vpn", "azure-vpngw"}) {
    CHECK(all.out.find(p) != std::string::npos);
  }
  const Result one = run("profiles panos");
  REQUIRE(one.status == 0);
  CHECK(one.out.find("behaviour.retransmit.jitter") != std::string::npos);
  CHECK(one.out.find("confirmed") != std::string::npos);
  const Result bad = run("profiles pano");
  CHECK(bad.status == 2);
  CHECK(bad.err.find("did you mean \"panos\"") != std::string::npos);
}

TEST_CASE(
    "CLI: trace writes a vendor-style log, a ladder SVG and JSONL around the first collision") {
  TempDir dir;
  const Result r =
      run("trace " + source("scenarios/kb-incident.yaml") +
          " --set duration=2d --set stagger=0 --first collision --style panos --window 5s --svg " +
          (dir / "l.svg") + " --jsonl " + (dir / "l.jsonl"));
  REQUIRE(r.status == 0);
  CHECK(!r.out.empty());
  CHECK(r.err.find("first collision at") != std::string::npos);
  CHECK(slurp(dir / "l.svg").find("<svg") != std::string::npos);
  CHECK(!slurp(dir / "l.jsonl").empty());
}

TEST_CASE(
    "CLI: recommend finds a configurable stagger whose collision upper bound is below the target") {
  const Result r = run("recommend " + source("scenarios/kb-incident.yaml") +
                       " --trials 5 --set duration=2d -q --objective collisions --target 0.05");
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("recommendation: set ") != std::string::npos);
  CHECK(r.out.find("if the other peer rekeyed first instead (stagger ") != std::string::npos);
  CHECK(r.out.find("harm per Child SA rekey = collisions x1;") != std::string::npos);
}
