// Random streams: known answers, reproducibility, independence and the
// moments of every distribution, with tolerances derived from n and the
// variance (5 standard errors) and fixed seeds.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <set>
#include <vector>

#include "sim/random.hpp"
#include "sim/stats.hpp"

using sim::DurationDist;
using sim::Rng;
using sim::SimTime;
using sim::StreamComponent;

namespace {

// |sample mean - mu| must be within 5 standard errors.
void check_mean(const sim::RunningMean& m, double mu, double variance) {
  const double se = std::sqrt(variance / static_cast<double>(m.count()));
  INFO("mean " << m.mean() << " expected " << mu << " se " << se);
  CHECK(std::abs(m.mean() - mu) <= 5 * se);
}

double correlation(Rng a, Rng b, int n) {
  double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
  for (int i = 0; i < n; ++i) {
    const double x = a.uniform01();
    const double y = b.uniform01();
    sa += x;
    sb += y;
    saa += x * x;
    sbb += y * y;
    sab += x * y;
  }
  const double nn = n;
  const double cov = sab / nn - (sa / nn) * (sb / nn);
  const double va = saa / nn - (sa / nn) * (sa / nn);
  const double vb = sbb / nn - (sb / nn) * (sb / nn);
  return cov / std::sqrt(va * vb);
}

}  // namespace

TEST_CASE("xoshiro256** and splitmix64 reproduce the reference implementations", "[random]") {
  // Blackman & Vigna's xoshiro256starstar.c from state {1, 2, 3, 4}.
  Rng r = Rng::from_state({1, 2, 3, 4});
  CHECK(r.next() == 11520u);
  CHECK(r.next() == 0u);
  CHECK(r.next() == 1509978240u);
  CHECK(r.next() == 1215971899390074240u);
  // Vigna's splitmix64.c from seed 1234567.
  std::uint64_t st = 1234567;
  CHECK(sim::splitmix64(st) == 6457827717110365317u);
  CHECK(sim::splitmix64(st) == 3203168211198807973u);
  CHECK(sim::splitmix64(st) == 9817491932198370423u);
  CHECK(sim::splitmix64(st) == 4593380528125082431u);
  CHECK(sim::splitmix64(st) == 16408922859458223821u);
  CHECK_THROWS_AS(Rng::from_state({0, 0, 0, 0}), std::invalid_argument);
}

TEST_CASE(
    "Streams are reproducible: same (seed, trial, component) gives the same numbers "
    "regardless of creation order",
    "[random][streams]") {
  std::vector<std::uint64_t> first;
  {
    Rng a = Rng::for_stream(42, 7, StreamComponent::kPeerA);
    for (int i = 0; i < 100; ++i) first.push_back(a.next());
  }
  // Create many other streams first, and draw from them, then the same one.
  std::vector<Rng> others;
  for (std::uint64_t t = 0; t < 50; ++t) {
    others.push_back(Rng::for_stream(42, t, StreamComponent::kPeerB));
    others.back().next();
  }
  Rng again = Rng::for_stream(42, 7, StreamComponent::kPeerA);
  for (int i = 0; i < 100; ++i) REQUIRE(again.next() == first[i]);
  // The enum and the integer overload name the same stream.
  Rng by_number = Rng::for_stream(42, 7, static_cast<std::uint64_t>(StreamComponent::kPeerA));
  CHECK(by_number.next() == first[0]);
  // Same seed, same sequence for every derived quantity.
  Rng x(5), y(5);
  for (int i = 0; i < 1000; ++i) {
    REQUIRE(x.normal(0, 1) == y.normal(0, 1));
    REQUIRE(x.exponential(2) == y.exponential(2));
    REQUIRE(x.uniform_int(17) == y.uniform_int(17));
  }
}

TEST_CASE("Different (seed, trial, component) give different streams", "[random][streams]") {
  std::set<std::uint64_t> firsts;
  int made = 0;
  for (std::uint64_t seed : {0ull, 1ull}) {
    for (std::uint64_t trial = 0; trial < 200; ++trial) {
      for (std::uint64_t comp = 1; comp <= 7; ++comp) {
        Rng r = Rng::for_stream(seed, trial, comp);
        firsts.insert(r.next());
        ++made;
      }
    }
  }
  CHECK(firsts.size() == static_cast<std::size_t>(made));
  // Swapping trial and component must not give the same stream.
  CHECK(Rng::for_stream(9, 1, std::uint64_t{2}).next() !=
        Rng::for_stream(9, 2, std::uint64_t{1}).next());
  CHECK(sim::mix_seed(1, 2, 3) != sim::mix_seed(3, 2, 1));
}

TEST_CASE("Neighbouring streams are uncorrelated (crude Pearson check)", "[random][streams]") {
  const int n = 100'000;
  const double bound = 5.0 / std::sqrt(static_cast<double>(n));  // 5 sigma of r under independence
  const double r1 = correlation(Rng::for_stream(3, 10, StreamComponent::kPeerA),
                                Rng::for_stream(3, 10, StreamComponent::kPeerB), n);
  const double r2 = correlation(Rng::for_stream(3, 10, StreamComponent::kPeerA),
                                Rng::for_stream(3, 11, StreamComponent::kPeerA), n);
  const double r3 = correlation(Rng(0), Rng(1), n);
  CHECK(std::abs(r1) < bound);
  CHECK(std::abs(r2) < bound);
  CHECK(std::abs(r3) < bound);
  // The check can fail: a stream against itself is perfectly correlated.
  CHECK(correlation(Rng(4), Rng(4), 1000) == Approx(1.0));
}

TEST_CASE("uniform01 lies in 0 <= u < 1 with mean 1/2 and variance 1/12",
          "[random][distributions]") {
  Rng r(11);
  sim::RunningMean m;
  for (int i = 0; i < 200'000; ++i) {
    const double u = r.uniform01();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    m.add(u);
  }
  check_mean(m, 0.5, 1.0 / 12);
  CHECK(m.variance() == Approx(1.0 / 12).epsilon(0.02));
  sim::RunningMean w;
  for (int i = 0; i < 100'000; ++i) w.add(r.uniform(-3, 5));
  check_mean(w, 1.0, 64.0 / 12);
}

TEST_CASE("uniform_int is in range and unbiased (Lemire), even for n near 2^64",
          "[random][distributions]") {
  Rng r(12);
  std::array<int, 3> counts{};
  const int n = 300'000;
  for (int i = 0; i < n; ++i) ++counts[r.uniform_int(3)];
  // Chi-square with 2 degrees of freedom; 20 is far beyond the 99.99% point (18.4).
  double chi2 = 0;
  for (int c : counts) chi2 += (c - n / 3.0) * (c - n / 3.0) / (n / 3.0);
  CHECK(chi2 < 20);
  // With m = 2/3 of 2^64, plain "next() % m" would put 2/3 of the draws below
  // m/2; an unbiased method puts 1/2 there.
  const std::uint64_t m = (~std::uint64_t{0} / 3) * 2;
  int below = 0;
  for (int i = 0; i < n; ++i) {
    const std::uint64_t v = r.uniform_int(m);
    REQUIRE(v < m);
    if (v < m / 2) ++below;
  }
  const double frac = static_cast<double>(below) / n;
  CHECK(std::abs(frac - 0.5) < 5 * 0.5 / std::sqrt(static_cast<double>(n)));
  CHECK(r.uniform_int(1) == 0u);
  CHECK_THROWS_AS(r.uniform_int(0), std::invalid_argument);
}

TEST_CASE("exponential, normal and lognormal have the closed-form moments",
          "[random][distributions]") {
  Rng r(13);
  const int n = 200'000;
  sim::RunningMean e, z, ln;
  for (int i = 0; i < n; ++i) {
    e.add(r.exponential(2.0));
    z.add(r.normal(3.0, 0.5));
    ln.add(r.lognormal(0.1, 0.4));
  }
  check_mean(e, 2.0, 4.0);
  CHECK(e.variance() == Approx(4.0).epsilon(0.03));
  check_mean(z, 3.0, 0.25);
  CHECK(z.variance() == Approx(0.25).epsilon(0.02));
  const double s2 = 0.16;
  const double ln_mean = std::exp(0.1 + s2 / 2);
  const double ln_var = (std::exp(s2) - 1) * std::exp(0.2 + s2);
  check_mean(ln, ln_mean, ln_var);
  // Normal tails: P(|Z| > 2) = 0.0455.
  int tail = 0;
  for (int i = 0; i < n; ++i) tail += std::abs(r.normal(0, 1)) > 2 ? 1 : 0;
  const double p = 0.04550026;
  CHECK(std::abs(tail / static_cast<double>(n) - p) < 5 * std::sqrt(p * (1 - p) / n));
}

TEST_CASE("exponential and normal follow their CDFs, tails included", "[random][distributions]") {
  // The exponential uses a ziggurat with a base layer, wedges and a tail
  // beyond x = 7.697; checking the CDF at points in each region catches a
  // wrong table or a wrong wedge test, which moments alone might not.
  Rng r(17);
  const int n = 1'000'000;
  std::vector<double> e(n), z(n);
  for (int i = 0; i < n; ++i) e[i] = r.exponential(1.0);
  for (int i = 0; i < n; ++i) z[i] = r.normal(0.0, 1.0);
  std::sort(e.begin(), e.end());
  std::sort(z.begin(), z.end());
  const auto check_cdf = [n](const std::vector<double>& sorted, double x, double p) {
    const double got =
        static_cast<double>(std::lower_bound(sorted.begin(), sorted.end(), x) - sorted.begin()) / n;
    INFO("x = " << x << " empirical " << got << " exact " << p);
    CHECK(std::abs(got - p) <= 5 * std::sqrt(p * (1 - p) / n) + 1e-9);
  };
  for (double x : {0.001, 0.01, 0.1, 0.5, 1.0, 2.0, 4.0, 7.0, 7.697, 8.5, 10.0}) {
    check_cdf(e, x, 1 - std::exp(-x));
  }
  for (double x : {-4.0, -2.5, -1.0, -0.1, 0.0, 0.3, 1.0, 1.96, 3.5}) {
    check_cdf(z, x, 0.5 * std::erfc(-x / std::sqrt(2.0)));
  }
  CHECK(e.front() >= 0.0);
}

TEST_CASE("DurationDist draws match mean() for every kind", "[random][duration]") {
  Rng r(14);
  const int n = 100'000;
  struct Case {
    DurationDist d;
    double sd_ns;  // standard deviation of one draw, for the tolerance
  };
  const double ms = 1e6;
  std::vector<Case> cases{
      {DurationDist::constant(sim::milliseconds(16)), 0},
      {DurationDist::uniform(sim::milliseconds(10), sim::milliseconds(20)),
       10 * ms / std::sqrt(12.0)},
      {DurationDist::normal(sim::milliseconds(16), sim::milliseconds(2)), 2 * ms},
      {DurationDist::lognormal(sim::milliseconds(16), 0.5),
       16 * ms * std::sqrt((std::exp(0.25) - 1) * std::exp(0.25))},
      {DurationDist::exponential(sim::milliseconds(16)), 16 * ms},
      {DurationDist::empirical({sim::milliseconds(1), sim::milliseconds(2), sim::milliseconds(6)}),
       std::sqrt((1 + 4 + 36) / 3.0 - 9) * ms},
  };
  for (const Case& c : cases) {
    INFO(c.d.describe());
    sim::RunningMean m;
    for (int i = 0; i < n; ++i) {
      const SimTime t = c.d.draw(r);
      REQUIRE(t >= SimTime{});
      m.add(static_cast<double>(t.ns()));
    }
    // +1 ns for rounding each draw to whole nanoseconds.
    CHECK(std::abs(m.mean() - static_cast<double>(c.d.mean().ns())) <=
          5 * c.sd_ns / std::sqrt(static_cast<double>(n)) + 1);
  }
}

TEST_CASE("DurationDist normal is truncated at 0 and its mean accounts for it",
          "[random][duration]") {
  // mean 1 ms, sd 2 ms: about 31% of raw draws are negative and become 0.
  const DurationDist d = DurationDist::normal(sim::milliseconds(1), sim::milliseconds(2));
  // E[max(0, X)] = mu Phi(mu/sd) + sd phi(mu/sd) = 1.0 * 0.691462 + 2 * 0.352065 ms.
  CHECK(static_cast<double>(d.mean().ns()) ==
        Approx(1e6 * (0.691462461 + 2 * 0.352065327)).epsilon(1e-6));
  Rng r(15);
  int zeros = 0;
  sim::RunningMean m;
  const int n = 200'000;
  for (int i = 0; i < n; ++i) {
    const SimTime t = d.draw(r);
    REQUIRE(t >= SimTime{});
    if (t == SimTime{}) ++zeros;
    m.add(static_cast<double>(t.ns()));
  }
  const double p0 = 1 - 0.691462461;
  CHECK(std::abs(zeros / static_cast<double>(n) - p0) < 5 * std::sqrt(p0 * (1 - p0) / n));
  CHECK(std::abs(m.mean() - static_cast<double>(d.mean().ns())) < 5 * 2e6 / std::sqrt(n * 1.0));
}

TEST_CASE("DurationDist uniform covers both ends and empirical draws only its samples",
          "[random][duration]") {
  Rng r(16);
  const DurationDist u = DurationDist::uniform(sim::nanoseconds(5), sim::nanoseconds(7));
  std::set<std::int64_t> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(u.draw(r).ns());
  CHECK(seen == std::set<std::int64_t>{5, 6, 7});
  const DurationDist e = DurationDist::empirical({sim::seconds(1), sim::seconds(3)});
  std::set<std::int64_t> got;
  for (int i = 0; i < 1000; ++i) got.insert(e.draw(r).ns());
  CHECK(got == std::set<std::int64_t>{1'000'000'000, 3'000'000'000});
  CHECK_THROWS_AS(DurationDist::uniform(sim::seconds(2), sim::seconds(1)), std::invalid_argument);
  CHECK_THROWS_AS(DurationDist::empirical({}), std::invalid_argument);
  CHECK_THROWS_AS(DurationDist::constant(-sim::seconds(1)), std::invalid_argument);
}

TEST_CASE("DurationDist is_zero and describe", "[random][duration]") {
  CHECK(DurationDist::constant(SimTime{}).is_zero());
  CHECK_FALSE(DurationDist::constant(sim::nanoseconds(1)).is_zero());
  CHECK(DurationDist{}.is_zero());
  CHECK(DurationDist::uniform(SimTime{}, SimTime{}).is_zero());
  CHECK_FALSE(DurationDist::uniform(SimTime{}, sim::seconds(1)).is_zero());
  CHECK(DurationDist::exponential(SimTime{}).is_zero());
  CHECK_FALSE(DurationDist::normal(SimTime{}, sim::milliseconds(1)).is_zero());
  CHECK(DurationDist::empirical({SimTime{}, SimTime{}}).is_zero());
  CHECK(DurationDist::constant(sim::milliseconds(16)).describe() == "16ms");
  CHECK(DurationDist::uniform(sim::milliseconds(1), sim::milliseconds(5)).describe() ==
        "uniform(1ms, 5ms)");
  CHECK(DurationDist::normal(sim::milliseconds(16), sim::milliseconds(2)).describe() ==
        "normal(16ms, 2ms)");
  CHECK(DurationDist::lognormal(sim::milliseconds(16), 0.5).describe() == "lognormal(16ms, 0.5)");
  CHECK(DurationDist::exponential(sim::seconds(1)).describe() == "exponential(1s)");
  CHECK(DurationDist::empirical({sim::milliseconds(1), sim::milliseconds(3)}).describe() ==
        "empirical(2 samples, mean 2ms)");
}
