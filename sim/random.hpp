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

  std::uint64_t next();
  std::uint64_t operator()() { return next(); }
  static constexpr std::uint64_t min() { return 0; }
  static constexpr std::uint64_t max() { return ~std::uint64_t{0}; }

  double uniform01();                          // [0, 1), 53-bit resolution
  double uniform(double lo, double hi);         // [lo, hi)
  std::uint64_t uniform_int(std::uint64_t n);   // [0, n), unbiased; n > 0
  double exponential(double mean);
  double normal(double mean, double sd);
  double lognormal(double mu, double sigma);    // parameters of the underlying normal

 private:
  std::array<std::uint64_t, 4> s_{};
};

std::uint64_t splitmix64(std::uint64_t& state);
// Mixes any number of words into one seed (order-sensitive).
std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b, std::uint64_t c = 0);

// A distribution of durations, as a scenario states it. Delays drawn from
// normal or lognormal are truncated at 0 (a message never arrives before it
// was sent).
struct DurationDist {
  enum class Kind { kConstant, kUniform, kNormal, kLognormal, kExponential, kEmpirical };
  Kind kind = Kind::kConstant;
  SimTime a{};  // constant: value; uniform: lo; normal: mean; lognormal: median; exponential: mean
  SimTime b{};  // uniform: hi; normal: sd; lognormal: unused
  double sigma = 0;                // lognormal shape
  std::vector<SimTime> samples;    // empirical: drawn uniformly from these

  static DurationDist constant(SimTime v);
  static DurationDist uniform(SimTime lo, SimTime hi);
  static DurationDist normal(SimTime mean, SimTime sd);
  static DurationDist lognormal(SimTime median, double sigma);
  static DurationDist exponential(SimTime mean);
  static DurationDist empirical(std::vector<SimTime> samples);

  SimTime draw(Rng& rng) const;
  bool is_zero() const;
  SimTime mean() const;
  std::string describe() const;  // "16ms", "normal(16ms, 2ms)", ...
};

}  // namespace sim
