// A classic pcap file in memory (the libpcap savefile format, pcap-savefile(5);
// IETF draft-ietf-opsawg-pcap): a 24-byte global header, then one 16-byte
// record header plus the packet bytes per packet.
//
// Choices: the nanosecond-resolution magic 0xa1b23c4d (SimTime is in ns, so
// no timestamp is rounded), little-endian fields, link type LINKTYPE_RAW
// (101): every packet starts with its IPv4 header, no Ethernet framing.
#pragma once

#include <cstdint>
#include <span>

#include "tools/pcap/bytes.hpp"

namespace rekeysim::pcap {

class PcapWriter {
 public:
  static constexpr std::uint32_t kMagicNanoseconds = 0xa1b23c4d;
  static constexpr std::uint32_t kLinktypeRaw = 101;
  static constexpr std::uint32_t kSnapLen = 65535;

  PcapWriter();  // writes the global header
  // One packet; `unix_ns` = capture time, nanoseconds since 1970-01-01 UTC
  // (>= 0); `packet` = an IPv4 packet of at most kSnapLen bytes (longer ones
  // throw std::invalid_argument: they are never truncated silently).
  void add(std::int64_t unix_ns, std::span<const std::uint8_t> packet);

  const Bytes& bytes() const { return out_; }
  std::size_t packets() const { return packets_; }

 private:
  void le32(std::uint32_t v);
  void le16(std::uint16_t v);
  Bytes out_;
  std::size_t packets_ = 0;
};

}  // namespace rekeysim::pcap
