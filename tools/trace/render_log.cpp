// render_log(): picks the style renderer(s), then keeps one peer's lines or
// interleaves both peers' lines in trace order with a prefix.
#include <cstdio>
#include <optional>
#include <set>

#include "tools/trace/format_common.hpp"
#include "tools/trace/log_styles.hpp"

namespace rekeysim::trace {

namespace detail {

PeerView peer_view(const LogContext& c, models::PeerId peer) {
  if (peer == models::PeerId::kA) return {c.a_address, c.b_address, c.a_subnet, c.b_subnet};
  return {c.b_address, c.a_address, c.b_subnet, c.a_subnet};
}

const std::string& host_name(const LogContext& c, models::PeerId peer) {
  return peer == models::PeerId::kA ? c.a_host : c.b_host;
}

std::string syslog_time(const models::TraceRecord& r, const LogContext& c, int decimals) {
  const CivilTime t = civil_time(r.time, c.epoch_unix_seconds, c.utc_offset_minutes);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s %2d %02d:%02d:%02d", month_abbrev(t.month), t.day, t.hour,
                t.minute, t.second);
  std::string s = buf;
  if (decimals == 3) {
    std::snprintf(buf, sizeof buf, ".%03d", t.millisecond);
    s += buf;
  } else if (decimals == 6) {
    // CivilTime carries milliseconds; the microseconds come from the record.
    const long long us = (r.time.ns() / 1000) % 1'000'000;
    std::snprintf(buf, sizeof buf, ".%06lld", us < 0 ? us + 1'000'000 : us);
    s += buf;
  }
  return s;
}

std::uint64_t responder_spi(const LogContext& c, std::uint64_t initiator_spi) {
  const auto it = c.responder_spis.find(initiator_spi);
  return it != c.responder_spis.end() ? it->second : ~initiator_spi;
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

namespace {

bool is_message(models::TraceKind k) {
  return k == models::TraceKind::kMessageSent || k == models::TraceKind::kMessageReceived ||
         k == models::TraceKind::kMessageLost || k == models::TraceKind::kRetransmit;
}

// The peer whose request counter a message's ID comes from (RFC 7296 2.2:
// each side numbers its own requests; a response carries the request's ID).
models::PeerId requester(const models::TraceRecord& r) {
  const models::PeerId sender =
      r.kind == models::TraceKind::kMessageReceived ? models::other(r.peer) : r.peer;
  return r.message.is_response ? models::other(sender) : sender;
}

std::vector<detail::LogLine> lines_of(std::span<const models::TraceRecord> records, LogStyle style,
                                      const LogContext& context) {
  switch (style) {
    case LogStyle::kPlain:
      return detail::plain_lines(records, context);
    case LogStyle::kPanos:
      return detail::panos_lines(records, context);
    case LogStyle::kStrongswan:
      return detail::strongswan_lines(records, context);
    case LogStyle::kStrongswan6:
      return detail::strongswan6_lines(records, context);
    case LogStyle::kCiscoAsa:
      return detail::cisco_asa_lines(records, context);
    case LogStyle::kLibreswan:
      return detail::libreswan_lines(records, context);
    case LogStyle::kCiscoIos:
      return detail::cisco_ios_lines(records, context);
    case LogStyle::kJuniperSrx:
      return detail::juniper_srx_lines(records, context);
  }
  return {};
}

}  // namespace

MessageIdShift message_id_shift(std::span<const models::TraceRecord> records,
                                const LogContext& context) {
  MessageIdShift shift;
  // IKE SAs created in the records: IKE_SA_INIT's own, and the new IKE SA an
  // IKE rekey request proposes (its initiator SPI, the id messages carry).
  std::set<std::uint64_t> created;
  for (const models::TraceRecord& r : records) {
    if (!is_message(r.kind) || r.message.is_response) continue;
    const models::Message& m = r.message;
    if (m.exchange == models::ExchangeType::kIkeSaInit) created.insert(m.ike_sa);
    if (m.exchange == models::ExchangeType::kCreateChildSa &&
        m.sa_protocol == models::ProtocolId::kIke)
      created.insert(m.sa_spi);
  }
  std::optional<std::uint32_t> first[2];
  for (const models::TraceRecord& r : records) {
    if (!is_message(r.kind) || r.message.is_response || created.contains(r.message.ike_sa))
      continue;
    const auto p = static_cast<std::size_t>(requester(r));
    if (first[p]) continue;
    first[p] = r.message.message_id;
    shift.ike_sa[p] = r.message.ike_sa;
  }
  for (std::size_t p = 0; p < 2; ++p) {
    // Unsigned arithmetic: the shift wraps like the 32-bit field itself.
    if (context.first_message_id[p] && first[p])
      shift.by[p] = *context.first_message_id[p] - *first[p];
  }
  return shift;
}

std::vector<models::TraceRecord> apply_message_ids(std::span<const models::TraceRecord> records,
                                                   const MessageIdShift& shift) {
  std::vector<models::TraceRecord> out(records.begin(), records.end());
  if (shift.by[0] == 0 && shift.by[1] == 0) return out;
  for (models::TraceRecord& r : out) {
    if (!is_message(r.kind)) continue;
    const auto p = static_cast<std::size_t>(requester(r));
    if (r.message.ike_sa == shift.ike_sa[p]) r.message.message_id += shift.by[p];
  }
  return out;
}

std::vector<models::TraceRecord> with_message_ids(std::span<const models::TraceRecord> records,
                                                  const LogContext& context) {
  return apply_message_ids(records, message_id_shift(records, context));
}

std::string render_log(std::span<const models::TraceRecord> records, LogStyle style,
                       const LogContext& context) {
  return render_log(records, style, style, context);
}

std::string render_log(std::span<const models::TraceRecord> records_in, LogStyle style_a,
                       LogStyle style_b, const LogContext& context) {
  const std::vector<models::TraceRecord> ids = with_message_ids(records_in, context);
  const SpiDisplay spis = spi_display(ids, context);
  const std::vector<models::TraceRecord> records = apply_spis(ids, spis);
  LogContext shown = context;
  shown.responder_spis.insert(spis.responder.begin(), spis.responder.end());
  std::vector<detail::LogLine> a = lines_of(records, style_a, shown);
  std::vector<detail::LogLine> b = style_b == style_a ? a : lines_of(records, style_b, shown);
  std::erase_if(a, [](const detail::LogLine& l) { return l.peer != models::PeerId::kA; });
  std::erase_if(b, [](const detail::LogLine& l) { return l.peer != models::PeerId::kB; });
  // The plain style names the peer on every line already.
  const bool prefix =
      !context.only_peer && !(style_a == LogStyle::kPlain && style_b == LogStyle::kPlain);
  std::string out;
  auto emit = [&](const detail::LogLine& line) {
    if (context.only_peer && line.peer != *context.only_peer) return;
    if (prefix) {
      out += line.peer == models::PeerId::kA ? context.peer_a_name : context.peer_b_name;
      out += "| ";
    }
    out += line.text;
    out += '\n';
  };
  // Both sequences are in record order and each record belongs to one peer,
  // so a merge by record index is the trace order.
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i].record < b[j].record)) {
      emit(a[i++]);
    } else {
      emit(b[j++]);
    }
  }
  return out;
}

}  // namespace rekeysim::trace
