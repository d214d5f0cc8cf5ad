// `rekeysim explore` end to end: report lines, exit codes, the files of
// --out-dir, and input errors.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <fstream>
#include <sstream>

#include "tests/cli/run_cli.hpp"

using namespace cli_test;

TEST_CASE("CLI explore: the rfc7296 pair with one loss reports its figures and exits 0") {
  const Result r =
      run("explore " + source("scenarios/explore/rfc7296-pair.yaml") + " --max-loss 1");
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(r.out.find("states explored:") != std::string::npos);
  CHECK(r.out.find("distinct end states:") != std::string::npos);
  CHECK(r.out.find("wall time:") != std::string::npos);
  CHECK(r.out.find("INCOMPLETE") == std::string::npos);
  CHECK(r.out.find("no violation") != std::string::npos);
}

// The rfc7296 pair with a loss and timers out of step (window 2 s) used to
// give a redundant_sa counterexample: a model defect (2.8.1 collision lost
// with the old SA's inbound-keep timer), fixed; see tests/explore/explore_test.cpp.
TEST_CASE("CLI explore: the rfc7296 pair with one loss and a 2 s window exits 0, no case written") {
  TempDir dir;
  const Result r = run("explore " + source("scenarios/explore/rfc7296-pair.yaml") +
                       " --max-loss 1 --window 2s --out-dir " + (dir / "cex"));
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(r.out.find("window 2s, max loss 1") != std::string::npos);
  CHECK(r.out.find("states explored:     3047") != std::string::npos);
  CHECK(r.out.find("no violation") != std::string::npos);
  CHECK(!std::filesystem::exists(dir / "cex/redundant_sa.yaml"));
}

TEST_CASE("CLI explore: kb-incident writes the can't-find-SA case and ladder, exits 1") {
  TempDir dir;
  const Result r =
      run("explore " + source("scenarios/kb-incident.yaml") + " --out-dir " + (dir / "cex"));
  INFO(r.err);
  CHECK(r.status == 1);
  CHECK(r.out.find("VIOLATION cant_find_sa (8 steps): A got a DELETE for ESP SPI 2") !=
        std::string::npos);
  const std::string yaml = slurp(dir / "cex/cant_find_sa.yaml");
  const YAML::Node doc = YAML::Load(yaml);
  CHECK(doc["script"].size() == 9);
  CHECK(doc["source"].as<std::string>().starts_with("rekeysim explore "));
  const std::string svg = slurp(dir / "cex/cant_find_sa.svg");
  CHECK(svg.starts_with("<?xml"));
  CHECK(svg.find("</svg>") != std::string::npos);
  // The can't-find-SA moment is drawn.
  CHECK(svg.find("can") != std::string::npos);
}

TEST_CASE("CLI explore: bad options are usage errors and write nothing") {
  TempDir dir;
  const std::string sc = source("scenarios/kb-incident.yaml");
  for (const std::string& bad :
       {std::string(" --window soon"), std::string(" --allow cant-find-sa"),
        std::string(" --max-loss 99"), std::string(" --depth 0"), std::string(" --window -1s")}) {
    INFO(bad);
    const Result r = run("explore " + sc + bad + " --out-dir " + (dir / "cex"));
    CHECK(r.status == 2);
    CHECK(!r.err.empty());
  }
  CHECK(!std::filesystem::exists(dir / "cex"));
  const Result missing = run("explore " + (dir / "nope.yaml"));
  CHECK(missing.status == 2);
}

// Issue 13 "Must show": a counterexample replays with `rekeysim test` and
// fails as reported. `rekeysim test` comes from the cases branch; until both
// are merged this binary has no such subcommand and the check says so.
TEST_CASE("CLI explore: counterexamples replay with rekeysim test and fail as reported") {
  if (run("--help").out.find("\n  test ") == std::string::npos) {
    WARN("rekeysim test is not in this build: replay not checked");
    return;
  }
  TempDir dir;
  struct Cex {
    std::string args, file, failure;
  };
  for (const Cex& c : {Cex{"scenarios/kb-incident.yaml", "kb/cant_find_sa.yaml",
                           "expect.events.delete_for_unknown_spi: expected 0, got 1"},
                       Cex{"scenarios/explore/no-tiebreak.yaml", "nt/redundant_sa.yaml",
                           "got A holds 2 Child SAs, B 2"}}) {
    INFO(c.args);
    const std::string out = dir / c.file.substr(0, c.file.find('/'));
    const Result e = run("explore " + source(c.args) + " --out-dir " + out);
    REQUIRE(e.status == 1);
    const Result t = run("test " + (dir / c.file));
    INFO(t.out << t.err);
    CHECK(t.status == 1);
    CHECK(t.out.starts_with("FAIL "));
    CHECK(t.out.find(c.failure) != std::string::npos);
  }
}

// Every case file explore writes, for every scenario of the library, loads
// in `rekeysim test` (exit 1, not 2) and fails on the expectation that
// matches the violation explore reported. Small bounds keep it quick; they
// still reach outage (both directions at once in panos-vs-strongswan-584),
// cant_find_sa with a worker_pickup step, tunnel_reset and redundant_sa.
TEST_CASE(
    "CLI explore: every case written for the scenario library replays and fails as reported") {
  if (run("--help").out.find("\n  test ") == std::string::npos) {
    WARN("rekeysim test is not in this build: replay not checked");
    return;
  }
  TempDir dir;
  std::vector<std::filesystem::path> scenarios;
  for (const char* sub : {"scenarios", "scenarios/explore"})
    for (const auto& e : std::filesystem::directory_iterator(source(sub)))
      if (e.path().extension() == ".yaml") scenarios.push_back(e.path());
  std::sort(scenarios.begin(), scenarios.end());
  REQUIRE(scenarios.size() >= 10);
  std::size_t cases = 0;
  for (const auto& sc : scenarios) {
    INFO(sc.string());
    const std::string out = dir / sc.stem().string();
    const Result e = run("explore " + sc.string() + " --depth 12 --max-loss 1 --out-dir " + out);
    INFO(e.out << e.err);
    REQUIRE((e.status == 0 || e.status == 1));
    std::istringstream lines(e.out);
    for (std::string line; std::getline(lines, line);) {
      if (!line.starts_with("VIOLATION ")) continue;
      const std::string kind = line.substr(10, line.find(' ', 10) - 10);
      const std::string detail = line.substr(line.find("): ") + 3);
      const std::string file = out + "/" + kind + ".yaml";
      INFO(file);
      const Result t = run("test " + file);
      INFO(t.out << t.err);
      ++cases;
      CHECK(t.status == 1);
      CHECK(t.err.empty());
      CHECK(t.out.starts_with("FAIL "));
      if (kind == "cant_find_sa") {
        CHECK(t.out.find("_for_unknown_spi: expected 0, got ") != std::string::npos);
      } else if (kind == "tunnel_reset") {
        CHECK(t.out.find("expect.events.tunnel_down: expected 0, got ") != std::string::npos);
      } else if (kind == "outage") {
        // "A sends on ESP SPI 3 that B no longer accepts": that SPI at B.
        // "A has no outbound Child SA to send on": B's SPI is refused at A.
        CHECK(t.out.find("expect.accepts.") != std::string::npos);
        if (const std::size_t at = detail.find("SPI "); at != std::string::npos) {
          const std::string spi = detail.substr(at + 4, detail.find(' ', at + 4) - at - 4);
          const char to = static_cast<char>(std::tolower(detail.at(detail.find(" that ") + 6)));
          CHECK(t.out.find(std::string("expect.accepts.") + to + ": expected accepts [" + spi +
                           "], got rejects [" + spi + "]") != std::string::npos);
        }
      } else {
        CHECK(t.out.find("expect.agree: expected one shared Child SA pair") != std::string::npos);
      }
    }
  }
  CHECK(cases >= 10);
}

TEST_CASE("CLI explore: an incomplete search exits 1 and says INCOMPLETE with its bound") {
  const std::string sc = source("scenarios/explore/rfc7296-pair.yaml");
  const Result depth = run("explore " + sc + " --depth 3");
  INFO(depth.out << depth.err);
  CHECK(depth.status == 1);
  CHECK(depth.out.find("INCOMPLETE: no violation found in ") != std::string::npos);
  CHECK(depth.out.find(" states, search bounded by --depth 3;") != std::string::npos);
  CHECK(depth.out.find("no violation\n") == std::string::npos);
  const Result states = run("explore " + sc + " --max-states 5");
  INFO(states.out << states.err);
  CHECK(states.status == 1);
  CHECK(states.out.find("search bounded by --max-states 5;") != std::string::npos);
}

TEST_CASE("CLI explore: a bad --out-dir fails before the search and creates nothing") {
  TempDir dir;
  const std::string sc = source("scenarios/kb-incident.yaml");
  { std::ofstream(dir / "file") << "keep\n"; }
  // The parent is a regular file; a parent that does not exist; the name is a file.
  for (const std::string& out : {dir / "file/cex", dir / "no/such/cex", dir / "file"}) {
    INFO(out);
    const Result r = run("explore " + sc + " --out-dir " + out);
    CHECK(r.status == 2);
    CHECK(r.err.find("--out-dir: ") != std::string::npos);
    CHECK(r.out.empty());
  }
  CHECK(slurp(dir / "file") == "keep\n");
  CHECK(!std::filesystem::exists(dir / "no"));
  std::size_t entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path)) entries += !e.path().empty();
  CHECK(entries == 1);
  // Without a violation nothing is created either.
  const Result clean = run("explore " + source("scenarios/explore/rfc7296-pair.yaml") +
                           " --out-dir " + (dir / "cex"));
  CHECK(clean.status == 0);
  CHECK(!std::filesystem::exists(dir / "cex"));
  // A new directory named with a trailing slash is created in its parent.
  CHECK(run("explore " + sc + " --out-dir " + (dir / "new/")).status == 1);
  CHECK(std::filesystem::exists(dir / "new/cant_find_sa.yaml"));
}

TEST_CASE("CLI explore: the scenario's explore.allow list is honoured, bad kinds are refused") {
  TempDir dir;
  const std::string base = slurp(source("scenarios/kb-incident.yaml"));
  {
    std::ofstream(dir / "allow.yaml") << base << "explore:\n  allow: [cant_find_sa, outage]\n";
    std::ofstream(dir / "bad.yaml") << base << "explore:\n  allow: [outage, cant_find]\n";
  }
  const Result r = run("explore " + (dir / "allow.yaml"));
  INFO(r.out << r.err);
  CHECK(r.out.find("VIOLATION cant_find_sa") == std::string::npos);
  CHECK(r.out.find("VIOLATION outage") == std::string::npos);
  CHECK(r.out.find("VIOLATION redundant_sa") != std::string::npos);
  // --allow adds to the scenario's list.
  const Result more =
      run("explore " + (dir / "allow.yaml") + " --allow redundant_sa --allow sa_leak");
  CHECK(more.out.find("VIOLATION redundant_sa") == std::string::npos);
  const Result bad = run("explore " + (dir / "bad.yaml"));
  CHECK(bad.status == 2);
  const auto lines = std::count(base.begin(), base.end(), '\n');
  CHECK(bad.err.find("bad.yaml:" + std::to_string(lines + 2) +
                     ":19: error: explore.allow[1]: unknown invariant kind \"cant_find\" (did "
                     "you mean \"cant_find_sa\"?)") != std::string::npos);
  std::ofstream(dir / "bad2.yaml") << base << "explore:\n  alow: [outage]\n";
  CHECK(run("explore " + (dir / "bad2.yaml")).err.find("explore.alow: unknown key \"alow\"") !=
        std::string::npos);
}

TEST_CASE("CLI explore: a case file it would write over its own scenario is refused, unchanged") {
  // explore writes <kind>.yaml into --out-dir; a scenario of that name in that
  // directory was replaced by the counterexample it produced.
  TempDir dir;
  const std::string scn = dir / "cant_find_sa.yaml";
  std::ofstream(scn) << slurp(source("scenarios/kb-incident.yaml"));
  const std::string before = slurp(scn);
  const Result r = run("explore " + scn + " --out-dir " + dir.path.string());
  INFO(r.out << r.err);
  CHECK(r.status == 2);
  CHECK(r.err.find("cannot write " + scn + ": the same file as the scenario, which it reads") !=
        std::string::npos);
  CHECK(slurp(scn) == before);
  CHECK(!std::filesystem::exists(dir / "cant_find_sa.svg"));
}
