// PAN-OS ikemgr.log shapes (PAN-OS 10/11 layout, as in the 2025 KB sample
// https://knowledgebase.paloaltonetworks.com/KCSArticleDetail?id=kA1Ki000000TNW8KAO):
//   "2025-07-06 03:32:18.287 -0400 [INFO]: { 7: }: <message>"
// IKE-SA-level lines carry "{ <gw>: }", tunnel-level lines "{ <gw>: <tunnel>}";
// the IPSEC KEY banners are followed by a continuation line with no prefix.
// SPIs are printed "0x%08X". Lines whose wording is not in a public sample
// (tools/trace/README.md marks them [I]) are printed only with
// LogContext::inferred_lines.
#include <cstdio>
#include <map>
#include <set>

#include "tools/trace/format_common.hpp"
#include "tools/trace/log_styles.hpp"

namespace rekeysim::trace::detail {

namespace {

using models::ExchangeType;
using models::PeerId;
using models::ProtocolId;
using models::TraceKind;
using models::TraceRecord;

class PanosWriter {
 public:
  PanosWriter(std::span<const TraceRecord> records, const LogContext& c)
      : records_(records), c_(c) {}

  std::vector<LogLine> run() {
    for (std::size_t i = 0; i < records_.size(); ++i) write(i);
    return std::move(lines_);
  }

 private:
  struct PeerState {
    std::set<std::uint32_t> sadb_deleted;     // inbound SPIs already logged as SADB_DELETE
    std::set<std::uint32_t> rekey_initiated;  // old inbound SPIs this peer sent REKEY_SA for
    bool ike_rekey_initiated = false;
  };

  std::string prefix(const TraceRecord& r, const char* level, bool tunnel) const {
    const CivilTime t = civil_time(r.time, c_.epoch_unix_seconds, c_.utc_offset_minutes);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04lld-%02d-%02d %02d:%02d:%02d.%03d %s [%s]: { %d: ",
                  static_cast<long long>(t.year), t.month, t.day, t.hour, t.minute, t.second,
                  t.millisecond, utc_offset_text(c_.utc_offset_minutes).c_str(), level,
                  c_.gateway_id);
    std::string s = buf;
    if (tunnel) s += std::to_string(c_.tunnel_id);
    return s + "}: ";
  }

  void line(const TraceRecord& r, const char* level, bool tunnel, const std::string& text) {
    lines_.push_back({r.peer, index(r), prefix(r, level, tunnel) + text});
  }
  void continuation(const TraceRecord& r, const std::string& text) {
    lines_.push_back({r.peer, index(r), text});
  }

  std::string endpoints(PeerId p, int port) const {
    const PeerView v = peer_view(c_, p);
    return v.local_address + "[" + std::to_string(port) + "]-" + v.remote_address + "[" +
           std::to_string(port) + "]";
  }

  void sadb_delete(const TraceRecord& r, std::uint32_t spi_in) {
    const PeerView v = peer_view(c_, r.peer);
    line(r, "INFO", true,
         "SADB_DELETE proto=255 src=" + v.remote_address + "[0] dst=" + v.local_address +
             "[0] ESP spi=" + hex_upper(spi_in));
    state(r.peer).sadb_deleted.insert(spi_in);
  }

  PeerState& state(PeerId p) { return peers_[static_cast<std::size_t>(p)]; }
  std::size_t index(const TraceRecord& r) const {
    return static_cast<std::size_t>(&r - records_.data());
  }

  void write(std::size_t i) {
    const TraceRecord& r = records_[i];
    const models::Message& m = r.message;
    const bool inferred = c_.inferred_lines;
    switch (r.kind) {
      case TraceKind::kMessageSent:
        if (m.is_response) break;  // ikemgr does not log responses it sends (no sample)
        if (m.exchange == ExchangeType::kInformational) {
          // [V] P1 + P2; caller names the racoon2 function that starts the exchange.
          const char* caller = m.delete_protocol == ProtocolId::kIke ? "ikev2_sa_delete"
                               : m.delete_protocol != ProtocolId::kNone
                                   ? "ikev2_child_delete"
                                   : "ikev2_informational_initiator_notify";
          line(r, "INFO", false,
               std::string("ikev2_request_initiator_start: SA state ESTABLISHED type 3 caller ") +
                   caller);
          char mid[16];
          std::snprintf(mid, sizeof mid, "0x%08x", m.message_id);
          line(r, "INFO", false,
               "IKEv2 INFO transmit: gateway " + c_.gateway_name + ", message_id: " + mid +
                   ", type 3 SA state ESTABLISHED");
        } else if (m.exchange == ExchangeType::kCreateChildSa && inferred) {
          negotiation_started(r, "initiator");
          if (m.notify == models::NotifyType::kRekeySa) {
            state(r.peer).rekey_initiated.insert(m.notify_spi);
          }
          if (m.sa_protocol == ProtocolId::kIke) state(r.peer).ike_rekey_initiated = true;
        }
        break;
      case TraceKind::kMessageReceived:
        if (m.delete_protocol == ProtocolId::kEsp) {
          // [V] P6 + P7 (racoon2 ikev2.c:4704 "delete proto %s spi 0x%08x").
          line(r, "INFO", false,
               "received DELETE payload, protocol ESP, num of SPI: " +
                   std::to_string(m.delete_count) + " IKE SA state ESTABLISHED");
          for (int k = 0; k < m.delete_count && k < models::Message::kMaxDeleteSpis; ++k) {
            line(r, "INFO", false,
                 "delete proto ESP spi " + hex_upper(m.delete_spis[static_cast<std::size_t>(k)]));
          }
        } else if (m.delete_protocol == ProtocolId::kIke) {
          line(r, "INFO", false, "received DELETE IKE_SA");  // [S] racoon2 ikev2.c:4664
        } else if (!m.is_response && m.exchange == ExchangeType::kCreateChildSa && inferred) {
          negotiation_started(r, "responder");
        }
        break;
      case TraceKind::kDeleteForUnknownSpi:
        // [V] P8: racoon2 ikev2.c:4716, PLOG_PROTOWARN.
        line(r, "PWRN", false, "can't find sa for proto ESP spi " + hex_upper(r.spi_in));
        break;
      case TraceKind::kRekeyForUnknownSpi:
        // [S] P23: racoon2 ikev2.c:3538.
        line(r, "PWRN", false,
             "can't find corresponding child_sa for peer specified proto 3 (ESP) spi " +
                 hex_upper(r.spi_in));
        break;
      case TraceKind::kChildSaInstalled:
        if (!inferred) break;
        // [I] P15, by analogy with the DELETED banner.
        line(r, "PNTF", true, "====> IPSEC KEY INSTALLED; tunnel " + c_.tunnel_name + " <====");
        continuation(r, "====> Installed SA: " + endpoints(r.peer, c_.ike_port) +
                            " SPI:" + hex_upper(r.spi_in) + "/" + hex_upper(r.spi_out) + " <====");
        break;
      case TraceKind::kInboundRemoved:
        // The banner of a whole-SA delete at the same moment prints SADB_DELETE after itself.
        if (same_time_follows(records_, i, TraceKind::kChildSaDeleted, r.spi_in)) break;
        if (!state(r.peer).sadb_deleted.contains(r.spi_in)) sadb_delete(r, r.spi_in);
        break;
      case TraceKind::kChildSaDeleted:
        // [V] P3 + P4 + P5: banner, un-prefixed continuation, SADB_DELETE of the inbound SA.
        line(r, "PNTF", true, "====> IPSEC KEY DELETED; tunnel " + c_.tunnel_name + " <====");
        continuation(r, "====> Deleted SA: " + endpoints(r.peer, c_.ike_port) +
                            " SPI:" + hex_upper(r.spi_in) + "/" + hex_upper(r.spi_out) + " <====");
        if (!state(r.peer).sadb_deleted.contains(r.spi_in)) sadb_delete(r, r.spi_in);
        break;
      case TraceKind::kRekeyStarted:
      case TraceKind::kHardExpired:
        if (r.sa_kind != models::SaKind::kChild) break;
        // [S] P20: the kernel's soft (1) or hard (2) expire drives racoon2's rekey/delete.
        line(r, "INFO", true,
             "received PFKEY_EXPIRE seq=0 sa_dst=" + peer_view(c_, r.peer).local_address +
                 " spi=" + hex_upper(r.spi_in) + " satype=ESP samode=tunnel expired=" +
                 (r.kind == TraceKind::kRekeyStarted ? "1" : "2"));
        break;
      case TraceKind::kRekeyCompleted:
        if (!inferred) break;
        {
          const bool initiator = state(r.peer).rekey_initiated.erase(r.spi_in) > 0;
          // [I] P16.
          line(r, "PNTF", true,
               std::string("====> IKEv2 CHILD SA NEGOTIATION IS SUCCEEDED AS ") +
                   (initiator ? "INITIATOR" : "RESPONDER") + ", REKEY <====");
        }
        break;
      case TraceKind::kNotifyReceived:
        if (!inferred || r.notify == models::NotifyType::kNone) break;
        line(r, "PWRN", false,
             "received notify type " + std::string{models::to_string(r.notify)});  // [I]
        break;
      case TraceKind::kTunnelDown: {
        // [S] P24 when retransmissions ran out; the abort line as in P9 ("aborting IKEv2 SA GW:6").
        if (retransmitting_[static_cast<std::size_t>(r.peer)]) {
          line(r, "PERR", false, "retransmission count exceeded the limit");
        }
        line(r, "INFO", false, "aborting IKEv2 SA GW:" + std::to_string(c_.gateway_id));
        retransmitting_[static_cast<std::size_t>(r.peer)] = false;
        break;
      }
      case TraceKind::kTunnelUp:
      case TraceKind::kIkeSaRekeyed: {
        if (!inferred) break;
        const bool rekey = r.kind == TraceKind::kIkeSaRekeyed;
        const bool initiator = rekey ? state(r.peer).ike_rekey_initiated : r.peer == PeerId::kA;
        if (rekey) state(r.peer).ike_rekey_initiated = false;
        // Both SPIs, initiator first, as the [V] "negotiation is started"
        // line prints them (SPI:<ISPI>:<RSPI>); the responder SPI is the one
        // the SA's creating response carried (LogContext::responder_spis).
        const std::uint64_t ispi = rekey ? r.new_ike_spi : r.ike_spi;
        char spi[40];
        std::snprintf(spi, sizeof spi, "%016llx:%016llx", static_cast<unsigned long long>(ispi),
                      static_cast<unsigned long long>(detail::responder_spi(c_, ispi)));
        // [I] P12 wording.
        line(r, "INFO", false,
             std::string("IKEv2 IKE SA negotiation is succeeded as ") +
                 (initiator ? "initiator" : "responder") + (rekey ? ", rekey" : ", non-rekey") +
                 ". Established SA: " + endpoints(r.peer, 500) + " SPI:" + spi + ".");
        break;
      }
      case TraceKind::kRetransmit:
        if (!m.is_response) retransmitting_[static_cast<std::size_t>(r.peer)] = true;
        break;
      default:
        break;  // not in ikemgr.log: ESP drops (data plane), collision decisions, losses
    }
    if (r.kind == TraceKind::kMessageReceived && r.message.is_response) {
      retransmitting_[static_cast<std::size_t>(r.peer)] = false;
    }
  }

  void negotiation_started(const TraceRecord& r, const char* role) {
    const models::Message& m = r.message;
    const bool rekey =
        m.notify == models::NotifyType::kRekeySa || m.sa_protocol == ProtocolId::kIke;
    if (m.sa_protocol == ProtocolId::kIke) {
      char spi[40];
      std::snprintf(spi, sizeof spi, "%016llx:0000000000000000",
                    static_cast<unsigned long long>(m.sa_spi));
      // [V] P11 wording (system log ikev2-nego-ike-start).
      line(r, "INFO", false,
           std::string("IKEv2 IKE SA negotiation is started as ") + role +
               ", rekey. Initiated SA: " + endpoints(r.peer, 500) + " SPI:" + spi + ".");
      return;
    }
    char mid[16];
    std::snprintf(mid, sizeof mid, "0x%08X", m.message_id);
    // [I] P13 wording.
    line(r, "INFO", true,
         std::string("IKEv2 child SA negotiation is started as ") + role +
             (rekey ? ", rekey" : ", non-rekey") +
             ". Initiated SA: " + endpoints(r.peer, c_.ike_port) + " message id:" + mid + ".");
  }

  std::span<const TraceRecord> records_;
  const LogContext& c_;
  std::vector<LogLine> lines_;
  PeerState peers_[2];
  bool retransmitting_[2] = {false, false};
};

}  // namespace

std::vector<LogLine> panos_lines(std::span<const TraceRecord> records, const LogContext& c) {
  return PanosWriter(records, c).run();
}

}  // namespace rekeysim::trace::detail
