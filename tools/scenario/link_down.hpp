// network.down: scheduled link-down windows (models::DownWindow), read and
// checked with the position of the window at fault.
#pragma once

#include <vector>

#include "models/config.hpp"
#include "tools/scenario/values.hpp"

namespace rekeysim::scenario {

inline constexpr std::string_view kDownForm =
    "a window {at: 2h, duration: 30s}, a periodic window {every: 6h, duration: 30s, phase: 1h, "
    "jitter: 10m}, or a list of them";

// One window mapping or a list of them. Each needs `duration` > 0 and either
// `at` (once) or `every` (>= 1s, > duration; `phase`, the first start,
// defaults to `every`; `jitter`: each occurrence starts U[0, jitter) later,
// duration + jitter < every). Windows must never overlap, periodic ones
// included: two periodic windows overlap at some time iff their phases
// differ, modulo the gcd of their periods, by less than a duration (a
// jittered window counts with duration + jitter). Throws ScenarioError at the
// window (or key) at fault. An empty list means no window.
std::vector<models::DownWindow> read_down_windows(const ValueContext& v);

// Whether two windows are ever down at the same time.
bool windows_overlap(const models::DownWindow& x, const models::DownWindow& y);

}  // namespace rekeysim::scenario
