#include "tools/pcap/ike_sas.hpp"

#include <tuple>

namespace rekeysim::pcap {

using models::ExchangeType;
using models::Message;
using models::PeerId;
using models::ProtocolId;
using models::TraceKind;

IkeSaDirectory::IkeSaDirectory(std::span<const models::TraceRecord> whole_trial,
                               const KeyDeriver& keys)
    : keys_(&keys) {
  // Outstanding requests by (IKE SA, requester, message ID): a response is
  // matched to the request it answers (RFC 7296 2.2).
  std::map<std::tuple<std::uint64_t, PeerId, std::uint32_t>, Message> requests;
  for (const auto& r : whole_trial) {
    if (r.kind != TraceKind::kMessageSent) continue;
    const Message& m = r.message;
    if (!m.is_response) {
      requests[{m.ike_sa, r.peer, m.message_id}] = m;
      if (m.sa_protocol != ProtocolId::kIke) continue;
      const std::uint64_t id = m.exchange == ExchangeType::kIkeSaInit ? m.ike_sa : m.sa_spi;
      IkeSaIdentity& s = known_[id];
      s.initiator_spi = id;
      s.original_initiator = r.peer;
      continue;
    }
    const auto it = requests.find({m.ike_sa, models::other(r.peer), m.message_id});
    if (it == requests.end()) continue;
    const Message& req = it->second;
    if (req.sa_protocol == ProtocolId::kIke && m.sa_protocol == ProtocolId::kIke) {
      const std::uint64_t id = req.exchange == ExchangeType::kIkeSaInit ? req.ike_sa : req.sa_spi;
      known_[id].responder_spi = m.sa_spi;
    }
    requests.erase(it);
  }
}

IkeSaIdentity IkeSaDirectory::find(std::uint64_t id) const {
  if (const auto it = known_.find(id); it != known_.end() && it->second.responder_spi != 0) {
    return it->second;
  }
  IkeSaIdentity s;
  if (const auto it = known_.find(id); it != known_.end()) s = it->second;
  s.initiator_spi = id;
  // Never 0: a zero responder SPI means "IKE_SA_INIT request" (3.1).
  s.responder_spi = keys_->uniform("ike-responder-spi", id, ~std::uint64_t{0}) | 1;
  s.responder_spi_derived = true;
  return s;
}

}  // namespace rekeysim::pcap
