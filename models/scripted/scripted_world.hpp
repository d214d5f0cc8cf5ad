// A scripted world for protocol tests: two Peers on a manual Scheduler, no
// network. Every message a peer sends waits in the receiver's in-flight list
// until the test delivers (in any order), holds back or drops it, exactly as
// strongSwan's exchange_test_helper does. Timers run only when the test lets
// time pass. Nonce first octets can be forced (strongSwan's nonce_first_byte)
// and SPIs come from one counter (1, 2, 3, ... in creation order), so tests
// read like the strongSwan unit tests they re-express.
//
// Stable API (installed, `find_package(rekeysim)`, target rekeysim::rekeysim):
// everything public in this header. Message names follow
// scenarios/cases/FORMAT.md and are part of it. New members may be added.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
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
  // Stable, readable name (scenarios/cases/FORMAT.md): "a.CREATE_CHILD_SA.req#1"
  // for the first CREATE_CHILD_SA request A sent, "<that>.retransmit2" for its
  // second retransmission, "<that>.dup1" for a copy made by duplicate().
  std::string name;
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
  const Peer& peer(PeerId p) const;
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
  // The network duplicates message `index`: a copy named "<name>.dup<k>" is
  // in flight right behind it. Returns the copy's name.
  std::string duplicate(PeerId to, std::size_t index = 0);

  // The name of message `index` in flight to `to` (see WireMessage::name).
  const std::string& name(PeerId to, std::size_t index = 0) const;
  // Where the message called `name` waits: (receiver, index), or nullopt
  // when it is not in flight (never sent, delivered or dropped).
  std::optional<std::pair<PeerId, std::size_t>> find(std::string_view name) const;

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
  // Lets one timer of `p` fire now: the pending timer of `kind` due first
  // (for `cookie` when given: a Child SA's inbound SPI or an IKE SA id) is
  // taken off the clock and run. With none pending and a cookie given, the
  // peer handles it as if it had been armed (strongSwan's tests call the job
  // directly); with neither nothing happens. Returns whether one was pending.
  bool fire_timer(PeerId p, TimerKind kind, std::optional<std::uint64_t> cookie = std::nullopt);
  // When the earliest pending timer of either peer is due; nullopt with none.
  std::optional<SimTime> next_timer_due() const;

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
  std::string name_for(PeerId from, const Message& m, bool retransmit);
  std::unique_ptr<sim::Scheduler> scheduler_;
  std::unique_ptr<Port> ports_[2];
  std::unique_ptr<Peer> peers_[2];
  std::deque<Message> in_flight_[2];
  std::deque<std::string> in_flight_names_[2];  // parallel to in_flight_
  // Message naming: first transmissions per (sender, exchange, response) and
  // the name of the last first transmission per (sender, IKE SA, message ID,
  // response), so retransmissions are named after their original.
  std::map<std::string, std::uint32_t> name_counts_;
  std::map<std::tuple<int, std::uint64_t, std::uint32_t, bool>, std::string> originals_;
  std::vector<TraceRecord> trace_;
  std::vector<WireMessage> wire_;
  std::uint32_t next_child_spi_ = 1;
  std::uint64_t next_ike_spi_ = 1;
};

}  // namespace models::scripted
