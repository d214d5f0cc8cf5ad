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

// `extra_sink`, if given, sees every trace record (trace views, tests);
// `outcomes`, if given, is told of every outcome as it is counted (with its
// onset), e.g. to find the first outage of a trial by the same definition
// `run` counts.
TrialOutcome run_trial(const TrialConfig& config, std::uint64_t scenario_seed,
                       std::uint64_t trial_index, TraceSink* extra_sink = nullptr,
                       OutcomeListener* outcomes = nullptr);

}  // namespace models
