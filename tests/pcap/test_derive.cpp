// What a capture derives from the trace: each IKE SA's original initiator and
// responder SPI, and the ESP packet sequence (SPI in force per the trace's
// outbound switches, sequence numbers counted per SA from its first use).
#include <catch2/catch.hpp>

#include "tools/pcap/esp_packets.hpp"
#include "tools/pcap/ike_sas.hpp"

using namespace rekeysim::pcap;
using models::PeerId;
using models::TraceKind;
using models::TraceRecord;

namespace {

TraceRecord rec(sim::SimTime t, PeerId p, TraceKind k) {
  TraceRecord r;
  r.time = t;
  r.peer = p;
  r.kind = k;
  return r;
}

}  // namespace

TEST_CASE("IKE SA roles: the rekey requester initiates the new SA, the response names its SPI") {
  const KeyDeriver keys(42, 0);
  std::vector<TraceRecord> rs;
  TraceRecord req = rec(sim::seconds(1), PeerId::kB, TraceKind::kMessageSent);
  req.message.exchange = models::ExchangeType::kCreateChildSa;
  req.message.ike_sa = 0x100;
  req.message.message_id = 4;
  req.message.sa_protocol = models::ProtocolId::kIke;
  req.message.sa_spi = 0x200;
  rs.push_back(req);
  TraceRecord resp =
      rec(sim::seconds(1) + sim::milliseconds(16), PeerId::kA, TraceKind::kMessageSent);
  resp.message = req.message;
  resp.message.is_response = true;
  resp.message.sa_spi = 0x300;
  rs.push_back(resp);
  const IkeSaDirectory dir(rs, keys);
  const IkeSaIdentity fresh = dir.find(0x200);
  CHECK(fresh.original_initiator == PeerId::kB);
  CHECK(fresh.responder_spi == 0x300);
  CHECK_FALSE(fresh.responder_spi_derived);
  // The IKE SA the trial started with: A initiated it (Peer::establish), and
  // its responder SPI is derived, never 0, the same every time.
  const IkeSaIdentity first = dir.find(0x100);
  CHECK(first.original_initiator == PeerId::kA);
  CHECK(first.responder_spi_derived);
  CHECK(first.responder_spi != 0);
  CHECK(first.responder_spi == IkeSaDirectory(rs, keys).find(0x100).responder_spi);
}

TEST_CASE("ESP packets: the sender's SPI per its outbound switches, sequence numbers per SA") {
  const KeyDeriver keys(42, 0);
  std::vector<TraceRecord> rs;
  TraceRecord install = rec(sim::seconds(0), PeerId::kA, TraceKind::kChildSaInstalled);
  install.spi_in = 0x10;
  install.spi_out = 0x11;  // A sends on 0x11 from t = 0
  rs.push_back(install);
  TraceRecord install2 = rec(sim::milliseconds(900), PeerId::kA, TraceKind::kChildSaInstalled);
  install2.spi_in = 0x20;
  install2.spi_out = 0x21;
  rs.push_back(install2);
  TraceRecord sw = rec(sim::seconds(1), PeerId::kA, TraceKind::kOutboundSwitched);
  sw.spi_in = 0x20;
  sw.spi_out = 0x21;
  rs.push_back(sw);
  models::TrafficConfig traffic;
  traffic.a_to_b.rate_pps = 10;  // B sends nothing: rate 0
  const auto ps =
      derive_esp_packets(rs, traffic, sim::milliseconds(500), sim::milliseconds(1500), keys);
  REQUIRE(ps.size() == 10);  // 1 s at 10 pps, from a phase in [0, 100 ms)
  // Five packets left on 0x11 before the window, so the first one in it is the sixth.
  CHECK(ps.front().spi == 0x11);
  CHECK(ps.front().seq == 6);
  std::uint32_t seq_new = 0;
  for (std::size_t i = 0; i < ps.size(); ++i) {
    CHECK(ps[i].sender == PeerId::kA);
    if (i) CHECK(ps[i].time - ps[i - 1].time == sim::milliseconds(100));
    if (ps[i].time < sim::seconds(1)) {
      CHECK(ps[i].spi == 0x11);
      CHECK(ps[i].seq == 6 + i);
    } else {
      CHECK(ps[i].spi == 0x21);
      CHECK(ps[i].seq == ++seq_new);
    }
  }
  CHECK(seq_new == 5);
  // Same inputs, same packets.
  const auto again =
      derive_esp_packets(rs, traffic, sim::milliseconds(500), sim::milliseconds(1500), keys);
  CHECK(again.size() == ps.size());
  CHECK(again.back().time == ps.back().time);
}

TEST_CASE("ESP packets: falling back to an older SA continues its sequence numbers") {
  const KeyDeriver keys(42, 0);
  std::vector<TraceRecord> rs;
  TraceRecord install = rec(sim::seconds(0), PeerId::kA, TraceKind::kChildSaInstalled);
  install.spi_in = 0x10;
  install.spi_out = 0x11;
  rs.push_back(install);
  TraceRecord install2 = rec(sim::milliseconds(900), PeerId::kA, TraceKind::kChildSaInstalled);
  install2.spi_in = 0x20;
  install2.spi_out = 0x21;
  rs.push_back(install2);
  TraceRecord sw = rec(sim::milliseconds(1000), PeerId::kA, TraceKind::kOutboundSwitched);
  sw.spi_in = 0x20;
  sw.spi_out = 0x21;
  rs.push_back(sw);
  // The new SA's outbound half goes: A falls back to its newest remaining one.
  TraceRecord gone = rec(sim::milliseconds(1200), PeerId::kA, TraceKind::kOutboundRemoved);
  gone.spi_in = 0x20;
  gone.spi_out = 0x21;
  rs.push_back(gone);
  models::TrafficConfig traffic;
  traffic.a_to_b.rate_pps = 10;
  const auto ps =
      derive_esp_packets(rs, traffic, sim::milliseconds(500), sim::milliseconds(1500), keys);
  REQUIRE(ps.size() == 10);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> got;
  for (const auto& p : ps) got.push_back({p.spi, p.seq});
  const std::vector<std::pair<std::uint32_t, std::uint32_t>> want = {
      {0x11, 6}, {0x11, 7}, {0x11, 8},  {0x11, 9},  {0x11, 10},
      {0x21, 1}, {0x21, 2}, {0x11, 11}, {0x11, 12}, {0x11, 13}};
  CHECK(got == want);
}

TEST_CASE(
    "ESP packets: without an SA only no_sa_policy clear sends, in clear, and link-down ones are "
    "marked") {
  const KeyDeriver keys(42, 0);
  std::vector<TraceRecord> rs;
  TraceRecord install = rec(sim::seconds(0), PeerId::kA, TraceKind::kChildSaInstalled);
  install.spi_in = 0x10;
  install.spi_out = 0x11;  // A sends on 0x11 from t = 0 ...
  rs.push_back(install);
  rs.push_back(rec(sim::seconds(1), PeerId::kA, TraceKind::kTunnelDown));  // ... and none from 1 s
  models::TrafficConfig traffic;
  traffic.a_to_b.rate_pps = 10;
  models::LinkConfig lc;
  lc.down = {{sim::milliseconds(600), sim::milliseconds(200), {}}};  // [600 ms, 800 ms)
  const models::world::Link link(lc);
  for (models::NoSaPolicy policy :
       {models::NoSaPolicy::kTrap, models::NoSaPolicy::kDrop, models::NoSaPolicy::kClear}) {
    EspSenders senders;
    senders.no_sa = {policy, models::NoSaPolicy::kTrap};
    senders.links = {&link, nullptr};
    const auto ps = derive_esp_packets(rs, traffic, sim::milliseconds(500), sim::milliseconds(1500),
                                       keys, senders);
    const bool clear = policy == models::NoSaPolicy::kClear;
    // 10 pps over 1 s: five on 0x11 before 1 s, five without an SA after it.
    REQUIRE(ps.size() == (clear ? 10u : 5u));
    std::size_t down = 0;
    for (const auto& p : ps) {
      CHECK(p.spi == (p.time < sim::seconds(1) ? 0x11u : 0u));
      CHECK(p.link_down == (p.time >= sim::milliseconds(600) && p.time < sim::milliseconds(800)));
      down += p.link_down ? 1 : 0;
    }
    CHECK(down == 2);  // 200 ms at 10 pps
  }
}
