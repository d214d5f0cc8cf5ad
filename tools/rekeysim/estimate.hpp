// Rough size of a run before it starts, for `validate` and progress lines:
// how many rekey episodes it simulates and about how long that takes.
#pragma once

#include <cstdint>
#include <string>

#include "models/config.hpp"

namespace rekeysim::cli {

// Episodes per trial: `rekeys` when the trial counts rekeys, otherwise the
// trial's duration over the shorter of the two peers' mean Child SA rekey
// intervals (lifetime - margin x (1 + fuzz / 2)). Volume lifetimes and
// collisions are not taken into account, so it is an estimate.
double expected_episodes_per_trial(const models::TrialConfig& config);

// Wall-clock seconds for `episodes` on `threads` threads, at the rate
// measured for the KB scenario (kEpisodesPerSecondPerThread: ~230 k/s on one
// core of the 2-core development machine, rounded down); heavy traffic
// or many collisions make a run slower.
inline constexpr double kEpisodesPerSecondPerThread = 200'000;
double estimated_seconds(double episodes, unsigned threads);

// An episode count rounded to three significant figures and grouped by
// thousands ("864,000,000", "1,230", "0"), so it reads as a count rather
// than as printf's "8.64e+08". Counts beyond 1e18 keep the exponent form.
std::string format_about_count(double count);

// "3.2s", "4m10s", "2h05m".
std::string format_wall_seconds(double seconds);

}  // namespace rekeysim::cli
