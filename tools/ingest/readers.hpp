// Internal: one line reader per style. A reader is fed every line in order
// and appends records to the result; it says whether the line was its
// style's shape at all (for detection and the unusable count).
#pragma once

#include <memory>
#include <string>

#include <cstdint>

#include "tools/ingest/ingest.hpp"

namespace rekeysim::ingest::detail {

enum class LineUse { kUsed, kSkipped, kUnusable };

// How far a log's timestamps may lie from its first line's (the scenario
// bound on durations). A line beyond it is unusable: converted to SimTime it
// would overflow (found by fuzz_ingest: a PAN-OS line dated year 1 after one
// dated 2025).
inline constexpr std::int64_t kMaxLogSpanSeconds = 3650LL * 86400;

class LineReader {
 public:
  virtual ~LineReader() = default;
  // True if the line has the style's prefix (detection only; no state change).
  virtual bool looks_like(const std::string& line) const = 0;
  virtual LineUse read(const std::string& line, IngestResult& out) = 0;
};

std::unique_ptr<LineReader> make_panos_reader(models::PeerId peer);
std::unique_ptr<LineReader> make_strongswan_reader(models::PeerId peer);

// "0x9ECA038B" / "9eca038b" -> value; nullopt if not 1..8 hex digits.
std::optional<std::uint32_t> parse_spi(std::string_view text);

}  // namespace rekeysim::ingest::detail
