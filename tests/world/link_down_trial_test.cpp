// Link-down windows and packets without an SA in whole trials: a rekey
// request lost to the window is recovered on the RFC 7296 2.4 retransmission
// schedule, a window longer than the give-up resets the tunnel, and the
// packets each peer could not put on an SA are the no-SA time x the rate.
#include <catch2/catch.hpp>

#include <cmath>
#include <optional>
#include <vector>

#include "models/trial.hpp"
#include "models/world/world.hpp"

using models::Outcome;
using models::PeerId;
using models::TraceKind;
using models::TraceRecord;
using models::TrialConfig;
using sim::SimTime;

namespace {
struct Buffer final : models::TraceSink {
  std::vector<TraceRecord> records;
  void record(const TraceRecord& r) override { records.push_back(r); }
  std::vector<const TraceRecord*> all(PeerId p, TraceKind k, SimTime from = SimTime{}) const {
    std::vector<const TraceRecord*> out;
    for (const auto& r : records) {
      if (r.peer == p && r.kind == k && r.time >= from) out.push_back(&r);
    }
    return out;
  }
  std::uint64_t count(PeerId p, TraceKind k) const {
    std::uint64_t n = 0;
    for (const auto& r : records) n += r.peer == p && r.kind == k ? r.count : 0;
    return n;
  }
};

// rfc7296 defaults, no fuzz, 16 ms one way: A's Child SA rekeys first (B's
// lifetime is 10 min longer), at a time fixed by the establishment.
TrialConfig base() {
  TrialConfig c;
  c.a.child.fuzz = 0;
  c.b.child.fuzz = 0;
  c.a.ike.fuzz = 0;
  c.b.ike.fuzz = 0;
  c.b.child.lifetime += sim::minutes(10);
  c.duration = sim::hours(8);
  return c;
}

// When A sent its first Child SA rekey request (CREATE_CHILD_SA with REKEY_SA).
SimTime first_rekey_request(const TrialConfig& c) {
  Buffer b;
  models::run_trial(c, 7, 0, &b);
  for (const TraceRecord* r : b.all(PeerId::kA, TraceKind::kMessageSent)) {
    if (r->message.exchange == models::ExchangeType::kCreateChildSa && !r->message.is_response)
      return r->time;
  }
  FAIL("no rekey request");
  return {};
}

// Try n of a request times out after timeout x base^n (task_manager.cpp, 2.4).
SimTime timeout_of(const models::RetransmitPolicy& p, int n) {
  return sim::nanoseconds(std::llround(static_cast<double>(p.timeout.ns()) * std::pow(p.base, n)));
}
}  // namespace

TEST_CASE(
    "Link down over a Child SA rekey: the request is lost and retransmitted on the 2.4 schedule") {
  TrialConfig c = base();
  const SimTime t0 = first_rekey_request(c);
  // Down from 1 s before the request to 10 s after: the request (t0) and its
  // first retransmission (t0 + 4 s) are lost, the second (t0 + 4 s + 7.2 s)
  // leaves after the window and completes the rekey one round trip later.
  c.network.a_to_b.down = {{t0 - sim::seconds(1), sim::seconds(11), {}}};
  c.network.b_to_a.down = c.network.a_to_b.down;
  Buffer b;
  const auto o = models::run_trial(c, 7, 0, &b);
  const auto& rt = c.a.behaviour.retransmit;
  const auto lost = b.all(PeerId::kA, TraceKind::kMessageLost, t0 - sim::seconds(1));
  REQUIRE(lost.size() == 2);
  CHECK(lost[0]->time == t0);
  CHECK(lost[1]->time == t0 + timeout_of(rt, 0));
  const auto again = b.all(PeerId::kA, TraceKind::kRetransmit, t0);
  REQUIRE(again.size() == 2);
  CHECK(again[1]->time == t0 + timeout_of(rt, 0) + timeout_of(rt, 1));
  const auto done = b.all(PeerId::kA, TraceKind::kRekeyCompleted, t0);
  REQUIRE_FALSE(done.empty());
  CHECK(done[0]->time == again[1]->time + sim::milliseconds(32));
  CHECK(o.count(Outcome::kTunnelResets) == 0);
  CHECK(o.count(Outcome::kChildRekeys) >= 1);
}

TEST_CASE(
    "Link down longer than the retransmission give-up: the IKE SA is torn down and re-established "
    "on each profile's schedule") {
  // The rfc7296 schedule (4 s x 1.8^n, 5 retransmissions: 165.06 s) and the
  // PAN-OS liveness schedule (vendor_panos.cpp: 1 s doubling, capped at 64 s,
  // 9 retransmissions: 319 s).
  models::RetransmitPolicy panos;
  panos.timeout = sim::seconds(1);
  panos.base = 2;
  panos.tries = 9;
  panos.cap = sim::seconds(64);
  for (const auto& [policy, expected] :
       {std::pair{models::RetransmitPolicy{}, sim::nanoseconds(165061120000)},
        std::pair{panos, sim::seconds(319)}}) {
    TrialConfig c = base();
    c.a.behaviour.retransmit = policy;
    c.b.behaviour.retransmit = policy;
    const SimTime t0 = first_rekey_request(c);
    c.network.a_to_b.down = {{t0 - sim::seconds(1), sim::seconds(400), {}}};
    c.network.b_to_a.down = c.network.a_to_b.down;
    Buffer b;
    const auto o = models::run_trial(c, 7, 0, &b);
    // Give-up: the last of `tries` retransmissions times out (2.4).
    SimTime give_up = t0;
    for (int n = 0; n <= policy.tries; ++n) {
      give_up += policy.cap > SimTime{} ? std::min(timeout_of(policy, n), policy.cap)
                                        : timeout_of(policy, n);
    }
    CHECK(give_up - t0 == expected);
    const auto down = b.all(PeerId::kA, TraceKind::kTunnelDown, t0);
    REQUIRE_FALSE(down.empty());
    CHECK(down[0]->time == give_up);
    CHECK(o.count(Outcome::kTunnelResets) == 1);
    // Re-established (reestablish_delay, then IKE_SA_INIT retransmitted until
    // the link is back), and up again only after the window.
    const auto up = b.all(PeerId::kA, TraceKind::kTunnelUp, give_up);
    REQUIRE_FALSE(up.empty());
    CHECK(up[0]->time >= t0 + sim::seconds(399));
  }
}

TEST_CASE(
    "Link down: ESP in the window is lost to the link, counted as esp_link_down, not a rekey "
    "drop") {
  TrialConfig c = base();
  c.duration = sim::hours(2);  // no rekey in 2 h of an 8 h lifetime
  c.traffic.a_to_b.rate_pps = 100;
  c.traffic.b_to_a.rate_pps = 100;
  c.network.a_to_b.down = {{sim::hours(1), sim::seconds(30), {}}};
  c.network.b_to_a.down = c.network.a_to_b.down;
  Buffer b;
  const auto o = models::run_trial(c, 3, 0, &b);
  CHECK(o.count(Outcome::kEspLinkDown) == 6000);  // 30 s x 100 pps x 2 directions
  CHECK(o.count(Outcome::kEspDropped) == 0);
  CHECK(o.count(Outcome::kNoSa) == 0);
  CHECK(o.count(Outcome::kOutages) == 0);
  // Reported just after the window, not at the end of the trial.
  const auto rec = b.all(PeerId::kA, TraceKind::kEspLinkDown);
  REQUIRE(rec.size() == 1);
  CHECK(rec[0]->time < sim::hours(1) + sim::seconds(31));
}

TEST_CASE(
    "RFC 4301 5.1 no SA after a tunnel reset: each peer's no-SA time x the packet rate, per its "
    "policy") {
  for (models::NoSaPolicy policy :
       {models::NoSaPolicy::kTrap, models::NoSaPolicy::kDrop, models::NoSaPolicy::kClear}) {
    TrialConfig c = base();
    const SimTime t0 = first_rekey_request(c);
    c.network.a_to_b.down = {{t0 - sim::seconds(1), sim::seconds(200), {}}};
    c.network.b_to_a.down = c.network.a_to_b.down;
    c.traffic.a_to_b.rate_pps = 100;
    c.traffic.b_to_a.rate_pps = 100;
    c.a.behaviour.no_sa_policy = policy;
    c.b.behaviour.no_sa_policy = policy;
    Buffer b;
    models::world::World w(c, 7, 0, &b);
    w.establish();
    w.run(c.duration);
    const auto o = w.finish(c.duration);
    // A: from its give-up until it installs the new Child SA's outbound half.
    const SimTime a_down = b.all(PeerId::kA, TraceKind::kTunnelDown, t0).at(0)->time;
    const SimTime a_back = b.all(PeerId::kA, TraceKind::kOutboundSwitched, a_down).at(0)->time;
    // B: from losing its IKE SA to A's IKE_SA_INIT until IKE_AUTH installs the SA.
    const SimTime b_down = b.all(PeerId::kB, TraceKind::kTunnelDown, t0).at(0)->time;
    const SimTime b_back = b.all(PeerId::kB, TraceKind::kOutboundSwitched, b_down).at(0)->time;
    const TraceKind kind =
        policy == models::NoSaPolicy::kClear ? TraceKind::kEspCleartext : TraceKind::kEspNoSa;
    const double a_expected = 100 * (a_back - a_down).seconds();
    const double b_expected = 100 * (b_back - b_down).seconds();
    INFO("A no SA " << (a_back - a_down).seconds() << " s, B " << (b_back - b_down).seconds()
                    << " s");
    CHECK(std::abs(static_cast<double>(b.count(PeerId::kA, kind)) - a_expected) <= 1);
    CHECK(std::abs(static_cast<double>(b.count(PeerId::kB, kind)) - b_expected) <= 1);
    const Outcome counted =
        policy == models::NoSaPolicy::kClear ? Outcome::kCleartext : Outcome::kNoSa;
    const Outcome other =
        policy == models::NoSaPolicy::kClear ? Outcome::kNoSa : Outcome::kCleartext;
    CHECK(o.count(counted) == b.count(PeerId::kA, kind) + b.count(PeerId::kB, kind));
    CHECK(o.count(counted) > 100);
    CHECK(o.count(other) == 0);
    // Only a trapped packet asks the daemon for an SA.
    if (policy == models::NoSaPolicy::kTrap) {
      CHECK(w.traffic_triggers() > 0);
    } else {
      CHECK(w.traffic_triggers() == 0);
    }
  }
}
