// Property test: whatever order messages are delivered in, and whichever are
// lost, two RFC 7296 peers never crash and, once the network behaves again,
// end with a working tunnel (one shared IKE SA, each side's outbound SPI
// accepted inbound by the other). A small explorer in the spirit of
// architecture.md's "tries every delivery order", with random choices.
#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "sim/random.hpp"

using namespace rekeysim_test;
using models::StartAction;

namespace {

PeerConfig busy_peer(models::CollisionResolution res) {
  PeerConfig c;
  c.child.lifetime = sim::seconds(60);
  c.child.margin = sim::seconds(20);
  c.child.fuzz = 0.3;
  c.ike.lifetime = sim::seconds(300);
  c.ike.margin = sim::seconds(60);
  c.ike.fuzz = 0.3;
  c.behaviour.collision_resolution = res;
  c.behaviour.start_action = StartAction::kImmediate;
  return c;
}

bool tunnel_works(ScriptedWorld& w) {
  const auto* ia = w.a().ike_sa();
  const auto* ib = w.b().ike_sa();
  if (!ia || !ib || ia->id != ib->id) return false;
  const auto oa = w.a().outbound_spi();
  const auto ob = w.b().outbound_spi();
  return oa && ob && w.b().accepts_inbound(*oa) && w.a().accepts_inbound(*ob);
}

}  // namespace

TEST_CASE("RFC 7296 2.8/2.25: random delivery orders and losses always recover", "[explore]") {
  const auto res = GENERATE(models::CollisionResolution::kRfc7296FourNonce,
                            models::CollisionResolution::kStrongswanMinNonce);
  int recovered = 0;
  for (std::uint64_t seed = 1; seed <= 100; ++seed) {
    INFO("seed " << seed);
    ScriptedWorld w(busy_peer(res), busy_peer(res), seed);
    sim::Rng rng(seed * 7919);
    w.establish(A);
    // Chaos phase: random steps, random delivery order, 5% loss.
    while (w.now() < sim::seconds(900)) {
      w.advance(sim::milliseconds(static_cast<std::int64_t>(rng.uniform_int(400))));
      for (int k = 0; k < 3; ++k) {
        const PeerId to = rng.uniform_int(2) == 0 ? A : B;
        const std::size_t n = w.in_flight(to);
        if (n == 0) continue;
        const std::size_t i = static_cast<std::size_t>(rng.uniform_int(n));
        if (rng.uniform01() < 0.1) {
          w.drop(to, i);
        } else {
          w.deliver(to, i);
        }
      }
    }
    // Calm phase: prompt, ordered, lossless delivery.
    run_settling(w, sim::seconds(1500), sim::milliseconds(20));
    CHECK(tunnel_works(w));
    CHECK(w.count(TraceKind::kRekeyCompleted) > 20);
    recovered += tunnel_works(w) ? 1 : 0;
  }
  CHECK(recovered == 100);
}

// Every vendor knob combination, chosen at random per seed: the peers may
// legitimately end broken (RFC 4718 vs RFC 7296, strongSwan 5.9), but they
// must never crash, and their SA tables must stay consistent.
TEST_CASE("Random knob combinations under random delivery keep SA tables consistent", "[explore]") {
  int working = 0;
  for (std::uint64_t seed = 1; seed <= 150; ++seed) {
    INFO("seed " << seed);
    sim::Rng rng(seed * 104729);
    PeerConfig cfg[2];
    for (auto& c : cfg) {
      c = busy_peer(static_cast<models::CollisionResolution>(rng.uniform_int(3)));
      c.behaviour.unknown_spi = static_cast<models::UnknownSpiAction>(rng.uniform_int(3));
      c.behaviour.crossing_delete = static_cast<models::CrossingDeleteHandling>(rng.uniform_int(2));
      c.behaviour.responder_switch =
          static_cast<models::ResponderOutboundSwitch>(rng.uniform_int(3));
      c.behaviour.ike_collision_winner =
          static_cast<models::IkeCollisionWinner>(rng.uniform_int(2));
      c.behaviour.start_action = static_cast<StartAction>(rng.uniform_int(3));
      c.behaviour.old_sa_delete_delay = sim::seconds(static_cast<std::int64_t>(rng.uniform_int(2)));
      c.behaviour.inbound_keep_delay = sim::seconds(static_cast<std::int64_t>(rng.uniform_int(6)));
      c.behaviour.temp_failure_in_collision =
          static_cast<models::TempFailureInCollision>(rng.uniform_int(2));
      c.child.tick = sim::seconds(static_cast<std::int64_t>(rng.uniform_int(3)));
    }
    ScriptedWorld w(cfg[0], cfg[1], seed);
    w.establish(rng.uniform_int(2) == 0 ? A : B);
    while (w.now() < sim::seconds(900)) {
      w.advance(sim::milliseconds(static_cast<std::int64_t>(rng.uniform_int(400))));
      for (int k = 0; k < 3; ++k) {
        const PeerId to = rng.uniform_int(2) == 0 ? A : B;
        const std::size_t n = w.in_flight(to);
        if (n == 0) continue;
        const std::size_t i = static_cast<std::size_t>(rng.uniform_int(n));
        if (rng.uniform01() < 0.1) {
          w.drop(to, i);
        } else {
          w.deliver(to, i);
        }
      }
      if (w.a().wants_traffic_trigger()) w.a().on_traffic_needs_sa();
      if (w.b().wants_traffic_trigger()) w.b().on_traffic_needs_sa();
    }
    run_settling(w, sim::seconds(1500), sim::milliseconds(20));
    for (const Peer* p : {&w.a(), &w.b()}) {
      auto spis = child_spis(*p);
      for (std::size_t i = 1; i < spis.size(); ++i) CHECK(spis[i - 1].first != spis[i].first);
      if (const auto out = p->outbound_spi()) {
        bool known = false;
        for (const auto& c : p->child_sas())
          if (c.spi_out == *out) known = true;
        CHECK(known);
      }
      CHECK(p->child_sas().size() <= 8);
    }
    working += tunnel_works(w) ? 1 : 0;
  }
  CHECK(working > 0);
}

TEST_CASE("Determinism: the same seed and delivery choices give the same trace", "[explore]") {
  auto run = [](std::uint64_t seed) {
    PeerConfig c = busy_peer(models::CollisionResolution::kRfc7296FourNonce);
    ScriptedWorld w(c, c, seed);
    w.establish(A);
    run_settling(w, sim::seconds(400), sim::milliseconds(50));
    std::vector<std::string> out = w.ladder();
    out.push_back(std::to_string(w.trace().size()));
    return out;
  };
  const auto first = run(11);
  CHECK(first.size() > 40);
  CHECK(run(11) == first);
  CHECK(run(12) != first);  // random nonces, jitter and SPIs differ
}
