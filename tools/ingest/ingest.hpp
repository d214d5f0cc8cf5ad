// `rekeysim ingest`: a device's real log back into typed TraceRecords
// (models/trace.hpp), the inverse of the tools/trace log views: PAN-OS
// ikemgr.log, strongSwan charon (5.9 and 6.x wording), Cisco ASA/FTD
// `debug crypto ikev2` (console or syslog-wrapped), libreswan pluto, Cisco
// IOS-XE `debug crypto ikev2` and Juniper SRX kmd syslog. Lines are read one at a time (streaming);
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
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "models/trace.hpp"

namespace rekeysim::ingest {

// strongSwan 5.x and 6.x share one style (one logger); the version is told
// by the wording (IngestResult::version).
enum class Style { kPanos, kStrongswan, kCiscoAsa, kLibreswan, kCiscoIos, kJuniperSrx };

// "panos" | "strongswan" | "strongswan-6" | "cisco-asa" | "libreswan" |
// "cisco-ios" | "juniper-srx" (the `trace --style` names); nullopt otherwise.
std::optional<Style> parse_style(std::string_view text);
std::string_view to_string(Style style);
// The styles detection tries, in order (a tie goes to the earlier one).
inline constexpr Style kStyles[] = {Style::kPanos,     Style::kStrongswan, Style::kCiscoAsa,
                                    Style::kLibreswan, Style::kCiscoIos,   Style::kJuniperSrx};
// One line of the style's shape, for messages that say what was expected.
std::string_view example_line(Style style);
// True for a line of `rekeysim trace` output with both peers interleaved
// ("A(panos)| 2025-07-06 ..."): not one device's log (`trace --peer a|b` is).
bool is_interleaved_trace_line(std::string_view line);
// The advice given when a log is such output.
inline constexpr std::string_view kInterleavedTraceHint =
    "it looks like `rekeysim trace` output with both peers interleaved (lines start "
    "\"A(panos)| \"); ingest reads one device's log: write each peer's with `rekeysim trace "
    "... --peer a` and `--peer b`";

// The finest step of the style's timestamps (1 s for ASA debug and Junos
// syslog lines): the clock offset between two logs cannot be known better.
sim::SimTime resolution(Style style);

// The longest line a reader is given, in bytes (without the line end). A
// longer line is counted unusable ("line too long (N bytes)") and never
// matched: std::regex recurses once per character and a ~100 KB line
// overflows the stack. No vendor's IKE line comes near it: the longest line
// of tests/data is 595 bytes (a Junos kmd syslog line).
inline constexpr std::size_t kMaxLineBytes = 8 * 1024;

// The message ID of a message whose log line does not give it (PAN-OS logs
// none for what it receives): never equal to a real one in a short log.
inline constexpr std::uint32_t kUnknownMessageId = 0xFFFFFFFFu;

struct IngestOptions {
  std::optional<Style> style;                // nullopt: detect
  models::PeerId peer = models::PeerId::kA;  // the device whose log this is
  std::size_t detect_lines = 200;            // lines looked at to detect the style
  // Called for every unusable line (line number, text), e.g. `--verbose`;
  // for a line over kMaxLineBytes the text is "line too long (N bytes)".
  std::function<void(std::uint64_t, const std::string&)> on_unusable;
  // Streaming: if set, each record is handed on with its 1-based line, in log
  // order, once the reader can no longer complete it (kStreamKeep newer
  // records follow it), and is not kept in IngestResult::records. The records
  // held at once then stay at most 2 * kStreamKeep however long the log.
  std::function<void(const models::TraceRecord&, std::uint64_t)> on_record;
  // Called once with the style (given or detected), before the first record.
  std::function<void(Style)> on_style;
};

// Records a streaming reader keeps behind the newest one: continuation lines
// and banners complete a record a few lines after it starts.
inline constexpr std::size_t kStreamKeep = 256;

struct UnusableLine {
  std::uint64_t line = 0;  // 1-based
  std::string text;
};

struct IngestResult {
  Style style = Style::kPanos;
  bool detected = false;
  std::vector<models::TraceRecord> records;
  std::vector<std::uint64_t> record_lines;  // the line each record came from (1-based)
  std::uint64_t record_count = 0;           // records made (handed on or kept)
  std::size_t peak_held = 0;                // most records held at once (streaming bound)
  // The finest step the log's timestamps showed: 1 s when every record fell
  // on a whole second (syslog stamps), 1 ms on a whole millisecond, else 1 us.
  sim::SimTime resolution = sim::seconds(1);
  // The first timestamp as the log shows it (LogClock::first_reading_us),
  // moved to UTC where the line gives its zone (PAN-OS "-0400"), so that two
  // logs' readings differ only by their clocks. Styles whose stamps name no
  // zone give local time.
  std::optional<std::int64_t> clock_reading_us;
  // Vendor software and version where the log names it ("strongSwan 5.9.8",
  // "strongSwan 6.x (collision wording)"), and the line it was read from (0: none).
  std::string version;
  std::uint64_t version_line = 0;
  std::uint64_t lines = 0;     // non-empty lines read
  std::uint64_t used = 0;      // lines that made or completed a record
  std::uint64_t skipped = 0;   // the style's lines with no record kind
  std::uint64_t unusable = 0;  // not the style's shape, or a value that does not parse
  std::vector<UnusableLine> first_unusable;  // up to 5, for the message
  // Records stamped more than kBackwardsTolerance before an earlier record of
  // the same log: a log's own clock never does that, rotated files joined in
  // the wrong order do (`cat ikemgr.log ikemgr.log.1`), and every count made
  // from such a log is too low. The first one's line and how far it went back.
  // (Dateless stamps, e.g. strongSwan's plain charon.log, cannot show this:
  // an earlier time of day reads as the next day.)
  std::uint64_t time_backwards = 0;
  std::uint64_t first_backwards_line = 0;
  sim::SimTime first_backwards_by{};
  // Dateless stamps (plain charon.log) cannot go back: an earlier time of day
  // is the next day. When that next day would follow a silence of over 12 h
  // (LogClock::kLongRolloverUs), rotated files joined newest first are the
  // likelier reading: how many, the first's line and the silence it implies.
  std::uint64_t long_day_rollovers = 0;
  std::uint64_t first_long_rollover_line = 0;
  sim::SimTime first_long_rollover_gap{};
};

// How far a record may be stamped before an earlier one before the log counts
// as going back in time (threads of one daemon can log a few milliseconds
// out of order).
inline constexpr sim::SimTime kBackwardsTolerance = sim::seconds(1);

class IngestError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads `in` to the end. Throws IngestError if the style is not given and
// none of kStyles matches any of the first detect_lines lines.
IngestResult ingest(std::istream& in, const IngestOptions& options);

// ingest() pulled one record at a time, so that two logs can be merged by
// time as they are read (align.hpp MergedStream). The records come in log
// order with their 1-based lines, each once the reader can no longer
// complete it, exactly as IngestOptions::on_record would be given them (its
// on_record is replaced). At most 2 * kStreamKeep records are held. The
// constructor detects the style (reading up to detect_lines lines) and
// throws IngestError as ingest() does.
class RecordStream {
 public:
  RecordStream(std::istream& in, IngestOptions options);
  RecordStream(RecordStream&&) noexcept;
  ~RecordStream();
  // The next record; false at the end of the log (then result() is complete).
  bool next(models::TraceRecord& record, std::uint64_t& line);
  // The counts so far (records stays empty: every record is handed on).
  const IngestResult& result() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace rekeysim::ingest
