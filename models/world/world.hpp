// The event-loop world of one trial: a Scheduler, the two IKEv2 peers, the two
// links between them, ESP traffic and the outcome classifier. It is each
// peer's PeerPort: timers become scheduler events that call Peer::on_timer,
// sent messages cross the link of their direction (latency, loss, reordering),
// wait out the receiver's processing delay (one message at a time, in arrival
// order) and reach Peer::on_message.
//
// Volume lifetimes: per-SA byte/packet counts are brought up to date at every
// peer callback (so every SA change sees them), reported with
// Peer::on_traffic, and one event is kept at the closed-form time the next
// volume budget (Peer::volume_budget) runs out. Packets count at their send
// time on the sender's outbound SA and on the receiver's inbound SA of the same
// SPI; a Poisson flow counts volume at its mean rate.
//
// Random streams: each peer, each link, each traffic flow and each peer's
// processing delay draws from its own stream derived from (seed, trial,
// component), so a trial is a pure function of (config, seed, trial) and adding
// a component never shifts another's numbers.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

#include "models/config.hpp"
#include "models/ikev2/peer.hpp"
#include "models/ikev2/peer_port.hpp"
#include "models/outcome.hpp"
#include "models/trace.hpp"
#include "models/world/esp_traffic.hpp"
#include "models/world/link.hpp"
#include "models/world/outcome_classifier.hpp"
#include "sim/random.hpp"
#include "sim/scheduler.hpp"

namespace models::world {

// Stream components beyond sim::StreamComponent (kept stable; see random.hpp).
inline constexpr std::uint64_t kProcessingStreamA = 0x100;
inline constexpr std::uint64_t kProcessingStreamB = 0x101;
inline constexpr std::uint64_t kTrafficTriggerStreamA = 0x102;
inline constexpr std::uint64_t kTrafficTriggerStreamB = 0x103;
inline constexpr std::uint64_t kLinkDownStream = 0x104;  // jitter of link-down windows

class World final : private SettleScheduler {
 public:
  // `extra` (may be null) sees every trace record after the world's own sinks.
  World(const TrialConfig& config, std::uint64_t scenario_seed, std::uint64_t trial_index,
        TraceSink* extra = nullptr);
  World(const World&) = delete;
  World& operator=(const World&) = delete;
  ~World() override;

  // A negotiates the IKE SA and first Child SA with B from now() on
  // (IKE_SA_INIT, IKE_AUTH over the links): A is the IKE initiator.
  void establish();
  // Tells `listener` (may be null) of every outcome as the classifier counts it.
  void set_outcome_listener(OutcomeListener* listener) { classifier_.set_listener(listener); }
  // Runs events until `end` (inclusive) or, when `max_episodes` is set, until
  // that many rekey episodes have closed. Returns the simulated time reached.
  SimTime run(SimTime end, std::optional<std::uint64_t> max_episodes = std::nullopt);
  // Settles ESP traffic and the classifier at `end` and returns the outcome.
  TrialOutcome finish(SimTime end);

  SimTime now() const { return scheduler_.now(); }
  ikev2::Peer& peer(PeerId p) { return p == PeerId::kA ? peer_a_ : peer_b_; }
  const OutcomeClassifier& classifier() const { return classifier_; }
  const ChildSaTracker& child_sas() const { return sas_; }
  const EspTraffic& traffic() const { return traffic_; }
  const Link& link_from(PeerId sender) const { return links_[static_cast<std::size_t>(sender)]; }
  // How often the world had to tell the sinks about an outbound switch the
  // peer's own trace did not report (0 when the peer's trace is complete).
  std::uint64_t reconciled_switches() const { return reconciled_; }
  std::uint64_t messages_in_flight() const { return in_flight_; }
  // Events scheduled and not yet run or cancelled (bounded whatever the trial length).
  std::size_t pending_events() const { return scheduler_.pending(); }
  // StartAction::kOnTraffic triggers delivered to the peers.
  std::uint64_t traffic_triggers() const { return triggers_; }

 private:
  class Port final : public ikev2::PeerPort {
   public:
    Port(World& w, PeerId id, sim::Rng rng) : world_(w), id_(id), rng_(rng) {}
    SimTime now() const override { return world_.scheduler_.now(); }
    sim::EventId start_timer(SimTime at, ikev2::TimerKind kind, std::uint64_t cookie) override;
    void cancel_timer(sim::EventId id) override { world_.scheduler_.cancel(id); }
    void send(const Message& m) override { world_.send(id_, m); }
    void emit(const TraceRecord& r) override {
      world_.trigger_armed_[idx(id_)] = true;  // the peer did something: it may need traffic again
      world_.emit(r);
    }
    sim::Rng& rng() override { return rng_; }

   private:
    World& world_;
    PeerId id_;
    sim::Rng rng_;
  };
  // Forwards kEspDropped records from the traffic model to the sinks.
  class DropSink final : public TraceSink {
   public:
    explicit DropSink(World& w) : world_(w) {}
    void record(const TraceRecord& r) override { world_.to_sinks(r); }

   private:
    World& world_;
  };
  struct Inbox {
    std::deque<std::uint32_t> queue;  // message slots in arrival order
    bool busy = false;
    // Rekey timers that came due while busy (see timer()).
    std::deque<std::pair<ikev2::TimerKind, std::uint64_t>> deferred;
  };

  static std::size_t idx(PeerId p) { return static_cast<std::size_t>(p); }
  static std::uint8_t bit(PeerId p) { return static_cast<std::uint8_t>(1u << idx(p)); }
  const PeerConfig& peer_config(PeerId p) const { return p == PeerId::kA ? config_.a : config_.b; }
  static const DurationDist& processing_of(const PeerConfig& pc, const Message& m);
  const FlowConfig& traffic_config(PeerId sender) const {
    return sender == PeerId::kA ? config_.traffic.a_to_b : config_.traffic.b_to_a;
  }
  void settle_at(SimTime at) override;
  void settle();
  void settle_after_down(SimTime after);
  void send(PeerId from, const Message& m);
  void arrive(PeerId to, std::uint32_t slot);
  void start_processing(PeerId to);
  void processed(PeerId to);
  void deliver(PeerId to, const Message& m);
  void timer(PeerId p, ikev2::TimerKind kind, std::uint64_t cookie);
  void run_timer(PeerId p, ikev2::TimerKind kind, std::uint64_t cookie);
  void resume(PeerId p);
  void emit(const TraceRecord& r);
  void to_sinks(const TraceRecord& r);
  void after_callback();
  bool reconcile(PeerId p);              // true when it had to emit a record
  void maybe_trigger_traffic(PeerId p);  // after after_callback's cheap tests pass
  std::uint32_t store(const Message& m);
  // Volume lifetimes (LifetimePolicy::lifetime_bytes/packets).
  std::uint64_t packets_sent(PeerId sender, SimTime from, SimTime to);
  SimTime packets_done_at(PeerId sender, std::uint64_t n) const;
  void volume_sync();
  void volume_schedule();

  TrialConfig config_;
  sim::Scheduler scheduler_;
  std::array<Link, 2> links_;  // indexed by sender
  std::array<sim::Rng, 2> link_rngs_;
  std::array<sim::Rng, 2> processing_rngs_;
  std::array<sim::Rng, 2> trigger_rngs_;
  // The one Child SA tracker of the trial: applied once per record in emit(),
  // telling the traffic model of each change; the classifier, the volume
  // accounting and the reconciliation read it.
  ChildSaTracker sas_;
  OutcomeClassifier classifier_;
  TraceSink* extra_;
  DropSink drop_sink_;
  EspTraffic traffic_;
  Port port_a_;
  Port port_b_;
  ikev2::Peer peer_a_;
  ikev2::Peer peer_b_;
  std::array<Inbox, 2> inboxes_;
  std::vector<Message> slots_;
  std::vector<std::uint32_t> free_slots_;
  // Decided once per trial (none of it changes while it runs): the peer's flow
  // carries traffic, it starts on traffic and traps packets that find no SA.
  // Only then can maybe_trigger_traffic ever deliver a trigger.
  std::array<bool, 2> trigger_possible_{};
  // traffic_.active(), asked for every record in emit(); flow rates are fixed.
  bool traffic_active_ = false;
  std::array<bool, 2> trigger_pending_{};
  std::array<bool, 2> trigger_armed_{true, true};
  SimTime settle_wanted_{};
  bool settle_pending_ = false;
  bool stopped_ = false;
  // Volume accounting: only when a peer has a volume limit and there is traffic.
  bool volume_ = false;
  std::array<bool, 2> volume_peer_{};  // by PeerId: its SAs can reach a volume limit
  SimTime volume_synced_{};
  std::array<double, 2> fluid_carry_{};  // Poisson flows count volume at the mean rate
  // Constant-rate flows: lattice().before(volume_synced_) of each sender's flow.
  std::array<std::uint64_t, 2> synced_before_{};
  sim::EventId volume_event_;
  SimTime volume_event_at_ = SimTime::max();
  // Peers called (on_message, on_timer, on_traffic, ...) since the last
  // after_callback(), one bit per PeerId.
  std::uint8_t touched_ = 0;
  std::uint64_t reconciled_ = 0;
  std::uint64_t in_flight_ = 0;
  std::uint64_t triggers_ = 0;
};

}  // namespace models::world
