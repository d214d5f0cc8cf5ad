// Runs the trials of a point on a WorkerPool. Trials are
// independent pure functions of (config, seed, trial index), so they run in
// any order on any thread; their outcomes are folded in trial-index order, in
// fixed-size batches, so the result is byte-identical for every thread count
// and memory stays bounded however many trials run.
#pragma once

#include <cstdint>
#include <functional>

#include "models/config.hpp"
#include "models/outcome.hpp"
#include "tools/runner/aggregate.hpp"
#include "tools/runner/progress.hpp"
#include "tools/runner/worker_pool.hpp"

namespace rekeysim::runner {

// models::run_trial in production; tests pass a closed-form fake.
using TrialFunction = std::function<models::TrialOutcome(
    const models::TrialConfig& config, std::uint64_t scenario_seed, std::uint64_t trial_index)>;

class Runner {
 public:
  // threads = 0: one per core; otherwise exactly `threads` (callers bound it
  // with effective_threads()). Throws PoolStartError when a worker cannot be
  // started (after stopping the others).
  Runner(unsigned threads, TrialFunction trial, std::size_t batch = 512,
         ThreadStarter start = default_thread_starter());
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  unsigned threads() const { return threads_; }

  // Runs trials [0, trials) of one point. An exception thrown by a trial is
  // rethrown here (the one of the lowest trial index).
  PointResult run_point(const models::TrialConfig& config, std::uint64_t seed, std::uint64_t trials,
                        Progress* progress = nullptr);

 private:
  unsigned threads_;
  TrialFunction trial_;
  std::size_t batch_;
  WorkerPool pool_;
};

}  // namespace rekeysim::runner
