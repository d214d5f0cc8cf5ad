// Rekeying a Child SA, both roles and its collisions (RFC 7296 1.3.3, 2.8,
// 2.8.1, 2.25, 2.25.1; strongSwan's notify handling, semantics notes 2.2 /
// 2.3). See child_rekey.hpp.
#include "models/ikev2/exchanges/child_rekey.hpp"

#include "models/ikev2/exchanges/child_create.hpp"
#include "models/ikev2/exchanges/exchange.hpp"
#include "models/ikev2/peer.hpp"

namespace models::ikev2 {

bool ChildRekey::initiate(Peer& peer, IkeSa& ike, Task& t) {
  ChildSa* c = peer.child_by_in(t.child);
  if (!c || c->state != ChildSaState::kInstalled || c->expired) return false;
  c->state = ChildSaState::kRekeying;
  t.new_spi = peer.new_child_spi();
  t.nonce = peer.port_.make_nonce();
  TraceRecord r = peer.rec(TraceKind::kRekeyStarted);
  r.spi_in = c->spi_in;
  r.spi_out = c->spi_out;
  r.new_spi_in = t.new_spi;
  peer.trace(r);
  // RFC 7296 1.3.3: {N(REKEY_SA), SA, Ni, [KEi], TSi, TSr}; the REKEY_SA SPI
  // is the one we expect on inbound packets of the old SA.
  Message m = peer.base_message(ike, ExchangeType::kCreateChildSa, false, 0);
  m.notify = NotifyType::kRekeySa;
  m.notify_spi = c->spi_in;
  ChildCreate::offer_sa(m, t, peer.config_.behaviour.child_pfs);
  peer.send_request(ike, t, m);
  return true;
}

// 2.8.1 settled for the SA `old`: which replacement survives (`kept`, its
// inbound SPI here) and whether it is this peer's own.
void ChildRekey::trace_resolved(Peer& peer, const ChildSa& old, bool won, std::uint32_t kept) {
  TraceRecord r = peer.rec(TraceKind::kCollisionResolved);
  r.collision = CollisionKind::kSimultaneousChildRekey;
  r.won = won;
  r.spi_in = old.spi_in;
  r.spi_out = old.spi_out;
  r.new_spi_in = kept;
  peer.trace(r);
}

void ChildRekey::complete(Peer& peer, IkeSa& ike, const Task& t, const Message& m) {
  if (m.notify != NotifyType::kNone) {
    failed(peer, t, m.notify);
  } else {
    done(peer, ike, t, m);
  }
}

void ChildRekey::respond(Peer& peer, IkeSa& ike_in, const Message& m) {
  const std::uint64_t ike_id = ike_in.id;
  Message resp = peer.base_message(ike_in, ExchangeType::kCreateChildSa, true, m.message_id);
  const std::uint32_t x = m.notify_spi;
  ChildSa* c = peer.child_by_out(x);  // RFC 7296 1.3.3: REKEY_SA names our outbound SPI
  bool teardown = false;
  if (peer.ike_busy_for_child(ike_in)) {
    set_notify(resp, NotifyType::kTemporaryFailure);
    TraceRecord r = peer.rec(TraceKind::kCollisionDetected);
    r.collision = ike_in.state == IkeSaState::kDeleting ? CollisionKind::kDeleteVsIkeRekey
                                                        : CollisionKind::kChildVsIkeRekey;
    r.spi_out = x;
    peer.trace(r);
  } else if (!c || c->state == ChildSaState::kDeleted || c->expired) {
    // 2.25: a rekey for an SA that does not exist -> CHILD_SA_NOT_FOUND, SPI copied.
    set_notify(resp, NotifyType::kChildSaNotFound, x);
    TraceRecord r = peer.rec(TraceKind::kRekeyForUnknownSpi);
    r.spi_in = x;
    peer.trace(r);
    teardown = peer.config_.behaviour.unknown_spi == UnknownSpiAction::kTeardownIke;
  } else if (c->state == ChildSaState::kDeleting) {
    // 2.25.1: rekey request for an SA we are closing -> TEMPORARY_FAILURE.
    set_notify(resp, NotifyType::kTemporaryFailure);
    TraceRecord r = peer.rec(TraceKind::kCollisionDetected);
    r.collision = CollisionKind::kRekeyVsDelete;
    r.spi_in = c->spi_in;
    r.spi_out = c->spi_out;
    peer.trace(r);
  } else {
    const std::uint32_t old_in = c->spi_in;
    if (c->withheld && c->redundant) {
      // 2.8.1 made this SA redundant here, yet the peer rekeys it: the peer kept it (no
      // tie-break: libreswan, semantics notes 3.4; PAN-OS). It is a live pair at both ends,
      // so this is a plain rekey of it and its D(old) moves our traffic to the replacement
      // (2.8). Without this, D(old) of a "redundant" SA concluded nothing and we could be
      // left without any outbound SA until the next rekey.
      c->redundant = false;
    }
    const bool own_rekey_running = c->state == ChildSaState::kRekeying;
    const Nonce nr = peer.port_.make_nonce();
    const std::uint32_t spi = peer.new_child_spi();
    // 2.8: the responder must be ready to receive on the new SA before it
    // answers: inbound installed now, outbound only registered.
    peer.add_child(spi, static_cast<std::uint32_t>(m.sa_spi), SaRole::kResponder, m.nonce, nr,
                   ike_id);
    ChildSa& old = *peer.child_by_in(old_in);
    ChildSa& neu = *peer.child_by_in(spi);
    bool collision = false;
    if (old.state == ChildSaState::kRekeying) {
      // 2.8.1: we are rekeying it too. Answer normally; which SA is redundant
      // is known only when both exchanges are complete here.
      TraceRecord r = peer.rec(TraceKind::kCollisionDetected);
      r.collision = CollisionKind::kSimultaneousChildRekey;
      r.spi_in = old.spi_in;
      r.spi_out = old.spi_out;
      peer.trace(r);
      if (peer.config_.behaviour.collision_resolution != CollisionResolution::kNone) {
        collision = true;
        old.passive_new = spi;
        old.passive_ni = m.nonce;
        old.passive_nr = nr;
        old.passive_new_deleted = false;
      }
    } else {
      old.state = ChildSaState::kRekeyed;
      old.replaced_by = spi;
    }
    if (!collision &&
        peer.config_.behaviour.responder_switch == ResponderOutboundSwitch::kOnRequest) {
      peer.switch_outbound(neu);
    }
    ChildCreate::accept_sa(resp, m, spi, nr);
    peer.send_response(*peer.ike_by_id(ike_id), resp);
    if (!collision &&
        peer.config_.behaviour.responder_switch == ResponderOutboundSwitch::kOnResponseSent) {
      // PAN-OS / CSCvx23833: sends on the new SA before the initiator can
      // have installed its inbound half.
      peer.switch_outbound(*peer.child_by_in(spi));
    }
    if (!own_rekey_running && peer.config_.behaviour.responder_deletes_old) {
      // PAN-OS (strongSwan issue #1458): the responder sends D(old) itself
      // right behind its response, which RFC 7296 1.3.3 leaves to the
      // initiator. The initiator may process it before the response.
      const SimTime delay = peer.config_.behaviour.old_sa_delete_delay;
      if (delay.ns() <= 0) {
        peer.request_delete_child(old_in);
      } else if (ChildSa* o = peer.child_by_in(old_in)) {
        o->delete_timer = peer.port_.start_timer(peer.port_.now() + peer.local_to_true(delay),
                                                 TimerKind::kDeleteOldSa, old_in);
      }
    }
    return;
  }
  peer.send_response(ike_in, resp);
  if (teardown) {
    if (IkeSa* ike = peer.ike_by_id(ike_id)) peer.teardown_ike(*ike);
  }
}

void ChildRekey::done(Peer& peer, IkeSa& ike, const Task& t, const Message& m) {
  const std::uint32_t mine_in = t.new_spi;
  // The initiator installs both halves of the new SA on the response (2.8).
  peer.add_child(mine_in, static_cast<std::uint32_t>(m.sa_spi), SaRole::kInitiator, t.nonce,
                 m.nonce, ike.id);
  ChildSa* old = peer.child_by_in(t.child);
  if (old && old->closed_by_delete) {
    // rekey_vs_delete = close_both (strongSwan <= 5.9, issue #1458): the
    // peer's DELETE closed the old SA before this response was processed, so
    // the rekey "collided" with that delete and the new SA is deleted as
    // redundant without ever being used: no Child SA is left.
    peer.destroy_child(t.child);
    ChildSa& mine = *peer.child_by_in(mine_in);
    mine.redundant = true;
    mine.closed_by_delete = true;
    peer.request_delete_child(mine_in);
    return;
  }
  if (!old) {
    // The old SA is already gone (expired and destroyed): just use the new one.
    peer.switch_outbound(*peer.child_by_in(mine_in));
    return;
  }
  if (old->passive_new != 0) {
    resolve_collision(peer, *old, *peer.child_by_in(mine_in));
    return;
  }
  old->replaced_by = mine_in;
  if (old->rekeyed) {
    // We already moved to the peer's replacement (libreswan-style double rekey).
    peer.switch_outbound(*peer.child_by_in(mine_in));
    return;
  }
  const bool already_deleted = old->peer_deleted || old->state == ChildSaState::kDeleted;
  const bool expired = old->expired;
  conclude_passive(peer, *old, false);  // switch to ours, emit kRekeyCompleted
  old = peer.child_by_in(t.child);
  if (already_deleted) {
    // CR-09: the peer (incorrectly) deleted the old SA before its response
    // arrived; nothing left to delete.
    peer.keep_inbound_then_destroy(*old);
    return;
  }
  if (expired) return;  // its DELETE is queued already
  old->state = ChildSaState::kRekeyed;
  // 1.3.3: "when the new one is established, delete the old one", after the
  // profile's delay (libreswan 1 s, strongSwan at once).
  if (peer.config_.behaviour.old_sa_delete_delay.ns() <= 0) {
    peer.request_delete_child(t.child);
  } else {
    old->delete_timer = peer.port_.start_timer(
        peer.port_.now() + peer.local_to_true(peer.config_.behaviour.old_sa_delete_delay),
        TimerKind::kDeleteOldSa, t.child);
  }
}

// 2.8.1: both exchanges are complete at this peer; the lowest of the four
// nonces marks the redundant SA, deleted by the peer that created it.
void ChildRekey::resolve_collision(Peer& peer, ChildSa& old_ref, ChildSa& mine_ref) {
  const std::uint32_t old_in = old_ref.spi_in;
  const std::uint32_t mine_in = mine_ref.spi_in;
  const std::uint32_t theirs_in = old_ref.passive_new;
  const bool lost = lost_collision(peer.config_.behaviour.collision_resolution, mine_ref.ni,
                                   mine_ref.nr, old_ref.passive_ni, old_ref.passive_nr);
  trace_resolved(peer, old_ref, !lost, lost ? theirs_in : mine_in);
  ChildSa* old = peer.child_by_in(old_in);
  old->passive_new = 0;
  if (!lost) {
    // Winner: move to our SA, delete the old one; the peer deletes its own
    // redundant SA, which we keep (outbound unused) until then.
    if (ChildSa* theirs = peer.child_by_in(theirs_in)) {
      theirs->redundant = true;
      theirs->withheld = true;
      theirs->state = ChildSaState::kRekeyed;
      peer.remove_outbound(*theirs);
    }
    old = peer.child_by_in(old_in);
    const bool already_deleted = old->peer_deleted || old->state == ChildSaState::kDeleted;
    old->replaced_by = mine_in;
    old->rekeyed = false;
    conclude_passive(peer, *old, false);
    old = peer.child_by_in(old_in);
    if (already_deleted) {
      peer.keep_inbound_then_destroy(*old);
      return;
    }
    old->state = ChildSaState::kRekeyed;
    if (peer.config_.behaviour.old_sa_delete_delay.ns() <= 0) {
      peer.request_delete_child(old_in);
    } else {
      old->delete_timer = peer.port_.start_timer(
          peer.port_.now() + peer.local_to_true(peer.config_.behaviour.old_sa_delete_delay),
          TimerKind::kDeleteOldSa, old_in);
    }
    return;
  }
  // Loser: delete our redundant SA; keep sending on the old SA until the
  // winner's D(old) arrives, then switch to the winner's SA.
  ChildSa* mine = peer.child_by_in(mine_in);
  if (peer.config_.behaviour.collision_resolution ==
      CollisionResolution::kStrongswanPre56MinNonce) {
    // strongSwan < 5.6.0 installed the outbound half with the response, before
    // handle_collision() ran (commit 15e745cf4d): the loser sends on the SA it
    // now deletes until that DELETE is answered, while the winner drops it on
    // the request (RFC 7296 1.4.1).
    peer.switch_outbound(*mine);
  }
  mine->redundant = true;
  peer.request_delete_child(mine_in);
  old = peer.child_by_in(old_in);
  if (old->state == ChildSaState::kDeleted) {
    // D(old) already concluded it and kept it for this moment (child_delete):
    // now its inbound half may go (strongSwan handle_collision(): lost with
    // CHILD_REKEY_OLD_SA_DELETED -> child_delete_destroy_rekeyed()).
    peer.keep_inbound_then_destroy(*old);
    return;
  }
  if (!peer.child_by_in(theirs_in)) {
    // The winner's SA is gone too (deleted before we resolved): nothing left.
    old->state = ChildSaState::kInstalled;
    return;
  }
  old->state = ChildSaState::kRekeyed;
  old->replaced_by = theirs_in;
}

void ChildRekey::failed(Peer& peer, const Task& t, NotifyType n) {
  ChildSa* c = peer.child_by_in(t.child);
  if (!c) return;
  const std::uint32_t spi = c->spi_in;
  if (c->closed_by_delete) {
    // close_both: the peer's DELETE already closed it; no retry (strongSwan
    // <= 5.9 process_i: "but not when we received a delete in the meantime").
    peer.destroy_child(spi);
    peer.after_child_loss();
    return;
  }
  const bool passive_alive =
      c->passive_new != 0 && !c->passive_new_deleted && peer.child_by_in(c->passive_new);
  if (c->state == ChildSaState::kDeleted) {
    // D(old) already arrived and we adopted the peer's SA (CC-17/CC-18): our
    // rekey is simply abandoned; no retry, no re-create.
    if (c->passive_new != 0) {
      trace_resolved(peer, *c, false, c->passive_new);
    }
    c->passive_new = 0;
    // The old SA waited for this answer (child_delete); its inbound half may
    // go now (strongSwan ignore_child_sa_failure/_not_found ->
    // child_delete_destroy_rekeyed()).
    peer.keep_inbound_then_destroy(*c);
    return;
  }
  const bool legacy_retry =
      n == NotifyType::kTemporaryFailure &&
      peer.config_.behaviour.temp_failure_in_collision == TempFailureInCollision::kRetryOwnRekey;
  if (passive_alive && legacy_retry) {
    // strongSwan <= 5.9 (#1896): forget the peer's completed rekey and retry
    // ours; the peer's D(old) then looks like a plain delete.
    c->passive_new = 0;
  } else if (passive_alive) {
    // The peer completed a rekey without seeing ours (2.8.2 "only one side
    // notices"): abandon ours, keep its SA, wait for its D(old).
    trace_resolved(peer, *c, false, c->passive_new);
    c->state = ChildSaState::kRekeyed;
    c->replaced_by = c->passive_new;
    c->passive_new = 0;
    return;
  }
  if (n == NotifyType::kChildSaNotFound) {
    // 2.25: the peer lost the SA. If it deleted it knowingly, close it; else
    // destroy it here and create a new one from scratch (CR-08).
    const bool deleted_by_peer = c->peer_deleted;
    peer.destroy_child(spi);
    if (!deleted_by_peer) {
      Task ct;
      ct.kind = TaskKind::kChildCreate;
      peer.queue_task(ct);
    } else {
      peer.after_child_loss();
    }
    return;
  }
  if (n == NotifyType::kTemporaryFailure && c->peer_deleted) {
    // 2.25.1 rekey vs DELETE (CD-24): the peer is closing the SA; close it
    // here too, no retry.
    peer.destroy_child(spi);
    return;
  }
  // 2.25: MUST NOT retry at once; strongSwan retries after 6..15 s.
  c->state = ChildSaState::kInstalled;
  const SimTime at = peer.port_.now() + peer.draw_retry_delay();
  c->retry_timer = peer.port_.start_timer(at, TimerKind::kRetryRekey, spi);
  TraceRecord r = peer.rec(TraceKind::kRetryScheduled);
  r.spi_in = c->spi_in;
  r.spi_out = c->spi_out;
  r.notify = n;
  peer.trace(r);
}

void ChildRekey::conclude_passive(Peer& peer, ChildSa& old_sa, bool finish) {
  const std::uint32_t old_in = old_sa.spi_in;
  if (!old_sa.rekeyed) {
    old_sa.rekeyed = true;
    if (ChildSa* n = peer.child_by_in(old_sa.replaced_by)) {
      peer.switch_outbound(*n);
      TraceRecord r = peer.rec(TraceKind::kRekeyCompleted);
      r.spi_in = old_sa.spi_in;
      r.spi_out = old_sa.spi_out;
      r.new_spi_in = n->spi_in;
      r.new_spi_out = n->spi_out;
      peer.trace(r);
    }
  }
  ChildSa* c = peer.child_by_in(old_in);
  peer.remove_outbound(*c);
  if (finish) peer.keep_inbound_then_destroy(*c);
}

}  // namespace models::ikev2
