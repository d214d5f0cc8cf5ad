// render_log(): picks the style renderer, then keeps one peer's lines or
// interleaves both peers' lines (already in trace order) with a prefix.
#include "tools/trace/log_styles.hpp"

namespace rekeysim::trace {

namespace detail {

PeerView peer_view(const LogContext& c, models::PeerId peer) {
  if (peer == models::PeerId::kA) return {c.a_address, c.b_address, c.a_subnet, c.b_subnet};
  return {c.b_address, c.a_address, c.b_subnet, c.a_subnet};
}

bool same_time_follows(std::span<const models::TraceRecord> records, std::size_t i,
                       models::TraceKind kind, std::uint32_t spi) {
  const models::TraceRecord& r = records[i];
  for (std::size_t j = i + 1; j < records.size() && records[j].time == r.time; ++j) {
    if (records[j].peer == r.peer && records[j].kind == kind && records[j].spi_in == spi) {
      return true;
    }
  }
  return false;
}

}  // namespace detail

std::string render_log(std::span<const models::TraceRecord> records, LogStyle style,
                       const LogContext& context) {
  std::vector<detail::LogLine> lines;
  switch (style) {
    case LogStyle::kPlain:
      lines = detail::plain_lines(records, context);
      break;
    case LogStyle::kPanos:
      lines = detail::panos_lines(records, context);
      break;
    case LogStyle::kStrongswan:
      lines = detail::strongswan_lines(records, context);
      break;
  }
  // The plain style names the peer on every line already.
  const bool prefix = !context.only_peer && style != LogStyle::kPlain;
  std::string out;
  for (const detail::LogLine& line : lines) {
    if (context.only_peer && line.peer != *context.only_peer) continue;
    if (prefix) {
      out += line.peer == models::PeerId::kA ? context.peer_a_name : context.peer_b_name;
      out += "| ";
    }
    out += line.text;
    out += '\n';
  }
  return out;
}

}  // namespace rekeysim::trace
