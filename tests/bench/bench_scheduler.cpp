// The classic "hold" model for event-queue benchmarks: with N events pending,
// each operation pops the earliest event and, from its handler, schedules one
// more at now + Exp(1 s) (the draw is part of the measured cost). Reported as
// hold operations per second at N = 10, 10^3, 10^5. A second case puts
// thousands of events at one timestamp, which must not degrade (FIFO ties are
// resolved by an insertion counter, not by scanning).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <queue>
#include <vector>

#include "sim/random.hpp"
#include "sim/scheduler.hpp"
#include "sim/time.hpp"

namespace {

struct Hold {
  sim::Scheduler* sched;
  sim::Rng* rng;
  void operator()() const {
    sched->schedule_in(sim::from_seconds(rng->exponential(1.0)), Hold{*this});
  }
};

void BM_Hold(benchmark::State& state) {
  const auto pending = static_cast<std::int64_t>(state.range(0));
  sim::Scheduler sched;
  sim::Rng rng(42);
  for (std::int64_t i = 0; i < pending; ++i) {
    sched.schedule(sim::from_seconds(rng.exponential(1.0)), Hold{&sched, &rng});
  }
  // Warm up so the heap has its steady-state shape.
  for (std::int64_t i = 0; i < 4 * pending; ++i) sched.step();
  for (auto _ : state) {
    sched.step();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["pending"] = static_cast<double>(sched.pending());
}
BENCHMARK(BM_Hold)->Arg(10)->Arg(1000)->Arg(100000);

// Reference point: the same hold model on a bare std::priority_queue of
// (time, seq) pairs with no handlers, no cancellation and no ids.
void BM_HoldBarePriorityQueue(benchmark::State& state) {
  struct E {
    std::int64_t t;
    std::uint64_t seq;
    bool operator>(const E& o) const { return t != o.t ? t > o.t : seq > o.seq; }
  };
  std::priority_queue<E, std::vector<E>, std::greater<E>> q;
  sim::Rng rng(42);
  std::uint64_t seq = 0;
  for (std::int64_t i = 0; i < state.range(0); ++i) {
    q.push({sim::from_seconds(rng.exponential(1.0)).ns(), seq++});
  }
  for (auto _ : state) {
    const std::int64_t now = q.top().t;
    q.pop();
    q.push({now + sim::from_seconds(rng.exponential(1.0)).ns(), seq++});
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HoldBarePriorityQueue)->Arg(10)->Arg(1000)->Arg(100000);

// Every event is scheduled at the same instant; each handler schedules its
// successor at that same instant, so the queue always holds `range(0)` ties.
struct SameTime {
  sim::Scheduler* sched;
  void operator()() const { sched->schedule(sched->now(), SameTime{*this}); }
};

void BM_HoldSameTimestamp(benchmark::State& state) {
  const auto pending = static_cast<std::int64_t>(state.range(0));
  sim::Scheduler sched;
  const sim::SimTime t = sim::seconds(1);
  for (std::int64_t i = 0; i < pending; ++i) sched.schedule(t, SameTime{&sched});
  for (auto _ : state) {
    sched.step();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HoldSameTimestamp)->Arg(5000);

// Fill-and-drain: schedule N events at one timestamp, then run them all.
void BM_BurstSameTimestamp(benchmark::State& state) {
  const auto n = static_cast<std::int64_t>(state.range(0));
  sim::Scheduler sched;
  std::int64_t fired = 0;
  for (auto _ : state) {
    const sim::SimTime t = sched.now() + sim::seconds(1);
    for (std::int64_t i = 0; i < n; ++i) sched.schedule(t, [&fired] { ++fired; });
    sched.run_until(t);
  }
  benchmark::DoNotOptimize(fired);
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_BurstSameTimestamp)->Arg(5000);

// Cost of the draw alone, to separate it from the queue's share of a hold.
void BM_ExponentialDraw(benchmark::State& state) {
  sim::Rng rng(42);
  for (auto _ : state) {
    benchmark::DoNotOptimize(sim::from_seconds(rng.exponential(1.0)));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ExponentialDraw);

}  // namespace

BENCHMARK_MAIN();
