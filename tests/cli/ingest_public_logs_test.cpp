// Real logs from public bug threads (tests/data/public, README there names
// each source): the timeline `rekeysim ingest` reads from each, line by line.
#include <catch2/catch.hpp>

#include <string>

#include "run_cli.hpp"

using cli_test::run;
using cli_test::source;

namespace {

bool has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("ingest public log: strongSwan 5.9.6 (journald) rekeying against a Cisco ASA") {
  const auto r = run("ingest " + source("tests/data/public/strongswan-5.9.6-vs-asa-rekey.log"));
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  // The two halves of lines the paste wrapped are not charon lines: counted
  // and named with their line numbers.
  CHECK(has(r.err,
            "style strongswan (detected), 13 lines: 4 used, 7 skipped (no record kind), 2 "
            "unusable; 3 records"));
  CHECK(has(r.err, "strongswan-5.9.6-vs-asa-rekey.log:8: unusable: y for reqid 1 exists"));
  CHECK(has(r.err, "strongswan-5.9.6-vs-asa-rekey.log:10: unusable: cy for reqid 1 exists"));
  // One rekey, requested by strongSwan with PFS (line 2), answered (line 5):
  // no collision, no can't-find-SA.
  CHECK(has(r.out, "  no episode\n"));
  CHECK(has(r.out, "  child_rekeys   1  (distinct Child SAs named by REKEY_SA requests)"));
  CHECK(has(r.out, "  collisions     0  "));
  CHECK(has(r.out,
            "who initiates Child SA rekeys: A 1, B 0 requests; lines "
            "strongswan-5.9.6-vs-asa-rekey.log:2"));
  CHECK(has(r.out, "PFS on Child SA rekeys (KE in the request): A 1 of 1"));
  // Syslog stamps have whole seconds: no latency is claimed from them.
  CHECK(has(r.out, "timestamps have whole seconds only"));
}

TEST_CASE("ingest public log: libreswan 4 test log, two Child SA rekeys 1.356 s apart") {
  const auto r = run("ingest " + source("tests/data/public/libreswan-4-rekey.log"));
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(has(r.err,
            "style libreswan (detected), 12 lines: 8 used, 4 skipped (no record kind), 0 "
            "unusable"));
  CHECK(has(r.out, "  no episode\n"));
  CHECK(has(r.out, "  child_rekeys   2  (distinct Child SAs named by REKEY_SA requests)"));
  CHECK(has(r.out, "  cant_find_sa   0  "));
  CHECK(has(r.out, "  collisions     not shown by this log style"));
  // #3 replaces #2 (requested line 7), #4 replaces #3 (line 12): 1.356 s.
  CHECK(has(r.out,
            "Child SA rekey interval (= lifetime - margin - random part): median 1.356 s "
            "(one value: no interval), n=1; lines libreswan-4-rekey.log:12"));
  CHECK(has(r.out,
            "who initiates Child SA rekeys: A 2, B 0 requests; lines "
            "libreswan-4-rekey.log:7, libreswan-4-rekey.log:12"));
}

TEST_CASE("ingest public log: libreswan 4.7 via syslog, Child SAs and an IKE SA established") {
  cli_test::TempDir dir;
  const auto r = run("ingest " + source("tests/data/public/libreswan-4.7-child-sas.log") +
                     " --out " + (dir / "r.jsonl"));
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(has(r.err,
            "style libreswan (detected), 6 lines: 3 used, 3 skipped (no record kind), 0 "
            "unusable; 5 records"));
  const std::string jsonl = cli_test::slurp(dir / "r.jsonl");
  // Two Child SAs with their SPIs (inbound <0x.., outbound =>0x..) and the IKE SA up.
  CHECK(has(
      jsonl,
      "\"kind\":\"child_sa_installed\",\"sa_kind\":\"child\",\"spi_in\":\"0xf4fab030\",\"spi_out\":"
      "\"0xf03f8e61\""));
  CHECK(has(
      jsonl,
      "\"kind\":\"child_sa_installed\",\"sa_kind\":\"child\",\"spi_in\":\"0x60ae7066\",\"spi_out\":"
      "\"0x4a1c0123\""));
  CHECK(has(jsonl, "\"kind\":\"tunnel_up\""));
  CHECK(has(r.out, "  no episode\n"));
}
