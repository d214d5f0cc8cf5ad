// Deleting an IKE SA, both roles (RFC 7296 1.4.1, 2.8.2, 2.25.2). See
// ike_delete.hpp.
#include "models/ikev2/exchanges/ike_delete.hpp"

#include "models/ikev2/exchanges/ike_rekey.hpp"
#include "models/ikev2/peer.hpp"

namespace models::ikev2 {

bool IkeDelete::initiate(Peer& peer, IkeSa& ike, Task& t) {
  if (ike.state == IkeSaState::kDeleting) return false;
  ike.state = IkeSaState::kDeleting;
  Message m = peer.base_message(ike, ExchangeType::kInformational, false, 0);
  m.delete_protocol = ProtocolId::kIke;
  peer.send_request(ike, t, m);
  return true;
}

// 2.25.2 for an IKE SA delete request; the answer is always empty (1.4.1).
void IkeDelete::respond(Peer& peer, IkeSa& ike, const Message& m) {
  const std::uint64_t id = ike.id;
  peer.send_response(ike, peer.base_message(ike, ExchangeType::kInformational, true, m.message_id));
  IkeSa* sa = peer.ike_by_id(id);
  if (sa->state == IkeSaState::kRekeying && sa->passive_new_id != 0 &&
      peer.ike_by_id(sa->passive_new_id)) {
    // 2.8.2: the peer did not see the collision (or won it) and closed the
    // old IKE SA: take its new IKE SA and forget our own rekey.
    const std::uint64_t adopt = sa->passive_new_id;
    TraceRecord r = peer.rec(TraceKind::kCollisionResolved);
    r.sa_kind = SaKind::kIke;
    r.collision = CollisionKind::kSimultaneousIkeRekey;
    r.won = false;
    r.ike_spi = id;
    r.new_ike_spi = adopt;
    peer.trace(r);
    IkeRekey::adopt(peer, id, adopt);
    peer.destroy_ike(id);
    return;
  }
  if (sa->state == IkeSaState::kDeleting && sa->reauth) {
    // Both peers reauthenticating: the DELETEs cross. strongSwan's
    // ike_delete marks this "simultaneous" and keeps the IKE SA until its own
    // DELETE is answered, so its reauthentication still re-establishes.
    return;
  }
  // 1.4.1: the IKE SA goes with the Child SAs under it. If it carried the
  // tunnel and no other IKE SA does, everything goes (DI-54, ID-46: also
  // forgetting our own rekey or close request); an old or redundant IKE SA of
  // a rekey carries nothing; a reauthenticated or duplicate one takes only its
  // own Child SAs.
  peer.lose_ike(id);
}

void IkeDelete::complete(Peer& peer, IkeSa& ike, const Task& t, const Message& m) {
  (void)t;
  (void)m;
  const std::uint64_t ike_id = ike.id;
  const bool reset = ike.reset_after_delete;
  const bool reauth = ike.reauth;
  peer.lose_ike(ike_id);
  if (reauth && !reset) {
    // Another IKE SA kept the tunnel (Peer::teardown_ike): the reauthenticated
    // one is still replaced, beside it (strongSwan ike_sa.c reestablish()
    // makes a new IKE SA whatever other IKE SAs exist).
    peer.begin_ike_sa();
  } else if (reauth) {
    peer.start_reestablish();  // 2.8.3: the new IKE SA at once, whatever start_action says
  } else if (reset) {
    peer.schedule_reestablish();
  }
}

}  // namespace models::ikev2
