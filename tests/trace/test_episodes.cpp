// Episode search, windows and the recording buffer.
#include <catch2/catch.hpp>

#include "synthetic.hpp"
#include "tools/trace/trace_views.hpp"

using namespace rekeysim::trace;
using models::TraceKind;

TEST_CASE("find_first: a normal rekey has no collision, can't-find-sa, outage or reset",
          "[trace][episodes]") {
  const auto records = synthetic::normal_rekey();
  CHECK_FALSE(find_first(records, EpisodeFilter::kCollision));
  CHECK_FALSE(find_first(records, EpisodeFilter::kCantFindSa));
  CHECK_FALSE(find_first(records, EpisodeFilter::kOutage));
  CHECK_FALSE(find_first(records, EpisodeFilter::kTunnelReset));
}

TEST_CASE(
    "find_first: RFC 7296 2.8.1 crossing CREATE_CHILD_SA requests are a collision at the "
    "second send, before any peer reports it",
    "[trace][episodes]") {
  auto records = synthetic::simultaneous_rekey();
  // Without the model's own kCollisionDetected records the crossing is still found.
  std::erase_if(records, [](const models::TraceRecord& r) {
    return r.kind == TraceKind::kCollisionDetected;
  });
  const auto t = find_first(records, EpisodeFilter::kCollision);
  REQUIRE(t);
  CHECK(*t == sim::hours(7) + sim::minutes(51) + sim::microseconds(300));
}

TEST_CASE("find_first: RFC 7296 1.4.1 crossing DELETEs of one SA are a collision",
          "[trace][episodes]") {
  const auto records = synthetic::crossing_deletes();
  const auto t = find_first(records, EpisodeFilter::kCollision);
  REQUIRE(t);
  CHECK(*t == synthetic::kb_incident_time() + sim::milliseconds(16));
}

TEST_CASE("find_first: requests that do not cross are not a collision", "[trace][episodes]") {
  // B's DELETE is sent only after A's request reached B.
  synthetic::TraceWriter w(sim::seconds(10));
  const auto req = synthetic::rekey_request(1, 0xc0000001, 0xa1, 0x10);
  w.sa(models::PeerId::kA, TraceKind::kChildSaInstalled, 0xc0000001, 0xc0000002);
  w.send(models::PeerId::kA, req);
  w.after(synthetic::kOneWay).receive(models::PeerId::kB, req);
  w.after(sim::milliseconds(1))
      .send(models::PeerId::kB, synthetic::informational(3, false, 0xc0000002));
  CHECK_FALSE(find_first(w.records(), EpisodeFilter::kCollision));
}

TEST_CASE("find_first: can't find sa, outage and tunnel reset use their record kinds",
          "[trace][episodes]") {
  const auto records = synthetic::crossing_deletes();
  const auto cant = find_first(records, EpisodeFilter::kCantFindSa);
  REQUIRE(cant);
  CHECK(*cant == synthetic::kb_incident_time() + sim::milliseconds(20));  // B's, the earlier
  const auto outage = find_first(records, EpisodeFilter::kOutage);
  REQUIRE(outage);
  CHECK(*outage == synthetic::kb_incident_time() + sim::milliseconds(36));
  auto with_reset = records;
  models::TraceRecord down;
  down.time = sim::hours(5);
  down.kind = TraceKind::kTunnelDown;
  with_reset.push_back(down);
  CHECK(find_first(with_reset, EpisodeFilter::kTunnelReset) == sim::hours(5));
}

TEST_CASE("window keeps records within half_width of the center, inclusive", "[trace][episodes]") {
  const auto records = synthetic::normal_rekey();
  const sim::SimTime start = sim::hours(7) + sim::minutes(51);
  const auto w = window(records, start + sim::milliseconds(32), sim::milliseconds(16));
  REQUIRE_FALSE(w.empty());
  CHECK(w.front().time == start + sim::milliseconds(16));
  CHECK(w.back().time == start + sim::milliseconds(48));
  for (const auto& r : w) {
    CHECK(r.time >= start + sim::milliseconds(16));
    CHECK(r.time <= start + sim::milliseconds(48));
  }
}

TEST_CASE("TraceBuffer records everything, or only from <= t < to when re-running a window",
          "[trace][episodes]") {
  const auto records = synthetic::normal_rekey();
  const sim::SimTime start = sim::hours(7) + sim::minutes(51);
  TraceBuffer all;
  TraceBuffer part(start + sim::milliseconds(16), start + sim::milliseconds(32));
  for (const auto& r : records) {
    all.record(r);
    part.record(r);
  }
  CHECK(all.records().size() == records.size());
  REQUIRE_FALSE(part.records().empty());
  for (const auto& r : part.records()) {
    CHECK(r.time >= start + sim::milliseconds(16));
    CHECK(r.time < start + sim::milliseconds(32));
  }
  CHECK(part.records().size() == 3);  // B receives, installs, responds
}

TEST_CASE("style and filter names parse and print", "[trace][episodes]") {
  for (auto s : {LogStyle::kPlain, LogStyle::kPanos, LogStyle::kStrongswan}) {
    CHECK(parse_log_style(to_string(s)) == s);
  }
  for (auto f : {EpisodeFilter::kCollision, EpisodeFilter::kCantFindSa, EpisodeFilter::kOutage,
                 EpisodeFilter::kTunnelReset}) {
    CHECK(parse_episode_filter(to_string(f)) == f);
  }
  CHECK_FALSE(parse_log_style("cisco"));
  CHECK_FALSE(parse_episode_filter("collisions"));
}
