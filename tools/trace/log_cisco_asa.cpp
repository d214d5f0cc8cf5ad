// Cisco ASA / FTD IKEv2 debug shapes (`debug crypto ikev2 protocol 127`,
// `debug crypto ikev2 platform 127`) plus the ASA syslog messages an SA's
// life produces. Sources (public):
//  - Cisco TAC "ASA IKEv2 Debugs for Site-to-Site VPN with PSKs" (doc 115935,
//    https://www.cisco.com/c/en/us/support/docs/security/asa-5500-x-series-next-generation-firewalls/115935-asa-ikev2-debugs.html):
//    the debug commands and the IKEv2-PROTO packet records.
//  - Cisco bugs CSCwc54984 and CSCvx23833 (ASA/FTD rekeying with a Palo Alto
//    peer; https://findbugzero.com/operational-defect-database/vendors/cisco/defects/CSCwc54984):
//    "IKEv2-PLAT-5: RECV PKT [CREATE_CHILD_SA] [rip]:port->[lip]:port
//    InitSPI=0x.. RespSPI=0x.. MID=..", "IKEv2-PLAT-4: Received PFKEY
//    delete|add|update SA for SPI 0x.. error FALSE", "IKEv2-PROTO-4: (n):
//    Received Packet [From ../To ../VRF i0:f0]" with its un-prefixed
//    continuation lines, and the %FTD-x-711001 wrapping of debug lines.
//  - Cisco ASA syslog guide (messages 602101-622102 and 400000-450001):
//    %ASA-6-602303 / 602304 (SA created / deleted, one per direction) and
//    %ASA-4-402114 (ESP with an invalid SPI, rate-limited to one per 5 s).
// Line prefix: the ASA's `logging timestamp` form "Jul 06 2025 03:32:18: "
// on syslog messages; debug lines carry "Jul 06 03:32:18 " as in the bug
// excerpts, or, with LogContext::syslog_wrap, become the syslog message
// "%ASA-7-711001: <debug line>" (FTD: "%FTD-7-711001: ...").
// Inferred (printed only with LogContext::inferred_lines): "SENT PKT" (the
// transmit twin of RECV PKT), "Sending Packet" (IOS wording, same IKEv2
// code base), "Sending DELETE INFO message" (IOS wording).
// The responder IKE SPI is the one the SA's creating response carried
// (LogContext::responder_spis, filled by render_log() from the whole trial),
// the same as in the --pcap capture and JSONL. ESP sequence numbers are not simulated either:
// 402114 prints the drop's ordinal.
#include <cstdio>
#include <map>

#include "tools/trace/format_common.hpp"
#include "tools/trace/log_styles.hpp"

namespace rekeysim::trace::detail {

namespace {

using models::ExchangeType;
using models::PeerId;
using models::ProtocolId;
using models::TraceKind;
using models::TraceRecord;

class AsaWriter {
 public:
  AsaWriter(std::span<const TraceRecord> records, const LogContext& c) : records_(records), c_(c) {}

  std::vector<LogLine> run() {
    for (const TraceRecord& r : records_) write(r);
    return std::move(lines_);
  }

 private:
  std::size_t index(const TraceRecord& r) const {
    return static_cast<std::size_t>(&r - records_.data());
  }

  std::string syslog_stamp(const TraceRecord& r) const {
    const CivilTime t = civil_time(r.time, c_.epoch_unix_seconds, c_.utc_offset_minutes);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%s %02d %04lld %02d:%02d:%02d: ", month_abbrev(t.month), t.day,
                  static_cast<long long>(t.year), t.hour, t.minute, t.second);
    return buf;
  }

  // A syslog message: "%ASA-<sev>-<id>: <text>".
  void syslog(const TraceRecord& r, int severity, int id, const std::string& text) {
    const std::string facility = c_.syslog_wrap == "FTD" ? "FTD" : "ASA";
    lines_.push_back({r.peer, index(r),
                      syslog_stamp(r) + "%" + facility + "-" + std::to_string(severity) + "-" +
                          std::to_string(id) + ": " + text});
  }

  // A debug line; continuation lines of a packet record have no prefix.
  void debug(const TraceRecord& r, const std::string& text, bool continuation = false) {
    if (!c_.syslog_wrap.empty()) {
      syslog(r, 7, 711001, text);
      return;
    }
    if (continuation) {
      lines_.push_back({r.peer, index(r), text});
      return;
    }
    const CivilTime t = civil_time(r.time, c_.epoch_unix_seconds, c_.utc_offset_minutes);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s %02d %02d:%02d:%02d ", month_abbrev(t.month), t.day, t.hour,
                  t.minute, t.second);
    lines_.push_back({r.peer, index(r), buf + text});
  }

  std::string session() const { return "(" + std::to_string(c_.tunnel_id) + "): "; }

  void packet(const TraceRecord& r, bool sent) {
    const models::Message& m = r.message;
    const PeerView v = peer_view(c_, r.peer);
    const std::string port = std::to_string(c_.ike_port);
    const std::string exch{models::to_string(m.exchange)};
    char mid[16];
    std::snprintf(mid, sizeof mid, "%08X", m.message_id);
    const std::string ispi = detail::hex64_upper(m.ike_sa);
    const std::string rspi = detail::hex64_upper(detail::responder_spi(c_, m.ike_sa));
    if (sent && !c_.inferred_lines) return;
    const std::string plat = std::string(sent ? "SENT PKT [" : "RECV PKT [") + exch + "] [" +
                             (sent ? v.local_address : v.remote_address) + "]:" + port + "->[" +
                             (sent ? v.remote_address : v.local_address) + "]:" + port +
                             " InitSPI=0x" + ispi + " RespSPI=0x" + rspi + " MID=" + mid;
    debug(r, "IKEv2-PLAT-5: " + plat);
    const std::string head = sent ? "Sending Packet [To " + v.remote_address + ":" + port +
                                        "/From " + v.local_address + ":" + port + "/VRF i0:f0]"
                                  : "Received Packet [From " + v.remote_address + ":" + port +
                                        "/To " + v.local_address + ":" + port + "/VRF i0:f0]";
    debug(r, "IKEv2-PROTO-4: " + session() + head);
    debug(r,
          session() + "Initiator SPI : " + ispi + " - Responder SPI : " + rspi +
              " Message id: " + std::to_string(m.message_id),
          true);
    debug(r, session() + "IKEv2 " + exch + " Exchange " + (m.is_response ? "RESPONSE" : "REQUEST"),
          true);
  }

  void sa_syslog(const TraceRecord& r, bool created, const char* direction, std::uint32_t spi) {
    const PeerView v = peer_view(c_, r.peer);
    syslog(r, 6, created ? 602303 : 602304,
           std::string("IPSEC: An ") + direction + " LAN-to-LAN SA (SPI= " + hex_upper(spi) +
               ") between " + v.local_address + " and " + v.remote_address +
               " (user= " + v.remote_address + ") has been " + (created ? "created." : "deleted."));
  }

  void write(const TraceRecord& r) {
    const models::Message& m = r.message;
    switch (r.kind) {
      case TraceKind::kMessageSent:
        if (m.delete_protocol == ProtocolId::kEsp && !m.is_response && c_.inferred_lines) {
          for (int k = 0; k < m.delete_count && k < models::Message::kMaxDeleteSpis; ++k) {
            debug(r, "IKEv2-PROTO-4: " + session() +
                         "Sending DELETE INFO message for IPsec SA [SPI: " +
                         hex_upper(m.delete_spis[static_cast<std::size_t>(k)]) + "]");
          }
        }
        packet(r, true);
        break;
      case TraceKind::kMessageReceived:
        packet(r, false);
        break;
      case TraceKind::kChildSaInstalled:
        // The inbound SA arrives by PFKEY update (its SPI was reserved by
        // GETSPI), the outbound one by PFKEY add.
        debug(r, "IKEv2-PLAT-4: Received PFKEY update SA for SPI " + hex_upper(r.spi_in) +
                     ", error FALSE");
        sa_syslog(r, true, "inbound", r.spi_in);
        break;
      case TraceKind::kOutboundSwitched:
        debug(r, "IKEv2-PLAT-4: Received PFKEY add SA for SPI " + hex_upper(r.spi_out) +
                     ", error FALSE");
        sa_syslog(r, true, "outbound", r.spi_out);
        break;
      case TraceKind::kInboundRemoved:
        debug(r, "IKEv2-PLAT-4: Received PFKEY delete SA for SPI " + hex_upper(r.spi_in) +
                     " error FALSE");
        sa_syslog(r, false, "inbound", r.spi_in);
        break;
      case TraceKind::kOutboundRemoved:
        sa_syslog(r, false, "outbound", r.spi_out);
        break;
      case TraceKind::kEspDropped: {
        // 402114 is rate-limited to one message per 5 s (syslog guide).
        auto& last = last_402114_[static_cast<std::size_t>(r.peer)];
        ++drops_[static_cast<std::size_t>(r.peer)];
        if (last && r.time - *last < sim::seconds(5)) break;
        last = r.time;
        const PeerView v = peer_view(c_, r.peer);
        char seq[16];
        std::snprintf(seq, sizeof seq, "0x%08X",
                      static_cast<unsigned>(drops_[static_cast<std::size_t>(r.peer)]));
        syslog(r, 4, 402114,
               "IPSEC: Received an ESP packet (SPI= " + hex_upper(r.spi_in) +
                   ", sequence number= " + seq + ") from " + v.remote_address + " to " +
                   v.local_address + " with an invalid SPI.");
        break;
      }
      default:
        break;  // collision decisions and losses: no public ASA text (750005 unverified)
    }
  }

  std::span<const TraceRecord> records_;
  const LogContext& c_;
  std::vector<LogLine> lines_;
  std::optional<sim::SimTime> last_402114_[2];
  std::uint64_t drops_[2] = {0, 0};
};

}  // namespace

std::vector<LogLine> cisco_asa_lines(std::span<const TraceRecord> records, const LogContext& c) {
  return AsaWriter(records, c).run();
}

}  // namespace rekeysim::trace::detail
