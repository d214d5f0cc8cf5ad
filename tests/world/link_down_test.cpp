// Scheduled link-down windows (LinkConfig::down) and packets that find no SA
// (NoSaPolicy), on one link and one ESP flow: every count is exact.
#include <catch2/catch.hpp>

#include <vector>

#include "models/world/esp_flow.hpp"
#include "models/world/link.hpp"

using models::DownWindow;
using models::FlowConfig;
using models::LinkConfig;
using models::NoSaPolicy;
using models::PeerId;
using models::TraceKind;
using models::TraceRecord;
using models::world::EspFlow;
using models::world::Link;
using sim::milliseconds;
using sim::seconds;
using sim::SimTime;

namespace {
struct Log final : models::TraceSink {
  std::vector<TraceRecord> records;
  void record(const TraceRecord& r) override { records.push_back(r); }
  std::uint64_t total(TraceKind k) const {
    std::uint64_t n = 0;
    for (const auto& r : records) n += r.kind == k ? r.count : 0;
    return n;
  }
};

LinkConfig link_with(std::vector<DownWindow> down) {
  LinkConfig c;
  c.latency = sim::DurationDist::constant(milliseconds(16));
  c.down = std::move(down);
  return c;
}

FlowConfig flow(double pps) {
  FlowConfig f;
  f.rate_pps = pps;
  return f;
}
}  // namespace

TEST_CASE(
    "Link down: one-off and periodic windows, each down from its start to just before its end") {
  // Once at 100 s for 30 s; every 1 h for 10 s from 20 min on.
  const Link link(
      link_with({{seconds(100), seconds(30), {}}, {sim::minutes(20), seconds(10), sim::hours(1)}}));
  CHECK_FALSE(link.down_at(seconds(99)));
  CHECK(link.down_at(seconds(100)));
  CHECK(link.down_at(seconds(129)));
  CHECK_FALSE(link.down_at(seconds(130)));
  CHECK_FALSE(link.down_at(sim::minutes(20) - sim::nanoseconds(1)));
  CHECK(link.down_at(sim::minutes(20)));
  CHECK_FALSE(link.down_at(sim::minutes(20) + seconds(10)));
  CHECK(link.down_at(sim::hours(5) + sim::minutes(20) + seconds(9)));
  CHECK_FALSE(link.down_at(sim::hours(5) + sim::minutes(21)));
  const auto a = link.next_down(SimTime{});
  REQUIRE(a);
  CHECK(a->start == seconds(100));
  CHECK(a->end == seconds(130));
  const auto b = link.next_down(seconds(130));
  REQUIRE(b);
  CHECK(b->start == sim::minutes(20));
  const auto c = link.next_down(sim::hours(2) + sim::minutes(20) + seconds(5));  // inside one
  REQUIRE(c);
  CHECK(c->start == sim::hours(2) + sim::minutes(20));
  CHECK(c->end == sim::hours(2) + sim::minutes(20) + seconds(10));
  CHECK_FALSE(Link(link_with({{seconds(1), seconds(1), {}}})).next_down(seconds(2)));
  CHECK_FALSE(Link(link_with({})).down_at(SimTime{}));
}

TEST_CASE("Link down: ESP packets sent while the link is down are lost to the link, not dropped") {
  // 100 pps (10 ms apart, first at 0); the link is down over [10 s, 40 s) and
  // every 60 s for 5 s from 100 s on. The receiver accepts the SPI throughout.
  const Link link(
      link_with({{seconds(10), seconds(30), {}}, {seconds(100), seconds(5), seconds(60)}}));
  Log log;
  EspFlow f(flow(100), link, sim::Rng(1), PeerId::kB, &log, SimTime{});
  f.set_inbound(SimTime{}, 0xB1, true);
  f.set_outbound(SimTime{}, 0xB1);
  f.advance(seconds(300));
  // Settled up to 300 s - 16 ms: windows at 10 s (30 s) and 100, 160, 220,
  // 280 s (5 s each): 3000 + 4 x 500 packets.
  CHECK(f.link_down() == 5000);
  CHECK(log.total(TraceKind::kEspLinkDown) == 5000);
  CHECK(f.dropped() == 0);
  CHECK(f.no_sa() == 0);
  CHECK(f.sent() == 29999);  // 0 .. 299.98 s sent before the 299.984 s horizon, link-down ones too
  for (const auto& r : log.records) {
    CHECK(r.peer == PeerId::kA);  // the sender
    CHECK(r.spi_out == 0xB1);
  }
}

TEST_CASE(
    "RFC 4301 5.1 (DISCARD, PROTECT with no SA, BYPASS): packets sent while the sender has no "
    "outbound SA are counted by its policy") {
  const Link link(link_with({}));
  for (NoSaPolicy policy : {NoSaPolicy::kDrop, NoSaPolicy::kTrap, NoSaPolicy::kClear}) {
    Log log;
    EspFlow f(flow(100), link, sim::Rng(1), PeerId::kB, &log, SimTime{}, policy);
    // No SA over [0, 1 s) (the tunnel coming up: not counted), SA 0xB1 over
    // [1 s, 5 s), none over [5 s, 7.5 s), SA 0xB2 from 7.5 s.
    f.set_outbound(seconds(1), 0xB1);
    f.set_inbound(seconds(1), 0xB1, true);
    f.set_outbound(seconds(5), 0);
    f.set_outbound(milliseconds(7500), 0xB2);
    f.set_inbound(milliseconds(7500), 0xB2, true);
    f.advance(seconds(20));
    // The outage window x the packet rate: 2.5 s x 100 pps = 250 packets.
    const std::uint64_t expected = 250;
    CHECK(f.unsent() == 100 + expected);
    if (policy == NoSaPolicy::kClear) {
      CHECK(f.cleartext() == expected);
      CHECK(f.no_sa() == 0);
      CHECK(log.total(TraceKind::kEspCleartext) == expected);
    } else {
      CHECK(f.no_sa() == expected);
      CHECK(f.cleartext() == 0);
      CHECK(log.total(TraceKind::kEspNoSa) == expected);
    }
    CHECK(f.dropped() == 0);
  }
}

TEST_CASE("No SA: while the link is down, packets without an SA are no_sa, not link losses") {
  const Link link(link_with({{seconds(4), seconds(2), {}}}));
  Log log;
  EspFlow f(flow(100), link, sim::Rng(1), PeerId::kB, &log, SimTime{}, NoSaPolicy::kDrop);
  f.set_outbound(SimTime{}, 0xB1);
  f.set_inbound(SimTime{}, 0xB1, true);
  f.set_outbound(seconds(5), 0);  // the SA goes in the middle of the window
  f.advance(seconds(10));
  CHECK(f.link_down() == 100);  // [4 s, 5 s) on 0xB1
  CHECK(f.no_sa() == 499);      // [5 s, 9.984 s): 5.00 .. 9.98
}

TEST_CASE(
    "Link down: a jittered periodic window starts each occurrence up to jitter late, per trial "
    "seed") {
  // Every 1 h for 5 min from 1 h on, each occurrence up to 30 min late.
  const DownWindow w{sim::hours(1), sim::minutes(5), sim::hours(1), sim::minutes(30)};
  const Link one(link_with({w}), 1);
  const Link two(link_with({w}), 2);
  int differ = 0;
  SimTime t{};
  for (int k = 0; k < 200; ++k) {
    const SimTime base = sim::hours(1) + sim::hours(1) * k;
    const auto d = one.next_down(t);
    REQUIRE(d);
    CHECK(d->start >= base);
    CHECK(d->start < base + sim::minutes(30));
    CHECK(d->end - d->start == sim::minutes(5));
    CHECK(one.down_at(d->start));
    CHECK_FALSE(one.down_at(d->end));
    // Asked from inside the occurrence, the same occurrence.
    CHECK(one.next_down(d->start + sim::minutes(1))->start == d->start);
    differ += two.next_down(t)->start != d->start ? 1 : 0;
    t = d->end;
  }
  CHECK(differ > 190);  // another trial, other times
  // The same seed, the same times (a pure function of seed and occurrence).
  CHECK(Link(link_with({w}), 1).next_down(sim::hours(50))->start ==
        one.next_down(sim::hours(50))->start);
}

TEST_CASE("Link down: ESP lost to jittered windows is still duration x rate per occurrence") {
  const Link link(link_with({{seconds(100), seconds(5), seconds(60), seconds(30)}}), 7);
  Log log;
  EspFlow f(flow(100), link, sim::Rng(1), PeerId::kB, &log, SimTime{});
  f.set_inbound(SimTime{}, 0xB1, true);
  f.set_outbound(SimTime{}, 0xB1);
  f.advance(seconds(1000) + milliseconds(16));
  // Occurrence k starts in [100 + 60 k, 130 + 60 k) s: k = 0 .. 14 end by
  // 130 + 840 + 5 = 975 s, before the 1000 s settled; k = 15 starts at 1000 s
  // or later. 15 x 500 packets.
  CHECK(f.link_down() == 15 * 500);
  CHECK(f.dropped() == 0);
}
