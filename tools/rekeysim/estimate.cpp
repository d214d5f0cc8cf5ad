#include "tools/rekeysim/estimate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace rekeysim::cli {

namespace {
double mean_rekey_interval_ns(const models::LifetimePolicy& lp) {
  const double margin =
      static_cast<double>(lp.margin.resolve(lp.lifetime).ns()) * (1.0 + lp.fuzz / 2.0);
  return std::max(1.0, static_cast<double>(lp.lifetime.ns()) - margin);
}
}  // namespace

double expected_episodes_per_trial(const models::TrialConfig& config) {
  if (config.rekeys) return static_cast<double>(*config.rekeys);
  const double interval =
      std::min(mean_rekey_interval_ns(config.a.child), mean_rekey_interval_ns(config.b.child));
  return static_cast<double>(config.duration.ns()) / interval;
}

double estimated_seconds(double episodes, unsigned threads) {
  return episodes / (kEpisodesPerSecondPerThread * std::max(1u, threads));
}

std::string format_about_count(double count) {
  char buf[64];
  if (!(count >= 0) || count >= 1e18) {
    std::snprintf(buf, sizeof buf, "%.3g", count);
    return buf;
  }
  // Three significant figures: "%.3g" rounds, then the digits are regrouped.
  std::snprintf(buf, sizeof buf, "%.3g", count);
  const auto rounded = static_cast<unsigned long long>(std::llround(std::strtod(buf, nullptr)));
  const std::string digits = std::to_string(rounded);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string format_wall_seconds(double s) {
  char buf[64];
  if (!(s < 60)) {
    const auto total = static_cast<long long>(std::llround(s));
    if (total < 3600) {
      std::snprintf(buf, sizeof buf, "%lldm%02llds", total / 60, total % 60);
    } else {
      std::snprintf(buf, sizeof buf, "%lldh%02lldm", total / 3600, (total % 3600) / 60);
    }
  } else {
    std::snprintf(buf, sizeof buf, "%.1fs", s);
  }
  return buf;
}

}  // namespace rekeysim::cli
