// Scalar values in scenario syntax, read from YAML nodes. Every quantity takes
// units (sim::parse_duration / parse_bytes / parse_rate); every reader either
// returns a value or throws ScenarioError naming the field and the accepted
// form, never a silent default.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "sim/random.hpp"
#include "sim/time.hpp"
#include "tools/scenario/diagnostics.hpp"

namespace rekeysim::scenario {

// What a value reader needs to blame the right place.
struct ValueContext {
  YAML::Node node;  // a handle (cheap to copy); held by value so temporaries are safe
  std::string file;
  std::string field;     // full key path, e.g. "peers.a.child.lifetime"
  SourcePos fallback{};  // used when the node carries no mark (generated sweep values)

  SourcePos pos() const;
  [[noreturn]] void fail(const std::string& what, const std::string& expected) const;
};

inline constexpr std::string_view kDurationForm = "a duration like 8h, 7h55m, 250ms or 0";
inline constexpr std::string_view kSignedDurationForm = "a duration like 300s, -1s, 250ms or 0";
inline constexpr std::string_view kFractionForm = "a fraction like 0.5 or a percentage like 50%";
inline constexpr std::string_view kBytesForm = "a volume like 600B, 4608000KB, 100MB or 0";
inline constexpr std::string_view kRateForm = "a packet rate like 200pps or 0pps";
inline constexpr std::string_view kPpmForm = "a clock error like 20ppm, -5ppm or 0";
inline constexpr std::string_view kBoolForm = "true or false";
inline constexpr std::string_view kDistForm =
    "a duration like 2ms, a form like normal(1ms, 200us), or a mapping {dist: normal, mean: 1ms, "
    "sd: 200us}";

// The node's scalar text; fails for maps, lists and missing values.
std::string scalar_text(const ValueContext& v, std::string_view expected);

sim::SimTime read_duration(const ValueContext& v);
// Like read_duration but accepts a leading '-' (lifetime staggers).
sim::SimTime read_signed_duration(const ValueContext& v);
// A plain finite number; `lo`/`hi` bound it (inclusive).
double read_number(const ValueContext& v, double lo, double hi, std::string_view expected);
// "0.25" or "25%"; result in [lo, hi].
double read_fraction(const ValueContext& v, double lo, double hi);
// Unsigned integer without units, <= hi.
std::uint64_t read_count(const ValueContext& v, std::uint64_t hi, std::string_view expected);
std::uint64_t read_bytes(const ValueContext& v);
double read_rate(const ValueContext& v);
double read_ppm(const ValueContext& v);
bool read_bool(const ValueContext& v);
// Index of the scalar in `names`; fails with a suggestion otherwise.
int read_enum(const ValueContext& v, std::span<const std::string_view> names);
// Fails (naming the field) when the distribution can draw a delay longer
// than kMaxDelay (limits.hpp), so no delay can overflow simulated time.
sim::DurationDist read_distribution(const ValueContext& v);
void check_delay_bound(const sim::DurationDist& d, const ValueContext& v);

// Renderings in the same syntax (each parses back to the same value).
std::string format_number(double x);
std::string format_fraction(double x);  // "100%", "12.5%"
std::string format_ppm(double x);       // "20ppm"
std::string format_signed_duration(sim::SimTime t);
std::string format_distribution(const sim::DurationDist& d);

// Pure-text parsers used by the readers (throw sim::ParseError).
double parse_number_text(std::string_view text);
double parse_fraction_text(std::string_view text);

}  // namespace rekeysim::scenario
