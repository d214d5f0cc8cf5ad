// Simulated time: a signed 64-bit count of nanoseconds since the start of a
// trial. Integer, never floating point, so that event order is exact and a run
// is reproducible bit for bit (architecture principle 1). 2^63 ns is ~292 years
// of simulated time, far beyond any scenario.
#pragma once

#include <compare>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sim {

class SimTime {
 public:
  constexpr SimTime() = default;
  static constexpr SimTime from_ns(std::int64_t ns) { return SimTime(ns); }
  static constexpr SimTime max() { return SimTime(std::numeric_limits<std::int64_t>::max()); }

  constexpr std::int64_t ns() const { return ns_; }
  constexpr double seconds() const { return static_cast<double>(ns_) * 1e-9; }

  constexpr auto operator<=>(const SimTime&) const = default;
  constexpr SimTime operator+(SimTime o) const { return SimTime(ns_ + o.ns_); }
  constexpr SimTime operator-(SimTime o) const { return SimTime(ns_ - o.ns_); }
  constexpr SimTime& operator+=(SimTime o) {
    ns_ += o.ns_;
    return *this;
  }
  constexpr SimTime& operator-=(SimTime o) {
    ns_ -= o.ns_;
    return *this;
  }
  constexpr SimTime operator*(std::int64_t k) const { return SimTime(ns_ * k); }
  constexpr SimTime operator-() const { return SimTime(-ns_); }

 private:
  constexpr explicit SimTime(std::int64_t ns) : ns_(ns) {}
  std::int64_t ns_ = 0;
};

constexpr SimTime nanoseconds(std::int64_t n) {
  return SimTime::from_ns(n);
}
constexpr SimTime microseconds(std::int64_t n) {
  return SimTime::from_ns(n * 1'000);
}
constexpr SimTime milliseconds(std::int64_t n) {
  return SimTime::from_ns(n * 1'000'000);
}
constexpr SimTime seconds(std::int64_t n) {
  return SimTime::from_ns(n * 1'000'000'000);
}
constexpr SimTime minutes(std::int64_t n) {
  return seconds(n * 60);
}
constexpr SimTime hours(std::int64_t n) {
  return seconds(n * 3600);
}
constexpr SimTime days(std::int64_t n) {
  return seconds(n * 86400);
}
// Rounds to the nearest nanosecond; callers use it for drawn delays only.
// Saturates at SimTime::max() (and the minimum) instead of overflowing; NaN
// throws std::invalid_argument.
inline SimTime from_seconds(double s);

// A value the user wrote that does not have the expected form. `text` is the
// offending input, `expected` a human description of the accepted form
// (e.g. "a duration like 8h, 7h55m, 250ms"). Callers that know the file
// position wrap it with file:line:column.
class ParseError : public std::runtime_error {
 public:
  ParseError(std::string text, std::string expected, std::string why = {});
  const std::string& text() const { return text_; }
  const std::string& expected() const { return expected_; }
  // The specific reason ("value too large", "unknown unit 'x'"), or empty.
  const std::string& why() const { return why_; }

 private:
  std::string text_;
  std::string expected_;
  std::string why_;
};

// "8h", "28800s", "7h55m", "1.5s", "250ms", "0", "10us", "3d". Units: ns, us,
// ms, s, m, h, d; several may be combined, each at most once, largest first.
// Only the last component may carry a decimal fraction ("1m1.5s", not
// "1.5m30s"); the result is computed exactly in integers and must be a whole
// number of nanoseconds ("0.5ns" is rejected, not rounded). Negative values,
// missing units (except a bare 0), whitespace, exponents, garbage and
// overflow beyond ~292 years raise ParseError.
SimTime parse_duration(std::string_view text);
// Shortest exact rendering in the same syntax: 28800s -> "8h", 90s -> "1m30s",
// 1500ms -> "1.5s", 250ms -> "250ms", 0 -> "0". Whole days, hours and minutes
// are always written as integer components; only seconds and below may be
// written as a decimal. parse_duration(format_duration(t)) == t for t >= 0;
// negative values get a leading '-' (for diagnostics; they do not parse).
std::string format_duration(SimTime t);

// Byte volumes: "600B", "4608000KB", "100MB", "2GB", "0". KB = 1024 B, MB = 1024 KB,
// GB = 1024 MB, TB = 1024 GB, as IPsec vendors use them (Cisco's "kilobytes"
// lifetimes are KiB); KiB/MiB/GiB/TiB are accepted as synonyms. A decimal is
// allowed when it is a whole number of bytes ("1.5KB" = 1536). Values above
// 2^64-1 bytes raise ParseError.
std::uint64_t parse_bytes(std::string_view text);
// Largest unit that divides exactly: 4718592000 -> "4500MB", 1536 -> "1536B", 0 -> "0B".
std::string format_bytes(std::uint64_t bytes);

// Packet rates: "200pps", "0pps", "1.5kpps", "2Mpps", "0". Returns packets per
// second, correctly rounded from the decimal text (one conversion, so
// "1.5kpps" is exactly 1500).
double parse_rate(std::string_view text);
// Shortest fixed-point rendering that parses back to the same double: 1500 ->
// "1500pps". Throws std::invalid_argument for negative or non-finite rates.
std::string format_rate(double pps);

namespace detail {
[[noreturn]] void throw_nan_seconds();
}  // namespace detail

inline SimTime from_seconds(double s) {
  // Inline: it sits on the hot path of every drawn delay.
  if (s != s) detail::throw_nan_seconds();
  const double ns = s * 1e9;
  // Saturate instead of overflowing: a drawn delay of 10^300 s (a lognormal
  // tail) means "never" for any scenario.
  constexpr double kLimit = 9223372036854775808.0;  // 2^63, the first double out of range
  if (ns >= kLimit) return SimTime::max();
  if (ns <= -kLimit) return SimTime::from_ns(std::numeric_limits<std::int64_t>::min());
  // Round half away from zero without the llround library call: truncate,
  // then look at the exact remainder. Beyond 2^52 every double is an integer.
  auto whole = static_cast<std::int64_t>(ns);
  const double frac = ns - static_cast<double>(whole);
  if (frac >= 0.5) {
    ++whole;
  } else if (frac <= -0.5) {
    --whole;
  }
  return SimTime::from_ns(whole);
}

// Days from 1970-01-01 to the proleptic Gregorian date y-m-d (m 1..12, d
// 1..31; negative before 1970). H. Hinnant's days_from_civil: used where a
// wall-clock date in a scenario or a log becomes a time.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);

}  // namespace sim
