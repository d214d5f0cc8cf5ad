// Bounds on scenario values that keep every sum of simulated times inside
// sim::SimTime (int64 ns, ~292 years). The model adds a handful of these
// (a time of day, a lifetime, a delay, a retransmission interval); with each
// input bounded here, no such sum can come near 2^63 ns, so the model needs
// no overflow checks of its own. An input past a bound is a scenario error
// (exit 2) naming the field and the bound.
#pragma once

#include <cstdint>

#include "sim/random.hpp"
#include "sim/time.hpp"

namespace rekeysim::scenario {

// Any single duration a scenario or the command line states (lifetimes,
// margins, `duration`, stagger, --window): 10 years.
inline constexpr sim::SimTime kMaxDuration = sim::days(3650);
// The largest draw of any delay distribution (network latency with jitter,
// processing delay) and the longest retransmission interval: one day.
inline constexpr sim::SimTime kMaxDelay = sim::days(1);
// The longest behaviour.worker_race_window: 10 s. The window stands for the
// wait of a received message for a worker thread (strongSwan issue #1458:
// microseconds to milliseconds). Past the first retransmission timeout of
// every profile (libreswan 0.5 s, PAN-OS 1 s, strongSwan and RFC 7296 4 s)
// the peer retransmits into a queue it does not serve, so a window longer
// than a few seconds models an overloaded daemon, not a race of two
// messages; a window of a day only makes every exchange time out.
inline constexpr sim::SimTime kMaxWorkerRaceWindow = sim::seconds(10);
// Simulated time of one trial counted in rekeys (the model's limit for it is
// 4 x rekeys x child lifetime + 1 day): 200 years, leaving ~90 years of
// headroom for the lifetimes and delays added to it.
inline constexpr sim::SimTime kMaxHorizon = sim::days(73000);
// The shortest Child or IKE SA lifetime: below it every exchange of a
// realistic network outlasts the SA, and the rates would not mean anything.
inline constexpr sim::SimTime kMinLifetime = sim::seconds(1);
// The shortest period of a periodic link-down window (network.down.every):
// each occurrence costs a settle event and a split of the ESP accounting, so
// a period of nanoseconds would cost an event per packet.
inline constexpr sim::SimTime kMinDownPeriod = sim::seconds(1);

// The largest value `d` can draw, in ns, as a double (lognormal and
// exponential tails at 9 standard deviations / 40 means, beyond any draw of
// a 53-bit generator).
double worst_case_draw_ns(const sim::DurationDist& d);

}  // namespace rekeysim::scenario
