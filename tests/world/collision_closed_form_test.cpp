// The closed-form check: the per-rekey collision probability of two
// peers with equal lifetimes, margins and uniform fuzz.
//
// Derivation. Both peers have lifetime L, margin M and fuzz F (the jitter is
// U * F with U ~ U[0,1), fuzz_quantum 0, no tick), one-way latency d (constant),
// no processing delay. In steady state the previous rekey's initiator I sent
// its request at s; the responder R installed the new SA on the request at
// s + d and I installed it on the response at s + 2d (RFC 7296 1.3.3: the
// responder is ready to receive before it answers). Each arms its soft timer
// from its own installation (lifetimes are not negotiated, 2.8):
//   T_R = s + d  + (L - M) - F U_R,      T_I = s + 2d + (L - M) - F U_I,
//   D = T_I - T_R = d + F (U_R - U_I) = d + F W,
// where W = U_R - U_I has the triangular density 1 - |w| on [-1, 1]. The first
// timer to fire sends a CREATE_CHILD_SA that reaches the other peer d later; the
// exchanges collide (2.8.1) exactly when the second timer fires before that
// request arrives: |D| < d, i.e. -2d/F < W < 0. With y = 2d/F <= 1:
//   P(collision) = integral_{-y}^{0} (1 - |w|) dw = y - y^2 / 2.
// After a collision the surviving SA again has a responder that installed it d
// before its initiator, so every episode starts from the same state (the very
// first one, from a simultaneous install, differs, which is negligible over
// 2000 episodes per trial).
#include <catch2/catch.hpp>

#include "models/trial.hpp"
#include "sim/stats.hpp"

using models::Outcome;

namespace {
struct Rate {
  std::uint64_t episodes = 0;
  std::uint64_t collisions = 0;
};

Rate collision_rate(double y, std::uint64_t seed) {
  const sim::SimTime d = sim::milliseconds(16);
  const double fuzz_seconds = 2 * d.seconds() / y;  // F
  models::TrialConfig c;
  for (models::PeerConfig* p : {&c.a, &c.b}) {
    p->child.lifetime = sim::minutes(10);
    p->child.margin = sim::seconds(60);
    p->child.fuzz = fuzz_seconds / 60.0;  // F = fuzz * margin
    p->child.fuzz_quantum = sim::SimTime{};
    p->child.tick = sim::SimTime{};
    p->ike.lifetime = sim::days(100000);  // no IKE rekey interferes
  }
  c.network.a_to_b.latency = sim::DurationDist::constant(d);
  c.network.b_to_a.latency = sim::DurationDist::constant(d);
  c.duration = sim::days(100000);
  c.rekeys = 2000;
  Rate r;
  for (std::uint64_t trial = 0; trial < 50; ++trial) {  // 50 x 2000 = 10^5 rekeys
    const models::TrialOutcome o = models::run_trial(c, seed, trial);
    r.episodes += o.episodes;
    r.collisions += o.episodes_affected(Outcome::kCollisions);
  }
  return r;
}
}  // namespace

TEST_CASE(
    "RFC 7296 2.8.1: equal lifetimes with uniform fuzz collide with probability 2d/F - "
    "(2d/F)^2/2") {
  for (double y : {0.01, 0.02, 0.05}) {
    const Rate r = collision_rate(y, 20240611);
    const sim::Interval ci = sim::wilson_interval(r.collisions, r.episodes);
    const double expected = y - y * y / 2;
    INFO("2d/F = " << y << ": " << r.collisions << " collisions in " << r.episodes
                   << " rekeys, 95% interval [" << ci.lo << ", " << ci.hi << "], closed form "
                   << expected);
    CHECK(r.episodes >= 100000);
    CHECK(ci.lo <= expected);
    CHECK(expected <= ci.hi);
  }
}
