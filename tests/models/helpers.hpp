// Shared set-up for the IKEv2 protocol tests: peer configurations and
// readable views of the SA tables.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "models/config.hpp"
#include "models/ikev2/peer.hpp"
#include "models/scripted/scripted_world.hpp"

namespace rekeysim_test {

using models::PeerConfig;
using models::PeerId;
using models::TraceKind;
using models::ikev2::ChildSaState;
using models::ikev2::OutboundState;
using models::ikev2::Peer;
using models::ikev2::TimerKind;
using models::scripted::ScriptedWorld;

constexpr PeerId A = PeerId::kA;
constexpr PeerId B = PeerId::kB;

// strongSwan-like peer: D(old) at once, old inbound kept 5 s, retry 6..15 s.
// Lifetimes are long, so only the timers a test fires by hand matter.
inline PeerConfig strongswan_peer() {
  PeerConfig c;
  c.profile = "test-strongswan";
  c.child.lifetime = sim::hours(8);
  c.behaviour.collision_resolution = models::CollisionResolution::kStrongswanMinNonce;
  c.behaviour.start_action = models::StartAction::kNone;
  return c;
}

inline PeerConfig rfc_peer() {
  PeerConfig c;
  c.behaviour.start_action = models::StartAction::kNone;
  return c;
}

// A peer's Child SAs as (spi_in, spi_out) pairs, sorted.
inline std::vector<std::pair<std::uint32_t, std::uint32_t>> child_spis(const Peer& p) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> v;
  for (const auto& c : p.child_sas()) v.emplace_back(c.spi_in, c.spi_out);
  std::sort(v.begin(), v.end());
  return v;
}

using Pairs = std::vector<std::pair<std::uint32_t, std::uint32_t>>;

inline ChildSaState state_of(const Peer& p, std::uint32_t spi_in) {
  const auto* c = p.find_child(spi_in);
  return c ? c->state : ChildSaState::kDeleted;
}

inline bool outbound_installed(const Peer& p, std::uint32_t spi_in) {
  const auto* c = p.find_child(spi_in);
  return c && c->outbound == OutboundState::kInstalled;
}

}  // namespace rekeysim_test

namespace rekeysim_test {

// Delivers everything in flight, oldest first, alternating receivers, until
// the network is quiet (no timers run).
inline void settle(ScriptedWorld& w) {
  for (int guard = 0; guard < 1000 && (w.in_flight(A) + w.in_flight(B)) > 0; ++guard) {
    if (w.in_flight(A) > 0) w.deliver(A);
    if (w.in_flight(B) > 0) w.deliver(B);
  }
}

// Lets time pass in small steps, delivering everything promptly (a network
// with ~zero latency), until `until`.
inline void run_settling(ScriptedWorld& w, models::SimTime until,
                         models::SimTime step = sim::milliseconds(10)) {
  while (w.now() < until) {
    w.advance(step);
    settle(w);
  }
}

// The four orderings of strongSwan's collision tests: which of the four
// nonces is lowest. N1 = A's Ni, N2 = B's Ni, N3 = B's Nr (in A's exchange),
// N4 = A's Nr (in B's exchange).
enum class Lowest { kN1, kN2, kN3, kN4 };

// Queues first octets so that exactly the chosen nonce is lowest. A creates
// N1 then N4, B creates N2 then N3.
inline void force_lowest(ScriptedWorld& w, Lowest l) {
  w.queue_nonce_first_byte(A, l == Lowest::kN1 ? 0x00 : 0xff);
  w.queue_nonce_first_byte(A, l == Lowest::kN4 ? 0x00 : 0xff);
  w.queue_nonce_first_byte(B, l == Lowest::kN2 ? 0x00 : 0xff);
  w.queue_nonce_first_byte(B, l == Lowest::kN3 ? 0x00 : 0xff);
}

inline std::string describe_first(const ScriptedWorld& w, PeerId to) {
  return models::scripted::describe(w.peek(to, 0));
}

// A's exchange holds the lowest nonce -> its SA (CA) is redundant, B wins.
inline bool a_wins(Lowest l) {
  return l == Lowest::kN2 || l == Lowest::kN4;
}

}  // namespace rekeysim_test
