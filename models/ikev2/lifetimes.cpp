// Lifetimes (RFC 7296 2.8: not negotiated; each end enforces its own from the
// moment it installed the SA): soft and hard expiry of Child and IKE SAs,
// volume limits, and the timers that drive them.
#include <algorithm>

#include "models/ikev2/exchanges/child_rekey.hpp"
#include "models/ikev2/peer.hpp"

namespace models::ikev2 {

void Peer::arm_child_timers(ChildSa& c) {
  const LifetimePolicy& p = config_.child;
  if (p.lifetime.ns() <= 0) return;
  const SimTime now = port_.now();
  const SimTime soft =
      round_to_tick(now + local_to_true(soft_delay(p, c.role)), p.tick) + timer_lateness();
  const SimTime hard = round_to_tick(now + local_to_true(p.lifetime), p.tick);
  // A soft time at or past the hard one (margin 0) means no rekey at all: the
  // SA simply expires and is deleted (strongSwan: rekey_time = 0).
  if (soft < hard) c.soft_timer = port_.start_timer(soft, TimerKind::kChildSoftExpire, c.spi_in);
  c.hard_timer = port_.start_timer(hard, TimerKind::kChildHardExpire, c.spi_in);
}

void Peer::arm_ike_timers(IkeSa& ike) {
  const LifetimePolicy& p = config_.ike;
  if (p.lifetime.ns() <= 0) return;
  const SimTime now = port_.now();
  const SimTime soft =
      round_to_tick(now + local_to_true(soft_delay(p, ike.role)), p.tick) + timer_lateness();
  const SimTime hard = round_to_tick(now + local_to_true(p.lifetime), p.tick);
  if (soft < hard) ike.soft_timer = port_.start_timer(soft, TimerKind::kIkeSoftExpire, ike.id);
  ike.hard_timer = port_.start_timer(hard, TimerKind::kIkeHardExpire, ike.id);
}

void Peer::on_timer(TimerKind kind, std::uint64_t cookie) {
  handle_timer(kind, cookie);
  resume_withheld_outbound();
}

void Peer::handle_timer(TimerKind kind, std::uint64_t cookie) {
  const auto spi = static_cast<std::uint32_t>(cookie);
  switch (kind) {
    case TimerKind::kChildSoftExpire:
      child_soft_expire(spi);
      break;
    case TimerKind::kChildHardExpire:
      child_hard_expire(spi);
      break;
    case TimerKind::kIkeSoftExpire:
      ike_soft_expire(cookie);
      break;
    case TimerKind::kIkeHardExpire:
      ike_hard_expire(cookie);
      break;
    case TimerKind::kRetransmit:
      retransmit_timeout(cookie);
      break;
    case TimerKind::kRetryRekey:
      if (cookie == kIkeRekeyRetryCookie) {
        // 2.25: retry the IKE SA whose rekey got TEMPORARY_FAILURE: the
        // current one, or another that still has Child SAs of its own
        // (ike_soft_expire ignores one that has none, or is no longer
        // established).
        // Each failed IKE SA has its own entry: two that fail within one
        // retry delay are both retried.
        if (!ike_retries_.empty()) {
          const auto first =
              std::min_element(ike_retries_.begin(), ike_retries_.end(),
                               [](const auto& x, const auto& y) { return x.first < y.first; });
          const std::uint64_t id = first->second;
          ike_retries_.erase(first);
          ike_soft_expire(id);
        }
      } else if (cookie == kCreateRetryCookie) {
        Task t;
        t.kind = TaskKind::kChildCreate;
        queue_task(t);
      } else if (ChildSa* c = child_by_in(spi)) {
        c->retry_timer = {};
        // 2.25: retry the rekey, unless the SA was meanwhile replaced or deleted
        // (child_soft_expire ignores any state but kInstalled).
        child_soft_expire(spi);
      }
      break;
    case TimerKind::kDeleteOldSa:
      // The initiator's D(old) after old_sa_delete_delay, or a responder_deletes_old
      // responder's (its old SA is replaced but not yet concluded).
      if (ChildSa* c = child_by_in(spi); c && c->state == ChildSaState::kRekeyed &&
                                         (c->rekeyed || (!c->redundant && c->replaced_by != 0)) &&
                                         !c->delete_queued) {
        c->delete_timer = {};
        request_delete_child(spi);
      }
      break;
    case TimerKind::kDestroyInbound:
      if (ChildSa* c = child_by_in(spi); c && c->state == ChildSaState::kDeleted) {
        c->destroy_timer = {};
        destroy_child(spi);
      }
      break;
    case TimerKind::kRedundantIkeTimeout:
      // 2.8.2 / strongSwan: the loser never deleted its redundant IKE SA.
      if (IkeSa* ike = ike_by_id(cookie); ike && ike->redundant) destroy_ike(cookie);
      break;
    case TimerKind::kIkeForcedDelete:
      // strongSwan ike_rekey.c: the rekey initiator never closed the old IKE SA.
      if (IkeSa* ike = ike_by_id(cookie); ike && ike->state == IkeSaState::kRekeyed) {
        Task t;
        t.kind = TaskKind::kIkeDelete;
        t.ike = cookie;
        queue_task(t);
      }
      break;
    case TimerKind::kReestablish:
      reestablish_pending_ = false;
      start_reestablish();
      break;
    case TimerKind::kProcessingDone:
      break;  // the world's own timer
    case TimerKind::kWorkerPickup:
      picked_up(cookie);
      break;
    case TimerKind::kReauth:
      reauth_timer_ = {};
      reauthenticate();
      break;
    case TimerKind::kDuplicateIkeDelete:
      delete_duplicate_ike(cookie);
      break;
  }
}

void Peer::child_soft_expire(std::uint32_t spi_in) {
  ChildSa* c = child_by_in(spi_in);
  if (c) c->soft_passed = true;
  // strongSwan rekeys only INSTALLED SAs: a soft expire of a SA that is being
  // rekeyed, was rekeyed by the peer or is being deleted is ignored (CR-05).
  if (!c || c->state != ChildSaState::kInstalled || c->expired) return;
  if (c->retry_timer.valid()) {
    port_.cancel_timer(c->retry_timer);
    c->retry_timer = {};
  }
  // RFC 7296 2.8: rekeying establishes a *replacement*. A peer without the 2.8.1
  // tie-break keeps both SAs of a simultaneous rekey (semantics notes 3.4);
  // rekeying both would double the SAs at every lifetime (the exponential growth
  // rekeysim once showed). Like libreswan's replace event ("not replacing stale
  // IPsec SA" for an SA that is not the connection's chosen one), the duplicate is
  // closed instead of rekeyed, at the first rekey time of either. libreswan
  // picks the newest by its own serial number; each end then deems its *own* SA
  // the newest, so two such peers would delete each other's SA and kill the
  // tunnel, and against a peer that applied 2.8.1 it would delete the SA that
  // peer sends on. rekeysim therefore picks the one 2.8.1 calls redundant (the
  // lowest of the four nonces), which both ends, and an RFC winner that withheld
  // it, agree on. Only such peers: an RFC-resolving peer never holds two live
  // duplicates (the loser deletes its own), and strongSwan 5.9's retry path
  // (#1896) rekeys any INSTALLED SA.
  if (config_.behaviour.collision_resolution == CollisionResolution::kNone) {
    if (ChildSa* d = live_duplicate(*c)) {
      const bool c_stale = created_with_lower_nonce(*c, *d);
      ChildSa& keep = c_stale ? *d : *c;
      const std::uint32_t stale_in = c_stale ? spi_in : d->spi_in;
      // The kept SA is a pair at both ends (we initiated it, or answered the
      // peer's request for it): move traffic there before the DELETE goes out.
      switch_outbound(keep);
      if (ChildSa* st = child_by_in(stale_in)) remove_outbound(*st);
      request_delete_child(stale_in);  // may destroy it at once (crossing_delete kNaive)
      if (c_stale) return;
      c = child_by_in(spi_in);
      if (!c || c->state != ChildSaState::kInstalled) return;
    }
  }
  Task t;
  t.kind = TaskKind::kChildRekey;
  t.child = spi_in;
  queue_task(t);
}

void Peer::child_hard_expire(std::uint32_t spi_in) {
  ChildSa* c = child_by_in(spi_in);
  if (!c || c->expired) return;
  TraceRecord r = rec(TraceKind::kHardExpired);
  r.spi_in = c->spi_in;
  r.spi_out = c->spi_out;
  trace(r);
  // A volume limit can end the SA before its time limit: that timer would
  // otherwise stay pending (and hold memory) for the rest of the lifetime.
  // Cancelling from within the timer's own run is a no-op.
  if (c->hard_timer.valid()) port_.cancel_timer(c->hard_timer);
  c->hard_timer = {};
  switch (c->state) {
    case ChildSaState::kDeleted:
      if (c->passive_new != 0) {
        // RFC 7296 2.8: nothing more may use it, so both halves go; but the
        // 2.8.1 collision recorded on it is settled only by our own rekey's
        // response (child_delete.cpp keeps it for that), so the record waits.
        // strongSwan queues the expiry's child_delete task behind the active
        // child_rekey task, whose collision thus outlives the expiry.
        c->expired = true;
        remove_outbound(*c);
        remove_inbound(*c);
        return;
      }
      destroy_child(spi_in);
      return;
    case ChildSaState::kRekeyed:
      if (!c->redundant && !c->rekeyed && c->replaced_by != 0) {
        // Rekey responder whose D(old) never came (CR-06): the expiry concludes
        // the rekey; the peer is expected to delete the old SA, so no DELETE.
        // If the replacement is gone too (both peers deleted their new SA of
        // a collision, OpenIKED's inverted rule), nothing replaced it: the
        // start action applies as for any SA lost unreplaced (a trap policy
        // re-creates it on traffic).
        const bool replacement_gone = child_by_in(c->replaced_by) == nullptr;
        ChildRekey::conclude_passive(*this, *c, false);
        destroy_child(spi_in);
        if (replacement_gone) after_child_loss();
        return;
      }
      break;
    default:
      break;
  }
  // RFC 7296 2.8: an SA must not be used after it expired. Remove both halves
  // now and tell the peer with a DELETE (child_delete task).
  c->expired = true;
  remove_outbound(*c);
  remove_inbound(*c);
  if (c->state == ChildSaState::kDeleting) return;  // our DELETE is already out
  const bool had_replacement = c->rekeyed || c->redundant;
  request_delete_child(spi_in);
  if (!had_replacement) after_child_loss();
}

void Peer::on_traffic(std::uint32_t spi_in, std::uint64_t bytes_in, std::uint64_t packets_in,
                      std::uint64_t bytes_out, std::uint64_t packets_out) {
  handle_traffic(spi_in, bytes_in, packets_in, bytes_out, packets_out);
  resume_withheld_outbound();
}

void Peer::handle_traffic(std::uint32_t spi_in, std::uint64_t bytes_in, std::uint64_t packets_in,
                          std::uint64_t bytes_out, std::uint64_t packets_out) {
  ChildSa* c = child_by_in(spi_in);
  if (!c) return;
  c->bytes_in += bytes_in;
  c->packets_in += packets_in;
  c->bytes_out += bytes_out;
  c->packets_out += packets_out;
  const LifetimePolicy& p = config_.child;
  auto over = [](std::uint64_t used, std::uint64_t limit) { return limit != 0 && used >= limit; };
  auto soft_of = [&](std::uint64_t limit) {
    return static_cast<std::uint64_t>(static_cast<double>(limit) * (1.0 - p.volume_margin));
  };
  if (over(c->bytes_in, p.lifetime_bytes) || over(c->bytes_out, p.lifetime_bytes) ||
      over(c->packets_in, p.lifetime_packets) || over(c->packets_out, p.lifetime_packets)) {
    child_hard_expire(spi_in);
    return;
  }
  if (c->volume_soft_fired) return;
  const std::uint64_t sb = p.lifetime_bytes ? soft_of(p.lifetime_bytes) : 0;
  const std::uint64_t sp = p.lifetime_packets ? soft_of(p.lifetime_packets) : 0;
  if (over(c->bytes_in, sb) || over(c->bytes_out, sb) || over(c->packets_in, sp) ||
      over(c->packets_out, sp)) {
    c->volume_soft_fired = true;
    child_soft_expire(spi_in);
  }
}

std::optional<VolumeBudget> Peer::volume_budget(std::uint32_t spi_in) const {
  const ChildSa* c = find_child(spi_in);
  const LifetimePolicy& p = config_.child;
  if (!c || (p.lifetime_bytes == 0 && p.lifetime_packets == 0)) return std::nullopt;
  // An SA past its hard volume has no volume event left: it is gone for
  // traffic (both halves removed) while its DELETE runs. Reporting a budget
  // of 0 for it asked the world for a volume event at every later packet.
  if (c->expired) return std::nullopt;
  auto left = [&](std::uint64_t used, std::uint64_t limit) -> std::uint64_t {
    if (limit == 0) return VolumeBudget::kUnlimited;
    std::uint64_t next = limit;
    if (!c->volume_soft_fired)
      next = static_cast<std::uint64_t>(static_cast<double>(limit) * (1.0 - p.volume_margin));
    return used >= next ? 0 : next - used;
  };
  VolumeBudget b;
  b.bytes_in = left(c->bytes_in, p.lifetime_bytes);
  b.packets_in = left(c->packets_in, p.lifetime_packets);
  b.bytes_out = left(c->bytes_out, p.lifetime_bytes);
  b.packets_out = left(c->packets_out, p.lifetime_packets);
  return b;
}

void Peer::ike_soft_expire(std::uint64_t id) {
  IkeSa* ike = ike_by_id(id);
  if (!ike || ike->state != IkeSaState::kEstablished) return;
  Task t;
  t.kind = TaskKind::kIkeRekey;
  if (id != current_ike_) {
    // Another IKE SA with Child SAs of its own (a duplicate kept by
    // behaviour.duplicate_ike_sa) is rekeyed in its own right (2.8).
    if (!owns_children(id)) return;
    t.ike = id;
  }
  queue_task(t);
}

void Peer::ike_hard_expire(std::uint64_t id) {
  IkeSa* ike = ike_by_id(id);
  if (!ike) return;
  ike->hard_timer = {};
  TraceRecord r = rec(TraceKind::kHardExpired);
  r.sa_kind = SaKind::kIke;
  r.ike_spi = id;
  trace(r);
  if (id != current_ike_ && !owns_children(id)) {
    destroy_ike(id);  // the old IKE SA of a rekey: nothing under it
    return;
  }
  // RFC 7296 2.8: an expired SA must not be used. It is gone at once with
  // its Child SAs and whatever exchange was under way on it (an IKE rekey
  // that never got its answer is not retransmitted further, and nothing on it
  // is answered any more). The peer is told with one DELETE that is neither
  // retransmitted nor awaited (strongSwan's delete on hard expiry does not
  // hold the SA for its answer); the tunnel then comes back per start_action
  // after reestablish_delay (or when the peer re-establishes it).
  Message m = base_message(*ike, ExchangeType::kInformational, false, ike->next_request_id++);
  m.delete_protocol = ProtocolId::kIke;
  TraceRecord sent = rec(TraceKind::kMessageSent);
  sent.message = m;
  sent.ike_spi = id;
  trace(sent);
  port_.send(m);
  // Its Child SAs go with it (1.4.1); another IKE SA's carry the tunnel on.
  if (lose_ike(id)) schedule_reestablish();
}

}  // namespace models::ikev2
