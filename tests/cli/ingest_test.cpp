// `rekeysim ingest`: real PAN-OS and strongSwan logs back into trace
// records, style detection, the count of unusable lines, and the round trip
// simulated log -> ingest -> the same records.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
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
  const auto r = run("ingest " + source("tests/data/strongswan-5.9.8/identical-timers-a.log") +
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

TEST_CASE(
    "ingest: the KB's PAN-OS sample is one crossing DELETE with can't-find-SA, 16 ms one way") {
  // tests/data/panos: the published ikemgr.log excerpt, names and the public
  // address replaced. Its SPIs are masked (0xD3XXXD45): read as stand-ins,
  // the same masked text naming the same SA.
  TempDir dir;
  const auto r = run("ingest " + source("tests/data/panos/ikemgr-delete-race.log") + " --out " +
                     (dir / "r.jsonl"));
  REQUIRE(r.status == 0);
  CHECK(r.err.find("style panos (detected), 8 lines: 8 used, 0 skipped (no record kind), 0 "
                   "unusable") != std::string::npos);
  // Our DELETE (line 2, its SPI from the banner on line 4) and the peer's
  // DELETE for the other half of the same SA (line 6) crossed; the SA was
  // already gone (line 8).
  CHECK(r.out.find("collision (crossing_delete)  lines ikemgr-delete-race.log:2, "
                   "ikemgr-delete-race.log:6") != std::string::npos);
  CHECK(r.out.find("cant_find_sa  lines ikemgr-delete-race.log:8") != std::string::npos);
  CHECK(r.out.find("  collisions     1\n") != std::string::npos);
  CHECK(r.out.find("  cant_find_sa   1\n") != std::string::npos);
  // 18.287 -> 18.319: half of 32 ms.
  CHECK(r.out.find("one-way latency (half of request -> response gaps, responder processing "
                   "included): median 16.000 ms") != std::string::npos);
  CHECK(slurp(dir / "r.jsonl").find("\"message_id\":836") != std::string::npos);
}

TEST_CASE(
    "ingest --compare: the KB sample's scenario run beside the log, then recommend's advice") {
  // The README's worked example: the log does not show the lifetimes, the
  // customer's configuration does (8 h on both), given with --set.
  TempDir dir;
  const std::string yaml = dir / "incident.yaml";
  const auto r = run("ingest " + source("tests/data/panos/ikemgr-delete-race.log") +
                     " --profile-b cisco-asa --scenario " + yaml +
                     " --compare --trials 10 --set peers.a.child.lifetime=8h"
                     " --set peers.b.child.lifetime=8h");
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  // The file as written carries no --set: the lifetimes stay profile defaults there.
  CHECK(slurp(yaml).find("profile: cisco-asa   # --profile-b") != std::string::npos);
  CHECK(slurp(yaml).find("lifetime: 8h") == std::string::npos);
  // Observed beside simulated: the log's one collision has no rekey to rate it against.
  const auto cmp = r.out.find("compare (10 trials, 5000 simulated rekey episodes):\n");
  REQUIRE(cmp != std::string::npos);
  CHECK(r.out.find("  collisions: simulated ", cmp) != std::string::npos);
  CHECK(r.out.find("; observed 1 (the logs show no rekey to count them against: no rate)", cmp) !=
        std::string::npos);
  CHECK(r.out.find("  cant_find_sa: simulated ", cmp) != std::string::npos);
  CHECK(r.out.find("  outages: simulated ", cmp) != std::string::npos);
  // Then the advice itself, no longer a command line to run: identical
  // lifetimes with 16 ms one way collide, so a stagger is set, on the ASA in
  // its own setting and unit (seconds).
  CHECK(r.out.find("next: rekeysim recommend") == std::string::npos);
  const auto rec =
      r.out.find("recommend (the advice of `rekeysim recommend " + yaml + " --set ...`", cmp);
  REQUIRE(rec != std::string::npos);
  const auto line = r.out.find("\nrecommendation: set ", rec);
  REQUIRE(line != std::string::npos);
  const std::string text = r.out.substr(line + 1, r.out.find('\n', line + 1) - line - 1);
  // Whichever box the stagger lands on, the value is in that box's unit:
  // whole seconds on the ASA, whole minutes on the PAN-OS crypto profile.
  const std::regex asa(R"(recommendation: set B's \(cisco-asa\) Phase 2 lifetime \(crypto ipsec )"
                       R"(security-association lifetime seconds\) to [0-9,]+ s \([0-9a-z ]+\))");
  const std::regex panos(
      R"(recommendation: set A's \(panos\) Phase 2 lifetime \(Network > IPSec Crypto )"
      R"(profile > Lifetime\) to [0-9,]+ min \([0-9a-z ]+\))");
  CHECK((std::regex_match(text, asa) || std::regex_match(text, panos)));
  CHECK(r.out.find("  expected harm ", line) != std::string::npos);
  CHECK(r.out.find("  now (keep the current lifetimes): harm ", line) != std::string::npos);
}

TEST_CASE("ingest --compare: a bad --set is exit 2 naming the key, and no scenario is written") {
  TempDir dir;
  const std::string yaml = dir / "incident.yaml";
  const std::string log = source("tests/data/panos/ikemgr-delete-race.log");
  const auto r =
      run("ingest " + log + " --scenario " + yaml + " --compare --set peers.a.child.lifetim=8h");
  CHECK(r.status == 2);
  CHECK(r.err.find("unknown key path \"peers.a.child.lifetim\"") != std::string::npos);
  CHECK_FALSE(std::ifstream(yaml).good());
  const auto no_compare = run("ingest " + log + " --scenario " + yaml + " --set x=1");
  CHECK(no_compare.status == 2);
  CHECK(no_compare.err.find("--set: only changes the --compare run") != std::string::npos);
}

TEST_CASE(
    "ingest: both strongSwan identical-timers logs give the manual count, 4 collisions in 21") {
  // The manual count: tests/cli/strongswan_lab_test.cpp (requests minus
  // collisions = 21 rekeyed SAs; each daemon logs each collision once).
  TempDir dir;
  const std::string d = source("tests/data/strongswan-5.9.8/");
  const auto r = run("ingest " + d + "identical-timers-a.log " + d + "identical-timers-b.log" +
                     " --scenario " + (dir / "lab.yaml") + " --compare --trials 10");
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("vendor strongSwan 5.9.8 (line 1)") != std::string::npos);
  // Same host, same clock: the offset is 0 within the 1 ms timestamps.
  CHECK(r.out.find("B's clock - A's = +0.000000 s, within [-0.001000, +0.001000] s") !=
        std::string::npos);
  CHECK(r.out.find("  child_rekeys   21  (distinct Child SAs named by REKEY_SA requests)") !=
        std::string::npos);
  CHECK(r.out.find("  collisions     4  rate 0.190/rekey, Wilson 95% [0.077, 0.400]") !=
        std::string::npos);
  std::size_t n = 0;
  for (auto p = r.out.find("collision (simultaneous_child_rekey)"); p != std::string::npos;
       p = r.out.find("collision (simultaneous_child_rekey)", p + 1))
    ++n;
  CHECK(n == 4);
  CHECK(r.out.find("who initiates Child SA rekeys: A 11, B 14 requests") != std::string::npos);
  CHECK(
      r.out.find("Child SA rekey interval (= lifetime - margin - random part): median 20.002 s") !=
      std::string::npos);
  // The scenario it wrote reproduces the collision rate within the logs' interval.
  const std::string yaml = slurp(dir / "lab.yaml");
  CHECK(yaml.find("profile: strongswan-5.9") != std::string::npos);
  CHECK(yaml.find("behaviour: {child_pfs: true}   # 11 of 11 rekey requests carry KE") !=
        std::string::npos);
  CHECK(r.out.find("collisions: simulated") != std::string::npos);
  CHECK(r.out.find("observed 4 in 21 rekeys = 0.19 [0.0767, 0.4] -> simulated rate inside the "
                   "observed interval") != std::string::npos);
}

TEST_CASE("ingest: the staggered strongSwan logs, no collision in 20 rekeys, A always initiates") {
  const std::string d = source("tests/data/strongswan-5.9.8/");
  const auto r = run("ingest " + d + "staggered-3s-a.log " + d + "staggered-3s-b.log");
  REQUIRE(r.status == 0);
  CHECK(r.out.find("  child_rekeys   20  ") != std::string::npos);
  CHECK(r.out.find("  collisions     0  ") != std::string::npos);
  CHECK(r.out.find("who initiates Child SA rekeys: A 20, B 0 requests") != std::string::npos);
}

TEST_CASE("ingest: unusable lines are counted and listed with their line numbers by --verbose") {
  TempDir dir;
  {
    std::ofstream out(dir / "mixed.log");
    out << "2025-07-06 03:32:18.287 -0400 [INFO]: { 7: }: IKEv2 INFO transmit: gateway gw, "
           "message_id: 0x00000344, type 3 SA state ESTABLISHED\n";
    for (int i = 0; i < 7; ++i) out << "garbage " << i << "\n";
  }
  const auto quiet = run("ingest " + (dir / "mixed.log"));
  CHECK(quiet.status == 0);
  CHECK(quiet.err.find("8 lines: 1 used, 0 skipped (no record kind), 7 unusable") !=
        std::string::npos);
  CHECK(quiet.err.find("mixed.log:6: unusable: garbage 4") != std::string::npos);
  CHECK(quiet.err.find("mixed.log:7:") == std::string::npos);
  CHECK(quiet.err.find("2 more unusable lines (--verbose lists them)") != std::string::npos);
  const auto verbose = run("ingest " + (dir / "mixed.log") + " --verbose");
  CHECK(verbose.err.find("mixed.log:8: unusable: garbage 6") != std::string::npos);
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
                   "strongswan, cisco-asa, libreswan, cisco-ios, juniper-srx)") !=
        std::string::npos);
  const auto s = run("ingest " + (dir / "x.log") + " --style fortios");
  CHECK(s.status == 2);
  CHECK(s.err.find("--style: unknown style \"fortios\"; expected auto, panos, strongswan, "
                   "strongswan-6, cisco-asa, libreswan, cisco-ios or juniper-srx") !=
        std::string::npos);
  const auto m = run("ingest " + (dir / "missing.log"));
  CHECK(m.status == 2);
  CHECK(m.err.starts_with((dir / "missing.log") +
                          ": error: cannot be read (No such file or directory); expected a "
                          "readable log file"));
  // A style forced on the other vendor's log: every line unusable, said so,
  // and exit 2 (no report built on nothing).
  const auto f =
      run("ingest " + source("tests/data/panos/ikemgr-delete-race.log") + " --style strongswan");
  CHECK(f.status == 2);
  CHECK(f.out.empty());
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

TEST_CASE("ingest: numbers too long for their field are not read, and do not crash") {
  // Message IDs and state serials of 30 digits: the readers bound the digits
  // they convert (std::stoul would throw out_of_range).
  TempDir dir;
  const std::string digits(30, '9');
  const std::pair<const char*, std::string> logs[] = {
      {"strongswan", "Jul  6 00:51:00.064 01[ENC] <conn|1> generating CREATE_CHILD_SA request " +
                         digits + " [ N(REKEY_SA) SA No KE TSi TSr ]\n"},
      {"cisco-ios",
       "Jul  6 00:51:00.064: IKEv2:(SESSION ID = 1,SA ID = 1):Received Packet [From "
       "198.51.100.2:4500/To 192.0.2.1:4500/VRF i0:f0]\nInitiator SPI : "
       "76A243FE7713F610 - Responder SPI : 895DBC0188EC09EF Message id: " +
           digits + "\n"},
      {"cisco-asa",
       "Jul 06 00:51:00 IKEv2-PROTO-4: (60): Received Packet [From "
       "198.51.100.2:4500/To 192.0.2.1:4500/VRF i0:f0]\n(60): Initiator SPI : "
       "76A243FE7713F610 - Responder SPI : 895DBC0188EC09EF Message id: " +
           digits + "\n"},
      {"libreswan", "Jul  6 00:51:00.064000: \"conn\" #" + digits +
                        ": initiating rekey to replace Child SA #" + digits + "\n"},
  };
  for (const auto& [style, text] : logs) {
    INFO(style);
    std::ofstream(dir / "long.log") << text;
    const auto r = run("ingest " + (dir / "long.log") + " --style " + style);
    CHECK(r.status == 0);
  }
}

TEST_CASE("ingest --scenario: every style's written scenario names a real profile and loads") {
  // strongSwan 6.x logs wrote `profile: strongswan-6`, a log style but no
  // profile, so the scenario was refused and --compare always exited 2.
  // The version comes from the collision wording, so the trial has collisions
  // (the KB incident at 1 h lifetimes).
  TempDir dir;
  const std::vector<std::pair<std::string, std::string>> styles = {{"panos", "panos"},
                                                                   {"strongswan", "strongswan-5.9"},
                                                                   {"strongswan-6", "strongswan"},
                                                                   {"cisco-asa", "cisco-asa"},
                                                                   {"libreswan", "libreswan"},
                                                                   {"cisco-ios", "cisco-ios"},
                                                                   {"juniper-srx", "juniper-srx"}};
  for (const auto& [style, profile] : styles) {
    INFO("style " << style);
    const std::string log = dir / (style + ".log");
    const std::string scn = dir / (style + ".yaml");
    REQUIRE(run("trace " + source("scenarios/kb-incident.yaml") +
                " --set peers.a.child.lifetime=1h --set peers.b.child.lifetime=1h"
                " --set duration=1d --trial 0 --window 3d --peer a --style " +
                style + " --out " + log)
                .status == 0);
    const auto r = run("ingest " + log + " --scenario " + scn);
    INFO(r.err);
    REQUIRE(r.status == 0);
    const std::string text = slurp(scn);
    CHECK(text.find("profile: " + profile) != std::string::npos);
    const auto v = run("validate " + scn);
    INFO(v.err);
    CHECK(v.status == 0);
  }
}

TEST_CASE("ingest: --style-b with one log is a usage error") {
  const auto r =
      run("ingest " + source("tests/data/panos/ikemgr-delete-race.log") + " --style-b panos");
  CHECK(r.status == 2);
  CHECK(r.err.find("--style-b: names the second log's style, and one log was given") !=
        std::string::npos);
  CHECK(r.out.empty());
}

TEST_CASE("inputs are never outputs: a log or scenario named as an output is refused, unchanged") {
  // `ingest x.log --scenario x.log` replaced the customer's only log, and
  // `trace k.yaml --out k.yaml` the scenario, with exit 0.
  TempDir dir;
  const std::string log = dir / "x.log";
  const std::string yaml = dir / "k.yaml";
  {
    std::ofstream(log) << slurp(source("tests/data/panos/ikemgr-delete-race.log"));
    std::ofstream(yaml) << slurp(source("tests/cli/trace-scenarios/normal-rekey.yaml"));
  }
  const std::string log_before = slurp(log);
  const std::string yaml_before = slurp(yaml);
  const auto i = run("ingest " + log + " --scenario " + log);
  CHECK(i.status == 2);
  CHECK(i.err.find("--scenario: cannot write " + log + ": the same file as the log " + log +
                   ", which it reads") != std::string::npos);
  CHECK(run("ingest " + log + " --out " + log).status == 2);
  for (const std::string& cmd :
       {"trace " + yaml + " --first rekey --out " + yaml,
        "trace " + yaml + " --first rekey --pcap " + yaml, "run " + yaml + " -q --out " + yaml}) {
    INFO(cmd);
    const auto r = run(cmd);
    CHECK(r.status == 2);
    CHECK(r.err.find("the same file as the scenario, which it reads") != std::string::npos);
  }
  CHECK(slurp(log) == log_before);
  CHECK(slurp(yaml) == yaml_before);
}

TEST_CASE("inputs are never outputs: report, audit and test refuse to write over what they read") {
  // The same data loss as above, in the commands that did not register their
  // inputs: `report k.yaml --out k.yaml`, `audit inv.csv --out inv.csv`,
  // `test case.yaml --junit case.yaml` replaced the file they had just read.
  TempDir dir;
  const std::string yaml = dir / "k.yaml";
  const std::string inv = dir / "inv.csv";
  std::filesystem::create_directory(dir / "cases");  // holds only the case
  const std::string kase = dir / "cases/case.yaml";
  std::ofstream(yaml) << slurp(source("tests/cli/trace-scenarios/normal-rekey.yaml"));
  std::ofstream(inv) << slurp(source("scenarios/fleet-inventory.csv"));
  std::ofstream(kase) << slurp(source("scenarios/cases/collision/cc-11-n1-rfc.yaml"));
  const std::string yaml_before = slurp(yaml);
  const std::string inv_before = slurp(inv);
  const std::string kase_before = slurp(kase);
  const struct {
    std::string cmd, message;
  } cases[] = {
      {"report " + yaml + " --out " + yaml,
       "--out: cannot write " + yaml + ": the same file as the scenario, which it reads"},
      {"audit " + inv + " --trials 10 --out " + inv,
       "--out: cannot write " + inv + ": the same file as the inventory, which it reads"},
      {"audit " + inv + " --trials 10 --html " + inv,
       "--html: cannot write " + inv + ": the same file as the inventory, which it reads"},
      {"test " + kase + " --junit " + kase, "--junit: cannot write " + kase +
                                                ": the same file as the case " + kase +
                                                ", which it reads"},
      {"test " + (dir / "cases") + " --junit " + kase, "the same file as the case "},
  };
  for (const auto& c : cases) {
    INFO(c.cmd);
    const auto r = run(c.cmd);
    CHECK(r.status == 2);
    CHECK(r.err.find(c.message) != std::string::npos);
  }
  CHECK(slurp(yaml) == yaml_before);
  CHECK(slurp(inv) == inv_before);
  CHECK(slurp(kase) == kase_before);
}

TEST_CASE(
    "ingest: one-log options are refused with two logs, and --profile-b must name a profile") {
  const std::string kb = source("tests/data/panos/ikemgr-delete-race.log");
  TempDir dir;
  const std::string b = dir / "b.log";
  std::ofstream(b) << slurp(kb);
  const auto peer = run("ingest " + kb + " " + b + " --peer b");
  CHECK(peer.status == 2);
  CHECK(peer.err.find("--peer: says which peer one log is") != std::string::npos);
  const auto pb = run("ingest " + kb + " " + b + " --profile-b panos");
  CHECK(pb.status == 2);
  CHECK(pb.err.find("--profile-b: names the peer whose log is missing") != std::string::npos);
  // strongswan-6 is a log style, not a profile: the scenario would not load.
  const auto bad = run("ingest " + kb + " --profile-b strongswan-6 --scenario " + (dir / "s.yaml"));
  CHECK(bad.status == 2);
  CHECK(bad.err.find("--profile-b: unknown profile \"strongswan-6\"; expected a built-in "
                     "profile (rfc7296, strongswan,") != std::string::npos);
  CHECK(!std::filesystem::exists(dir / "s.yaml"));
  CHECK(run("ingest " + kb + " --profile-b cisco-asa").status == 0);
}

TEST_CASE(
    "ingest: rotated files joined out of order are named, with the line where time goes back") {
  // A tester joined a long PAN-OS log's two halves newest first: ingest
  // counted 25 collisions where the log in order gives 46, with no word.
  TempDir dir;
  const std::string whole = dir / "a.log";
  const auto t = run("trace " + source("scenarios/kb-incident.yaml") +
                     " --set duration=1d --set peers.a.child.lifetime=1h --set "
                     "peers.a.child.margin=6m --set peers.b.child.lifetime=1h --set "
                     "peers.b.child.margin=6m --trial 0 --window 2d --peer a --style panos --out " +
                     whole);
  REQUIRE(t.status == 0);
  std::vector<std::string> lines;
  {
    std::istringstream in(slurp(whole));
    for (std::string l; std::getline(in, l);) lines.push_back(l);
  }
  REQUIRE(lines.size() > 100);
  const std::size_t half = lines.size() / 2;
  const std::string wrong = dir / "wrong.log";
  {
    std::ofstream out(wrong);
    for (std::size_t i = half; i < lines.size(); ++i) out << lines[i] << "\n";
    for (std::size_t i = 0; i < half; ++i) out << lines[i] << "\n";
  }
  const auto ok = run("ingest " + whole);
  CHECK(ok.status == 0);
  CHECK(ok.err.find("gone back") == std::string::npos);
  const auto r = run("ingest " + wrong);
  CHECK(r.status == 0);  // still read: the warning says what to do
  // The first line of the older half, now at line (lines - half + 1).
  CHECK(r.err.find(wrong + ":" + std::to_string(lines.size() - half + 1) +
                   ": warning: the log's time has gone back ") != std::string::npos);
  CHECK(r.err.find(" by this line, the first record stamped before an earlier one (") !=
        std::string::npos);
  CHECK(r.err.find("rotated files joined out of order? Join them oldest first") !=
        std::string::npos);
}

TEST_CASE("ingest: no real log in tests/data reads as going back in time") {
  // Daemon threads log a few milliseconds out of order; that is not a
  // rotated file joined wrongly (kBackwardsTolerance = 1 s).
  std::size_t n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(source("tests/data"))) {
    const std::string p = e.path().string();
    if (!e.is_regular_file() || !(p.ends_with(".log") || p.ends_with(".txt"))) continue;
    if (p.find("README") != std::string::npos) continue;
    INFO(p);
    const auto r = run("ingest " + p);
    CHECK(r.err.find("gone back") == std::string::npos);
    ++n;
  }
  CHECK(n >= 10);
}

TEST_CASE("ingest: a Cisco log's outages are drop bursts, said on screen and given no verdict") {
  // ASA and IOS logs show dropped ESP, not SA state: a burst also comes from
  // packets in flight at a switch, and an outage with nothing sent shows no
  // drop. `--compare` judged them against `run`'s outages as if the same.
  TempDir dir;
  const std::string log = dir / "b.log";
  const auto t = run("trace " + source("scenarios/kb-incident.yaml") +
                     " --set duration=1d --set peers.a.child.lifetime=1h --set "
                     "peers.b.child.lifetime=1h --set peers.a.child.margin=6m --set "
                     "peers.b.child.margin=6m --trial 0 --window 2d --peer b --style cisco-asa "
                     "--out " +
                     log);
  REQUIRE(t.status == 0);
  const auto r =
      run("ingest " + log + " --peer b --scenario " + (dir / "s.yaml") + " --compare --trials 5");
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("  outages        3  (bursts of dropped ESP: packets in flight at a switch "
                   "count too, an outage with nothing sent does not; `run` counts outages from "
                   "SA state)\n") != std::string::npos);
  const auto cmp = r.out.find("  outages: simulated ");
  REQUIRE(cmp != std::string::npos);
  const std::string line = r.out.substr(cmp, r.out.find('\n', cmp) - cmp);
  CHECK(line.find("observed 3 in 27 rekeys") != std::string::npos);
  CHECK(
      line.ends_with("drop bursts, not the same measure as the simulated outages (packets in "
                     "flight at a switch drop too; an outage with nothing sent shows no drop) "
                     "-> no verdict"));
  CHECK(line.find("OUTSIDE") == std::string::npos);
}

TEST_CASE("inputs are never outputs: profile files and a log on standard input are kept") {
  // A fresh-clone tester: `run s.yaml --out prof.yaml` (s.yaml naming
  // `profile: prof.yaml`), and the same with recommend, report, trace, audit,
  // test, explore and `ingest --profile-b prof.yaml`, replaced the profile
  // with exit 0; `ingest - --scenario i.log < i.log` the log on stdin.
  TempDir dir;
  const std::string prof = dir / "prof.yaml";
  const std::string scn = dir / "s.yaml";
  const std::string inv = dir / "inv.csv";
  const std::string log = dir / "i.log";
  std::ofstream(prof) << "base: panos\nchild: {lifetime: 2h, margin: 10m}\n";
  std::ofstream(scn) << "name: s\nseed: 1\nduration: 1d\ntrials: 2\npeers:\n  a: {profile: "
                        "prof.yaml}\n  b: {profile: rfc7296}\n";
  std::ofstream(inv) << "name,a_profile,b_profile\nt1," << prof << ",rfc7296\n";
  std::filesystem::create_directory(dir / "cases");
  {
    std::string kase = slurp(source("scenarios/cases/collision/cc-11-n1-rfc.yaml"));
    const auto at = kase.find("profile: rfc7296");
    REQUIRE(at != std::string::npos);
    kase.replace(at, 16, "profile: ../prof.yaml");
    std::ofstream(dir / "cases/c.yaml") << kase;
  }
  std::ofstream(log) << slurp(source("tests/data/panos/ikemgr-delete-race.log"));
  const std::string prof_before = slurp(prof);
  const std::string log_before = slurp(log);
  const std::string cmds[] = {
      "run " + scn + " -q --out " + prof,
      "recommend " + scn + " -q --out " + prof,
      "report " + scn + " --out " + prof,
      "trace " + scn + " --first rekey --svg " + prof,
      "explore " + scn + " --out-dir " + dir.path.string(),
      "audit " + inv + " --trials 2 --out " + prof,
      "test " + (dir / "cases") + " --junit " + prof,
      "ingest " + log + " --profile-b " + prof + " --scenario " + prof,
      // A re-check found this one: the --compare run's profile, given by --set.
      "ingest " + log + " --compare --set peers.b.profile=" + prof + " --scenario " + prof,
      "ingest " + log + " --compare --set peers.b.profile=" + prof + " --scenario " +
          (dir / "s2.yaml") + " --out " + prof,
  };
  for (const auto& cmd : cmds) {
    INFO(cmd);
    const auto r = run(cmd);
    if (cmd.starts_with("explore")) {
      // Nothing it writes is named prof.yaml: it must not fail for that.
      CHECK(r.err.find("the same file as the profile") == std::string::npos);
      continue;
    }
    CHECK(r.status == 2);
    CHECK(r.err.find("the same file as the profile ") != std::string::npos);
  }
  CHECK(slurp(prof) == prof_before);
  // run() reads /dev/null on stdin: redirect the log in by hand.
  const std::string err = dir / "stdin.err";
  const int raw = std::system((std::string(REKEYSIM_BIN) + " ingest - --scenario " + log + " < " +
                               log + " > /dev/null 2> " + err)
                                  .c_str());
  CHECK(WIFEXITED(raw));
  CHECK(WEXITSTATUS(raw) == 2);
  CHECK(slurp(err).find("the same file as the log on standard input, which it reads") !=
        std::string::npos);
  CHECK(slurp(log) == log_before);
}

TEST_CASE("ingest: a dateless log joined newest first is named where its time of day goes back") {
  // charon.log lines carry no date, so an earlier time of day reads as the
  // next day: the tester's strongSwan log split at line 370 and joined newest
  // first read as a 24 h log with 5 collisions (4 in the log) and no word.
  const std::string real = source("tests/data/strongswan-5.9.8/identical-timers-a.log");
  std::vector<std::string> lines;
  {
    std::istringstream in(slurp(real));
    for (std::string l; std::getline(in, l);) lines.push_back(l);
  }
  REQUIRE(lines.size() > 400);
  TempDir dir;
  const std::string joined = dir / "rot.log";
  {
    std::ofstream out(joined);
    for (std::size_t i = 370; i < lines.size(); ++i) out << lines[i] << "\n";
    for (std::size_t i = 0; i < 370; ++i) out << lines[i] << "\n";
  }
  const auto ok = run("ingest " + real);
  CHECK(ok.err.find("time of day has gone back") == std::string::npos);
  const auto r = run("ingest " + joined);
  INFO(r.err);
  CHECK(r.status == 0);
  // Line 1 of the older half is line (size - 370 + 1) of the joined file;
  // the log's 7 minutes mean almost 24 h of silence if read as the next day.
  CHECK(r.err.find(joined + ":" + std::to_string(lines.size() - 370 + 1) +
                   ": warning: the time of day has gone back by this line, the first record "
                   "after the jump; with no date on the lines it "
                   "reads as the next day, after 23h") != std::string::npos);
}
