// sim::normal_quantile (AS 241) and Rng::normal, which draws through it.
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "sim/normal_quantile.hpp"
#include "sim/random.hpp"

namespace {

double normal_cdf(double z) {
  return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

}  // namespace

TEST_CASE("normal_quantile inverts the normal CDF across its range", "[random][normal]") {
  // Every range of the algorithm (centre |p - 0.5| <= 0.425, near tail
  // r <= 5, far tail) and both sides: erfc of the result gives p back to
  // a few ulps of erfc's own accuracy. One wrong digit in a coefficient
  // moves the result by far more.
  for (double p : {1e-300, 1e-100, 1e-20, 1e-16,  0x1.0p-54, 1e-12,     1.4e-11,      1e-8, 1e-4,
                   0.01,   0.0749, 0.075, 0.0751, 0.1,       0.3,       0.5,          0.7,  0.9,
                   0.925,  0.975,  0.99,  0.9999, 1 - 1e-8,  1 - 1e-12, 1 - 0x1.0p-53}) {
    const double z = sim::normal_quantile(p);
    const double back = p < 0.5 ? normal_cdf(z) : 1 - normal_cdf(-z);
    const double tail = p < 0.5 ? p : 1 - p;
    const double got_tail = p < 0.5 ? back : 1 - back;
    INFO("p = " << p << " z = " << z);
    CHECK(std::abs(got_tail - tail) <= 2e-13 * tail);
  }
  // Known quantiles.
  CHECK(sim::normal_quantile(0.5) == 0.0);
  CHECK(std::abs(sim::normal_quantile(0.975) - 1.959963984540054) < 1e-15);
  CHECK(std::abs(sim::normal_quantile(0.0227501319481792) + 2.0) < 1e-14);
  CHECK(std::abs(sim::normal_quantile(1e-10) + 6.361340902404056) < 1e-13);
  // Symmetric: Q(1 - p) = -Q(p) (dyadic p, so 1 - p is exact).
  for (double p : {0.0078125, 0.0625, 0.25, 0.4375})
    CHECK(sim::normal_quantile(1 - p) == -sim::normal_quantile(p));
  // Ends and bad input.
  CHECK(sim::normal_quantile(0.0) == -std::numeric_limits<double>::infinity());
  CHECK(sim::normal_quantile(1.0) == std::numeric_limits<double>::infinity());
  CHECK(std::isnan(sim::normal_quantile(-0.1)));
  CHECK(std::isnan(sim::normal_quantile(1.5)));
  CHECK(std::isnan(sim::normal_quantile(std::numeric_limits<double>::quiet_NaN())));
}

TEST_CASE("Rng::normal is the quantile of one 53-bit uniform, never infinite", "[random][normal]") {
  // The draw is a function of one next(): k = next() >> 11, p = (k + 0.5) / 2^53.
  sim::Rng r(99), same(99);
  for (int i = 0; i < 1000; ++i) {
    const std::uint64_t k = same.next() >> 11;
    const double p = (static_cast<double>(k) + 0.5) * 0x1.0p-53;
    const double z = r.normal(0.0, 1.0);
    if (p < 0.5) {
      // Below 0.5 (k + 0.5) is exact, so p is the uniform itself.
      CHECK(z == sim::normal_quantile(p));
    } else {
      CHECK(std::abs(z - sim::normal_quantile(p)) < 1e-12);
    }
  }
  // The extreme uniforms: k = 0 and k = 2^53 - 1 give mirror images, finite
  // and within 8.3 (the bound limits.cpp and the link's delay bounds rely on).
  const auto with_first_output = [](std::uint64_t k) {
    // xoshiro256** outputs rotl(s1 * 5, 7) * 9; choose s1 to produce k << 11.
    const std::uint64_t out = k << 11;
    const std::uint64_t inv9 = 0x8E38E38E38E38E39ULL;  // 9 * inv9 = 1 mod 2^64
    const std::uint64_t inv5 = 0xCCCCCCCCCCCCCCCDULL;  // 5 * inv5 = 1 mod 2^64
    const std::uint64_t s1 = std::rotr(out * inv9, 7) * inv5;
    return sim::Rng::from_state({1, s1, 3, 4});
  };
  sim::Rng lo = with_first_output(0);
  sim::Rng hi = with_first_output((std::uint64_t{1} << 53) - 1);
  const double zlo = lo.normal(0.0, 1.0);
  const double zhi = hi.normal(0.0, 1.0);
  CHECK(zlo == -zhi);
  CHECK(zlo < -8.29);
  CHECK(zlo > -8.3);
  CHECK(std::abs(zlo - sim::normal_quantile(0x1.0p-54)) < 1e-14);
}
