// Peer construction, the SA database and the queries. The exchanges live in
// peer_tasks.cpp (task manager), peer_responder.cpp and peer_initiator.cpp;
// lifetimes and failures in peer_lifetime.cpp.
#include "models/ikev2/peer.hpp"

#include <algorithm>
#include <cmath>

namespace models::ikev2 {

Peer::Peer(PeerId id, const PeerConfig& config, PeerPort& port)
    : id_(id), config_(config), port_(port) {
  // Each peer checks its timers on its own tick grid, at a random phase.
  tick_fraction_ = port_.rng().uniform01();
  children_.reserve(8);
  ikes_.reserve(4);
  queue_.reserve(8);
}

// ---- helpers ----------------------------------------------------------------

TraceRecord Peer::rec(TraceKind k) const {
  TraceRecord r;
  r.time = port_.now();
  r.peer = id_;
  r.kind = k;
  r.ike_spi = current_ike_;
  return r;
}

void Peer::trace(const TraceRecord& r) {
  port_.emit(r);
}

// A local duration D takes D / (1 + ppm * 1e-6) of true time on a clock that
// runs fast by ppm.
SimTime Peer::local_to_true(SimTime local) const {
  if (config_.clock_error_ppm == 0) return local;
  const double ns = static_cast<double>(local.ns()) / (1.0 + config_.clock_error_ppm * 1e-6);
  return sim::nanoseconds(static_cast<std::int64_t>(std::llround(ns)));
}

// Timers fire on the peer's tick grid phase + k * tick: round up.
SimTime Peer::round_to_tick(SimTime at, SimTime tick) const {
  if (tick.ns() <= 0) return at;
  const std::int64_t t = tick.ns();
  const std::int64_t phase = static_cast<std::int64_t>(tick_fraction_ * static_cast<double>(t));
  const std::int64_t rel = at.ns() - phase;
  std::int64_t k = rel / t;
  if (k * t < rel) ++k;
  return sim::nanoseconds(phase + k * t);
}

// LifetimePolicy's soft time (config.hpp): lifetime - margin_eff - jitter.
SimTime Peer::soft_delay(const LifetimePolicy& p, SaRole role) {
  const bool initiator = role == SaRole::kInitiator;
  const double margin_ns = static_cast<double>(p.margin.ns());
  const double margin_eff = initiator ? margin_ns : margin_ns * p.responder_margin_scale;
  double jitter = 0;
  if (initiator || p.responder_fuzz) jitter = port_.rng().uniform01() * p.fuzz * margin_ns;
  if (jitter > 0 && p.fuzz_quantum.ns() > 0) {
    const double q = static_cast<double>(p.fuzz_quantum.ns());
    jitter = std::floor(jitter / q) * q;
  }
  const double soft = static_cast<double>(p.lifetime.ns()) - margin_eff - jitter;
  return sim::nanoseconds(static_cast<std::int64_t>(std::max(0.0, soft)));
}

std::uint32_t Peer::new_child_spi() {
  for (;;) {
    const std::uint32_t spi = port_.make_child_spi();
    if (spi == 0) continue;
    const bool clash = std::any_of(children_.begin(), children_.end(),
                                   [&](const ChildSa& c) { return c.spi_in == spi; });
    if (!clash) return spi;
  }
}

std::uint64_t Peer::new_ike_spi() {
  for (;;) {
    const std::uint64_t spi = port_.make_ike_spi();
    if (spi != 0 && ike_by_id(spi) == nullptr) return spi;
  }
}

SimTime Peer::draw_retry_delay() {
  const auto& b = config_.behaviour;
  if (b.retry_max <= b.retry_min) return b.retry_min;
  const auto span = static_cast<std::uint64_t>((b.retry_max - b.retry_min).ns());
  return b.retry_min +
         sim::nanoseconds(static_cast<std::int64_t>(port_.rng().uniform_int(span + 1)));
}

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

IkeSa* Peer::current_ike() {
  return current_ike_ == 0 ? nullptr : ike_by_id(current_ike_);
}

const IkeSa* Peer::ike_sa() const {
  for (const auto& i : ikes_)
    if (i.id == current_ike_ && current_ike_ != 0) return &i;
  return nullptr;
}

std::optional<std::uint32_t> Peer::outbound_spi() const {
  const ChildSa* best = nullptr;
  for (const auto& c : children_)
    if (c.outbound == OutboundState::kInstalled && (!best || c.outbound_seq > best->outbound_seq))
      best = &c;
  if (!best) return std::nullopt;
  return best->spi_out;
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

bool Peer::accepts_inbound(std::uint32_t spi) const {
  return std::any_of(children_.begin(), children_.end(),
                     [&](const ChildSa& c) { return c.spi_in == spi && c.inbound_installed; });
}

bool Peer::wants_traffic_trigger() const {
  return config_.behaviour.start_action == StartAction::kOnTraffic && !outbound_spi() &&
         (create_wanted_ || ikes_.empty());
}

// ---- Child SA database ----------------------------------------------------------

ChildSa& Peer::add_child(std::uint32_t spi_in, std::uint32_t spi_out, SaRole role, const Nonce& ni,
                         const Nonce& nr) {
  ChildSa c;
  c.spi_in = spi_in;
  c.spi_out = spi_out;
  c.role = role;
  c.ni = ni;
  c.nr = nr;
  c.installed_at = port_.now();
  c.outbound = OutboundState::kRegistered;
  children_.push_back(c);
  ChildSa& n = children_.back();
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
  TraceRecord r = rec(TraceKind::kOutboundSwitched);
  r.spi_in = c.spi_in;
  r.spi_out = c.spi_out;
  trace(r);
}

void Peer::remove_outbound(ChildSa& c) {
  const bool was = c.outbound == OutboundState::kInstalled;
  c.outbound = OutboundState::kNone;
  if (!was) return;
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

// ---- establishment --------------------------------------------------------------

void Peer::establish(Peer& i, Peer& r) {
  const std::uint64_t ike_id = i.new_ike_spi();
  const Nonce ni = i.port_.make_nonce();
  const Nonce nr = r.port_.make_nonce();
  auto make_ike = [&](Peer& p, SaRole role) {
    IkeSa ike;
    ike.id = ike_id;
    ike.my_spi = role == SaRole::kInitiator ? ike_id : p.new_ike_spi();
    ike.state = IkeSaState::kEstablished;
    ike.role = role;
    ike.ni = ni;
    ike.nr = nr;
    ike.installed_at = p.port_.now();
    // IKE_SA_INIT (0) and IKE_AUTH (1) were the initiator's requests (2.2).
    ike.next_request_id = role == SaRole::kInitiator ? 2 : 0;
    ike.expected_request_id = role == SaRole::kInitiator ? 0 : 2;
    p.ikes_.push_back(ike);
    p.current_ike_ = ike_id;
    p.arm_ike_timers(p.ikes_.back());
  };
  make_ike(i, SaRole::kInitiator);
  make_ike(r, SaRole::kResponder);
  i.ikes_.back().peer_spi = r.ikes_.back().my_spi;
  r.ikes_.back().peer_spi = ike_id;
  const std::uint32_t spi_i = i.new_child_spi();
  const std::uint32_t spi_r = r.new_child_spi();
  // The responder installs on the IKE_AUTH request, the initiator on the response.
  ChildSa& cr = r.add_child(spi_r, spi_i, SaRole::kResponder, ni, nr);
  r.switch_outbound(cr);
  ChildSa& ci = i.add_child(spi_i, spi_r, SaRole::kInitiator, ni, nr);
  i.switch_outbound(ci);
  for (Peer* p : {&r, &i}) {
    p->tunnel_up_ = true;
    p->trace(p->rec(TraceKind::kTunnelUp));
  }
}

// ---- manual triggers ----------------------------------------------------------

void Peer::request_rekey_child(std::uint32_t spi_in) {
  child_soft_expire(spi_in);
}

void Peer::request_delete_child(std::uint32_t spi_in) {
  ChildSa* c = child_by_in(spi_in);
  if (!c || c->delete_queued || c->state == ChildSaState::kDeleted) return;
  c->delete_queued = true;
  Task t;
  t.kind = TaskKind::kChildDelete;
  t.child = spi_in;
  queue_task(t);
}

void Peer::request_rekey_ike() {
  if (current_ike_ != 0) ike_soft_expire(current_ike_);
}

void Peer::request_delete_ike() {
  IkeSa* ike = current_ike();
  if (!ike) return;
  Task t;
  t.kind = TaskKind::kIkeDelete;
  t.ike = ike->id;
  queue_task(t);
}

void Peer::forget_child(std::uint32_t spi_in) {
  destroy_child(spi_in);
}

}  // namespace models::ikev2
