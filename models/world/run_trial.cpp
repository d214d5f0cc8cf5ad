// run_trial (models/trial.hpp): one trial on a fresh World.
#include "models/trial.hpp"

#include <algorithm>

#include "models/world/world.hpp"

namespace models {

namespace {

// A trial counted in rekeys still needs a time limit: a tunnel lost for good
// (start_action none, or a peer that never re-creates) has no more episodes,
// and the trial would otherwise run to the end of SimTime (292 years of IKE
// rekeys, and downtime sums near overflow). Four of the longer Child lifetime
// per rekey, plus a day, is far beyond what any working tunnel needs.
SimTime time_limit(const TrialConfig& config) {
  if (!config.rekeys) return config.duration;
  const double life =
      static_cast<double>(std::max(config.a.child.lifetime.ns(), config.b.child.lifetime.ns()));
  const double limit =
      (static_cast<double>(*config.rekeys) + 1) * 4 * life + static_cast<double>(sim::days(1).ns());
  if (limit >= static_cast<double>(config.duration.ns())) return config.duration;
  return sim::nanoseconds(static_cast<std::int64_t>(limit));
}

}  // namespace

TrialOutcome run_trial(const TrialConfig& config, std::uint64_t scenario_seed,
                       std::uint64_t trial_index, TraceSink* extra_sink,
                       OutcomeListener* outcomes) {
  world::World w(config, scenario_seed, trial_index, extra_sink);
  w.set_outcome_listener(outcomes);
  w.establish();
  const SimTime end = w.run(time_limit(config), config.rekeys);
  return w.finish(end);
}

}  // namespace models
