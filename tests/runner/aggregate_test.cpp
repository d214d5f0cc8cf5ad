// Aggregation of trial outcomes: rates per rekey episode with Wilson
// intervals, amounts with ratio-estimator intervals, per-tunnel-day
// frequencies and the per-trial view, checked against hand-computed values.
#include <catch2/catch.hpp>

#include <cmath>

#include "tools/runner/aggregate.hpp"

using namespace rekeysim::runner;
using models::Outcome;

namespace {
models::TrialOutcome trial(std::uint64_t episodes, std::uint64_t collisions, std::uint64_t dropped,
                           sim::SimTime simulated = sim::days(1)) {
  models::TrialOutcome t;
  t.episodes = episodes;
  t.simulated = simulated;
  t.counts[static_cast<std::size_t>(Outcome::kCollisions)] = collisions;
  t.episodes_with[static_cast<std::size_t>(Outcome::kCollisions)] = collisions;
  t.counts[static_cast<std::size_t>(Outcome::kEspDropped)] = dropped;
  t.episodes_with[static_cast<std::size_t>(Outcome::kEspDropped)] = dropped > 0 ? 1 : 0;
  return t;
}
}  // namespace

TEST_CASE(
    "Aggregate: collision rate is episodes with a collision over episodes, with a Wilson "
    "interval") {
  PointAccumulator acc;
  acc.add(trial(100, 3, 0));
  acc.add(trial(100, 0, 0));
  acc.add(trial(100, 1, 0));
  const PointResult r = acc.result();
  CHECK(r.trials == 3);
  CHECK(r.episodes == 300);
  const auto& c = r.outcome(Outcome::kCollisions);
  CHECK(c.count == 4);
  CHECK(c.rate == Approx(4.0 / 300));
  const auto w = sim::wilson_interval(4, 300);
  CHECK(c.ci95.lo == w.lo);
  CHECK(c.ci95.hi == w.hi);
  // Wilson 95% for 4/300, by hand: centre (k + z²/2)/(n + z²), etc.
  const double z = 1.959963984540054, n = 300, p = 4.0 / 300;
  const double centre = (p + z * z / (2 * n)) / (1 + z * z / n);
  const double half = z * std::sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n);
  CHECK(c.ci95.lo == Approx(centre - half).epsilon(1e-9));
  CHECK(c.ci95.hi == Approx(centre + half).epsilon(1e-9));
  CHECK(c.per_day == Approx(4.0 / 3));  // 3 tunnel-days
}

TEST_CASE("Aggregate: the per-trial view counts trials with at least one occurrence") {
  PointAccumulator acc;
  // 90 trials without a collision, then 10 with 5 in 100 episodes each.
  for (int i = 0; i < 90; ++i) acc.add(trial(100, 0, 0));
  for (int i = 0; i < 10; ++i) acc.add(trial(100, 5, 0));
  const PointResult r = acc.result();
  const auto& v = r.trial_view(Outcome::kCollisions);
  CHECK(v.trials_affected == 10);
  CHECK(v.fraction_affected == 0.1);
  const auto w = sim::wilson_interval(10, 100);
  CHECK(v.ci95.lo == w.lo);
  CHECK(v.ci95.hi == w.hi);
  // Per-trial rates: 0 for 90%, 0.05 for 10% (sketch: < 1% relative error).
  CHECK(v.p50 == 0);
  CHECK(v.p99 == Approx(0.05).epsilon(0.01));
}

TEST_CASE("Aggregate: ESP drops are packets per episode with a ratio-estimator interval") {
  PointAccumulator acc;
  acc.add(trial(10, 0, 20));
  acc.add(trial(10, 0, 40));
  acc.add(trial(20, 0, 30));
  const PointResult r = acc.result();
  const auto& s = r.outcome(Outcome::kEspDropped);
  CHECK(s.count == 90);
  const double R = 90.0 / 40;
  CHECK(s.rate == Approx(R));
  // s² = Σ(x - R y)² / (n - 1); se = sqrt(s²/n) / ȳ; t(2 df) = 4.303.
  const double ss = std::pow(20 - R * 10, 2) + std::pow(40 - R * 10, 2) + std::pow(30 - R * 20, 2);
  const double se = std::sqrt(ss / 2 / 3) / (40.0 / 3);
  CHECK(s.ci95.hi == Approx(R + 4.303 * se));
  CHECK(s.ci95.lo == Approx(std::max(0.0, R - 4.303 * se)));
}

TEST_CASE(
    "Aggregate: one trial gives an unbounded interval for amounts, never a false precise one") {
  PointAccumulator acc;
  acc.add(trial(10, 0, 5));
  const PointResult r = acc.result();
  const auto& s = r.outcome(Outcome::kEspDropped);
  CHECK(s.rate == 0.5);
  CHECK(std::isinf(s.ci95.hi));
}

TEST_CASE("Aggregate: Student t quantiles for small samples, normal beyond 30") {
  CHECK(t95(1) == Approx(12.706));
  CHECK(t95(10) == Approx(2.228));
  CHECK(t95(1000) == Approx(1.96).epsilon(1e-3));
}
