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
  constexpr SimTime& operator+=(SimTime o) { ns_ += o.ns_; return *this; }
  constexpr SimTime& operator-=(SimTime o) { ns_ -= o.ns_; return *this; }
  constexpr SimTime operator*(std::int64_t k) const { return SimTime(ns_ * k); }
  constexpr SimTime operator-() const { return SimTime(-ns_); }

 private:
  constexpr explicit SimTime(std::int64_t ns) : ns_(ns) {}
  std::int64_t ns_ = 0;
};

constexpr SimTime nanoseconds(std::int64_t n) { return SimTime::from_ns(n); }
constexpr SimTime microseconds(std::int64_t n) { return SimTime::from_ns(n * 1'000); }
constexpr SimTime milliseconds(std::int64_t n) { return SimTime::from_ns(n * 1'000'000); }
constexpr SimTime seconds(std::int64_t n) { return SimTime::from_ns(n * 1'000'000'000); }
constexpr SimTime minutes(std::int64_t n) { return seconds(n * 60); }
constexpr SimTime hours(std::int64_t n) { return seconds(n * 3600); }
constexpr SimTime days(std::int64_t n) { return seconds(n * 86400); }
// Rounds to the nearest nanosecond; callers use it for drawn delays only.
SimTime from_seconds(double s);

// A value the user wrote that does not have the expected form. `text` is the
// offending input, `expected` a human description of the accepted form
// (e.g. "a duration like 8h, 7h55m, 250ms"). Callers that know the file
// position wrap it with file:line:column.
class ParseError : public std::runtime_error {
 public:
  ParseError(std::string text, std::string expected, std::string why = {});
  const std::string& text() const { return text_; }
  const std::string& expected() const { return expected_; }

 private:
  std::string text_;
  std::string expected_;
};

// "8h", "28800s", "7h55m", "1.5s", "250ms", "0", "10us", "3d". Units: ns, us,
// ms, s, m, h, d; several may be combined largest first. Negative values,
// missing units (except a bare 0), garbage and overflow raise ParseError.
SimTime parse_duration(std::string_view text);
// Shortest exact rendering in the same syntax: 28800s -> "8h", 90s -> "1m30s".
std::string format_duration(SimTime t);

// Byte volumes: "600B", "4608000KB", "100MB", "2GB". KB = 1024 B, MB = 1024 KB,
// GB = 1024 MB, as IPsec vendors use them (Cisco's "kilobytes" lifetimes).
std::uint64_t parse_bytes(std::string_view text);
std::string format_bytes(std::uint64_t bytes);

// Packet rates: "200pps", "0pps", "1.5kpps". Returns packets per second.
double parse_rate(std::string_view text);

}  // namespace sim
