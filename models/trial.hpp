// One trial: two peers, a network and ESP traffic on a fresh Scheduler, run
// for the configured duration or number of rekeys. A pure function of
// (config, scenario seed, trial index): the basis of determinism at any
// thread count.
#pragma once

#include <cstdint>

#include "models/config.hpp"
#include "models/outcome.hpp"
#include "models/trace.hpp"

namespace models {

// `extra_sink`, if given, sees every trace record (trace views, tests).
TrialOutcome run_trial(const TrialConfig& config, std::uint64_t scenario_seed,
                       std::uint64_t trial_index, TraceSink* extra_sink = nullptr);

}  // namespace models
