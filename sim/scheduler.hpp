// The event queue and clock of one simulation. No global state: every trial
// owns its own Scheduler, so independent simulations run on different threads
// at once (architecture principle 1).
//
// Design (chosen for the "hold" pattern that dominates a simulation: pop the
// earliest event, which schedules one more):
//  - a 4-ary min-heap of 16-byte entries {time, seq << 24 | slot}; ordering is
//    (time, seq), seq being a per-scheduler insertion counter, so events at
//    equal times run in the order they were scheduled (FIFO) and thousands of
//    events at one timestamp cost the same O(log n) as any others;
//  - handlers live in a slab of fixed-address slots (chunks never move), found
//    by the slot index in the heap entry, recycled through a free list. A
//    handler runs in place, so a handler may schedule and cancel freely;
//  - each slot has a generation counter; an EventId is (generation, slot), so a
//    stale id (event already ran or was cancelled, slot reused) is recognised
//    and cancel() on it does nothing;
//  - cancel is lazy (as in ns-3): the handler is destroyed at once and the slot
//    marked dead; its heap entry is discarded when it reaches the top, or in a
//    compaction pass when dead entries outnumber live ones. pending() counts
//    live events exactly.
//  - the heap array is 64-byte aligned with the root at position 3, so the four
//    children of a node share one cache line; pops use Floyd's bottom-up
//    method with branch-free child selection; a slot (handler + generation)
//    is exactly 64 bytes.
// Scheduling and running do not allocate once the heap and slab have grown to
// the peak number of pending events (handlers capture up to 48 bytes inline).
// Limits: 2^24 slots (pending plus not-yet-discarded cancelled events;
// std::length_error beyond); the 40-bit insertion counter is renumbered in
// place if it ever runs out, so FIFO order holds for any run length.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "sim/handler.hpp"
#include "sim/time.hpp"

namespace sim {

// Identifies a scheduled event for cancel(). Never reused within a scheduler
// (a slot's generation would have to wrap 2^40 times first).
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
  // in the order they were scheduled. Scheduling into the past (at < now()) is
  // a programming error and throws std::logic_error; nothing is scheduled.
  EventId schedule(SimTime at, Handler handler) {
    if (!handler) throw std::invalid_argument("sim::Scheduler::schedule: empty handler");
    const std::uint32_t slot = prepare(at);
    slot_ref(slot).handler = std::move(handler);
    return commit(at, slot);
  }
  // Same, constructing the callable directly in its slot (saves one move).
  template <
      typename F, typename D = std::decay_t<F>,
      typename = std::enable_if_t<!std::is_same_v<D, Handler> && std::is_invocable_r_v<void, D&>>>
  EventId schedule(SimTime at, F&& f) {
    const std::uint32_t slot = prepare(at);
    try {
      slot_ref(slot).handler.emplace(std::forward<F>(f));
    } catch (...) {
      free_.push_back(slot);  // the callable's constructor threw: give the slot back
      throw;
    }
    return commit(at, slot);
  }
  // Relative to now(); a delay too large to represent saturates at
  // SimTime::max() ("never" in any scenario). A negative delay throws.
  template <typename F>
  EventId schedule_in(SimTime delay, F&& f) {
    return schedule(saturating_add(now_, delay), std::forward<F>(f));
  }
  // Harmless for an event that already ran, was already cancelled, is
  // running right now, or is invalid.
  void cancel(EventId id);
  // True while the event is scheduled and has neither run nor been cancelled.
  bool is_pending(EventId id) const;
  // Runs every event with time <= t in order, then sets now() to t (events
  // scheduled by handlers at times <= t run too). t < now() throws
  // std::logic_error.
  void run_until(SimTime t);
  // Runs the next event, if any, setting now() to its time; returns false
  // when the queue is empty.
  bool step();
  // Number of events scheduled and not yet run or cancelled.
  std::size_t pending() const { return live_; }
  // Time of the next event to run, SimTime::max() when there is none. Not
  // const: it discards cancelled entries at the top of the heap.
  SimTime next_time();
  // Drops every pending event (destroying its handler) and sets now() to 0,
  // keeping the allocated capacity, so one Scheduler can serve trial after
  // trial without allocating. Ids issued before stay invalid.
  void reset();

 private:
  static constexpr int kSlotBits = 24;
  static constexpr std::uint64_t kSlotMask = (std::uint64_t{1} << kSlotBits) - 1;
  static constexpr std::uint64_t kMaxSlots = std::uint64_t{1} << kSlotBits;
  static constexpr std::uint64_t kSeqLimit = std::uint64_t{1} << (64 - kSlotBits);
  static constexpr std::uint64_t kGenMask = kSeqLimit - 1;
  static constexpr int kChunkBits = 8;  // 256 slots = 16 KiB per chunk
  static constexpr std::uint32_t kChunkSize = 1u << kChunkBits;

  struct Entry {
    std::int64_t time;
    std::uint64_t key;  // seq << kSlotBits | slot
  };
  // 56 + 8 bytes: one cache line. `state` is generation << 1 | live; the
  // generation advances each time the slot is released, invalidating old ids.
  struct Slot {
    Handler handler;
    std::uint64_t state = 2;  // generation 1 (so no EventId is 0), not live
    bool live() const { return (state & 1) != 0; }
    std::uint64_t gen() const { return state >> 1; }
  };
  static_assert(sizeof(Slot) == 64, "a slot should fill exactly one cache line");

  static bool less(const Entry& a, const Entry& b) {
    // Times are never negative (now() starts at 0 and only moves forward), so
    // one unsigned 128-bit comparison (cmp + sbb, no branch) orders by (time, seq).
    using u128 = unsigned __int128;
    const u128 ka = (static_cast<u128>(static_cast<std::uint64_t>(a.time)) << 64) | a.key;
    const u128 kb = (static_cast<u128>(static_cast<std::uint64_t>(b.time)) << 64) | b.key;
    return ka < kb;
  }

  // Heap layout: the root sits at position kRoot = 3 of a 64-byte aligned
  // array, so the four children of position p, at 4p - 8 .. 4p - 5, always
  // fill exactly one cache line. Positions 0..2 are unused padding.
  static constexpr std::size_t kRoot = 3;
  static constexpr std::size_t parent_of(std::size_t p) { return (p >> 2) + 2; }
  static constexpr std::size_t first_child(std::size_t p) { return 4 * p - 8; }

  template <typename T>
  struct CacheLineAllocator {
    using value_type = T;
    CacheLineAllocator() = default;
    template <typename U>
    CacheLineAllocator(const CacheLineAllocator<U>&) noexcept {}  // NOLINT: rebind
    T* allocate(std::size_t n) {
      return static_cast<T*>(::operator new (n * sizeof(T), std::align_val_t{64}));
    }
    void deallocate(T* p, std::size_t) noexcept { ::operator delete (p, std::align_val_t{64}); }
    template <typename U>
    bool operator==(const CacheLineAllocator<U>&) const noexcept {
      return true;
    }
  };

  bool heap_empty() const { return heap_.size() == kRoot; }
  const Entry& top() const { return heap_[kRoot]; }
  bool top_live() const {
    return slot_ref(static_cast<std::uint32_t>(top().key & kSlotMask)).live();
  }

  static SimTime saturating_add(SimTime a, SimTime b) {
    if (b.ns() > 0 && a.ns() > SimTime::max().ns() - b.ns()) return SimTime::max();
    return a + b;
  }

  Slot& slot_ref(std::uint32_t i) { return chunks_[i >> kChunkBits][i & (kChunkSize - 1)]; }
  const Slot& slot_ref(std::uint32_t i) const {
    return chunks_[i >> kChunkBits][i & (kChunkSize - 1)];
  }

  // Validates `at` and takes a free slot.
  std::uint32_t prepare(SimTime at) {
    if (at < now_) throw_past(at);
    if (free_.empty()) return take_new_slot();
    const std::uint32_t slot = free_.back();
    free_.pop_back();
    return slot;
  }
  EventId commit(SimTime at, std::uint32_t slot) {
    Slot& s = slot_ref(slot);
    s.state |= 1;
    ++live_;
    if (next_seq_ == kSeqLimit) renumber();
    push(Entry{at.ns(), (next_seq_++ << kSlotBits) | slot});
    return EventId{((s.gen() & kGenMask) << kSlotBits) | slot};
  }
  void push(Entry e) {
    std::size_t p = heap_.size();
    heap_.push_back(e);
    Entry* h = heap_.data();
    // Sift up: a new event is usually later than most queued ones, so this
    // loop typically stops after zero or one level.
    while (p > kRoot) {
      const std::size_t parent = parent_of(p);
      if (!less(e, h[parent])) break;
      h[p] = h[parent];
      p = parent;
    }
    h[p] = e;
  }
  std::size_t min_child(std::size_t first, std::size_t end) const;
  void sift_down(std::size_t p, Entry e);
  void pop_top();
  void release(std::uint32_t slot);
  void run_top();
  void discard_dead_top();
  void compact();
  void renumber();
  std::uint32_t take_new_slot();
  [[noreturn]] void throw_past(SimTime at) const;

  std::vector<Entry, CacheLineAllocator<Entry>> heap_;
  std::vector<std::unique_ptr<Slot[]>> chunks_;
  std::vector<std::uint32_t> free_;  // released slots, below high_water_
  std::uint32_t high_water_ = 0;     // slots [0, high_water_) have been used
  std::uint64_t next_seq_ = 0;
  std::size_t live_ = 0;
  std::size_t dead_in_heap_ = 0;  // cancelled entries still in heap_
  SimTime now_{};
};

}  // namespace sim
