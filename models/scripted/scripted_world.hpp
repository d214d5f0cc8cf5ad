// A scripted world for protocol tests: two Peers on a manual Scheduler, no
// network. Every message a peer sends waits in the receiver's in-flight list
// until the test delivers (in any order), holds back or drops it, exactly as
// strongSwan's exchange_test_helper does. Timers run only when the test lets
// time pass. Nonce first octets can be forced (strongSwan's nonce_first_byte)
// and SPIs come from one counter (1, 2, 3, ... in creation order), so tests
// read like the strongSwan unit tests they re-express.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/config.hpp"
#include "models/ikev2/peer.hpp"
#include "models/trace.hpp"
#include "sim/scheduler.hpp"

namespace models::scripted {

using ikev2::Peer;
using ikev2::TimerKind;

// One message on the wire, as the test log keeps it.
struct WireMessage {
  SimTime at;
  PeerId from = PeerId::kA;
  bool retransmit = false;
  Message message;
};

// "CREATE_CHILD_SA request 2 {N(REKEY_SA,1), SA(ESP,3), Nonce, TS}"; SPIs in decimal.
std::string describe(const Message& m);

class ScriptedWorld {
 public:
  ScriptedWorld(const PeerConfig& a, const PeerConfig& b, std::uint64_t seed = 1);
  ~ScriptedWorld();
  ScriptedWorld(const ScriptedWorld&) = delete;
  ScriptedWorld& operator=(const ScriptedWorld&) = delete;

  Peer& peer(PeerId p);
  Peer& a() { return peer(PeerId::kA); }
  Peer& b() { return peer(PeerId::kB); }

  // IKE_SA_INIT/IKE_AUTH as done (Peer::establish); `initiator` is the
  // original IKE initiator. Child SPIs 1 (initiator) and 2 (responder).
  void establish(PeerId initiator = PeerId::kA);

  // Messages waiting for `to`, oldest first.
  std::size_t in_flight(PeerId to) const;
  const Message& peek(PeerId to, std::size_t index = 0) const;
  // Hands message `index` to the receiver now (processing takes no time).
  void deliver(PeerId to, std::size_t index = 0);
  // Loses message `index` on its way to `to`.
  void drop(PeerId to, std::size_t index = 0);
  void drop_all(PeerId to);

  // Lets simulated time pass, firing due timers in order.
  void run_until(SimTime t);
  void advance(SimTime d) { run_until(now() + d); }
  SimTime now() const;

  // The next nonce(s) `p` creates start with this octet (rest random); with
  // nothing queued, nonces start with 0x80.
  void queue_nonce_first_byte(PeerId p, std::uint8_t first);
  // The next nonce `p` creates is exactly `n` (after any queued first bytes).
  void queue_nonce(PeerId p, const Nonce& n);

  // Pending timers of a peer of one kind (strongSwan's assert_jobs_scheduled).
  std::size_t timers_pending(PeerId p, TimerKind kind) const;
  std::size_t timers_pending(PeerId p) const;

  // Everything recorded so far.
  const std::vector<TraceRecord>& trace() const { return trace_; }
  const std::vector<WireMessage>& wire() const { return wire_; }
  std::size_t count(TraceKind k) const;
  std::size_t count(TraceKind k, PeerId p) const;
  // Sent messages as "A->B <describe>" lines, in send order (retransmits marked).
  std::vector<std::string> ladder() const;
  void clear_log();

 private:
  class Port;
  friend class Port;
  std::unique_ptr<sim::Scheduler> scheduler_;
  std::unique_ptr<Port> ports_[2];
  std::unique_ptr<Peer> peers_[2];
  std::deque<Message> in_flight_[2];
  std::vector<TraceRecord> trace_;
  std::vector<WireMessage> wire_;
  std::uint32_t next_child_spi_ = 1;
  std::uint64_t next_ike_spi_ = 1;
};

}  // namespace models::scripted
