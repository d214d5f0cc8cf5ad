// libFuzzer harness: the duration, byte-volume and packet-rate parsers of
// sim/time. A parse either succeeds or raises sim::ParseError; a parsed value
// must format and parse back to itself (the round trip the CLI relies on).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sim/time.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const sim::SimTime t = sim::parse_duration(text);
    if (sim::parse_duration(sim::format_duration(t)) != t) std::abort();
  } catch (const sim::ParseError&) {
  }
  try {
    const std::uint64_t b = sim::parse_bytes(text);
    if (sim::parse_bytes(sim::format_bytes(b)) != b) std::abort();
  } catch (const sim::ParseError&) {
  }
  try {
    const double r = sim::parse_rate(text);
    if (sim::parse_rate(sim::format_rate(r)) != r) std::abort();
  } catch (const sim::ParseError&) {
  }
  return 0;
}
