// The initiator side: what each task does with its response (RFC 7296 1.3,
// 1.4.1, 2.8, 2.8.1, 2.8.2, 2.25 and strongSwan's handling of notifies,
// semantics notes 2.2 / 2.3).
#include <algorithm>

#include "models/ikev2/peer.hpp"

namespace models::ikev2 {

namespace {
constexpr std::uint64_t kIkeRekeyRetryCookie = 0;
}  // namespace

void Peer::conclude_passive_rekey(ChildSa& old_sa, bool finish) {
  const std::uint32_t old_in = old_sa.spi_in;
  if (!old_sa.rekeyed) {
    old_sa.rekeyed = true;
    if (ChildSa* n = child_by_in(old_sa.replaced_by)) {
      switch_outbound(*n);
      TraceRecord r = rec(TraceKind::kRekeyCompleted);
      r.spi_in = old_sa.spi_in;
      r.spi_out = old_sa.spi_out;
      r.new_spi_in = n->spi_in;
      r.new_spi_out = n->spi_out;
      trace(r);
    }
  }
  ChildSa* c = child_by_in(old_in);
  remove_outbound(*c);
  if (finish) keep_inbound_then_destroy(*c);
}

void Peer::child_rekey_done(IkeSa& ike, const Task& t, const Message& m) {
  (void)ike;
  const std::uint32_t mine_in = t.new_spi;
  // The initiator installs both halves of the new SA on the response (2.8).
  add_child(mine_in, static_cast<std::uint32_t>(m.sa_spi), SaRole::kInitiator, t.nonce, m.nonce);
  ChildSa* old = child_by_in(t.child);
  if (!old) {
    // The old SA is already gone (expired and destroyed): just use the new one.
    switch_outbound(*child_by_in(mine_in));
    return;
  }
  if (old->passive_new != 0) {
    resolve_child_collision(*old, *child_by_in(mine_in));
    return;
  }
  old->replaced_by = mine_in;
  if (old->rekeyed) {
    // We already moved to the peer's replacement (libreswan-style double rekey).
    switch_outbound(*child_by_in(mine_in));
    return;
  }
  const bool already_deleted = old->peer_deleted || old->state == ChildSaState::kDeleted;
  const bool expired = old->expired;
  conclude_passive_rekey(*old, false);  // switch to ours, emit kRekeyCompleted
  old = child_by_in(t.child);
  if (already_deleted) {
    // CR-09: the peer (incorrectly) deleted the old SA before its response
    // arrived; nothing left to delete.
    keep_inbound_then_destroy(*old);
    return;
  }
  if (expired) return;  // its DELETE is queued already
  old->state = ChildSaState::kRekeyed;
  // 1.3.3: "when the new one is established, delete the old one", after the
  // profile's delay (libreswan 1 s, strongSwan at once).
  if (config_.behaviour.old_sa_delete_delay.ns() <= 0) {
    request_delete_child(t.child);
  } else {
    old->delete_timer =
        port_.start_timer(port_.now() + local_to_true(config_.behaviour.old_sa_delete_delay),
                          TimerKind::kDeleteOldSa, t.child);
  }
}

// 2.8.1: both exchanges are complete at this peer; the lowest of the four
// nonces marks the redundant SA, deleted by the peer that created it.
void Peer::resolve_child_collision(ChildSa& old_ref, ChildSa& mine_ref) {
  const std::uint32_t old_in = old_ref.spi_in;
  const std::uint32_t mine_in = mine_ref.spi_in;
  const std::uint32_t theirs_in = old_ref.passive_new;
  const bool lost =
      lost_collision(mine_ref.ni, mine_ref.nr, old_ref.passive_ni, old_ref.passive_nr);
  {
    TraceRecord r = rec(TraceKind::kCollisionResolved);
    r.collision = CollisionKind::kSimultaneousChildRekey;
    r.won = !lost;
    r.spi_in = old_ref.spi_in;
    r.spi_out = old_ref.spi_out;
    r.new_spi_in = lost ? theirs_in : mine_in;
    trace(r);
  }
  ChildSa* old = child_by_in(old_in);
  old->passive_new = 0;
  if (!lost) {
    // Winner: move to our SA, delete the old one; the peer deletes its own
    // redundant SA, which we keep (outbound unused) until then.
    if (ChildSa* theirs = child_by_in(theirs_in)) {
      theirs->redundant = true;
      theirs->withheld = true;
      theirs->state = ChildSaState::kRekeyed;
      remove_outbound(*theirs);
    }
    old = child_by_in(old_in);
    const bool already_deleted = old->peer_deleted || old->state == ChildSaState::kDeleted;
    old->replaced_by = mine_in;
    old->rekeyed = false;
    conclude_passive_rekey(*old, false);
    old = child_by_in(old_in);
    if (already_deleted) {
      keep_inbound_then_destroy(*old);
      return;
    }
    old->state = ChildSaState::kRekeyed;
    if (config_.behaviour.old_sa_delete_delay.ns() <= 0) {
      request_delete_child(old_in);
    } else {
      old->delete_timer =
          port_.start_timer(port_.now() + local_to_true(config_.behaviour.old_sa_delete_delay),
                            TimerKind::kDeleteOldSa, old_in);
    }
    return;
  }
  // Loser: delete our redundant SA; keep sending on the old SA until the
  // winner's D(old) arrives, then switch to the winner's SA.
  ChildSa* mine = child_by_in(mine_in);
  mine->redundant = true;
  request_delete_child(mine_in);
  old = child_by_in(old_in);
  if (old->state == ChildSaState::kDeleted) return;  // D(old) already concluded it
  if (!child_by_in(theirs_in)) {
    // The winner's SA is gone too (deleted before we resolved): nothing left.
    old->state = ChildSaState::kInstalled;
    return;
  }
  old->state = ChildSaState::kRekeyed;
  old->replaced_by = theirs_in;
}

void Peer::child_rekey_failed(const Task& t, NotifyType n) {
  ChildSa* c = child_by_in(t.child);
  if (!c) return;
  const std::uint32_t spi = c->spi_in;
  const bool passive_alive =
      c->passive_new != 0 && !c->passive_new_deleted && child_by_in(c->passive_new);
  if (c->state == ChildSaState::kDeleted) {
    // D(old) already arrived and we adopted the peer's SA (CC-17/CC-18): our
    // rekey is simply abandoned; no retry, no re-create.
    if (c->passive_new != 0) {
      TraceRecord r = rec(TraceKind::kCollisionResolved);
      r.collision = CollisionKind::kSimultaneousChildRekey;
      r.won = false;
      r.spi_in = c->spi_in;
      r.spi_out = c->spi_out;
      r.new_spi_in = c->passive_new;
      trace(r);
    }
    c->passive_new = 0;
    return;
  }
  const bool legacy_retry =
      n == NotifyType::kTemporaryFailure &&
      config_.behaviour.temp_failure_in_collision == TempFailureInCollision::kRetryOwnRekey;
  if (passive_alive && legacy_retry) {
    // strongSwan <= 5.9 (#1896): forget the peer's completed rekey and retry
    // ours; the peer's D(old) then looks like a plain delete.
    c->passive_new = 0;
  } else if (passive_alive) {
    // The peer completed a rekey without seeing ours (2.8.2 "only one side
    // notices"): abandon ours, keep its SA, wait for its D(old).
    TraceRecord r = rec(TraceKind::kCollisionResolved);
    r.collision = CollisionKind::kSimultaneousChildRekey;
    r.won = false;
    r.spi_in = c->spi_in;
    r.spi_out = c->spi_out;
    r.new_spi_in = c->passive_new;
    trace(r);
    c->state = ChildSaState::kRekeyed;
    c->replaced_by = c->passive_new;
    c->passive_new = 0;
    return;
  }
  if (n == NotifyType::kChildSaNotFound) {
    // 2.25: the peer lost the SA. If it deleted it knowingly, close it; else
    // destroy it here and create a new one from scratch (CR-08).
    const bool deleted_by_peer = c->peer_deleted;
    destroy_child(spi);
    if (!deleted_by_peer) {
      Task ct;
      ct.kind = TaskKind::kChildCreate;
      queue_task(ct);
    } else {
      after_child_loss();
    }
    return;
  }
  if (n == NotifyType::kTemporaryFailure && c->peer_deleted) {
    // 2.25.1 rekey vs DELETE (CD-24): the peer is closing the SA; close it
    // here too, no retry.
    destroy_child(spi);
    return;
  }
  // 2.25: MUST NOT retry at once; strongSwan retries after 6..15 s.
  c->state = ChildSaState::kInstalled;
  const SimTime at = port_.now() + draw_retry_delay();
  c->retry_timer = port_.start_timer(at, TimerKind::kRetryRekey, spi);
  TraceRecord r = rec(TraceKind::kRetryScheduled);
  r.spi_in = c->spi_in;
  r.spi_out = c->spi_out;
  r.notify = n;
  trace(r);
}

void Peer::child_create_done(const Task& t, const Message& m) {
  ChildSa& c = add_child(t.new_spi, static_cast<std::uint32_t>(m.sa_spi), SaRole::kInitiator,
                         t.nonce, m.nonce);
  switch_outbound(c);
  create_wanted_ = false;
}

void Peer::child_delete_done(const Task& t) {
  ChildSa* c = child_by_in(t.child);
  if (!c) return;  // kNaive forgot it when sending
  c->delete_queued = false;
  if (c->rekeyed || c->redundant) {
    // 1.4.1: the incoming half goes when the response arrives; strongSwan
    // keeps it a little longer for packets in flight.
    keep_inbound_then_destroy(*c);
    return;
  }
  const bool expired = c->expired;
  destroy_child(t.child);
  if (!expired) return;
  after_child_loss();
}

void Peer::adopt_ike(std::uint64_t old_id, std::uint64_t new_id) {
  IkeSa* n = ike_by_id(new_id);
  n->state = IkeSaState::kEstablished;
  n->installed_at = port_.now();
  arm_ike_timers(*n);
  current_ike_ = new_id;
  TraceRecord r = rec(TraceKind::kIkeSaRekeyed);
  r.sa_kind = SaKind::kIke;
  r.ike_spi = old_id;
  r.new_ike_spi = new_id;
  trace(r);
  if (IkeSa* old = ike_by_id(old_id)) {
    if (old->soft_timer.valid()) port_.cancel_timer(old->soft_timer);
    old->soft_timer = {};
    old->passive_new_id = 0;
  }
}

void Peer::ike_rekey_done(IkeSa& ike, const Task& t, const Message& m) {
  const std::uint64_t old_id = ike.id;
  if (m.notify != NotifyType::kNone) {
    if (ike.passive_new_id != 0 && ike_by_id(ike.passive_new_id)) {
      // 2.8.2: the peer finished its rekey without noticing ours; adopt it and
      // wait for its DELETE of the old IKE SA.
      const std::uint64_t p = ike.passive_new_id;
      ike.state = IkeSaState::kRekeyed;
      TraceRecord r = rec(TraceKind::kCollisionResolved);
      r.sa_kind = SaKind::kIke;
      r.collision = CollisionKind::kSimultaneousIkeRekey;
      r.won = false;
      r.ike_spi = old_id;
      r.new_ike_spi = p;
      trace(r);
      adopt_ike(old_id, p);
      return;
    }
    ike.state = IkeSaState::kEstablished;
    {
      // 2.25: retry later, and only if this IKE SA is still the one in use then.
      ike_retry_for_ = old_id;
      port_.start_timer(port_.now() + draw_retry_delay(), TimerKind::kRetryRekey,
                        kIkeRekeyRetryCookie);
      TraceRecord r = rec(TraceKind::kRetryScheduled);
      r.sa_kind = SaKind::kIke;
      r.notify = m.notify;
      trace(r);
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
  ikes_.push_back(mine);  // invalidates `ike`
  IkeSa* p = passive != 0 ? ike_by_id(passive) : nullptr;
  Task del;
  del.kind = TaskKind::kIkeDelete;
  if (!p) {
    // 2.8: the new IKE SA inherits the Child SAs; the old one is deleted, and
    // that DELETE is the last request on it.
    ike_by_id(old_id)->state = IkeSaState::kRekeyed;
    adopt_ike(old_id, mine.id);
    del.ike = old_id;
    queue_task(del);
    return;
  }
  // 2.8.2: both rekeyed. The new IKE SA with the lowest nonce is redundant and
  // is deleted by its creator; RFC 4718 said the opposite (a legacy knob).
  bool lost = lost_collision(mine.ni, mine.nr, p->ni, p->nr);
  if (config_.behaviour.ike_collision_winner == IkeCollisionWinner::kRfc4718Inverted) lost = !lost;
  TraceRecord r = rec(TraceKind::kCollisionResolved);
  r.sa_kind = SaKind::kIke;
  r.collision = CollisionKind::kSimultaneousIkeRekey;
  r.won = !lost;
  r.ike_spi = old_id;
  r.new_ike_spi = lost ? passive : mine.id;
  trace(r);
  ike_by_id(old_id)->state = IkeSaState::kRekeyed;
  if (!lost) {
    adopt_ike(old_id, mine.id);
    IkeSa* red = ike_by_id(passive);
    red->state = IkeSaState::kRekeyed;
    red->redundant = true;
    red->aux_timer = port_.start_timer(port_.now() + config_.behaviour.redundant_ike_timeout,
                                       TimerKind::kRedundantIkeTimeout, passive);
    del.ike = old_id;
  } else {
    adopt_ike(old_id, passive);
    IkeSa* red = ike_by_id(mine.id);
    red->state = IkeSaState::kRekeyed;  // only its DELETE will run on it
    red->redundant = true;
    del.ike = mine.id;
  }
  queue_task(del);
}

void Peer::ike_delete_done(std::uint64_t ike_id) {
  IkeSa* ike = ike_by_id(ike_id);
  if (!ike) return;
  const bool reset = ike->reset_after_delete;
  if (ike_id == current_ike_) {
    tunnel_reset();
  } else {
    destroy_ike(ike_id);
  }
  if (reset) schedule_reestablish();
}

void Peer::ike_init_done(IkeSa& ike, Task t, const Message& m) {
  const std::uint64_t id = ike.id;
  if (m.notify != NotifyType::kNone) {
    destroy_ike(id);
    schedule_reestablish();
    return;
  }
  if (t.stage == 0) {
    ike.peer_spi = m.sa_spi;
    ike.nr = m.nonce;
    t.stage = 1;
    start_task(ike, t);  // IKE_AUTH follows at once on the same IKE SA
    return;
  }
  ike.state = IkeSaState::kEstablished;
  current_ike_ = id;
  arm_ike_timers(ike);
  const Nonce ni = ike.ni, nr = ike.nr;
  ChildSa& c =
      add_child(t.new_spi, static_cast<std::uint32_t>(m.sa_spi), SaRole::kInitiator, ni, nr);
  switch_outbound(c);
  create_wanted_ = false;
  if (!tunnel_up_) {
    tunnel_up_ = true;
    trace(rec(TraceKind::kTunnelUp));
  }
}

}  // namespace models::ikev2
