// ESP traffic in both directions, driven by the trace: a TraceSink that reads
// each peer's Child SA changes (ChildSaTracker) and moves the two EspFlows.
#pragma once

#include <array>
#include <memory>

#include "models/config.hpp"
#include "models/trace.hpp"
#include "models/world/child_sa_tracker.hpp"
#include "models/world/esp_flow.hpp"
#include "models/world/link.hpp"

namespace models::world {

// Asked to call EspTraffic::advance() at (or after) a time, so drops are
// reported soon after they happen without an event per packet.
class SettleScheduler {
 public:
  virtual ~SettleScheduler() = default;
  virtual void settle_at(SimTime at) = 0;
};

class EspTraffic final : public TraceSink, private ChildSaTracker::Listener {
 public:
  // Flow X->Y uses link X->Y and its own random stream. kEspDropped records go
  // to `drops` (may be null); `settle` (may be null) is asked for a settle after
  // every SA change. `shared` (may be null): the owner's tracker, which the
  // owner applies records to with sa_listener(); null: a tracker of its own,
  // applied by record(). `no_sa`: each sender's no_sa_policy (A, B); packets
  // that find no SA are reported to `drops` too (EspFlow).
  EspTraffic(const TrafficConfig& traffic, const Link& a_to_b, const Link& b_to_a,
             sim::Rng rng_a_to_b, sim::Rng rng_b_to_a, TraceSink* drops, SettleScheduler* settle,
             const ChildSaTracker* shared = nullptr,
             std::array<NoSaPolicy, 2> no_sa = {NoSaPolicy::kTrap, NoSaPolicy::kTrap});
  EspTraffic(const EspTraffic&) = delete;
  EspTraffic& operator=(const EspTraffic&) = delete;

  // Standalone: applies the record to the tracker of its own and moves the
  // flows on each change. With a shared tracker it does nothing.
  void record(const TraceRecord& r) override;
  // With a shared tracker: the listener to pass to its apply() while active().
  ChildSaTracker::Listener* sa_listener() { return this; }
  void advance(SimTime now);
  bool active() const { return flows_[0].active() || flows_[1].active(); }

  EspFlow& flow_from(PeerId sender) { return flows_[static_cast<std::size_t>(sender)]; }
  const EspFlow& flow_from(PeerId sender) const { return flows_[static_cast<std::size_t>(sender)]; }
  const ChildSaTracker& tracker() const { return *sas_; }
  std::uint64_t dropped() const { return flows_[0].dropped() + flows_[1].dropped(); }

 private:
  void outbound_changed(PeerId peer, SimTime at, std::uint32_t spi) override;
  void inbound_changed(PeerId peer, SimTime at, std::uint32_t spi, bool accepted) override;
  void changed(EspFlow& f, SimTime at);

  std::array<EspFlow, 2> flows_;  // indexed by sender
  ChildSaTracker own_sas_;        // used only without a shared tracker
  const ChildSaTracker* sas_;
  SettleScheduler* settle_;
};

}  // namespace models::world
