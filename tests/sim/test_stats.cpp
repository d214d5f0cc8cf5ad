// Interval estimates and streaming summaries against published and
// closed-form values.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "sim/random.hpp"
#include "sim/stats.hpp"

TEST_CASE("Wilson interval matches Newcombe (1998) Table I", "[stats][wilson]") {
  // Newcombe, "Two-sided confidence intervals for the single proportion",
  // Stat. Med. 17:857-872, Table I, method 3 (Wilson score, no continuity
  // correction), published to 4 decimals.
  struct Row {
    std::uint64_t k, n;
    double lo, hi;
  };
  for (const Row& row :
       {Row{81, 263, 0.2553, 0.3662}, Row{15, 148, 0.0624, 0.1605}, Row{0, 20, 0.0, 0.1611},
        Row{1, 29, 0.0061, 0.1718}, Row{0, 10, 0.0, 0.2775}, Row{10, 10, 0.7225, 1.0}}) {
    INFO(row.k << "/" << row.n);
    const sim::Interval iv = sim::wilson_interval(row.k, row.n);
    CHECK(iv.lo == Approx(row.lo).margin(5e-5));
    CHECK(iv.hi == Approx(row.hi).margin(5e-5));
  }
}

TEST_CASE("Wilson interval edge cases: n = 0, k = 0 and k = n are exact, k > n rejected",
          "[stats][wilson]") {
  const sim::Interval none = sim::wilson_interval(0, 0);
  CHECK(none.lo == 0.0);
  CHECK(none.hi == 1.0);
  CHECK(sim::wilson_interval(0, 1000).lo == 0.0);
  CHECK(sim::wilson_interval(1000, 1000).hi == 1.0);
  // Closed form at k = 0: hi = z^2 / (n + z^2).
  const double z = 1.959963984540054;
  CHECK(sim::wilson_interval(0, 50).hi == Approx(z * z / (50 + z * z)).epsilon(1e-12));
  CHECK_THROWS_AS(sim::wilson_interval(3, 2), std::invalid_argument);
}

TEST_CASE("RunningMean matches the closed-form mean, variance and t interval", "[stats][mean]") {
  sim::RunningMean m;
  for (int i = 1; i <= 10; ++i) m.add(i);
  CHECK(m.count() == 10u);
  CHECK(m.mean() == Approx(5.5).epsilon(1e-14));
  CHECK(m.variance() == Approx(55.0 / 6).epsilon(1e-14));  // n(n+1)/12 for 1..n
  const sim::Interval iv = m.ci95();
  const double half = 2.262157163 * std::sqrt(55.0 / 6 / 10);  // t_{0.975, 9}
  CHECK(iv.lo == Approx(5.5 - half).epsilon(1e-8));
  CHECK(iv.hi == Approx(5.5 + half).epsilon(1e-8));
  sim::RunningMean empty;
  CHECK(empty.ci95().lo == 0.0);
  CHECK(empty.ci95().hi == 0.0);
  sim::RunningMean one;
  one.add(3);
  CHECK(std::isinf(one.ci95().hi));
}

TEST_CASE("Student t quantiles match published values and tend to the normal", "[stats][mean]") {
  CHECK(sim::student_t975(1) == Approx(12.7062047).epsilon(1e-8));
  CHECK(sim::student_t975(9) == Approx(2.26215716).epsilon(1e-8));
  CHECK(sim::student_t975(30) == Approx(2.04227246).epsilon(1e-8));
  CHECK(sim::student_t975(31) == Approx(2.03951345).epsilon(1e-6));
  CHECK(sim::student_t975(60) == Approx(2.00029782).epsilon(1e-6));
  CHECK(sim::student_t975(120) == Approx(1.97993040).epsilon(1e-6));
  CHECK(sim::student_t975(1'000'000) == Approx(1.959963984540054).epsilon(1e-5));
  for (std::uint64_t df = 1; df < 500; ++df) {
    REQUIRE(sim::student_t975(df + 1) < sim::student_t975(df));
  }
}

TEST_CASE("RunningMean merge equals one pass over all values, in any order", "[stats][mean]") {
  sim::Rng r(21);
  std::vector<double> xs;
  for (int i = 0; i < 10'000; ++i) xs.push_back(r.normal(1e6, 3.0));  // large offset: stability
  sim::RunningMean all;
  for (double x : xs) all.add(x);
  sim::RunningMean parts[4];
  for (std::size_t i = 0; i < xs.size(); ++i) parts[i * 4 / xs.size()].add(xs[i]);
  sim::RunningMean merged;
  for (auto& p : parts) merged.merge(p);
  sim::RunningMean reversed;
  for (int i = 3; i >= 0; --i) reversed.merge(parts[i]);
  for (const auto* m : {&merged, &reversed}) {
    CHECK(m->count() == all.count());
    CHECK(m->mean() == Approx(all.mean()).epsilon(1e-13));
    CHECK(m->variance() == Approx(all.variance()).epsilon(1e-9));
  }
  CHECK(all.variance() == Approx(9.0).epsilon(0.05));
  sim::RunningMean e;
  e.merge(sim::RunningMean{});
  CHECK(e.count() == 0u);
}

namespace {

double exact_quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(std::floor(q * static_cast<double>(v.size() - 1)))];
}

}  // namespace

TEST_CASE("QuantileSketch is within 1% of exact quantiles, with zeros exact", "[stats][quantile]") {
  sim::Rng r(22);
  std::vector<double> xs;
  sim::QuantileSketch s;
  for (int i = 0; i < 100'000; ++i) {
    const double x = (i % 10 == 0) ? 0.0 : r.lognormal(0, 2);  // spans many decades
    xs.push_back(x);
    s.add(x);
  }
  CHECK(s.count() == xs.size());
  for (double q : {0.0, 0.05, 0.0999, 0.1, 0.25, 0.5, 0.9, 0.99, 0.999, 1.0}) {
    INFO("q = " << q);
    const double exact = exact_quantile(xs, q);
    const double est = s.quantile(q);
    if (exact == 0.0) {
      CHECK(est == 0.0);
    } else {
      CHECK(std::abs(est - exact) <= 0.01 * exact);
    }
  }
  CHECK(sim::QuantileSketch{}.quantile(0.5) == 0.0);
  CHECK_THROWS_AS(s.add(-1.0), std::invalid_argument);
  CHECK_THROWS_AS(s.quantile(1.5), std::invalid_argument);
}

TEST_CASE("QuantileSketch results do not depend on insertion order or merging",
          "[stats][quantile]") {
  sim::Rng r(23);
  std::vector<double> xs;
  for (int i = 0; i < 20'000; ++i) xs.push_back(r.exponential(3.0));
  sim::QuantileSketch forward, backward, a, b;
  for (double x : xs) forward.add(x);
  for (auto it = xs.rbegin(); it != xs.rend(); ++it) backward.add(*it);
  for (std::size_t i = 0; i < xs.size(); ++i) (i % 2 ? a : b).add(xs[i]);
  a.merge(b);
  for (double q = 0; q <= 1.0; q += 0.01) {
    REQUIRE(forward.quantile(q) == backward.quantile(q));
    REQUIRE(forward.quantile(q) == a.quantile(q));
  }
  CHECK(a.count() == xs.size());
}

// fix11.3: a trial's downtime per rekey in ns reached the old top of the
// range (1e12 ns = 16.7 min) and every quantile read 16.7m.
TEST_CASE("QuantileSketch fix11.3: one value is every quantile, exactly, up to 1e19",
          "[stats][quantile]") {
  for (const double v : {7.75e12, 1.2e15, 6.3e18, 0.25, 3.0}) {
    INFO(v);
    sim::QuantileSketch s;
    s.add(v);
    CHECK(s.quantile(0.5) == v);
    CHECK(s.quantile(0.9) == v);
    CHECK(s.quantile(0.99) == v);
  }
  // Beyond 1e12 the buckets still hold 1%: the median of three is the middle one.
  sim::QuantileSketch s;
  for (const double v : {1e13, 5e14, 2e17}) s.add(v);
  CHECK(s.quantile(0.5) == Approx(5e14).epsilon(0.01));
  CHECK(s.quantile(1.0) == 2e17);
}
