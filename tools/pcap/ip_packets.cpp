#include "tools/pcap/ip_packets.hpp"

#include <charconv>
#include <stdexcept>

namespace rekeysim::pcap {

namespace {

// RFC 1071 one's complement sum, folded, not yet inverted.
std::uint32_t sum16(std::span<const std::uint8_t> data, std::uint32_t acc = 0) {
  for (std::size_t i = 0; i + 1 < data.size(); i += 2) acc += (data[i] << 8) | data[i + 1];
  if (data.size() % 2) acc += data.back() << 8;
  return acc;
}

std::uint16_t finish(std::uint32_t acc) {
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return static_cast<std::uint16_t>(~acc & 0xffff);
}

}  // namespace

std::optional<std::uint32_t> parse_ipv4(std::string_view text) {
  std::uint32_t addr = 0;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (int i = 0; i < 4; ++i) {
    unsigned octet = 0;
    auto [next, ec] = std::from_chars(p, end, octet);
    if (ec != std::errc() || next == p || octet > 255) return std::nullopt;
    addr = (addr << 8) | octet;
    p = next;
    if (i < 3) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
  }
  if (p != end) return std::nullopt;
  return addr;
}

Bytes ipv4_packet(std::uint32_t src, std::uint32_t dst, std::uint8_t protocol, std::uint16_t id,
                  std::span<const std::uint8_t> payload) {
  const std::size_t total = 20 + payload.size();
  if (total > 65535) throw std::invalid_argument("IPv4 packet longer than 65535 bytes");
  Bytes b;
  b.reserve(total);
  put8(b, 0x45);  // version 4, IHL 5 words
  put8(b, 0);     // DSCP/ECN
  put16(b, total);
  put16(b, id);
  put16(b, 0);  // flags, fragment offset
  put8(b, 64);  // TTL
  put8(b, protocol);
  put16(b, 0);  // checksum, below
  put32(b, src);
  put32(b, dst);
  set16(b, 10, finish(sum16(b)));
  append(b, payload);
  return b;
}

Bytes udp_datagram(std::uint32_t src, std::uint32_t dst, std::uint16_t src_port,
                   std::uint16_t dst_port, std::span<const std::uint8_t> payload) {
  const std::size_t len = 8 + payload.size();
  Bytes b;
  b.reserve(len);
  put16(b, src_port);
  put16(b, dst_port);
  put16(b, len);
  put16(b, 0);
  append(b, payload);
  Bytes pseudo;
  put32(pseudo, src);
  put32(pseudo, dst);
  put8(pseudo, 0);
  put8(pseudo, kIpProtoUdp);
  put16(pseudo, len);
  std::uint16_t c = finish(sum16(b, sum16(pseudo)));
  if (c == 0) c = 0xffff;  // RFC 768: a computed 0 is sent as all ones
  set16(b, 6, c);
  return b;
}

}  // namespace rekeysim::pcap
