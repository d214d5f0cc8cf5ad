// `rekeysim explore` end to end: report lines, exit codes, the files of
// --out-dir, and input errors.
#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>

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
  CHECK(r.out.find("states explored:     1523") != std::string::npos);
  CHECK(r.out.find("no violation") != std::string::npos);
  CHECK(!std::filesystem::exists(dir / "cex/redundant_sa.yaml"));
}

TEST_CASE("CLI explore: kb-incident writes the can't-find-SA case and ladder, exits 1") {
  TempDir dir;
  const Result r =
      run("explore " + source("scenarios/kb-incident.yaml") + " --out-dir " + (dir / "cex"));
  INFO(r.err);
  CHECK(r.status == 1);
  CHECK(r.out.find("VIOLATION cant_find_sa (7 steps): A got a DELETE for ESP SPI 2") !=
        std::string::npos);
  const std::string yaml = slurp(dir / "cex/cant_find_sa.yaml");
  const YAML::Node doc = YAML::Load(yaml);
  CHECK(doc["script"].size() == 8);
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
