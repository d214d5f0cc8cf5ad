// Crossing IKE_SA_INIT: both peers re-establish at once after a tunnel
// reset, both exchanges complete, and behaviour.duplicate_ike_sa decides
// whether one of the two IKE SAs (with its Child SA) is deleted.
// Kept out of test_ike.cpp, whose cases the YAML case library mirrors.
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace rekeysim_test;
using models::ExchangeType;

namespace {

PeerConfig reestablishing(models::DuplicateIkeSa policy) {
  PeerConfig c = strongswan_peer();
  c.behaviour.start_action = models::StartAction::kImmediate;
  c.behaviour.duplicate_ike_sa = policy;
  c.behaviour.duplicate_ike_delete_delay =
      policy == models::DuplicateIkeSa::kKeepNewest ? sim::seconds(10) : sim::seconds(0);
  return c;
}

// Both peers rekey at t = 0 into a dead link: both give up after the same
// five retransmissions (165.06 s), reset the tunnel and re-establish
// reestablish_delay (1 s) later, so their IKE_SA_INIT requests cross.
void both_reset_and_cross(ScriptedWorld& w) {
  w.establish(A);
  w.a().request_rekey_child(1);
  w.b().request_rekey_child(2);
  while (w.now() < sim::milliseconds(165'500)) {
    w.run_until(w.now() + sim::milliseconds(500));
    w.drop_all(A);
    w.drop_all(B);
  }
  REQUIRE(w.count(TraceKind::kTunnelDown, A) == 1);
  REQUIRE(w.count(TraceKind::kTunnelDown, B) == 1);
  w.run_until(sim::seconds(166) + sim::milliseconds(100));
  REQUIRE(w.in_flight(A) == 1);
  REQUIRE(w.in_flight(B) == 1);
  REQUIRE(w.peek(A).exchange == ExchangeType::kIkeSaInit);
  REQUIRE(w.peek(B).exchange == ExchangeType::kIkeSaInit);
}

// Each peer's Child SAs pair up with the other's, and each peer sends on
// one the other accepts.
void check_agree(ScriptedWorld& w) {
  for (const auto& c : w.a().child_sas()) CHECK(w.b().accepts_inbound(c.spi_out));
  for (const auto& c : w.b().child_sas()) CHECK(w.a().accepts_inbound(c.spi_out));
  REQUIRE(w.a().outbound_spi().has_value());
  REQUIRE(w.b().outbound_spi().has_value());
  CHECK(w.b().accepts_inbound(*w.a().outbound_spi()));
  CHECK(w.a().accepts_inbound(*w.b().outbound_spi()));
}

// The order in which strongSwan's uniqueness check sees a duplicate: A's
// IKE_AUTH is answered before B's IKE_AUTH request reaches A.
//   A                                              B
//   --> IKE_SA_INIT (A1)        <-- IKE_SA_INIT (B1)     cross; neither resets
//   <-- IKE_SA_INIT resp (A1)   --> IKE_SA_INIT resp (B1)
//   --> IKE_AUTH (A1)                                    B: A1 up, Child SA 1
//   <-- IKE_AUTH resp (A1)                               A: A1 up, Child SA 1
//                               <-- IKE_AUTH (B1)        A: B1 up, Child SA 2;
//                                                           A1 is an ESTABLISHED
//                                                           duplicate: delete in 10 s
//   --> IKE_AUTH resp (B1)                               B: B1 up, Child SA 2
//   10 s later, traffic already on Child SA 2:
//   --> INFORMATIONAL {D(IKE)} on A1                     B: A1 and Child SA 1 gone
//   <-- INFORMATIONAL {}                                 A: A1 and Child SA 1 gone
void auth_answered_before_peer_auth(ScriptedWorld& w) {
  w.deliver(B);  // A's IKE_SA_INIT at B, B's own still open: both go on
  CHECK(w.b().ike_sas().size() == 2);
  w.deliver(A);  // B's IKE_SA_INIT at A
  CHECK(w.a().ike_sas().size() == 2);
  CHECK(w.count(TraceKind::kTunnelDown, A) == 1);  // no further reset
  CHECK(w.count(TraceKind::kTunnelDown, B) == 1);
  w.deliver(A);  // IKE_SA_INIT response for A1: IKE_AUTH follows
  REQUIRE(w.in_flight(B) == 2);
  REQUIRE(w.peek(B, 1).exchange == ExchangeType::kIkeAuth);
  w.deliver(B, 1);  // A1's IKE_AUTH at B
  w.deliver(A);     // its response: A1 up at A
  CHECK(w.a().child_sas().size() == 1);
  CHECK(w.b().child_sas().size() == 1);
  w.deliver(B);  // IKE_SA_INIT response for B1: IKE_AUTH follows
  REQUIRE(w.in_flight(A) == 1);
  REQUIRE(w.peek(A).exchange == ExchangeType::kIkeAuth);
  w.deliver(A);  // B1's IKE_AUTH at A, where A1 is established
  w.deliver(B);
  REQUIRE(w.in_flight(A) + w.in_flight(B) == 0);
  // Both exchanges completed: two IKE SAs and two Child SAs for the same
  // traffic selectors at each peer.
  CHECK(w.a().ike_sas().size() == 2);
  CHECK(w.b().ike_sas().size() == 2);
  CHECK(w.a().child_sas().size() == 2);
  CHECK(w.b().child_sas().size() == 2);
  check_agree(w);
}

}  // namespace

TEST_CASE(
    "strongSwan ike_sa_manager.c check_uniqueness: crossing IKE_SA_INIT, both complete, the "
    "IKE_AUTH responder deletes the older established IKE SA with its Child SA 10 s later",
    "[ike][crossing]") {
  const PeerConfig c = reestablishing(models::DuplicateIkeSa::kKeepNewest);
  ScriptedWorld w(c, c);
  both_reset_and_cross(w);
  auth_answered_before_peer_auth(w);
  // Only A found a duplicate: at B the peer's IKE_AUTH came before B1 was up.
  CHECK(w.timers_pending(A, TimerKind::kDuplicateIkeDelete) == 1);
  CHECK(w.timers_pending(B, TimerKind::kDuplicateIkeDelete) == 0);
  const std::uint64_t a1 = w.a().ike_sas()[0].id;
  const std::uint64_t b1 = w.a().ike_sas()[1].id;
  const std::uint32_t a1_child = w.a().ike_sas()[0].auth_child_spi;
  const std::uint32_t b1_child = w.a().ike_sas()[1].auth_child_spi;
  REQUIRE(a1 != b1);
  REQUIRE(a1_child != b1_child);
  // A sends on the Child SA installed last: B1's.
  CHECK(*w.a().outbound_spi() == w.a().find_child(b1_child)->spi_out);
  w.advance(sim::seconds(9));
  CHECK(w.in_flight(B) == 0);
  w.advance(sim::seconds(1));
  REQUIRE(w.in_flight(B) == 1);
  CHECK(describe_first(w, B) == "INFORMATIONAL request 2 {D(IKE)}");
  CHECK(w.peek(B).ike_sa == a1);
  // Still on B1's Child SA when the DELETE leaves.
  CHECK(*w.a().outbound_spi() == w.a().find_child(b1_child)->spi_out);
  w.deliver(B);
  CHECK(w.b().ike_sas().size() == 1);
  CHECK(w.b().child_sas().size() == 1);
  w.deliver(A);
  // Settled on one pair: B1 and its Child SA, no further reset or outage.
  REQUIRE(w.a().ike_sas().size() == 1);
  REQUIRE(w.b().ike_sas().size() == 1);
  CHECK(w.a().ike_sa()->id == b1);
  CHECK(w.b().ike_sa()->id == b1);
  CHECK(child_spis(w.a()) == Pairs{{b1_child, w.a().find_child(b1_child)->spi_out}});
  CHECK(w.a().child_sas().size() == 1);
  CHECK(w.b().child_sas().size() == 1);
  check_agree(w);
  CHECK(w.count(TraceKind::kTunnelDown, A) == 1);
  CHECK(w.count(TraceKind::kTunnelDown, B) == 1);
  CHECK(w.a().ike_sa()->state == models::ikev2::IkeSaState::kEstablished);
  CHECK(w.b().ike_sa()->state == models::ikev2::IkeSaState::kEstablished);
}

TEST_CASE(
    "strongSwan ike_sa_manager.c check_uniqueness: when both IKE_AUTH requests are answered "
    "before either response arrives no duplicate is ESTABLISHED yet and both IKE SAs stay",
    "[ike][crossing]") {
  const PeerConfig c = reestablishing(models::DuplicateIkeSa::kKeepNewest);
  ScriptedWorld w(c, c);
  both_reset_and_cross(w);
  settle(w);  // alternating: each IKE_AUTH request is processed before its own response
  CHECK(w.timers_pending(A, TimerKind::kDuplicateIkeDelete) == 0);
  CHECK(w.timers_pending(B, TimerKind::kDuplicateIkeDelete) == 0);
  CHECK(w.a().ike_sas().size() == 2);
  CHECK(w.b().ike_sas().size() == 2);
  CHECK(w.a().child_sas().size() == 2);
  CHECK(w.b().child_sas().size() == 2);
  check_agree(w);
  w.advance(sim::seconds(30));
  CHECK(w.in_flight(A) + w.in_flight(B) == 0);
  CHECK(w.a().ike_sas().size() == 2);
}

TEST_CASE(
    "RFC 7296 2.8.2 is silent on crossing IKE_SA_INIT: with keep_both both IKE SAs and both "
    "Child SAs stay, whatever the order",
    "[ike][crossing]") {
  const PeerConfig c = reestablishing(models::DuplicateIkeSa::kKeepBoth);
  ScriptedWorld w(c, c);
  both_reset_and_cross(w);
  auth_answered_before_peer_auth(w);
  CHECK(w.timers_pending(A, TimerKind::kDuplicateIkeDelete) == 0);
  w.advance(sim::seconds(30));
  CHECK(w.in_flight(A) + w.in_flight(B) == 0);
  CHECK(w.a().ike_sas().size() == 2);
  CHECK(w.b().ike_sas().size() == 2);
  CHECK(w.a().child_sas().size() == 2);
  CHECK(w.b().child_sas().size() == 2);
  check_agree(w);
}
