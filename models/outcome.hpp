// The outcome vocabulary of architecture.md, computed from the trace stream
// per rekey episode (never counted separately inside the state machine).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "sim/time.hpp"

namespace models {

enum class Outcome : std::uint8_t {
  kChildRekeys,  // completed Child SA rekeys
  kCollisions,   // episodes where both peers' exchanges for the same SA overlapped
  kCantFindSa,   // a peer processed a DELETE or REKEY_SA for an SPI it no longer had
  kEspDropped,   // ESP packets that arrived for an inbound SPI that was gone
  kOutages,      // intervals when a direction had no SA pair able to carry traffic
  // Total length of outages in nanoseconds of direction-time: each direction's
  // outages are added, so an outage of both directions for 1 h is 2 h and a
  // trial's downtime can reach twice its simulated time.
  kDowntime,
  kRedundantSas,  // Child SAs left over after a collision settled
  kTunnelResets,  // IKE SA lost
  kIkeRekeys,
  kIkeCollisions,
  // Outbound ESP packets that found no Child SA at their sender once the
  // direction had been up, dropped (no_sa_policy drop or trap) ...
  kNoSa,
  // ... or sent unprotected (no_sa_policy clear): a leak.
  kCleartext,
  // ESP packets sent on an SA while the link was down (network.down): lost to
  // the link, not to a rekey.
  kEspLinkDown,
};
inline constexpr std::size_t kOutcomeCount = 13;
inline constexpr std::array<Outcome, kOutcomeCount> kAllOutcomes = {
    Outcome::kChildRekeys, Outcome::kCollisions,    Outcome::kCantFindSa,   Outcome::kEspDropped,
    Outcome::kOutages,     Outcome::kDowntime,      Outcome::kRedundantSas, Outcome::kTunnelResets,
    Outcome::kIkeRekeys,   Outcome::kIkeCollisions, Outcome::kNoSa,         Outcome::kCleartext,
    Outcome::kEspLinkDown};

// IKE SA outcomes (ike_rekeys, ike_collisions) are counted per IKE rekey
// episode (TrialOutcome::ike_episodes), every other outcome per Child SA
// rekey episode (TrialOutcome::episodes).
constexpr bool is_ike_outcome(Outcome o) {
  return o == Outcome::kIkeRekeys || o == Outcome::kIkeCollisions;
}

// Outcomes counted in ESP packets (an amount per episode, not a proportion of
// episodes): esp_dropped, no_sa, cleartext, esp_link_down.
constexpr bool is_packet_outcome(Outcome o) {
  return o == Outcome::kEspDropped || o == Outcome::kNoSa || o == Outcome::kCleartext ||
         o == Outcome::kEspLinkDown;
}

// Told of every outcome as the classifier counts it, so that every view
// (run, sweep, trace --first) uses the one definition of each outcome.
// `onset`: when it began (an outage's first moment, a collision's second
// crossing request, the record that showed a can't-find-SA or reset);
// `count`: as added to TrialOutcome::counts (packets, ns of downtime, events).
class OutcomeListener {
 public:
  virtual ~OutcomeListener() = default;
  virtual void counted(Outcome o, std::uint64_t count, sim::SimTime onset) = 0;
};

// The contract names used in every output (table, JSON, CSV, expect:).
std::string_view outcome_name(Outcome o);
// Parses a contract name; false if unknown.
bool outcome_from_name(std::string_view name, Outcome& out);

// What one trial produced.
struct TrialOutcome {
  // Child SA rekey episodes: each time the pair of peers replaced (or tried to
  // replace) one Child SA generation. The denominator of every rate.
  std::uint64_t episodes = 0;
  // IKE SA rekey episodes: IKE SAs one or both peers started to rekey. The
  // denominator of ike_rekeys and ike_collisions.
  std::uint64_t ike_episodes = 0;
  std::array<std::uint64_t, kOutcomeCount> counts{};
  // Episodes in which each outcome occurred at least once (for per-episode
  // proportions with Wilson intervals: collisions, cant_find_sa, ...).
  std::array<std::uint64_t, kOutcomeCount> episodes_with{};
  sim::SimTime simulated{};  // simulated time covered by the trial
  // Both peers had the tunnel up at some point (IKE_AUTH completed). A trial
  // where it never came up has no episode, so no rate can show it.
  bool established = false;

  std::uint64_t count(Outcome o) const { return counts[static_cast<std::size_t>(o)]; }
  std::uint64_t episodes_affected(Outcome o) const {
    return episodes_with[static_cast<std::size_t>(o)];
  }
};

}  // namespace models
