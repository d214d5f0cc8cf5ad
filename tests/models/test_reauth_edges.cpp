// Edges of IKE SA reauthentication and teardown (RFC 7296 2.8.3, 1.4.1,
// 2.4, 2.25): a make-before-break attempt that fails, a teardown of one of
// two IKE SAs, and TEMPORARY_FAILURE on the rekey of an IKE SA that is not
// the current one. Each case names its source; message orders are exact.
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace rekeysim_test;
using models::ExchangeType;
using models::scripted::describe;

namespace {

PeerConfig reauthenticating(PeerConfig c, models::ReauthMode mode) {
  c.behaviour.reauth_time = sim::hours(1);
  c.behaviour.reauth_mode = mode;
  c.behaviour.retransmit.tries = 1;  // one retransmission, then give up (2.4)
  return c;
}

// A's reauthentication at t = 1 h: its IKE_SA_INIT and the one retransmission
// are lost (the link is down), so the new IKE SA gives up 4 s + 7.2 s later.
// Returns the old IKE SA's id.
std::uint64_t first_attempt_gives_up(ScriptedWorld& w) {
  w.establish(A);
  const std::uint64_t old_ike = w.a().ike_sa()->id;
  w.advance(sim::hours(1));
  REQUIRE(w.in_flight(B) == 1);
  REQUIRE(w.peek(B).exchange == ExchangeType::kIkeSaInit);
  REQUIRE(w.peek(B).reauth);  // no INITIAL_CONTACT
  REQUIRE(w.a().ike_sas().size() == 2);
  w.drop(B);
  REQUIRE(w.fire_timer(A, TimerKind::kRetransmit));
  REQUIRE(w.in_flight(B) == 1);
  w.drop(B);
  REQUIRE(w.fire_timer(A, TimerKind::kRetransmit));  // give up
  REQUIRE(w.in_flight(B) == 0);
  // Only the new IKE SA went: the old one and its Child SA carry on.
  REQUIRE(w.a().ike_sas().size() == 1);
  REQUIRE(w.a().ike_sa()->id == old_ike);
  CHECK(w.count(TraceKind::kTunnelDown) == 0);
  CHECK(child_spis(w.a()) == Pairs{{1, 2}});
  CHECK(w.a().outbound_spi() == 2u);  // C0 = (in 1, out 2)
  return old_ike;
}

}  // namespace

// ---- 1. a make-before-break reauthentication that fails ------------------

//   A (reauth_time 1h, make_before_break, rfc7296: reauth_tries 0,
//      reauth_retry_interval 0)                              B
//   t = 1h: --> IKE_SA_INIT (new IKE SA Y1)   lost, retransmitted, lost: gives up
//           old IKE SA X and C0 carry on; the next attempt is armed at once
//   --> IKE_SA_INIT (Y2, no INITIAL_CONTACT)
//   <-- IKE_SA_INIT
//   --> IKE_AUTH                                           B: C1 on Y2
//   <-- IKE_AUTH                                           A: C1 on Y2
//   --> INFORMATIONAL {D(IKE)} on X                        B: X and C0 gone
//   <-- INFORMATIONAL {}                                   A: X and C0 gone
TEST_CASE(
    "RFC 7296 2.8.3 and 2.4: a make-before-break reauthentication whose IKE_SA_INIT gives up is "
    "tried again, and the second attempt replaces the old IKE SA",
    "[reauth][reauth_retry]") {
  ScriptedWorld w(reauthenticating(rfc_peer(), models::ReauthMode::kMakeBeforeBreak), rfc_peer());
  const std::uint64_t old_ike = first_attempt_gives_up(w);
  // The next attempt is the reauth timer, due now (interval 0).
  REQUIRE(w.timers_pending(A, TimerKind::kReauth) == 1);
  REQUIRE(w.next_timer_due() == w.now());
  w.clear_log();
  w.advance(sim::nanoseconds(0));
  REQUIRE(w.in_flight(B) == 1);
  CHECK(w.peek(B).exchange == ExchangeType::kIkeSaInit);
  CHECK(w.peek(B).reauth);
  REQUIRE(w.a().ike_sas().size() == 2);
  const std::uint64_t new_ike = w.peek(B).ike_sa;
  CHECK(new_ike != old_ike);
  settle(w);
  const std::vector<std::string> ladder = w.ladder();
  REQUIRE(ladder.size() == 6);
  CHECK(ladder[0].find("A->B IKE_SA_INIT request 0") == 0);
  CHECK(ladder[1].find("B->A IKE_SA_INIT response 0") == 0);
  CHECK(ladder[2].find("A->B IKE_AUTH request 1") == 0);
  CHECK(ladder[3].find("B->A IKE_AUTH response 1") == 0);
  CHECK(ladder[4].find("A->B INFORMATIONAL request 2 {D(IKE)}") == 0);
  CHECK(ladder[5].find("B->A INFORMATIONAL response 2") == 0);
  REQUIRE(w.a().ike_sas().size() == 1);
  REQUIRE(w.b().ike_sas().size() == 1);
  CHECK(w.a().ike_sa()->id == new_ike);
  CHECK(w.b().ike_sa()->id == new_ike);
  CHECK(w.a().child_sas().size() == 1);
  CHECK(w.a().child_sas()[0].ike == new_ike);
  CHECK_FALSE(w.a().accepts_inbound(1));  // C0 went with X
  REQUIRE(w.a().outbound_spi().has_value());
  CHECK(w.b().accepts_inbound(*w.a().outbound_spi()));
  CHECK(w.count(TraceKind::kTunnelDown) == 0);
  // Succeeded: the next reauthentication is reauth_time after this IKE_AUTH.
  CHECK(w.timers_pending(A, TimerKind::kReauth) == 1);
  CHECK(w.next_timer_due() > w.now() + sim::minutes(59));
}

// strongSwan (swanctl keyingtries = 1, the default): the new IKE SA's one
// retransmission sequence is all it gets (ike_sa.c retransmit(),
// IKE_CONNECTING: "establishing IKE_SA failed, peer not responding"). The old
// IKE SA carries on; rekeysim then arms reauth_time again from the give-up
// (strongSwan's deletion at reauth_time + over_time is not modelled), so the
// old IKE SA is reauthenticated an hour later.
TEST_CASE(
    "strongSwan ike_sa.c retransmit and swanctl keyingtries 1: a failed make-before-break "
    "reauthentication is not retried at once, reauth_time runs again from the give-up",
    "[reauth][reauth_retry]") {
  PeerConfig a = reauthenticating(rfc_peer(), models::ReauthMode::kMakeBeforeBreak);
  a.behaviour.reauth_tries = 1;
  a.behaviour.reauth_retry_interval = sim::seconds(5);  // unused with one try
  ScriptedWorld w(a, rfc_peer());
  const std::uint64_t old_ike = first_attempt_gives_up(w);
  const models::SimTime gave_up = w.now();
  REQUIRE(w.timers_pending(A, TimerKind::kReauth) == 1);
  w.advance(sim::minutes(59));
  CHECK(w.in_flight(B) == 0);
  CHECK(w.a().ike_sa()->id == old_ike);
  w.run_until(gave_up + sim::hours(1));
  REQUIRE(w.in_flight(B) == 1);
  CHECK(w.peek(B).exchange == ExchangeType::kIkeSaInit);
  CHECK(w.peek(B).ike_sa != old_ike);
  settle(w);
  REQUIRE(w.a().ike_sas().size() == 1);
  CHECK(w.a().ike_sa()->id != old_ike);
  CHECK(w.a().ike_sa()->id == w.b().ike_sa()->id);
}

// reauth_tries 2 with a 30 s interval: the second attempt starts 30 s after
// the first gave up; when it fails too, reauth_time is armed again.
TEST_CASE(
    "RFC 7296 2.8.3: a second failed make-before-break attempt (reauth_tries 2) arms reauth_time "
    "again, the old IKE SA carries on",
    "[reauth][reauth_retry]") {
  PeerConfig a = reauthenticating(rfc_peer(), models::ReauthMode::kMakeBeforeBreak);
  a.behaviour.reauth_tries = 2;
  a.behaviour.reauth_retry_interval = sim::seconds(30);
  ScriptedWorld w(a, rfc_peer());
  const std::uint64_t old_ike = first_attempt_gives_up(w);
  REQUIRE(w.next_timer_due() == w.now() + sim::seconds(30));
  w.advance(sim::seconds(29));
  CHECK(w.in_flight(B) == 0);
  w.advance(sim::seconds(1));
  REQUIRE(w.in_flight(B) == 1);
  CHECK(w.peek(B).exchange == ExchangeType::kIkeSaInit);
  w.drop(B);
  REQUIRE(w.fire_timer(A, TimerKind::kRetransmit));
  w.drop(B);
  REQUIRE(w.fire_timer(A, TimerKind::kRetransmit));
  REQUIRE(w.a().ike_sas().size() == 1);
  CHECK(w.a().ike_sa()->id == old_ike);
  CHECK(child_spis(w.a()) == Pairs{{1, 2}});
  REQUIRE(w.timers_pending(A, TimerKind::kReauth) == 1);
  CHECK(w.next_timer_due() == w.now() + sim::hours(1));
}

// ---- two IKE SAs at each peer ----------------------------------------------

namespace {

// Both peers connect at once (no IKE SA yet): their IKE_SA_INITs cross and
// both exchanges complete (keep_both), so each peer holds IKE SAs 1 (A's)
// and 2 (B's), each with its own Child SA (tests/models/test_duplicate_ike.cpp).
void two_ike_sas(ScriptedWorld& w) {
  w.a().connect();
  w.b().connect();
  settle(w);
  REQUIRE(w.a().ike_sas().size() == 2);
  REQUIRE(w.b().ike_sas().size() == 2);
  REQUIRE(w.a().child_sas().size() == 2);
  REQUIRE(w.b().child_sas().size() == 2);
  w.clear_log();
}

// Inbound SPI of the one Child SA of `p` on IKE SA `ike`, 0 if none.
std::uint32_t child_on(const Peer& p, std::uint64_t ike) {
  for (const auto& c : p.child_sas())
    if (c.ike == ike) return c.spi_in;
  return 0;
}

// The IKE SA of `p` that is not the current one.
std::uint64_t other_ike(const Peer& p) {
  for (const auto& i : p.ike_sas())
    if (i.id != p.ike_sa()->id) return i.id;
  return 0;
}

}  // namespace

// ---- 2. teardown of one of two IKE SAs ------------------------------------

//   A (reauth_time 1h, break_before_make), IKE SAs X (current) and Y    B
//   t = 1h: A closes X's Child SA only, sends on Y's
//   --> INFORMATIONAL {D(IKE)} on X                   B: X and its Child SA gone
//   <-- INFORMATIONAL {}
//   --> IKE_SA_INIT (Z, no INITIAL_CONTACT: Y is up)  B keeps Y
//   <-- IKE_SA_INIT
//   --> IKE_AUTH                                      B: Child SA on Z
//   <-- IKE_AUTH                                      A: Child SA on Z
//   No tunnel reset: Y's Child SA carries the traffic throughout.
TEST_CASE(
    "RFC 7296 1.4.1 and 2.8.3: break-before-make reauthentication of one of two IKE SAs closes "
    "only its Child SAs, the other IKE SA carries the traffic and is kept",
    "[reauth][teardown]") {
  PeerConfig a = rfc_peer();
  a.behaviour.reauth_time = sim::hours(1);
  a.behaviour.reauth_mode = models::ReauthMode::kBreakBeforeMake;
  ScriptedWorld w(a, rfc_peer());
  two_ike_sas(w);
  const std::uint64_t x = w.a().ike_sa()->id;
  const std::uint64_t y = other_ike(w.a());
  const std::uint32_t y_child_a = child_on(w.a(), y);
  const std::uint32_t y_child_b = child_on(w.b(), y);
  REQUIRE(y_child_a != 0);
  REQUIRE(y_child_b != 0);
  w.advance(sim::hours(1));
  REQUIRE(w.in_flight(B) == 1);
  CHECK(w.peek(B).ike_sa == x);
  CHECK(describe(w.peek(B)) == "INFORMATIONAL request 2 {D(IKE)}");
  // Only X's Child SA went; A sends on Y's.
  CHECK(child_on(w.a(), x) == 0);
  CHECK(w.a().outbound_spi() == w.a().find_child(y_child_a)->spi_out);
  CHECK(w.count(TraceKind::kTunnelDown) == 0);
  w.deliver(B);
  CHECK(child_on(w.b(), x) == 0);
  CHECK(w.b().find_child(y_child_b) != nullptr);
  CHECK(w.b().ike_sas().size() == 1);
  w.deliver(A);  // the DELETE's response: the reauthentication's IKE_SA_INIT
  REQUIRE(w.in_flight(B) == 1);
  CHECK(w.peek(B).exchange == ExchangeType::kIkeSaInit);
  CHECK(w.peek(B).reauth);  // no INITIAL_CONTACT: A still holds Y
  const std::uint64_t z = w.peek(B).ike_sa;
  settle(w);
  const std::vector<std::string> ladder = w.ladder();
  REQUIRE(ladder.size() == 6);
  CHECK(ladder[0] == "A->B INFORMATIONAL request 2 {D(IKE)}");
  CHECK(ladder[1] == "B->A INFORMATIONAL response 2 {}");
  CHECK(ladder[2].find("A->B IKE_SA_INIT request 0") == 0);
  CHECK(ladder[3].find("B->A IKE_SA_INIT response 0") == 0);
  CHECK(ladder[4].find("A->B IKE_AUTH request 1") == 0);
  CHECK(ladder[5].find("B->A IKE_AUTH response 1") == 0);
  CHECK(w.count(TraceKind::kTunnelDown) == 0);
  for (const Peer* p : {&w.a(), &w.b()}) {
    REQUIRE(p->ike_sas().size() == 2);
    CHECK(p->ike_sa()->id == z);
    CHECK(child_on(*p, y) != 0);
    CHECK(child_on(*p, z) != 0);
  }
  CHECK(w.a().find_child(y_child_a) != nullptr);  // Y's Child SA never closed
  CHECK(w.b().find_child(y_child_b) != nullptr);
  REQUIRE(w.a().outbound_spi().has_value());
  CHECK(w.b().accepts_inbound(*w.a().outbound_spi()));
  CHECK(w.a().accepts_inbound(*w.b().outbound_spi()));
}

//   A (unknown_spi teardown_ike) lost X's Child SA; Y's is fine       B
//   <-- INFORMATIONAL {D(ESP, c)} on X       A: can't find c
//   --> INFORMATIONAL {}                     answered without a Delete payload (2.25.1)
//   --> INFORMATIONAL {D(IKE)} on X          A: X "sufficiently messed up" (1.4.1)
//   <-- INFORMATIONAL {}                     B: X and its Child SA gone
//   Y and its Child SA stay at both peers; nothing is re-established.
TEST_CASE(
    "RFC 7296 1.4.1: an unknown-SPI teardown of one of two IKE SAs deletes only that IKE SA and "
    "its Child SAs, the other IKE SA carries the traffic",
    "[teardown]") {
  PeerConfig a = rfc_peer();
  a.behaviour.unknown_spi = models::UnknownSpiAction::kTeardownIke;
  a.behaviour.start_action = models::StartAction::kImmediate;
  ScriptedWorld w(a, rfc_peer());
  two_ike_sas(w);
  const std::uint64_t x = w.a().ike_sa()->id;
  const std::uint64_t y = other_ike(w.a());
  const std::uint32_t x_child_b = child_on(w.b(), x);
  const std::uint32_t y_child_a = child_on(w.a(), y);
  const std::uint32_t y_child_b = child_on(w.b(), y);
  w.a().forget_child(child_on(w.a(), x));
  w.b().request_delete_child(x_child_b);
  REQUIRE(w.in_flight(A) == 1);
  w.deliver(A);
  CHECK(w.count(TraceKind::kDeleteForUnknownSpi, A) == 1);
  CHECK(w.count(TraceKind::kTunnelDown) == 0);
  REQUIRE(w.a().outbound_spi().has_value());
  CHECK(*w.a().outbound_spi() == w.a().find_child(y_child_a)->spi_out);
  settle(w);
  w.advance(sim::seconds(10));  // reestablish_delay and more: nothing follows
  settle(w);
  const std::vector<std::string> ladder = w.ladder();
  REQUIRE(ladder.size() == 4);
  CHECK(ladder[0] == "B->A INFORMATIONAL request 0 {D(ESP," + std::to_string(x_child_b) + ")}");
  CHECK(ladder[1] == "A->B INFORMATIONAL response 0 {}");
  CHECK(ladder[2] == "A->B INFORMATIONAL request 2 {D(IKE)}");
  CHECK(ladder[3] == "B->A INFORMATIONAL response 2 {}");
  CHECK(w.count(TraceKind::kTunnelDown) == 0);
  for (const Peer* p : {&w.a(), &w.b()}) {
    REQUIRE(p->ike_sas().size() == 1);
    CHECK(p->ike_sas()[0].id == y);
    CHECK(p->child_sas().size() == 1);
  }
  CHECK(w.a().find_child(y_child_a) != nullptr);
  CHECK(w.b().find_child(y_child_b) != nullptr);
  CHECK(w.b().accepts_inbound(*w.a().outbound_spi()));
  CHECK(w.a().accepts_inbound(*w.b().outbound_spi()));
}

// ---- 3. TEMPORARY_FAILURE on the rekey of a non-current IKE SA -------------

//   A: X is not its current IKE SA but has its own Child SA       B
//   X's soft lifetime; B is rekeying its Child SA on X meanwhile
//   <-- CREATE_CHILD_SA {N(REKEY_SA), SA(ESP)} on X
//   --> CREATE_CHILD_SA {SA(IKE), Nonce} on X
//   A: TEMPORARY_FAILURE to B's rekey (2.25.2), B: to A's IKE rekey (2.25)
//   After B's own retry, A's retry delay: the IKE rekey of X again, and it
//   completes (X's Child SA moves to the new IKE SA, 2.8).
TEST_CASE(
    "RFC 7296 2.25: TEMPORARY_FAILURE on the rekey of an IKE SA that is not the current one is "
    "retried after the retry delay, as for the current one",
    "[ike][temporary_failure]") {
  ScriptedWorld w(rfc_peer(), rfc_peer());
  two_ike_sas(w);
  const std::uint64_t x = other_ike(w.a());
  const std::uint32_t x_child_a = child_on(w.a(), x);
  w.b().request_rekey_child(child_on(w.b(), x));
  REQUIRE(w.fire_timer(A, TimerKind::kIkeSoftExpire, x));
  REQUIRE(w.in_flight(A) == 1);
  REQUIRE(w.in_flight(B) == 1);
  CHECK(w.peek(B).ike_sa == x);
  CHECK(w.peek(B).sa_protocol == models::ProtocolId::kIke);
  w.deliver(B);  // A's IKE rekey at B, whose Child SA rekey is outstanding
  w.deliver(A);  // B's Child SA rekey at A, whose IKE rekey is outstanding
  w.deliver(A);  // TEMPORARY_FAILURE for A's IKE rekey
  w.deliver(B);  // TEMPORARY_FAILURE for B's Child SA rekey
  CHECK(w.count(TraceKind::kNotifyReceived, A) == 1);
  CHECK(w.count(TraceKind::kNotifyReceived, B) == 1);
  REQUIRE(w.timers_pending(A, TimerKind::kRetryRekey) == 1);
  // B's Child SA rekey goes first (its retry), then A's IKE rekey retry.
  REQUIRE(w.fire_timer(B, TimerKind::kRetryRekey));
  settle(w);
  w.clear_log();
  REQUIRE(w.fire_timer(A, TimerKind::kRetryRekey));
  REQUIRE(w.in_flight(B) == 1);
  CHECK(w.peek(B).ike_sa == x);
  CHECK(w.peek(B).exchange == ExchangeType::kCreateChildSa);
  CHECK(w.peek(B).sa_protocol == models::ProtocolId::kIke);
  settle(w);
  const std::vector<std::string> ladder = w.ladder();
  REQUIRE(ladder.size() == 4);
  CHECK(ladder[0].find("A->B CREATE_CHILD_SA request") == 0);
  CHECK(ladder[0].find("SA(IKE,") != std::string::npos);
  CHECK(ladder[1].find("B->A CREATE_CHILD_SA response") == 0);
  CHECK(ladder[2].find("A->B INFORMATIONAL request") == 0);
  CHECK(ladder[2].find("{D(IKE)}") != std::string::npos);
  CHECK(ladder[3].find("B->A INFORMATIONAL response") == 0);
  // X is gone; its (rekeyed) Child SA now belongs to the new IKE SA.
  for (const Peer* p : {&w.a(), &w.b()}) {
    CHECK(p->ike_sas().size() == 2);
    CHECK(std::none_of(p->ike_sas().begin(), p->ike_sas().end(),
                       [&](const auto& i) { return i.id == x; }));
    CHECK(child_on(*p, x) == 0);
  }
  (void)x_child_a;
  CHECK(w.count(TraceKind::kTunnelDown) == 0);
}

// Both IKE SAs get TEMPORARY_FAILURE within one retry delay: each has its own
// retry (one pending retry per peer used to keep only the later one).
TEST_CASE(
    "RFC 7296 2.25: TEMPORARY_FAILURE on the rekeys of two IKE SAs within one retry delay, both "
    "are retried",
    "[ike][temporary_failure]") {
  ScriptedWorld w(rfc_peer(), rfc_peer());
  two_ike_sas(w);
  const std::uint64_t x = w.a().ike_sa()->id;
  const std::uint64_t y = other_ike(w.a());
  w.b().request_rekey_child(child_on(w.b(), x));
  w.b().request_rekey_child(child_on(w.b(), y));
  REQUIRE(w.fire_timer(A, TimerKind::kIkeSoftExpire, x));
  REQUIRE(w.fire_timer(A, TimerKind::kIkeSoftExpire, y));
  REQUIRE(w.in_flight(A) == 2);
  REQUIRE(w.in_flight(B) == 2);
  settle(w);  // four TEMPORARY_FAILUREs (2.25, 2.25.2)
  CHECK(w.count(TraceKind::kNotifyReceived, A) == 2);
  CHECK(w.count(TraceKind::kNotifyReceived, B) == 2);
  REQUIRE(w.timers_pending(A, TimerKind::kRetryRekey) == 2);
  REQUIRE(w.fire_timer(B, TimerKind::kRetryRekey));
  REQUIRE(w.fire_timer(B, TimerKind::kRetryRekey));
  settle(w);
  w.clear_log();
  REQUIRE(w.fire_timer(A, TimerKind::kRetryRekey));
  REQUIRE(w.fire_timer(A, TimerKind::kRetryRekey));
  REQUIRE(w.in_flight(B) == 2);
  CHECK(w.peek(B, 0).sa_protocol == models::ProtocolId::kIke);
  CHECK(w.peek(B, 1).sa_protocol == models::ProtocolId::kIke);
  CHECK(w.peek(B, 0).ike_sa != w.peek(B, 1).ike_sa);
  settle(w);
  for (const Peer* p : {&w.a(), &w.b()}) {
    REQUIRE(p->ike_sas().size() == 2);
    for (const auto& i : p->ike_sas()) {
      CHECK(i.id != x);
      CHECK(i.id != y);
      CHECK(child_on(*p, i.id) != 0);  // each new IKE SA took its old one's Child SA
    }
  }
  CHECK(w.count(TraceKind::kTunnelDown) == 0);
}

// strongSwan ike_sa.c retransmit(), IKE_DELETING with make_before_break = no:
// "delete during reauthentication failed, trying to reestablish IKE_SA
// anyway". Here the other IKE SA kept the tunnel meanwhile.
TEST_CASE(
    "strongSwan ike_sa.c retransmit: a break-before-make reauthentication whose DELETE gives up "
    "still makes the new IKE SA, beside the IKE SA that kept the tunnel",
    "[reauth][teardown]") {
  PeerConfig a = rfc_peer();
  a.behaviour.reauth_time = sim::hours(1);
  a.behaviour.reauth_mode = models::ReauthMode::kBreakBeforeMake;
  a.behaviour.retransmit.tries = 1;
  ScriptedWorld w(a, rfc_peer());
  two_ike_sas(w);
  const std::uint64_t x = w.a().ike_sa()->id;
  const std::uint64_t y = other_ike(w.a());
  w.advance(sim::hours(1));
  REQUIRE(w.in_flight(B) == 1);
  CHECK(describe(w.peek(B)) == "INFORMATIONAL request 2 {D(IKE)}");
  w.drop(B);
  REQUIRE(w.fire_timer(A, TimerKind::kRetransmit));
  w.drop(B);
  REQUIRE(w.fire_timer(A, TimerKind::kRetransmit));  // 2.4: X given up
  REQUIRE(w.in_flight(B) == 1);
  CHECK(w.peek(B).exchange == ExchangeType::kIkeSaInit);
  CHECK(w.peek(B).reauth);  // no INITIAL_CONTACT: Y is up
  const std::uint64_t z = w.peek(B).ike_sa;
  settle(w);
  CHECK(w.count(TraceKind::kTunnelDown) == 0);
  REQUIRE(w.a().ike_sas().size() == 2);
  CHECK(w.a().ike_sa()->id == z);
  CHECK(child_on(w.a(), x) == 0);
  CHECK(child_on(w.a(), y) != 0);
  CHECK(child_on(w.a(), z) != 0);
  // B never saw the DELETE: it still holds X with its Child SA beside Y and Z
  // (until its own exchange on X fails, as after any one-sided give-up).
  CHECK(w.b().ike_sas().size() == 3);
}

// The new IKE SA gives up in IKE_AUTH instead (IKE_SA_INIT answered, the
// IKE_AUTH request and its retransmission lost): the same retry.
TEST_CASE(
    "RFC 7296 2.8.3 and 2.4: a make-before-break reauthentication whose IKE_AUTH gives up is "
    "tried again with a fresh IKE_SA_INIT",
    "[reauth][reauth_retry]") {
  ScriptedWorld w(reauthenticating(rfc_peer(), models::ReauthMode::kMakeBeforeBreak), rfc_peer());
  w.establish(A);
  const std::uint64_t old_ike = w.a().ike_sa()->id;
  w.advance(sim::hours(1));
  const std::uint64_t first = w.peek(B).ike_sa;
  w.deliver(B);
  w.deliver(A);  // IKE_SA_INIT response: IKE_AUTH follows
  REQUIRE(w.peek(B).exchange == ExchangeType::kIkeAuth);
  w.drop(B);
  REQUIRE(w.fire_timer(A, TimerKind::kRetransmit));
  w.drop(B);
  REQUIRE(w.fire_timer(A, TimerKind::kRetransmit));  // 2.4: gives up
  REQUIRE(w.a().ike_sas().size() == 1);
  CHECK(w.a().ike_sa()->id == old_ike);
  CHECK(child_spis(w.a()) == Pairs{{1, 2}});
  w.advance(sim::nanoseconds(0));  // the next attempt (reauth_retry_interval 0)
  REQUIRE(w.in_flight(B) == 1);
  CHECK(w.peek(B).exchange == ExchangeType::kIkeSaInit);
  CHECK(w.peek(B).ike_sa != first);
  const std::uint64_t second = w.peek(B).ike_sa;
  settle(w);
  REQUIRE(w.a().ike_sas().size() == 1);
  CHECK(w.a().ike_sa()->id == second);
  CHECK(w.b().ike_sa()->id == second);
  CHECK(w.a().child_sas().size() == 1);
  REQUIRE(w.a().outbound_spi().has_value());
  CHECK(w.b().accepts_inbound(*w.a().outbound_spi()));
  CHECK(w.a().accepts_inbound(*w.b().outbound_spi()));
  CHECK(w.count(TraceKind::kTunnelDown) == 0);
}
