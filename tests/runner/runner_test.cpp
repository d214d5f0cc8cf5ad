// The runner: trials run in parallel but are folded in trial-index order, so
// the result is identical for any thread count and batch size.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstring>
#include <stdexcept>

#include "tools/runner/runner.hpp"

using namespace rekeysim::runner;

namespace {

// A closed-form stand-in for run_trial: outcomes depend only on (seed, index).
models::TrialOutcome fake_trial(const models::TrialConfig&, std::uint64_t seed, std::uint64_t i) {
  std::uint64_t s = seed * 0x9E3779B97F4A7C15ull + i;
  auto next = [&] {
    s ^= s >> 31;
    s *= 0xBF58476D1CE4E5B9ull;
    s ^= s >> 29;
    return s;
  };
  models::TrialOutcome t;
  t.episodes = 80 + next() % 20;
  t.simulated = sim::days(30);
  for (std::size_t k = 0; k < models::kOutcomeCount; ++k) {
    t.counts[k] = next() % 5;
    t.episodes_with[k] = std::min<std::uint64_t>(t.counts[k], t.episodes);
  }
  return t;
}

bool same(const PointResult& a, const PointResult& b) {
  if (a.trials != b.trials || a.episodes != b.episodes ||
      a.simulated_seconds != b.simulated_seconds)
    return false;
  for (std::size_t k = 0; k < models::kOutcomeCount; ++k) {
    const auto &x = a.outcomes[k], &y = b.outcomes[k];
    if (x.count != y.count || x.rate != y.rate || x.ci95.lo != y.ci95.lo ||
        x.ci95.hi != y.ci95.hi || x.per_day != y.per_day)
      return false;
    const auto &p = a.per_trial[k], &q = b.per_trial[k];
    if (p.fraction_affected != q.fraction_affected || p.p50 != q.p50 || p.p90 != q.p90 ||
        p.p99 != q.p99)
      return false;
  }
  return true;
}

}  // namespace

TEST_CASE("Runner: results are identical at 1, 2 and 8 threads and any batch size") {
  const models::TrialConfig config;
  Runner one(1, fake_trial, 7);
  const PointResult reference = one.run_point(config, 42, 1000);
  CHECK(reference.trials == 1000);
  for (unsigned threads : {2u, 8u}) {
    for (std::size_t batch : {1u, 64u, 5000u}) {
      Runner r(threads, fake_trial, batch);
      INFO("threads " << threads << " batch " << batch);
      CHECK(same(r.run_point(config, 42, 1000), reference));
    }
  }
}

TEST_CASE("Runner: equals folding the same trials by hand in index order") {
  PointAccumulator acc;
  const models::TrialConfig config;
  for (std::uint64_t i = 0; i < 300; ++i) acc.add(fake_trial(config, 5, i));
  Runner r(4, fake_trial, 32);
  CHECK(same(r.run_point(config, 5, 300), acc.result()));
}

TEST_CASE("Runner: every trial index runs exactly once") {
  std::vector<std::atomic<int>> seen(777);
  auto counting = [&](const models::TrialConfig& c, std::uint64_t seed, std::uint64_t i) {
    seen.at(i).fetch_add(1);
    return fake_trial(c, seed, i);
  };
  Runner r(3, counting, 50);
  r.run_point(models::TrialConfig{}, 1, 777);
  for (std::size_t i = 0; i < seen.size(); ++i) CHECK(seen[i].load() == 1);
}

TEST_CASE("Runner: a failing trial's exception reaches the caller") {
  auto failing = [](const models::TrialConfig& c, std::uint64_t seed, std::uint64_t i) {
    if (i == 13) throw std::runtime_error("trial 13 failed");
    return fake_trial(c, seed, i);
  };
  Runner r(2, failing, 8);
  CHECK_THROWS_WITH(r.run_point(models::TrialConfig{}, 1, 40), "trial 13 failed");
}
