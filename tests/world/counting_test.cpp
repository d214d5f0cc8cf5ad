// Closed-form packet counts and the discrete draws behind ESP traffic.
#include <catch2/catch.hpp>

#include <cmath>

#include "models/world/counting.hpp"

using models::world::draw_binomial;
using models::world::draw_poisson;
using models::world::PacketLattice;

namespace {
// Reference: count packets one by one. Packet k leaves at phase + k * 1e12 / mpps
// ns (exact rational), so it is in [a, b) iff (a - phase) * mpps <= k * 1e12 < (b - phase) * mpps.
std::uint64_t brute_count(std::uint64_t mpps, std::int64_t phase, std::int64_t a, std::int64_t b) {
  std::uint64_t n = 0;
  for (std::uint64_t k = 0;; ++k) {
    const __int128 lhs = static_cast<__int128>(k) * 1'000'000'000'000LL;
    if (lhs >= static_cast<__int128>(b - phase) * static_cast<__int128>(mpps)) break;
    if (lhs >= static_cast<__int128>(a - phase) * static_cast<__int128>(mpps)) ++n;
  }
  return n;
}
}  // namespace

TEST_CASE("Constant rate: packets between t1 and t2 = rate * (t2 - t1) for whole periods") {
  const PacketLattice l(200, sim::milliseconds(1));  // 5 ms period, first packet at 1 ms
  CHECK(l.before(sim::milliseconds(1)) == 0);
  CHECK(l.before(sim::milliseconds(1) + sim::nanoseconds(1)) == 1);
  CHECK(l.before(sim::seconds(1)) == 200);
  CHECK(l.in(sim::seconds(10), sim::seconds(20)) == 2000);
  CHECK(l.in(sim::hours(8), sim::hours(8) + sim::minutes(1)) == 12000);
  CHECK(l.time_of(3) == sim::milliseconds(16));
}

TEST_CASE("Constant rate: closed-form counts equal a per-packet count over random windows") {
  sim::Rng rng(99);
  for (double rate : {3.0, 7.5, 37.0, 200.0, 0.3}) {
    const PacketLattice l(rate,
                          sim::nanoseconds(static_cast<std::int64_t>(rng.uniform_int(1'000'000))));
    for (int i = 0; i < 200; ++i) {
      const auto a = static_cast<std::int64_t>(rng.uniform_int(20'000'000'000ULL));
      const auto b = a + static_cast<std::int64_t>(rng.uniform_int(3'000'000'000ULL));
      INFO("rate " << rate << " window [" << a << ", " << b << ")");
      REQUIRE(l.in(sim::nanoseconds(a), sim::nanoseconds(b)) ==
              brute_count(l.rate_mpps(), l.phase().ns(), a, b));
    }
  }
}

TEST_CASE("Poisson draws have mean and variance equal to the parameter") {
  for (double mean : {0.5, 5.0, 29.0, 31.0, 500.0, 1e6}) {
    sim::Rng rng(static_cast<std::uint64_t>(mean * 10) + 1);
    const int n = 40000;
    double s = 0, s2 = 0;
    for (int i = 0; i < n; ++i) {
      const double x = static_cast<double>(draw_poisson(rng, mean));
      s += x;
      s2 += x * x;
    }
    const double m = s / n;
    const double v = s2 / n - m * m;
    INFO("mean " << mean);
    CHECK(std::abs(m - mean) < 5 * std::sqrt(mean / n));
    CHECK(std::abs(v / mean - 1) < 0.05);
  }
}

TEST_CASE("Binomial draws have mean n p and variance n p (1 - p)") {
  struct Case {
    std::uint64_t n;
    double p;
  };
  for (const Case c : {Case{10, 0.3}, Case{1000, 0.01}, Case{1000, 0.5}, Case{100000, 0.9}}) {
    sim::Rng rng(c.n + 17);
    const int trials = 40000;
    double s = 0, s2 = 0;
    for (int i = 0; i < trials; ++i) {
      const double x = static_cast<double>(draw_binomial(rng, c.n, c.p));
      REQUIRE(x <= static_cast<double>(c.n));
      s += x;
      s2 += x * x;
    }
    const double mean = static_cast<double>(c.n) * c.p;
    const double var = mean * (1 - c.p);
    const double m = s / trials;
    INFO("n " << c.n << " p " << c.p);
    CHECK(std::abs(m - mean) < 5 * std::sqrt(var / trials));
    CHECK(std::abs((s2 / trials - m * m) / var - 1) < 0.06);
  }
  sim::Rng rng(1);
  CHECK(draw_binomial(rng, 50, 0) == 0);
  CHECK(draw_binomial(rng, 50, 1) == 50);
}
