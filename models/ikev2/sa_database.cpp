// The SA databases of one peer: lookups, installing and removing Child SA
// halves, and the queries the world and the tests read. RFC 7296 names SAs by
// SPI (1.3.3, 1.4.1); the peer names a Child SA by the SPI it receives on.
#include <algorithm>

#include "models/ikev2/peer.hpp"

namespace models::ikev2 {

ChildSa* Peer::child_by_in(std::uint32_t spi) {
  for (auto& c : children_)
    if (c.spi_in == spi) return &c;
  return nullptr;
}

const ChildSa* Peer::find_child(std::uint32_t spi_in) const {
  for (const auto& c : children_)
    if (c.spi_in == spi_in) return &c;
  return nullptr;
}

// RFC 7296 1.3.3 / 1.4.1: the peer names SAs by the SPI it receives on, which
// is our outbound SPI.
ChildSa* Peer::child_by_out(std::uint32_t spi) {
  for (auto& c : children_)
    if (c.spi_out == spi) return &c;
  return nullptr;
}

IkeSa* Peer::ike_by_id(std::uint64_t id) {
  for (auto& i : ikes_)
    if (i.id == id) return &i;
  return nullptr;
}

bool Peer::owns_children(std::uint64_t ike_id) const {
  return std::any_of(children_.begin(), children_.end(),
                     [&](const ChildSa& c) { return c.ike == ike_id; });
}

IkeSa* Peer::current_ike() {
  return current_ike_ == 0 ? nullptr : ike_by_id(current_ike_);
}

const IkeSa* Peer::ike_sa() const {
  for (const auto& i : ikes_)
    if (i.id == current_ike_ && current_ike_ != 0) return &i;
  return nullptr;
}

void Peer::find_outbound_spi() {
  const ChildSa* best = nullptr;
  for (const auto& c : children_)
    if (c.outbound == OutboundState::kInstalled && (!best || c.outbound_seq > best->outbound_seq))
      best = &c;
  outbound_spi_ = best ? std::optional<std::uint32_t>(best->spi_out) : std::nullopt;
}

bool Peer::accepts_inbound(std::uint32_t spi) const {
  return std::any_of(children_.begin(), children_.end(),
                     [&](const ChildSa& c) { return c.spi_in == spi && c.inbound_installed; });
}

bool Peer::wants_traffic_trigger() const {
  return config_.behaviour.start_action == StartAction::kOnTraffic && !outbound_spi() &&
         (create_wanted_ || ikes_.empty());
}

ChildSa* Peer::live_duplicate(const ChildSa& c) {
  for (auto& d : children_) {
    if (&d != &c && d.state == ChildSaState::kInstalled && !d.expired && !d.redundant &&
        !d.delete_queued && d.inbound_installed)
      return &d;
  }
  return nullptr;
}

// RFC 7296 2.8.1: the SA created with the lowest of the four nonces is the
// redundant one. True when `a`'s exchange holds a lower nonce than `b`'s.
bool Peer::created_with_lower_nonce(const ChildSa& a, const ChildSa& b) {
  const Nonce& la = compare_nonces(a.ni, a.nr) <= 0 ? a.ni : a.nr;
  const Nonce& lb = compare_nonces(b.ni, b.nr) <= 0 ? b.ni : b.nr;
  return compare_nonces(la, lb) < 0;
}

// RFC 7296 2.8.1: the winner of a simultaneous rekey stops sending on the
// peer's redundant SA and waits for the peer, its creator, to delete it. A peer
// without the tie-break (libreswan, PAN-OS: semantics notes 3.4) never does; it
// may instead delete or rekey *our* surviving SA. When that leaves us sending on
// nothing while the withheld SA is still a pair at both ends ("while two SAs are
// eligible to receive, a node MUST accept packets on both"), send on it again,
// or on the replacement the peer is rekeying it to (2.8: a responder may send
// once it has responded). Otherwise the tunnel is one-way until the next rekey
// (libreswan #2184's black hole). SAs never withheld are left alone, so a peer
// that loses its outbound SA for other reasons (strongSwan 5.9, #1896) still does.
void Peer::resume_withheld_outbound() {
  if (outbound_spi()) return;
  auto live = [](const ChildSa& c) {
    return c.inbound_installed && !c.expired && c.state != ChildSaState::kDeleting &&
           c.state != ChildSaState::kDeleted;
  };
  ChildSa* w = nullptr;
  for (auto& c : children_)
    if (c.withheld && live(c) && (!w || c.installed_at > w->installed_at)) w = &c;
  if (!w) return;
  if (w->replaced_by != 0) {
    ChildSa* n = child_by_in(w->replaced_by);
    if (n && live(*n)) {
      switch_outbound(*n);
      return;
    }
  }
  const std::uint32_t spi = w->spi_in;
  bool rekey_due = false;
  if (w->redundant) {
    w->redundant = false;
    if (w->state == ChildSaState::kRekeyed && w->replaced_by == 0) {
      w->state = ChildSaState::kInstalled;
      rekey_due = w->soft_passed;  // its rekey time passed while it was withheld
    }
  }
  switch_outbound(*w);
  if (rekey_due) child_soft_expire(spi);
}

ChildSa& Peer::add_child(std::uint32_t spi_in, std::uint32_t spi_out, SaRole role, const Nonce& ni,
                         const Nonce& nr, std::uint64_t ike) {
  // Built in place: a ChildSa is some 200 bytes.
  ChildSa& n = children_.emplace_back();
  n.ike = ike;
  n.spi_in = spi_in;
  n.spi_out = spi_out;
  n.role = role;
  n.ni = ni;
  n.nr = nr;
  n.installed_at = port_.now();
  n.outbound = OutboundState::kRegistered;
  TraceRecord r = rec(TraceKind::kChildSaInstalled);
  r.spi_in = spi_in;
  r.spi_out = spi_out;
  trace(r);
  arm_child_timers(n);
  return n;
}

void Peer::switch_outbound(ChildSa& c) {
  if (c.outbound == OutboundState::kInstalled) return;
  c.outbound = OutboundState::kInstalled;
  c.outbound_seq = ++outbound_seq_;
  outbound_spi_ = c.spi_out;  // the newest installed half is used
  TraceRecord r = rec(TraceKind::kOutboundSwitched);
  r.spi_in = c.spi_in;
  r.spi_out = c.spi_out;
  trace(r);
}

void Peer::remove_outbound(ChildSa& c) {
  const bool was = c.outbound == OutboundState::kInstalled;
  c.outbound = OutboundState::kNone;
  if (!was) return;
  find_outbound_spi();
  TraceRecord r = rec(TraceKind::kOutboundRemoved);
  r.spi_in = c.spi_in;
  r.spi_out = c.spi_out;
  trace(r);
}

void Peer::remove_inbound(ChildSa& c) {
  if (!c.inbound_installed) return;
  c.inbound_installed = false;
  TraceRecord r = rec(TraceKind::kInboundRemoved);
  r.spi_in = c.spi_in;
  r.spi_out = c.spi_out;
  trace(r);
}

void Peer::destroy_child(std::uint32_t spi_in) {
  ChildSa* c = child_by_in(spi_in);
  if (!c) return;
  remove_outbound(*c);
  remove_inbound(*c);
  for (sim::EventId t :
       {c->soft_timer, c->hard_timer, c->destroy_timer, c->retry_timer, c->delete_timer})
    if (t.valid()) port_.cancel_timer(t);
  TraceRecord r = rec(TraceKind::kChildSaDeleted);
  r.spi_in = c->spi_in;
  r.spi_out = c->spi_out;
  children_.erase(children_.begin() + (c - children_.data()));
  trace(r);
}

// strongSwan child_delete.c: the old inbound half stays for delete_rekeyed_delay
// after the DELETE exchange so packets still in flight are not dropped.
void Peer::keep_inbound_then_destroy(ChildSa& c) {
  c.state = ChildSaState::kDeleted;
  remove_outbound(c);
  if (c.delete_timer.valid()) port_.cancel_timer(c.delete_timer);
  if (c.destroy_timer.valid()) return;
  if (config_.behaviour.inbound_keep_delay.ns() <= 0) {
    destroy_child(c.spi_in);
    return;
  }
  c.destroy_timer = port_.start_timer(port_.now() + config_.behaviour.inbound_keep_delay,
                                      TimerKind::kDestroyInbound, c.spi_in);
}

void Peer::destroy_all_children() {
  while (!children_.empty()) destroy_child(children_.back().spi_in);
}

}  // namespace models::ikev2
