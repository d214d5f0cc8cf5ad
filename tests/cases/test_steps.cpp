// Each step kind of the case format (scenarios/cases/FORMAT.md, Steps), run
// on the scripted world: what it does to the peers and the wire.
#include <catch2/catch.hpp>

#include "case_text.hpp"

using cases_test::failures;
using cases_test::run_yaml;

namespace {
const std::vector<std::string> kPlainRekey = {
    "A->B CREATE_CHILD_SA request 2 {N(REKEY_SA,1), SA(ESP,3), Nonce, TS}",
    "B->A CREATE_CHILD_SA response 2 {SA(ESP,4), Nonce, TS}",
    "A->B INFORMATIONAL request 3 {D(ESP,1)}",
    "B->A INFORMATIONAL response 3 {D(ESP,2)}",
};
}  // namespace

TEST_CASE("case step rekey_child: oldest by default, newest and an SPI on request",
          "[cases][steps]") {
  auto r = run_yaml(
      "script:\n"
      "  - rekey_child: a\n"
      "  - settle: true\n"
      "  - rekey_child: {peer: b, sa: newest}\n"  // B's SAs: 2 (deleted, kept inbound) and 4
      "  - settle: true\n");
  INFO(failures(r));
  REQUIRE(r.passed);
  REQUIRE(r.actual_ladder.size() == 8);
  CHECK(std::vector<std::string>(r.actual_ladder.begin(), r.actual_ladder.begin() + 4) ==
        kPlainRekey);
  CHECK(r.actual_ladder[4] ==
        "B->A CREATE_CHILD_SA request 0 {N(REKEY_SA,4), SA(ESP,5), Nonce, TS}");

  auto spi = run_yaml(
      "script: [rekey_child: {peer: b, sa: 2}]\nexpect: {in_flight: {a: "
      "[b.CREATE_CHILD_SA.req#1]}}\n");
  INFO(failures(spi));
  CHECK(spi.passed);
}

TEST_CASE("case step delete_child and forget_child", "[cases][steps]") {
  auto del = run_yaml(
      "script: [delete_child: {peer: b, sa: oldest}, settle: true]\n"
      "expect:\n"
      "  child_sas: {a: [], b: []}\n"
      "  messages: [\"B->A INFORMATIONAL request 0 {D(ESP,2)}\", \"A->B INFORMATIONAL response 0 "
      "{D(ESP,1)}\"]\n");
  INFO(failures(del));
  CHECK(del.passed);
  // RFC 7296 2.25: a peer that silently lost the SA answers CHILD_SA_NOT_FOUND.
  auto lost = run_yaml(
      "script: [forget_child: b, rekey_child: a, deliver: a.CREATE_CHILD_SA.req#1]\n"
      "expect: {message: {b.CREATE_CHILD_SA.resp#1: \"CREATE_CHILD_SA response 2 "
      "{N(CHILD_SA_NOT_FOUND,1)}\"}, child_sas: {b: []}}\n");
  INFO(failures(lost));
  CHECK(lost.passed);
}

TEST_CASE("case step rekey_ike and delete_ike", "[cases][steps]") {
  auto rekey = run_yaml(
      "script: [rekey_ike: b, settle: true]\nexpect: {ike_sa: {a: 3, b: 3}, ike_sas: {a: 1, b: "
      "1}}\n");
  INFO(failures(rekey));
  CHECK(rekey.passed);
  CHECK(rekey.actual_ladder.front() == "B->A CREATE_CHILD_SA request 0 {SA(IKE,3), Nonce}");
  auto del = run_yaml(
      "script: [delete_ike: a, settle: true]\nexpect: {ike_sa: {a: none, b: none}, events: "
      "{tunnel_down: 2}}\n");
  INFO(failures(del));
  CHECK(del.passed);
}

TEST_CASE(
    "case step reauth_ike: break-before-make, IKE_SA_INIT once the old IKE SA is gone (RFC 7296 "
    "2.8.3)",
    "[cases][steps]") {
  auto r = run_yaml(
      "script: [reauth_ike: a, settle: true]\n"
      "expect:\n"
      "  ike_sa: {a: 3, b: 3}\n"
      "  child_sas: {a: [\"3/4\"], b: [\"4/3\"]}\n"
      "  events: {tunnel_down: 2, tunnel_up: {a: 2, b: 2}}\n");
  INFO(failures(r));
  CHECK(r.passed);
  CHECK(r.actual_ladder == std::vector<std::string>{
                               "A->B INFORMATIONAL request 2 {D(IKE)}",
                               "B->A INFORMATIONAL response 2 {}",
                               "A->B IKE_SA_INIT request 0 {SA(IKE,3), Nonce}",
                               "B->A IKE_SA_INIT response 0 {SA(IKE,4), Nonce}",
                               "A->B IKE_AUTH request 1 {SA(ESP,3), TS}",
                               "B->A IKE_AUTH response 1 {SA(ESP,4), TS}",
                           });
}

TEST_CASE("case step connect from establish: none", "[cases][steps]") {
  auto r = run_yaml(
      "establish: none\n"
      "script:\n"
      "  - expect: {ike_sa: {a: none, b: none}, child_sas: {a: [], b: []}}\n"
      "  - connect: b\n"
      "  - settle: true\n"
      "expect: {child_sas: {a: [{spi_in: 2, role: responder}], b: [{spi_in: 1, role: initiator}]}, "
      "ike_sa: {a: 1, b: 1}}\n");
  INFO(failures(r));
  CHECK(r.passed);
  REQUIRE(r.actual_ladder.size() == 4);
  CHECK(r.actual_ladder[0] == "B->A IKE_SA_INIT request 0 {SA(IKE,1), Nonce}");
}

TEST_CASE("case step fire: the pending timer due first, or a named SA's timer", "[cases][steps]") {
  // The request is lost; firing the retransmit timer re-sends it at once.
  auto r = run_yaml(
      "script: [rekey_child: a, drop: a.CREATE_CHILD_SA.req#1, fire: {peer: a, timer: "
      "retransmit}]\n"
      "expect: {in_flight: {b: [a.CREATE_CHILD_SA.req#1.retransmit1]}, time: 0, events: "
      "{retransmit: 1}}\n");
  INFO(failures(r));
  CHECK(r.passed);
  // With `sa`, an unarmed timer is handled as if it had fired (CR-05's call).
  auto soft = run_yaml(
      "script: [fire: {peer: b, timer: child_soft_expire, sa: 2}]\n"
      "expect: {in_flight: {a: [b.CREATE_CHILD_SA.req#1]}}\n");
  INFO(failures(soft));
  CHECK(soft.passed);
  // Without, nothing pending is the case's failure, not an input error.
  auto none = run_yaml("script: [fire: {peer: a, timer: retry_rekey}]\n");
  CHECK_FALSE(none.passed);
  REQUIRE(none.failures.size() == 1);
  CHECK(none.failures[0].field == "script[0].fire");
  CHECK(none.failures[0].expected == "a pending retry_rekey timer at A");
}

TEST_CASE("case steps deliver, hold, drop, drop_all: named messages in any order",
          "[cases][steps]") {
  auto r = run_yaml(
      "script:\n"
      "  - rekey_child: a\n"
      "  - rekey_child: b\n"
      "  - hold: a.CREATE_CHILD_SA.req#1\n"
      "  - settle: true\n"  // everything but the held request
      "  - expect: {in_flight: {b: [a.CREATE_CHILD_SA.req#1]}}\n"
      "  - deliver: a.CREATE_CHILD_SA.req#1\n"
      "  - drop: b.CREATE_CHILD_SA.resp#1\n"
      "  - drop_all: b\n"
      "expect: {in_flight: {a: 0, b: 0}}\n");
  INFO(failures(r));
  CHECK(r.passed);
  // A name that is not in flight ends the run with what is.
  auto gone = run_yaml(
      "script: [rekey_child: a, deliver: a.CREATE_CHILD_SA.req#1, deliver: "
      "a.CREATE_CHILD_SA.req#1]\n");
  REQUIRE(gone.failures.size() == 1);
  CHECK(gone.failures[0].field == "script[2].deliver");
  CHECK(gone.failures[0].actual ==
        "no longer in flight (delivered or dropped); in flight to A: [b.CREATE_CHILD_SA.resp#1]; "
        "to B: []");
  auto never = run_yaml("script: [deliver: b.INFORMATIONAL.req#1]\nexpect: {time: 1s}\n");
  REQUIRE(never.failures.size() == 1);  // the run ended: the final expect is not evaluated
  CHECK(never.failures[0].actual == "never sent; in flight to A: []; to B: []");
  // Delivery order is the list's: B's response first, then A's DELETE.
  auto order = run_yaml(
      "script: [rekey_child: a, deliver: a.CREATE_CHILD_SA.req#1, deliver: "
      "[b.CREATE_CHILD_SA.resp#1, a.INFORMATIONAL.req#1]]\n"
      "expect: {in_flight: {a: [b.INFORMATIONAL.resp#1]}}\n");
  INFO(failures(order));
  CHECK(order.passed);
}

TEST_CASE("case step duplicate: the copy is answered from the response cache (RFC 7296 2.1)",
          "[cases][steps]") {
  auto r = run_yaml(
      "script: [rekey_child: a, duplicate: a.CREATE_CHILD_SA.req#1]\n"
      "expect: {in_flight: {b: [a.CREATE_CHILD_SA.req#1, a.CREATE_CHILD_SA.req#1.dup1]}}\n");
  INFO(failures(r));
  CHECK(r.passed);
  auto settled = run_yaml(
      "script: [rekey_child: a, duplicate: a.CREATE_CHILD_SA.req#1, "
      "deliver: [a.CREATE_CHILD_SA.req#1, a.CREATE_CHILD_SA.req#1.dup1]]\n"
      "expect:\n"
      "  in_flight: {a: [b.CREATE_CHILD_SA.resp#1, b.CREATE_CHILD_SA.resp#1.retransmit1]}\n"
      "  child_sas: {b: [{spi_in: 2, state: rekeyed}, \"4/3\"]}\n");  // one new SA, not two
  INFO(failures(settled));
  CHECK(settled.passed);
}

TEST_CASE("case steps advance, advance_to, settle_for", "[cases][steps]") {
  // advance lets timers run but delivers nothing: the request is retransmitted at 4 s.
  auto r = run_yaml(
      "script: [rekey_child: a, advance: 4s, expect: {time: 4s, events: {retransmit: 1}}, "
      "advance_to: 10s]\n"
      "expect: {time: 10s, in_flight: {b: [a.CREATE_CHILD_SA.req#1, "
      "a.CREATE_CHILD_SA.req#1.retransmit1]}}\n");
  INFO(failures(r));
  CHECK(r.passed);
  auto back = run_yaml("script: [advance: 2s, advance_to: 1s]\n");
  REQUIRE(back.failures.size() == 1);
  CHECK(back.failures[0].field == "script[1].advance_to");
  // settle_for: delivered promptly, so the old inbound halves go after 5 s.
  auto s = run_yaml(
      "script: [rekey_child: a, settle_for: 6s]\n"
      "expect: {child_sas: {a: [\"3/4\"], b: [\"4/3\"]}, time: 6s}\n");
  INFO(failures(s));
  CHECK(s.passed);
  CHECK(s.actual_ladder == kPlainRekey);
}

TEST_CASE("case steps nonces and lowest_nonce decide a 2.8.1 collision alike", "[cases][steps]") {
  const std::string script =
      "  - rekey_child: a\n  - rekey_child: b\n  - settle: true\n  - advance: 5s\n";
  // N2 lowest: B's request nonce. A's exchange wins (RFC 7296 2.8.1): its SA 3/6 survives.
  auto by_name = run_yaml("script:\n  - lowest_nonce: N2\n" + script +
                          "expect: {child_sas: {a: [\"3/6\"], b: [\"6/3\"]}}\n");
  auto by_octets = run_yaml("script:\n  - nonces: {a: [0xff, 0xff], b: [0x00, 255]}\n" + script +
                            "expect: {child_sas: {a: [\"3/6\"], b: [\"6/3\"]}}\n");
  INFO(failures(by_name) << failures(by_octets));
  CHECK(by_name.passed);
  CHECK(by_octets.passed);
  CHECK(by_name.actual_ladder == by_octets.actual_ladder);
  // N1 lowest: the other way round.
  auto other = run_yaml("script:\n  - lowest_nonce: N1\n" + script +
                        "expect: {child_sas: {a: [\"5/4\"], b: [\"4/5\"]}}\n");
  INFO(failures(other));
  CHECK(other.passed);
}

TEST_CASE("case step expect: checked where it stands, the run goes on", "[cases][steps]") {
  auto r = run_yaml(
      "script:\n"
      "  - rekey_child: a\n"
      "  - expect: {in_flight: {b: 2}}\n"  // wrong: 1
      "  - settle: true\n"
      "expect: {in_flight: {a: 0, b: 0}}\n");
  REQUIRE(r.failures.size() == 1);
  CHECK(r.failures[0].field == "script[1].expect.in_flight.b");
  CHECK(r.failures[0].expected == "2");
  CHECK(r.failures[0].actual == "1 [a.CREATE_CHILD_SA.req#1]");
  CHECK(r.failures[0].pos.line == 6);
  CHECK(r.actual_ladder == kPlainRekey);  // the script ran to the end
}

TEST_CASE("case step settle_for over days: the peers' own lifetime timers rekey, prompt delivery",
          "[cases][steps]") {
  // RFC 7296 profile: 8 h Child lifetime, rekey 9 m (plus up to 9 m random)
  // before; nobody scripts a rekey, the soft-expiry timers do.
  auto r = run_yaml("script: [settle_for: 1d]\nexpect: {agree: true, time: 1d}\n");
  INFO(failures(r));
  CHECK(r.passed);
  std::size_t rekeys = 0;
  for (const auto& rec : r.trace)
    if (rec.kind == models::TraceKind::kRekeyCompleted && rec.peer == models::PeerId::kA) ++rekeys;
  CHECK(rekeys >= 3);  // one per ~7h45m of a 1-day run
  CHECK(rekeys <= 4);
  // Same as settling step by step: a shorter run is a prefix of it.
  auto part = run_yaml("script: [settle_for: 9h]\n");
  REQUIRE(part.actual_ladder.size() <= r.actual_ladder.size());
  CHECK(std::equal(part.actual_ladder.begin(), part.actual_ladder.end(), r.actual_ladder.begin()));
}
