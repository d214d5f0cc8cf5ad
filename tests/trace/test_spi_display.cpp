// LogContext::first_ike_spi (tools/trace/spi_display.cpp) on hand-built
// traces: whose own SPI of an IKE SA is which (RFC 7296 3.1: the creator's is
// the initiator SPI, 2.18 for a rekeyed SA), read from the whole trial when
// the window does not show the creating exchange; the mapping stays
// one-to-one when a given value is some other SA's simulated SPI.
#include <catch2/catch.hpp>

#include "synthetic.hpp"
#include "tools/trace/trace_views.hpp"

using models::ExchangeType;
using models::Message;
using models::PeerId;
using models::ProtocolId;
using models::TraceKind;
using models::TraceRecord;

namespace trace = rekeysim::trace;

namespace {

constexpr std::uint64_t kOld = 0x0101010101010101ull;   // the IKE SA being rekeyed
constexpr std::uint64_t kNewI = 0x2222222222222222ull;  // new SA: initiator SPI (B's)
constexpr std::uint64_t kNewR = 0x3333333333333333ull;  // new SA: responder SPI (A's)

// B rekeys IKE SA kOld (CREATE_CHILD_SA with SA(IKE), A answers with its
// SPI), then, later, both peers exchange an INFORMATIONAL on the new SA.
std::vector<TraceRecord> trial() {
  synthetic::TraceWriter w(sim::seconds(100));
  Message req;
  req.exchange = ExchangeType::kCreateChildSa;
  req.message_id = 4;
  req.ike_sa = kOld;
  req.sa_protocol = ProtocolId::kIke;
  req.sa_spi = kNewI;
  w.send(PeerId::kB, req);
  Message resp = req;
  resp.is_response = true;
  resp.sa_spi = kNewR;
  w.after(sim::milliseconds(16)).send(PeerId::kA, resp);
  Message info;
  info.exchange = ExchangeType::kInformational;
  info.ike_sa = kNewI;
  info.message_id = 0;
  w.at(sim::seconds(200)).send(PeerId::kA, info);
  w.after(sim::milliseconds(16)).receive(PeerId::kB, info);
  return w.records();
}

}  // namespace

TEST_CASE(
    "SPI display: first_ike_spi maps each peer's own SPI of its first IKE SA, the creator's "
    "being the initiator SPI, read from the whole trial") {
  const std::vector<TraceRecord> all = trial();
  const std::span<const TraceRecord> window(all.data() + 2, 2);  // the INFORMATIONAL only
  trace::LogContext c;
  c.first_ike_spi[0] = 0xaaaa;  // A: responder of kNewI
  c.first_ike_spi[1] = 0xbbbb;  // B: initiator of kNewI
  c.history = all;
  const trace::SpiDisplay d = trace::spi_display(window, c);
  // Each given value, should some SA have it, takes the value it replaces.
  CHECK(d.ike == std::map<std::uint64_t, std::uint64_t>{
                     {kNewI, 0xbbbb}, {kNewR, 0xaaaa}, {0xbbbb, kNewI}, {0xaaaa, kNewR}});
  CHECK(d.responder == std::map<std::uint64_t, std::uint64_t>{{0xbbbb, 0xaaaa}});
  // Applied to the whole trial: the rekey's SA payloads carry both.
  const auto shown = trace::apply_spis(all, d);
  CHECK(shown[0].message.sa_spi == 0xbbbb);
  CHECK(shown[1].message.sa_spi == 0xaaaa);
  CHECK(shown[2].message.ike_sa == 0xbbbb);
  CHECK(shown[0].message.ike_sa == kOld);
  // Without the history the window alone cannot tell who created kNewI: it
  // counts as A's (as the trial's first IKE SA is), and the Cisco stand-in
  // responder SPI (~initiator) is what B's value replaces.
  trace::LogContext alone = c;
  alone.history = {};
  const trace::SpiDisplay guess = trace::spi_display(window, alone);
  CHECK(guess.ike == std::map<std::uint64_t, std::uint64_t>{
                         {kNewI, 0xaaaa}, {~kNewI, 0xbbbb}, {0xaaaa, kNewI}, {0xbbbb, ~kNewI}});
  CHECK(guess.responder == std::map<std::uint64_t, std::uint64_t>{{0xaaaa, 0xbbbb}});
}

TEST_CASE(
    "SPI display: a given IKE SPI equal to another SA's simulated SPI swaps with the freed one, "
    "so distinct SPIs stay distinct") {
  const std::vector<TraceRecord> all = trial();
  const std::span<const TraceRecord> window(all.data() + 2, 2);
  trace::LogContext c;
  c.history = all;
  c.first_ike_spi[1] = kOld;  // B's own SPI of kNewI shown as kOld's value
  const trace::SpiDisplay d = trace::spi_display(window, c);
  CHECK(d.ike == std::map<std::uint64_t, std::uint64_t>{{kNewI, kOld}, {kOld, kNewI}});
  // B is the initiator: no responder SPI given; A's, from the rekey's
  // response, under the SA's shown initiator SPI.
  CHECK(d.responder == std::map<std::uint64_t, std::uint64_t>{{kOld, kNewR}});
  const auto shown = trace::apply_spis(all, d);
  CHECK(shown[0].message.ike_sa == kNewI);
  CHECK(shown[0].message.sa_spi == kOld);
  CHECK(shown[2].message.ike_sa == kOld);
  // Nothing set: nothing changes.
  CHECK(trace::spi_display(window, trace::LogContext{}).ike.empty());
}

TEST_CASE(
    "SPI display: with nothing set, each IKE SA's responder SPI is the one its creating response "
    "carried, read from the whole trial (issue 12)") {
  const std::vector<TraceRecord> all = trial();
  const std::span<const TraceRecord> window(all.data() + 2, 2);  // the INFORMATIONAL only
  trace::LogContext c;
  c.history = all;
  const trace::SpiDisplay d = trace::spi_display(window, c);
  CHECK(d.ike.empty());
  // RFC 7296 2.18: the new SA's responder SPI is the SPI of the rekey
  // response's SA payload (kOld's own creation is not in the trial).
  CHECK(d.responder == std::map<std::uint64_t, std::uint64_t>{{kNewI, kNewR}});
  // The window alone does not hold that response: nothing to print but the
  // styles' stand-in.
  CHECK(trace::spi_display(window, trace::LogContext{}).responder.empty());
  // A window holding the response is enough.
  CHECK(trace::spi_display(std::span<const TraceRecord>(all.data(), 2), trace::LogContext{})
            .responder == std::map<std::uint64_t, std::uint64_t>{{kNewI, kNewR}});
}
