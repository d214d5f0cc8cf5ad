// Internal: one line reader per style. A reader is fed every line in order
// and appends records to the result; it says whether the line was its
// style's shape at all (for detection and the unusable count).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

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
  // The first `n` records were handed on and removed from out.records
  // (streaming): indices the reader keeps move down by n; one pointing at a
  // removed record is forgotten (that record can no longer be completed).
  virtual void rebase(std::size_t n) { (void)n; }
};

// Moves a kept record index down by n; nullopt if it pointed below n.
inline void rebase_index(std::optional<std::size_t>& i, std::size_t n) {
  if (!i) return;
  if (*i < n) {
    i.reset();
  } else {
    *i -= n;
  }
}

std::unique_ptr<LineReader> make_panos_reader(models::PeerId peer);
std::unique_ptr<LineReader> make_strongswan_reader(models::PeerId peer);
std::unique_ptr<LineReader> make_cisco_asa_reader(models::PeerId peer);
std::unique_ptr<LineReader> make_libreswan_reader(models::PeerId peer);
std::unique_ptr<LineReader> make_cisco_ios_reader(models::PeerId peer);
std::unique_ptr<LineReader> make_juniper_srx_reader(models::PeerId peer);

// "0x9ECA038B" / "9eca038b" -> value; nullopt if not 1..8 hex digits.
// Digits masked with X/x (as published logs often are: "0xD3XXXD45") are
// read as a stable stand-in value: the same masked text gives the same SPI
// within a log, with bit 31 and bit 0 set so it never equals a real SPI of
// the same digits.
std::optional<std::uint32_t> parse_spi(std::string_view text);

// "Jan".."Dec" -> 1..12, 0 otherwise.
int month_number(std::string_view abbrev);

// A log's own clock for stamps of month, day and time of day (syslog-style
// logs print no year, or one not every line carries): each stamp becomes the
// time since the log's first stamp. A stamp more than half a year earlier
// than the previous one starts the next year; a dateless stamp (month 0)
// earlier than the previous one starts the next day.
class LogClock {
 public:
  // month 1..12 (day 1..31) or 0 for no date; micros 0..999999. nullopt if the
  // stamp lies further than kMaxLogSpanSeconds from the first one or is not a
  // valid time of day.
  std::optional<sim::SimTime> at(int month, int day, int hour, int minute, int second,
                                 std::int64_t micros);
  // The first stamp as the log shows it: microseconds since 1 January 00:00
  // (days counted in a non-leap year) or, for dateless logs, since 00:00 of
  // the first day. nullopt before the first stamp.
  std::optional<std::int64_t> first_reading_us() const { return first_; }
  // Dateless stamps read as the next day although the day would then have
  // passed with no line for over kLongRolloverUs (12 h): more likely rotated files
  // joined newest first than a quiet night. How many, and the first's gap.
  static constexpr std::int64_t kLongRolloverUs = 12LL * 3600 * 1'000'000;
  std::uint64_t long_rollovers() const { return long_rollovers_; }
  std::int64_t first_long_rollover_gap_us() const { return first_long_gap_us_; }

 private:
  std::uint64_t long_rollovers_ = 0;
  std::int64_t first_long_gap_us_ = 0;
  std::optional<std::int64_t> first_;
  std::optional<std::int64_t> last_;
  std::int64_t carry_ = 0;  // whole years / days added by rollovers
};

// Copies the clock's long day rollovers into the result (IngestResult).
inline void note_rollovers(IngestResult& out, const LogClock& clock) {
  out.long_day_rollovers = clock.long_rollovers();
  out.first_long_rollover_gap = sim::microseconds(clock.first_long_rollover_gap_us());
}

// The digits of a fraction of a second ("287", "064000") as microseconds.
std::int64_t fraction_us(std::string_view digits);

// The exchange a log names by its RFC 7296 3.1 name (strongSwan, Cisco ASA
// and IOS all print these); nullopt for any other word.
inline std::optional<models::ExchangeType> exchange_named(std::string_view s) {
  if (s == "CREATE_CHILD_SA") return models::ExchangeType::kCreateChildSa;
  if (s == "INFORMATIONAL") return models::ExchangeType::kInformational;
  if (s == "IKE_AUTH") return models::ExchangeType::kIkeAuth;
  if (s == "IKE_SA_INIT") return models::ExchangeType::kIkeSaInit;
  return std::nullopt;
}

}  // namespace rekeysim::ingest::detail
