// Out-of-line parts of the Scheduler: popping, running, cancelling and the
// rare maintenance passes (compaction of cancelled entries, renumbering when
// the 40-bit insertion counter runs out, slab growth). See scheduler.hpp for
// the design.
#include "sim/scheduler.hpp"

#include <algorithm>
#include <string>

namespace sim {

Scheduler::Scheduler() {
  heap_.reserve(64);
  heap_.resize(kRoot, Entry{0, 0});  // padding before the root, see kRoot
}

Scheduler::~Scheduler() {
  reset();
}

void Scheduler::reset() {
  // O(pending), not O(capacity): a trial's Scheduler is created and destroyed
  // once per trial, so this runs a million times a second. Only slots that
  // have an entry in the heap can hold a handler (free slots are empty,
  // cancelled ones were emptied by cancel()).
  // First mark everything not live, so that a captured object's destructor
  // calling cancel() on this scheduler finds nothing to do...
  for (std::size_t p = kRoot; p < heap_.size(); ++p) {
    slot_ref(static_cast<std::uint32_t>(heap_[p].key & kSlotMask)).state &= ~std::uint64_t{1};
  }
  live_ = 0;
  dead_in_heap_ = 0;
  // ...then destroy the handlers and free the slots with a new generation, so
  // ids from before the reset stay invalid. (A handler's destructor must not
  // schedule new events on the scheduler being reset.)
  const std::size_t end = heap_.size();
  for (std::size_t p = kRoot; p < end; ++p) {
    release(static_cast<std::uint32_t>(heap_[p].key & kSlotMask));
  }
  heap_.resize(kRoot);
  next_seq_ = 0;
  now_ = SimTime{};
}

namespace {

// Branch-free selection: the comparisons of random times are unpredictable,
// so a mispredicted branch per comparison would dominate the heap's cost.
inline std::size_t select(bool take_b, std::size_t a, std::size_t b) {
  return a ^ ((a ^ b) & (std::size_t{0} - static_cast<std::size_t>(take_b)));
}

}  // namespace

std::size_t Scheduler::min_child(std::size_t c, std::size_t end) const {
  const Entry* h = heap_.data();
  if (c + 4 <= end) {
    // Tournament of the four children (one cache line): two independent
    // comparisons, then the final one.
    const std::size_t m1 = c + static_cast<std::size_t>(less(h[c + 1], h[c]));
    const std::size_t m2 = c + 2 + static_cast<std::size_t>(less(h[c + 3], h[c + 2]));
    return select(less(h[m2], h[m1]), m1, m2);
  }
  std::size_t m = c;
  for (std::size_t j = c + 1; j < end; ++j) m = select(less(h[j], h[m]), m, j);
  return m;
}

void Scheduler::sift_down(std::size_t p, Entry e) {
  const std::size_t end = heap_.size();
  Entry* h = heap_.data();
  for (;;) {
    const std::size_t c = first_child(p);
    if (c >= end) break;
    const std::size_t m = min_child(c, end);
    if (!less(h[m], e)) break;
    h[p] = h[m];
    p = m;
  }
  h[p] = e;
}

void Scheduler::pop_top() {
  // Floyd's bottom-up deletion: move the hole at the root down to a leaf
  // along the smallest children (no comparison with the moving element, so
  // the loop has no data-dependent exit), then sift the former last element
  // up from there. The last element almost always belongs near the bottom.
  const Entry last = heap_.back();
  heap_.pop_back();
  const std::size_t end = heap_.size();
  if (end == kRoot) return;
  Entry* h = heap_.data();
  // Below ~4096 entries (64 KiB) the heap lives in L1/L2 and prefetching
  // only costs instructions.
  const bool prefetch = end > 4096;
  std::size_t p = kRoot;
  for (;;) {
    const std::size_t c = first_child(p);
    if (c >= end) break;
    // The grandchildren of p (the children of c..c+3) are four consecutive
    // cache lines; fetching them now overlaps the next level's memory
    // latency with this level's comparisons. Matters once the heap outgrows
    // the caches (10^5 pending and up).
    const std::size_t g = first_child(c);
    if (prefetch && g < end) {
      const char* line = reinterpret_cast<const char*>(h + g);
      __builtin_prefetch(line);
      __builtin_prefetch(line + 64);
      __builtin_prefetch(line + 128);
      __builtin_prefetch(line + 192);
    }
    const std::size_t m = min_child(c, end);
    h[p] = h[m];
    p = m;
  }
  while (p > kRoot) {
    const std::size_t parent = parent_of(p);
    if (!less(last, h[parent])) break;
    h[p] = h[parent];
    p = parent;
  }
  h[p] = last;
}

void Scheduler::release(std::uint32_t slot) {
  Slot& s = slot_ref(slot);
  s.handler.reset();
  s.state = (s.state | 1) + 1;  // next generation, not live
  free_.push_back(slot);
}

void Scheduler::run_top() {
  const Entry top = heap_[kRoot];
  pop_top();
  // The next event's slot is needed by the next step(); with many events
  // pending it is usually not in cache, so start loading it while this
  // handler runs.
  if (!heap_empty())
    __builtin_prefetch(&slot_ref(static_cast<std::uint32_t>(this->top().key & kSlotMask)));
  const auto slot = static_cast<std::uint32_t>(top.key & kSlotMask);
  Slot& s = slot_ref(slot);
  now_ = SimTime::from_ns(top.time);
  // No longer pending: cancel() of this event from inside its own handler is
  // a no-op. The slot is released only after the handler returns (or
  // throws), so the handler runs in place and the slot cannot be reused
  // underneath it.
  s.state &= ~std::uint64_t{1};
  --live_;
  struct ReleaseGuard {
    Scheduler* self;
    std::uint32_t slot;
    ~ReleaseGuard() { self->release(slot); }
  } guard{this, slot};
  s.handler();
}

void Scheduler::discard_dead_top() {
  const auto slot = static_cast<std::uint32_t>(top().key & kSlotMask);
  pop_top();
  --dead_in_heap_;
  release(slot);
}

bool Scheduler::step() {
  while (!heap_empty()) {
    if (!top_live()) {
      discard_dead_top();
      continue;
    }
    run_top();
    return true;
  }
  return false;
}

void Scheduler::run_until(SimTime t) {
  if (t < now_) {
    throw std::logic_error("sim::Scheduler::run_until(" + format_duration(t) +
                           "): before now() = " + format_duration(now_));
  }
  while (!heap_empty() && top().time <= t.ns()) {
    if (!top_live()) {
      discard_dead_top();
      continue;
    }
    run_top();
  }
  now_ = t;
}

SimTime Scheduler::next_time() {
  while (!heap_empty()) {
    if (top_live()) return SimTime::from_ns(top().time);
    discard_dead_top();
  }
  return SimTime::max();
}

bool Scheduler::is_pending(EventId id) const {
  const std::uint64_t slot = id.value & kSlotMask;
  if (!id.valid() || slot >= chunks_.size() * kChunkSize) return false;
  const Slot& s = slot_ref(static_cast<std::uint32_t>(slot));
  return s.live() && (s.gen() & kGenMask) == (id.value >> kSlotBits);
}

void Scheduler::cancel(EventId id) {
  if (!is_pending(id)) return;
  Slot& s = slot_ref(static_cast<std::uint32_t>(id.value & kSlotMask));
  s.state &= ~std::uint64_t{1};
  --live_;
  ++dead_in_heap_;
  // Lazy removal: the heap entry stays until it reaches the top, but the
  // captures are released now. When dead entries dominate, drop them all in
  // one O(n) pass so memory tracks the live count (amortised O(1) per cancel).
  s.handler.reset();
  if (dead_in_heap_ > 64 && dead_in_heap_ * 2 > heap_.size() - kRoot) compact();
}

void Scheduler::compact() {
  std::size_t out = kRoot;
  for (std::size_t p = kRoot; p < heap_.size(); ++p) {
    const auto slot = static_cast<std::uint32_t>(heap_[p].key & kSlotMask);
    if (slot_ref(slot).live()) {
      heap_[out++] = heap_[p];
    } else {
      release(slot);
    }
  }
  heap_.resize(out);
  dead_in_heap_ = 0;
  // Floyd's heap construction: sift down every internal position, last first.
  if (out > kRoot + 1) {
    for (std::size_t p = parent_of(out - 1) + 1; p-- > kRoot;) sift_down(p, heap_[p]);
  }
}

void Scheduler::renumber() {
  // The 40-bit insertion counter is exhausted (after ~10^12 schedules). Give
  // the queued entries fresh consecutive numbers in their current order; a
  // sorted array is a valid heap, and relative order, hence FIFO ties, holds.
  std::sort(heap_.begin() + kRoot, heap_.end(), less);
  for (std::size_t p = kRoot; p < heap_.size(); ++p) {
    heap_[p].key =
        (static_cast<std::uint64_t>(p - kRoot) << kSlotBits) | (heap_[p].key & kSlotMask);
  }
  next_seq_ = heap_.size() - kRoot;
}

std::uint32_t Scheduler::take_new_slot() {
  // Slots are handed out in index order up to the high-water mark, so a new
  // chunk needs no free-list entries (a trial that needs 20 slots touches 20).
  if (high_water_ == chunks_.size() * kChunkSize) {
    if (high_water_ + kChunkSize > kMaxSlots) {
      throw std::length_error("sim::Scheduler: more than 2^24 events pending");
    }
    chunks_.push_back(std::make_unique<Slot[]>(kChunkSize));
    // Released slots go on free_; reserving here keeps run time allocation-free.
    free_.reserve(chunks_.size() * kChunkSize);
  }
  return high_water_++;
}

void Scheduler::throw_past(SimTime at) const {
  throw std::logic_error("sim::Scheduler::schedule: event at " + format_duration(at) +
                         " is before now() = " + format_duration(now_));
}

}  // namespace sim
