// Volume lifetimes in the world (world.hpp): per-SA byte/packet counts brought
// up to date at every peer callback and one event at the closed-form time the
// next volume budget runs out, never an event per packet.
#include <algorithm>
#include <cmath>

#include "models/world/world.hpp"

namespace models::world {

std::uint64_t World::packets_sent(PeerId sender, SimTime from, SimTime to) {
  const EspFlow& f = traffic_.flow_from(sender);
  if (!f.active() || to <= from) return 0;
  const FlowConfig& fc = traffic_config(sender);
  if (!fc.poisson) {
    // `from` is always volume_synced_, whose lattice index is cached.
    const std::uint64_t upto = f.lattice().before(to);
    const std::uint64_t n = upto - synced_before_[idx(sender)];
    synced_before_[idx(sender)] = upto;
    return n;
  }
  double& carry = fluid_carry_[idx(sender)];
  const double x = fc.rate_pps * (to - from).seconds() + carry;
  const double n = std::floor(x);
  carry = x - n;
  return static_cast<std::uint64_t>(n);
}

// When the sender will have sent n more packets after volume_synced_.
SimTime World::packets_done_at(PeerId sender, std::uint64_t n) const {
  const EspFlow& f = traffic_.flow_from(sender);
  const FlowConfig& fc = traffic_config(sender);
  n = std::max<std::uint64_t>(n, 1);
  if (!fc.poisson) {
    return f.lattice().time_of(synced_before_[idx(sender)] + n - 1) + sim::nanoseconds(1);
  }
  const double seconds = (static_cast<double>(n) - fluid_carry_[idx(sender)]) / fc.rate_pps;
  return volume_synced_ + sim::from_seconds(std::max(seconds, 1e-9));
}

void World::volume_sync() {
  if (!volume_) return;
  const SimTime now = scheduler_.now();
  if (now <= volume_synced_) return;
  std::array<std::uint64_t, 2> sent{packets_sent(PeerId::kA, volume_synced_, now),
                                    packets_sent(PeerId::kB, volume_synced_, now)};
  volume_synced_ = now;
  struct Report {
    std::uint32_t spi_in;
    std::uint64_t in;
    std::uint64_t out;
  };
  if (sent[0] == 0 && sent[1] == 0) return;  // nothing to report to anyone
  for (PeerId p : {PeerId::kA, PeerId::kB}) {
    if (!volume_peer_[idx(p)]) continue;  // beyond the volume horizon (volume_horizon.hpp)
    const PeerId q = other(p);
    // Collect first: on_traffic may rekey or expire SAs and change child_sas().
    std::array<Report, 8> reports{};
    std::size_t n = 0;
    const std::uint32_t spi_out = sas_.outbound(p);
    const std::uint32_t spi_in = sas_.outbound(q);
    const std::uint64_t sent_out = sent[idx(p)];
    const std::uint64_t sent_in = sent[idx(q)];
    for (const ikev2::ChildSa& c : peer(p).child_sas()) {
      const std::uint64_t out = spi_out == c.spi_out ? sent_out : 0;
      const std::uint64_t in = spi_in == c.spi_in ? sent_in : 0;
      if ((in || out) && n < reports.size()) reports[n++] = Report{c.spi_in, in, out};
    }
    if (n == 0) continue;
    touched_ |= bit(p);
    const std::uint64_t size_out = traffic_config(p).size_bytes;
    const std::uint64_t size_in = traffic_config(q).size_bytes;
    for (std::size_t i = 0; i < n; ++i) {
      peer(p).on_traffic(reports[i].spi_in, reports[i].in * size_in, reports[i].in,
                         reports[i].out * size_out, reports[i].out);
    }
  }
}

void World::volume_schedule() {
  if (!volume_) return;
  SimTime next = SimTime::max();
  auto need = [](std::uint64_t packets, std::uint64_t bytes, std::uint64_t size) {
    std::uint64_t n = packets;
    if (bytes != ikev2::VolumeBudget::kUnlimited && size > 0) {
      n = std::min(n, (bytes + size - 1) / size);
    }
    return n;
  };
  for (PeerId p : {PeerId::kA, PeerId::kB}) {
    if (!volume_peer_[idx(p)]) continue;
    const PeerId q = other(p);
    const bool out_active = traffic_.flow_from(p).active();
    const bool in_active = traffic_.flow_from(q).active();
    if (!out_active && !in_active) continue;
    const std::uint32_t spi_out = sas_.outbound(p);
    const std::uint32_t spi_in = sas_.outbound(q);
    for (const ikev2::ChildSa& c : peer(p).child_sas()) {
      const bool carries_out = out_active && spi_out == c.spi_out;
      const bool carries_in = in_active && spi_in == c.spi_in;
      if (!carries_out && !carries_in) continue;  // no budget can run out on it
      const auto b = peer(p).volume_budget(c.spi_in);
      if (!b) continue;
      if (carries_out) {
        const std::uint64_t n = need(b->packets_out, b->bytes_out, traffic_config(p).size_bytes);
        if (n != ikev2::VolumeBudget::kUnlimited) next = std::min(next, packets_done_at(p, n));
      }
      if (carries_in) {
        const std::uint64_t n = need(b->packets_in, b->bytes_in, traffic_config(q).size_bytes);
        if (n != ikev2::VolumeBudget::kUnlimited) next = std::min(next, packets_done_at(q, n));
      }
    }
  }
  if (next == volume_event_at_) return;
  scheduler_.cancel(volume_event_);
  volume_event_ = {};
  volume_event_at_ = next;
  if (next == SimTime::max()) return;
  volume_event_ = scheduler_.schedule(std::max(next, scheduler_.now()), [this] {
    volume_event_ = {};
    volume_event_at_ = SimTime::max();
    volume_sync();
    after_callback();
  });
}

}  // namespace models::world
