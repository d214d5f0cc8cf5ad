// What happens when an SA or the whole tunnel is lost (RFC 7296 2.4, 2.8),
// and how the peer brings it back (start_action, re-establishment).
#include <algorithm>
#include <vector>

#include "models/ikev2/peer.hpp"

namespace models::ikev2 {

void Peer::destroy_ike(std::uint64_t id) {
  IkeSa* ike = ike_by_id(id);
  if (!ike) return;
  for (sim::EventId t : {ike->soft_timer, ike->hard_timer, ike->aux_timer, ike->retransmit_timer})
    if (t.valid()) port_.cancel_timer(t);
  TraceRecord r = rec(TraceKind::kIkeSaDeleted);
  r.sa_kind = SaKind::kIke;
  r.ike_spi = id;
  ikes_.erase(ikes_.begin() + (ike - ikes_.data()));
  // Tasks bound to it die with it.
  std::erase_if(queue_, [&](const Task& t) { return t.ike == id; });
  if (id == current_ike_) current_ike_ = 0;
  trace(r);
}

// Retransmission give-up or a peer's IKE DELETE of the SA carrying the Child
// SAs: everything is gone without further exchanges (RFC 7296 2.4).
void Peer::tunnel_reset() {
  if (reauth_timer_.valid()) port_.cancel_timer(reauth_timer_);
  reauth_timer_ = {};
  reauth_failures_ = 0;
  destroy_all_children();
  while (!ikes_.empty()) destroy_ike(ikes_.back().id);
  queue_.clear();
  create_wanted_ = false;
  if (tunnel_up_) {
    tunnel_up_ = false;
    trace(rec(TraceKind::kTunnelDown));
  }
}

namespace {
bool usable(const ChildSa& c) {
  return !c.expired && c.state != ChildSaState::kDeleted && c.state != ChildSaState::kDeleting;
}
}  // namespace

// "Sufficiently messed up" (1.4.1) or a break-before-make reauthentication
// (2.8.3): close the IKE SA with a DELETE, then build a fresh one. As in
// lose_ike, only its own Child SAs go (ChildSa::ike); while another IKE SA
// holds a usable Child SA, traffic moves to that IKE SA's newest one and the
// tunnel stays up, so nothing is re-established after the DELETE.
void Peer::teardown_ike(IkeSa& ike) {
  const std::uint64_t id = ike.id;
  const ChildSa* keep = nullptr;
  for (const ChildSa& c : children_)
    if (c.ike != id && usable(c) && (!keep || c.installed_at >= keep->installed_at)) keep = &c;
  if (keep) {
    const std::uint64_t keep_ike = keep->ike;
    const std::uint32_t keep_spi = keep->spi_in;
    std::vector<std::uint32_t> mine;
    for (const ChildSa& c : children_)
      if (c.ike == id) mine.push_back(c.spi_in);
    // Their rekeys and deletes go with them; so does an IKE rekey queued for
    // this IKE SA as the current one. Creates move to the IKE SA kept.
    std::erase_if(queue_, [&](const Task& t) {
      if (t.ike == id) return false;
      if (t.ike == 0 && t.kind == TaskKind::kIkeRekey) return id == current_ike_;
      return t.child != 0 && std::find(mine.begin(), mine.end(), t.child) != mine.end();
    });
    for (std::uint32_t spi : mine) destroy_child(spi);
    if (current_ike_ == id) current_ike_ = keep_ike;
    if (!outbound_spi())
      if (ChildSa* c = child_by_in(keep_spi)) switch_outbound(*c);
    Task t;
    t.kind = TaskKind::kIkeDelete;
    t.ike = id;
    queue_task(t);
    return;
  }
  destroy_all_children();
  std::erase_if(queue_, [&](const Task& t) { return t.ike != id; });
  ike.reset_after_delete = true;
  if (tunnel_up_) {
    tunnel_up_ = false;
    trace(rec(TraceKind::kTunnelDown));
  }
  Task t;
  t.kind = TaskKind::kIkeDelete;
  t.ike = id;
  queue_task(t);
}

void Peer::arm_reauth() {
  reauth_failures_ = 0;
  const SimTime d = config_.behaviour.reauth_time;
  if (d.ns() <= 0) return;
  if (reauth_timer_.valid()) port_.cancel_timer(reauth_timer_);
  reauth_timer_ = port_.start_timer(port_.now() + local_to_true(d), TimerKind::kReauth, 0);
}

// RFC 7296 2.8.3 leaves reauthentication to local policy; 2.4 only ends the
// new IKE SA, not the need to reauthenticate: while the old IKE SA carries the
// tunnel, the next attempt follows after reauth_retry_interval, up to
// reauth_tries attempts. strongSwan (commit 3b902ea59b): the new IKE SA of
// trigger_mbb_reauth (task_manager_v2.c) is an ordinary IKE SA, and
// ike_sa.c retransmit() re-initiates a CONNECTING one at once while
// keyingtries allows. After the last attempt reauth_time runs again from now
// (strongSwan instead deletes the old IKE SA at reauth_time + over_time,
// which is not modelled).
void Peer::reauth_failed(std::uint64_t old_id) {
  const IkeSa* old = ike_by_id(old_id);
  if (!old || old->state == IkeSaState::kDeleting) return;
  const PeerBehaviour& b = config_.behaviour;
  ++reauth_failures_;
  if (b.reauth_tries != 0 && reauth_failures_ >= b.reauth_tries) {
    arm_reauth();
    return;
  }
  if (reauth_timer_.valid()) port_.cancel_timer(reauth_timer_);
  reauth_timer_ = port_.start_timer(port_.now() + local_to_true(b.reauth_retry_interval),
                                    TimerKind::kReauth, 0);
}

// RFC 7296 2.8.3. Break-before-make (strongSwan make_before_break = no): the
// IKE SA and its Child SAs go first, the new ones follow the DELETE's
// response; traffic has no SA from the DELETE until IKE_AUTH completes.
// Make-before-break: a new IKE SA (IKE_SA_INIT + IKE_AUTH, no
// INITIAL_CONTACT) beside the current one; IkeSaInit::complete then deletes
// the old IKE SA and its Child SAs.
void Peer::reauthenticate() {
  IkeSa* ike = current_ike();
  if (!ike || ike->state == IkeSaState::kConnecting || ike->state == IkeSaState::kDeleting) return;
  if (config_.behaviour.reauth_mode == ReauthMode::kBreakBeforeMake) {
    ike->reauth = true;
    teardown_ike(*ike);
    return;
  }
  IkeSa n;
  n.id = new_ike_spi();
  n.my_spi = n.id;
  n.state = IkeSaState::kConnecting;
  n.role = SaRole::kInitiator;
  n.installed_at = port_.now();
  n.reauth_of = ike->id;
  ikes_.push_back(n);
  Task t;
  t.kind = TaskKind::kIkeInit;
  t.ike = n.id;
  queue_task(t);
}

// RFC 7296 1.4.1 / 2.4: an IKE SA goes with exactly the Child SAs under it
// (ChildSa::ike). The tunnel is lost only when no other IKE SA holds a usable
// Child SA for it: then everything goes as before (tunnel_reset). An IKE SA
// that carries nothing (the old or redundant one of an IKE rekey) just goes.
bool Peer::lose_ike(std::uint64_t id) {
  IkeSa* ike = ike_by_id(id);
  if (!ike) return false;
  const bool owns = std::any_of(children_.begin(), children_.end(),
                                [&](const ChildSa& c) { return c.ike == id; });
  const bool carries = owns || id == current_ike_ || ike->state == IkeSaState::kConnecting;
  if (!carries) {
    destroy_ike(id);
    return false;
  }
  const ChildSa* keep = nullptr;
  for (const ChildSa& c : children_)
    if (c.ike != id && usable(c) && (!keep || c.installed_at >= keep->installed_at)) keep = &c;
  if (!keep) {
    tunnel_reset();
    return true;
  }
  const std::uint64_t keep_ike = keep->ike;
  const std::uint32_t keep_spi = keep->spi_in;
  destroy_ike(id);
  std::vector<std::uint32_t> mine;
  for (const ChildSa& c : children_)
    if (c.ike == id) mine.push_back(c.spi_in);
  for (std::uint32_t spi : mine) destroy_child(spi);
  if (current_ike_ == 0) {
    // The IKE SA new work went on is gone; a queued IKE rekey was for it.
    current_ike_ = keep_ike;
    std::erase_if(queue_,
                  [](const Task& t) { return t.kind == TaskKind::kIkeRekey && t.ike == 0; });
  }
  if (!outbound_spi())
    if (ChildSa* c = child_by_in(keep_spi)) switch_outbound(*c);
  return false;
}

// strongSwan enforce_replace: the duplicate's delete job runs (if the IKE SA
// is still there, delete_ike_sa_job.c); IKEv2 deletes the IKE SA with an
// INFORMATIONAL exchange, its Child SAs with it.
void Peer::delete_duplicate_ike(std::uint64_t id) {
  IkeSa* dup = ike_by_id(id);
  if (!dup || dup->state != IkeSaState::kEstablished) return;
  // Traffic moves to the newest usable Child SA of another IKE SA before the
  // DELETE, so nothing is in flight on the SAs the peer is about to remove.
  ChildSa* keep = nullptr;
  for (ChildSa& c : children_)
    if (c.ike != id && usable(c) && (!keep || c.installed_at >= keep->installed_at)) keep = &c;
  if (!keep) return;  // the duplicate carries the only Child SA: kept (see README)
  switch_outbound(*keep);
  for (ChildSa& c : children_)
    if (c.ike == id) remove_outbound(c);
  if (current_ike_ == id) current_ike_ = keep->ike;
  Task t;
  t.kind = TaskKind::kIkeDelete;
  t.ike = id;
  queue_task(t);
}

void Peer::after_child_loss() {
  const bool usable = std::any_of(children_.begin(), children_.end(), [](const ChildSa& c) {
    return !c.expired && c.state != ChildSaState::kDeleted && c.state != ChildSaState::kDeleting;
  });
  if (usable) return;
  switch (config_.behaviour.start_action) {
    case StartAction::kImmediate: {
      Task t;
      t.kind = TaskKind::kChildCreate;
      queue_task(t);
      break;
    }
    case StartAction::kOnTraffic:
      create_wanted_ = true;
      break;
    case StartAction::kNone:
      break;
  }
}

void Peer::connect() {
  start_reestablish();
}

void Peer::start_reestablish() {
  if (!ikes_.empty()) return;
  begin_ike_sa();
}

void Peer::begin_ike_sa() {
  IkeSa ike;
  ike.id = new_ike_spi();
  ike.my_spi = ike.id;
  ike.state = IkeSaState::kConnecting;
  ike.role = SaRole::kInitiator;
  ike.installed_at = port_.now();
  ikes_.push_back(ike);
  Task t;
  t.kind = TaskKind::kIkeInit;
  t.ike = ike.id;
  queue_task(t);
}

void Peer::schedule_reestablish() {
  if (config_.behaviour.start_action == StartAction::kNone || reestablish_pending_) return;
  reestablish_pending_ = true;
  port_.start_timer(port_.now() + config_.behaviour.reestablish_delay, TimerKind::kReestablish, 0);
}

void Peer::on_traffic_needs_sa() {
  if (ikes_.empty()) {
    if (!reestablish_pending_) start_reestablish();
    return;
  }
  if (!create_wanted_ || outbound_spi()) return;
  create_wanted_ = false;
  Task t;
  t.kind = TaskKind::kChildCreate;
  queue_task(t);
}

}  // namespace models::ikev2
