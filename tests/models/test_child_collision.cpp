// Simultaneous Child SA rekeying (RFC 7296 2.8.1) and its undetected forms,
// re-expressing strongSwan's test_collision* cases CC-11, CC-14, CC-17, CC-18.
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace rekeysim_test;
using models::CollisionResolution;

namespace {

// Expected final pairs: CA = A 3 / B 5, CB = B 4 / A 6.
Pairs winner_pair_at_a(Lowest l) {
  return a_wins(l) ? Pairs{{3, 5}} : Pairs{{6, 4}};
}
Pairs winner_pair_at_b(Lowest l) {
  return a_wins(l) ? Pairs{{5, 3}} : Pairs{{4, 6}};
}

const char* name(Lowest l) {
  switch (l) {
    case Lowest::kN1:
      return "N1";
    case Lowest::kN2:
      return "N2";
    case Lowest::kN3:
      return "N3";
    case Lowest::kN4:
      return "N4";
  }
  return "?";
}

PeerConfig with_resolution(CollisionResolution r) {
  PeerConfig c = strongswan_peer();
  c.behaviour.collision_resolution = r;
  return c;
}

}  // namespace

// CC-11 (test_collision, 4 variants) for both nonce comparisons.
//
//   A                                                   B
//   --> CREATE_CHILD_SA {N(REKEY_SA,1), SA(3), N1, TS}  (req 2)
//       CREATE_CHILD_SA {N(REKEY_SA,2), SA(4), N2, TS} <--  (req 0)
//   <-- CREATE_CHILD_SA {SA(5), N3, TS}    B: CA inbound 5
//       CREATE_CHILD_SA {SA(6), N4, TS} --> A: CB inbound 6
//   A and B each see all four nonces when their own response arrives:
//   the exchange holding the lowest nonce made the redundant SA.
//   winner --> INFORMATIONAL {D(old)}       loser --> INFORMATIONAL {D(own new SA)}
//   each response pairs the Delete; two DELETE exchanges, never the same SA.
TEST_CASE("RFC 7296 2.8.1: simultaneous Child SA rekey resolved by the lowest nonce (CC-11)",
          "[collision][CC-11]") {
  const Lowest lowest = GENERATE(Lowest::kN1, Lowest::kN2, Lowest::kN3, Lowest::kN4);
  const CollisionResolution res =
      GENERATE(CollisionResolution::kRfc7296FourNonce, CollisionResolution::kStrongswanMinNonce);
  INFO("lowest nonce " << name(lowest));
  ScriptedWorld w(with_resolution(res), with_resolution(res));
  w.establish(A);
  force_lowest(w, lowest);
  w.a().request_rekey_child(1);
  w.b().request_rekey_child(2);
  w.deliver(B);  // A's request at B
  CHECK(w.count(TraceKind::kCollisionDetected, B) == 1);
  w.deliver(A);  // B's request at A
  CHECK(w.count(TraceKind::kCollisionDetected, A) == 1);
  w.deliver(A);  // B's response: A decides
  w.deliver(B);  // A's response: B decides
  const bool aw = a_wins(lowest);
  // The winner sends on its own new SA at once; the loser stays on the old SA.
  CHECK(w.a().outbound_spi() == (aw ? 5u : 2u));
  CHECK(w.b().outbound_spi() == (aw ? 1u : 6u));
  REQUIRE(w.in_flight(A) == 1);
  REQUIRE(w.in_flight(B) == 1);
  // Winner deletes the old SA, loser its own redundant SA.
  CHECK(models::scripted::describe(w.peek(B)) ==
        (aw ? "INFORMATIONAL request 3 {D(ESP,1)}" : "INFORMATIONAL request 3 {D(ESP,3)}"));
  CHECK(models::scripted::describe(w.peek(A)) ==
        (aw ? "INFORMATIONAL request 1 {D(ESP,4)}" : "INFORMATIONAL request 1 {D(ESP,2)}"));
  w.deliver(A);
  w.deliver(B);
  // Each response names the paired SA.
  CHECK(models::scripted::describe(w.peek(B)) ==
        (aw ? "INFORMATIONAL response 1 {D(ESP,6)}" : "INFORMATIONAL response 1 {D(ESP,1)}"));
  CHECK(models::scripted::describe(w.peek(A)) ==
        (aw ? "INFORMATIONAL response 3 {D(ESP,2)}" : "INFORMATIONAL response 3 {D(ESP,5)}"));
  // Only after the winner's D(old) does the loser switch to the winner's SA.
  CHECK(w.a().outbound_spi() == (aw ? 5u : 4u));
  CHECK(w.b().outbound_spi() == (aw ? 3u : 6u));
  w.deliver(A);
  w.deliver(B);
  w.advance(sim::seconds(5));
  CHECK(child_spis(w.a()) == winner_pair_at_a(lowest));
  CHECK(child_spis(w.b()) == winner_pair_at_b(lowest));
  CHECK(w.count(TraceKind::kCollisionResolved) == 2);
  CHECK(w.count(TraceKind::kDeleteForUnknownSpi) == 0);
  CHECK(w.count(TraceKind::kNotifyReceived) == 0);
  CHECK(w.ladder() == std::vector<std::string>{
                          "A->B CREATE_CHILD_SA request 2 {N(REKEY_SA,1), SA(ESP,3), Nonce, TS}",
                          "B->A CREATE_CHILD_SA request 0 {N(REKEY_SA,2), SA(ESP,4), Nonce, TS}",
                          "B->A CREATE_CHILD_SA response 2 {SA(ESP,5), Nonce, TS}",
                          "A->B CREATE_CHILD_SA response 0 {SA(ESP,6), Nonce, TS}",
                          aw ? "A->B INFORMATIONAL request 3 {D(ESP,1)}"
                             : "A->B INFORMATIONAL request 3 {D(ESP,3)}",
                          aw ? "B->A INFORMATIONAL request 1 {D(ESP,4)}"
                             : "B->A INFORMATIONAL request 1 {D(ESP,2)}",
                          aw ? "A->B INFORMATIONAL response 1 {D(ESP,6)}"
                             : "A->B INFORMATIONAL response 1 {D(ESP,1)}",
                          aw ? "B->A INFORMATIONAL response 3 {D(ESP,2)}"
                             : "B->A INFORMATIONAL response 3 {D(ESP,5)}",
                      });
  std::size_t delete_requests = 0;
  for (const auto& m : w.wire())
    if (m.message.exchange == models::ExchangeType::kInformational && !m.message.is_response)
      ++delete_requests;
  CHECK(delete_requests == 2);
}

// CC-14 (test_collision_delayed_response, 4 variants): B's CREATE_CHILD_SA
// response to A is held back until B's DELETE exchange has run.
//
//   --> CCS {N(REKEY_SA,1), SA(3), N1}      <-- CCS {N(REKEY_SA,2), SA(4), N2}
//   <-- CCS {SA(5), N3}   (held back)        --> CCS {SA(6), N4}      B decides
//   <-- INFORMATIONAL {D(2) | D(4)}          A answers before its own rekey is done
//   --> INFORMATIONAL {D(1) | D(6)}
//   <-- (delayed) CCS {SA(5), N3}            A decides; sends D(3) or D(1)
TEST_CASE("RFC 7296 2.8.1: collision with the winner's DELETE overtaking a response (CC-14)",
          "[collision][CC-14]") {
  const Lowest lowest = GENERATE(Lowest::kN1, Lowest::kN2, Lowest::kN3, Lowest::kN4);
  INFO("lowest nonce " << name(lowest));
  ScriptedWorld w(strongswan_peer(), strongswan_peer());
  w.establish(A);
  force_lowest(w, lowest);
  w.a().request_rekey_child(1);
  w.b().request_rekey_child(2);
  w.deliver(B);     // A's request at B; its response queues behind B's request
  w.deliver(A, 0);  // B's request at A; B's response now waits at index 0
  w.deliver(B);     // A's response at B: B decides
  const bool aw = a_wins(lowest);
  REQUIRE(w.in_flight(A) == 2);
  CHECK(models::scripted::describe(w.peek(A, 1)) ==
        (aw ? "INFORMATIONAL request 1 {D(ESP,4)}" : "INFORMATIONAL request 1 {D(ESP,2)}"));
  w.deliver(A, 1);  // B's DELETE at A, before A's own rekey completed
  if (!aw) {
    // A concludes B's rekey at once: it switches to CB.
    CHECK(w.a().outbound_spi() == 4u);
  } else {
    CHECK(w.a().outbound_spi() == 2u);
  }
  w.deliver(B);  // A's DELETE response at B
  w.deliver(A);  // the delayed CREATE_CHILD_SA response: A decides
  REQUIRE(w.in_flight(B) == 1);
  CHECK(models::scripted::describe(w.peek(B)) ==
        (aw ? "INFORMATIONAL request 3 {D(ESP,1)}" : "INFORMATIONAL request 3 {D(ESP,3)}"));
  settle(w);
  w.advance(sim::seconds(5));
  CHECK(child_spis(w.a()) == winner_pair_at_a(lowest));
  CHECK(child_spis(w.b()) == winner_pair_at_b(lowest));
  CHECK(w.count(TraceKind::kDeleteForUnknownSpi) == 0);
}

// CC-17 (test_collision_delayed_request, 6 variants): A's request is delayed,
// B sees no collision, completes and deletes C0. A's late request then meets
// C0 in DELETING at B -> TEMPORARY_FAILURE; A must not retry (B's rekey
// replaced the SA). _i 0-2: B's DELETE reaches A first; _i 3-5: the
// TEMPORARY_FAILURE overtakes it.
//
//   --> CCS {N(REKEY_SA,1), SA(3)}  (held)
//   <-- CCS {N(REKEY_SA,2), SA(4)}
//   --> CCS {SA(5)}                            B: CB up, C0 deleting
//   <-- INFORMATIONAL {D(2)}
//   (A's delayed request reaches B) <-- CCS {N(TEMPORARY_FAILURE)}
TEST_CASE("RFC 7296 2.25.1: undetected collision answered TEMPORARY_FAILURE, no retry (CC-17)",
          "[collision][CC-17]") {
  const int variant = GENERATE(0, 1, 2, 3, 4, 5);
  INFO("variant " << variant);
  ScriptedWorld w(strongswan_peer(), strongswan_peer());
  w.establish(A);
  force_lowest(w, static_cast<Lowest>(variant % 3));
  w.a().request_rekey_child(1);  // held in B's queue at index 0
  w.b().request_rekey_child(2);
  w.deliver(A);     // B's request at A: collision noted, CB inbound 5
  w.deliver(B, 1);  // A's response at B: B completes without a collision
  CHECK(w.b().outbound_spi() == 5u);
  w.deliver(B, 0);  // A's delayed request: C0 is DELETING at B
  REQUIRE(w.in_flight(A) == 2);
  CHECK(models::scripted::describe(w.peek(A, 0)) == "INFORMATIONAL request 1 {D(ESP,2)}");
  CHECK(models::scripted::describe(w.peek(A, 1)) ==
        "CREATE_CHILD_SA response 2 {N(TEMPORARY_FAILURE)}");
  if (variant < 3) {
    w.deliver(A, 0);
    w.deliver(A, 0);
  } else {
    w.deliver(A, 1);
    CHECK(w.a().outbound_spi() == 2u);  // still on C0 until B's DELETE
    w.deliver(A, 0);
  }
  CHECK(w.a().outbound_spi() == 4u);
  settle(w);
  CHECK(w.timers_pending(A, TimerKind::kRetryRekey) == 0);
  CHECK(w.count(TraceKind::kRetryScheduled) == 0);
  // A saw the collision and learned it lost; B never saw one.
  CHECK(w.count(TraceKind::kCollisionDetected, A) == 1);
  CHECK(w.count(TraceKind::kCollisionResolved, A) == 1);
  CHECK(w.count(TraceKind::kCollisionDetected, B) == 1);  // rekey vs its DELETE (2.25.1)
  CHECK(w.count(TraceKind::kCollisionResolved, B) == 0);
  w.advance(sim::seconds(20));
  CHECK(w.in_flight(A) + w.in_flight(B) == 0);
  CHECK(child_spis(w.a()) == Pairs{{5, 4}});
  CHECK(child_spis(w.b()) == Pairs{{4, 5}});
}

// CC-18 (test_collision_delayed_request_more, 3 variants): A's request
// arrives only after B's whole DELETE exchange -> CHILD_SA_NOT_FOUND; A had
// seen D(old) and the peer's SA is alive, so it neither retries nor creates.
TEST_CASE("RFC 7296 2.25: late rekey answered CHILD_SA_NOT_FOUND after the peer's rekey (CC-18)",
          "[collision][CC-18]") {
  const int variant = GENERATE(0, 1, 2);
  ScriptedWorld w(strongswan_peer(), strongswan_peer());
  w.establish(A);
  force_lowest(w, static_cast<Lowest>(variant));
  w.a().request_rekey_child(1);  // held
  w.b().request_rekey_child(2);
  w.deliver(A);     // B's request at A
  w.deliver(B, 1);  // A's response: B completes, sends D(2)
  w.deliver(A);     // D(2) at A: A adopts CB
  w.deliver(B, 1);  // A's DELETE response at B: C0 DELETED at B
  w.deliver(B, 0);  // the late request
  REQUIRE(w.in_flight(A) == 1);
  CHECK(models::scripted::describe(w.peek(A)) ==
        "CREATE_CHILD_SA response 2 {N(CHILD_SA_NOT_FOUND,1)}");
  CHECK(w.count(TraceKind::kRekeyForUnknownSpi, B) == 1);
  w.deliver(A);
  CHECK(w.in_flight(B) == 0);  // no CREATE_CHILD_SA from scratch
  w.advance(sim::seconds(20));
  CHECK(w.in_flight(B) == 0);
  CHECK(child_spis(w.a()) == Pairs{{5, 4}});
  CHECK(child_spis(w.b()) == Pairs{{4, 5}});
}

// A peer without the tie-break (libreswan, PAN-OS) against an RFC 7296 peer
// that wins: B withholds its outbound from A's redundant SA CA (A 3 / B 5)
// and waits for A's DELETE; A keeps both SAs.
namespace {
void none_vs_rfc_b_wins(ScriptedWorld& w) {
  w.establish(A);
  force_lowest(w, Lowest::kN1);  // A's exchange holds the lowest nonce: CA is redundant
  w.a().request_rekey_child(1);
  w.b().request_rekey_child(2);
  w.deliver(B);
  w.deliver(A);
  w.deliver(A);
  w.deliver(B);
  settle(w);
  w.advance(sim::seconds(6));
  REQUIRE(child_spis(w.a()) == Pairs{{3, 5}, {6, 4}});
  REQUIRE(child_spis(w.b()) == Pairs{{4, 6}, {5, 3}});
  REQUIRE(w.b().outbound_spi() == 6u);
}
}  // namespace

TEST_CASE(
    "RFC 7296 2.8.1, no tie-break vs RFC winner: at its next rekey time the peer without a "
    "tie-break closes the SA the nonce rule made redundant, not the one the winner uses",
    "[collision][none]") {
  ScriptedWorld w(with_resolution(CollisionResolution::kNone), rfc_peer());
  none_vs_rfc_b_wins(w);
  w.a().request_rekey_child(6);  // CB's rekey time: CA is closed instead of kept
  REQUIRE(w.in_flight(B) >= 1);
  CHECK(describe_first(w, B) == "INFORMATIONAL request 4 {D(ESP,3)}");
  settle(w);
  w.advance(sim::seconds(6));
  settle(w);
  w.advance(sim::seconds(6));
  // CB was rekeyed once; no duplicate is left and both send on SAs the other accepts.
  CHECK(w.a().child_sas().size() == 1);
  CHECK(w.b().child_sas().size() == 1);
  CHECK(w.b().accepts_inbound(*w.a().outbound_spi()));
  CHECK(w.a().accepts_inbound(*w.b().outbound_spi()));
  CHECK(w.count(TraceKind::kDeleteForUnknownSpi) == 0);
}

TEST_CASE(
    "RFC 7296 2.8.1: an RFC winner whose SA the peer deletes sends on the SA it withheld again",
    "[collision][none]") {
  ScriptedWorld w(with_resolution(CollisionResolution::kNone), rfc_peer());
  none_vs_rfc_b_wins(w);
  w.a().request_delete_child(6);  // A closes CB, the SA B sends on (a by-age choice)
  settle(w);
  CHECK(child_spis(w.b()) == Pairs{{5, 3}});
  CHECK(w.b().outbound_spi() == 3u);  // not left sending on nothing
  CHECK(w.a().accepts_inbound(3));
}

TEST_CASE(
    "RFC 7296 2.8.1: an RFC winner treats the peer's rekey of the SA it withheld as a plain rekey",
    "[collision][none]") {
  ScriptedWorld w(with_resolution(CollisionResolution::kNone), rfc_peer());
  none_vs_rfc_b_wins(w);
  w.a().forget_child(6);         // A no longer has CB (e.g. closed it as a duplicate)
  w.b().forget_child(4);         // ... and neither has B: B sends on nothing now
  w.a().request_rekey_child(3);  // A rekeys CA, which B withheld
  settle(w);
  w.advance(sim::seconds(6));
  REQUIRE(w.b().outbound_spi().has_value());
  CHECK(w.a().accepts_inbound(*w.b().outbound_spi()));
  CHECK(w.b().accepts_inbound(*w.a().outbound_spi()));
  CHECK(w.a().child_sas().size() == 1);
  CHECK(w.b().child_sas().size() == 1);
}

// Found by `rekeysim explore scenarios/explore/rfc7296-pair.yaml --max-loss 1
// --window 2s`: the collision of CC-11 with A's response to B's request lost.
// A decides on B's response; if A won (N2 or N4 lowest) its D(old) reaches B
// while B's own exchange is still open. B's retransmitted request gets A's
// cached response (2.1: the very message that was lost, same SA and nonce), and
// B must then settle the collision by the nonces as 2.8.1 says, even though
// more than the old SA's 5 s inbound-keep delay has passed: the old SA is kept
// for the rekey (strongSwan child_delete.c, CHILD_REKEY_COLLISION_OLD) and
// its inbound half goes only after B decided (child_rekey.c handle_collision
// -> child_delete_destroy_rekeyed). Before this was fixed B's timer destroyed
// the old SA with the collision and B installed the late answer as a plain
// rekey: two SA pairs at B, B's redundant SA never deleted (held at A too).
//
//   --> CCS {N(REKEY_SA,1), SA(3), N1}      <-- CCS {N(REKEY_SA,2), SA(4), N2}
//   <-- CCS {SA(6), N3}  A decides           --> CCS {SA(5), N4}   (lost)
//   --> INFORMATIONAL {D(1) | D(3)}          <-- INFORMATIONAL {D(2) | D(6)}
//   (B's retransmit timer 4 s, old-SA inbound-keep delay 5 s both pass)
//   <-- (retransmit) CCS {N(REKEY_SA,2), SA(4), N2}
//   --> (retransmit) CCS {SA(5), N4}    B decides
//   <-- INFORMATIONAL {D(4) | D(2)}          --> INFORMATIONAL {D(5) | D(1)}
TEST_CASE(
    "RFC 7296 2.8.1 and 2.1: collision settled by nonces when the lost response is retransmitted "
    "after the winner's DELETE and the inbound-keep delay",
    "[collision][loss]") {
  const Lowest lowest = GENERATE(Lowest::kN1, Lowest::kN2, Lowest::kN3, Lowest::kN4);
  INFO("lowest nonce " << name(lowest));
  const bool aw = a_wins(lowest);
  ScriptedWorld w(rfc_peer(), rfc_peer());
  w.establish(A);
  force_lowest(w, lowest);
  w.a().request_rekey_child(1);
  w.b().request_rekey_child(2);
  w.deliver(A);     // B's request at A: collision noted, A answers SA(5)
  w.deliver(B, 0);  // A's request at B: collision noted, B answers SA(6)
  w.deliver(A);     // B's response at A: A decides
  REQUIRE(w.in_flight(B) == 2);
  const models::Message lost = w.peek(B, 0);
  CHECK(models::scripted::describe(lost) == "CREATE_CHILD_SA response 0 {SA(ESP,5), Nonce, TS}");
  w.drop(B, 0);  // A's response to B's request is lost
  settle(w);     // A's DELETE exchange
  if (aw) {
    // B adopted A's SA on D(old) but keeps the old SA (inbound) and the
    // collision until its own exchange is answered: no inbound-keep timer yet.
    CHECK(w.b().outbound_spi() == 3u);
    CHECK(state_of(w.b(), 2) == ChildSaState::kDeleted);
    CHECK(w.b().accepts_inbound(2));
    CHECK(w.timers_pending(B, TimerKind::kDestroyInbound) == 0);
  }
  w.advance(sim::seconds(6));  // B retransmits (4 s); A's old inbound half goes (5 s)
  REQUIRE(w.in_flight(A) == 1);
  CHECK(describe_first(w, A) == "CREATE_CHILD_SA request 0 {N(REKEY_SA,2), SA(ESP,4), Nonce, TS}");
  // The old SA outlived its 5 s: the collision is still registered there.
  if (aw) CHECK(w.b().accepts_inbound(2));
  w.deliver(A);  // the retransmitted request: A resends its cached response (2.1)
  REQUIRE(w.in_flight(B) == 1);
  const models::Message again = w.peek(B, 0);
  CHECK(models::scripted::describe(again) == models::scripted::describe(lost));
  CHECK(again.nonce.bytes == lost.nonce.bytes);
  w.deliver(B);  // B decides: the loser deletes its own redundant SA, the winner the old one
  REQUIRE(w.in_flight(A) == 1);
  CHECK(describe_first(w, A) ==
        (aw ? "INFORMATIONAL request 1 {D(ESP,4)}" : "INFORMATIONAL request 1 {D(ESP,2)}"));
  settle(w);
  w.advance(sim::seconds(6));
  CHECK(w.in_flight(A) + w.in_flight(B) == 0);
  // One pair left at each peer, the winner's: A 3 / B 6 if A won, else B 4 / A 5.
  CHECK(child_spis(w.a()) == (aw ? Pairs{{3, 6}} : Pairs{{5, 4}}));
  CHECK(child_spis(w.b()) == (aw ? Pairs{{6, 3}} : Pairs{{4, 5}}));
  CHECK(w.count(TraceKind::kCollisionResolved, A) == 1);
  CHECK(w.count(TraceKind::kCollisionResolved, B) == 1);
  CHECK(w.count(TraceKind::kDeleteForUnknownSpi) == 0);
  CHECK(w.ladder() ==
        std::vector<std::string>{
            "A->B CREATE_CHILD_SA request 2 {N(REKEY_SA,1), SA(ESP,3), Nonce, TS}",
            "B->A CREATE_CHILD_SA request 0 {N(REKEY_SA,2), SA(ESP,4), Nonce, TS}",
            "A->B CREATE_CHILD_SA response 0 {SA(ESP,5), Nonce, TS}",
            "B->A CREATE_CHILD_SA response 2 {SA(ESP,6), Nonce, TS}",
            aw ? "A->B INFORMATIONAL request 3 {D(ESP,1)}"
               : "A->B INFORMATIONAL request 3 {D(ESP,3)}",
            aw ? "B->A INFORMATIONAL response 3 {D(ESP,2)}"
               : "B->A INFORMATIONAL response 3 {D(ESP,6)}",
            "B->A (retransmit) CREATE_CHILD_SA request 0 {N(REKEY_SA,2), SA(ESP,4), Nonce, TS}",
            "A->B (retransmit) CREATE_CHILD_SA response 0 {SA(ESP,5), Nonce, TS}",
            aw ? "B->A INFORMATIONAL request 1 {D(ESP,4)}"
               : "B->A INFORMATIONAL request 1 {D(ESP,2)}",
            aw ? "A->B INFORMATIONAL response 1 {D(ESP,5)}"
               : "A->B INFORMATIONAL response 1 {D(ESP,1)}",
        });
}

// The same order with B's old SA reaching its hard lifetime while B still
// waits for its answer (found by explore on strongswan-lab.yaml, 30 s
// lifetimes, --window 6s). The expired SA may carry nothing (2.8), but the
// collision recorded on it still decides which SA B deletes (2.8.1).
TEST_CASE(
    "RFC 7296 2.8.1 and 2.8: collision settled by nonces when the old SA hard-expires before "
    "the retransmitted response",
    "[collision][loss]") {
  const Lowest lowest = GENERATE(Lowest::kN2, Lowest::kN4);  // A wins: D(1) reaches B first
  INFO("lowest nonce " << name(lowest));
  ScriptedWorld w(rfc_peer(), rfc_peer());
  w.establish(A);
  force_lowest(w, lowest);
  w.a().request_rekey_child(1);
  w.b().request_rekey_child(2);
  w.deliver(A);
  w.deliver(B, 0);
  w.deliver(A);
  w.drop(B, 0);  // A's response to B's request is lost
  settle(w);     // A's D(1) at B, answered with D(2)
  w.b().on_timer(TimerKind::kChildHardExpire, 2);
  CHECK(!w.b().accepts_inbound(2));  // 2.8: no longer used
  CHECK(state_of(w.b(), 2) == ChildSaState::kDeleted);
  CHECK(w.in_flight(A) == 0);  // no DELETE: A already deleted it
  w.advance(sim::seconds(6));
  REQUIRE(w.in_flight(A) == 1);
  w.deliver(A);  // retransmitted request, cached response
  w.deliver(B);  // B decides: it lost, so it deletes its own SA 4
  REQUIRE(w.in_flight(A) == 1);
  CHECK(describe_first(w, A) == "INFORMATIONAL request 1 {D(ESP,4)}");
  settle(w);
  w.advance(sim::seconds(6));
  CHECK(child_spis(w.a()) == Pairs{{3, 6}});
  CHECK(child_spis(w.b()) == Pairs{{6, 3}});
  CHECK(w.count(TraceKind::kCollisionResolved, B) == 1);
  CHECK(w.count(TraceKind::kDeleteForUnknownSpi) == 0);
}
