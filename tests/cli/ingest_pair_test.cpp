// `rekeysim ingest A B`: two logs are merged only when they look like the
// two ends of one tunnel (ingest::not_one_tunnel): the same file twice, logs
// of two different tunnels, and logs that share nothing are exit 2 with the
// counts that decided it, unless --force-pair; zones are taken out of the
// offset; and one log alone counts the same rekeys as the pair.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "run_cli.hpp"
#include "tools/ingest/align.hpp"

using cli_test::run;
using cli_test::source;
using cli_test::TempDir;

namespace {
const std::string kLab = "tests/data/strongswan-5.9.8/";

// align() over two files, as `ingest A B` runs it.
rekeysim::ingest::Alignment align_files(const std::string& a, const std::string& b) {
  rekeysim::ingest::AlignKeys keys[2];
  const std::string* path[2] = {&a, &b};
  for (int i = 0; i < 2; ++i) {
    rekeysim::ingest::IngestOptions o;
    o.peer = i == 0 ? models::PeerId::kA : models::PeerId::kB;
    o.on_record = [&keys, i](const models::TraceRecord& r, std::uint64_t) { keys[i].add(r); };
    std::ifstream in(source(*path[i]), std::ios::binary);
    keys[i].finish(rekeysim::ingest::ingest(in, o));
  }
  return rekeysim::ingest::align(keys[0], keys[1]);
}
}  // namespace

TEST_CASE("ingest pair: what the lab's true and crossed pairs have in common") {
  // True pair: every SA's SPIs are in both logs, most messages match.
  const auto t = align_files(kLab + "identical-timers-a.log", kLab + "identical-timers-b.log");
  CHECK(t.spis_shared > 20);
  CHECK(t.spis_shared == t.spis_named[0]);
  CHECK(5 * t.messages_matched >= std::min(t.messages_shown[0], t.messages_shown[1]));
  CHECK(rekeysim::ingest::not_one_tunnel(t).empty());
  // Two runs crossed: a handful of message IDs coincide, no SPI does.
  const auto x = align_files(kLab + "identical-timers-a.log", kLab + "staggered-3s-b.log");
  CHECK(x.method == rekeysim::ingest::Alignment::Method::kMessages);
  CHECK(x.spis_shared == 0);
  CHECK(x.spis_named[0] > 0);
  CHECK(x.spis_named[1] > 0);
  CHECK(rekeysim::ingest::not_one_tunnel(x) == "4 of 86 messages matched, 0 SPIs shared");
}

TEST_CASE("ingest pair: the same file given twice is exit 2") {
  const std::string a = source(kLab + "identical-timers-a.log");
  const auto r = run("ingest " + a + " " + a);
  CHECK(r.status == 2);
  CHECK(r.err.find("is the same file as") != std::string::npos);
  // By another name (a symbolic link): still the same file.
  TempDir dir;
  std::filesystem::create_symlink(a, dir / "other-name.log");
  const auto l = run("ingest " + a + " " + (dir / "other-name.log"));
  CHECK(l.status == 2);
  CHECK(l.err.find("is the same file as") != std::string::npos);
}

TEST_CASE("ingest pair: logs of two different strongSwan tunnels are refused, not merged") {
  // identical-timers A and staggered-3s B are two lab runs: their message IDs
  // coincide on a few messages (offset +320 s) but no SPI is shared.
  const auto r = run("ingest " + source(kLab + "identical-timers-a.log") + " " +
                     source(kLab + "staggered-3s-b.log"));
  INFO(r.out << r.err);
  CHECK(r.status == 2);
  CHECK(r.out.find("collisions") == std::string::npos);
  CHECK(r.err.find("these two logs do not look like the two ends of one tunnel: ") !=
        std::string::npos);
  CHECK(r.err.find(" 0 SPIs shared") != std::string::npos);
  CHECK(r.err.find("ingest each log alone") != std::string::npos);
  // --force-pair merges them anyway, with a warning.
  const auto f = run("ingest " + source(kLab + "identical-timers-a.log") + " " +
                     source(kLab + "staggered-3s-b.log") + " --force-pair");
  CHECK(f.status == 0);
  CHECK(f.err.find("merged anyway (--force-pair)") != std::string::npos);
}

TEST_CASE("ingest pair: a PAN-OS log and a strongSwan log sharing nothing are refused") {
  const auto r = run("ingest " + source("tests/data/panos/ikemgr-delete-race.log") + " " +
                     source(kLab + "staggered-3s-b.log"));
  INFO(r.out << r.err);
  CHECK(r.status == 2);
  CHECK(r.err.find("these two logs do not look like the two ends of one tunnel: 0 of ") !=
        std::string::npos);
  CHECK(r.err.find("messages matched, 0 SPIs shared") != std::string::npos);
}

TEST_CASE("ingest pair: the lab's true pairs are still merged") {
  for (const char* run_name : {"identical-timers", "staggered-3s"}) {
    const auto r = run("ingest " + source(kLab + run_name + "-a.log") + " " +
                       source(kLab + run_name + "-b.log"));
    INFO(run_name << "\n" << r.err);
    CHECK(r.status == 0);
    CHECK(r.err.find("do not look like") == std::string::npos);
  }
}

TEST_CASE("ingest pair: two PAN-OS logs stamped in different zones align on their clocks alone") {
  // One simulated tunnel (one clock), each peer's PAN-OS log written in its
  // own zone: the same instant is 03:32 -0400 at A and 09:32 +0200 at B (and
  // 03:32 -0400 at B for the control). The offset reported must be the
  // clocks' difference, as with both logs in one zone, not the zones' 6 h.
  TempDir dir;
  const std::string scn = source("scenarios/kb-incident.yaml");
  const std::string common = " --first cant_find_sa --window 10s --style panos ";
  auto trace = [&](const std::string& peer, const std::string& zone, const std::string& start,
                   const std::string& out) {
    const auto t = run("trace " + scn + common + "--peer " + peer + " --utc-offset " + zone +
                       " --start '" + start + "' --out " + (dir / out));
    REQUIRE(t.status == 0);
  };
  trace("a", "-0400", "2025-07-06 03:32:00", "a.log");
  trace("b", "+0200", "2025-07-06 09:32:00", "b-east.log");
  trace("b", "-0400", "2025-07-06 03:32:00", "b-same.log");
  REQUIRE(cli_test::slurp(dir / "b-east.log").find(" +0200 [INFO]") != std::string::npos);
  const auto east = run("ingest " + (dir / "a.log") + " " + (dir / "b-east.log"));
  const auto same = run("ingest " + (dir / "a.log") + " " + (dir / "b-same.log"));
  INFO(east.out << east.err);
  REQUIRE(east.status == 0);
  REQUIRE(same.status == 0);
  auto alignment = [](const std::string& out) {
    const auto at = out.find("alignment:");
    return at == std::string::npos ? std::string() : out.substr(at, out.find('\n', at) - at);
  };
  CHECK(alignment(east.out).find("B's clock - A's = +0.0") != std::string::npos);
  CHECK(!alignment(east.out).empty());
  CHECK(alignment(east.out) == alignment(same.out));
  // The timelines agree too (B's records land at the same times on A's clock).
  // Evidence lines name B's file: the two differ only in its name.
  std::string east_tl = east.out.substr(east.out.find("timeline"));
  for (std::size_t at; (at = east_tl.find("b-east.log")) != std::string::npos;)
    east_tl.replace(at, 10, "b-same.log");
  CHECK(east_tl == same.out.substr(same.out.find("timeline")));
}

TEST_CASE(
    "ingest pair: one strongSwan log alone counts the rekeys its peer initiated, as the pair") {
  // identical-timers A sent 11 REKEY_SA requests and parsed 14 of B's; 4
  // pairs crossed, so 21 SAs were rekeyed, one every 20 s (the lab's timer).
  // Counting A's own requests only gave 11 rekeys, rate 0.364 and a 40 s
  // interval (the peers took turns: A's requests were two SAs apart).
  const auto pair = run("ingest " + source(kLab + "identical-timers-a.log") + " " +
                        source(kLab + "identical-timers-b.log"));
  for (const char* peer : {"a", "b"}) {
    const auto r = run("ingest " + source(kLab + "identical-timers-" + peer + ".log"));
    INFO(peer << "\n" << r.out);
    REQUIRE(r.status == 0);
    CHECK(r.out.find("  child_rekeys   21  (distinct Child SAs named by REKEY_SA requests)") !=
          std::string::npos);
    CHECK(r.out.find("  collisions     4  rate 0.190/rekey, Wilson 95% [0.077, 0.400]") !=
          std::string::npos);
    CHECK(r.out.find("rekey interval (= lifetime - margin - random part): median 20.002 s") !=
          std::string::npos);
    CHECK(r.out.find(", n=20; lines") != std::string::npos);
    // The log's device is read as peer A: B's requests are those it received.
    CHECK(r.out.find(std::string("who initiates Child SA rekeys: A ") +
                     (peer == std::string("a") ? "11, B 14" : "14, B 11") + " requests") !=
          std::string::npos);
  }
  // The pair's own count is unchanged: 4 in 21.
  CHECK(pair.out.find("  child_rekeys   21  ") != std::string::npos);
  CHECK(pair.out.find("  collisions     4  rate 0.190/rekey") != std::string::npos);
  CHECK(pair.out.find("who initiates Child SA rekeys: A 11, B 14 requests") != std::string::npos);
}
