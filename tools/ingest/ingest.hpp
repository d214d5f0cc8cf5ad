// `rekeysim ingest`: a device's real log back into typed TraceRecords
// (models/trace.hpp), the inverse of the tools/trace log views, for the two
// styles whose shapes are best known: PAN-OS ikemgr.log and strongSwan
// charon (5.9 and 6.x wording). Lines are read one at a time (streaming);
// every line is either used (it made or completed a record), skipped (the
// style's prefix, but a message rekeysim has no record for) or unusable (not
// the style's shape, or a value that does not parse, e.g. SPIs masked with
// X). Times are relative to the first timestamped line (t = 0).
//
// Inputs: the log text and, optionally, the style (otherwise detected from
// the first lines) and which peer the device was. Output: the records and
// the line counts. Errors: IngestError when no style matches, naming the
// styles tried.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "models/trace.hpp"

namespace rekeysim::ingest {

enum class Style { kPanos, kStrongswan };

// "panos" | "strongswan"; nullopt otherwise.
std::optional<Style> parse_style(std::string_view text);
std::string_view to_string(Style style);
// The styles detection tries, in order.
inline constexpr Style kStyles[] = {Style::kPanos, Style::kStrongswan};

struct IngestOptions {
  std::optional<Style> style;                // nullopt: detect
  models::PeerId peer = models::PeerId::kA;  // the device whose log this is
  std::size_t detect_lines = 200;            // lines looked at to detect the style
};

struct UnusableLine {
  std::uint64_t line = 0;  // 1-based
  std::string text;
};

struct IngestResult {
  Style style = Style::kPanos;
  bool detected = false;
  std::vector<models::TraceRecord> records;
  std::uint64_t lines = 0;     // non-empty lines read
  std::uint64_t used = 0;      // lines that made or completed a record
  std::uint64_t skipped = 0;   // the style's lines with no record kind
  std::uint64_t unusable = 0;  // not the style's shape, or a value that does not parse
  std::vector<UnusableLine> first_unusable;  // up to 5, for the message
};

class IngestError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads `in` to the end. Throws IngestError if the style is not given and
// none of kStyles matches any of the first detect_lines lines.
IngestResult ingest(std::istream& in, const IngestOptions& options);

}  // namespace rekeysim::ingest
