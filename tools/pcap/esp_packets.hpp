// The ESP packets of a capture. The simulator does not record individual ESP
// packets (models/world/esp_flow counts them in closed form between SA
// changes, with a packet phase that is internal random state), so they are
// DERIVED here, deterministically:
//  - which SPI each peer sends on, and from when, is exactly the simulator's
//    (models/world ChildSaTracker applied to the trial's records: installs,
//    kOutboundSwitched, removals, tunnel down);
//  - packets leave each peer at the scenario's constant rate (`traffic.rate`,
//    a Poisson flow is drawn at its mean rate) from a phase derived from the
//    seed, NOT the simulator's own phase: the capture shows the SPI switch at
//    the simulated instant, not the simulator's individual packets;
//  - the sequence number (RFC 4303 2.2) of a packet is 1 + the number of packets
//    that peer sent on that SPI before it (counted from the switch to it,
//    which may be hours before the window, over every interval the peer used
//    it), modulo 2^32.
// Timestamps are send times (the capture is taken at each sender's outside
// interface), so packets a receiver drops (kEspDropped) appear here as sent,
// and so do packets sent on an SA while the link was down (kEspLinkDown: they
// left the sender and were lost on the way; `link_down` marks them).
// No SA. Once a sender has had an outbound SA, a packet that finds none
// (kEspNoSa / kEspCleartext) leaves the interface only under no_sa_policy
// clear: then it is the inner packet itself, unprotected (spi 0 here). Under
// trap or drop it never leaves the host and is not in the capture.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "models/config.hpp"
#include "models/trace.hpp"
#include "models/world/link.hpp"
#include "tools/pcap/bytes.hpp"
#include "tools/pcap/ike_crypto.hpp"

namespace rekeysim::pcap {

struct EspPacket {
  sim::SimTime time;  // send time, ns of simulated time
  models::PeerId sender = models::PeerId::kA;
  std::uint32_t spi = 0;   // 0: no SA, sent in clear (no_sa_policy clear)
  std::uint32_t seq = 0;   // 0 for a cleartext packet
  bool link_down = false;  // sent while the link was down: lost on the way
};

// What the senders do beyond the SA timeline, indexed by sender (A, B).
struct EspSenders {
  std::array<models::NoSaPolicy, 2> no_sa = {models::NoSaPolicy::kTrap, models::NoSaPolicy::kTrap};
  // Each sender's outgoing link (its down windows), or null: never down.
  std::array<const models::world::Link*, 2> links = {nullptr, nullptr};
};

// At most this many packets each way (keeps a 100k pps scenario's capture
// bounded): beyond it only the packets closest to the window's centre are kept.
inline constexpr std::uint64_t kMaxEspPacketsPerDirection = 10'000;

// Packets sent with from <= time <= to, in time order (A before B at equal times).
std::vector<EspPacket> derive_esp_packets(std::span<const models::TraceRecord> whole_trial,
                                          const models::TrafficConfig& traffic, sim::SimTime from,
                                          sim::SimTime to, const KeyDeriver& keys,
                                          const EspSenders& senders = {});

// The inner packet every ESP packet carries and a cleartext packet is (IPv4,
// UDP port 9 -> 9, `inner_bytes` long, clamped to 28..1400; IPv4
// Identification `id`).
Bytes inner_packet(std::uint32_t inner_src, std::uint32_t inner_dst, std::size_t inner_bytes,
                   std::uint16_t id);

// The ESP payload of one packet (RFC 4303 2): SPI, sequence number, the inner
// IPv4/UDP packet (`inner_src` -> `inner_dst`, port 9, `inner_bytes` long, 28 to
// 1400), padding 1, 2, 3... to a 4-octet boundary, pad length, next header 4
// (IPv4), then ICV = HMAC-SHA1-96 with `integ_key` (20 octets) over SPI to next
// header. Encryption is ENCR_NULL (RFC 2410): the inner packet is in clear.
Bytes encode_esp(const EspPacket& p, std::uint32_t inner_src, std::uint32_t inner_dst,
                 std::size_t inner_bytes, std::span<const std::uint8_t> integ_key);

}  // namespace rekeysim::pcap
