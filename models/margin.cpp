#include "models/margin.hpp"

#include <charconv>
#include <cmath>
#include <limits>

namespace models {

namespace {

constexpr std::string_view kForm =
    "a duration like 9m or 270s, a percentage of the lifetime like 10%, or a ratio like 1/11";

double parse_real(std::string_view text, std::string_view whole) {
  double v = 0;
  const char* last = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), last, v);
  if (text.empty() || ec != std::errc() || ptr != last || !std::isfinite(v)) {
    throw sim::ParseError(std::string(whole), std::string(kForm));
  }
  return v;
}

std::int64_t parse_whole(std::string_view text, std::string_view whole) {
  std::int64_t v = 0;
  const char* last = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), last, v);
  if (text.empty() || ec != std::errc() || ptr != last) {
    throw sim::ParseError(std::string(whole), std::string(kForm));
  }
  return v;
}

std::string shortest(double x) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, r.ptr);
}

}  // namespace

sim::SimTime Margin::resolve(sim::SimTime lifetime) const {
  if (!is_fraction_) return duration_;
  // Nearest ns: 66 min x 1/11 is exactly 6 min, not 1 ns short of it.
  const double ns =
      static_cast<double>(lifetime.ns()) * numerator_ / static_cast<double>(denominator_);
  if (ns >= static_cast<double>(std::numeric_limits<std::int64_t>::max())) {
    return sim::SimTime::max();
  }
  return sim::nanoseconds(std::llround(ns));
}

Margin parse_margin(std::string_view text) {
  if (!text.empty() && text.back() == '%') {
    const double pct = parse_real(text.substr(0, text.size() - 1), text);
    if (pct < 0) throw sim::ParseError(std::string(text), std::string(kForm), "negative");
    return Margin::fraction(pct, 100);
  }
  if (const auto slash = text.find('/'); slash != std::string_view::npos) {
    const std::int64_t num = parse_whole(text.substr(0, slash), text);
    const std::int64_t den = parse_whole(text.substr(slash + 1), text);
    if (num < 0 || den < 1) {
      throw sim::ParseError(std::string(text), std::string(kForm),
                            "a ratio needs a whole numerator >= 0 and denominator >= 1");
    }
    return Margin::fraction(static_cast<double>(num), den);
  }
  return Margin(sim::parse_duration(text));  // its ParseError says why (negative, unit)
}

std::string format_margin(const Margin& m) {
  if (!m.is_fraction()) return sim::format_duration(m.duration());
  if (m.denominator() == 100) return shortest(m.numerator()) + "%";
  return shortest(m.numerator()) + "/" + std::to_string(m.denominator());
}

std::string describe_margin(const Margin& m) {
  if (!m.is_fraction()) {
    if (m.duration().ns() == 0) return "0 (never rekey)";
    return sim::format_duration(m.duration()) + " before expiry, whatever the lifetime";
  }
  return format_margin(m) + " of the lifetime";
}

}  // namespace models
