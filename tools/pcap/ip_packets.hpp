// IPv4 (RFC 791) and UDP (RFC 768) framing for the capture, with correct
// header and UDP checksums (RFC 1071) so Wireshark reports no bad checksum.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "tools/pcap/bytes.hpp"

namespace rekeysim::pcap {

// Dotted quad -> host-order address; nullopt if `text` is not exactly a.b.c.d.
std::optional<std::uint32_t> parse_ipv4(std::string_view text);

inline constexpr std::uint8_t kIpProtoUdp = 17;
inline constexpr std::uint8_t kIpProtoEsp = 50;

// An IPv4 packet: 20-byte header (no options, TTL 64, DF clear), `id` the
// Identification field, then `payload`. Throws std::invalid_argument above
// 65535 bytes.
Bytes ipv4_packet(std::uint32_t src, std::uint32_t dst, std::uint8_t protocol, std::uint16_t id,
                  std::span<const std::uint8_t> payload);

// A UDP datagram (8-byte header + payload) with the checksum over the IPv4
// pseudo-header.
Bytes udp_datagram(std::uint32_t src, std::uint32_t dst, std::uint16_t src_port,
                   std::uint16_t dst_port, std::span<const std::uint8_t> payload);

}  // namespace rekeysim::pcap
