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

namespace {
// Send time of the first packet at or after `start` of a flow at `pps` whose
// first packet leaves at 0: ceil(start x R) / R, rounded down to the ns as
// PacketLattice::time_of does.
SimTime first_at_or_after(SimTime start, std::uint64_t pps) {
  const auto k = (static_cast<unsigned __int128>(start.ns()) * pps + 999'999'999) / 1'000'000'000;
  return sim::nanoseconds(static_cast<std::int64_t>(k * 1'000'000'000 / pps));
}
}  // namespace

TEST_CASE("No SA and link down: each record is stamped at its first packet, not when settled") {
  // 30 pps (packets at floor(k / 30 s) ns) and 100 pps, first packet at 0. The
  // SA goes at 5.0037 s and is back at 7.5 s; the link is down over
  // [10.0042 s, 11.0042 s). The world settles at 6 s, 9 s and 20 s, so the no-SA
  // gap is counted in two records, the second starting where the first
  // settle's horizon (6 s - 16 ms) cut it.
  for (std::uint64_t pps : {30, 100}) {
    for (NoSaPolicy policy : {NoSaPolicy::kTrap, NoSaPolicy::kClear}) {
      INFO(pps << " pps, policy " << static_cast<int>(policy));
      const SimTime gap = milliseconds(5003) + sim::microseconds(700);
      const SimTime down = milliseconds(10004) + sim::microseconds(200);
      const Link link(link_with({{down, seconds(1), {}}}));
      Log log;
      EspFlow f(flow(static_cast<double>(pps)), link, sim::Rng(1), PeerId::kB, &log, SimTime{},
                policy);
      f.set_outbound(SimTime{}, 0xB1);
      f.set_inbound(SimTime{}, 0xB1, true);
      f.set_outbound(gap, 0);
      f.set_outbound(milliseconds(7500), 0xB2);
      f.set_inbound(milliseconds(7500), 0xB2, true);
      f.advance(seconds(6));
      f.advance(seconds(9));
      f.advance(seconds(20));
      const TraceKind no_sa =
          policy == NoSaPolicy::kClear ? TraceKind::kEspCleartext : TraceKind::kEspNoSa;
      std::vector<TraceRecord> gaps;
      std::vector<TraceRecord> downs;
      for (const auto& r : log.records) {
        if (r.kind == no_sa) gaps.push_back(r);
        if (r.kind == TraceKind::kEspLinkDown) downs.push_back(r);
      }
      const SimTime cut = seconds(6) - milliseconds(16);
      REQUIRE(gaps.size() == 2);
      CHECK(gaps[0].time == first_at_or_after(gap, pps));
      CHECK(gaps[1].time == first_at_or_after(cut, pps));
      REQUIRE(downs.size() == 1);
      CHECK(downs[0].time == first_at_or_after(down, pps));
      CHECK(downs[0].spi_out == 0xB2);
      // Each record counts the packets from its first one: with k(t) the index
      // of the first packet at or after t, k(cut) - k(gap) and k(7.5 s) - k(cut).
      auto k = [&](SimTime t) {
        return (static_cast<unsigned __int128>(t.ns()) * pps + 999'999'999) / 1'000'000'000;
      };
      CHECK(gaps[0].count == static_cast<std::uint64_t>(k(cut) - k(gap)));
      CHECK(gaps[1].count == static_cast<std::uint64_t>(k(milliseconds(7500)) - k(cut)));
      CHECK(downs[0].count == static_cast<std::uint64_t>(k(down + seconds(1)) - k(down)));
    }
  }
}

TEST_CASE("No SA: a Poisson flow stamps records inside the gap and counts as without a sink") {
  FlowConfig pf = flow(200);
  pf.poisson = true;
  const Link link(link_with({{seconds(12), seconds(2), {}}}));
  auto drive = [&](EspFlow& f) {
    f.set_outbound(SimTime{}, 0xB1);
    f.set_inbound(SimTime{}, 0xB1, true);
    f.set_outbound(seconds(5), 0);
    f.set_outbound(seconds(8), 0xB2);
    f.set_inbound(seconds(8), 0xB2, true);
    for (int s = 1; s <= 30; ++s) f.advance(seconds(s));
  };
  Log log;
  EspFlow heard(pf, link, sim::Rng(9), PeerId::kB, &log, SimTime{});
  EspFlow alone(pf, link, sim::Rng(9), PeerId::kB, nullptr, SimTime{});
  drive(heard);
  drive(alone);
  // The record times come from a stream of their own: the counts are the same.
  CHECK(heard.no_sa() == alone.no_sa());
  CHECK(heard.link_down() == alone.link_down());
  CHECK(heard.sent() == alone.sent());
  CHECK(heard.dropped() == alone.dropped());
  CHECK(heard.no_sa() > 0);
  REQUIRE_FALSE(log.records.empty());
  for (const auto& r : log.records) {
    if (r.kind == TraceKind::kEspNoSa) {
      CHECK(r.time >= seconds(5));
      CHECK(r.time < seconds(8));
    } else if (r.kind == TraceKind::kEspLinkDown) {
      CHECK(r.time >= seconds(12));
      CHECK(r.time < seconds(14));
    }
  }
}
