// Streaming aggregation of per-trial outcomes into the numbers a user reads:
// rate per rekey episode with a 95% interval, frequency per tunnel-day, and
// the per-trial view (how many trials saw it at all, quantiles of the
// per-trial rate). Memory does not grow with the number of trials; the
// result depends only on the trial outcomes and the order they are added in
// (trial-index order), never on threads.
#pragma once

#include <array>
#include <cstdint>

#include "models/outcome.hpp"
#include "sim/stats.hpp"

namespace rekeysim::runner {

// Outcomes measured in amounts per episode (packets, nanoseconds) rather than
// as "did it happen in this episode": their rate is count / episodes and the
// interval is a ratio-estimator interval over trials.
bool is_amount_outcome(models::Outcome o);

struct OutcomeStats {
  std::uint64_t count = 0;          // total over all trials (downtime: nanoseconds)
  std::uint64_t episodes_with = 0;  // episodes in which it occurred
  // Proportions: episodes_with / episodes, Wilson 95% interval; IKE outcomes
  // (models::is_ike_outcome): count / ike_episodes, Wilson 95% interval.
  // Amounts: count / episodes, ratio-estimator 95% interval across trials
  // (hi = +inf when fewer than 2 trials ran).
  double rate = 0;
  sim::Interval ci95;
  double per_day = 0;  // count per simulated tunnel-day
};

struct PerTrialStats {
  std::uint64_t trials_affected = 0;  // trials with count > 0
  double fraction_affected = 0;
  sim::Interval ci95;  // Wilson, on trials_affected / trials
  double p50 = 0;      // quantiles of the per-trial rate (same definition as `rate`)
  double p90 = 0;
  double p99 = 0;
};

struct PointResult {
  std::uint64_t trials = 0;
  std::uint64_t episodes = 0;
  std::uint64_t ike_episodes = 0;     // IKE SA rekey episodes (denominator of IKE outcomes)
  std::uint64_t trials_never_up = 0;  // trials whose tunnel never came up (no episode at all)
  double simulated_seconds = 0;       // total simulated time over all trials
  std::array<OutcomeStats, models::kOutcomeCount> outcomes{};
  std::array<PerTrialStats, models::kOutcomeCount> per_trial{};

  const OutcomeStats& outcome(models::Outcome o) const {
    return outcomes[static_cast<std::size_t>(o)];
  }
  const PerTrialStats& trial_view(models::Outcome o) const {
    return per_trial[static_cast<std::size_t>(o)];
  }
  double tunnel_days() const { return simulated_seconds / 86400.0; }
};

class PointAccumulator {
 public:
  // Add trials in trial-index order.
  void add(const models::TrialOutcome& trial);
  PointResult result() const;

 private:
  struct PerOutcome {
    std::uint64_t count = 0;
    std::uint64_t episodes_with = 0;
    std::uint64_t trials_affected = 0;
    long double sum_xx = 0;  // Σ count_i², Σ count_i·episodes_i (ratio-estimator variance)
    long double sum_xy = 0;
    sim::QuantileSketch per_trial_rate;
  };
  std::uint64_t trials_ = 0;
  std::uint64_t episodes_ = 0;
  std::uint64_t ike_episodes_ = 0;
  std::uint64_t never_up_ = 0;
  long double sum_yy_ = 0;  // Σ episodes_i²
  double simulated_seconds_ = 0;
  std::array<PerOutcome, models::kOutcomeCount> outcomes_{};
};

// Two-sided 95% Student t quantile for `df` degrees of freedom (normal 1.96 beyond 30).
double t95(std::uint64_t df);

}  // namespace rekeysim::runner
