// Scheduler semantics: ordering, cancellation, the clock, and error handling.
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <set>
#include <stdexcept>
#include <vector>

#include "sim/random.hpp"
#include "sim/scheduler.hpp"

using sim::EventId;
using sim::Scheduler;
using sim::SimTime;

TEST_CASE("Events at equal times run in insertion order (FIFO)", "[scheduler]") {
  Scheduler s;
  std::vector<int> order;
  // Interleave three timestamps so ties are not simply adjacent in the heap.
  for (int i = 0; i < 300; ++i) {
    const SimTime t = sim::seconds(3 - i % 3);  // 3, 2, 1, 3, 2, 1, ...
    s.schedule(t, [&order, i] { order.push_back(i); });
  }
  s.run_until(sim::seconds(10));
  REQUIRE(order.size() == 300);
  std::vector<int> expected;
  for (int r : {2, 1, 0}) {  // t = 1 s holds i % 3 == 2, in increasing i
    for (int i = r; i < 300; i += 3) expected.push_back(i);
  }
  CHECK(order == expected);
}

TEST_CASE("Thousands of events at one timestamp run in insertion order", "[scheduler]") {
  Scheduler s;
  std::vector<int> order;
  for (int i = 0; i < 20'000; ++i) s.schedule(sim::seconds(5), [&order, i] { order.push_back(i); });
  CHECK(s.pending() == 20'000);
  s.run_until(sim::seconds(5));
  REQUIRE(order.size() == 20'000);
  for (int i = 0; i < 20'000; ++i) REQUIRE(order[i] == i);
  CHECK(s.pending() == 0);
}

TEST_CASE("Events run in time order whatever the scheduling order", "[scheduler]") {
  Scheduler s;
  sim::Rng rng(1);
  std::vector<std::int64_t> fired;
  for (int i = 0; i < 5000; ++i) {
    const auto t = static_cast<std::int64_t>(rng.uniform_int(1'000'000));
    s.schedule(SimTime::from_ns(t), [&fired, &s] { fired.push_back(s.now().ns()); });
  }
  while (s.step()) {
  }
  REQUIRE(fired.size() == 5000);
  CHECK(std::is_sorted(fired.begin(), fired.end()));
}

TEST_CASE("A cancelled event does not run and pending() drops at once", "[scheduler][cancel]") {
  Scheduler s;
  int ran = 0;
  const EventId a = s.schedule(sim::seconds(1), [&ran] { ran += 1; });
  const EventId b = s.schedule(sim::seconds(2), [&ran] { ran += 10; });
  CHECK(s.pending() == 2);
  CHECK(s.is_pending(a));
  s.cancel(a);
  CHECK_FALSE(s.is_pending(a));
  CHECK(s.is_pending(b));
  CHECK(s.pending() == 1);
  s.run_until(sim::seconds(5));
  CHECK(ran == 10);
  CHECK(s.pending() == 0);
}

TEST_CASE("Cancelling an event that already ran, twice, or an invalid id is harmless",
          "[scheduler][cancel]") {
  Scheduler s;
  int ran = 0;
  const EventId a = s.schedule(sim::seconds(1), [&ran] { ++ran; });
  s.run_until(sim::seconds(1));
  CHECK(ran == 1);
  s.cancel(a);  // already ran
  // The slot of `a` is reused by the next event; the stale id must not hit it.
  const EventId b = s.schedule(sim::seconds(2), [&ran] { ++ran; });
  CHECK(a != b);
  s.cancel(a);
  CHECK(s.pending() == 1);
  s.cancel(b);
  s.cancel(b);  // twice
  CHECK(s.pending() == 0);
  s.cancel(EventId{});                     // the invalid id
  s.cancel(EventId{0xFFFF'FFFF'FFFFull});  // never issued
  s.cancel(EventId{~0ull});
  CHECK(s.pending() == 0);
  s.run_until(sim::seconds(3));
  CHECK(ran == 1);
}

TEST_CASE("A handler can cancel another event at the same time, and itself harmlessly",
          "[scheduler][cancel]") {
  Scheduler s;
  std::vector<char> order;
  EventId a, b, c;
  a = s.schedule(sim::seconds(1), [&] {
    order.push_back('a');
    s.cancel(b);  // same timestamp, not yet run
    s.cancel(a);  // itself, while running
  });
  b = s.schedule(sim::seconds(1), [&] { order.push_back('b'); });
  c = s.schedule(sim::seconds(1), [&] { order.push_back('c'); });
  CHECK(s.pending() == 3);
  s.run_until(sim::seconds(1));
  CHECK(order == std::vector<char>{'a', 'c'});
  CHECK(s.pending() == 0);
  CHECK_FALSE(s.is_pending(c));
}

TEST_CASE("Cancel releases the handler's captures immediately", "[scheduler][cancel]") {
  Scheduler s;
  auto token = std::make_shared<int>(0);
  const EventId a = s.schedule(sim::hours(8), [token] {});
  CHECK(token.use_count() == 2);
  s.cancel(a);
  CHECK(token.use_count() == 1);
}

TEST_CASE("Many cancelled far-future events do not make pending() inexact", "[scheduler][cancel]") {
  Scheduler s;
  std::vector<EventId> ids;
  int ran = 0;
  for (int i = 0; i < 10'000; ++i)
    ids.push_back(s.schedule(sim::hours(8) + sim::seconds(i), [&ran] { ++ran; }));
  for (int i = 0; i < 10'000; ++i) {
    if (i % 10 != 0) s.cancel(ids[i]);
  }
  CHECK(s.pending() == 1000);
  for (int i = 0; i < 10'000; ++i) CHECK(s.is_pending(ids[i]) == (i % 10 == 0));
  CHECK(s.next_time() == sim::hours(8));
  s.run_until(sim::days(1));
  CHECK(ran == 1000);
  CHECK(s.pending() == 0);
}

TEST_CASE("Handlers scheduling new events: later, and at now() after the current ties",
          "[scheduler]") {
  Scheduler s;
  std::vector<std::pair<std::int64_t, int>> log;
  s.schedule(sim::seconds(1), [&] {
    log.emplace_back(s.now().ns(), 1);
    s.schedule(s.now(), [&] { log.emplace_back(s.now().ns(), 3); });  // after existing tie 2
    s.schedule_in(sim::seconds(1), [&] { log.emplace_back(s.now().ns(), 4); });
  });
  s.schedule(sim::seconds(1), [&] { log.emplace_back(s.now().ns(), 2); });
  s.run_until(sim::seconds(10));
  const std::int64_t k = 1'000'000'000;
  CHECK(log == std::vector<std::pair<std::int64_t, int>>{{k, 1}, {k, 2}, {k, 3}, {2 * k, 4}});
}

TEST_CASE("run_until runs events up to and including t and sets now() to t", "[scheduler]") {
  Scheduler s;
  std::vector<int> ran;
  s.schedule(sim::seconds(1), [&] { ran.push_back(1); });
  s.schedule(sim::seconds(2), [&] { ran.push_back(2); });
  s.schedule(sim::seconds(3), [&] { ran.push_back(3); });
  s.run_until(sim::seconds(2));
  CHECK(ran == std::vector<int>{1, 2});
  CHECK(s.now() == sim::seconds(2));
  s.run_until(sim::milliseconds(2500));  // no event in between: the clock still moves
  CHECK(s.now() == sim::milliseconds(2500));
  CHECK(s.pending() == 1);
  CHECK(s.next_time() == sim::seconds(3));
  CHECK(s.step());
  CHECK(s.now() == sim::seconds(3));
  CHECK_FALSE(s.step());
  CHECK(s.now() == sim::seconds(3));
  CHECK(s.next_time() == SimTime::max());
}

TEST_CASE("Scheduling into the past or running the clock backwards is a logic error",
          "[scheduler]") {
  Scheduler s;
  s.run_until(sim::seconds(5));
  CHECK_THROWS_AS(s.schedule(sim::seconds(4), [] {}), std::logic_error);
  CHECK_THROWS_AS(s.schedule_in(-sim::nanoseconds(1), [] {}), std::logic_error);
  CHECK_THROWS_AS(s.run_until(sim::seconds(4)), std::logic_error);
  CHECK(s.pending() == 0);
  CHECK(s.now() == sim::seconds(5));
  // A delay too large to represent means "never": it saturates, not wraps.
  const EventId far = s.schedule_in(SimTime::max(), [] {});
  CHECK(s.next_time() == SimTime::max());
  s.cancel(far);
}

TEST_CASE("EventIds are unique across slot reuse", "[scheduler]") {
  Scheduler s;
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 10'000; ++i) {
    const EventId id = s.schedule(s.now() + sim::seconds(1), [] {});
    REQUIRE(id.valid());
    REQUIRE(seen.insert(id.value).second);
    if (i % 3 == 0) s.cancel(id);
    s.step();
  }
}

TEST_CASE("A handler that throws leaves the scheduler consistent", "[scheduler]") {
  Scheduler s;
  int ran = 0;
  s.schedule(sim::seconds(1), [] { throw std::runtime_error("boom"); });
  s.schedule(sim::seconds(2), [&ran] { ++ran; });
  CHECK_THROWS_AS(s.run_until(sim::seconds(3)), std::runtime_error);
  CHECK(s.now() == sim::seconds(1));
  CHECK(s.pending() == 1);
  s.run_until(sim::seconds(3));
  CHECK(ran == 1);
}

TEST_CASE("reset drops pending events, destroys captures and invalidates old ids", "[scheduler]") {
  Scheduler s;
  auto token = std::make_shared<int>(0);
  int ran = 0;
  const EventId a = s.schedule(sim::seconds(1), [token, &ran] { ++ran; });
  const EventId a2 = s.schedule(sim::seconds(2), [token, &ran] { ++ran; });
  const EventId dead = s.schedule(sim::seconds(3), [&ran] { ++ran; });
  s.cancel(dead);
  s.run_until(sim::milliseconds(500));
  s.reset();
  CHECK(token.use_count() == 1);
  CHECK(s.pending() == 0);
  CHECK(s.now() == SimTime{});
  CHECK(s.next_time() == SimTime::max());
  // The new events reuse the old slots; none of the old ids may touch them.
  std::vector<EventId> fresh;
  for (int i = 0; i < 5; ++i) {
    fresh.push_back(s.schedule(sim::seconds(1 + i), [&ran] { ran += 100; }));
  }
  for (EventId old : {a, a2, dead}) s.cancel(old);
  for (EventId f : fresh) CHECK(s.is_pending(f));
  CHECK(s.pending() == 5);
  s.run_until(sim::seconds(10));
  CHECK(ran == 500);
}

TEST_CASE("Destroying a scheduler destroys the captures of pending events", "[scheduler]") {
  auto token = std::make_shared<int>(0);
  {
    Scheduler s;
    s.schedule(sim::seconds(1), [token] {});
    s.schedule(sim::seconds(2), [token] {});
    CHECK(token.use_count() == 3);
  }
  CHECK(token.use_count() == 1);
}
