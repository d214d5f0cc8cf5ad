// Parsing and formatting of the values users write in scenarios: durations,
// byte volumes and packet rates. All parsing is exact integer arithmetic where
// the result is an integer ("1.5s" is 1'500'000'000 ns exactly, never a
// rounded double), and every malformed or out-of-range value raises
// ParseError naming the offending text and the accepted form; nothing wraps.
#include "sim/time.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <string>
#include <system_error>

namespace sim {

namespace {

using i128 = __int128;

constexpr std::string_view kDurationForm =
    "a duration like 8h, 7h55m, 1.5s, 250ms or 0 (units d, h, m, s, ms, us, ns; "
    "several combined largest first, a decimal fraction only in the last)";
constexpr std::string_view kBytesForm =
    "a byte volume like 600B, 4608000KB, 100MB, 2GB or 0 (KB = 1024 B, MB = 1024 KB, "
    "GB = 1024 MB, TB = 1024 GB)";
constexpr std::string_view kRateForm = "a packet rate like 200pps, 1.5kpps, 2Mpps or 0";

std::string build_message(const std::string& text, const std::string& expected,
                          const std::string& why) {
  std::string m = "invalid value \"" + text + "\"";
  if (!why.empty()) m += " (" + why + ")";
  m += ": expected " + expected;
  return m;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// One "<digits>[.<digits>]<unit>" component as written, not yet scaled.
struct Component {
  std::string_view int_digits;
  std::string_view frac_digits;  // without trailing zeros
  std::string_view unit;
  bool has_point = false;
};

// Reads one component starting at `pos`; advances `pos`. Throws on malformed
// syntax; does not interpret the unit.
Component read_component(std::string_view text, std::size_t& pos, std::string_view form) {
  const auto fail = [&](const std::string& why) {
    throw ParseError(std::string(text), std::string(form), why);
  };
  Component c;
  std::size_t start = pos;
  while (pos < text.size() && is_digit(text[pos])) ++pos;
  c.int_digits = text.substr(start, pos - start);
  if (pos < text.size() && text[pos] == '.') {
    c.has_point = true;
    ++pos;
    std::size_t fstart = pos;
    while (pos < text.size() && is_digit(text[pos])) ++pos;
    c.frac_digits = text.substr(fstart, pos - fstart);
    if (c.frac_digits.empty()) fail("digits expected after '.'");
  }
  if (c.int_digits.empty() && !c.has_point) {
    if (pos < text.size() && text[pos] == '-') fail("negative values are not allowed");
    if (pos < text.size() && is_alpha(text[pos])) fail("a number is missing before the unit");
    if (pos < text.size()) fail(std::string("unexpected character '") + text[pos] + "'");
    fail("a number is missing");
  }
  if (c.int_digits.empty()) fail("a digit is required before '.'");
  // "1e3ms" would otherwise read as the unknown unit 'e': no unit starts
  // with e or E, so an exponent is what was meant.
  if (pos + 1 < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
    const std::size_t d = (text[pos + 1] == '+' || text[pos + 1] == '-') ? pos + 2 : pos + 1;
    if (d < text.size() && is_digit(text[d]))
      fail("exponent notation is not accepted here; write the digits out (1000, not 1e3)");
  }
  std::size_t ustart = pos;
  while (pos < text.size() && is_alpha(text[pos])) ++pos;
  c.unit = text.substr(ustart, pos - ustart);
  if (c.unit.empty()) {
    if (pos >= text.size()) fail("the unit is missing");
    fail(std::string("unexpected character '") + text[pos] + "' after the number");
  }
  while (!c.frac_digits.empty() && c.frac_digits.back() == '0') c.frac_digits.remove_suffix(1);
  return c;
}

// Exact value of `c` times `scale` (the unit size), or throws when it is not
// an integer or exceeds `limit`.
i128 scale_component(const Component& c, i128 scale, i128 limit, std::string_view text,
                     std::string_view form, std::string_view finest) {
  const auto fail = [&](const std::string& why) {
    throw ParseError(std::string(text), std::string(form), why);
  };
  i128 whole = 0;
  for (char ch : c.int_digits) {
    whole = whole * 10 + (ch - '0');
    if (whole > limit) fail("value too large");
  }
  i128 value = whole * scale;
  if (value > limit) fail("value too large");
  if (!c.frac_digits.empty()) {
    // Beyond 18 significant fraction digits nothing is an integer count of
    // the finest unit (the largest unit is < 10^14 of the finest).
    if (c.frac_digits.size() > 18)
      fail(std::string("more precision than 1 ") + std::string(finest));
    i128 frac = 0;
    i128 pow10 = 1;
    for (char ch : c.frac_digits) {
      frac = frac * 10 + (ch - '0');
      pow10 *= 10;
    }
    i128 num = frac * scale;
    if (num % pow10 != 0) fail(std::string("finer than 1 ") + std::string(finest));
    value += num / pow10;
    if (value > limit) fail("value too large");
  }
  return value;
}

struct Unit {
  std::string_view name;
  std::int64_t size;
};

// Largest first: parse_duration requires components in this order.
constexpr std::array<Unit, 7> kDurationUnits{{
    {"d", 86'400'000'000'000},
    {"h", 3'600'000'000'000},
    {"m", 60'000'000'000},
    {"s", 1'000'000'000},
    {"ms", 1'000'000},
    {"us", 1'000},
    {"ns", 1},
}};

// Renders `rem` (in units of `unit_ns`, a power of ten) as a decimal number.
std::string decimal(std::uint64_t rem, std::uint64_t unit_ns) {
  std::string s = std::to_string(rem / unit_ns);
  std::uint64_t frac = rem % unit_ns;
  if (frac != 0) {
    std::string digits;
    for (std::uint64_t p = unit_ns / 10; p > 0; p /= 10) {
      digits += static_cast<char>('0' + (frac / p) % 10);
    }
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    s += "." + digits;
  }
  return s;
}

}  // namespace

ParseError::ParseError(std::string text, std::string expected, std::string why)
    : std::runtime_error(build_message(text, expected, why)),
      text_(std::move(text)),
      expected_(std::move(expected)),
      why_(std::move(why)) {}

namespace detail {
void throw_nan_seconds() {
  throw std::invalid_argument("sim::from_seconds: NaN");
}
}  // namespace detail

SimTime parse_duration(std::string_view text) {
  const std::string form(kDurationForm);
  if (text == "0") return SimTime{};
  if (text.empty()) throw ParseError(std::string(text), form, "empty");
  const i128 limit = std::numeric_limits<std::int64_t>::max();
  i128 total = 0;
  int last_unit = -1;
  bool had_fraction = false;
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (had_fraction) {
      throw ParseError(std::string(text), form,
                       "a decimal fraction is only allowed in the last component");
    }
    Component c = read_component(text, pos, kDurationForm);
    int unit = -1;
    for (std::size_t i = 0; i < kDurationUnits.size(); ++i) {
      if (kDurationUnits[i].name == c.unit) unit = static_cast<int>(i);
    }
    if (unit < 0)
      throw ParseError(std::string(text), form, "unknown unit '" + std::string(c.unit) + "'");
    if (unit <= last_unit) {
      throw ParseError(
          std::string(text), form,
          "unit '" + std::string(c.unit) + "' repeated or out of order (largest first)");
    }
    last_unit = unit;
    had_fraction = c.has_point;
    total += scale_component(c, kDurationUnits[unit].size, limit, text, kDurationForm, "ns");
    if (total > limit) throw ParseError(std::string(text), form, "value too large");
  }
  return SimTime::from_ns(static_cast<std::int64_t>(total));
}

std::string format_duration(SimTime t) {
  if (t.ns() == 0) return "0";
  std::string sign;
  std::uint64_t v = static_cast<std::uint64_t>(t.ns());
  if (t.ns() < 0) {
    sign = "-";
    v = 0 - v;  // magnitude, well defined even for INT64_MIN
  }
  // Candidate 0: every unit as an integer ("1m30s", "1s500ms").
  // Candidates 1..3: d/h/m (and larger sub-units) as integers, then the rest as
  // a decimal of s, ms or us ("1.5s", "1.5ms"). The shortest wins; ties go to
  // the earlier candidate, so 250ms stays "250ms" rather than "0.25s".
  std::string best;
  {
    std::uint64_t rem = v;
    for (const Unit& u : kDurationUnits) {
      std::uint64_t k = rem / static_cast<std::uint64_t>(u.size);
      rem %= static_cast<std::uint64_t>(u.size);
      if (k != 0) best += std::to_string(k) + std::string(u.name);
    }
  }
  for (std::size_t dec = 3; dec <= 5; ++dec) {  // s, ms, us
    std::string cand;
    std::uint64_t rem = v;
    for (std::size_t i = 0; i < dec; ++i) {
      const auto size = static_cast<std::uint64_t>(kDurationUnits[i].size);
      std::uint64_t k = rem / size;
      rem %= size;
      if (k != 0) cand += std::to_string(k) + std::string(kDurationUnits[i].name);
    }
    if (rem == 0) continue;
    cand += decimal(rem, static_cast<std::uint64_t>(kDurationUnits[dec].size)) +
            std::string(kDurationUnits[dec].name);
    if (cand.size() < best.size()) best = cand;
  }
  return sign + best;
}

namespace {

constexpr std::array<Unit, 9> kByteUnits{{
    {"B", 1},
    {"KB", 1LL << 10},
    {"MB", 1LL << 20},
    {"GB", 1LL << 30},
    {"TB", 1LL << 40},
    {"KiB", 1LL << 10},
    {"MiB", 1LL << 20},
    {"GiB", 1LL << 30},
    {"TiB", 1LL << 40},
}};

}  // namespace

std::uint64_t parse_bytes(std::string_view text) {
  const std::string form(kBytesForm);
  if (text == "0") return 0;
  if (text.empty()) throw ParseError(std::string(text), form, "empty");
  std::size_t pos = 0;
  Component c = read_component(text, pos, kBytesForm);
  if (pos != text.size()) {
    throw ParseError(std::string(text), form, "unexpected text after the unit");
  }
  for (const Unit& u : kByteUnits) {
    if (u.name == c.unit) {
      const i128 limit = std::numeric_limits<std::uint64_t>::max();
      return static_cast<std::uint64_t>(
          scale_component(c, u.size, limit, text, kBytesForm, "byte"));
    }
  }
  throw ParseError(std::string(text), form, "unknown unit '" + std::string(c.unit) + "'");
}

std::string format_bytes(std::uint64_t bytes) {
  if (bytes == 0) return "0B";
  // Largest unit that divides exactly, so the rendering parses back to the
  // same number of bytes.
  for (int i = 4; i >= 1; --i) {
    const auto size = static_cast<std::uint64_t>(kByteUnits[i].size);
    if (bytes % size == 0) return std::to_string(bytes / size) + std::string(kByteUnits[i].name);
  }
  return std::to_string(bytes) + "B";
}

double parse_rate(std::string_view text) {
  const std::string form(kRateForm);
  if (text == "0") return 0;
  if (text.empty()) throw ParseError(std::string(text), form, "empty");
  std::size_t pos = 0;
  Component c = read_component(text, pos, kRateForm);
  if (pos != text.size()) {
    throw ParseError(std::string(text), form, "unexpected text after the unit");
  }
  int exponent = 0;
  if (c.unit == "pps") {
    exponent = 0;
  } else if (c.unit == "kpps") {
    exponent = 3;
  } else if (c.unit == "Mpps") {
    exponent = 6;
  } else {
    throw ParseError(std::string(text), form, "unknown unit '" + std::string(c.unit) + "'");
  }
  // One correctly rounded conversion of "<all digits>e<exponent>", so
  // "1.5kpps" is exactly 1500 and no double multiply adds a rounding step.
  std::string literal = std::string(c.int_digits) + std::string(c.frac_digits) + "e" +
                        std::to_string(exponent - static_cast<int>(c.frac_digits.size()));
  double value = 0;
  auto [ptr, ec] = std::from_chars(literal.data(), literal.data() + literal.size(), value);
  if (ec == std::errc::result_out_of_range || !std::isfinite(value)) {
    throw ParseError(std::string(text), form, "value out of range");
  }
  if (ec != std::errc() || ptr != literal.data() + literal.size()) {
    throw ParseError(std::string(text), form, "malformed number");
  }
  return value;
}

std::string format_rate(double pps) {
  if (!std::isfinite(pps) || pps < 0) {
    throw std::invalid_argument("sim::format_rate: rate must be finite and >= 0");
  }
  // Shortest fixed-point text that reads back as the same double.
  std::array<char, 400> buf{};
  auto [ptr, ec] =
      std::to_chars(buf.data(), buf.data() + buf.size(), pps, std::chars_format::fixed);
  if (ec != std::errc()) throw std::invalid_argument("sim::format_rate: cannot format");
  return std::string(buf.data(), ptr) + "pps";
}

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace sim
