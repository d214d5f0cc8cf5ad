// JSON Lines view: one object per record, keys in a fixed order (see
// README.md "JSONL"). Keys that do not apply to a record's kind are left
// out rather than written as zeros, so every key present is meaningful.
#include <nlohmann/json.hpp>

#include "tools/trace/format_common.hpp"
#include "tools/trace/trace_views.hpp"

namespace rekeysim::trace {

namespace {

using models::TraceKind;
using models::TraceRecord;
using Json = nlohmann::ordered_json;

std::string_view protocol_name(models::ProtocolId p) {
  switch (p) {
    case models::ProtocolId::kNone:
      return "none";
    case models::ProtocolId::kIke:
      return "IKE";
    case models::ProtocolId::kAh:
      return "AH";
    case models::ProtocolId::kEsp:
      return "ESP";
  }
  return "none";
}

bool is_message_kind(TraceKind k) {
  return k == TraceKind::kMessageSent || k == TraceKind::kMessageReceived ||
         k == TraceKind::kMessageLost || k == TraceKind::kRetransmit;
}

Json message_json(const models::Message& m) {
  Json j;
  j["exchange"] = models::to_string(m.exchange);
  j["response"] = m.is_response;
  j["message_id"] = m.message_id;
  j["ike_sa"] = detail::hex64(m.ike_sa);
  if (m.sa_protocol != models::ProtocolId::kNone) {
    j["sa"] = {{"protocol", protocol_name(m.sa_protocol)},
               {"spi", m.sa_protocol == models::ProtocolId::kIke
                           ? detail::hex64(m.sa_spi)
                           : detail::hex_0x(static_cast<std::uint32_t>(m.sa_spi))}};
  }
  if (m.has_nonce) {
    std::string hex;
    static constexpr char kDigits[] = "0123456789abcdef";
    for (int i = 0; i < m.nonce.length && i < static_cast<int>(m.nonce.bytes.size()); ++i) {
      const std::uint8_t b = m.nonce.bytes[static_cast<std::size_t>(i)];
      hex += kDigits[b >> 4];
      hex += kDigits[b & 15];
    }
    j["nonce"] = hex;
  }
  if (m.has_ke) j["ke"] = true;
  if (m.has_ts) j["ts"] = true;
  if (m.notify != models::NotifyType::kNone) {
    j["notify"] = {{"type", models::to_string(m.notify)}, {"spi", detail::hex_0x(m.notify_spi)}};
  }
  if (m.delete_protocol != models::ProtocolId::kNone) {
    Json spis = Json::array();
    for (int i = 0; i < m.delete_count && i < models::Message::kMaxDeleteSpis; ++i) {
      spis.push_back(detail::hex_0x(m.delete_spis[static_cast<std::size_t>(i)]));
    }
    j["delete"] = {{"protocol", protocol_name(m.delete_protocol)}, {"spis", spis}};
  }
  return j;
}

}  // namespace

std::string render_jsonl(std::span<const TraceRecord> records) {
  std::string out;
  for (const TraceRecord& r : records) {
    Json j;
    j["t_ns"] = r.time.ns();
    j["t"] = detail::seconds_text(r.time);
    j["peer"] = std::string(1, models::peer_name(r.peer));
    j["kind"] = models::to_string(r.kind);
    if (!is_message_kind(r.kind)) {
      j["sa_kind"] = r.sa_kind == models::SaKind::kIke ? "ike" : "child";
    }
    if (r.kind == TraceKind::kCollisionDetected || r.kind == TraceKind::kCollisionResolved) {
      j["collision"] = models::to_string(r.collision);
    }
    if (r.kind == TraceKind::kCollisionResolved) j["won"] = r.won;
    if (r.notify != models::NotifyType::kNone) j["notify"] = models::to_string(r.notify);
    if (r.spi_in != 0) j["spi_in"] = detail::hex_0x(r.spi_in);
    if (r.spi_out != 0) j["spi_out"] = detail::hex_0x(r.spi_out);
    if (r.new_spi_in != 0) j["new_spi_in"] = detail::hex_0x(r.new_spi_in);
    if (r.new_spi_out != 0) j["new_spi_out"] = detail::hex_0x(r.new_spi_out);
    if (r.ike_spi != 0) j["ike_spi"] = detail::hex64(r.ike_spi);
    if (r.new_ike_spi != 0) j["new_ike_spi"] = detail::hex64(r.new_ike_spi);
    if (r.kind == TraceKind::kEspDropped || r.count != 0) j["count"] = r.count;
    if (is_message_kind(r.kind)) j["message"] = message_json(r.message);
    out += j.dump();
    out += '\n';
  }
  return out;
}

}  // namespace rekeysim::trace
