// Juniper SRX kmd syslog shapes (`set system syslog file kmd-logs daemon info`,
// `match KMD`; `show log kmd-logs`). Sources (public):
//  - Juniper KB "SRX: How to configure syslog to display VPN status messages"
//    (https://supportportal.juniper.net/s/article/SRX-How-to-configure-syslog-to-display-VPN-status-messages)
//    and the Junos system log messages reference, KMD chapter: the KMD_*
//    message tags and their fields.
//  - A public SRX + Azure VPN Gateway lab write-up on GitHub (2024-11-26,
//    `show log kmd-logs` of a working tunnel) with real lines:
//    "Jul  6 03:32:18  host kmd[1520]: KMD_PM_SA_ESTABLISHED: Local gateway:
//    .., Remote gateway: .., Local ID: ipv4_subnet(any:0,[0..7]=..), Remote
//    ID: .., Direction: inbound|outbound, SPI: 0x.., AUX-SPI: 0, Mode: Tunnel,
//    Type: dynamic, Traffic-selector:  FC Name:", one per direction;
//    "KMD_VPN_UP_ALARM_USER: VPN .. from .. is up. ..." and
//    "IKE negotiation successfully completed. IKE Version: 2, VPN: .. Gateway:
//    .., Local: lip/4500, Remote: rip/4500, ..., Role: Initiator|Responder"
//    (the IKE port: 4500 behind NAT-T, as in the sample). That write-up and
//    a 2020 one by the same author (tests/data/public/juniper-srx-azure)
//    log a tunnel coming up as both SAs, the VPN-up alarm, then the IKE line.
// kmd logs nothing at this level about DELETE payloads, unknown SPIs,
// collisions or ESP drops (a "Bad SPIs" counter only), so neither does this
// style. Names: the VPN is LogContext::ike_sa_name, the IKE gateway
// LogContext::gateway_name; the kmd pid is a fixed stand-in (1520).
#include <cstdio>
#include <set>

#include "tools/trace/format_common.hpp"
#include "tools/trace/log_styles.hpp"

namespace rekeysim::trace::detail {

namespace {

using models::PeerId;
using models::TraceKind;
using models::TraceRecord;

class SrxWriter {
 public:
  SrxWriter(std::span<const TraceRecord> records, const LogContext& c) : records_(records), c_(c) {}

  std::vector<LogLine> run() {
    for (const TraceRecord& r : records_) write(r);
    return std::move(lines_);
  }

 private:
  void line(const TraceRecord& r, const std::string& text) {
    // Junos log files put two spaces between the time and the host.
    lines_.push_back({r.peer, static_cast<std::size_t>(&r - records_.data()),
                      syslog_time(r, c_) + "  " + host_name(c_, r.peer) + " kmd[1520]: " + text});
  }

  static std::string selector(const std::string& subnet) {
    return "ipv4_subnet(any:0,[0..7]=" + subnet + ")";
  }

  void sa_established(const TraceRecord& r, const char* direction, std::uint32_t spi) {
    const PeerView v = peer_view(c_, r.peer);
    line(r, "KMD_PM_SA_ESTABLISHED: Local gateway: " + v.local_address + ", Remote gateway: " +
                v.remote_address + ", Local ID: " + selector(v.local_subnet) + ", Remote ID: " +
                selector(v.remote_subnet) + ", Direction: " + direction + ", SPI: " + hex_0x(spi) +
                ", AUX-SPI: 0, Mode: Tunnel, Type: dynamic, Traffic-selector:  FC Name:");
  }

  void ike_completed(const TraceRecord& r, bool initiator) {
    const PeerView v = peer_view(c_, r.peer);
    line(r, "IKE negotiation successfully completed. IKE Version: 2, VPN: " + c_.ike_sa_name +
                " Gateway: " + c_.gateway_name + ", Local: " + v.local_address + "/" +
                std::to_string(c_.ike_port) + ", Remote: " + v.remote_address + "/" +
                std::to_string(c_.ike_port) + ", Local IKE-ID: " + v.local_address +
                ", Remote IKE-ID: " + v.remote_address +
                ", VR-ID: 0, Role: " + (initiator ? "Initiator" : "Responder"));
  }

  std::string alarm_fields(const TraceRecord& r) const {
    const PeerView v = peer_view(c_, r.peer);
    return "Local-ip: " + v.local_address + ", gateway name: " + c_.gateway_name +
           ", vpn name: " + c_.ike_sa_name + ", tunnel-id: " + std::to_string(c_.tunnel_id) +
           ", local tunnel-if: st0.0, remote tunnel-ip: Not-Available, Local IKE-ID: " +
           v.local_address + ", Remote IKE-ID: " + v.remote_address +
           ", AAA username: Not-Applicable, VR id: 0, Traffic-selector: , Traffic-selector local "
           "ID: " +
           selector(v.local_subnet) + ", Traffic-selector remote ID: " + selector(v.remote_subnet) +
           ", SA Type: Static";
  }

  void write(const TraceRecord& r) {
    const PeerView v = peer_view(c_, r.peer);
    const auto p = static_cast<std::size_t>(r.peer);
    switch (r.kind) {
      case TraceKind::kMessageSent:
        if (!r.message.is_response && r.message.sa_protocol == models::ProtocolId::kIke) {
          ike_rekey_initiator_[p] = true;
        }
        break;
      case TraceKind::kChildSaInstalled:
        sa_established(r, "inbound", r.spi_in);
        break;
      case TraceKind::kOutboundSwitched:
        sa_established(r, "outbound", r.spi_out);
        break;
      case TraceKind::kTunnelUp:
        // The alarm first, then the IKE SA's line: the order of both real
        // logs in tests/data/public/juniper-srx-azure.
        line(r, "KMD_VPN_UP_ALARM_USER: VPN " + c_.ike_sa_name + " from " + v.remote_address +
                    " is up. " + alarm_fields(r));
        ike_completed(r, r.peer == PeerId::kA);
        break;
      case TraceKind::kIkeSaRekeyed:
        ike_completed(r, ike_rekey_initiator_[p]);
        ike_rekey_initiator_[p] = false;
        break;
      case TraceKind::kTunnelDown:
        // The one public Reason text is for a configuration change; the text
        // for a peer that stopped answering is not public.
        if (!c_.inferred_lines) break;
        line(r, "KMD_VPN_DOWN_ALARM_USER: VPN " + c_.ike_sa_name + " from " + v.remote_address +
                    " is down. " + alarm_fields(r) + ", Reason: IKE SA lost");
        break;
      default:
        break;
    }
  }

  std::span<const TraceRecord> records_;
  const LogContext& c_;
  std::vector<LogLine> lines_;
  bool ike_rekey_initiator_[2] = {false, false};
};

}  // namespace

std::vector<LogLine> juniper_srx_lines(std::span<const TraceRecord> records, const LogContext& c) {
  return SrxWriter(records, c).run();
}

}  // namespace rekeysim::trace::detail
