// End-to-end cost of the IKEv2 model: one rekey episode, a KB-incident trial,
// and the same trial across lifetimes and ESP rates. Architecture principle 2
// says cost per simulated rekey must not grow with lifetime or packet rate;
// these benchmarks are where that is measured (tests never assert speed).
#include <benchmark/benchmark.h>

#include <cstdint>

#include "models/config.hpp"
#include "models/trial.hpp"

namespace {

using models::TrialConfig;

// The KB incident: identical 8 h Phase 2 and 24 h Phase 1 lifetimes on both
// peers, 16 ms +- 2 ms one way, 200 pps of 600 B each way.
TrialConfig kb_config(sim::SimTime child_lifetime, double rate_pps) {
  TrialConfig c;
  for (models::PeerConfig* p : {&c.a, &c.b}) {
    p->child.lifetime = child_lifetime;
    p->child.margin = sim::minutes(9);
    p->ike.lifetime = sim::hours(24);
    p->ike.margin = sim::minutes(9);
  }
  const auto latency = sim::DurationDist::normal(sim::milliseconds(16), sim::milliseconds(2));
  c.network.a_to_b.latency = latency;
  c.network.b_to_a.latency = latency;
  c.traffic.a_to_b.rate_pps = rate_pps;
  c.traffic.b_to_a.rate_pps = rate_pps;
  c.duration = sim::days(30);
  return c;
}

// Runs trials until the benchmark is satisfied; reports Child SA rekey
// episodes per second of wall time.
void run_trials(benchmark::State& state, const TrialConfig& config) {
  std::uint64_t trial = 0;
  std::uint64_t episodes = 0;
  for (auto _ : state) {
    const models::TrialOutcome out = models::run_trial(config, 42, trial++);
    episodes += out.episodes;
    benchmark::DoNotOptimize(out);
  }
  state.counters["episodes/s"] =
      benchmark::Counter(static_cast<double>(episodes), benchmark::Counter::kIsRate);
  state.counters["episodes/trial"] =
      static_cast<double>(episodes) / static_cast<double>(trial ? trial : 1);
}

// One rekey episode end to end: establish, rekey once, settle.
void BM_RekeyEpisode(benchmark::State& state) {
  TrialConfig config = kb_config(sim::hours(8), 200);
  config.rekeys = 1;
  run_trials(state, config);
}
BENCHMARK(BM_RekeyEpisode);

// A 30-day trial of the KB scenario (about 90 Child rekeys and 30 IKE rekeys).
void BM_KbTrial(benchmark::State& state) {
  run_trials(state, kb_config(sim::hours(8), 200));
}
BENCHMARK(BM_KbTrial)->Unit(benchmark::kMillisecond);

// Flatness in lifetime: 1 h, 8 h, 24 h Child lifetimes, the same number of
// rekeys per trial (duration scaled), 200 pps.
void BM_KbLifetime(benchmark::State& state) {
  const auto hours = state.range(0);
  TrialConfig config = kb_config(sim::hours(hours), 200);
  config.duration = sim::hours(hours * 90);
  config.a.ike.lifetime = config.b.ike.lifetime = sim::hours(hours * 3);
  run_trials(state, config);
}
BENCHMARK(BM_KbLifetime)->Arg(1)->Arg(8)->Arg(24)->Unit(benchmark::kMillisecond);

// Flatness in packet rate: 0, 200 and 100,000 pps each way.
void BM_KbTraffic(benchmark::State& state) {
  run_trials(state, kb_config(sim::hours(8), static_cast<double>(state.range(0))));
}
BENCHMARK(BM_KbTraffic)->Arg(0)->Arg(200)->Arg(100000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
