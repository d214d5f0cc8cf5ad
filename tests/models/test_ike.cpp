// IKE SA rekeying and deletion (RFC 7296 1.3.2, 2.8, 2.8.2, 2.25.2) and the
// Child-vs-IKE rekey collision (2.25.1). Re-expresses strongSwan's
// test_ike_rekey.c (IR-31, IC-35, IC-40, ID-46), test_ike_delete.c (DI-54)
// and test_child_rekey.c test_collision_ike_rekey (CX-29).
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace rekeysim_test;
using models::IkeCollisionWinner;
using models::Message;
using models::scripted::describe;

namespace {
std::uint64_t current(const Peer& p) {
  return p.ike_sa() ? p.ike_sa()->id : 0;
}
}  // namespace

// IR-31 (test_regular, both roles): plain IKE rekey.
//   --> CREATE_CHILD_SA {SA(IKE,3), Ni}       (no REKEY_SA, no TS)
//   <-- CREATE_CHILD_SA {SA(IKE,4), Nr}       B: new IKE SA takes the Child SAs
//   --> INFORMATIONAL {D(IKE)}                 over the old IKE SA, its last request
//   <-- INFORMATIONAL {}
// Message IDs on the new IKE SA restart at 0 (2.2).
TEST_CASE("RFC 7296 1.3.2: IKE SA rekey moves the Child SAs, message IDs restart (IR-31)",
          "[ike][IR-31]") {
  const bool a_is_ike_initiator = GENERATE(true, false);
  ScriptedWorld w(strongswan_peer(), strongswan_peer());
  w.establish(a_is_ike_initiator ? A : B);
  const std::string mid = a_is_ike_initiator ? "2" : "0";
  const std::string mid1 = a_is_ike_initiator ? "3" : "1";
  w.a().request_rekey_ike();
  w.deliver(B);
  CHECK(current(w.b()) == 3u);  // the responder uses the new IKE SA at once
  CHECK(w.timers_pending(B, TimerKind::kIkeForcedDelete) == 1);  // 90 s fallback
  w.deliver(A);
  CHECK(current(w.a()) == 3u);
  REQUIRE(w.in_flight(B) == 1);
  CHECK(w.peek(B).ike_sa == 1u);  // the DELETE goes over the old IKE SA
  settle(w);
  CHECK(w.ladder() == std::vector<std::string>{
                          "A->B CREATE_CHILD_SA request " + mid + " {SA(IKE,3), Nonce}",
                          "B->A CREATE_CHILD_SA response " + mid + " {SA(IKE,4), Nonce}",
                          "A->B INFORMATIONAL request " + mid1 + " {D(IKE)}",
                          "B->A INFORMATIONAL response " + mid1 + " {}",
                      });
  CHECK(w.a().ike_sas().size() == 1);
  CHECK(w.b().ike_sas().size() == 1);
  CHECK(w.timers_pending(B, TimerKind::kIkeForcedDelete) == 0);
  CHECK(w.a().child_sas().size() == 1);
  CHECK(w.b().child_sas().size() == 1);
  // The next exchange runs on the new IKE SA with message ID 0.
  w.clear_log();
  w.b().request_rekey_child(w.b().child_sas()[0].spi_in);
  REQUIRE(w.in_flight(A) == 1);
  CHECK(w.peek(A).ike_sa == 3u);
  CHECK(w.peek(A).message_id == 0u);
  settle(w);
  CHECK(w.count(TraceKind::kRekeyCompleted) == 2);
  CHECK(w.count(TraceKind::kTunnelDown) == 0);
}

// IC-35 (test_collision, 4 variants): both peers rekey the IKE SA at once.
//   --> CCS {SA(IKE,3), N1}        <-- CCS {SA(IKE,4), N2}
//   <-- CCS {SA(IKE,5), N3}        --> CCS {SA(IKE,6), N4}
//   The new IKE SA with the lowest nonce is redundant; its creator deletes it
//   over itself, the winner deletes the old IKE SA over the old SA; the
//   surviving new IKE SA inherits the Child SAs (2.8.2).
TEST_CASE("RFC 7296 2.8.2: simultaneous IKE SA rekey, lowest nonce loses (IC-35)", "[ike][IC-35]") {
  const Lowest lowest = GENERATE(Lowest::kN1, Lowest::kN2, Lowest::kN3, Lowest::kN4);
  ScriptedWorld w(strongswan_peer(), strongswan_peer());
  w.establish(A);
  force_lowest(w, lowest);
  w.a().request_rekey_ike();
  w.b().request_rekey_ike();
  w.deliver(B);
  w.deliver(A, 0);
  CHECK(w.count(TraceKind::kCollisionDetected) == 2);
  w.deliver(A);  // A decides
  w.deliver(B);  // B decides
  const bool aw = a_wins(lowest);
  const std::uint64_t kept = aw ? 3 : 4;
  CHECK(current(w.a()) == kept);
  CHECK(current(w.b()) == kept);
  // The winner's DELETE goes over the old IKE SA (1), the loser's over its
  // own redundant new IKE SA, where it is message 0.
  REQUIRE(w.in_flight(A) == 1);
  REQUIRE(w.in_flight(B) == 1);
  const Message& from_a = w.peek(B);
  const Message& from_b = w.peek(A);
  CHECK(describe(from_a) ==
        (aw ? "INFORMATIONAL request 3 {D(IKE)}" : "INFORMATIONAL request 0 {D(IKE)}"));
  CHECK(from_a.ike_sa == (aw ? 1u : 3u));
  CHECK(describe(from_b) ==
        (aw ? "INFORMATIONAL request 0 {D(IKE)}" : "INFORMATIONAL request 1 {D(IKE)}"));
  CHECK(from_b.ike_sa == (aw ? 4u : 1u));
  settle(w);
  CHECK(w.a().ike_sas().size() == 1);
  CHECK(w.b().ike_sas().size() == 1);
  CHECK(current(w.a()) == kept);
  CHECK(w.a().child_sas().size() == 1);
  CHECK(w.b().child_sas().size() == 1);
  CHECK(w.count(TraceKind::kTunnelDown) == 0);
  // Children now live on the surviving IKE SA: a Child rekey runs over it.
  w.a().request_rekey_child(w.a().child_sas()[0].spi_in);
  CHECK(w.peek(B).ike_sa == kept);
  settle(w);
  CHECK(w.count(TraceKind::kRekeyCompleted) == 2);
}

// RFC 4718 5.11.4 said the opposite: the IKE SA containing the lowest nonce
// inherits the Child SAs. A legacy peer and an RFC 7296 peer then both
// think they won and end on different IKE SAs.
TEST_CASE("RFC 4718 5.11.4 inverted IKE collision winner makes the peers disagree", "[ike][4718]") {
  PeerConfig legacy = strongswan_peer();
  legacy.behaviour.ike_collision_winner = IkeCollisionWinner::kRfc4718Inverted;
  ScriptedWorld w(legacy, strongswan_peer());
  w.establish(A);
  force_lowest(w, Lowest::kN1);  // RFC 7296: A's IKE SA (3) is redundant, B wins
  w.a().request_rekey_ike();
  w.b().request_rekey_ike();
  w.deliver(B);
  w.deliver(A, 0);
  w.deliver(A);
  w.deliver(B);
  CHECK(current(w.a()) == 3u);  // A thinks it won
  CHECK(current(w.b()) == 4u);  // so does B
  settle(w);
  w.advance(sim::seconds(31));  // each drops the other's "redundant" SA
  CHECK(current(w.a()) == 3u);
  CHECK(current(w.b()) == 4u);
  CHECK(w.a().ike_sas().size() == 1);
  CHECK(w.b().ike_sas().size() == 1);
}

// IC-40 (test_collision_delayed_response, 4 variants): IKE collision where
// B's response to A is held back until after B's DELETE.
TEST_CASE("RFC 7296 2.8.2: IKE collision with a delayed response (IC-40)", "[ike][IC-40]") {
  const Lowest lowest = GENERATE(Lowest::kN1, Lowest::kN2, Lowest::kN3, Lowest::kN4);
  ScriptedWorld w(strongswan_peer(), strongswan_peer());
  w.establish(A);
  force_lowest(w, lowest);
  w.a().request_rekey_ike();
  w.b().request_rekey_ike();
  w.deliver(B);     // B answers A (held in A's queue at index 0 after B's request)
  w.deliver(A, 0);  // A answers B
  w.deliver(B);     // B decides
  const bool aw = a_wins(lowest);
  REQUIRE(w.in_flight(A) == 2);
  if (!aw) {
    // B won: D over the old IKE SA. A did not decide yet, but the DELETE of
    // the old IKE SA tells it B's IKE SA survives.
    CHECK(w.peek(A, 1).ike_sa == 1u);
    w.deliver(A, 1);
    CHECK(current(w.a()) == 4u);
    w.deliver(B);
    w.deliver(A, 0);  // the delayed response on the gone IKE SA is dropped
    CHECK(w.in_flight(B) == 0);
    CHECK(w.b().ike_sas().size() == 2);  // A's redundant IKE SA waits for the 30 s job
    w.advance(sim::seconds(30));
    CHECK(w.b().ike_sas().size() == 1);
  } else {
    // B lost: it deletes its own IKE SA (4), which A cannot use yet.
    CHECK(w.peek(A, 1).ike_sa == 4u);
    w.deliver(A, 1);
    CHECK(w.in_flight(B) == 0);  // ignored
    w.deliver(A, 0);             // A decides: wins, deletes the old IKE SA
    CHECK(current(w.a()) == 3u);
    settle(w);
    w.advance(sim::seconds(4));  // B retransmits its DELETE of IKE SA 4
    REQUIRE(w.in_flight(A) == 1);
    settle(w);
  }
  const std::uint64_t kept = aw ? 3 : 4;
  CHECK(current(w.a()) == kept);
  CHECK(current(w.b()) == kept);
  CHECK(w.a().ike_sas().size() == 1);
  CHECK(w.b().ike_sas().size() == 1);
  CHECK(w.a().child_sas().size() == 1);
  CHECK(w.b().child_sas().size() == 1);
  CHECK(w.count(TraceKind::kTunnelDown) == 0);
}

// ID-46 (test_collision_delete, both roles): A rekeys the IKE SA while B
// closes it: B answers TEMPORARY_FAILURE, A answers the DELETE and forgets
// its rekey; both end without an IKE SA.
TEST_CASE("RFC 7296 2.25.2: IKE rekey crossing an IKE delete (ID-46)", "[ike][ID-46]") {
  const bool a_is_ike_initiator = GENERATE(true, false);
  ScriptedWorld w(strongswan_peer(), strongswan_peer());
  w.establish(a_is_ike_initiator ? A : B);
  w.a().request_rekey_ike();
  w.b().request_delete_ike();
  w.deliver(B);
  CHECK(describe(w.peek(A, 1)).find("{N(TEMPORARY_FAILURE)}") != std::string::npos);
  w.deliver(A, 0);  // the DELETE: answered empty, everything gone
  CHECK(describe_first(w, B).find("{}") != std::string::npos);
  CHECK(w.a().ike_sa() == nullptr);
  w.deliver(A);  // TEMPORARY_FAILURE for an IKE SA A no longer has: dropped
  w.deliver(B);
  CHECK(w.b().ike_sa() == nullptr);
  CHECK(w.a().child_sas().empty());
  CHECK(w.b().child_sas().empty());
  CHECK(w.in_flight(A) + w.in_flight(B) == 0);
}

// DI-54 (test_regular, both roles): plain IKE delete.
TEST_CASE("RFC 7296 1.4.1: IKE SA delete closes its Child SAs, empty response (DI-54)",
          "[ike][DI-54]") {
  const bool a_is_ike_initiator = GENERATE(true, false);
  ScriptedWorld w(strongswan_peer(), strongswan_peer());
  w.establish(a_is_ike_initiator ? A : B);
  w.a().request_delete_ike();
  w.deliver(B);
  CHECK(w.b().ike_sa() == nullptr);
  CHECK(w.b().child_sas().empty());
  CHECK(describe_first(w, A).find("INFORMATIONAL response") == 0);
  CHECK(describe_first(w, A).find("{}") != std::string::npos);
  w.deliver(A);
  CHECK(w.a().ike_sa() == nullptr);
  CHECK(w.a().child_sas().empty());
  CHECK(w.count(TraceKind::kTunnelDown) == 2);
}

// CX-29 (test_collision_ike_rekey, both roles): A rekeys Child SA C0 while B
// rekeys the IKE SA: each answers TEMPORARY_FAILURE (2.25.1, 2.25.2) and
// both schedule a retry; nothing changes.
//   --> CCS {N(REKEY_SA,1), SA(3)}      <-- CCS {SA(IKE,4)}
//   <-- CCS {N(TEMPORARY_FAILURE)}      --> CCS {N(TEMPORARY_FAILURE)}
TEST_CASE("RFC 7296 2.25.1/2.25.2: Child rekey vs IKE rekey, TEMPORARY_FAILURE both ways (CX-29)",
          "[ike][CX-29]") {
  const bool a_is_ike_initiator = GENERATE(true, false);
  ScriptedWorld w(strongswan_peer(), strongswan_peer());
  w.establish(a_is_ike_initiator ? A : B);
  const std::uint32_t a0 = a_is_ike_initiator ? 1 : 2;
  w.a().request_rekey_child(a0);
  w.b().request_rekey_ike();
  w.deliver(B);
  w.deliver(A, 0);
  CHECK(describe(w.peek(B)).find("{N(TEMPORARY_FAILURE)}") != std::string::npos);
  CHECK(describe(w.peek(A)).find("{N(TEMPORARY_FAILURE)}") != std::string::npos);
  w.deliver(A);
  w.deliver(B);
  CHECK(w.count(TraceKind::kNotifyReceived) == 2);
  CHECK(w.count(TraceKind::kRetryScheduled, A) == 1);
  CHECK(w.count(TraceKind::kRetryScheduled, B) == 1);
  CHECK(w.timers_pending(A, TimerKind::kRetryRekey) == 1);
  CHECK(w.timers_pending(B, TimerKind::kRetryRekey) == 1);
  CHECK(state_of(w.a(), a0) == ChildSaState::kInstalled);
  CHECK(current(w.a()) == 1u);
  CHECK(current(w.b()) == 1u);
  CHECK(w.b().ike_sa()->state == models::ikev2::IkeSaState::kEstablished);
  CHECK(w.a().child_sas().size() == 1);
  CHECK(w.b().child_sas().size() == 1);
  // The retries (6..15 s later, each at its own random time) then succeed.
  // (A child retrying its rekey still blocks an IKE rekey: another TEMPORARY_FAILURE.)
  run_settling(w, sim::seconds(40));
  CHECK(w.count(TraceKind::kIkeSaRekeyed) == 2);
  CHECK(w.count(TraceKind::kRekeyCompleted) == 2);
  CHECK(w.a().ike_sas().size() == 1);
  CHECK(current(w.a()) == current(w.b()));
}

// strongSwan ike_rekey.c: a plain IKE rekey responder closes the old IKE SA
// itself after 90 s when the initiator's DELETE never arrives. The two
// DELETEs of the old IKE SA then cross harmlessly.
TEST_CASE("IKE rekey responder force-deletes the old IKE SA after 90 s", "[ike][forced-delete]") {
  ScriptedWorld w(strongswan_peer(), strongswan_peer());
  w.establish(A);
  w.a().request_rekey_ike();
  w.deliver(B);
  w.deliver(A);
  while (w.now() < sim::seconds(90)) {
    w.drop_all(B);  // A's DELETE of IKE SA 1 and its retransmissions are lost
    w.run_until(w.now() + sim::milliseconds(500));
  }
  w.drop_all(B);
  REQUIRE(w.in_flight(A) == 1);
  CHECK(describe_first(w, A) == "INFORMATIONAL request 0 {D(IKE)}");
  CHECK(w.peek(A).ike_sa == 1u);
  w.deliver(A);  // crossing IKE DELETE: answered empty, old IKE SA gone at A
  w.deliver(B);
  CHECK(w.a().ike_sas().size() == 1);
  CHECK(w.b().ike_sas().size() == 1);
  CHECK(current(w.a()) == 3u);
  CHECK(current(w.b()) == 3u);
  CHECK(w.count(TraceKind::kTunnelDown) == 0);
  w.run_until(sim::seconds(300));
  CHECK(w.count(TraceKind::kTunnelDown) == 0);
}

// RFC 7296 2.8: an IKE SA whose rekey never succeeded is closed when it
// expires, and new SAs MAY be started: DELETE, tunnel down on both sides,
// then IKE_SA_INIT/IKE_AUTH from the expiring side after reestablish_delay.
TEST_CASE("RFC 7296 2.8: IKE SA hard expiry closes the tunnel, then it is rebuilt", "[ike][hard]") {
  PeerConfig c = strongswan_peer();
  c.behaviour.start_action = models::StartAction::kImmediate;
  ScriptedWorld w(strongswan_peer(), c);
  w.establish(A);
  w.b().on_timer(TimerKind::kIkeHardExpire, 1);
  CHECK(w.b().child_sas().empty());
  CHECK(w.count(TraceKind::kTunnelDown, B) == 1);
  CHECK(describe_first(w, A) == "INFORMATIONAL request 0 {D(IKE)}");
  settle(w);
  CHECK(w.a().ike_sa() == nullptr);
  CHECK(w.count(TraceKind::kTunnelDown, A) == 1);
  run_settling(w, sim::seconds(2));
  CHECK(w.count(TraceKind::kTunnelUp, A) == 2);  // establish() and the rebuild
  CHECK(w.count(TraceKind::kTunnelUp, B) == 2);
  REQUIRE(w.a().ike_sa() != nullptr);
  CHECK(w.a().ike_sa()->id == w.b().ike_sa()->id);
  CHECK(w.a().ike_sa()->role == models::ikev2::SaRole::kResponder);
  CHECK(w.a().child_sas().size() == 1);
  CHECK(w.a().outbound_spi().has_value());
  CHECK(w.b().accepts_inbound(*w.a().outbound_spi()));
}

TEST_CASE("RFC 7296 2.8: an IKE SA that hard-expires during its own rekey is gone at once",
          "[ike][hard]") {
  // The IKE rekey request is lost and retransmitted; the IKE SA's hard
  // lifetime ends while it is outstanding. The expired SA must not be used:
  // no further retransmission of the rekey, one DELETE, the tunnel down, and
  // re-establishment after reestablish_delay (1 s), not after the 165 s
  // retransmission give-up.
  PeerConfig c = strongswan_peer();
  c.behaviour.start_action = models::StartAction::kImmediate;
  ScriptedWorld w(c, strongswan_peer());
  w.establish(A);
  w.a().request_rekey_ike();
  REQUIRE(describe_first(w, B).rfind("CREATE_CHILD_SA request 2", 0) == 0);
  w.drop(B);
  w.advance(sim::seconds(5));  // one retransmission (after 4 s)
  REQUIRE(w.count(TraceKind::kRetransmit, A) == 1);
  w.drop_all(B);
  const std::uint64_t expired = w.a().ike_sa()->id;
  w.a().on_timer(TimerKind::kIkeHardExpire, expired);
  CHECK(w.a().ike_sas().empty());
  CHECK(w.a().child_sas().empty());
  CHECK(w.count(TraceKind::kTunnelDown, A) == 1);
  REQUIRE(w.in_flight(B) == 1);
  CHECK(describe_first(w, B) == "INFORMATIONAL request 3 {D(IKE)}");
  CHECK(w.timers_pending(A, TimerKind::kRetransmit) == 0);
  w.drop_all(B);  // the DELETE is not awaited either
  w.advance(sim::milliseconds(999));
  CHECK(w.count(TraceKind::kRetransmit, A) == 1);  // nothing more on the expired SA
  CHECK(w.in_flight(B) == 0);
  w.advance(sim::milliseconds(2));
  REQUIRE(w.in_flight(B) == 1);
  CHECK(w.peek(B).exchange == models::ExchangeType::kIkeSaInit);
}
