// Cisco IOS / IOS-XE `debug crypto ikev2` shapes with
// `service timestamps debug datetime msec`, plus the %CRYPTO syslog message
// for ESP that arrives on an SPI the router no longer has. Sources (public):
//  - Cisco TAC "IOS IKEv2 Debugs for Site-to-Site VPN with PSKs" (doc 115934,
//    http://www.cisco.com/c/en/us/support/docs/ip/internet-key-exchange-ike/115934-technote-ikev2-00.html):
//    "IKEv2:(SESSION ID = n,SA ID = n):Sending Packet [To rip:port/From
//    lip:port/VRF i0:f0]" / "Received Packet [...]" records with their
//    continuation lines ("Initiator SPI : <16 hex> - Responder SPI : <16 hex>
//    Message id: <dec>", "IKEv2 <EXCHANGE> Exchange REQUEST|RESPONSE",
//    "Payload contents:", " ENCR"), "Sending DELETE INFO message for IPsec SA
//    [SPI: 0x..]", "Processing ACK to informational exchange".
//  - An IOS-XE lab log (cited in tools/trace/README.md) for
//    "%CRYPTO-4-RECVD_PKT_INV_SPI: decaps: rec'd IPSEC packet has invalid spi
//    for destaddr=.., prot=50, spi=0x..(<decimal>), srcaddr=.., input
//    interface=..".
// Prefix "Jul  6 03:32:18.287: " (an NTP-synced clock; an unsynced one adds a
// leading '*'). The responder IKE SPI is the one the SA's creating response
// carried (LogContext::responder_spis), as in the --pcap capture. The IOS rate limit of
// RECVD_PKT_INV_SPI is not documented; one line per SPI per 5 s is printed
// (the ASA's documented limit for its equivalent message) -- an assumption.
#include <cstdio>
#include <map>

#include "tools/trace/format_common.hpp"
#include "tools/trace/log_styles.hpp"

namespace rekeysim::trace::detail {

namespace {

using models::ProtocolId;
using models::TraceKind;
using models::TraceRecord;

class IosWriter {
 public:
  IosWriter(std::span<const TraceRecord> records, const LogContext& c) : records_(records), c_(c) {}

  std::vector<LogLine> run() {
    for (const TraceRecord& r : records_) write(r);
    return std::move(lines_);
  }

 private:
  void line(const TraceRecord& r, const std::string& text) {
    lines_.push_back({r.peer, static_cast<std::size_t>(&r - records_.data()),
                      syslog_time(r, c_, 3) + ": " + text});
  }
  void continuation(const TraceRecord& r, const std::string& text) {
    lines_.push_back({r.peer, static_cast<std::size_t>(&r - records_.data()), text});
  }

  std::string session() const { return "IKEv2:(SESSION ID = 1,SA ID = 1):"; }

  void packet(const TraceRecord& r, bool sent) {
    const models::Message& m = r.message;
    const PeerView v = peer_view(c_, r.peer);
    const std::string port = std::to_string(c_.ike_port);
    line(r, session() + (sent ? "Sending Packet [To " + v.remote_address + ":" + port + "/From " +
                                    v.local_address + ":" + port + "/VRF i0:f0]"
                              : "Received Packet [From " + v.remote_address + ":" + port + "/To " +
                                    v.local_address + ":" + port + "/VRF i0:f0]"));
    continuation(r, "Initiator SPI : " + detail::hex64_upper(m.ike_sa) + " - Responder SPI : " +
                        detail::hex64_upper(detail::responder_spi(c_, m.ike_sa)) +
                        " Message id: " + std::to_string(m.message_id));
    continuation(r, "IKEv2 " + std::string{models::to_string(m.exchange)} + " Exchange " +
                        (m.is_response ? "RESPONSE" : "REQUEST"));
    continuation(r, "Payload contents:");
    continuation(r, " ENCR");  // encrypted: the decrypted dump needs `debug crypto ikev2 packet`
  }

  void write(const TraceRecord& r) {
    const models::Message& m = r.message;
    switch (r.kind) {
      case TraceKind::kMessageSent:
        if (m.delete_protocol == ProtocolId::kEsp && !m.is_response) {
          for (int k = 0; k < m.delete_count && k < models::Message::kMaxDeleteSpis; ++k) {
            line(r, session() + "Sending DELETE INFO message for IPsec SA [SPI: " +
                        hex_upper(m.delete_spis[static_cast<std::size_t>(k)]) + "]");
          }
        }
        packet(r, true);
        break;
      case TraceKind::kMessageReceived:
        packet(r, false);
        if (m.is_response && m.exchange == models::ExchangeType::kInformational) {
          line(r, session() + "Processing ACK to informational exchange");
        }
        break;
      case TraceKind::kTunnelDown:
        line(r, session() + "Deleting SA");
        break;
      case TraceKind::kEspDropped: {
        auto& last = last_[{static_cast<int>(r.peer), r.spi_in}];
        if (last && r.time - *last < sim::seconds(5)) break;
        last = r.time;
        const PeerView v = peer_view(c_, r.peer);
        line(r,
             "%CRYPTO-4-RECVD_PKT_INV_SPI: decaps: rec'd IPSEC packet has invalid spi for "
             "destaddr=" +
                 v.local_address + ", prot=50, spi=" + hex_upper(r.spi_in) + "(" +
                 std::to_string(r.spi_in) + "), srcaddr=" + v.remote_address +
                 ", input interface=GigabitEthernet1");
        break;
      }
      default:
        break;  // SA installs and collision decisions have no public IOS debug text
    }
  }

  std::span<const TraceRecord> records_;
  const LogContext& c_;
  std::vector<LogLine> lines_;
  std::map<std::pair<int, std::uint32_t>, std::optional<sim::SimTime>> last_;
};

}  // namespace

std::vector<LogLine> cisco_ios_lines(std::span<const TraceRecord> records, const LogContext& c) {
  return IosWriter(records, c).run();
}

}  // namespace rekeysim::trace::detail
