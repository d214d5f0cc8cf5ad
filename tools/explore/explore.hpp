// Exhaustive exploration of the event orders around a rekey (`rekeysim
// explore`). Starting from two established peers, it tries every order of
// the two peers' timers (within Bounds::window of each other), every
// interleaving of the messages in flight (in send order per direction unless
// Bounds::reorder), and up to max_loss lost messages (with the
// retransmissions that follow), breadth first. States are deduplicated by
// World::digest(), so orders that commute (A's timer then B's delivery, or the
// other way round) are explored once.
//
// Invariants (models/ikev2/invariants.hpp: cant_find_sa, outage,
// tunnel_reset on every step; redundant_sa, sa_disagreement, sa_leak,
// ike_sa_leak, request_unanswered at every end state, where no step is
// enabled: nothing in flight and no timer due before the horizon).
// Where a peer breaks collisions by nonce (RFC 7296 2.8.1) the first step
// chooses the nonce order (Bounds::nonce_choice), so both outcomes of the
// tie-break are explored whatever the seed.
// Breadth-first order makes the first path found to each violation kind a
// shortest one.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "models/config.hpp"
#include "tools/explore/world.hpp"

namespace rekeysim::explore {

// Every violation kind, in report order.
const std::vector<std::string>& violation_kinds();

struct Options {
  SimTime window{};                    // Bounds::window
  int max_loss = 0;                    // Bounds::max_loss
  bool reorder = false;                // Bounds::reorder
  std::size_t depth = 200;             // longest step sequence explored
  std::size_t max_states = 4'000'000;  // stop (incomplete) after this many distinct states
  std::set<std::string> allow;         // violation kinds not reported (violation_kinds())
                                       // (a scenario's `explore: {allow: [...]}`, --allow)
  std::uint64_t seed = 1;              // the peers' random streams (nonces, jitter)
};

struct Violation {
  std::string kind;         // one of violation_kinds()
  std::string detail;       // what was wrong, with SPIs
  std::vector<Step> steps;  // a shortest step sequence that shows it
};

struct Result {
  std::uint64_t states = 0;              // distinct states reached (incl. the initial one)
  std::uint64_t transitions = 0;         // steps applied during the search
  std::uint64_t end_states = 0;          // distinct states with no step enabled
  std::uint64_t truncated = 0;           // states left unexpanded at the depth bound
  std::size_t longest = 0;               // longest step sequence to an end state
  SimTime horizon;                       // timers due later never fire
  bool complete = true;                  // every reachable state (within bounds) explored
  bool max_states_hit = false;           // stopped at Options::max_states
  std::vector<Violation> violations;     // one per kind, in violation_kinds() order
  std::chrono::duration<double> wall{};  // wall time of the search (report only)
};

// Runs the search. Throws std::invalid_argument for an unknown `allow` kind.
Result explore(const models::PeerConfig& a, const models::PeerConfig& b, const Options& o);

// The world after `steps` from the initial state (what explore() replays).
// Throws std::out_of_range when a step names nothing.
std::unique_ptr<World> replay(const models::PeerConfig& a, const models::PeerConfig& b,
                              std::uint64_t seed, const std::vector<Step>& steps);

// The timers due after this never fire: the later of the two peers' hard
// expiry of the first Child SA, so the run covers its rekey (or expiry).
SimTime horizon_of(const World& initial);

}  // namespace rekeysim::explore
