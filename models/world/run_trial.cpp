// run_trial (models/trial.hpp): one trial on a fresh World.
#include "models/trial.hpp"

#include "models/world/world.hpp"

namespace models {

TrialOutcome run_trial(const TrialConfig& config, std::uint64_t scenario_seed,
                       std::uint64_t trial_index, TraceSink* extra_sink) {
  world::World w(config, scenario_seed, trial_index, extra_sink);
  w.establish();
  const SimTime end = w.run(config.duration, config.rekeys);
  return w.finish(end);
}

}  // namespace models
