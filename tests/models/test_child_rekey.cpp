// Regular Child SA rekeying (RFC 7296 1.3.3, 2.8) and the strongSwan
// test_child_rekey.c "regular" cases CR-01, CR-05..CR-10, re-expressed.
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace rekeysim_test;
using models::NotifyType;
using models::ikev2::VolumeBudget;
using models::scripted::describe;

// CR-01 (test_regular, both variants): a plain Child SA rekey.
//
//   A                                              B
//   --> CREATE_CHILD_SA {N(REKEY_SA,1), SA(3), Ni, TS}      B: C0 REKEYED, CA inbound
//   <-- CREATE_CHILD_SA {SA(4), Nr, TS}                     A: CA in+out, C0 deleting
//   --> INFORMATIONAL {D(1)}                                B: switches to CA
//   <-- INFORMATIONAL {D(2)}
//   both keep C0's inbound half 5 s, then only CA (3/4) remains.
TEST_CASE("RFC 7296 1.3.3: Child SA rekey from either original IKE role (CR-01)",
          "[rekey][CR-01]") {
  const bool a_is_ike_initiator = GENERATE(true, false);
  ScriptedWorld w(strongswan_peer(), strongswan_peer());
  w.establish(a_is_ike_initiator ? A : B);
  // SPIs: the original IKE initiator got 1, the responder 2.
  const std::uint32_t a0 = a_is_ike_initiator ? 1 : 2;
  const std::uint32_t b0 = a_is_ike_initiator ? 2 : 1;
  // Message IDs: IKE_SA_INIT/IKE_AUTH used 0 and 1 of the initiator's requests.
  const std::uint32_t mid = a_is_ike_initiator ? 2 : 0;

  w.a().request_rekey_child(a0);
  REQUIRE(w.in_flight(B) == 1);
  CHECK(state_of(w.a(), a0) == ChildSaState::kRekeying);
  w.deliver(B);
  CHECK(state_of(w.b(), b0) == ChildSaState::kRekeyed);
  // B receives on the new SA, but keeps sending on the old one (2.8).
  CHECK(w.b().accepts_inbound(4));
  CHECK(w.b().outbound_spi() == a0);
  w.deliver(A);
  CHECK(w.a().outbound_spi() == 4u);
  CHECK(state_of(w.a(), a0) == ChildSaState::kDeleting);
  w.deliver(B);
  CHECK(w.b().outbound_spi() == 3u);
  CHECK(state_of(w.b(), b0) == ChildSaState::kDeleted);
  w.deliver(A);
  CHECK(state_of(w.a(), a0) == ChildSaState::kDeleted);
  // The old inbound halves are still there for packets in flight ...
  CHECK(w.a().accepts_inbound(a0));
  CHECK(w.b().accepts_inbound(b0));
  CHECK(w.timers_pending(A, TimerKind::kDestroyInbound) == 1);
  CHECK(w.timers_pending(B, TimerKind::kDestroyInbound) == 1);
  w.advance(sim::seconds(5));
  // ... and gone after the keep delay.
  CHECK(child_spis(w.a()) == Pairs{{3, 4}});
  CHECK(child_spis(w.b()) == Pairs{{4, 3}});

  const std::string m = std::to_string(mid);
  const std::string m1 = std::to_string(mid + 1);
  const std::string old_a = std::to_string(a0);
  const std::string old_b = std::to_string(b0);
  CHECK(w.ladder() == std::vector<std::string>{
                          "A->B CREATE_CHILD_SA request " + m + " {N(REKEY_SA," + old_a +
                              "), SA(ESP,3), Nonce, TS}",
                          "B->A CREATE_CHILD_SA response " + m + " {SA(ESP,4), Nonce, TS}",
                          "A->B INFORMATIONAL request " + m1 + " {D(ESP," + old_a + ")}",
                          "B->A INFORMATIONAL response " + m1 + " {D(ESP," + old_b + ")}",
                      });
  CHECK(w.count(TraceKind::kRekeyCompleted, A) == 1);
  CHECK(w.count(TraceKind::kRekeyCompleted, B) == 1);
  CHECK(w.count(TraceKind::kDeleteForUnknownSpi) == 0);
}

TEST_CASE("RFC 7296 1.3.3: Child SA rekey initiated by the IKE responder side B", "[rekey]") {
  ScriptedWorld w(rfc_peer(), rfc_peer());
  w.establish(A);
  w.b().request_rekey_child(2);
  w.deliver(A);
  w.deliver(B);
  w.deliver(A);
  w.deliver(B);
  w.advance(sim::seconds(5));
  CHECK(child_spis(w.a()) == Pairs{{4, 3}});
  CHECK(child_spis(w.b()) == Pairs{{3, 4}});
  CHECK(w.ladder() == std::vector<std::string>{
                          "B->A CREATE_CHILD_SA request 0 {N(REKEY_SA,2), SA(ESP,3), Nonce, TS}",
                          "A->B CREATE_CHILD_SA response 0 {SA(ESP,4), Nonce, TS}",
                          "B->A INFORMATIONAL request 1 {D(ESP,2)}",
                          "A->B INFORMATIONAL response 1 {D(ESP,1)}",
                      });
}

// CR-05 (test_regular_responder_ignore_soft_expire): B's own rekey timer for
// C0 fires while C0 is REKEYED (A's rekey replaced it): nothing is sent.
TEST_CASE("strongSwan CR-05: soft expire of a REKEYED Child SA is ignored", "[rekey][CR-05]") {
  ScriptedWorld w(strongswan_peer(), strongswan_peer());
  w.establish(A);
  w.a().request_rekey_child(1);
  w.deliver(B);
  w.deliver(A);  // A concludes and sends D(1)
  REQUIRE(state_of(w.b(), 2) == ChildSaState::kRekeyed);
  w.b().on_timer(TimerKind::kChildSoftExpire, 2);
  CHECK(w.in_flight(A) == 0);  // B sent nothing
  CHECK(w.count(TraceKind::kRekeyStarted, B) == 0);
  settle(w);
  w.advance(sim::seconds(5));
  CHECK(child_spis(w.a()) == Pairs{{3, 4}});
  CHECK(child_spis(w.b()) == Pairs{{4, 3}});
  CHECK(w.count(TraceKind::kMessageSent, B) == 2);  // only the two responses
}

// CR-06 (test_regular_responder_handle_hard_expire): the old SA hard-expires
// at the responder before the initiator's D(old) arrives. The expiry
// concludes the rekey (B switches to CA), no DELETE is sent, and A's DELETE
// then names an SPI B no longer has: empty answer.
//   --> CCS {N(REKEY_SA,1), SA(3)}   <-- CCS {SA(4)}   --> INFORMATIONAL {D(1)} (in flight)
//   B: hard expire of C0 -> switch to CA, C0 destroyed
//   <-- INFORMATIONAL {}
TEST_CASE("strongSwan CR-06: responder's hard expire of the old SA concludes the rekey",
          "[rekey][CR-06]") {
  ScriptedWorld w(strongswan_peer(), strongswan_peer());
  w.establish(A);
  w.a().request_rekey_child(1);
  w.deliver(B);
  w.deliver(A);
  w.b().on_timer(TimerKind::kChildHardExpire, 2);
  CHECK(w.b().find_child(2) == nullptr);
  CHECK(w.b().outbound_spi() == 3u);
  CHECK(w.in_flight(A) == 0);
  w.deliver(B);
  CHECK(describe_first(w, A) == "INFORMATIONAL response 3 {}");
  CHECK(w.count(TraceKind::kDeleteForUnknownSpi, B) == 1);
  w.deliver(A);
  w.advance(sim::seconds(5));
  CHECK(child_spis(w.a()) == Pairs{{3, 4}});
  CHECK(child_spis(w.b()) == Pairs{{4, 3}});
}

// CR-07 (test_regular_responder_delete): the new SA is deleted on the
// responder before A's D(old) arrived. B first concludes the rekey.
//   --> CCS {N(REKEY_SA,1), SA(3)}   <-- CCS {SA(4)}
//   --> INFORMATIONAL {D(1)}          <-- INFORMATIONAL {D(4)}   (cross)
//   <-- INFORMATIONAL {D(2)}          --> INFORMATIONAL {D(3)}
TEST_CASE("strongSwan CR-07: responder deletes the new SA mid-rekey", "[rekey][CR-07]") {
  ScriptedWorld w(strongswan_peer(), strongswan_peer());
  w.establish(A);
  w.a().request_rekey_child(1);
  w.deliver(B);
  w.deliver(A);  // D(1) now in flight to B
  w.b().request_delete_child(4);
  CHECK(w.b().outbound_spi() == 3u);  // concluded first: B sends on CA
  CHECK(describe_first(w, A) == "INFORMATIONAL request 0 {D(ESP,4)}");
  w.deliver(B);  // D(1) at B
  CHECK(describe(w.peek(A, 1)) == "INFORMATIONAL response 3 {D(ESP,2)}");
  w.deliver(A, 0);  // D(4) at A: CA gone
  CHECK(describe_first(w, B) == "INFORMATIONAL response 0 {D(ESP,3)}");
  settle(w);
  w.advance(sim::seconds(5));
  CHECK(w.a().child_sas().empty());
  CHECK(w.b().child_sas().empty());
}

// CR-08 (test_regular_responder_lost_sa): B lost C0 silently. A's rekey gets
// CHILD_SA_NOT_FOUND; A had seen no DELETE, so it destroys C0 and creates a
// new Child SA from scratch (no REKEY_SA).
TEST_CASE("RFC 7296 2.25: CHILD_SA_NOT_FOUND makes the initiator create from scratch (CR-08)",
          "[rekey][CR-08]") {
  ScriptedWorld w(strongswan_peer(), strongswan_peer());
  w.establish(A);
  w.b().forget_child(2);
  w.a().request_rekey_child(1);
  settle(w);
  CHECK(w.ladder() == std::vector<std::string>{
                          "A->B CREATE_CHILD_SA request 2 {N(REKEY_SA,1), SA(ESP,3), Nonce, TS}",
                          "B->A CREATE_CHILD_SA response 2 {N(CHILD_SA_NOT_FOUND,1)}",
                          "A->B CREATE_CHILD_SA request 3 {SA(ESP,4), Nonce, TS}",
                          "B->A CREATE_CHILD_SA response 3 {SA(ESP,5), Nonce, TS}",
                      });
  CHECK(child_spis(w.a()) == Pairs{{4, 5}});
  CHECK(child_spis(w.b()) == Pairs{{5, 4}});
  CHECK(w.a().outbound_spi() == 5u);
  CHECK(w.b().outbound_spi() == 4u);
  CHECK(w.count(TraceKind::kRekeyForUnknownSpi, B) == 1);
}

// CR-09 (test_regular_responder_incorrect_delete): a buggy responder sends
// D(old) right after answering, and it overtakes its CREATE_CHILD_SA
// response. A answers it but keeps C0 (and sends on it) until its response
// arrives; then it needs no DELETE of its own. No moment without an SA.
TEST_CASE("strongSwan CR-09: responder's premature DELETE of the old SA", "[rekey][CR-09]") {
  ScriptedWorld w(strongswan_peer(), strongswan_peer());
  w.establish(A);
  w.a().request_rekey_child(1);
  w.deliver(B);                   // B's response waits in A's queue
  w.b().request_delete_child(2);  // the incorrect DELETE
  w.deliver(A, 1);
  CHECK(describe_first(w, B) == "INFORMATIONAL response 0 {D(ESP,1)}");
  CHECK(w.a().outbound_spi() == 2u);  // still sending on C0
  w.deliver(A, 0);                    // the delayed CREATE_CHILD_SA response
  CHECK(w.a().outbound_spi() == 4u);
  CHECK(w.in_flight(B) == 1);  // no D(1) from A
  settle(w);
  w.advance(sim::seconds(5));
  CHECK(child_spis(w.a()) == Pairs{{3, 4}});
  CHECK(child_spis(w.b()) == Pairs{{4, 3}});
}

// CR-10 (test_regular_delete_timeout): after a rekey, D(old) is never
// answered. strongSwan's defaults retransmit at 4, 11, 24, 47 and 89 s and
// give up at 165 s (RFC 7296 2.4), destroying the IKE SA: one tunnel down.
TEST_CASE("RFC 7296 2.4: retransmissions of D(old) give up at 165 s (CR-10)",
          "[retransmit][CR-10]") {
  ScriptedWorld w(strongswan_peer(), strongswan_peer());
  w.establish(A);
  w.a().request_rekey_child(1);
  w.deliver(B);
  w.deliver(A);
  w.drop_all(B);
  w.run_until(sim::seconds(200));
  std::vector<double> resent;
  for (const auto& m : w.wire())
    if (m.retransmit) {
      resent.push_back(m.at.seconds());
      CHECK(describe(m.message) == "INFORMATIONAL request 3 {D(ESP,1)}");
    }
  REQUIRE(resent.size() == 5);
  CHECK(resent[0] == Approx(4.0));
  CHECK(resent[1] == Approx(11.2));
  CHECK(resent[2] == Approx(24.16));
  CHECK(resent[3] == Approx(47.488));
  CHECK(resent[4] == Approx(89.4784));
  CHECK(w.count(TraceKind::kTunnelDown, A) == 1);
  for (const auto& r : w.trace())
    if (r.kind == TraceKind::kTunnelDown) CHECK(r.time.seconds() == Approx(165.06112));
  CHECK(w.a().ike_sa() == nullptr);
  CHECK(w.a().child_sas().empty());
  // The in-use SA CA (3/4) went down with the IKE SA.
  bool ca_down = false;
  for (const auto& r : w.trace())
    if (r.kind == TraceKind::kChildSaDeleted && r.peer == A && r.spi_in == 3) ca_down = true;
  CHECK(ca_down);
}
