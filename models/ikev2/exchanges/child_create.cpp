// Creating a Child SA, both roles (RFC 7296 1.3, 1.3.1, 2.25, 2.25.2). See
// child_create.hpp.
#include "models/ikev2/exchanges/child_create.hpp"

#include <algorithm>

#include "models/ikev2/exchanges/exchange.hpp"
#include "models/ikev2/peer.hpp"

namespace models::ikev2 {

void ChildCreate::offer_sa(Message& m, const Task& t, bool ke) {
  m.has_ke = ke;
  m.sa_protocol = ProtocolId::kEsp;
  m.sa_spi = t.new_spi;
  m.has_nonce = true;
  m.nonce = t.nonce;
  m.has_ts = true;
}

void ChildCreate::accept_sa(Message& resp, const Message& request, std::uint32_t spi,
                            const Nonce& nr) {
  resp.has_ke = request.has_ke;
  resp.sa_protocol = ProtocolId::kEsp;
  resp.sa_spi = spi;
  resp.has_nonce = true;
  resp.nonce = nr;
  resp.has_ts = true;
}

bool ChildCreate::initiate(Peer& peer, IkeSa& ike, Task& t) {
  // Only when nothing carries traffic (start_action or CHILD_SA_NOT_FOUND).
  if (peer.outbound_spi()) return false;
  t.new_spi = peer.new_child_spi();
  t.nonce = peer.port_.make_nonce();
  Message m = peer.base_message(ike, ExchangeType::kCreateChildSa, false, 0);
  offer_sa(m, t, peer.config_.behaviour.child_pfs);
  peer.send_request(ike, t, m);
  return true;
}

void ChildCreate::complete(Peer& peer, IkeSa& ike, const Task& t, const Message& m) {
  if (m.notify == NotifyType::kNoAdditionalSas) {
    // 1.3: the responder refuses any further Child SA on this IKE SA; a
    // retry would be refused again, so there is none.
    return;
  }
  if (m.notify != NotifyType::kNone) {
    // 2.25: retry later, never at once.
    peer.port_.start_timer(peer.port_.now() + peer.draw_retry_delay(), TimerKind::kRetryRekey,
                           kCreateRetryCookie);
    peer.trace(peer.rec(TraceKind::kRetryScheduled));
    return;
  }
  ChildSa& c = peer.add_child(t.new_spi, static_cast<std::uint32_t>(m.sa_spi), SaRole::kInitiator,
                              t.nonce, m.nonce, ike.id);
  peer.switch_outbound(c);
  peer.create_wanted_ = false;
}

void ChildCreate::respond(Peer& peer, IkeSa& ike, const Message& m) {
  const std::uint64_t ike_id = ike.id;
  Message resp = peer.base_message(ike, ExchangeType::kCreateChildSa, true, m.message_id);
  if (peer.ike_busy_for_child(ike)) {
    set_notify(resp, NotifyType::kTemporaryFailure);
    peer.send_response(ike, resp);
    return;
  }
  // 1.3: a responder that will not accept more Child SAs says so; the
  // initiator must not expect a retry to succeed.
  const int limit = peer.config_.behaviour.max_child_sas;
  if (limit > 0 &&
      std::count_if(peer.children_.begin(), peer.children_.end(), [](const ChildSa& c) {
        return !c.expired && c.state != ChildSaState::kDeleted;
      }) >= limit) {
    set_notify(resp, NotifyType::kNoAdditionalSas);
    peer.send_response(ike, resp);
    return;
  }
  const Nonce nr = peer.port_.make_nonce();
  const std::uint32_t spi = peer.new_child_spi();
  ChildSa& c = peer.add_child(spi, static_cast<std::uint32_t>(m.sa_spi), SaRole::kResponder,
                              m.nonce, nr, ike_id);
  // Nothing is replaced, so the responder uses the new SA at once.
  peer.switch_outbound(c);
  peer.create_wanted_ = false;
  accept_sa(resp, m, spi, nr);
  peer.send_response(*peer.ike_by_id(ike_id), resp);
}

}  // namespace models::ikev2
