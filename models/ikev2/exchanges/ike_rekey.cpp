// Rekeying the IKE SA, both roles and its collisions (RFC 7296 1.3.2, 2.8,
// 2.8.2, 2.25, 2.25.2). See ike_rekey.hpp.
#include "models/ikev2/exchanges/ike_rekey.hpp"

#include <algorithm>

#include "models/ikev2/exchanges/exchange.hpp"
#include "models/ikev2/peer.hpp"

namespace models::ikev2 {

bool IkeRekey::initiate(Peer& peer, IkeSa& ike, Task& t) {
  if ((ike.id != peer.current_ike_ && !peer.owns_children(ike.id)) ||
      ike.state != IkeSaState::kEstablished)
    return false;
  ike.state = IkeSaState::kRekeying;
  t.new_ike_spi = peer.new_ike_spi();
  t.nonce = peer.port_.make_nonce();
  ike.rekey_new_spi = t.new_ike_spi;
  ike.rekey_ni = t.nonce;
  ike.passive_new_id = 0;
  TraceRecord r = peer.rec(TraceKind::kRekeyStarted);
  r.sa_kind = SaKind::kIke;
  r.ike_spi = ike.id;
  r.new_ike_spi = t.new_ike_spi;
  peer.trace(r);
  // RFC 7296 1.3.2: {SA, Ni, KEi}; no REKEY_SA, no TS.
  Message m = peer.base_message(ike, ExchangeType::kCreateChildSa, false, 0);
  m.sa_protocol = ProtocolId::kIke;
  m.sa_spi = t.new_ike_spi;
  m.has_nonce = true;
  m.nonce = t.nonce;
  m.has_ke = true;
  peer.send_request(ike, t, m);
  return true;
}

// 2.8.2 / 2.25.1 / 2.25.2 for an IKE rekey request.
void IkeRekey::respond(Peer& peer, IkeSa& ike, const Message& m) {
  const std::uint64_t old_id = ike.id;
  Message resp = peer.base_message(ike, ExchangeType::kCreateChildSa, true, m.message_id);
  // 2.25: a Child SA exchange of ours in progress makes the IKE rekey wait.
  // Which kind of collision it is depends on that exchange: a rekey or create
  // (child vs IKE rekey) or a DELETE (DELETE vs IKE rekey).
  // Only this IKE SA's Child SAs count (ChildSa::ike).
  const bool child_rekeying =
      std::any_of(peer.children_.begin(), peer.children_.end(),
                  [&](const ChildSa& c) {
                    return c.ike == old_id &&
                           (c.state == ChildSaState::kRekeying || c.retry_timer.valid());
                  }) ||
      (ike.request_outstanding && ike.active.kind == TaskKind::kChildCreate);
  const bool child_deleting = std::any_of(
      peer.children_.begin(), peer.children_.end(),
      [&](const ChildSa& c) { return c.ike == old_id && c.state == ChildSaState::kDeleting; });
  const bool child_busy = child_rekeying || child_deleting;
  if (ike.state == IkeSaState::kDeleting || ike.state == IkeSaState::kRekeyed ||
      (old_id != peer.current_ike_ && !peer.owns_children(old_id)) || child_busy) {
    set_notify(resp, NotifyType::kTemporaryFailure);
    TraceRecord r = peer.rec(TraceKind::kCollisionDetected);
    r.sa_kind = SaKind::kIke;
    r.collision =
        child_rekeying ? CollisionKind::kChildVsIkeRekey : CollisionKind::kDeleteVsIkeRekey;
    peer.trace(r);
    peer.send_response(ike, resp);
    return;
  }
  const Nonce nr = peer.port_.make_nonce();
  IkeSa n;
  n.id = m.sa_spi;  // the new initiator SPI identifies the new IKE SA
  n.my_spi = peer.new_ike_spi();
  n.peer_spi = m.sa_spi;
  n.role = SaRole::kResponder;
  n.ni = m.nonce;
  n.nr = nr;
  n.installed_at = peer.port_.now();
  const bool collision = ike.state == IkeSaState::kRekeying;
  n.state = collision ? IkeSaState::kPassiveNew : IkeSaState::kEstablished;
  resp.sa_protocol = ProtocolId::kIke;
  resp.sa_spi = n.my_spi;
  resp.has_nonce = true;
  resp.nonce = nr;
  resp.has_ke = true;
  if (collision) {
    ike.passive_new_id = n.id;
    TraceRecord r = peer.rec(TraceKind::kCollisionDetected);
    r.sa_kind = SaKind::kIke;
    r.collision = CollisionKind::kSimultaneousIkeRekey;
    r.ike_spi = old_id;
    r.new_ike_spi = n.id;
    peer.trace(r);
  }
  peer.ikes_.push_back(n);
  peer.send_response(*peer.ike_by_id(old_id), resp);
  if (!collision) {
    // 2.8: the new IKE SA inherits all Child SAs at once on the responder.
    peer.ike_by_id(old_id)->state = IkeSaState::kRekeyed;
    adopt(peer, old_id, n.id);
    // strongSwan ike_rekey.c: delete the old IKE SA ourselves if the initiator
    // never does.
    IkeSa* old = peer.ike_by_id(old_id);
    old->aux_timer =
        peer.port_.start_timer(peer.port_.now() + peer.config_.behaviour.ike_rekey_forced_delete,
                               TimerKind::kIkeForcedDelete, old_id);
  }
}

void IkeRekey::complete(Peer& peer, IkeSa& ike, const Task& t, const Message& m) {
  const std::uint64_t old_id = ike.id;
  if (m.notify != NotifyType::kNone) {
    if (ike.passive_new_id != 0 && peer.ike_by_id(ike.passive_new_id)) {
      // 2.8.2: the peer finished its rekey without noticing ours; adopt it and
      // wait for its DELETE of the old IKE SA.
      const std::uint64_t p = ike.passive_new_id;
      ike.state = IkeSaState::kRekeyed;
      TraceRecord r = peer.rec(TraceKind::kCollisionResolved);
      r.sa_kind = SaKind::kIke;
      r.collision = CollisionKind::kSimultaneousIkeRekey;
      r.won = false;
      r.ike_spi = old_id;
      r.new_ike_spi = p;
      peer.trace(r);
      adopt(peer, old_id, p);
      return;
    }
    ike.state = IkeSaState::kEstablished;
    {
      // 2.25: retry later, if this IKE SA is still established and still
      // carries Child SAs (the current one, or another with its own).
      const SimTime due = peer.port_.now() + peer.draw_retry_delay();
      peer.ike_retries_.emplace_back(due, old_id);
      peer.port_.start_timer(due, TimerKind::kRetryRekey, kIkeRekeyRetryCookie);
      TraceRecord r = peer.rec(TraceKind::kRetryScheduled);
      r.sa_kind = SaKind::kIke;
      r.notify = m.notify;
      peer.trace(r);
    }
    return;
  }
  IkeSa mine;
  mine.id = t.new_ike_spi;
  mine.my_spi = t.new_ike_spi;
  mine.peer_spi = m.sa_spi;
  mine.role = SaRole::kInitiator;
  mine.ni = t.nonce;
  mine.nr = m.nonce;
  mine.state = IkeSaState::kPassiveNew;  // until adopted
  const std::uint64_t passive = ike.passive_new_id;
  peer.ikes_.push_back(mine);  // invalidates `ike`
  IkeSa* p = passive != 0 ? peer.ike_by_id(passive) : nullptr;
  Task del;
  del.kind = TaskKind::kIkeDelete;
  if (!p) {
    // 2.8: the new IKE SA inherits the Child SAs; the old one is deleted, and
    // that DELETE is the last request on it.
    peer.ike_by_id(old_id)->state = IkeSaState::kRekeyed;
    adopt(peer, old_id, mine.id);
    del.ike = old_id;
    peer.queue_task(del);
    return;
  }
  // 2.8.2: both rekeyed. The new IKE SA with the lowest nonce is redundant and
  // is deleted by its creator; RFC 4718 said the opposite (a legacy knob).
  // OpenIKED's inverted comparison was in its Child SA code only; strongSwan
  // 4.1.0-4.5.0's lowest-wins compare was in ike_rekey.c too, so it applies here.
  CollisionResolution rule = peer.config_.behaviour.collision_resolution;
  if (rule == CollisionResolution::kInverted) rule = CollisionResolution::kRfc7296FourNonce;
  bool lost = lost_collision(rule, mine.ni, mine.nr, p->ni, p->nr);
  if (peer.config_.behaviour.ike_collision_winner == IkeCollisionWinner::kRfc4718Inverted)
    lost = !lost;
  TraceRecord r = peer.rec(TraceKind::kCollisionResolved);
  r.sa_kind = SaKind::kIke;
  r.collision = CollisionKind::kSimultaneousIkeRekey;
  r.won = !lost;
  r.ike_spi = old_id;
  r.new_ike_spi = lost ? passive : mine.id;
  peer.trace(r);
  peer.ike_by_id(old_id)->state = IkeSaState::kRekeyed;
  if (!lost) {
    adopt(peer, old_id, mine.id);
    IkeSa* red = peer.ike_by_id(passive);
    red->state = IkeSaState::kRekeyed;
    red->redundant = true;
    red->aux_timer =
        peer.port_.start_timer(peer.port_.now() + peer.config_.behaviour.redundant_ike_timeout,
                               TimerKind::kRedundantIkeTimeout, passive);
    del.ike = old_id;
  } else {
    adopt(peer, old_id, passive);
    IkeSa* red = peer.ike_by_id(mine.id);
    red->state = IkeSaState::kRekeyed;  // only its DELETE will run on it
    red->redundant = true;
    del.ike = mine.id;
  }
  peer.queue_task(del);
}

void IkeRekey::adopt(Peer& peer, std::uint64_t old_id, std::uint64_t new_id) {
  IkeSa* n = peer.ike_by_id(new_id);
  n->state = IkeSaState::kEstablished;
  n->installed_at = peer.port_.now();
  peer.arm_ike_timers(*n);
  // 2.8: the new IKE SA takes over the old one's Child SAs (and its role as
  // the one new Child SAs go on, if it had it).
  if (peer.current_ike_ == old_id || peer.ike_by_id(peer.current_ike_) == nullptr)
    peer.current_ike_ = new_id;
  for (ChildSa& c : peer.children_)
    if (c.ike == old_id) c.ike = new_id;
  TraceRecord r = peer.rec(TraceKind::kIkeSaRekeyed);
  r.sa_kind = SaKind::kIke;
  r.ike_spi = old_id;
  r.new_ike_spi = new_id;
  peer.trace(r);
  if (IkeSa* old = peer.ike_by_id(old_id)) {
    if (old->soft_timer.valid()) peer.port_.cancel_timer(old->soft_timer);
    old->soft_timer = {};
    old->passive_new_id = 0;
  }
}

}  // namespace models::ikev2
