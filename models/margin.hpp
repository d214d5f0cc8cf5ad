// The rekey margin of a lifetime policy as a vendor defines it: either a fixed
// duration before the hard lifetime (libreswan rekeymargin, AWS
// RekeyMarginTimeSeconds, Cisco "30 seconds before") or a fraction of the
// configured lifetime (strongSwan rekey_time = life_time / 1.1, "rekey at 90%
// of the lifetime"). A fraction is resolved against the lifetime in force when
// the SA is installed, so a scenario that changes only `lifetime` keeps the
// vendor's rule instead of the default lifetime's margin.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sim/time.hpp"

namespace models {

class Margin {
 public:
  constexpr Margin() = default;
  // A fixed margin (implicit so `policy.margin = sim::minutes(9)` reads as before).
  constexpr Margin(sim::SimTime duration)
      : duration_(duration) {}  // NOLINT(google-explicit-constructor)

  // margin = lifetime x numerator / denominator. Percentages use denominator
  // 100 ("10%" = 10/100); strongSwan's 1/11 (= life_time - life_time / 1.1)
  // is kept exact as a ratio. numerator >= 0, denominator >= 1.
  static constexpr Margin fraction(double numerator, std::int64_t denominator) {
    Margin m;
    m.is_fraction_ = true;
    m.numerator_ = numerator;
    m.denominator_ = denominator;
    return m;
  }

  bool is_fraction() const { return is_fraction_; }
  sim::SimTime duration() const { return duration_; }  // fixed margins only
  double numerator() const { return numerator_; }
  std::int64_t denominator() const { return denominator_; }
  double as_fraction() const { return numerator_ / static_cast<double>(denominator_); }

  // The margin in force for an SA with hard lifetime `lifetime` (ns), rounded
  // to the nearest ns. A fixed margin ignores the lifetime.
  sim::SimTime resolve(sim::SimTime lifetime) const;

  bool operator==(const Margin&) const = default;

 private:
  sim::SimTime duration_{};
  bool is_fraction_ = false;
  double numerator_ = 0;
  std::int64_t denominator_ = 1;
};

// Scenario syntax: a duration ("9m", "270s", "0"), a percentage of the
// lifetime ("10%", "12.5%") or a ratio of whole numbers ("1/11"). Throws
// sim::ParseError on anything else or a negative value.
Margin parse_margin(std::string_view text);
// The inverse: "9m", "10%", "1/11"; parse_margin(format_margin(m)) == m.
std::string format_margin(const Margin& margin);
// For people: "9m before expiry", "10% of the lifetime", "1/11 of the lifetime".
std::string describe_margin(const Margin& margin);

}  // namespace models
