#include "tools/runner/aggregate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace rekeysim::runner {

bool is_amount_outcome(models::Outcome o) {
  return models::is_packet_outcome(o) || o == models::Outcome::kDowntime;
}

double t95(std::uint64_t df) {
  static constexpr double kTable[] = {0,     12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365,
                                      2.306, 2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
                                      2.120, 2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069,
                                      2.064, 2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
  if (df == 0) return std::numeric_limits<double>::infinity();
  if (df <= 30) return kTable[df];
  return 1.959963984540054;
}

void PointAccumulator::add(const models::TrialOutcome& t) {
  ++trials_;
  episodes_ += t.episodes;
  ike_episodes_ += t.ike_episodes;
  if (!t.established) ++never_up_;
  const long double y = static_cast<long double>(t.episodes);
  sum_yy_ += y * y;
  simulated_seconds_ += t.simulated.seconds();
  for (std::size_t i = 0; i < models::kOutcomeCount; ++i) {
    PerOutcome& o = outcomes_[i];
    const auto outcome = models::kAllOutcomes[i];
    const std::uint64_t c = t.counts[i];
    o.count += c;
    o.episodes_with += t.episodes_with[i];
    if (c > 0) ++o.trials_affected;
    const long double x = static_cast<long double>(c);
    o.sum_xx += x * x;
    o.sum_xy += x * y;
    double rate = 0;
    if (models::is_ike_outcome(outcome)) {
      // Each IKE outcome is counted at most once per IKE SA: a proportion of IKE episodes.
      if (t.ike_episodes > 0) rate = static_cast<double>(c) / static_cast<double>(t.ike_episodes);
    } else if (t.episodes > 0) {
      rate = is_amount_outcome(outcome)
                 ? static_cast<double>(c) / static_cast<double>(t.episodes)
                 : static_cast<double>(t.episodes_with[i]) / static_cast<double>(t.episodes);
    }
    o.per_trial_rate.add(rate);
  }
}

PointResult PointAccumulator::result() const {
  PointResult r;
  r.trials = trials_;
  r.episodes = episodes_;
  r.ike_episodes = ike_episodes_;
  r.trials_never_up = never_up_;
  r.simulated_seconds = simulated_seconds_;
  const double days = simulated_seconds_ / 86400.0;
  for (std::size_t i = 0; i < models::kOutcomeCount; ++i) {
    const PerOutcome& o = outcomes_[i];
    OutcomeStats& s = r.outcomes[i];
    s.count = o.count;
    s.episodes_with = o.episodes_with;
    s.per_day = days > 0 ? static_cast<double>(o.count) / days : 0;
    if (is_amount_outcome(models::kAllOutcomes[i])) {
      // Ratio estimator R = Σx / Σy with the delta-method variance
      // s² = Σ(x_i - R y_i)² / (n - 1), se = sqrt(s² / n) / ȳ.
      const long double n = static_cast<long double>(trials_);
      const long double Y = static_cast<long double>(episodes_);
      const long double R = Y > 0 ? static_cast<long double>(o.count) / Y : 0;
      s.rate = static_cast<double>(R);
      if (trials_ >= 2 && Y > 0) {
        long double ss = o.sum_xx - 2 * R * o.sum_xy + R * R * sum_yy_;
        if (ss < 0) ss = 0;  // rounding
        const long double var = ss / (n - 1);
        const long double se = std::sqrt(var / n) / (Y / n);
        const double half = t95(trials_ - 1) * static_cast<double>(se);
        s.ci95 = {std::max(0.0, s.rate - half), s.rate + half};
      } else {
        s.ci95 = {0, std::numeric_limits<double>::infinity()};
      }
    } else if (models::is_ike_outcome(models::kAllOutcomes[i])) {
      s.rate =
          ike_episodes_ > 0 ? static_cast<double>(o.count) / static_cast<double>(ike_episodes_) : 0;
      s.ci95 = sim::wilson_interval(std::min(o.count, ike_episodes_), ike_episodes_);
    } else {
      s.rate =
          episodes_ > 0 ? static_cast<double>(o.episodes_with) / static_cast<double>(episodes_) : 0;
      s.ci95 = sim::wilson_interval(std::min(o.episodes_with, episodes_), episodes_);
    }
    PerTrialStats& p = r.per_trial[i];
    p.trials_affected = o.trials_affected;
    p.fraction_affected =
        trials_ > 0 ? static_cast<double>(o.trials_affected) / static_cast<double>(trials_) : 0;
    p.ci95 = sim::wilson_interval(o.trials_affected, trials_);
    p.p50 = o.per_trial_rate.quantile(0.5);
    p.p90 = o.per_trial_rate.quantile(0.9);
    p.p99 = o.per_trial_rate.quantile(0.99);
  }
  return r;
}

}  // namespace rekeysim::runner
