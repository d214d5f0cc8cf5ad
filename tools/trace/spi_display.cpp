// The display mapping of LogContext::first_child_spi and first_ike_spi: a
// customer's log shows the SPIs its device happened to pick; a simulated log
// lines up with it when each peer's first inbound Child SA SPI, and its own
// SPI of the first IKE SA it logs, are printed as those values. The rule: the
// peer's first inbound Child SPI (own IKE SPI) in the records shown is
// printed as the given value and every other SPI keeps its simulated value,
// except a simulated SPI equal to a given value, which takes the freed one,
// so that distinct SPIs stay distinct (the mapping is a bijection). One
// mapping of values, applied to every SPI field, keeps the other peer's
// "outbound SPI", the DELETE / REKEY_SA payloads naming it, and the IKE
// headers and SA payloads of both peers consistent.
//
// A peer's own IKE SPI (RFC 7296 3.1): the initiator SPI when it created the
// IKE SA (IKE_SA_INIT, or the CREATE_CHILD_SA rekey whose SA payload it sent,
// 2.18), the responder SPI otherwise. Records name IKE SAs by the initiator
// SPI; a responder SPI appears only in the SA payload of the response that
// created the SA. Both are read from LogContext::history when it is given.
#include <algorithm>
#include <map>
#include <optional>
#include <tuple>
#include <type_traits>
#include <vector>

#include "tools/trace/trace_views.hpp"

namespace rekeysim::trace {

namespace {

using models::PeerId;
using models::ProtocolId;
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

bool is_message(TraceKind k) {
  return k == TraceKind::kMessageSent || k == TraceKind::kMessageReceived ||
         k == TraceKind::kMessageLost || k == TraceKind::kRetransmit;
}

// The IKE SA a record is about (its initiator SPI), 0 if none.
std::uint64_t ike_sa_of(const TraceRecord& r) {
  return is_message(r.kind) ? r.message.ike_sa : r.ike_spi;
}

struct IkeSaRoles {
  PeerId initiator = PeerId::kA;
  std::uint64_t responder_spi = 0;  // 0: no response in the records carries it
};

// Who created each IKE SA and its responder SPI, from the requests carrying
// SA(IKE) and the responses to them (matched by IKE SA, requester and message
// ID, RFC 7296 2.2). tools/pcap/ike_sas.cpp reads the capture's IKE headers
// the same way.
std::map<std::uint64_t, IkeSaRoles> ike_sa_roles(std::span<const TraceRecord> records) {
  std::map<std::uint64_t, IkeSaRoles> out;
  std::map<std::tuple<std::uint64_t, PeerId, std::uint32_t>, std::uint64_t> requests;
  for (const TraceRecord& r : records) {
    if (r.kind != TraceKind::kMessageSent) continue;
    const models::Message& m = r.message;
    if (!m.is_response) {
      if (m.sa_protocol != ProtocolId::kIke) continue;
      const std::uint64_t id = m.exchange == models::ExchangeType::kIkeSaInit ? m.ike_sa : m.sa_spi;
      out[id].initiator = r.peer;
      requests[{m.ike_sa, r.peer, m.message_id}] = id;
      continue;
    }
    const auto it = requests.find({m.ike_sa, models::other(r.peer), m.message_id});
    if (it == requests.end()) continue;
    if (m.sa_protocol == ProtocolId::kIke) out[it->second].responder_spi = m.sa_spi;
    requests.erase(it);
  }
  return out;
}

// Maps sources[i] -> targets[i]; a value equal to a target that is not itself
// a source takes a freed source, so the mapping stays one-to-one.
template <typename Spi>
void add_bijection(std::map<Spi, Spi>& shown, const std::vector<Spi>& sources,
                   const std::vector<Spi>& targets) {
  for (std::size_t i = 0; i < sources.size(); ++i) shown[sources[i]] = targets[i];
  std::vector<Spi> freed, displaced;
  for (Spi s : sources)
    if (std::find(targets.begin(), targets.end(), s) == targets.end()) freed.push_back(s);
  for (Spi t : targets)
    if (std::find(sources.begin(), sources.end(), t) == sources.end()) displaced.push_back(t);
  for (std::size_t i = 0; i < displaced.size() && i < freed.size(); ++i)
    shown[displaced[i]] = freed[i];
  std::erase_if(shown, [](const auto& kv) { return kv.first == kv.second; });
}

void child_display(std::span<const TraceRecord> records, const LogContext& context, SpiDisplay& d) {
  std::optional<std::uint32_t> first[2];
  for (const TraceRecord& r : records) {
    auto& f = first[static_cast<std::size_t>(r.peer)];
    if (!f && r.spi_in != 0 && names_own_inbound(r)) f = r.spi_in;
  }
  std::vector<std::uint32_t> sources, targets;
  for (std::size_t p = 0; p < 2; ++p) {
    if (!context.first_child_spi[p] || !first[p]) continue;
    if (std::find(sources.begin(), sources.end(), *first[p]) != sources.end()) continue;
    sources.push_back(*first[p]);
    targets.push_back(*context.first_child_spi[p]);
  }
  add_bijection(d.child, sources, targets);
}

void ike_display(std::span<const TraceRecord> records, const LogContext& context, SpiDisplay& d) {
  const auto roles = ike_sa_roles(context.history.empty() ? records : context.history);
  std::vector<std::pair<std::uint64_t, std::uint64_t>>
      given;  // simulated id -> shown responder SPI
  if (context.first_ike_spi[0] || context.first_ike_spi[1]) {
    std::uint64_t first[2] = {0, 0};
    for (const TraceRecord& r : records) {
      auto& f = first[static_cast<std::size_t>(r.peer)];
      if (f == 0) f = ike_sa_of(r);
    }
    std::vector<std::uint64_t> sources, targets;
    for (std::size_t p = 0; p < 2; ++p) {
      if (!context.first_ike_spi[p] || first[p] == 0) continue;
      const std::uint64_t id = first[p];
      const auto it = roles.find(id);
      // No request creating it in the records: the trial's first IKE SA,
      // which peer A creates (models/world World::establish).
      const IkeSaRoles role = it == roles.end() ? IkeSaRoles{} : it->second;
      std::uint64_t own = id;
      if (role.initiator != static_cast<PeerId>(p)) {
        // Not carried by any record: the stand-in the Cisco styles print.
        own = role.responder_spi != 0 ? role.responder_spi : ~id;
        given.emplace_back(id, *context.first_ike_spi[p]);
      }
      if (std::find(sources.begin(), sources.end(), own) != sources.end()) continue;
      sources.push_back(own);
      targets.push_back(*context.first_ike_spi[p]);
    }
    add_bijection(d.ike, sources, targets);
  }
  auto shown = [&](std::uint64_t spi) {
    const auto it = d.ike.find(spi);
    return it == d.ike.end() ? spi : it->second;
  };
  // Every IKE SA whose creating response (IKE_SA_INIT, or the CREATE_CHILD_SA
  // rekey, RFC 7296 2.18) is in the trial: the responder SPI that response's
  // SA payload carries, as the capture's IKE headers show it.
  for (const auto& [id, role] : roles)
    if (role.responder_spi != 0) d.responder[shown(id)] = shown(role.responder_spi);
  // A given responder SPI of an SA whose creating response the trial does
  // not hold (only then does it differ from the entry above).
  for (const auto& [id, spi] : given) d.responder[shown(id)] = spi;
}

}  // namespace

SpiDisplay spi_display(std::span<const TraceRecord> records, const LogContext& context) {
  SpiDisplay d;
  child_display(records, context, d);
  ike_display(records, context, d);
  return d;
}

std::vector<TraceRecord> apply_spis(std::span<const TraceRecord> records,
                                    const SpiDisplay& display) {
  std::vector<TraceRecord> out(records.begin(), records.end());
  if (display.child.empty() && display.ike.empty()) return out;
  auto map = [&](auto& spi) {
    using Spi = std::remove_reference_t<decltype(spi)>;
    if constexpr (sizeof(Spi) == 4) {
      if (const auto it = display.child.find(spi); it != display.child.end()) spi = it->second;
    } else {
      if (const auto it = display.ike.find(spi); it != display.ike.end()) spi = it->second;
    }
  };
  for (TraceRecord& r : out) {
    map(r.spi_in);
    map(r.spi_out);
    map(r.new_spi_in);
    map(r.new_spi_out);
    map(r.ike_spi);
    map(r.new_ike_spi);
    models::Message& m = r.message;
    map(m.ike_sa);
    if (m.sa_protocol == ProtocolId::kEsp) {
      auto spi = static_cast<std::uint32_t>(m.sa_spi);
      map(spi);
      m.sa_spi = spi;
    } else if (m.sa_protocol == ProtocolId::kIke) {
      map(m.sa_spi);
    }
    map(m.notify_spi);
    for (int k = 0; k < m.delete_count && k < models::Message::kMaxDeleteSpis; ++k)
      map(m.delete_spis[static_cast<std::size_t>(k)]);
  }
  return out;
}

std::vector<TraceRecord> with_spis(std::span<const TraceRecord> records,
                                   const LogContext& context) {
  return apply_spis(records, spi_display(records, context));
}

}  // namespace rekeysim::trace
