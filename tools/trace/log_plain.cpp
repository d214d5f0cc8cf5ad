// The plain style: one readable line per record,
//   "<seconds.micro> <peer> <kind> <details>"
// e.g. "28800.016000 A message_sent       CREATE_CHILD_SA req #5 N(REKEY_SA 0xc1a2b3c4) ...".
#include <cstdio>

#include "tools/trace/format_common.hpp"
#include "tools/trace/log_styles.hpp"

namespace rekeysim::trace::detail {

namespace {

using models::TraceKind;
using models::TraceRecord;

std::string spi_pair(std::uint32_t in, std::uint32_t out) {
  return "in " + hex_0x(in) + " out " + hex_0x(out);
}

std::string details(const TraceRecord& r) {
  switch (r.kind) {
    case TraceKind::kMessageSent:
    case TraceKind::kMessageReceived:
    case TraceKind::kMessageLost:
    case TraceKind::kRetransmit:
      return message_summary(r.message, false);
    case TraceKind::kRekeyStarted:
    case TraceKind::kHardExpired:
      if (r.sa_kind == models::SaKind::kIke) {
        std::string s = "IKE SA " + hex64(r.ike_spi);
        if (r.new_ike_spi != 0) s += " new " + hex64(r.new_ike_spi);
        return s;
      }
      {
        std::string s = "Child SA " + spi_pair(r.spi_in, r.spi_out);
        if (r.new_spi_in != 0) s += " new in " + hex_0x(r.new_spi_in);
        return s;
      }
    case TraceKind::kChildSaInstalled:
    case TraceKind::kChildSaDeleted:
      return spi_pair(r.spi_in, r.spi_out);
    case TraceKind::kOutboundSwitched:
    case TraceKind::kOutboundRemoved:
      return "out " + hex_0x(r.spi_out);
    case TraceKind::kInboundRemoved:
      return "in " + hex_0x(r.spi_in);
    case TraceKind::kRekeyCompleted:
      return spi_pair(r.spi_in, r.spi_out) + " -> " + spi_pair(r.new_spi_in, r.new_spi_out);
    case TraceKind::kCollisionDetected: {
      std::string s{models::to_string(r.collision)};
      if (r.spi_in != 0) {
        s += ' ';
        s += spi_pair(r.spi_in, r.spi_out);
      }
      return s;
    }
    case TraceKind::kCollisionResolved: {
      std::string s{models::to_string(r.collision)};
      s += r.won ? " won" : " lost";
      if (r.spi_in != 0) s += " old " + spi_pair(r.spi_in, r.spi_out);
      if (r.new_spi_in != 0) s += " new " + spi_pair(r.new_spi_in, r.new_spi_out);
      return s;
    }
    case TraceKind::kDeleteForUnknownSpi:
      return "can't find sa for proto ESP spi " + hex_0x(r.spi_in);
    case TraceKind::kRekeyForUnknownSpi:
      return "REKEY_SA names unknown spi " + hex_0x(r.spi_in);
    case TraceKind::kNotifyReceived:
    case TraceKind::kRetryScheduled: {
      std::string s{models::to_string(r.notify)};
      if (r.spi_in != 0) s += " spi " + hex_0x(r.spi_in);
      return s;
    }
    case TraceKind::kEspDropped:
      return "spi " + hex_0x(r.spi_in) + " packets " + std::to_string(r.count);
    case TraceKind::kIkeSaRekeyed:
      return hex64(r.ike_spi) + " -> " + hex64(r.new_ike_spi);
    case TraceKind::kIkeSaDeleted:
    case TraceKind::kTunnelDown:
    case TraceKind::kTunnelUp:
      return "IKE SA " + hex64(r.ike_spi);
    case TraceKind::kEspNoSa:
    case TraceKind::kEspCleartext:
      return "no SA, packets " + std::to_string(r.count);
    case TraceKind::kEspLinkDown:
      return "spi " + hex_0x(r.spi_out) + " link down, packets " + std::to_string(r.count);
  }
  return {};
}

}  // namespace

std::vector<LogLine> plain_lines(std::span<const TraceRecord> records, const LogContext& c) {
  std::vector<LogLine> lines;
  lines.reserve(records.size());
  for (const TraceRecord& r : records) {
    // One device's log alone (--peer) names no peer, as in every style.
    const std::string name =
        c.only_peer ? std::string()
                    : (r.peer == models::PeerId::kA ? c.peer_a_name : c.peer_b_name) + " ";
    char kind[32];
    std::snprintf(kind, sizeof kind, "%-22s", std::string{models::to_string(r.kind)}.c_str());
    lines.push_back({r.peer, static_cast<std::size_t>(&r - records.data()),
                     seconds_text(r.time) + " " + name + kind + " " + details(r)});
  }
  return lines;
}

}  // namespace rekeysim::trace::detail
