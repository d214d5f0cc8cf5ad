// libreswan pluto log shapes: the pluto log file with `logtime=yes`,
//   "Mar 18 19:29:30.713608: "west" #3: <message>"
// (strftime "%b %e %T" + ".%06ld"), where #N is a state serial: the IKE SA
// is #1 here and every Child SA, each rekeyed one included, gets the next
// number. The wording is libreswan 5.x's. Sources (public):
//  - https://github.com/libreswan/libreswan/issues/1044 (a rekey test log,
//    the line layout and 4.x wording): "initiating rekey to replace Child SA
//    #2", "initiator rekeyed Child SA #2 using #1; IPsec tunnel [..] {ESP/ESN=>
//    0x<out> <0x<in> xfrm=.. DPD=passive}", "deleting established Child SA
//    using IKE SA #1", "ESP traffic information: in=..B out=..B",
//    "initiator established IKE SA; authenticated peer using authby=secret
//    and ID_.. '..'".
//  - issues/705 and /706 (closed 2024): 5.x adds the IKE SA to "initiating
//    rekey to replace Child SA #N using IKE SA #M" and words the request
//    "sent CREATE_CHILD_SA request to rekey Child SA #N using IKE SA #M";
//    issues/649 ("responder" twin of "initiator rekeyed Child SA");
//    issues/2184 (5.x tunnel form "[a===b]"); issues/2937 ("initiator
//    rekeyed IKE SA #1 {cipher=..}").
//  - libreswan programs/pluto/ikev2_delete.c (5.x): "sent INFORMATIONAL
//    request to delete established Child SA using IKE SA #M", "received
//    delete request for ESP Child SA with outbound SPI %08x; Child SA not
//    found".
// pluto logs no collision decision (it has no nonce rule for Child SAs),
// no ESP drop (kernel) and, at the default level, no message IDs. Traffic
// counters are not simulated: "in=0B out=0B".
#include <cstdio>
#include <map>

#include "tools/trace/format_common.hpp"
#include "tools/trace/log_styles.hpp"

namespace rekeysim::trace::detail {

namespace {

using models::PeerId;
using models::ProtocolId;
using models::TraceKind;
using models::TraceRecord;

class PlutoWriter {
 public:
  PlutoWriter(std::span<const TraceRecord> records, const LogContext& c)
      : records_(records), c_(c) {}

  std::vector<LogLine> run() {
    for (const TraceRecord& r : records_) write(r);
    return std::move(lines_);
  }

 private:
  struct PeerState {
    int ike = 1;
    int next = 2;
    std::map<std::uint32_t, int> by_in;       // inbound SPI -> serial
    std::map<std::uint32_t, int> by_out;      // outbound SPI -> serial
    std::map<int, int> replaces;              // new serial -> the serial it rekeys
    std::map<std::uint32_t, int> own_new_in;  // SPI we proposed -> serial (we initiated)
    int pending_new = 0;                      // allocated at rekey start, bound when sent
    int responder_old = 0;                    // SA the peer's last rekey request named
    bool ike_rekey_initiator = false;
  };

  PeerState& st(PeerId p) { return peers_[static_cast<std::size_t>(p)]; }

  int serial(PeerState& s, std::uint32_t in, std::uint32_t out) {
    if (auto it = s.by_in.find(in); in != 0 && it != s.by_in.end()) return it->second;
    if (auto it = s.by_out.find(out); out != 0 && it != s.by_out.end()) return it->second;
    const int id = s.next++;
    if (in != 0) s.by_in[in] = id;
    if (out != 0) s.by_out[out] = id;
    return id;
  }

  void line(const TraceRecord& r, int state, const std::string& text) {
    lines_.push_back({r.peer, static_cast<std::size_t>(&r - records_.data()),
                      syslog_time(r, c_, 6) + ": \"" + c_.ike_sa_name + "\" #" +
                          std::to_string(state) + ": " + text});
  }

  void write(const TraceRecord& r) {
    PeerState& s = st(r.peer);
    const models::Message& m = r.message;
    const PeerView v = peer_view(c_, r.peer);
    switch (r.kind) {
      case TraceKind::kRekeyStarted: {
        if (r.sa_kind != models::SaKind::kChild) break;
        const int old = serial(s, r.spi_in, r.spi_out);
        s.pending_new = s.next++;
        s.replaces[s.pending_new] = old;
        line(r, s.pending_new,
             "initiating rekey to replace Child SA #" + std::to_string(old) + " using IKE SA #" +
                 std::to_string(s.ike));
        break;
      }
      case TraceKind::kMessageSent:
        if (!m.is_response && m.delete_protocol == ProtocolId::kEsp) {
          for (int k = 0; k < m.delete_count && k < models::Message::kMaxDeleteSpis; ++k) {
            line(r, serial(s, m.delete_spis[static_cast<std::size_t>(k)], 0),
                 "sent INFORMATIONAL request to delete established Child SA using IKE SA #" +
                     std::to_string(s.ike));
          }
        }
        if (m.is_response || m.exchange != models::ExchangeType::kCreateChildSa) break;
        if (m.notify == models::NotifyType::kRekeySa && s.pending_new != 0) {
          s.by_in[static_cast<std::uint32_t>(m.sa_spi)] = s.pending_new;
          s.own_new_in[static_cast<std::uint32_t>(m.sa_spi)] = s.pending_new;
          line(r, s.pending_new,
               "sent CREATE_CHILD_SA request to rekey Child SA #" +
                   std::to_string(s.replaces[s.pending_new]) + " using IKE SA #" +
                   std::to_string(s.ike));
          s.pending_new = 0;
        } else if (m.sa_protocol == ProtocolId::kIke) {
          s.ike_rekey_initiator = true;
          line(r, s.next,
               "sent CREATE_CHILD_SA request to rekey IKE SA #" + std::to_string(s.ike) +
                   " (using IKE SA #" + std::to_string(s.ike) + ")");
        }
        break;
      case TraceKind::kMessageReceived:
        if (!m.is_response && m.notify == models::NotifyType::kRekeySa) {
          // REKEY_SA names the sender's inbound SPI = our outbound SPI.
          s.responder_old = serial(s, 0, m.notify_spi);
        }
        break;
      case TraceKind::kChildSaInstalled: {
        const bool initiator = s.own_new_in.contains(r.spi_in);
        int id = serial(s, r.spi_in, 0);
        s.by_out[r.spi_out] = id;
        int old = 0;
        if (initiator) {
          old = s.replaces[id];
        } else if (s.responder_old != 0) {
          old = s.responder_old;
          s.responder_old = 0;
        }
        const std::string role = initiator ? "initiator " : "responder ";
        const std::string what = old != 0 ? "rekeyed Child SA #" + std::to_string(old)
                                          : std::string("established Child SA");
        line(r, id,
             role + what + " using #" + std::to_string(s.ike) + "; IPsec tunnel [" +
                 v.local_subnet + "===" + v.remote_subnet + "] {ESP/ESN=>" + hex_0x(r.spi_out) +
                 " <" + hex_0x(r.spi_in) + " xfrm=AES_GCM_16_256-NONE DPD=passive}");
        break;
      }
      case TraceKind::kChildSaDeleted: {
        const int id = serial(s, r.spi_in, r.spi_out);
        line(r, id, "deleting established Child SA using IKE SA #" + std::to_string(s.ike));
        line(r, id, "ESP traffic information: in=0B out=0B");
        break;
      }
      case TraceKind::kDeleteForUnknownSpi:
        line(r, s.ike,
             "received delete request for ESP Child SA with outbound SPI " + hex_lower(r.spi_in) +
                 "; Child SA not found");
        break;
      case TraceKind::kTunnelUp:
        line(r, s.ike,
             std::string(r.peer == PeerId::kA ? "initiator" : "responder") +
                 " established IKE SA; authenticated peer using authby=secret and ID_IPV4_ADDR '" +
                 v.remote_address + "'");
        break;
      case TraceKind::kIkeSaRekeyed: {
        const int old = s.ike;
        s.ike = s.next++;
        line(r, s.ike,
             std::string(s.ike_rekey_initiator ? "initiator" : "responder") + " rekeyed IKE SA #" +
                 std::to_string(old) +
                 " {cipher=AES_GCM_16_256 integ=n/a prf=HMAC_SHA2_512 group=MODP2048}");
        s.ike_rekey_initiator = false;
        break;
      }
      default:
        break;
    }
  }

  std::span<const TraceRecord> records_;
  const LogContext& c_;
  std::vector<LogLine> lines_;
  PeerState peers_[2];
};

}  // namespace

std::vector<LogLine> libreswan_lines(std::span<const TraceRecord> records, const LogContext& c) {
  return PlutoWriter(records, c).run();
}

}  // namespace rekeysim::trace::detail
