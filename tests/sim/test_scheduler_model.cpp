// 10^6 random schedule / cancel / step / run_until operations applied both to
// the Scheduler and to a deliberately simple reference model (a std::map keyed
// by (time, insertion number)); the exact sequence of fired events, the clock
// and pending() must agree after every operation. Handlers themselves
// schedule and cancel, so re-entrant use is covered too.
#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sim/random.hpp"
#include "sim/scheduler.hpp"

namespace {

// What a fired event does, a pure function of its test id so that both
// systems do exactly the same thing.
template <typename Sys>
void react(Sys& sys, std::uint64_t k) {
  std::uint64_t st = k;
  const std::uint64_t h = sim::splitmix64(st);
  switch (h % 8) {
    case 0:  // schedule a follow-up, often at the very same time
      sys.schedule(sys.now() + static_cast<std::int64_t>((h >> 8) % 3) * 1000);
      break;
    case 1:  // cancel an earlier event (may have run, may be pending)
      if (k >= 3) sys.cancel(k - 3);
      break;
    case 2:  // cancel itself while running
      sys.cancel(k);
      break;
    default:
      break;
  }
}

struct Real {
  sim::Scheduler s;
  std::vector<sim::EventId> ids;
  std::vector<std::uint64_t> fired;

  std::int64_t now() const { return s.now().ns(); }
  std::size_t pending() const { return s.pending(); }
  void schedule(std::int64_t t) {
    const std::uint64_t k = ids.size();
    ids.emplace_back();
    ids[k] = s.schedule(sim::SimTime::from_ns(t), [this, k] {
      fired.push_back(k);
      react(*this, k);
    });
  }
  void cancel(std::uint64_t k) { s.cancel(ids[k]); }
  bool step() { return s.step(); }
  void run_until(std::int64_t t) { s.run_until(sim::SimTime::from_ns(t)); }
};

struct Reference {
  std::int64_t now_ns = 0;
  std::uint64_t seq = 0;
  std::map<std::pair<std::int64_t, std::uint64_t>, std::uint64_t> queue;
  std::unordered_map<std::uint64_t, std::pair<std::int64_t, std::uint64_t>> key_of;
  std::uint64_t next_id = 0;
  std::vector<std::uint64_t> fired;

  std::int64_t now() const { return now_ns; }
  std::size_t pending() const { return queue.size(); }
  void schedule(std::int64_t t) {
    const std::uint64_t k = next_id++;
    const auto key = std::make_pair(t, seq++);
    queue.emplace(key, k);
    key_of.emplace(k, key);
  }
  void cancel(std::uint64_t k) {
    auto it = key_of.find(k);
    if (it == key_of.end()) return;
    queue.erase(it->second);
    key_of.erase(it);
  }
  void fire_first() {
    auto it = queue.begin();
    now_ns = it->first.first;
    const std::uint64_t k = it->second;
    key_of.erase(k);
    queue.erase(it);
    fired.push_back(k);
    react(*this, k);
  }
  bool step() {
    if (queue.empty()) return false;
    fire_first();
    return true;
  }
  void run_until(std::int64_t t) {
    while (!queue.empty() && queue.begin()->first.first <= t) fire_first();
    now_ns = t;
  }
};

// Percentages of each operation; the rest are steps.
struct Mix {
  int schedule;
  int cancel;
  int cancel_invalid;
  int run_until;
};

void run_against_model(std::uint64_t seed, int ops, Mix mix) {
  Real real;
  Reference ref;
  sim::Rng rng(seed);
  for (int op = 0; op < ops; ++op) {
    const auto r = static_cast<int>(rng.uniform_int(100));
    if (r < mix.schedule) {
      // Few distinct offsets, so many events share a timestamp.
      const std::int64_t t = real.now() + static_cast<std::int64_t>(rng.uniform_int(50)) * 1000;
      real.schedule(t);
      ref.schedule(t);
    } else if (r < mix.schedule + mix.cancel) {
      if (!real.ids.empty()) {
        const std::uint64_t k = rng.uniform_int(real.ids.size());
        real.cancel(k);
        ref.cancel(k);
      }
    } else if (r < mix.schedule + mix.cancel + mix.cancel_invalid) {
      real.s.cancel(sim::EventId{});
      real.s.cancel(sim::EventId{rng.next() | (std::uint64_t{1} << 63)});  // far beyond any slot
    } else if (r < mix.schedule + mix.cancel + mix.cancel_invalid + mix.run_until) {
      const std::int64_t t = real.now() + static_cast<std::int64_t>(rng.uniform_int(20)) * 1000;
      real.run_until(t);
      ref.run_until(t);
    } else {
      const bool a = real.step();
      const bool b = ref.step();
      REQUIRE(a == b);
    }
    REQUIRE(real.now() == ref.now());
    REQUIRE(real.pending() == ref.pending());
    REQUIRE(real.fired.size() == ref.fired.size());
  }
  while (ref.step()) {
  }
  while (real.step()) {
  }
  REQUIRE(real.pending() == 0);
  CHECK(real.fired.size() > static_cast<std::size_t>(ops) / 10);
  REQUIRE(real.fired == ref.fired);
}

}  // namespace

TEST_CASE("Scheduler fires exactly the reference model's sequence over 10^6 random operations",
          "[scheduler][model]") {
  run_against_model(12345, 1'000'000, Mix{40, 12, 2, 6});
}

TEST_CASE("Scheduler matches the reference model when most events are cancelled",
          "[scheduler][model]") {
  // Cancellations dominate, so lazily cancelled entries pile up and the
  // compaction pass runs many times.
  run_against_model(777, 300'000, Mix{50, 35, 1, 2});
}
