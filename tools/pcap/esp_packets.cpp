#include "tools/pcap/esp_packets.hpp"

#include <algorithm>
#include <array>
#include <map>

#include "models/world/child_sa_tracker.hpp"
#include "models/world/counting.hpp"
#include "tools/pcap/ip_packets.hpp"

namespace rekeysim::pcap {

namespace {

using models::PeerId;
using sim::SimTime;

struct Segment {
  SimTime start;
  std::uint32_t spi;              // 0: no outbound SA
  std::uint64_t sent_before = 0;  // packets on `spi` in earlier segments (a fallback
                                  // can return to an SPI used before)
};

// Each peer's outbound SPI over the trial, as the simulator's ESP model sees it.
class OutboundTimeline final : public models::world::ChildSaTracker::Listener {
 public:
  std::array<std::vector<Segment>, 2> segments;

 private:
  void outbound_changed(PeerId peer, SimTime at, std::uint32_t spi) override {
    segments[static_cast<std::size_t>(peer)].push_back({at, spi});
  }
  void inbound_changed(PeerId, SimTime, std::uint32_t, bool) override {}
};

}  // namespace

std::vector<EspPacket> derive_esp_packets(std::span<const models::TraceRecord> whole_trial,
                                          const models::TrafficConfig& traffic, SimTime from,
                                          SimTime to, const KeyDeriver& keys,
                                          const EspSenders& senders) {
  OutboundTimeline timeline;
  models::world::ChildSaTracker tracker;
  for (const auto& r : whole_trial) tracker.apply(r, &timeline);

  std::vector<EspPacket> out;
  for (PeerId sender : {PeerId::kA, PeerId::kB}) {
    const auto i = static_cast<std::size_t>(sender);
    const models::FlowConfig& flow = sender == PeerId::kA ? traffic.a_to_b : traffic.b_to_a;
    if (flow.rate_pps <= 0) continue;
    const auto period = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(1e9 / flow.rate_pps));
    const models::world::PacketLattice lattice(
        flow.rate_pps,
        sim::nanoseconds(static_cast<std::int64_t>(keys.uniform("esp-phase", i, period))));
    std::uint64_t k0 = lattice.before(from);
    std::uint64_t k1 = lattice.before(to + sim::nanoseconds(1));
    if (k1 - k0 > kMaxEspPacketsPerDirection) {
      const std::uint64_t mid = lattice.before(from + sim::nanoseconds((to - from).ns() / 2));
      k0 = std::max(k0, mid - std::min(mid, kMaxEspPacketsPerDirection / 2));
      k1 = k0 + kMaxEspPacketsPerDirection;
    }
    auto& segs = timeline.segments[i];
    std::map<std::uint32_t, std::uint64_t> sent_on;  // packets per SPI so far
    for (std::size_t j = 0; j < segs.size(); ++j) {
      segs[j].sent_before = sent_on[segs[j].spi];
      if (j + 1 < segs.size()) sent_on[segs[j].spi] += lattice.in(segs[j].start, segs[j + 1].start);
    }
    // Packets without an SA are counted (and, in clear, sent) only once the
    // sender has had one, as the simulator counts them (esp_flow.hpp).
    const auto first_sa =
        std::find_if(segs.begin(), segs.end(), [](const Segment& s) { return s.spi != 0; });
    const bool clear = senders.no_sa[i] == models::NoSaPolicy::kClear;
    const models::world::Link* link = senders.links[i];
    for (std::uint64_t k = k0; k < k1; ++k) {
      const SimTime t = lattice.time_of(k);
      // The segment in force at t: a change at exactly t applies to t.
      const auto it = std::upper_bound(segs.begin(), segs.end(), t,
                                       [](SimTime x, const Segment& s) { return x < s.start; });
      if (it == segs.begin()) continue;
      const Segment& seg = *std::prev(it);
      const bool down = link != nullptr && link->down_at(t);
      if (seg.spi == 0) {
        if (clear && first_sa != segs.end() && first_sa->start <= t) {
          out.push_back({t, sender, 0, 0, down});
        }
        continue;
      }
      const auto seq = static_cast<std::uint32_t>(seg.sent_before + lattice.in(seg.start, t) + 1);
      out.push_back({t, sender, seg.spi, seq, down});
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const EspPacket& x, const EspPacket& y) { return x.time < y.time; });
  return out;
}

Bytes inner_packet(std::uint32_t inner_src, std::uint32_t inner_dst, std::size_t inner_bytes,
                   std::uint16_t id) {
  inner_bytes = std::clamp<std::size_t>(inner_bytes, 28, 1400);
  const Bytes udp = udp_datagram(inner_src, inner_dst, 9, 9, Bytes(inner_bytes - 28, 0));
  return ipv4_packet(inner_src, inner_dst, kIpProtoUdp, id, udp);
}

Bytes encode_esp(const EspPacket& p, std::uint32_t inner_src, std::uint32_t inner_dst,
                 std::size_t inner_bytes, std::span<const std::uint8_t> integ_key) {
  const Bytes inner =
      inner_packet(inner_src, inner_dst, inner_bytes, static_cast<std::uint16_t>(p.seq));
  Bytes b;
  put32(b, p.spi);
  put32(b, p.seq);
  append(b, inner);
  // RFC 4303 2.4: pad so that pad length and next header end on a 4-octet
  // boundary; default padding contents 1, 2, 3, ...
  const std::size_t pad = (4 - (inner.size() + 2) % 4) % 4;
  for (std::size_t j = 1; j <= pad; ++j) put8(b, j);
  put8(b, pad);
  put8(b, 4);  // next header: IPv4 (tunnel mode)
  const Bytes icv = hmac_sha1(integ_key, b);
  b.insert(b.end(), icv.begin(), icv.begin() + 12);
  return b;
}

}  // namespace rekeysim::pcap
