// Small formatting helpers shared by the trace views: hex SPIs, wall-clock
// timestamps, message summaries. Pure functions, no locale, no wall clock.
#pragma once

#include <cstdint>
#include <string>

#include "models/trace.hpp"
#include "sim/time.hpp"

namespace rekeysim::trace::detail {

// Broken-down local time of a log line.
struct CivilTime {
  std::int64_t year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  int hour = 0;
  int minute = 0;
  int second = 0;
  int millisecond = 0;
};

// Local wall-clock time of simulated time `t`, for a trace whose t = 0 is the
// Unix time `epoch_unix_seconds` and whose log uses `utc_offset_minutes`.
CivilTime civil_time(sim::SimTime t, std::int64_t epoch_unix_seconds, int utc_offset_minutes);

// "Jan".."Dec".
const char* month_abbrev(int month);

// "-0400", "+0530".
std::string utc_offset_text(int utc_offset_minutes);

// "0xD3A1BD45" (PAN-OS, Cisco: upper case, 8 digits).
std::string hex_upper(std::uint32_t spi);
// "d3a1bd45" (strongSwan %.8x).
std::string hex_lower(std::uint32_t spi);
// "0xd3a1bd45".
std::string hex_0x(std::uint32_t spi);
// "0x0123456789abcdef".
std::string hex64(std::uint64_t v);
// 16 upper-case hex digits, no prefix (Cisco's IKE SPI form): "9C3DEA5F84BCF121".
std::string hex64_upper(std::uint64_t v);

// Simulated time as seconds with microseconds: "28800.016000".
std::string seconds_text(sim::SimTime t);
// A duration in milliseconds with up to 3 decimals: "12.5 ms", "4980 ms".
std::string millis_text(sim::SimTime d);

// One-line summary of a message, the ladder and plain-log label:
//   "CREATE_CHILD_SA req #5 N(REKEY_SA 0xc1a2b3c4) SA(ESP 0x1a2b3c4d) Ni TSi TSr"
//   "INFORMATIONAL resp #6 D(ESP 0xc1a2b3c4)", "INFORMATIONAL resp #6 (empty)"
// `compact` drops TSi/TSr (ladder labels).
std::string message_summary(const models::Message& m, bool compact);

// True if the message carries a Delete payload for ESP SPIs.
bool has_esp_delete(const models::Message& m);
// True if the message is a Child SA rekey request (REKEY_SA notify).
bool is_child_rekey_request(const models::Message& m);

}  // namespace rekeysim::trace::detail
