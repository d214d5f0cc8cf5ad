// ESP traffic without per-packet events: drops counted in closed form where the
// sender's SPI is not accepted by the receiver when packets arrive.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "models/world/esp_flow.hpp"
#include "models/world/esp_traffic.hpp"

using models::FlowConfig;
using models::LinkConfig;
using models::PeerId;
using models::TraceKind;
using models::TraceRecord;
using models::world::EspFlow;
using models::world::EspTraffic;
using models::world::Link;
using sim::milliseconds;
using sim::SimTime;

namespace {
struct DropLog final : models::TraceSink {
  std::vector<TraceRecord> records;
  void record(const TraceRecord& r) override { records.push_back(r); }
  std::uint64_t total(std::uint32_t spi) const {
    std::uint64_t n = 0;
    for (const auto& r : records) {
      if (r.kind == TraceKind::kEspDropped && r.spi_in == spi) n += r.count;
    }
    return n;
  }
};

LinkConfig fixed_link(SimTime latency) {
  LinkConfig c;
  c.latency = sim::DurationDist::constant(latency);
  return c;
}

FlowConfig flow(double pps, bool poisson = false) {
  FlowConfig f;
  f.rate_pps = pps;
  f.poisson = poisson;
  return f;
}

TraceRecord rec(SimTime t, PeerId p, TraceKind k, std::uint32_t in, std::uint32_t out) {
  TraceRecord r;
  r.time = t;
  r.peer = p;
  r.kind = k;
  r.spi_in = in;
  r.spi_out = out;
  return r;
}
}  // namespace

TEST_CASE(
    "ESP: packets sent on an SPI the receiver has not installed yet, or removed, are dropped "
    "exactly") {
  // 100 pps (10 ms apart, first at 0), one-way latency 16 ms.
  const Link link(fixed_link(milliseconds(16)));
  DropLog log;
  EspFlow f(flow(100), link, sim::Rng(1), PeerId::kB, &log, SimTime{});
  f.set_inbound(SimTime{}, 0xB1, true);
  f.set_outbound(SimTime{}, 0xB1);
  // The sender switches to 0xB2 at 1 s; the receiver installs it only at 1.1 s
  // (a responder that sends before the initiator is ready, RFC 7296 2.8).
  f.set_outbound(sim::seconds(1), 0xB2);
  // Drops become certain as time passes: at 1.05 s, packets sent before
  // 1.034 s have arrived: 1.000, 1.010, 1.020, 1.030 -> 4 dropped.
  f.advance(milliseconds(1050));
  CHECK(f.dropped() == 4);
  f.set_inbound(milliseconds(1100), 0xB2, true);
  f.set_inbound(milliseconds(1600), 0xB1, false);
  // The receiver loses 0xB2 at 3 s while the sender keeps using it until 3.5 s.
  f.set_inbound(sim::seconds(3), 0xB2, false);
  f.set_outbound(milliseconds(3500), 0);
  f.advance(sim::seconds(10));
  // [1.000, 1.084): 9 packets arrive before 1.1 s; [2.984, 3.5): 2.990 .. 3.490 = 51 packets.
  CHECK(f.dropped() == 60);
  CHECK(log.total(0xB2) == 60);
  CHECK(log.total(0xB1) == 0);
  CHECK(f.sent() == 350);
  CHECK(f.unsent() == 649);  // 3.500 .. 9.980 s (settled up to 9.984 s), no outbound SA
}

TEST_CASE("ESP: the trace drives the flows (kChildSaInstalled, kOutboundSwitched, removals)") {
  const Link ab(fixed_link(milliseconds(16)));
  const Link ba(fixed_link(milliseconds(16)));
  models::TrafficConfig tc;
  tc.a_to_b = flow(100);
  tc.b_to_a = flow(50);
  DropLog log;
  EspTraffic t(tc, ab, ba, sim::Rng(1), sim::Rng(2), &log, nullptr);
  t.record(rec(SimTime{}, PeerId::kA, TraceKind::kChildSaInstalled, 0xA1, 0xB1));
  t.record(rec(SimTime{}, PeerId::kB, TraceKind::kChildSaInstalled, 0xB1, 0xA1));
  CHECK(t.tracker().carries(PeerId::kA));
  CHECK(t.tracker().carries(PeerId::kB));
  // B answers a rekey and switches at once (kOnRequest): A installs 0xA2 a round trip later.
  t.record(rec(sim::seconds(100), PeerId::kB, TraceKind::kChildSaInstalled, 0xB2, 0xA2));
  t.record(rec(sim::seconds(100), PeerId::kB, TraceKind::kOutboundSwitched, 0, 0xA2));
  CHECK_FALSE(t.tracker().carries(PeerId::kB));
  t.record(rec(sim::seconds(100) + milliseconds(16), PeerId::kA, TraceKind::kChildSaInstalled, 0xA2,
               0xB2));
  t.record(
      rec(sim::seconds(100) + milliseconds(16), PeerId::kA, TraceKind::kOutboundSwitched, 0, 0xB2));
  t.record(rec(sim::seconds(101), PeerId::kA, TraceKind::kChildSaDeleted, 0xA1, 0xB1));
  t.record(rec(sim::seconds(101), PeerId::kB, TraceKind::kChildSaDeleted, 0xB1, 0xA1));
  t.advance(sim::seconds(200));
  // A installs 0xA2 exactly one latency after B starts sending on it: B's first
  // packet on 0xA2 arrives just in time, nothing is dropped.
  CHECK(t.flow_from(PeerId::kB).dropped() == 0);
  CHECK(t.flow_from(PeerId::kA).dropped() == 0);

  // Now A installs 0xA3 40 ms after B switched to it: 24 ms of B's packets are lost.
  t.record(rec(sim::seconds(300), PeerId::kB, TraceKind::kChildSaInstalled, 0xB3, 0xA3));
  t.record(rec(sim::seconds(300), PeerId::kB, TraceKind::kOutboundSwitched, 0, 0xA3));
  t.record(rec(sim::seconds(300) + milliseconds(40), PeerId::kA, TraceKind::kChildSaInstalled, 0xA3,
               0xB3));
  t.advance(sim::seconds(400));
  const auto& lat = t.flow_from(PeerId::kB).lattice();
  const std::uint64_t expected = lat.in(sim::seconds(300), sim::seconds(300) + milliseconds(24));
  CHECK(expected >= 1);
  CHECK(t.flow_from(PeerId::kB).dropped() == expected);
  CHECK(log.total(0xA3) == expected);
}

namespace {
// A random history of SA changes for one flow, checked packet by packet.
struct Change {
  SimTime at;
  int what;  // 0: sender switches to spi, 1: receiver accepts spi, 2: receiver removes spi
  std::uint32_t spi;
};

// Packet k of the lattice leaves at phase + k * 1e12 / mpps ns (exact); the
// reference decides each packet with exact rational comparisons.
bool before(std::uint64_t k, const models::world::PacketLattice& l, SimTime t) {
  return static_cast<__int128>(k) * 1'000'000'000'000LL <
         static_cast<__int128>((t - l.phase()).ns()) * static_cast<__int128>(l.rate_mpps());
}
}  // namespace

TEST_CASE("ESP: closed-form drop counts equal a per-packet reference over random SA histories") {
  sim::Rng rng(2024);
  for (int scenario = 0; scenario < 300; ++scenario) {
    const double rates[] = {3.0, 37.0, 50.0, 100.0, 250.0};
    const double rate = rates[scenario % 5];
    const SimTime latency = milliseconds(static_cast<std::int64_t>(rng.uniform_int(40)));
    const Link link(fixed_link(latency));
    DropLog log;
    EspFlow f(flow(rate), link, sim::Rng(static_cast<std::uint64_t>(scenario) + 1), PeerId::kB,
              &log);
    // Five SPIs: each accepted at a random time and maybe removed later; the
    // sender switches between them (and to none) at random times.
    std::vector<Change> changes;
    for (std::uint32_t spi = 1; spi <= 5; ++spi) {
      const SimTime a =
          sim::nanoseconds(static_cast<std::int64_t>(rng.uniform_int(8'000'000'000ULL)));
      changes.push_back({a, 1, spi});
      if (rng.uniform01() < 0.7) {
        changes.push_back(
            {a + sim::nanoseconds(static_cast<std::int64_t>(rng.uniform_int(4'000'000'000ULL))), 2,
             spi});
      }
    }
    for (int i = 0; i < 8; ++i) {
      changes.push_back(
          {sim::nanoseconds(static_cast<std::int64_t>(rng.uniform_int(10'000'000'000ULL))), 0,
           static_cast<std::uint32_t>(rng.uniform_int(6))});
    }
    std::stable_sort(changes.begin(), changes.end(),
                     [](const Change& x, const Change& y) { return x.at < y.at; });
    for (const Change& c : changes) {
      if (rng.uniform01() < 0.5) f.advance(c.at);  // settle at arbitrary moments
      if (c.what == 0) f.set_outbound(c.at, c.spi);
      if (c.what == 1) f.set_inbound(c.at, c.spi, true);
      if (c.what == 2) f.set_inbound(c.at, c.spi, false);
    }
    const SimTime end = sim::seconds(15);
    f.advance(end);

    // Reference, one packet at a time.
    const auto& l = f.lattice();
    std::uint64_t dropped = 0, sent = 0;
    const SimTime horizon = end - latency;
    for (std::uint64_t k = 0; before(k, l, horizon); ++k) {
      std::uint32_t spi = 0;  // the last switch at or before the send time
      for (const Change& c : changes) {
        if (c.what == 0 && !before(k, l, c.at)) spi = c.spi;
      }
      if (spi == 0) continue;
      ++sent;
      bool accepted = false;  // accepted at <= arrival < removed
      SimTime from = SimTime::max(), until = SimTime::max();
      for (const Change& c : changes) {
        if (c.spi == spi && c.what == 1) from = c.at;
        if (c.spi == spi && c.what == 2) until = c.at;
      }
      if (from != SimTime::max()) {
        accepted = !before(k, l, from - latency) &&
                   (until == SimTime::max() || before(k, l, until - latency));
      }
      if (!accepted) ++dropped;
    }
    INFO("scenario " << scenario << " rate " << rate << " latency " << latency.ns());
    REQUIRE(f.dropped() == dropped);
    REQUIRE(f.sent() == sent);
    std::uint64_t logged = 0;
    // The sink also hears of packets that found no SA (kEspNoSa); drops only.
    for (const auto& r : log.records) logged += r.kind == TraceKind::kEspDropped ? r.count : 0;
    REQUIRE(logged == dropped);
  }
}

namespace {
// Sender keeps using SPI 1 until 2 s; the receiver removes it at 1 s. Latency
// uniform in [10 ms, 30 ms]: packets sent before 0.97 s always arrive in time,
// after 0.99 s never, in between with probability (t - 0.97 s) / 20 ms.
double mean_drops_with_jitter(double rate, int runs) {
  LinkConfig c;
  c.latency = sim::DurationDist::uniform(milliseconds(10), milliseconds(30));
  const Link link(c);
  double sum = 0;
  for (int i = 0; i < runs; ++i) {
    EspFlow f(flow(rate), link, sim::Rng(static_cast<std::uint64_t>(i) * 7 + 3), PeerId::kB,
              nullptr, SimTime{});
    f.set_inbound(SimTime{}, 1, true);
    f.set_outbound(SimTime{}, 1);
    f.set_inbound(sim::seconds(1), 1, false);
    f.set_outbound(sim::seconds(2), 0);
    f.advance(sim::seconds(5));
    sum += static_cast<double>(f.dropped());
  }
  return sum / runs;
}
}  // namespace

TEST_CASE(
    "ESP with jitter: per-packet draws in the uncertain window give the exact expected drops") {
  // 1000 pps: 20 packets in the window, expected sum k/20 for k = 0..19 = 9.5,
  // plus the 1010 packets of [0.99 s, 2 s).
  const int runs = 4000;
  const double mean = mean_drops_with_jitter(1000, runs);
  // Variance per run <= sum p (1 - p) < 5.
  CHECK(std::abs(mean - 1019.5) < 5 * std::sqrt(5.0 / runs));
}

TEST_CASE("ESP with jitter: stratified sampling of a busy uncertain window is unbiased") {
  // 100000 pps: 2000 packets in the window (more than kExactPackets), expected
  // 999.5 of them dropped, plus 101000 certain drops.
  const int runs = 400;
  const double mean = mean_drops_with_jitter(100000, runs);
  // Per-run sd ~ sqrt(64 * 31.25^2 / 4) = 125.
  CHECK(std::abs(mean - 101999.5) < 5 * 125 / std::sqrt(static_cast<double>(runs)));
}

TEST_CASE("ESP Poisson flow: drops in a dead window average rate * length") {
  const Link link(fixed_link(SimTime{}));
  const int runs = 2000;
  double sum = 0;
  for (int i = 0; i < runs; ++i) {
    EspFlow f(flow(200, true), link, sim::Rng(static_cast<std::uint64_t>(i) + 1), PeerId::kB,
              nullptr);
    f.set_inbound(SimTime{}, 1, true);
    f.set_outbound(SimTime{}, 1);
    f.set_inbound(sim::seconds(1), 1, false);
    f.set_outbound(sim::seconds(3), 0);
    f.advance(sim::seconds(4));
    sum += static_cast<double>(f.dropped());
  }
  CHECK(std::abs(sum / runs - 400) < 5 * std::sqrt(400.0 / runs));
}

TEST_CASE("ESP: packets the network loses are not counted as drops") {
  LinkConfig c = fixed_link(milliseconds(5));
  c.loss = 0.5;
  const Link link(c);
  const int runs = 2000;
  double sum = 0;
  for (int i = 0; i < runs; ++i) {
    EspFlow f(flow(100), link, sim::Rng(static_cast<std::uint64_t>(i) + 1), PeerId::kB, nullptr,
              SimTime{});
    f.set_inbound(SimTime{}, 1, true);
    f.set_outbound(SimTime{}, 1);
    f.set_inbound(sim::seconds(1), 1, false);
    f.set_outbound(sim::seconds(2), 0);
    f.advance(sim::seconds(3));
    sum += static_cast<double>(f.dropped());
  }
  // Sent in [0.995 s, 2 s): 1.000 .. 1.990 s = 100 packets, each lost with
  // probability 0.5 before it could be dropped: Binomial(100, 0.5).
  CHECK(std::abs(sum / runs - 50) < 5 * std::sqrt(25.0 / runs));
}

namespace {
// Three rekeys on a 16 ms link at 100 pps (packets every 10 ms from 0), settled
// every `step` (zero: once at the end). Returns the flow's drops per SPI 1..4.
std::vector<std::uint64_t> rekeys_settled_every(SimTime step, std::uint64_t* sent) {
  const Link link(fixed_link(milliseconds(16)));
  DropLog log;
  EspFlow f(flow(100), link, sim::Rng(7), PeerId::kB, &log, SimTime{});
  struct Change {
    SimTime at;
    int what;  // 0: sender switches to spi, 1: receiver accepts spi, 2: receiver removes spi
    std::uint32_t spi;
  };
  const Change changes[] = {
      {SimTime{}, 1, 1},           {SimTime{}, 0, 1},           {sim::seconds(10), 1, 2},
      {milliseconds(10500), 2, 1}, {milliseconds(10600), 0, 2}, {sim::seconds(20), 1, 3},
      {sim::seconds(20), 2, 2},    {milliseconds(20050), 0, 3}, {sim::seconds(30), 2, 3},
      {sim::seconds(30), 0, 4},    {milliseconds(30020), 1, 4}};
  SimTime next = step;
  for (const Change& c : changes) {
    for (; step > SimTime{} && next <= c.at; next = next + step) f.advance(next);
    if (c.what == 0) f.set_outbound(c.at, c.spi);
    if (c.what == 1) f.set_inbound(c.at, c.spi, true);
    if (c.what == 2) f.set_inbound(c.at, c.spi, false);
  }
  for (; step > SimTime{} && next < sim::seconds(40); next = next + step) f.advance(next);
  f.advance(sim::seconds(40));
  *sent = f.sent();
  return {log.total(1), log.total(2), log.total(3), log.total(4)};
}
}  // namespace

TEST_CASE("ESP: removed SPIs are forgotten without changing the drops wherever the settles fall") {
  // SPI 1 removed at 10.5 s, used until 10.6 s: sent 10.49 .. 10.59 s, 11
  // packets. SPI 2 removed at 20 s, used until 20.05 s: 19.99 .. 20.04 s, 6.
  // SPI 3 removed at 30 s when the sender leaves it: 29.99 s arrives after.
  // SPI 4 used from 30 s, accepted at 30.02 s: 30.00 s arrives before.
  const std::vector<std::uint64_t> expected = {11, 6, 1, 1};
  for (const SimTime step : {SimTime{}, milliseconds(3), milliseconds(250), sim::seconds(7)}) {
    INFO("settled every " << step.ns() << " ns");
    std::uint64_t sent = 0;
    CHECK(rekeys_settled_every(step, &sent) == expected);
    CHECK(sent == 3999);  // 0 .. 39.98 s (settled up to 39.984 s), all on an SA
  }
}
