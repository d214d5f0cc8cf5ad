// What happens when an SA or the whole tunnel is lost (RFC 7296 2.4, 2.8),
// and how the peer brings it back (start_action, re-establishment).
#include <algorithm>

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
  destroy_all_children();
  while (!ikes_.empty()) destroy_ike(ikes_.back().id);
  queue_.clear();
  create_wanted_ = false;
  if (tunnel_up_) {
    tunnel_up_ = false;
    trace(rec(TraceKind::kTunnelDown));
  }
}

// "Sufficiently messed up" (1.4.1) or an expired IKE SA: close it with a
// DELETE, then build a fresh one.
void Peer::teardown_ike(IkeSa& ike) {
  const std::uint64_t id = ike.id;
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
  const SimTime d = config_.behaviour.reauth_time;
  if (d.ns() <= 0) return;
  if (reauth_timer_.valid()) port_.cancel_timer(reauth_timer_);
  reauth_timer_ = port_.start_timer(port_.now() + local_to_true(d), TimerKind::kReauth, 0);
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

void Peer::destroy_reauth_old_children() {
  std::vector<std::uint32_t> old;
  for (const ChildSa& c : children_)
    if (c.reauth_old) old.push_back(c.spi_in);
  for (std::uint32_t spi : old) destroy_child(spi);
}

IkeSa* Peer::other_established_ike(std::uint64_t except) {
  for (IkeSa& i : ikes_)
    if (i.id != except && (i.state == IkeSaState::kEstablished || i.state == IkeSaState::kRekeying))
      return &i;
  return nullptr;
}

// strongSwan enforce_replace: the duplicate's delete job runs; IKEv2 deletes
// the IKE SA with an INFORMATIONAL exchange, its Child SAs with it.
void Peer::delete_duplicate_ike(std::uint64_t id) {
  IkeSa* dup = ike_by_id(id);
  if (!dup || dup->state != IkeSaState::kEstablished) return;
  const IkeSa* keep = other_established_ike(id);
  if (!keep) return;
  // Traffic moves before the DELETE, so nothing is in flight on the SA the
  // peer is about to remove.
  if (ChildSa* c = child_by_in(keep->auth_child_spi)) switch_outbound(*c);
  Task t;
  t.kind = TaskKind::kIkeDelete;
  t.ike = id;
  queue_task(t);
}

bool Peer::drop_duplicate_ike(std::uint64_t id) {
  IkeSa* sa = ike_by_id(id);
  // A teardown or break-before-make reauthentication of our own closes
  // everything (teardown_ike), as before.
  if (!sa || !sa->crossed || sa->reset_after_delete || sa->reauth) return false;
  const IkeSa* keep = other_established_ike(id);
  if (!keep) return false;
  const std::uint64_t keep_id = keep->id;
  const std::uint32_t keep_child = keep->auth_child_spi;
  const std::uint32_t child = sa->auth_child_spi;
  destroy_ike(id);
  if (current_ike_ == 0) current_ike_ = keep_id;
  if (child != 0) destroy_child(child);
  if (ChildSa* c = child_by_in(keep_child)) switch_outbound(*c);
  return true;
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
