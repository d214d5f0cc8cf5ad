// The explorer's world: two Peers whose every event is a choice. Nothing
// happens by itself: a step fires one pending timer, hands one in-flight
// message to its receiver, or loses it. The same choice sequence applied to
// a fresh World (same config, same seed) gives the same state, which is how
// the explorer revisits a state (replay from the start; Peers are not
// copyable) and how a counterexample is reproduced.
//
// Time: a step that fires a timer moves the clock to 1 ns before the earliest
// pending timer (never back), so the timer runs just before it was due and
// no other timer has come due meanwhile; deliveries and losses take no time.
// That is exactly what a case script (scenarios/cases/FORMAT.md) can say:
// `advance_to` that time (nothing fires), then `fire` the timer. Which steps
// are enabled (enabled()) bounds how far events may be reordered: see Bounds.
//
// Nonces, SPIs and random streams are made as the scripted world makes them
// (models/scripted/scripted_world.hpp: nonces start 0x80, Child SPIs and IKE
// SA ids from one counter shared by both peers, per-peer streams of `seed`),
// so a step sequence replayed there as a case reaches the same SAs.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "models/config.hpp"
#include "models/ikev2/peer.hpp"
#include "models/trace.hpp"

namespace rekeysim::explore {

using models::Message;
using models::PeerId;
using models::SimTime;
using models::ikev2::TimerKind;

enum class StepKind : std::uint8_t {
  kFire,     // a pending timer of `peer` fires
  kDeliver,  // the in-flight message to `peer` at `index` arrives
  kDrop,     // the in-flight message to `peer` at `index` is lost
  // The nonce order (only as the first step, see Bounds::nonce_choice):
  // index 0 = A's requests carry the lowest nonces, 1 = B's do.
  kNonceOrder,
};

// One choice. `index`: for kFire the position in timers() (ordered by time,
// peer, kind, cookie); for kDeliver/kDrop the position in in_flight(peer).
struct Step {
  StepKind kind = StepKind::kFire;
  PeerId peer = PeerId::kA;
  std::uint16_t index = 0;
  bool operator==(const Step&) const = default;
};

struct PendingTimer {
  std::uint64_t id = 0;  // the sim::EventId value handed to the peer
  PeerId peer = PeerId::kA;
  SimTime at;
  TimerKind kind = TimerKind::kRetransmit;
  std::uint64_t cookie = 0;
};

struct InFlight {
  Message message;
  PeerId from = PeerId::kA;
  SimTime sent;
  bool retransmit = false;
  // The case format's name: "a.CREATE_CHILD_SA.req#1", "b.INFORMATIONAL.resp#2",
  // "<original>.retransmit<k>" (per sender and exchange, in send order).
  std::string name;
};

// How far the explorer may reorder events.
//   window:    a timer may fire while another timer due up to `window`
//              earlier has not (the two peers' clocks and schedulers are not
//              in step), and a message may stay in flight up to `window`
//              after it was sent: no timer due later than that fires first.
//              0 = timers in time order (ties in any order), every message
//              delivered or lost before time moves on.
//   max_loss:  at most this many messages lost in one run.
//   reorder:   messages in one direction may arrive in any order (UDP may
//              reorder); false = in the order sent (any message may still
//              be lost). Messages in opposite directions always interleave
//              freely.
//   horizon:   timers due after it never fire (the run ends before them).
//   nonce_choice: the first step chooses the nonce order (RFC 7296 2.8.1's
//              tie-break): either every request nonce of A starts with 0x00
//              and every other nonce with 0xff, or the same for B. So in a
//              collision the lowest of the four nonces is A's Ni (A's
//              exchange wins) or B's Ni (B's wins), both explored, whatever
//              the seed. false = every nonce starts with 0x80 (the scripted
//              world's default; the seed's random tails decide a collision).
struct Bounds {
  SimTime window{};
  int max_loss = 0;
  bool reorder = false;
  SimTime horizon{};
  bool nonce_choice = false;
};

class World {
 public:
  // Two peers from `a` and `b` (A the original IKE initiator), established at
  // time 0 (Peer::establish).
  World(const models::PeerConfig& a, const models::PeerConfig& b, std::uint64_t seed);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // Steps enabled now, one per distinct outcome (equal messages in one queue
  // give one step; of a peer's timers of one kind about one SA only the one
  // due first), in a fixed order.
  std::vector<Step> enabled(const Bounds& b, int losses_so_far) const;
  // Applies a step; throws std::out_of_range for a step that does not name a
  // pending timer or in-flight message. Trace records of the step are
  // appended to trace() (with `step_of` marking which step made them).
  void apply(const Step& s);

  // Fingerprint of both peers (Peer::state_digest), their random streams, the
  // SPI counters, the in-flight messages (as a multiset per direction), the
  // pending timers and the clock.
  std::uint64_t digest() const;

  models::ikev2::Peer& peer(PeerId p) { return *peers_[static_cast<int>(p)]; }
  const models::ikev2::Peer& peer(PeerId p) const { return *peers_[static_cast<int>(p)]; }
  const std::vector<PendingTimer>& timers() const { return timers_; }  // sorted
  const std::vector<InFlight>& in_flight(PeerId to) const {
    return in_flight_[static_cast<int>(to)];
  }
  SimTime now() const { return now_; }
  std::size_t steps() const { return steps_; }
  // The first octet of every nonce `p` made after a kNonceOrder step, in
  // order (a case's `nonces:` step that makes the same nonces).
  const std::vector<std::uint8_t>& nonce_octets(PeerId p) const {
    return nonce_octets_[static_cast<int>(p)];
  }

  const std::vector<models::TraceRecord>& trace() const { return trace_; }
  // For each trace record, the number of steps applied before it (0 for the
  // establishment).
  const std::vector<std::uint32_t>& step_of() const { return step_of_; }

  // "fire A child_soft_expire(1) due 7h12m", "deliver a.CREATE_CHILD_SA.req#1
  // to B: CREATE_CHILD_SA request 2 {...}", "lose ..." (before the step is applied).
  std::string describe(const Step& s) const;
  // The clock a kFire step of timer `index` would run it at (see above).
  SimTime fire_time(std::size_t index) const;

 private:
  class Port;
  friend class Port;
  void sort_timers();

  std::unique_ptr<Port> ports_[2];
  std::unique_ptr<models::ikev2::Peer> peers_[2];
  std::vector<InFlight> in_flight_[2];
  std::vector<PendingTimer> timers_;
  std::vector<models::TraceRecord> trace_;
  std::vector<std::uint32_t> step_of_;
  SimTime now_{};
  std::uint64_t next_timer_id_ = 1;
  std::uint32_t next_child_spi_ = 1;
  std::uint64_t next_ike_spi_ = 1;
  std::map<std::string, int> name_counts_;
  std::map<std::tuple<int, std::uint64_t, std::uint32_t, bool>, std::string> originals_;
  std::string name_for(PeerId from, const Message& m, bool retransmit);
  std::size_t steps_ = 0;
  int nonce_lowest_ = -1;           // kNonceOrder's index; -1: not chosen (0x80)
  int delivering_request_to_ = -1;  // peer answering a request now (its nonce is an Nr)
  std::vector<std::uint8_t> nonce_octets_[2];
};

std::string_view to_string(TimerKind k);

}  // namespace rekeysim::explore
