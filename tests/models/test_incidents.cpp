// Behaviours from real incidents (issue 11 part 3), each named by its source
// and the outcome it must produce. The scripted world delivers each message
// by hand, so the message order of each case is exact.
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace rekeysim_test;
using models::scripted::describe;

namespace {

// strongSwan 5.x (strongswan-5.9 profile): a DELETE for the SA being rekeyed
// closes it, and the rekey's new SA is then deleted as redundant.
PeerConfig strongswan_5x_peer() {
  PeerConfig c = strongswan_peer();
  c.behaviour.rekey_vs_delete = models::RekeyVsDelete::kCloseBoth;
  return c;
}

// PAN-OS as rekey responder: D(old) right behind its CREATE_CHILD_SA response.
PeerConfig panos_responder() {
  PeerConfig c = rfc_peer();
  c.behaviour.responder_deletes_old = true;
  c.behaviour.old_sa_delete_delay = {};
  return c;
}

// A (strongSwan, IKE initiator, SPI 1) rekeys C0 = 1/2; B (PAN-OS) answers
// and deletes C0 itself. Returns with both of B's messages waiting for A.
void rekey_answered_by_panos(ScriptedWorld& w) {
  w.establish(A);
  w.a().request_rekey_child(1);
  REQUIRE(describe_first(w, B) ==
          "CREATE_CHILD_SA request 2 {N(REKEY_SA,1), SA(ESP,3), Nonce, TS}");
  w.deliver(B);
  REQUIRE(w.in_flight(A) == 2);
}

}  // namespace

//   A (strongSwan 5.8.4)                              B (PAN-OS)
//   --> CREATE_CHILD_SA {N(REKEY_SA,1), SA(3), Ni}
//   <-- CREATE_CHILD_SA {SA(4), Nr}   \  < 0.5 ms apart, in this order
//   <-- INFORMATIONAL {D(2)}          /  on the wire
//   A processes D(2) first: "detected CHILD_REKEY collision with CHILD_DELETE",
//   C0 closed; then the response: "rekey/delete collision, deleting redundant
//   child" --> INFORMATIONAL {D(3)}. Neither peer has a Child SA left.
TEST_CASE(
    "strongSwan issue 1458: PAN-OS responder deletes the old SA right after its response, "
    "wrong-order receiver ends with no Child SA",
    "[incident][1458]") {
  ScriptedWorld w(strongswan_5x_peer(), panos_responder());
  rekey_answered_by_panos(w);
  CHECK(describe(w.peek(A, 0)) == "CREATE_CHILD_SA response 2 {SA(ESP,4), Nonce, TS}");
  CHECK(describe(w.peek(A, 1)) == "INFORMATIONAL request 0 {D(ESP,2)}");
  // B already sends on its new SA: it concluded the rekey itself.
  CHECK(w.b().outbound_spi() == 3u);

  w.deliver(A, 1);  // the DELETE overtakes the response inside the daemon
  CHECK(describe_first(w, B) == "INFORMATIONAL response 0 {D(ESP,1)}");
  CHECK(w.count(TraceKind::kCollisionDetected, A) == 1);
  CHECK_FALSE(w.a().outbound_spi().has_value());
  CHECK_FALSE(w.a().accepts_inbound(1));

  w.deliver(A, 0);  // the CREATE_CHILD_SA response
  // The new SA is never used: A deletes it as redundant.
  CHECK_FALSE(w.a().outbound_spi().has_value());
  REQUIRE(w.in_flight(B) == 2);
  CHECK(describe(w.peek(B, 1)) == "INFORMATIONAL request 3 {D(ESP,3)}");
  settle(w);
  w.advance(sim::seconds(10));
  CHECK(w.a().child_sas().empty());
  CHECK(w.b().child_sas().empty());
  CHECK_FALSE(w.a().outbound_spi().has_value());
  CHECK_FALSE(w.b().outbound_spi().has_value());
  // The IKE SA is fine: only the Child SA is gone (no tunnel reset).
  CHECK(w.a().ike_sa() != nullptr);
  CHECK(w.count(TraceKind::kTunnelDown) == 0);
}

// The same two messages processed in wire order: the response concludes the
// rekey, A's own D(2)... crosses B's D(2) (RFC 7296 1.4.1), and the new SA
// carries traffic. The PAN-OS behaviour alone does not lose the Child SA.
TEST_CASE(
    "strongSwan issue 1458: PAN-OS responder deletes the old SA, receiver in wire order keeps "
    "the new Child SA",
    "[incident][1458]") {
  ScriptedWorld w(strongswan_5x_peer(), panos_responder());
  rekey_answered_by_panos(w);
  w.deliver(A, 0);
  CHECK(w.a().outbound_spi() == 4u);
  w.deliver(A, 0);  // B's D(2) meets A's own DELETE of C0: crossing
  settle(w);
  w.advance(sim::seconds(10));
  CHECK(child_spis(w.a()) == Pairs{{3, 4}});
  CHECK(child_spis(w.b()) == Pairs{{4, 3}});
}

// strongSwan 6.0 (keep_until_response, CR-09): the wrong order is harmless.
TEST_CASE(
    "strongSwan 6.0 CR-09 reading of RFC 7296 2.25.1: PAN-OS DELETE before the response keeps "
    "the new Child SA",
    "[incident][1458]") {
  ScriptedWorld w(strongswan_peer(), panos_responder());
  rekey_answered_by_panos(w);
  w.deliver(A, 1);
  CHECK(w.a().outbound_spi() == 2u);  // still sending on C0 until the response
  w.deliver(A, 0);
  CHECK(w.a().outbound_spi() == 4u);
  settle(w);
  w.advance(sim::seconds(10));
  CHECK(child_spis(w.a()) == Pairs{{3, 4}});
  CHECK(child_spis(w.b()) == Pairs{{4, 3}});
}

// worker_race_window: each message waits U[0, W) for a worker. Two messages
// that arrive together are swapped with probability 1/2; over 200 seeds the
// count of swaps is Binomial(200, 1/2) (mean 100, sd 7.1): [70, 130] is
// +-4.2 sd. Messages arriving W or more apart are never swapped.
TEST_CASE(
    "strongSwan issue 1458: within the 0.5 ms worker race window the DELETE is processed first "
    "about half the time, never when the two arrive 0.5 ms apart",
    "[incident][1458]") {
  PeerConfig ss = strongswan_5x_peer();
  ss.behaviour.worker_race_window = sim::microseconds(500);
  int lost_together = 0;
  int lost_apart = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    for (const bool apart : {false, true}) {
      ScriptedWorld w(ss, panos_responder(), seed);
      w.establish(A);
      w.a().request_rekey_child(1);
      w.deliver(B);
      REQUIRE(w.in_flight(A) == 2);
      w.deliver(A, 0);
      if (apart) w.advance(sim::microseconds(500));
      w.deliver(A, 0);
      run_settling(w, w.now() + sim::seconds(10));
      const bool lost = w.a().child_sas().empty();
      if (!lost) CHECK(child_spis(w.a()) == Pairs{{3, 4}});
      (apart ? lost_apart : lost_together) += lost ? 1 : 0;
    }
  }
  CHECK(lost_together >= 70);
  CHECK(lost_together <= 130);
  CHECK(lost_apart == 0);
}

// ---- Collision-resolution variants shipped by real implementations -------

namespace {

PeerConfig inverted_peer() {
  PeerConfig c = rfc_peer();
  c.behaviour.collision_resolution = models::CollisionResolution::kInverted;
  return c;
}

// CC-11's exchange (A rekeys C0 as 1/2 with SA 3, B with SA 4; B answers
// with 5, A with 6), both requests crossing, then everything delivered.
void simultaneous_rekey(ScriptedWorld& w, Lowest lowest) {
  w.establish(A);
  force_lowest(w, lowest);
  w.a().request_rekey_child(1);
  w.b().request_rekey_child(2);
  w.deliver(B);
  w.deliver(A);
  w.deliver(A);
  w.deliver(B);
}

}  // namespace

//   A (OpenIKED, inverted)                          B (RFC 7296)
//   --> CREATE_CHILD_SA {N(REKEY_SA,1), SA(3), N1}    (crossing)
//       CREATE_CHILD_SA {N(REKEY_SA,2), SA(4), N2} <--
//   <-- CREATE_CHILD_SA {SA(5), N3}   CREATE_CHILD_SA {SA(6), N4} -->
//   N2 lowest: 2.8.1 makes B's SA (4/6) redundant. B deletes it, as the
//   RFC says; A, comparing the wrong nonces, also "loses" and deletes its
//   own (3/5). Each waits for the other's D(old), which never comes: C0
//   stays, REKEYED at both, is never rekeyed again and hard-expires.
TEST_CASE(
    "OpenIKED PR 83: inverted nonce comparison vs an RFC peer, lowest nonce in the RFC peer's "
    "exchange, both delete the SA they created and the old SA hard-expires with no successor",
    "[collision][inverted]") {
  ScriptedWorld w(inverted_peer(), rfc_peer());
  simultaneous_rekey(w, Lowest::kN2);
  REQUIRE(w.in_flight(A) == 1);
  REQUIRE(w.in_flight(B) == 1);
  CHECK(describe_first(w, B) == "INFORMATIONAL request 3 {D(ESP,3)}");
  CHECK(describe_first(w, A) == "INFORMATIONAL request 1 {D(ESP,4)}");
  settle(w);
  w.advance(sim::seconds(6));
  settle(w);
  // Only C0 is left, still carrying traffic both ways.
  CHECK(child_spis(w.a()) == Pairs{{1, 2}});
  CHECK(child_spis(w.b()) == Pairs{{2, 1}});
  CHECK(w.a().outbound_spi() == 2u);
  CHECK(w.b().outbound_spi() == 1u);
  // Its rekey time has passed; at its 8 h hard lifetime it is gone: outage.
  // Nothing replaced it, so the start action applies (here: none).
  w.advance(sim::hours(8));
  CHECK_FALSE(w.a().outbound_spi().has_value());
  CHECK_FALSE(w.b().outbound_spi().has_value());
  CHECK(w.count(TraceKind::kRekeyStarted) == 2);  // the colliding pair, nothing after
}

// N1 lowest: 2.8.1 makes A's SA (3/5) redundant. B, the RFC winner, uses its
// own SA and withholds A's; A, inverted, also "wins", uses its own and
// withholds B's. Both delete C0 (the DELETEs cross, 1.4.1). Each SA carries
// one direction; neither is ever deleted: a redundant SA is kept.
TEST_CASE(
    "OpenIKED PR 83: inverted nonce comparison vs an RFC peer, lowest nonce in the inverted "
    "peer's exchange, both win and the redundant SA is kept, one SA per direction",
    "[collision][inverted]") {
  ScriptedWorld w(inverted_peer(), rfc_peer());
  simultaneous_rekey(w, Lowest::kN1);
  CHECK(describe_first(w, B) == "INFORMATIONAL request 3 {D(ESP,1)}");
  CHECK(describe_first(w, A) == "INFORMATIONAL request 1 {D(ESP,2)}");
  settle(w);
  w.advance(sim::seconds(6));
  settle(w);
  CHECK(child_spis(w.a()) == Pairs{{3, 5}, {6, 4}});
  CHECK(child_spis(w.b()) == Pairs{{4, 6}, {5, 3}});
  CHECK(w.a().outbound_spi() == 5u);  // A sends on its own SA
  CHECK(w.b().outbound_spi() == 6u);  // B on its own
  CHECK(w.b().accepts_inbound(5));
  CHECK(w.a().accepts_inbound(6));
}

// Two OpenIKED peers with the same inverted rule agree on which SA is
// redundant (the one RFC 7296 would keep): one SA is left, as with the RFC.
TEST_CASE(
    "OpenIKED PR 83: two peers with the inverted comparison agree with each other, one Child SA "
    "is left",
    "[collision][inverted]") {
  const Lowest lowest = GENERATE(Lowest::kN1, Lowest::kN2, Lowest::kN3, Lowest::kN4);
  ScriptedWorld w(inverted_peer(), inverted_peer());
  simultaneous_rekey(w, lowest);
  settle(w);
  w.advance(sim::seconds(6));
  settle(w);
  // The RFC's redundant SA survives: A's SA when A's exchange held the lowest nonce.
  const bool a_exchange_lowest = lowest == Lowest::kN1 || lowest == Lowest::kN3;
  CHECK(child_spis(w.a()) == (a_exchange_lowest ? Pairs{{3, 5}} : Pairs{{6, 4}}));
  CHECK(child_spis(w.b()) == (a_exchange_lowest ? Pairs{{5, 3}} : Pairs{{4, 6}}));
}

// strongSwan 4.1.0-4.5.0 settled both collisions with "if we have the lower
// nonce" -> won (child_rekey.c handle_collision(), ike_rekey.c process_i()),
// the reverse of RFC 4306 2.8 / RFC 7296 2.8.1; commit 1ed482d808 ("Fix
// nonce comparison in rekey collisions, lowest nonce loses", 2011-01-07,
// released in 4.5.1) flipped both compares.

namespace {

PeerConfig strongswan4_peer() {
  PeerConfig c = strongswan_peer();
  c.behaviour.collision_resolution = models::CollisionResolution::kStrongswan4LowestWins;
  return c;
}

}  // namespace

//   A (strongSwan 4.5.0)                            B (RFC 7296)
//   --> CREATE_CHILD_SA {N(REKEY_SA,1), SA(3), N1}    (crossing)
//       CREATE_CHILD_SA {N(REKEY_SA,2), SA(4), N2} <--
//   <-- CREATE_CHILD_SA {SA(5), N3}   CREATE_CHILD_SA {SA(6), N4} -->
//   Lowest nonce in B's exchange (N2, N4): 2.8.1 makes B's SA redundant; B
//   deletes it and A, whose exchange lacks the lowest nonce, "loses" too and
//   deletes its own: only the old SA is left, never rekeyed again.
//   Lowest nonce in A's exchange (N1, N3): both "win", both delete the old
//   SA (crossing DELETEs, 1.4.1) and each sends on its own new SA.
TEST_CASE(
    "strongSwan 4.5.0 child_rekey.c (fixed by 1ed482d808 in 4.5.1): the lowest nonce wins, so "
    "against an RFC peer both delete their new SA or both keep it",
    "[collision][strongswan4]") {
  const Lowest lowest = GENERATE(Lowest::kN1, Lowest::kN2, Lowest::kN3, Lowest::kN4);
  const bool rfc_peer_lost = a_wins(lowest);  // the lowest nonce is in B's exchange
  ScriptedWorld w(strongswan4_peer(), rfc_peer());
  simultaneous_rekey(w, lowest);
  REQUIRE(w.in_flight(A) == 1);
  REQUIRE(w.in_flight(B) == 1);
  if (rfc_peer_lost) {
    CHECK(describe_first(w, B) == "INFORMATIONAL request 3 {D(ESP,3)}");
    CHECK(describe_first(w, A) == "INFORMATIONAL request 1 {D(ESP,4)}");
  } else {
    CHECK(describe_first(w, B) == "INFORMATIONAL request 3 {D(ESP,1)}");
    CHECK(describe_first(w, A) == "INFORMATIONAL request 1 {D(ESP,2)}");
  }
  settle(w);
  w.advance(sim::seconds(6));
  settle(w);
  if (rfc_peer_lost) {
    // Both new SAs deleted by their creators: the old SA carries on alone.
    CHECK(child_spis(w.a()) == Pairs{{1, 2}});
    CHECK(child_spis(w.b()) == Pairs{{2, 1}});
    CHECK(w.a().outbound_spi() == 2u);
    CHECK(w.b().outbound_spi() == 1u);
  } else {
    // The redundant SA is kept: one SA per direction, two pairs at each peer.
    CHECK(child_spis(w.a()) == Pairs{{3, 5}, {6, 4}});
    CHECK(child_spis(w.b()) == Pairs{{4, 6}, {5, 3}});
    CHECK(w.a().outbound_spi() == 5u);
    CHECK(w.b().outbound_spi() == 6u);
  }
  CHECK(w.count(TraceKind::kDeleteForUnknownSpi) == 0);
}

// Two strongSwan 4.5.0 peers invert alike and agree: one Child SA is left,
// the one RFC 7296 would have closed.
TEST_CASE(
    "strongSwan 4.5.0 child_rekey.c: two peers with the lowest-wins compare agree, the SA "
    "holding the lowest nonce is the one left",
    "[collision][strongswan4]") {
  const Lowest lowest = GENERATE(Lowest::kN1, Lowest::kN2, Lowest::kN3, Lowest::kN4);
  ScriptedWorld w(strongswan4_peer(), strongswan4_peer());
  simultaneous_rekey(w, lowest);
  settle(w);
  w.advance(sim::seconds(6));
  settle(w);
  const bool a_exchange_lowest = !a_wins(lowest);
  CHECK(child_spis(w.a()) == (a_exchange_lowest ? Pairs{{3, 5}} : Pairs{{6, 4}}));
  CHECK(child_spis(w.b()) == (a_exchange_lowest ? Pairs{{5, 3}} : Pairs{{4, 6}}));
  CHECK(w.count(TraceKind::kCollisionResolved) == 2);
}

// The same compare in ike_rekey.c (RFC 7296 2.8.2), against a strongSwan 6
// peer. Lowest nonce N1, in A's exchange: RFC 7296 makes A's new IKE SA (3)
// redundant; A "wins" and keeps it, B wins by the RFC and keeps its own (4);
// each deletes the old IKE SA, then the other's new one after the redundant
// SA timeout, and they end on different IKE SAs (as RFC 4718 5.11.4 vs 7296).
// Lowest nonce N2, in B's exchange: both "lose", each adopts the other's new
// IKE SA and deletes its own over it, i.e. the very SA the other adopted:
// both IKE SAs and with them the Child SA are gone.
//   --> INFORMATIONAL {D(IKE)} over 3        <-- INFORMATIONAL {D(IKE)} over 4
TEST_CASE(
    "strongSwan 4.5.0 ike_rekey.c (fixed by 1ed482d808 in 4.5.1): the lowest nonce wins the "
    "simultaneous IKE SA rekey, so against an RFC peer both keep their own IKE SA or both lose "
    "every IKE SA",
    "[ike][collision][strongswan4]") {
  const Lowest lowest = GENERATE(Lowest::kN1, Lowest::kN2);
  const bool both_win = lowest == Lowest::kN1;
  ScriptedWorld w(strongswan4_peer(), strongswan_peer());
  w.establish(A);
  force_lowest(w, lowest);
  w.a().request_rekey_ike();
  w.b().request_rekey_ike();
  w.deliver(B);
  w.deliver(A, 0);
  w.deliver(A);  // A decides
  w.deliver(B);  // B decides
  auto current = [](const Peer& p) -> std::uint64_t { return p.ike_sa() ? p.ike_sa()->id : 0; };
  REQUIRE(w.in_flight(A) == 1);
  REQUIRE(w.in_flight(B) == 1);
  if (both_win) {
    CHECK(current(w.a()) == 3u);
    CHECK(current(w.b()) == 4u);
    CHECK(describe_first(w, B) == "INFORMATIONAL request 3 {D(IKE)}");
    CHECK(w.peek(B).ike_sa == 1u);  // the old IKE SA, from both
    CHECK(w.peek(A).ike_sa == 1u);
  } else {
    CHECK(current(w.a()) == 4u);  // each adopted the other's new IKE SA
    CHECK(current(w.b()) == 3u);
    CHECK(describe_first(w, B) == "INFORMATIONAL request 0 {D(IKE)}");
    CHECK(w.peek(B).ike_sa == 3u);  // A deletes 3, which B adopted
    CHECK(w.peek(A).ike_sa == 4u);  // B deletes 4, which A adopted
  }
  settle(w);
  w.advance(sim::seconds(31));
  settle(w);
  if (both_win) {
    CHECK(current(w.a()) == 3u);
    CHECK(current(w.b()) == 4u);
    CHECK(w.a().ike_sas().size() == 1);
    CHECK(w.b().ike_sas().size() == 1);
    CHECK(w.a().child_sas().size() == 1);
    CHECK(w.b().child_sas().size() == 1);
  } else {
    CHECK(w.a().ike_sas().empty());
    CHECK(w.b().ike_sas().empty());
    CHECK(w.a().child_sas().empty());
    CHECK(w.b().child_sas().empty());
    CHECK(w.count(TraceKind::kTunnelDown, A) == 1);
    CHECK(w.count(TraceKind::kTunnelDown, B) == 1);
  }
}

namespace {

// A strongSwan 6 winner that keeps no inbound half after a DELETE
// (inbound_keep_delay 0, as the panos profile): what the loser sends on the
// SA it deletes is lost from the winner's DELETE processing on.
PeerConfig no_keep_winner() {
  PeerConfig c = strongswan_peer();
  c.behaviour.inbound_keep_delay = {};
  return c;
}

}  // namespace

// strongSwan 5.0.0-5.5.3 decided like 5.6+ (the min-nonce compare), but its
// rekey initiator installed the outbound half of the new SA with the
// response, before handle_collision() ran; commit 15e745cf4d ("child-rekey:
// Don't install outbound SA in case of lost collisions", 5.6.0) split that
// because it "might have caused traffic loss depending on the timing of the
// DELETEs". Lowest nonce N1: A's exchange made the redundant SA.
//   A (strongSwan 5.5)                                B (strongSwan 6)
//   ... CC-11's four CREATE_CHILD_SA messages ...
//   A lost, sends on its new SA (A->B SPI 5)          B won, withholds 5/3
//   --> INFORMATIONAL {D(ESP,3)}   B drops 5/3 on the request (1.4.1, no
//                                  inbound-keep delay)
//   A keeps sending on 5 until the response: B no longer accepts it.
TEST_CASE(
    "strongSwan 5.5 child_rekey.c (fixed by 15e745cf4d in 5.6.0): the collision loser sends on "
    "its redundant SA, which the winner drops on the loser's DELETE before the response",
    "[collision][strongswan55]") {
  PeerConfig a = strongswan_peer();
  a.behaviour.collision_resolution = models::CollisionResolution::kStrongswanPre56MinNonce;
  ScriptedWorld w(a, no_keep_winner());
  simultaneous_rekey(w, Lowest::kN1);
  REQUIRE(w.in_flight(B) == 1);
  CHECK(describe_first(w, B) == "INFORMATIONAL request 3 {D(ESP,3)}");
  CHECK(w.a().outbound_spi() == 5u);  // the loser sends on the SA it is deleting
  CHECK(w.b().accepts_inbound(5));
  w.deliver(B);  // A's DELETE at B: B closes 5/3 at once
  CHECK_FALSE(w.b().accepts_inbound(5));
  CHECK(w.a().outbound_spi() == 5u);  // A still sends on it: lost at B
  settle(w);
  w.advance(sim::seconds(6));
  settle(w);
  CHECK(child_spis(w.a()) == Pairs{{6, 4}});
  CHECK(child_spis(w.b()) == Pairs{{4, 6}});
  CHECK(w.a().outbound_spi() == 4u);
  CHECK(w.count(TraceKind::kDeleteForUnknownSpi) == 0);
}

// The 5.6+ loser, same order: it keeps sending on the old SA, which the
// winner accepts until its own D(old) is answered and the keep delay ends.
TEST_CASE(
    "strongSwan 5.6 child_rekey.c: the collision loser keeps sending on the old SA, which the "
    "winner still accepts while the loser's DELETE is answered",
    "[collision][strongswan55]") {
  ScriptedWorld w(strongswan_peer(), no_keep_winner());
  simultaneous_rekey(w, Lowest::kN1);
  CHECK(w.a().outbound_spi() == 2u);
  w.deliver(B);
  REQUIRE(w.a().outbound_spi().has_value());
  CHECK(w.b().accepts_inbound(*w.a().outbound_spi()));
}

// ---- IKE reauthentication (RFC 7296 2.8.3), break-before-make ------------

namespace {

PeerConfig reauthenticating(PeerConfig c,
                            models::ReauthMode mode = models::ReauthMode::kBreakBeforeMake) {
  c.behaviour.reauth_time = sim::hours(1);
  c.behaviour.reauth_mode = mode;
  return c;
}

}  // namespace

//   A (reauth_time 1h, break-before-make)            B
//   t = 1h: A closes its Child SA and IKE SA
//   --> INFORMATIONAL {D(IKE)}                        B: everything gone
//   <-- INFORMATIONAL {}
//   --> IKE_SA_INIT {SA(IKE), KE, Ni}                 (at once, on the response)
//   <-- IKE_SA_INIT {SA(IKE), KE, Nr}
//   --> IKE_AUTH {SA(ESP), TS}                        B: new Child SA
//   <-- IKE_AUTH {SA(ESP), TS}                        A: new Child SA
//   No Child SA at A from the DELETE until the IKE_AUTH response: three
//   round trips of outage (two at B).
TEST_CASE(
    "RFC 7296 2.8.3 and strongSwan make_before_break=no: break-before-make reauthentication "
    "deletes the IKE SA first, re-establishes on the DELETE's response, no Child SA in between",
    "[reauth]") {
  ScriptedWorld w(reauthenticating(rfc_peer()), rfc_peer());
  w.establish(A);
  const auto first_ike = w.a().ike_sa()->id;
  w.advance(sim::hours(1));
  REQUIRE(w.in_flight(B) == 1);
  CHECK(describe_first(w, B) == "INFORMATIONAL request 2 {D(IKE)}");
  CHECK(w.a().child_sas().empty());
  CHECK(w.count(TraceKind::kTunnelDown, A) == 1);
  w.deliver(B);
  CHECK(w.b().child_sas().empty());
  CHECK(w.b().ike_sa() == nullptr);
  w.deliver(A);  // the DELETE's response: IKE_SA_INIT leaves at once
  REQUIRE(w.in_flight(B) == 1);
  CHECK(w.peek(B).exchange == models::ExchangeType::kIkeSaInit);
  CHECK(w.a().child_sas().empty());
  w.deliver(B);
  w.deliver(A);  // IKE_SA_INIT response -> IKE_AUTH request
  CHECK(w.peek(B).exchange == models::ExchangeType::kIkeAuth);
  w.deliver(B);  // B installs its Child SA on the request
  CHECK(w.b().outbound_spi().has_value());
  CHECK_FALSE(w.a().outbound_spi().has_value());
  w.deliver(A);  // A on the response
  REQUIRE(w.a().outbound_spi().has_value());
  CHECK(w.b().accepts_inbound(*w.a().outbound_spi()));
  CHECK(w.a().accepts_inbound(*w.b().outbound_spi()));
  CHECK(w.a().ike_sa()->id != first_ike);
  CHECK(w.count(TraceKind::kTunnelUp, A) == 2);  // establish, then the reauthentication
  // The next reauthentication is an hour after this IKE_AUTH.
  CHECK(w.timers_pending(A, TimerKind::kReauth) == 1);
}

// Both peers reach reauth_time together: their IKE DELETEs cross. Each
// answers the other's and keeps its IKE SA until its own DELETE is answered
// (strongSwan ike_delete "simultaneous"), so both re-establish and their
// IKE_SA_INITs cross too. Both complete; rfc7296 (duplicate_ike_sa
// keep_both) keeps the two IKE SAs and two Child SAs
// (tests/models/test_duplicate_ike.cpp has strongSwan's uniqueness rule).
TEST_CASE(
    "RFC 7296 2.8.3: both peers reauthenticate at once, crossing DELETEs are both answered, both "
    "re-establish and both crossing IKE_SA_INITs complete (two IKE SAs, two Child SAs)",
    "[reauth]") {
  ScriptedWorld w(reauthenticating(rfc_peer()), reauthenticating(rfc_peer()));
  w.establish(A);
  w.advance(sim::hours(1));
  REQUIRE(w.in_flight(A) == 1);
  REQUIRE(w.in_flight(B) == 1);
  w.deliver(A);  // B's DELETE at A while A's own is outstanding
  w.deliver(B);
  CHECK(w.a().ike_sa() != nullptr);  // kept for its own DELETE's response
  w.deliver(A);
  w.deliver(B);  // both responses: both start IKE_SA_INIT
  CHECK(w.a().ike_sas().size() == 1);
  CHECK(w.b().ike_sas().size() == 1);
  REQUIRE(w.in_flight(A) == 1);
  REQUIRE(w.in_flight(B) == 1);
  settle(w);
  REQUIRE(w.a().ike_sas().size() == 2);
  REQUIRE(w.b().ike_sas().size() == 2);
  for (const auto& i : w.a().ike_sas()) {
    CHECK(i.state == models::ikev2::IkeSaState::kEstablished);
    CHECK((i.id == w.b().ike_sas()[0].id || i.id == w.b().ike_sas()[1].id));
  }
  CHECK(w.a().child_sas().size() == 2);
  CHECK(w.b().child_sas().size() == 2);
  for (const auto& c : w.a().child_sas()) CHECK(w.b().accepts_inbound(c.spi_out));
  CHECK(w.b().accepts_inbound(*w.a().outbound_spi()));
  CHECK(w.a().accepts_inbound(*w.b().outbound_spi()));
}

// The same, with trap policies (start_action on_traffic): the expiry of the
// old SA, whose replacement both peers deleted, leaves each peer waiting for
// traffic to re-create the Child SA, as after any SA lost unreplaced.
TEST_CASE(
    "OpenIKED PR 83: after both delete their new SA the old SA's hard expiry hands the tunnel to "
    "the start action (trap: re-create on traffic)",
    "[collision][inverted]") {
  PeerConfig a = inverted_peer();
  PeerConfig b = rfc_peer();
  a.behaviour.start_action = b.behaviour.start_action = models::StartAction::kOnTraffic;
  ScriptedWorld w(a, b);
  simultaneous_rekey(w, Lowest::kN2);
  settle(w);
  w.advance(sim::seconds(6));
  settle(w);
  CHECK_FALSE(w.a().wants_traffic_trigger());
  w.advance(sim::hours(8));
  CHECK_FALSE(w.a().outbound_spi().has_value());
  CHECK(w.a().wants_traffic_trigger());
  CHECK(w.b().wants_traffic_trigger());
}

// ---- IKE reauthentication (RFC 7296 2.8.3), make-before-break ------------

//   A (reauth_time 1h, make_before_break)                  B
//   --> IKE_SA_INIT {SA(IKE), KE, Ni}   (new IKE SA Y; no INITIAL_CONTACT)
//   <-- IKE_SA_INIT
//   --> IKE_AUTH {SA(ESP), TS}                              B: C1 in Y, sends on C1
//   <-- IKE_AUTH                                            A: C1, sends on C1
//   --> INFORMATIONAL {D(IKE)} on the old IKE SA X          B: X and C0 gone
//   <-- INFORMATIONAL {}                                    A: X and C0 gone
//   Both peers have an outbound SA the other accepts at every step.
TEST_CASE(
    "RFC 7296 2.8.3 and strongSwan 6 make_before_break: the new IKE SA and Child SA are up before "
    "the old IKE SA is deleted, no moment without a Child SA",
    "[reauth]") {
  ScriptedWorld w(reauthenticating(rfc_peer(), models::ReauthMode::kMakeBeforeBreak), rfc_peer());
  w.establish(A);
  const auto old_ike = w.a().ike_sa()->id;
  auto both_send = [&] {
    REQUIRE(w.a().outbound_spi().has_value());
    REQUIRE(w.b().outbound_spi().has_value());
    CHECK(w.b().accepts_inbound(*w.a().outbound_spi()));
    CHECK(w.a().accepts_inbound(*w.b().outbound_spi()));
  };
  w.advance(sim::hours(1));
  REQUIRE(w.in_flight(B) == 1);
  CHECK(w.peek(B).exchange == models::ExchangeType::kIkeSaInit);
  CHECK(w.peek(B).reauth);
  both_send();
  // At every step both send on some Child SA. (Between B's IKE_AUTH response
  // and its arrival B already sends on C1, which A installs on that response:
  // the message installing it is ahead of B's packets.)
  int steps = 0;
  while (w.in_flight(A) + w.in_flight(B) > 0 && ++steps < 20) {
    if (w.in_flight(B) > 0) w.deliver(B);
    CHECK(w.a().outbound_spi().has_value());
    CHECK(w.b().outbound_spi().has_value());
    if (w.in_flight(A) > 0) w.deliver(A);
    both_send();
  }
  CHECK(w.count(TraceKind::kTunnelDown) == 0);
  REQUIRE(w.a().ike_sas().size() == 1);
  REQUIRE(w.b().ike_sas().size() == 1);
  CHECK(w.a().ike_sa()->id != old_ike);
  CHECK(w.a().ike_sa()->id == w.b().ike_sa()->id);
  CHECK(w.a().child_sas().size() == 1);
  CHECK(w.b().child_sas().size() == 1);
  CHECK_FALSE(w.a().accepts_inbound(1));  // C0 went with the old IKE SA
  both_send();
  // The D(IKE) went on the old IKE SA, after both IKE_AUTH messages.
  std::vector<std::string> ladder = w.ladder();
  REQUIRE(ladder.size() == 6);
  CHECK(ladder[4].find("INFORMATIONAL request") != std::string::npos);
  CHECK(ladder[4].find("D(IKE)") != std::string::npos);
}
