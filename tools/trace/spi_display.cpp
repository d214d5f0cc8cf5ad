// The display mapping of LogContext::first_child_spi: a customer's log shows
// the SPIs its device happened to pick; a simulated log lines up with it when
// each peer's first inbound Child SA SPI is printed as that value. The rule:
// the peer's first inbound Child SPI in the records shown is printed as the
// given value and every other SPI keeps its simulated value, except a
// simulated SPI equal to a given value, which takes the freed one, so that
// distinct SPIs stay distinct (the mapping is a bijection). One mapping of
// values, applied to every SPI field, keeps the other peer's "outbound SPI"
// and the DELETE / REKEY_SA payloads naming it consistent.
#include <algorithm>
#include <map>
#include <vector>

#include "tools/trace/trace_views.hpp"

namespace rekeysim::trace {

namespace {

using models::TraceKind;
using models::TraceRecord;

// Kinds whose spi_in is an SPI the recording peer receives on (models/trace.hpp).
bool names_own_inbound(const TraceRecord& r) {
  switch (r.kind) {
    case TraceKind::kChildSaInstalled:
    case TraceKind::kOutboundSwitched:
    case TraceKind::kInboundRemoved:
    case TraceKind::kChildSaDeleted:
    case TraceKind::kRekeyCompleted:
      return true;
    case TraceKind::kRekeyStarted:
      return r.sa_kind == models::SaKind::kChild;
    default:
      return false;
  }
}

}  // namespace

std::vector<TraceRecord> with_spis(std::span<const TraceRecord> records,
                                   const LogContext& context) {
  std::vector<TraceRecord> out(records.begin(), records.end());
  if (!context.first_child_spi[0] && !context.first_child_spi[1]) return out;
  std::optional<std::uint32_t> first[2];
  for (const TraceRecord& r : out) {
    auto& f = first[static_cast<std::size_t>(r.peer)];
    if (!f && r.spi_in != 0 && names_own_inbound(r)) f = r.spi_in;
  }
  std::map<std::uint32_t, std::uint32_t> shown;  // simulated -> printed, where they differ
  std::vector<std::uint32_t> sources, targets;
  for (std::size_t p = 0; p < 2; ++p) {
    if (!context.first_child_spi[p] || !first[p] || shown.contains(*first[p])) continue;
    shown[*first[p]] = *context.first_child_spi[p];
    sources.push_back(*first[p]);
    targets.push_back(*context.first_child_spi[p]);
  }
  // A simulated SPI that now collides with a given one takes a freed value.
  std::vector<std::uint32_t> freed, displaced;
  for (std::uint32_t s : sources)
    if (std::find(targets.begin(), targets.end(), s) == targets.end()) freed.push_back(s);
  for (std::uint32_t t : targets)
    if (std::find(sources.begin(), sources.end(), t) == sources.end()) displaced.push_back(t);
  for (std::size_t i = 0; i < displaced.size() && i < freed.size(); ++i)
    shown[displaced[i]] = freed[i];
  if (shown.empty()) return out;

  auto map = [&](std::uint32_t& spi) {
    if (const auto it = shown.find(spi); it != shown.end()) spi = it->second;
  };
  for (TraceRecord& r : out) {
    map(r.spi_in);
    map(r.spi_out);
    map(r.new_spi_in);
    map(r.new_spi_out);
    models::Message& m = r.message;
    if (m.sa_protocol == models::ProtocolId::kEsp) {
      auto spi = static_cast<std::uint32_t>(m.sa_spi);
      map(spi);
      m.sa_spi = spi;
    }
    map(m.notify_spi);
    for (int k = 0; k < m.delete_count && k < models::Message::kMaxDeleteSpis; ++k)
      map(m.delete_spis[static_cast<std::size_t>(k)]);
  }
  return out;
}

}  // namespace rekeysim::trace
