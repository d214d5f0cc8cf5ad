// Closed-form packet counting for ESP flows, and the discrete draws it needs.
// Nothing here costs more for a higher packet rate or a longer interval
// (architecture principle 2).
#pragma once

#include <cstdint>

#include "sim/random.hpp"
#include "sim/time.hpp"

namespace models::world {

using sim::SimTime;

// A constant-rate packet stream: packet k (k >= 0) leaves at
//   t_k = phase + k * 1e12 / rate_mpps  nanoseconds,
// with the rate kept in milli-packets per second so that every count is an
// exact integer computation (rates are taken at 0.001 pps resolution).
class PacketLattice {
 public:
  PacketLattice() = default;
  PacketLattice(double rate_pps, SimTime phase);

  bool active() const { return rate_mpps_ > 0; }
  // Number of packets with send time < t.
  std::uint64_t before(SimTime t) const;
  // Number of packets with send time in [from, to).
  std::uint64_t in(SimTime from, SimTime to) const {
    return to <= from ? 0 : before(to) - before(from);
  }
  // Send time of packet k, rounded down to the nanosecond.
  SimTime time_of(std::uint64_t k) const;
  // Earliest time t such that before(t) >= n + 1, i.e. just after packet n left.
  SimTime after_packet(std::uint64_t n) const { return time_of(n) + sim::nanoseconds(1); }
  std::uint64_t rate_mpps() const { return rate_mpps_; }
  SimTime phase() const { return phase_; }

 private:
  // Both are exact integer results; a double estimate (within a couple of
  // units) is corrected with 128-bit multiplications, so neither needs a
  // 128-bit division (a libgcc call, and the hottest part of ESP accounting).
  std::uint64_t rate_mpps_ = 0;
  SimTime phase_{};
  double packets_per_ns_ = 0;  // rate_mpps_ / 1e12
  double ns_per_packet_ = 0;   // 1e12 / rate_mpps_
};

// Poisson(mean) in O(1) expected time for any mean (inversion below 30,
// Hormann's PTRS transformed rejection above).
std::uint64_t draw_poisson(sim::Rng& rng, double mean);
// Binomial(n, p): exact inversion when the expected count of the rarer outcome
// is small, otherwise the normal approximation with continuity rounding (its
// error is far below the sampling noise of any reported rate).
std::uint64_t draw_binomial(sim::Rng& rng, std::uint64_t n, double p);

}  // namespace models::world
