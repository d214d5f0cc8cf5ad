// `rekeysim ingest`: real PAN-OS and strongSwan logs back into trace
// records, style detection, the count of unusable lines, and the round trip
// simulated log -> ingest -> the same records.
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "run_cli.hpp"

using cli_test::run;
using cli_test::slurp;
using cli_test::source;
using cli_test::TempDir;

namespace {

// kind -> SPIs (spi_in) of the records of one peer, from JSON Lines.
std::map<std::string, std::multiset<std::string>> by_kind(const std::string& jsonl,
                                                          const std::string& peer) {
  std::map<std::string, std::multiset<std::string>> out;
  std::istringstream in(jsonl);
  for (std::string line; std::getline(in, line);) {
    const auto r = nlohmann::json::parse(line);
    if (r["peer"] != peer) continue;
    out[r["kind"].get<std::string>()].insert(r.value("spi_in", std::string()));
  }
  return out;
}

}  // namespace

TEST_CASE("ingest: a real strongSwan 5.9.8 log is detected, read without unusable lines") {
  TempDir dir;
  const auto r = run("ingest " + source("tests/cli/data/strongswan-5.9.8-identical-timers-a.log") +
                     " --out " + (dir / "r.jsonl"));
  REQUIRE(r.status == 0);
  CHECK(r.err.find("style strongswan (detected), 1174 lines:") != std::string::npos);
  CHECK(r.err.find(" 0 unusable;") != std::string::npos);
  const auto kinds = by_kind(slurp(dir / "r.jsonl"), "A");
  CHECK(kinds.count("collision_detected") == 1);
  CHECK(kinds.at("child_sa_installed").size() > 10);
  CHECK(kinds.at("child_sa_deleted").size() > 10);
  CHECK(kinds.at("message_sent").size() > 10);
}

TEST_CASE("ingest: the KB's PAN-OS sample is detected, its masked SPIs are counted unusable") {
  const auto r = run("ingest " + source("tests/trace/data/panos-ikemgr-delete-race.log"));
  REQUIRE(r.status == 0);
  CHECK(r.err.find("style panos (detected), 8 lines: 3 used, 1 skipped (no record kind), 4 "
                   "unusable") != std::string::npos);
  CHECK(r.err.find("panos-ikemgr-delete-race.log:8: unusable: ") != std::string::npos);
  // The transmit with its message ID and the received DELETE are read.
  CHECK(r.out.find("\"message_id\":836") != std::string::npos);
}

TEST_CASE("ingest: a simulated log read back gives the simulation's own records") {
  for (const char* style : {"panos", "strongswan"}) {
    SECTION(style) {
      TempDir dir;
      const std::string scn = source("scenarios/kb-incident.yaml");
      const auto t = run("trace " + scn + " --first cant_find_sa --window 2s --peer a --style " +
                         style + " --out " + (dir / "a.log") + " --jsonl " + (dir / "sim.jsonl"));
      REQUIRE(t.status == 0);
      const auto r = run("ingest " + (dir / "a.log") + " --out " + (dir / "in.jsonl"));
      REQUIRE(r.status == 0);
      CHECK(r.err.find(std::string("style ") + style + " (detected)") != std::string::npos);
      CHECK(r.err.find(" 0 unusable;") != std::string::npos);
      const auto sim = by_kind(slurp(dir / "sim.jsonl"), "A");
      const auto got = by_kind(slurp(dir / "in.jsonl"), "A");
      for (const char* kind : {"delete_for_unknown_spi", "child_sa_deleted"}) {
        INFO(kind);
        REQUIRE(sim.count(kind) == 1);
        REQUIRE(got.count(kind) == 1);
        CHECK(got.at(kind) == sim.at(kind));
      }
    }
  }
}

TEST_CASE("ingest: a file of no known style exits 2 naming the styles tried, bad flags exit 2") {
  TempDir dir;
  std::ofstream(dir / "x.log") << "hello\nworld\n";
  const auto r = run("ingest " + (dir / "x.log"));
  CHECK(r.status == 2);
  CHECK(r.err.find("no line of the first 2 has the shape of a known log style (tried panos, "
                   "strongswan)") != std::string::npos);
  const auto s = run("ingest " + (dir / "x.log") + " --style fortios");
  CHECK(s.status == 2);
  CHECK(s.err.find("--style: unknown style \"fortios\"; expected auto, panos or strongswan") !=
        std::string::npos);
  const auto m = run("ingest " + (dir / "missing.log"));
  CHECK(m.status == 2);
  CHECK(m.err.find("cannot be read") != std::string::npos);
  // A style forced on the other vendor's log: every line unusable, said so.
  const auto f = run("ingest " + source("tests/trace/data/panos-ikemgr-delete-race.log") +
                     " --style strongswan");
  CHECK(f.status == 0);
  CHECK(f.err.find("8 lines: 0 used, 0 skipped (no record kind), 8 unusable") != std::string::npos);
}

TEST_CASE("ingest: a timestamp years away from the log's first line is unusable, not an overflow") {
  // Found by fuzz_ingest: a PAN-OS line dated year 0001 after one dated 2025
  // overflowed SimTime (undefined behaviour) when converted.
  cli_test::TempDir dir;
  const std::string log = dir / "far.log";
  {
    std::ofstream out(log);
    out << "2025-07-06 03:32:18.287 -0400 [INFO]: { 7: }: IKEv2 INFO transmit: gateway gw, "
           "message_id: 0x00000344, type 3 SA state ESTABLISHED\n"
           "0001-07-06 03:32:18.288 -0400 [INFO]: { 7: }: IKEv2 INFO transmit: gateway gw, "
           "message_id: 0x00000345, type 3 SA state ESTABLISHED\n";
  }
  const auto r = run("ingest " + log);
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(r.err.find("1 unusable") != std::string::npos);
}
