#include "tools/runner/runner.hpp"

#include "tools/runner/threads.hpp"

#include <exception>
#include <latch>
#include <limits>
#include <thread>
#include <vector>

namespace rekeysim::runner {

namespace {
unsigned resolve_threads(unsigned threads) {
  return threads > 0 ? threads : effective_threads(0, std::numeric_limits<std::uint64_t>::max());
}
}  // namespace

Runner::Runner(unsigned threads, TrialFunction trial, std::size_t batch, ThreadStarter start)
    : threads_(resolve_threads(threads)),
      trial_(std::move(trial)),
      batch_(batch > 0 ? batch : 1),
      pool_(threads_, std::move(start)) {}

PointResult Runner::run_point(const models::TrialConfig& config, std::uint64_t seed,
                              std::uint64_t trials, Progress* progress) {
  PointAccumulator acc;
  std::vector<models::TrialOutcome> slots(
      static_cast<std::size_t>(std::min<std::uint64_t>(batch_, trials)));
  std::vector<std::exception_ptr> errors(slots.size());
  for (std::uint64_t first = 0; first < trials; first += batch_) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(batch_, trials - first));
    std::latch done(static_cast<std::ptrdiff_t>(n));
    for (std::size_t i = 0; i < n; ++i) {
      errors[i] = nullptr;
      pool_.post([&, i] {
        try {
          slots[i] = trial_(config, seed, first + i);
        } catch (...) {
          errors[i] = std::current_exception();
        }
        done.count_down();
      });
    }
    done.wait();
    // Fold in trial-index order: the only order the result may depend on.
    for (std::size_t i = 0; i < n; ++i) {
      if (errors[i]) std::rethrow_exception(errors[i]);
      acc.add(slots[i]);
    }
    if (progress != nullptr) progress->trials_done(first + n);
  }
  return acc.result();
}

}  // namespace rekeysim::runner
