#include "tools/pcap/pcap_writer.hpp"

#include <stdexcept>

namespace rekeysim::pcap {

PcapWriter::PcapWriter() {
  le32(kMagicNanoseconds);
  le16(2);  // version 2.4
  le16(4);
  le32(0);  // thiszone (reserved, 0)
  le32(0);  // sigfigs (reserved, 0)
  le32(kSnapLen);
  le32(kLinktypeRaw);
}

void PcapWriter::le32(std::uint32_t v) {
  le16(static_cast<std::uint16_t>(v));
  le16(static_cast<std::uint16_t>(v >> 16));
}

void PcapWriter::le16(std::uint16_t v) {
  out_.push_back(static_cast<std::uint8_t>(v));
  out_.push_back(static_cast<std::uint8_t>(v >> 8));
}

void PcapWriter::add(std::int64_t unix_ns, std::span<const std::uint8_t> packet) {
  if (unix_ns < 0) throw std::invalid_argument("pcap: timestamp before 1970");
  if (packet.size() > kSnapLen) throw std::invalid_argument("pcap: packet longer than snaplen");
  le32(static_cast<std::uint32_t>(unix_ns / 1'000'000'000));
  le32(static_cast<std::uint32_t>(unix_ns % 1'000'000'000));
  le32(static_cast<std::uint32_t>(packet.size()));  // captured length
  le32(static_cast<std::uint32_t>(packet.size()));  // original length
  append(out_, packet);
  ++packets_;
}

}  // namespace rekeysim::pcap
