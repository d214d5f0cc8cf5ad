// Reproducible random streams. One scenario seed; each (trial, component)
// gets its own independent stream derived by a splitmix64-style hash, so a
// trial's numbers never depend on which thread ran it, in what order trials
// ran, or which other components exist (ns-3's stream discipline).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/time.hpp"

namespace sim {

// Well-known component numbers keep streams stable when components are added.
enum class StreamComponent : std::uint32_t {
  kPeerA = 1,
  kPeerB = 2,
  kNetworkAtoB = 3,
  kNetworkBtoA = 4,
  kTrafficAtoB = 5,
  kTrafficBtoA = 6,
  kScenario = 7,
};

// xoshiro256** (Blackman & Vigna): fast, 256-bit state, passes BigCrush.
class Rng {
 public:
  using result_type = std::uint64_t;
  explicit Rng(std::uint64_t seed);  // state filled by splitmix64(seed)
  static Rng for_stream(std::uint64_t scenario_seed, std::uint64_t trial, StreamComponent c);
  static Rng for_stream(std::uint64_t scenario_seed, std::uint64_t trial, std::uint64_t component);
  // Exact state, for known-answer tests against the reference implementation.
  // Must not be all zero (throws std::invalid_argument).
  static Rng from_state(const std::array<std::uint64_t, 4>& state);

  std::uint64_t next();
  std::uint64_t operator()() { return next(); }
  static constexpr std::uint64_t min() { return 0; }
  static constexpr std::uint64_t max() { return ~std::uint64_t{0}; }

  double uniform01();                          // [0, 1), 53-bit resolution
  double uniform(double lo, double hi);        // [lo, hi)
  std::uint64_t uniform_int(std::uint64_t n);  // [0, n), unbiased (Lemire); n == 0 throws
  // Ziggurat (Marsaglia & Tsang 2000, 256 layers): usually one next() and no
  // logarithm. Its tables are immutable and built once on first use, so no
  // mutable state is shared between simulations.
  double exponential(double mean);
  // The normal quantile (AS 241, sim/normal_quantile.hpp) at one uniform:
  // always exactly one next() call; |z| <= 8.3.
  double normal(double mean, double sd);
  double lognormal(double mu, double sigma);  // parameters of the underlying normal

 private:
  Rng() = default;
  std::array<std::uint64_t, 4> s_{};
};

std::uint64_t splitmix64(std::uint64_t& state);
// Mixes any number of words into one seed (order-sensitive).
std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b, std::uint64_t c = 0);

// A distribution of durations, as a scenario states it. Delays drawn from
// normal or lognormal are truncated at 0 (a message never arrives before it
// was sent): a normal draw below 0 becomes exactly 0 (censoring, one draw per
// value, so the stream position stays predictable), and mean() is the mean of
// that censored distribution. Uniform draws whole nanoseconds in [lo, hi]
// inclusive. Factories throw std::invalid_argument for negative parameters,
// lo > hi, or an empty sample list.
struct DurationDist {
  enum class Kind { kConstant, kUniform, kNormal, kLognormal, kExponential, kEmpirical };
  Kind kind = Kind::kConstant;
  SimTime a{};  // constant: value; uniform: lo; normal: mean; lognormal: median; exponential: mean
  SimTime b{};  // uniform: hi; normal: sd; lognormal: unused
  double sigma = 0;              // lognormal shape
  std::vector<SimTime> samples;  // empirical: drawn uniformly from these

  static DurationDist constant(SimTime v);
  static DurationDist uniform(SimTime lo, SimTime hi);
  static DurationDist normal(SimTime mean, SimTime sd);
  static DurationDist lognormal(SimTime median, double sigma);
  static DurationDist exponential(SimTime mean);
  static DurationDist empirical(std::vector<SimTime> samples);

  SimTime draw(Rng& rng) const;
  bool is_zero() const;
  SimTime mean() const;
  // "16ms", "uniform(1ms, 5ms)", "normal(16ms, 2ms)", "lognormal(16ms, 0.5)",
  // "exponential(1s)", "empirical(3 samples, mean 2ms)".
  std::string describe() const;
};

// Parses describe()'s forms for the first five kinds: "16ms" (constant),
// "uniform(1ms, 5ms)", "normal(16ms, 2ms)", "lognormal(700us, 0.1)",
// "exponential(550us)". Throws ParseError (text, expected form) otherwise.
DurationDist parse_duration_dist(std::string_view text);

}  // namespace sim
