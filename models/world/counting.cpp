#include "models/world/counting.hpp"

#include <algorithm>
#include <cmath>

namespace models::world {

namespace {
using u128 = unsigned __int128;
constexpr std::uint64_t kMilliNsPerSecond = 1'000'000'000'000ULL;  // 1e9 ns * 1e3 (mpps)

// Estimates below this are corrected in a step or two; beyond it (results
// near 2^64, far outside any trial) the exact division is used.
constexpr double kEstimateLimit = 1.0e19;
}  // namespace

PacketLattice::PacketLattice(double rate_pps, SimTime phase)
    : rate_mpps_(rate_pps > 0 ? static_cast<std::uint64_t>(std::llround(rate_pps * 1000.0)) : 0),
      phase_(phase) {
  if (rate_mpps_ > 0) {
    packets_per_ns_ = static_cast<double>(rate_mpps_) / static_cast<double>(kMilliNsPerSecond);
    ns_per_packet_ = static_cast<double>(kMilliNsPerSecond) / static_cast<double>(rate_mpps_);
  }
}

std::uint64_t PacketLattice::before(SimTime t) const {
  if (rate_mpps_ == 0 || t <= phase_) return 0;
  // #{k >= 0 : k * 1e12 < (t - phase) * rate_mpps} = ceil((t - phase) * rate_mpps / 1e12):
  // the least q with q * 1e12 >= x.
  const auto dt = static_cast<std::uint64_t>((t - phase_).ns());
  const u128 x = static_cast<u128>(dt) * rate_mpps_;
  const double e = static_cast<double>(dt) * packets_per_ns_;
  if (!(e < kEstimateLimit)) {
    return static_cast<std::uint64_t>((x + kMilliNsPerSecond - 1) / kMilliNsPerSecond);
  }
  std::uint64_t q = static_cast<std::uint64_t>(e);
  while (static_cast<u128>(q) * kMilliNsPerSecond < x) ++q;
  while (q > 0 && static_cast<u128>(q - 1) * kMilliNsPerSecond >= x) --q;
  return q;
}

SimTime PacketLattice::time_of(std::uint64_t k) const {
  // floor(k * 1e12 / rate_mpps): the greatest t with t * rate_mpps <= k * 1e12.
  const u128 x = static_cast<u128>(k) * kMilliNsPerSecond;
  const double e = static_cast<double>(k) * ns_per_packet_;
  if (!(e < kEstimateLimit)) {
    return phase_ + sim::nanoseconds(static_cast<std::int64_t>(x / rate_mpps_));
  }
  std::uint64_t t = static_cast<std::uint64_t>(e);
  while (static_cast<u128>(t) * rate_mpps_ > x) --t;
  while (static_cast<u128>(t + 1) * rate_mpps_ <= x) ++t;
  return phase_ + sim::nanoseconds(static_cast<std::int64_t>(t));
}

std::uint64_t draw_poisson(sim::Rng& rng, double mean) {
  if (!(mean > 0)) return 0;
  if (mean < 30) {
    // Sequential inversion: O(mean) steps.
    double u = rng.uniform01();
    double p = std::exp(-mean);
    std::uint64_t k = 0;
    while (u > p) {
      u -= p;
      ++k;
      p *= mean / static_cast<double>(k);
      if (p <= 0) break;
    }
    return k;
  }
  // PTRS (Hormann 1993), as in NumPy's random_poisson_ptrs.
  const double slam = std::sqrt(mean);
  const double loglam = std::log(mean);
  const double b = 0.931 + 2.53 * slam;
  const double a = -0.059 + 0.02483 * b;
  const double invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const double vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const double u = rng.uniform01() - 0.5;
    const double v = rng.uniform01();
    const double us = 0.5 - std::fabs(u);
    const double k = std::floor((2 * a / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return static_cast<std::uint64_t>(k);
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (std::log(v) + std::log(invalpha) - std::log(a / (us * us) + b) <=
        -mean + k * loglam - std::lgamma(k + 1)) {
      return static_cast<std::uint64_t>(k);
    }
  }
}

std::uint64_t draw_binomial(sim::Rng& rng, std::uint64_t n, double p) {
  if (n == 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - draw_binomial(rng, n, 1 - p);
  const double nd = static_cast<double>(n);
  if (n <= 64) {
    std::uint64_t k = 0;
    for (std::uint64_t i = 0; i < n; ++i) k += rng.uniform01() < p ? 1 : 0;
    return k;
  }
  const double mean = nd * p;
  if (mean < 30) {
    // Inversion with the pmf recurrence: O(mean) steps.
    const double q = 1 - p;
    double pk = std::exp(nd * std::log1p(-p));
    double u = rng.uniform01();
    std::uint64_t k = 0;
    while (u > pk && k < n) {
      u -= pk;
      pk *= (nd - static_cast<double>(k)) / static_cast<double>(k + 1) * p / q;
      ++k;
      if (pk <= 0) break;
    }
    return k;
  }
  const double x = std::round(rng.normal(mean, std::sqrt(mean * (1 - p))));
  return static_cast<std::uint64_t>(std::clamp(x, 0.0, nd));
}

}  // namespace models::world
