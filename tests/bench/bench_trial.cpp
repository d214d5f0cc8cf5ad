// End-to-end cost of the IKEv2 model on the KB incident scenario itself
// (scenarios/kb-incident.yaml, loaded through the scenario library, so the
// benchmark uses exactly what `rekeysim` runs: PAN-OS vs Cisco ASA profiles,
// identical 8 h Phase 2 / 24 h Phase 1 lifetimes with a 48 min margin on both,
// 16 ms +- 2 ms (normal) one way, 200 pps of 600 B each way). The lifetime
// and rate variants end each trial after 90 rekey episodes, so every variant
// amortises the trial set-up over the same number of episodes. Architecture principle 2 says cost
// per simulated rekey must not grow with lifetime or packet rate; these benchmarks are where that
// is measured (tests never assert speed). items_per_second is Child SA rekey
// episodes per second of CPU time on one thread.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "models/config.hpp"
#include "models/trial.hpp"
#include "tools/scenario/scenario.hpp"

namespace {

using models::TrialConfig;

struct Kb {
  TrialConfig config;
  std::uint64_t seed = 0;
};

// The KB scenario's base point (no sweep), with `--set`-style overrides.
Kb kb(const std::vector<std::string>& overrides = {}) {
  auto sc = rekeysim::scenario::load_scenario(REKEYSIM_SOURCE_DIR "/scenarios/kb-incident.yaml");
  int index = 1;
  for (const std::string& o : overrides) rekeysim::scenario::apply_override(sc, o, index++);
  return Kb{rekeysim::scenario::build_with(sc, {}).config, sc.seed};
}

// Runs whole trials until the benchmark is satisfied; items are episodes.
void run_trials(benchmark::State& state, const Kb& kb) {
  std::uint64_t trial = 0;
  std::uint64_t episodes = 0;
  for (auto _ : state) {
    const models::TrialOutcome out = models::run_trial(kb.config, kb.seed, trial++);
    episodes += out.episodes;
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(episodes));
  state.SetLabel("items = Child SA rekey episodes");
  state.counters["episodes/trial"] =
      static_cast<double>(episodes) / static_cast<double>(trial ? trial : 1);
}

// One rekey episode end to end: set up the world, establish, rekey once,
// settle (trial set-up cost included).
void BM_RekeyEpisode(benchmark::State& state) {
  run_trials(state, kb({"rekeys=1"}));
}
BENCHMARK(BM_RekeyEpisode);

// One KB trial as the scenario states it.
void BM_KbTrial(benchmark::State& state) {
  run_trials(state, kb());
}
BENCHMARK(BM_KbTrial)->Unit(benchmark::kMillisecond);

// Flatness in lifetime: Child lifetimes of 1 h, 8 h (the KB) and 24 h, with
// every other lifetime setting scaled alike (Child margin 10%, IKE lifetime 3x
// and its margins as the profiles state them for 24 h, Cisco's Child volume
// lifetime at 200 pps), so each episode is the same exchange, only further
// apart in simulated time.
void BM_KbLifetime(benchmark::State& state) {
  const long h = static_cast<long>(state.range(0));
  auto minutes = [](long m) { return std::to_string(m) + "m"; };
  std::vector<std::string> o = {"rekeys=90"};
  for (const char* p : {"a", "b"}) {
    const std::string peer = std::string("peers.") + p;
    o.push_back(peer + ".child.lifetime=" + std::to_string(h) + "h");
    o.push_back(peer + ".child.margin=" + minutes(6 * h));
    o.push_back(peer + ".ike.lifetime=" + std::to_string(3 * h) + "h");
  }
  o.push_back("peers.a.ike.margin=" + minutes(6 * h));   // panos: 48m at 24 h
  o.push_back("peers.b.ike.margin=" + minutes(18 * h));  // cisco-asa: 2h24m at 24 h
  o.push_back("peers.b.child.lifetime_bytes=" + std::to_string(576000 * h) + "KB");  // 4608000KB
  run_trials(state, kb(o));
}
BENCHMARK(BM_KbLifetime)->Arg(1)->Arg(8)->Arg(24)->Unit(benchmark::kMillisecond);

// Flatness in packet rate: 0, 200 (the KB) and 100,000 pps each way.
void BM_KbTraffic(benchmark::State& state) {
  run_trials(state, kb({"rekeys=90", "traffic.rate=" + std::to_string(state.range(0)) + "pps"}));
}
BENCHMARK(BM_KbTraffic)->Arg(0)->Arg(200)->Arg(100000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
