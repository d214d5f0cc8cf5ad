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

// Juniper vSRX kmd logs (tests/data/public/juniper-srx-azure/SOURCE.md).
// Line by line, the 2020 log:
//   1-2  10:18:01  Config download lines                      skipped
//   3    10:18:01  KMD_VPN_DOWN_ALARM_USER (config deleted)    tunnel_down, t=0
//   4-5  10:18:44  Config download lines                      skipped
//   6    10:18:44  KMD_PM_SA_ESTABLISHED inbound 0x190695fe   child_sa_installed, t=43 s
//   7    10:18:44  KMD_PM_SA_ESTABLISHED outbound 0x60555011  outbound_switched
//   8    10:18:44  KMD_VPN_UP_ALARM_USER                      tunnel_up
//   9    10:18:44  IKE negotiation completed, Role Initiator  the tunnel's IKE SA: no record
// One tunnel reset (down at line 3, back 43 s later), one new Child SA and
// no IKE SA rekey (before, line 9 was read as one).
TEST_CASE("ingest public log: Juniper vSRX kmd, VPN removed by a commit and back 43 s later") {
  cli_test::TempDir dir;
  const auto r =
      run("ingest " + source("tests/data/public/juniper-srx-azure/kmd-vpn-down-up-2020.log") +
          " --out " + (dir / "r.jsonl"));
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(has(r.err,
            "style juniper-srx (detected), 9 lines: 5 used, 4 skipped (no record kind), 0 "
            "unusable; 4 records"));
  CHECK(has(r.out, "  t=       0.000 s  tunnel_reset  lines kmd-vpn-down-up-2020.log:3\n"));
  CHECK(has(r.out, "  tunnel_resets  1\n"));
  CHECK(has(r.out, "  ike_rekeys     0\n"));
  CHECK(has(r.out, "  child_rekeys   1  (new inbound Child SAs installed)"));
  const std::string jsonl = cli_test::slurp(dir / "r.jsonl");
  CHECK(has(jsonl, "{\"t_ns\":0,\"t\":\"0.000000\",\"peer\":\"A\",\"kind\":\"tunnel_down\""));
  CHECK(has(jsonl,
            "{\"t_ns\":43000000000,\"t\":\"43.000000\",\"peer\":\"A\",\"kind\":\"child_sa_"
            "installed\",\"sa_kind\":\"child\",\"spi_in\":\"0x190695fe\"}"));
  CHECK(has(jsonl,
            "\"kind\":\"outbound_switched\",\"sa_kind\":\"child\",\"spi_out\":\"0x60555011\""));
  CHECK(has(jsonl,
            "{\"t_ns\":43000000000,\"t\":\"43.000000\",\"peer\":\"A\",\"kind\":\"tunnel_up\""));
  CHECK_FALSE(has(jsonl, "ike_sa_rekeyed"));
}

// The 2024 log, all in 11:24:02 (t=0):
//   1  KMD_PM_SA_ESTABLISHED inbound 0x9cc87ce6    child_sa_installed
//   2  KMD_PM_SA_ESTABLISHED outbound 0x3bb47cb4   outbound_switched
//   3  KMD_VPN_UP_ALARM_USER                       tunnel_up
//   4  IKE negotiation completed, Role Initiator   IKE SA #1 with the tunnel: no record
//   5  KMD_PM_SA_ESTABLISHED inbound 0x11090e53    child_sa_installed (second Child SA)
//   6  KMD_PM_SA_ESTABLISHED outbound 0xaf8ed566   outbound_switched
//   7  IKE negotiation completed, Role Responder   IKE SA #2, same instant: no record
// Both ends started the tunnel at once: two IKE SAs, two Child SAs, no
// rekey. The second inbound SA within 1 s is not a second rekey point;
// before, lines 4 and 7 made two IKE SA rekeys 0 us apart.
TEST_CASE("ingest public log: Juniper vSRX kmd, both ends start the tunnel, two IKE SAs") {
  cli_test::TempDir dir;
  const auto r =
      run("ingest " + source("tests/data/public/juniper-srx-azure/kmd-two-ike-sas-2024.log") +
          " --out " + (dir / "r.jsonl"));
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(has(r.err,
            "style juniper-srx (detected), 7 lines: 7 used, 0 skipped (no record kind), 0 "
            "unusable; 5 records"));
  CHECK(has(r.out, "  no episode\n"));
  CHECK(has(r.out, "  ike_rekeys     0\n"));
  CHECK(has(r.out, "  IKE SA rekey interval: not shown"));
  CHECK(has(r.out, "  child_rekeys   1  (new inbound Child SAs installed)"));
  const std::string jsonl = cli_test::slurp(dir / "r.jsonl");
  std::size_t installs = 0;
  for (const char* spi : {"0x9cc87ce6", "0x11090e53"}) {
    installs += has(jsonl, std::string("\"kind\":\"child_sa_installed\",\"sa_kind\":\"child\","
                                       "\"spi_in\":\"") +
                               spi + "\"");
  }
  CHECK(installs == 2);
  CHECK(has(jsonl, "\"spi_out\":\"0x3bb47cb4\""));
  CHECK(has(jsonl, "\"spi_out\":\"0xaf8ed566\""));
  CHECK(has(jsonl, "\"kind\":\"tunnel_up\""));
  CHECK_FALSE(has(jsonl, "ike_sa_rekeyed"));
}

// A real Cisco ASA log (tests/data/public/cisco-asa-ikev1-openstack/SOURCE.md),
// IKEv1 responder; line by line:
//   1    16:58:42  113009 group policy                       skipped
//   2-3  16:58:42  713119 Phase 1 completed, 713076 lifetime  skipped (IKEv1)
//   4    16:58:43  713049 negotiation complete, Responder     skipped (IKEv1)
//   5    16:58:43  602303 outbound SA 0xCE8C73AC created      outbound_switched, t=1 s
//   6    16:58:43  602303 inbound SA 0x2B4A1133 created       child_sa_installed, t=1 s
//   7    16:58:43  713120 Phase 2 completed                  skipped (IKEv1)
// One SA pair, no rekey, no outage.
TEST_CASE("ingest public log: Cisco ASA show logging, an SA pair created as responder") {
  cli_test::TempDir dir;
  const auto r =
      run("ingest " +
          source("tests/data/public/cisco-asa-ikev1-openstack/asa-l2l-sa-created-2017.log") +
          " --out " + (dir / "r.jsonl"));
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(has(r.err,
            "style cisco-asa (detected), 7 lines: 2 used, 5 skipped (no record kind), 0 "
            "unusable; 2 records"));
  CHECK(has(r.out, "  no episode\n"));
  CHECK(has(r.out, "  outages        0  (bursts of dropped ESP: "));
  CHECK(has(r.out, "  ike_rekeys     0\n"));
  const std::string jsonl = cli_test::slurp(dir / "r.jsonl");
  CHECK(has(jsonl,
            "{\"t_ns\":1000000000,\"t\":\"1.000000\",\"peer\":\"A\",\"kind\":\"outbound_"
            "switched\",\"sa_kind\":\"child\",\"spi_out\":\"0xce8c73ac\"}"));
  CHECK(has(jsonl,
            "{\"t_ns\":1000000000,\"t\":\"1.000000\",\"peer\":\"A\",\"kind\":\"child_sa_"
            "installed\",\"sa_kind\":\"child\",\"spi_in\":\"0x2b4a1133\"}"));
}
