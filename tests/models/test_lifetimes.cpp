// Lifetimes (RFC 7296 2.8), volume limits, hard expiry, retransmission and
// re-establishment (2.1, 2.4), window size 1 (2.3), and vendor knobs that
// change who sends on which SA when (CSCvx23833, libreswan, strongSwan 5.9).
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace rekeysim_test;
using models::CollisionResolution;
using models::ResponderOutboundSwitch;
using models::StartAction;
using models::scripted::describe;

namespace {
PeerConfig timed(models::SimTime lifetime, models::SimTime margin) {
  PeerConfig c = strongswan_peer();
  c.child.lifetime = lifetime;
  c.child.margin = margin;
  c.child.fuzz = 0;
  return c;
}

double first_send_time(const ScriptedWorld& w, PeerId from) {
  for (const auto& m : w.wire())
    if (m.from == from) return m.at.seconds();
  return -1;
}
}  // namespace

TEST_CASE("RFC 7296 2.8: soft lifetime = lifetime - margin, counted from installation",
          "[lifetime]") {
  ScriptedWorld w(timed(sim::hours(1), sim::minutes(9)), timed(sim::hours(2), sim::minutes(9)));
  w.establish(A);
  w.run_until(sim::minutes(51) - sim::nanoseconds(1));
  CHECK(w.in_flight(B) == 0);
  w.run_until(sim::minutes(51));
  REQUIRE(w.in_flight(B) == 1);
  CHECK(describe_first(w, B) == "CREATE_CHILD_SA request 2 {N(REKEY_SA,1), SA(ESP,3), Nonce, TS}");
}

TEST_CASE(
    "LifetimePolicy: margin 0 means no rekey, the SA runs to its hard lifetime and is "
    "deleted",
    "[lifetime]") {
  PeerConfig c = timed(sim::hours(1), sim::SimTime{});
  c.behaviour.start_action = StartAction::kNone;
  ScriptedWorld w(c, timed(sim::hours(2), sim::minutes(9)));
  w.establish(A);
  w.run_until(sim::hours(1) - sim::nanoseconds(1));
  CHECK(w.count(TraceKind::kRekeyStarted, A) == 0);
  w.run_until(sim::hours(1));
  CHECK(w.count(TraceKind::kRekeyStarted, A) == 0);
  CHECK(w.count(TraceKind::kHardExpired, A) == 1);
  REQUIRE(w.in_flight(B) == 1);
  CHECK(describe_first(w, B) == "INFORMATIONAL request 2 {D(ESP,1)}");
}

TEST_CASE("LifetimePolicy: responder margin scale and no responder fuzz (libreswan rule)",
          "[lifetime]") {
  PeerConfig c = timed(sim::hours(1), sim::minutes(10));
  c.child.responder_margin_scale = 0.5;
  c.child.responder_fuzz = false;
  c.child.fuzz = 1.0;
  ScriptedWorld w(c, c);
  w.establish(A);  // B created C0 as responder: rekeys at 60 - 5 = 55 min exactly
  w.run_until(sim::minutes(50));
  // A (initiator) rekeys between 40 and 50 min; B has not started yet.
  CHECK(w.count(TraceKind::kRekeyStarted, B) == 0);
  const double t = first_send_time(w, A);
  CHECK(t >= 40 * 60.0);
  CHECK(t < 50 * 60.0);
}

TEST_CASE("LifetimePolicy: timers round up to the peer's tick, clock error scales durations",
          "[lifetime]") {
  PeerConfig c = timed(sim::hours(1), sim::minutes(9));
  c.child.tick = sim::seconds(10);
  PeerConfig fast = timed(sim::hours(1), sim::minutes(9));
  fast.clock_error_ppm = 1000;  // 51 min local = 3060 s / 1.001 true
  ScriptedWorld w(c, fast);
  w.establish(A);
  w.run_until(sim::hours(1));
  const double ta = first_send_time(w, A);
  const double tb = first_send_time(w, B);
  CHECK(tb == Approx(3060.0 / 1.001).epsilon(1e-9));
  CHECK(ta >= 3060.0);
  CHECK(ta < 3070.0);
}

// Hard expiry without a successful rekey (RFC 7296 2.8: the SA must not be
// used any more): both halves go, the peer is told with a DELETE, and the
// SA is re-created at once with start_action = immediate.
TEST_CASE("RFC 7296 2.8: hard expiry without rekey deletes, then re-creates per start_action",
          "[lifetime][hard]") {
  const StartAction action = GENERATE(StartAction::kImmediate, StartAction::kNone);
  PeerConfig c = strongswan_peer();
  c.behaviour.start_action = action;
  ScriptedWorld w(c, strongswan_peer());
  w.establish(A);
  w.a().on_timer(TimerKind::kChildHardExpire, 1);
  CHECK(w.count(TraceKind::kHardExpired, A) == 1);
  CHECK_FALSE(w.a().accepts_inbound(1));
  CHECK_FALSE(w.a().outbound_spi().has_value());
  settle(w);
  if (action == StartAction::kImmediate) {
    CHECK(w.ladder() == std::vector<std::string>{
                            "A->B INFORMATIONAL request 2 {D(ESP,1)}",
                            "B->A INFORMATIONAL response 2 {D(ESP,2)}",
                            "A->B CREATE_CHILD_SA request 3 {SA(ESP,3), Nonce, TS}",
                            "B->A CREATE_CHILD_SA response 3 {SA(ESP,4), Nonce, TS}",
                        });
    CHECK(child_spis(w.a()) == Pairs{{3, 4}});
    CHECK(child_spis(w.b()) == Pairs{{4, 3}});
  } else {
    CHECK(w.ladder().size() == 2);
    CHECK(w.a().child_sas().empty());
    CHECK(w.b().child_sas().empty());
  }
}

TEST_CASE("start_action=on_traffic: the world's traffic trigger re-creates the SA",
          "[lifetime][hard]") {
  PeerConfig c = strongswan_peer();
  c.behaviour.start_action = StartAction::kOnTraffic;
  ScriptedWorld w(c, strongswan_peer());
  w.establish(A);
  w.a().on_timer(TimerKind::kChildHardExpire, 1);
  settle(w);
  CHECK(w.a().child_sas().empty());
  CHECK(w.a().wants_traffic_trigger());
  w.a().on_traffic_needs_sa();
  settle(w);
  CHECK(child_spis(w.a()) == Pairs{{3, 4}});
  CHECK_FALSE(w.a().wants_traffic_trigger());
}

TEST_CASE("Volume lifetime: soft limit (lifetime - margin) triggers a rekey via on_traffic",
          "[lifetime][volume]") {
  PeerConfig c = strongswan_peer();
  c.child.lifetime_bytes = 1'000'000;
  c.child.volume_margin = 0.1;
  ScriptedWorld w(c, c);
  w.establish(A);
  auto budget = w.a().volume_budget(1);
  REQUIRE(budget.has_value());
  CHECK(budget->bytes_in == 900'000u);
  CHECK(budget->packets_in == models::ikev2::VolumeBudget::kUnlimited);
  w.a().on_traffic(1, 500'000, 1000, 0, 0);
  CHECK(w.in_flight(B) == 0);
  CHECK(w.a().volume_budget(1)->bytes_in == 400'000u);
  w.a().on_traffic(1, 400'000, 800, 0, 0);
  REQUIRE(w.in_flight(B) == 1);
  CHECK(describe_first(w, B).find("N(REKEY_SA,1)") != std::string::npos);
  // After the soft event the budget counts to the hard limit.
  CHECK(w.a().volume_budget(1)->bytes_in == 100'000u);
  settle(w);
  w.advance(sim::seconds(5));
  CHECK(child_spis(w.a()) == Pairs{{3, 4}});
  CHECK(w.a().volume_budget(3)->bytes_in == 900'000u);
  // No limit configured -> no budget.
  ScriptedWorld plain(strongswan_peer(), strongswan_peer());
  plain.establish(A);
  CHECK_FALSE(plain.a().volume_budget(1).has_value());
}

TEST_CASE("Volume lifetime: hard limit reached without a rekey expires the SA",
          "[lifetime][volume]") {
  PeerConfig c = strongswan_peer();
  c.child.lifetime_packets = 1000;
  ScriptedWorld w(c, c);
  w.establish(A);
  w.a().on_traffic(1, 0, 0, 0, 1000);
  CHECK(w.count(TraceKind::kHardExpired, A) == 1);
  CHECK_FALSE(w.a().outbound_spi().has_value());
}

// CSCvx23833 / PAN-OS: the rekey responder sends on the new SA as soon as it
// has answered. Until the response reaches the initiator, the initiator has
// no inbound SA for that SPI: ESP sent then is dropped ("can't find SA").
TEST_CASE("RFC 7296 2.8: responder switching outbound on its response races the initiator",
          "[rekey][responder-switch]") {
  PeerConfig panos = strongswan_peer();
  panos.behaviour.responder_switch = ResponderOutboundSwitch::kOnResponseSent;
  ScriptedWorld w(strongswan_peer(), panos);
  w.establish(A);
  w.a().request_rekey_child(1);
  w.deliver(B);
  REQUIRE(w.b().outbound_spi().has_value());
  CHECK(*w.b().outbound_spi() == 3u);
  CHECK_FALSE(w.a().accepts_inbound(3));  // the window
  w.deliver(A);
  CHECK(w.a().accepts_inbound(3));
  settle(w);
}

TEST_CASE("RFC 7296 2.8: responder switching outbound while processing the request",
          "[rekey][responder-switch]") {
  PeerConfig early = strongswan_peer();
  early.behaviour.responder_switch = ResponderOutboundSwitch::kOnRequest;
  ScriptedWorld w(strongswan_peer(), early);
  w.establish(A);
  w.a().request_rekey_child(1);
  w.deliver(B);
  // The switch is traced before the response is sent.
  std::size_t switched = 0, sent = 0;
  for (std::size_t i = 0; i < w.trace().size(); ++i) {
    if (w.trace()[i].peer != B) continue;
    if (w.trace()[i].kind == TraceKind::kOutboundSwitched) switched = i;
    if (w.trace()[i].kind == TraceKind::kMessageSent) sent = i;
  }
  CHECK(switched < sent);
  CHECK(w.b().outbound_spi() == 3u);
}

// libreswan: no collision tie-break. Each side completes its own rekey and
// deletes the old SA 1 s later (the DELETEs cross); both new SAs stay, and
// each side sends on the newest SA it initiated (libreswan #2184).
TEST_CASE("libreswan collision_resolution=none leaves two Child SAs", "[collision][libreswan]") {
  PeerConfig ls = strongswan_peer();
  ls.behaviour.collision_resolution = CollisionResolution::kNone;
  ls.behaviour.old_sa_delete_delay = sim::seconds(1);
  ls.behaviour.inbound_keep_delay = sim::seconds(1);
  ScriptedWorld w(ls, ls);
  w.establish(A);
  w.a().request_rekey_child(1);
  w.b().request_rekey_child(2);
  w.deliver(B);
  w.deliver(A, 0);
  w.deliver(A);
  w.deliver(B);
  CHECK(w.in_flight(A) + w.in_flight(B) == 0);
  CHECK(w.timers_pending(A, TimerKind::kDeleteOldSa) == 1);
  w.advance(sim::seconds(1));
  CHECK(describe_first(w, B) == "INFORMATIONAL request 3 {D(ESP,1)}");
  CHECK(describe_first(w, A) == "INFORMATIONAL request 1 {D(ESP,2)}");
  settle(w);
  w.advance(sim::seconds(1));
  CHECK(child_spis(w.a()) == Pairs{{3, 5}, {6, 4}});
  CHECK(child_spis(w.b()) == Pairs{{4, 6}, {5, 3}});
  CHECK(w.a().outbound_spi() == 5u);
  CHECK(w.b().outbound_spi() == 6u);
  CHECK(w.count(TraceKind::kCollisionResolved) == 0);
  CHECK(w.count(TraceKind::kDeleteForUnknownSpi) == 0);
}

// strongSwan <= 5.9 (issue #1896): on TEMPORARY_FAILURE after the peer's
// undetected rekey, it retries its own rekey instead of adopting the peer's
// SA; the peer's D(old) then removes the only SA it sends on.
TEST_CASE("strongSwan 5.9 TEMPORARY_FAILURE handling leaves no outbound SA",
          "[collision][legacy]") {
  PeerConfig old = strongswan_peer();
  old.behaviour.temp_failure_in_collision = models::TempFailureInCollision::kRetryOwnRekey;
  ScriptedWorld w(old, strongswan_peer());
  w.establish(A);
  w.a().request_rekey_child(1);  // held
  w.b().request_rekey_child(2);
  w.deliver(A);
  w.deliver(B, 1);
  w.deliver(B, 0);  // TEMPORARY_FAILURE
  w.deliver(A, 1);  // TEMPORARY_FAILURE first: A retries
  CHECK(w.count(TraceKind::kRetryScheduled, A) == 1);
  w.deliver(A, 0);  // D(2) now looks like a plain delete
  CHECK_FALSE(w.a().outbound_spi().has_value());
  CHECK(w.a().accepts_inbound(5));
}

TEST_CASE("RFC 7296 2.4: retransmission give-up resets the tunnel, then it is re-established",
          "[retransmit]") {
  PeerConfig c = strongswan_peer();
  c.behaviour.start_action = StartAction::kImmediate;
  ScriptedWorld w(c, strongswan_peer());
  w.establish(A);
  w.a().request_rekey_child(1);
  while (w.now() < sim::milliseconds(165'500)) {
    w.run_until(w.now() + sim::milliseconds(500));
    w.drop_all(B);
  }
  // Given up at 165.06 s, re-established 1 s later with IKE_SA_INIT/IKE_AUTH.
  CHECK(w.count(TraceKind::kTunnelDown, A) == 1);
  CHECK(w.count(TraceKind::kRetransmit, A) == 5);
  w.clear_log();
  w.run_until(sim::seconds(166) + sim::milliseconds(100));
  settle(w);
  const auto l = w.ladder();
  REQUIRE(l.size() == 4);
  CHECK(l[0].find("A->B IKE_SA_INIT request 0 {SA(IKE,") == 0);
  CHECK(l[1].find("B->A IKE_SA_INIT response 0") == 0);
  CHECK(l[2] == "A->B IKE_AUTH request 1 {SA(ESP,4), TS}");
  CHECK(l[3] == "B->A IKE_AUTH response 1 {SA(ESP,5), TS}");
  CHECK(w.count(TraceKind::kTunnelDown, B) == 1);  // B drops its stale state
  CHECK(w.count(TraceKind::kTunnelUp, A) == 1);
  CHECK(w.count(TraceKind::kTunnelUp, B) == 1);
  CHECK(child_spis(w.a()) == Pairs{{4, 5}});
  CHECK(child_spis(w.b()) == Pairs{{5, 4}});
  CHECK(w.a().ike_sa()->id == w.b().ike_sa()->id);
}

TEST_CASE("RFC 7296 2.1: a retransmitted request gets the cached response again", "[retransmit]") {
  ScriptedWorld w(strongswan_peer(), strongswan_peer());
  w.establish(A);
  w.a().request_rekey_child(1);
  w.deliver(B);
  w.drop(A);  // response lost
  w.run_until(sim::seconds(4));
  REQUIRE(w.in_flight(B) == 1);
  w.deliver(B);  // retransmission: no second SA at B
  CHECK(w.b().child_sas().size() == 2);
  REQUIRE(w.in_flight(A) == 1);
  CHECK(describe_first(w, A) == "CREATE_CHILD_SA response 2 {SA(ESP,4), Nonce, TS}");
  settle(w);
  w.advance(sim::seconds(5));
  CHECK(child_spis(w.a()) == Pairs{{3, 4}});
  CHECK(child_spis(w.b()) == Pairs{{4, 3}});
}

TEST_CASE("RFC 7296 2.3: window size 1 queues own requests but still answers the peer",
          "[window]") {
  ScriptedWorld w(strongswan_peer(), strongswan_peer());
  w.establish(A);
  w.a().request_rekey_ike();
  w.a().request_delete_child(1);  // must wait for the IKE rekey to finish
  CHECK(w.in_flight(B) == 1);
  CHECK(w.a().queued_tasks() == 1);
  w.b().request_rekey_child(2);  // B's request is answered meanwhile
  w.deliver(A);
  CHECK(w.in_flight(B) == 2);
  CHECK(describe(w.peek(B, 1)).find("CREATE_CHILD_SA response 0 {N(TEMPORARY_FAILURE)}") == 0);
}

// RFC 7296 1.3: a responder that accepts no more Child SAs answers
// NO_ADDITIONAL_SAS (an initiator receiving it does not retry, unlike after
// TEMPORARY_FAILURE, 2.25); a rekey, which replaces an SA, is never refused.
TEST_CASE(
    "RFC 7296 1.3: a responder at max_child_sas refuses a create with NO_ADDITIONAL_SAS, "
    "never a rekey",
    "[lifetime][create]") {
  // First capture the CREATE_CHILD_SA that A sends after its SA expired.
  PeerConfig immediate = strongswan_peer();
  immediate.behaviour.start_action = StartAction::kImmediate;
  models::Message create;
  {
    ScriptedWorld w(immediate, strongswan_peer());
    w.establish(A);
    w.a().on_timer(TimerKind::kChildHardExpire, 1);
    w.deliver(B);  // D(ESP,1)
    w.deliver(A);  // its response; A now creates afresh
    REQUIRE(w.in_flight(B) == 1);
    create = w.peek(B);
    REQUIRE(describe_first(w, B) == "CREATE_CHILD_SA request 3 {SA(ESP,3), Nonce, TS}");
  }
  // A responder limited to one Child SA that still has its SA 2 refuses it.
  PeerConfig limited = strongswan_peer();
  limited.behaviour.max_child_sas = 1;
  ScriptedWorld w(strongswan_peer(), limited);
  w.establish(A);
  create.message_id = 2;  // the next request B expects on this IKE SA
  w.b().on_message(create);
  REQUIRE(w.in_flight(A) == 1);
  CHECK(w.peek(A).notify == models::NotifyType::kNoAdditionalSas);
  CHECK(child_spis(w.b()) == Pairs{{2, 1}});

  // A rekey of SA 1 is still answered: it adds no SA, it replaces one.
  w.drop(A);
  w.a().on_timer(TimerKind::kChildSoftExpire, 1);
  REQUIRE(w.in_flight(B) == 1);
  models::Message rekey = w.peek(B);
  rekey.message_id = 3;
  w.drop(B);
  w.b().on_message(rekey);
  REQUIRE(w.in_flight(A) == 1);
  CHECK(w.peek(A).notify == models::NotifyType::kNone);
  CHECK(w.peek(A).sa_spi != 0);
}
