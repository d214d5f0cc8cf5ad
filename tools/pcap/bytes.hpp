// Byte buffers and big-endian (network order) appends shared by the packet
// encoders of tools/pcap.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace rekeysim::pcap {

using Bytes = std::vector<std::uint8_t>;

inline void put8(Bytes& b, std::uint64_t v) {
  b.push_back(static_cast<std::uint8_t>(v));
}
inline void put16(Bytes& b, std::uint64_t v) {
  put8(b, v >> 8);
  put8(b, v);
}
inline void put32(Bytes& b, std::uint64_t v) {
  put16(b, v >> 16);
  put16(b, v);
}
inline void put64(Bytes& b, std::uint64_t v) {
  put32(b, v >> 32);
  put32(b, v);
}
inline void append(Bytes& b, std::span<const std::uint8_t> more) {
  b.insert(b.end(), more.begin(), more.end());
}
// Overwrites 2 bytes at `at` (a length field filled in once the length is known).
inline void set16(Bytes& b, std::size_t at, std::uint64_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}
inline void set32(Bytes& b, std::size_t at, std::uint64_t v) {
  set16(b, at, v >> 16);
  set16(b, at + 2, v);
}
inline std::string_view as_chars(const Bytes& b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace rekeysim::pcap
