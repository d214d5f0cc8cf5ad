// `rekeysim ingest` of Cisco logs of one simulated day (kb-incident, 1 h
// Child SA lifetimes, trial 0): an IOS-XE pair is one tunnel (its debugs name
// only each router's own inbound SPIs, so the pair is tied by its messages)
// and IOS shows no Child SA rekey.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "run_cli.hpp"

using cli_test::run;
using cli_test::source;
using cli_test::TempDir;

namespace {

const std::string kSets =
    " --set peers.a.child.lifetime=1h --set peers.b.child.lifetime=1h --set duration=1d ";

// The value after `key` on its line of `ingest`'s output ("" if absent).
std::string value(const std::string& out, const std::string& key) {
  const auto at = out.find("\n  " + key + " ");
  if (at == std::string::npos) return "";
  const auto from = out.find_first_not_of(' ', at + 3 + key.size());
  return out.substr(from, out.find_first_of(" \n", from) - from);
}

// Each peer's log of `trial` in `style`, in `dir` ("<style>-<trial><peer>.log").
void write_logs(const TempDir& dir, const std::string& style, int trial = 0) {
  for (const char* peer : {"a", "b"}) {
    const auto t = run("trace " + source("scenarios/kb-incident.yaml") + kSets + "--trial " +
                       std::to_string(trial) + " --window 3d --peer " + peer + " --style " + style +
                       " --out " + (dir / (style + "-" + std::to_string(trial) + peer + ".log")));
    REQUIRE(t.status == 0);
  }
}

}  // namespace

TEST_CASE("ingest cisco: an IOS-XE pair of one tunnel aligns at offset 0 by its messages") {
  TempDir dir;
  write_logs(dir, "cisco-ios");
  const auto r = run("ingest " + (dir / "cisco-ios-0a.log") + " " + (dir / "cisco-ios-0b.log"));
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.err.find("do not look like") == std::string::npos);
  // One simulated clock: the offset is 0 within the 1 ms stamps, and its
  // interval holds 0.
  CHECK(r.out.find("alignment: by messages") != std::string::npos);
  const std::string key = "B's clock - A's = ";
  const auto at = r.out.find(key);
  REQUIRE(at != std::string::npos);
  std::size_t used = 0;
  const double offset = std::stod(r.out.substr(at + key.size()), &used);
  CHECK(std::abs(offset) <= 0.001);
  const auto within = r.out.find(" s, within [", at);
  REQUIRE(within != std::string::npos);
  const std::string range = r.out.substr(within + 12);
  const double lo = std::stod(range);
  const double hi = std::stod(range.substr(range.find(", ") + 2));
  CHECK(lo <= 0);
  CHECK(hi >= 0);
  // The payloads are ENCR: no REKEY_SA SPI, no SA install.
  CHECK(r.out.find("\n  child_rekeys   not shown  (") != std::string::npos);
  CHECK(value(r.out, "collisions") == "not");  // "not shown by this log style"
  // The drops each router logs (one line per 5 s, as the ASA's 402114): the
  // outage episodes of the ASA pair of the same trial.
  write_logs(dir, "cisco-asa");
  const auto asa = run("ingest " + (dir / "cisco-asa-0a.log") + " " + (dir / "cisco-asa-0b.log"));
  REQUIRE(asa.status == 0);
  CHECK(value(r.out, "outages") == value(asa.out, "outages"));
  CHECK(!value(r.out, "outages").empty());
}

TEST_CASE("ingest cisco: IOS-XE logs of two different tunnels are still refused") {
  // A of trial 0, B of trial 1: message IDs are small counters and coincide
  // on some messages (108 of 732), too few to be one tunnel; no SPI can tie them.
  TempDir dir;
  write_logs(dir, "cisco-ios", 0);
  write_logs(dir, "cisco-ios", 1);
  const auto r = run("ingest " + (dir / "cisco-ios-0a.log") + " " + (dir / "cisco-ios-1b.log"));
  INFO(r.out << r.err);
  CHECK(r.status == 2);
  CHECK(r.err.find("do not look like the two ends of one tunnel: 108 of 732 messages matched, 0 "
                   "SPIs shared") != std::string::npos);
}

TEST_CASE("ingest cisco: one ASA log of peer B counts its own Child SA installs as rekeys") {
  // It counted peer A's installs only, so B's log alone gave 0 rekeys and
  // no rate ("installed (peer A's log)"). `run` counts 119 rekey episodes
  // in this trial; each log shows its own new inbound SAs, a collision's
  // second SA within 1 s not counted: 122 at A, 121 at B.
  TempDir dir;
  write_logs(dir, "cisco-asa");
  const auto a = run("ingest " + (dir / "cisco-asa-0a.log"));
  const auto b = run("ingest " + (dir / "cisco-asa-0b.log") + " --peer b");
  INFO(a.out << b.out);
  REQUIRE(a.status == 0);
  REQUIRE(b.status == 0);
  CHECK(a.out.find("  child_rekeys   122  (new inbound Child SAs installed)\n") !=
        std::string::npos);
  CHECK(b.out.find("  child_rekeys   121  (new inbound Child SAs installed)\n") !=
        std::string::npos);
}
