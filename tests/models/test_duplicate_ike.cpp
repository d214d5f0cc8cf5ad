// Crossing IKE_SA_INIT: both peers re-establish at once after a tunnel
// reset, both exchanges complete, and behaviour.duplicate_ike_sa decides
// whether one of the two IKE SAs (with its Child SA) is deleted.
// Kept out of test_ike.cpp, whose cases the YAML case library mirrors.
#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "models/profiles/profile.hpp"

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

// Inbound SPI of the (one) Child SA bound to IKE SA `ike` (ChildSa::ike).
std::uint32_t child_of(const models::ikev2::Peer& p, std::uint64_t ike) {
  std::uint32_t spi = 0;
  for (const auto& c : p.child_sas())
    if (c.ike == ike) {
      CHECK(spi == 0);
      spi = c.spi_in;
    }
  return spi;
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
    "strongSwan unique = replace (ike_sa_manager.c check_uniqueness): crossing IKE_SA_INIT, both "
    "complete, the IKE_AUTH responder deletes the older established IKE SA with its Child SA 10 s "
    "later",
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
  const std::uint32_t a1_child = child_of(w.a(), a1);
  const std::uint32_t b1_child = child_of(w.a(), b1);
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
    "strongSwan unique = replace (ike_sa_manager.c check_uniqueness): when both IKE_AUTH requests "
    "are answered before either response arrives no duplicate is ESTABLISHED yet and both IKE SAs "
    "stay",
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

// ---- Both peers reauthenticate make-before-break at once (RFC 7296 2.8.3) --

namespace {

PeerConfig reauthenticating_mbb(models::DuplicateIkeSa policy) {
  PeerConfig c = reestablishing(policy);
  c.behaviour.reauth_time = sim::hours(1);
  c.behaviour.reauth_mode = models::ReauthMode::kMakeBeforeBreak;
  return c;
}

// Each peer sends on a Child SA the other accepts: no outage.
void both_send(ScriptedWorld& w) {
  REQUIRE(w.a().outbound_spi().has_value());
  REQUIRE(w.b().outbound_spi().has_value());
  CHECK(w.b().accepts_inbound(*w.a().outbound_spi()));
  CHECK(w.a().accepts_inbound(*w.b().outbound_spi()));
}

}  // namespace

// Both reauth timers fire together (strongSwan 6, make_before_break = yes,
// swanctl unique = replace, not the default: duplicate_ike_sa keep_newest). X is the old IKE SA
// with Child SA C0; A2 and B2 are the peers' new IKE SAs. A's IKE_AUTH completes before B's reaches
// A:
//   A                                              B
//   --> IKE_SA_INIT (A2)        <-- IKE_SA_INIT (B2)     no INITIAL_CONTACT
//   <-- IKE_SA_INIT resp (A2)   --> IKE_SA_INIT resp (B2)
//   --> IKE_AUTH (A2)                                    B: A2 up, C1; finds X
//                                                           ESTABLISHED: delete in 10 s
//   <-- IKE_AUTH resp (A2)                               A: A2 up, C1
//   --> INFORMATIONAL {D(IKE)} on X
//                               <-- IKE_AUTH (B2)        A: B2 up, C2; finds A2
//                                                           ESTABLISHED: delete in 10 s
//                                                           (X is DELETING: not found)
//   <-- INFORMATIONAL {} on X                            X and C0 gone at both
//   --> IKE_AUTH resp (B2)                               B: B2 up, C2 (X is gone)
//   10 s later: B's job finds X gone; A sends on C2, then
//   --> INFORMATIONAL {D(IKE)} on A2                     A2 and C1 gone at both
// One IKE SA (B2) with one Child SA (C2) is left, and at no step is a peer
// without a Child SA the other accepts.
TEST_CASE(
    "strongSwan unique = replace (ike_sa_manager.c check_uniqueness): both peers reauthenticate "
    "make-before-break at once, the second IKE_AUTH responder deletes the first new IKE SA 10 s "
    "later, one IKE SA is left, no reset, no outage",
    "[ike][reauth][crossing]") {
  const PeerConfig c = reauthenticating_mbb(models::DuplicateIkeSa::kKeepNewest);
  ScriptedWorld w(c, c);
  w.establish(A);
  const std::uint64_t x = w.a().ike_sa()->id;
  w.advance(sim::hours(1));
  REQUIRE(w.in_flight(A) == 1);
  REQUIRE(w.in_flight(B) == 1);
  REQUIRE(w.peek(A).exchange == ExchangeType::kIkeSaInit);
  REQUIRE(w.peek(B).exchange == ExchangeType::kIkeSaInit);
  CHECK(w.peek(A).reauth);  // no INITIAL_CONTACT
  CHECK(w.peek(B).reauth);
  both_send(w);
  w.deliver(B);  // A's IKE_SA_INIT at B
  w.deliver(A);  // B's IKE_SA_INIT at A
  both_send(w);
  w.deliver(A);  // IKE_SA_INIT response for A2: A's IKE_AUTH follows
  REQUIRE(w.in_flight(B) == 2);
  REQUIRE(w.peek(B, 1).exchange == ExchangeType::kIkeAuth);
  const std::uint64_t a2 = w.peek(B, 1).ike_sa;
  w.deliver(B, 1);  // A2's IKE_AUTH at B: X is an ESTABLISHED duplicate there
  CHECK(w.timers_pending(B, TimerKind::kDuplicateIkeDelete) == 1);
  // B already sends on C1, which A installs on the response ahead of B's
  // packets (as in every IKE_AUTH).
  CHECK(w.a().accepts_inbound(*w.b().outbound_spi()) == false);
  w.deliver(A);  // A2 up at A; A deletes X
  both_send(w);
  REQUIRE(w.in_flight(B) == 2);
  CHECK(w.peek(B, 1).exchange == ExchangeType::kInformational);
  CHECK(w.peek(B, 1).ike_sa == x);
  w.deliver(B);  // IKE_SA_INIT response for B2: B's IKE_AUTH follows
  REQUIRE(w.in_flight(A) == 1);
  REQUIRE(w.peek(A).exchange == ExchangeType::kIkeAuth);
  const std::uint64_t b2 = w.peek(A).ike_sa;
  REQUIRE(a2 != b2);
  w.deliver(A);  // B2's IKE_AUTH at A, where A2 is ESTABLISHED
  CHECK(w.timers_pending(A, TimerKind::kDuplicateIkeDelete) == 1);
  REQUIRE(w.in_flight(B) == 2);
  w.deliver(B);  // D(IKE X) at B: X and C0 go, A2 with C1 carries B on
  CHECK(child_of(w.b(), x) == 0);
  CHECK(w.b().accepts_inbound(*w.a().outbound_spi()) == false);  // C2: on the next message
  w.deliver(B);                                                  // B2 up at B
  both_send(w);
  w.deliver(A);  // D(IKE X) answered: X and C0 gone at A
  REQUIRE(w.in_flight(A) + w.in_flight(B) == 0);
  both_send(w);
  CHECK(w.a().ike_sas().size() == 2);
  CHECK(w.b().ike_sas().size() == 2);
  CHECK(child_of(w.a(), x) == 0);
  CHECK(child_of(w.b(), x) == 0);
  w.advance(sim::seconds(10));
  // B's delete job finds X gone; A's deletes A2 after moving to B2's Child SA.
  REQUIRE(w.in_flight(B) == 1);
  CHECK(describe_first(w, B) == "INFORMATIONAL request 2 {D(IKE)}");
  CHECK(w.peek(B).ike_sa == a2);
  REQUIRE(child_of(w.a(), b2) != 0);
  CHECK(*w.a().outbound_spi() == w.a().find_child(child_of(w.a(), b2))->spi_out);
  both_send(w);
  settle(w);
  REQUIRE(w.a().ike_sas().size() == 1);
  REQUIRE(w.b().ike_sas().size() == 1);
  CHECK(w.a().ike_sa()->id == b2);
  CHECK(w.b().ike_sa()->id == b2);
  CHECK(w.a().child_sas().size() == 1);
  CHECK(w.b().child_sas().size() == 1);
  CHECK(child_of(w.a(), b2) != 0);
  CHECK(child_of(w.b(), b2) != 0);
  both_send(w);
  CHECK(w.count(TraceKind::kTunnelDown) == 0);
}

// The other order: each IKE_AUTH request is processed before its own
// response arrives, so each responder finds only X established (its own new
// IKE SA is still CONNECTING). X goes with C0; A2 and B2 both stay with one
// Child SA each, as in strongSwan (check_uniqueness runs only at IKE_AUTH).
TEST_CASE(
    "strongSwan unique = replace (ike_sa_manager.c check_uniqueness): both peers reauthenticate "
    "make-before-break and both IKE_AUTH requests are answered before either response, so both new "
    "IKE SAs stay, the old one goes with its Child SA only, no tunnel reset",
    "[ike][reauth][crossing]") {
  const PeerConfig c = reauthenticating_mbb(models::DuplicateIkeSa::kKeepNewest);
  ScriptedWorld w(c, c);
  w.establish(A);
  const std::uint64_t x = w.a().ike_sa()->id;
  const std::uint32_t c0 = child_of(w.a(), x);
  REQUIRE(c0 != 0);
  w.advance(sim::hours(1));
  for (int guard = 0; guard < 100 && w.in_flight(A) + w.in_flight(B) > 0; ++guard) {
    if (w.in_flight(A) > 0) w.deliver(A);
    CHECK(w.a().outbound_spi().has_value());
    if (w.in_flight(B) > 0) w.deliver(B);
    CHECK(w.b().outbound_spi().has_value());
  }
  both_send(w);
  w.advance(sim::seconds(10));  // both delete jobs find X gone
  CHECK(w.in_flight(A) + w.in_flight(B) == 0);
  CHECK(w.a().find_child(c0) == nullptr);
  REQUIRE(w.a().ike_sas().size() == 2);
  REQUIRE(w.b().ike_sas().size() == 2);
  for (const auto& i : w.a().ike_sas()) {
    CHECK(i.id != x);
    CHECK(i.state == models::ikev2::IkeSaState::kEstablished);
    CHECK(child_of(w.a(), i.id) != 0);
    CHECK(child_of(w.b(), i.id) != 0);
  }
  check_agree(w);
  CHECK(w.count(TraceKind::kTunnelDown) == 0);
}

// The same crossing with strongSwan's defaults (the strongswan profile:
// swanctl unique = no, duplicate_ike_sa keep_both). Neither IKE_AUTH carries
// INITIAL_CONTACT (each peer still holds X), so check_uniqueness returns at
// once (ike_sa_manager.c, commit 3b902ea59b) and nothing is deleted but X:
//   A                                              B
//   --> IKE_SA_INIT (A2)        <-- IKE_SA_INIT (B2)     no INITIAL_CONTACT
//   <-- IKE_SA_INIT resp (A2)   --> IKE_SA_INIT resp (B2)
//   --> IKE_AUTH (A2)                                    B: A2 up, C1; X kept
//   <-- IKE_AUTH resp (A2)                               A: A2 up, C1
//   --> INFORMATIONAL {D(IKE)} on X
//                               <-- IKE_AUTH (B2)        A: B2 up, C2; A2 kept
//   <-- INFORMATIONAL {} on X                            X and C0 gone at both
//   --> IKE_AUTH resp (B2)                               B: B2 up, C2; X is gone,
//                                                           so no DELETE from B
// Two IKE SAs (A2 with C1, B2 with C2) stay at both peers; no timer is left
// to delete either (the model reauthenticates the current one and rekeys the
// other at its own soft lifetime, lifetimes.cpp ike_soft_expire).
TEST_CASE(
    "strongSwan defaults (unique = no): both peers reauthenticate make-before-break at once, both "
    "new IKE SAs stay with one Child SA each, the old one goes with its Child SA, no tunnel reset",
    "[ike][reauth][crossing][profiles]") {
  const models::Profile* ss = models::find_builtin_profile("strongswan");
  REQUIRE(ss != nullptr);
  PeerConfig c = ss->config;
  REQUIRE(c.behaviour.duplicate_ike_sa == models::DuplicateIkeSa::kKeepBoth);
  REQUIRE(c.behaviour.reauth_mode == models::ReauthMode::kMakeBeforeBreak);
  c.behaviour.reauth_time = sim::minutes(30);  // before the first Child SA rekey (54 min or later)
  ScriptedWorld w(c, c);
  w.establish(A);
  const std::uint64_t x = w.a().ike_sa()->id;
  const std::uint32_t c0 = child_of(w.a(), x);
  REQUIRE(c0 != 0);
  w.advance(sim::minutes(30));
  REQUIRE(w.in_flight(A) == 1);
  REQUIRE(w.in_flight(B) == 1);
  REQUIRE(w.peek(A).exchange == ExchangeType::kIkeSaInit);
  REQUIRE(w.peek(B).exchange == ExchangeType::kIkeSaInit);
  CHECK(w.peek(A).reauth);  // no INITIAL_CONTACT
  CHECK(w.peek(B).reauth);
  w.deliver(B);  // A's IKE_SA_INIT at B
  w.deliver(A);  // B's IKE_SA_INIT at A
  both_send(w);
  w.deliver(A);  // IKE_SA_INIT response for A2: A's IKE_AUTH follows
  REQUIRE(w.in_flight(B) == 2);
  REQUIRE(w.peek(B, 1).exchange == ExchangeType::kIkeAuth);
  CHECK(w.peek(B, 1).reauth);
  const std::uint64_t a2 = w.peek(B, 1).ike_sa;
  w.deliver(B, 1);  // A2's IKE_AUTH at B: X is ESTABLISHED there, but unique = no
  CHECK(w.timers_pending(B, TimerKind::kDuplicateIkeDelete) == 0);
  w.deliver(A);  // A2 up at A; A deletes X
  both_send(w);
  w.deliver(B);  // IKE_SA_INIT response for B2: B's IKE_AUTH follows
  REQUIRE(w.peek(A).exchange == ExchangeType::kIkeAuth);
  CHECK(w.peek(A).reauth);
  const std::uint64_t b2 = w.peek(A).ike_sa;
  REQUIRE(a2 != b2);
  w.deliver(A);  // B2's IKE_AUTH at A, where A2 is ESTABLISHED: kept
  CHECK(w.timers_pending(A, TimerKind::kDuplicateIkeDelete) == 0);
  REQUIRE(w.in_flight(B) == 2);
  CHECK(describe_first(w, B) == "INFORMATIONAL request 2 {D(IKE)}");
  CHECK(w.peek(B).ike_sa == x);
  CHECK(w.peek(B, 1).exchange == ExchangeType::kIkeAuth);
  CHECK(w.peek(B, 1).ike_sa == b2);
  w.deliver(B);  // D(IKE X) at B: X and C0 go, A2 with C1 carries B on
  CHECK(child_of(w.b(), x) == 0);
  w.deliver(A);  // D(IKE X) answered: X and C0 gone at A
  w.deliver(B);  // B2 up at B; X is gone already, so B sends no DELETE
  REQUIRE(w.in_flight(A) + w.in_flight(B) == 0);
  both_send(w);
  w.advance(sim::seconds(30));
  CHECK(w.in_flight(A) + w.in_flight(B) == 0);
  CHECK(w.a().find_child(c0) == nullptr);
  CHECK(w.b().find_child(c0) == nullptr);
  for (const Peer* p : {&w.a(), &w.b()}) {
    REQUIRE(p->ike_sas().size() == 2);
    std::vector<std::uint64_t> ids;
    for (const auto& i : p->ike_sas()) {
      ids.push_back(i.id);
      CHECK(i.state == models::ikev2::IkeSaState::kEstablished);
      CHECK(child_of(*p, i.id) != 0);
    }
    std::sort(ids.begin(), ids.end());
    CHECK(ids == std::vector<std::uint64_t>{std::min(a2, b2), std::max(a2, b2)});
    CHECK(p->child_sas().size() == 2);
  }
  check_agree(w);
  both_send(w);
  CHECK(w.count(TraceKind::kTunnelDown) == 0);
}

// RFC 7296 1.3 / 2.8: a Child SA's rekey runs on the IKE SA it belongs to,
// and 2.4: giving up on one IKE SA takes only its own Child SAs. With the two
// IKE SAs of a crossing re-establishment kept (keep_both), A rekeys A1's
// Child SA on A1 (not on B1, the newest), the link drops A's messages until
// A gives up, and A keeps B1 with its Child SA: no second tunnel reset.
TEST_CASE(
    "RFC 7296 2.4: a retransmission give-up on one of two IKE SAs closes only that IKE SA and its "
    "Child SA, traffic moves to the other, no tunnel reset",
    "[ike][crossing]") {
  const PeerConfig c = reestablishing(models::DuplicateIkeSa::kKeepBoth);
  ScriptedWorld w(c, c);
  both_reset_and_cross(w);
  auth_answered_before_peer_auth(w);
  const std::uint64_t a1 = w.a().ike_sas()[0].id;
  const std::uint64_t b1 = w.a().ike_sas()[1].id;
  const std::uint32_t a1_child = child_of(w.a(), a1);
  REQUIRE(a1_child != 0);
  w.a().request_rekey_child(a1_child);
  REQUIRE(w.in_flight(B) == 1);
  CHECK(w.peek(B).exchange == ExchangeType::kCreateChildSa);
  CHECK(w.peek(B).ike_sa == a1);  // on the Child SA's own IKE SA
  const auto until = w.now() + sim::seconds(170);
  while (w.now() < until) {
    w.drop_all(B);
    w.run_until(w.now() + sim::milliseconds(500));
  }
  w.drop_all(B);
  REQUIRE(w.a().ike_sas().size() == 1);
  CHECK(w.a().ike_sa()->id == b1);
  CHECK(child_of(w.a(), a1) == 0);
  CHECK(child_of(w.a(), b1) != 0);
  CHECK(w.count(TraceKind::kTunnelDown, A) == 1);  // only the reset before the crossing
  REQUIRE(w.a().outbound_spi().has_value());
  CHECK(*w.a().outbound_spi() == w.a().find_child(child_of(w.a(), b1))->spi_out);
  CHECK(w.b().accepts_inbound(*w.a().outbound_spi()));
}
