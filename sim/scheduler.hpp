// The event queue and clock of one simulation. No global state: every trial
// owns its own Scheduler, so independent simulations run on different threads
// at once (architecture principle 1).
#pragma once

#include <cstddef>
#include <cstdint>

#include "sim/handler.hpp"
#include "sim/time.hpp"

namespace sim {

// Identifies a scheduled event for cancel(). Never reused within a scheduler.
struct EventId {
  std::uint64_t value = 0;
  constexpr bool valid() const { return value != 0; }
  constexpr auto operator<=>(const EventId&) const = default;
};

class Scheduler {
 public:
  using Handler = sim::Handler;  // move-only, small-buffer callable: void()

  Scheduler();
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  SimTime now() const { return now_; }
  // Runs `handler` at absolute time `at` (>= now()). Events at equal times run
  // in the order they were scheduled.
  EventId schedule(SimTime at, Handler handler);
  EventId schedule_in(SimTime delay, Handler handler) { return schedule(now_ + delay, std::move(handler)); }
  // Harmless for an event that already ran, was already cancelled, or is invalid.
  void cancel(EventId id);
  // Runs every event with time <= t in order, then sets now() to t.
  void run_until(SimTime t);
  // Runs the next event, if any; returns false when the queue is empty.
  bool step();
  // Number of events scheduled and not yet run or cancelled.
  std::size_t pending() const;

 private:
  struct Impl;
  Impl* impl_;
  SimTime now_{};
};

}  // namespace sim
