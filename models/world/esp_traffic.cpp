#include "models/world/esp_traffic.hpp"

namespace models::world {

EspTraffic::EspTraffic(const TrafficConfig& traffic, const Link& a_to_b, const Link& b_to_a,
                       sim::Rng rng_a_to_b, sim::Rng rng_b_to_a, TraceSink* drops,
                       SettleScheduler* settle, const ChildSaTracker* shared,
                       std::array<NoSaPolicy, 2> no_sa)
    : flows_{EspFlow(traffic.a_to_b, a_to_b, rng_a_to_b, PeerId::kB, drops, std::nullopt, no_sa[0]),
             EspFlow(traffic.b_to_a, b_to_a, rng_b_to_a, PeerId::kA, drops, std::nullopt,
                     no_sa[1])},
      sas_(shared ? shared : &own_sas_),
      settle_(settle) {}

void EspTraffic::record(const TraceRecord& r) {
  if (!active() || sas_ != &own_sas_) return;
  own_sas_.apply(r, this);
}

void EspTraffic::advance(SimTime now) {
  flows_[0].advance(now);
  flows_[1].advance(now);
}

void EspTraffic::changed(EspFlow& f, SimTime at) {
  if (settle_ && f.active()) settle_->settle_at(f.settled_by(at));
}

void EspTraffic::outbound_changed(PeerId peer, SimTime at, std::uint32_t spi) {
  EspFlow& f = flow_from(peer);
  f.set_outbound(at, spi);
  changed(f, at);
}

void EspTraffic::inbound_changed(PeerId peer, SimTime at, std::uint32_t spi, bool accepted) {
  EspFlow& f = flow_from(other(peer));
  f.set_inbound(at, spi, accepted);
  changed(f, at);
}

}  // namespace models::world
