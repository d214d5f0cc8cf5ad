// Deleting a Child SA, both roles and crossing DELETEs (RFC 7296 1.4.1,
// 1.3.3, 2.25.1). See child_delete.hpp.
#include "models/ikev2/exchanges/child_delete.hpp"

#include "models/ikev2/exchanges/child_rekey.hpp"
#include "models/ikev2/peer.hpp"

namespace models::ikev2 {

bool ChildDelete::initiate(Peer& peer, IkeSa& ike, Task& t) {
  ChildSa* c = peer.child_by_in(t.child);
  if (!c || c->state == ChildSaState::kDeleted || c->state == ChildSaState::kDeleting) {
    if (c) c->delete_queued = false;
    return false;
  }
  // Deleting an SA the peer replaced: first conclude that rekey (CR-07/CR-09).
  if (c->state == ChildSaState::kRekeyed && !c->rekeyed && !c->redundant && c->replaced_by != 0) {
    ChildRekey::conclude_passive(peer, *c, false);
    c = peer.child_by_in(t.child);
  }
  // If an SA being deleted is the replacement of an SA still REKEYED here,
  // conclude that rekey first so traffic moves to it before it goes.
  for (auto& old : peer.children_)
    if (old.state == ChildSaState::kRekeyed && old.replaced_by == t.child && !old.rekeyed)
      ChildRekey::conclude_passive(peer, old, false);
  c = peer.child_by_in(t.child);
  c->state = ChildSaState::kDeleting;
  // RFC 7296 1.4.1: the Delete payload names our inbound SPI.
  Message m = peer.base_message(ike, ExchangeType::kInformational, false, 0);
  m.delete_protocol = ProtocolId::kEsp;
  m.delete_count = 1;
  m.delete_spis[0] = c->spi_in;
  peer.send_request(ike, t, m);
  if (peer.config_.behaviour.crossing_delete == CrossingDeleteHandling::kNaive) {
    // Naive implementations forget the SA as soon as their DELETE is out.
    peer.destroy_child(t.child);
  }
  return true;
}

// RFC 7296 1.4.1 and 2.25.1 for Delete payloads naming ESP SPIs.
void ChildDelete::respond(Peer& peer, IkeSa& ike, const Message& m) {
  const std::uint64_t ike_id = ike.id;
  Message resp = peer.base_message(ike, ExchangeType::kInformational, true, m.message_id);
  bool teardown = false;
  const int n = m.delete_protocol == ProtocolId::kEsp ? m.delete_count : 0;
  auto add_delete = [&](std::uint32_t spi) {
    resp.delete_protocol = ProtocolId::kEsp;
    if (resp.delete_count < Message::kMaxDeleteSpis) resp.delete_spis[resp.delete_count++] = spi;
  };
  for (int k = 0; k < n; ++k) {
    const std::uint32_t x = m.delete_spis[static_cast<std::size_t>(k)];
    ChildSa* c = peer.child_by_out(x);
    if (!c) {
      // The "can't find sa for proto ESP spi" moment; the knob decides the rest.
      TraceRecord r = peer.rec(TraceKind::kDeleteForUnknownSpi);
      r.spi_in = x;
      peer.trace(r);
      if (peer.config_.behaviour.unknown_spi == UnknownSpiAction::kTeardownIke) teardown = true;
      continue;  // 2.25.1: answered without a Delete payload
    }
    switch (c->state) {
      case ChildSaState::kDeleting: {
        // Crossing DELETEs (1.4.1): remove the outgoing half now, the incoming
        // half when our own response arrives; no Delete payload in the reply.
        TraceRecord r = peer.rec(TraceKind::kCollisionDetected);
        r.collision = CollisionKind::kCrossingDelete;
        r.spi_in = c->spi_in;
        r.spi_out = c->spi_out;
        peer.trace(r);
        c->peer_deleted = true;
        peer.remove_outbound(*c);
        break;
      }
      case ChildSaState::kDeleted:
        break;  // already closed on both sides; nothing to pair
      case ChildSaState::kRekeyed:
        add_delete(c->spi_in);
        c->peer_deleted = true;
        if (!c->redundant)
          ChildRekey::conclude_passive(peer, *c, false);  // 2.8: D(old) ends the rekey
        peer.keep_inbound_then_destroy(*c);
        break;
      case ChildSaState::kRekeying:
        add_delete(c->spi_in);
        c->peer_deleted = true;
        if (c->passive_new != 0 && peer.child_by_in(c->passive_new)) {
          // The collision winner deleted the old SA before our own response
          // came (CC-14): adopt its SA now; our exchange settles later.
          // RFC 7296 2.8.1: the old SA keeps the collision until our own
          // response (or its retransmission's cached copy, 2.1) arrives; only
          // then do we know whether our SA is redundant and ours to delete.
          // So no inbound-keep timer yet: ChildRekey::done/failed start it.
          // strongSwan child_delete.c destroy_and_reestablish() does the same
          // for CHILD_REKEY_COLLISION_OLD ("keeping rekeyed CHILD_SA until
          // active rekeying is concluded").
          c->replaced_by = c->passive_new;
          ChildRekey::conclude_passive(peer, *c, false);
          c->state = ChildSaState::kDeleted;
        } else {
          // 2.25.1: delete while rekeying -> answer as usual; strongSwan 6
          // keeps the SA (and its outbound) until its CREATE_CHILD_SA
          // response. strongSwan <= 5.9 (close_both) closes it now ("we
          // reply as usual, rekeying will fail"), and the response's new SA
          // follows it (ChildRekey::done).
          TraceRecord r = peer.rec(TraceKind::kCollisionDetected);
          r.collision = CollisionKind::kRekeyVsDelete;
          r.spi_in = c->spi_in;
          r.spi_out = c->spi_out;
          peer.trace(r);
          if (peer.config_.behaviour.rekey_vs_delete == RekeyVsDelete::kCloseBoth) {
            c->closed_by_delete = true;
            c->state = ChildSaState::kDeleted;
            for (sim::EventId* timer : {&c->soft_timer, &c->hard_timer, &c->retry_timer}) {
              if (timer->valid()) peer.port_.cancel_timer(*timer);
              *timer = {};
            }
            peer.remove_outbound(*c);
            peer.remove_inbound(*c);
          }
        }
        break;
      case ChildSaState::kInstalled: {
        const std::uint32_t spi_in = c->spi_in;
        add_delete(spi_in);
        // The loser deleting its redundant SA before we resolved (CC-14).
        for (auto& old : peer.children_)
          if (old.passive_new == spi_in) old.passive_new_deleted = true;
        peer.destroy_child(spi_in);
        break;
      }
    }
  }
  peer.send_response(*peer.ike_by_id(ike_id), resp);
  if (teardown) {
    if (IkeSa* i = peer.ike_by_id(ike_id)) peer.teardown_ike(*i);
  }
}

void ChildDelete::complete(Peer& peer, IkeSa& ike, const Task& t, const Message& m) {
  (void)ike;
  (void)m;
  ChildSa* c = peer.child_by_in(t.child);
  if (!c) return;  // kNaive forgot it when sending
  c->delete_queued = false;
  if (c->closed_by_delete) {
    // close_both: the rekey's new SA was deleted as redundant; nothing of
    // this Child SA is left, so the start action decides what comes next.
    peer.destroy_child(t.child);
    peer.after_child_loss();
    return;
  }
  if (c->rekeyed || c->redundant) {
    // 1.4.1: the incoming half goes when the response arrives; strongSwan
    // keeps it a little longer for packets in flight.
    peer.keep_inbound_then_destroy(*c);
    return;
  }
  const bool expired = c->expired;
  peer.destroy_child(t.child);
  if (!expired) return;
  peer.after_child_loss();
}

}  // namespace models::ikev2
