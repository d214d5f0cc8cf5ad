// Peer construction, establishment, the manual triggers and the small
// helpers every exchange uses (trace records, SPIs, clocks, retry delays).
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
  // A fractional margin follows the lifetime in force (the vendor's rule).
  const double margin_ns = static_cast<double>(p.margin.resolve(p.lifetime).ns());
  const double margin_eff = initiator ? margin_ns : margin_ns * p.responder_margin_scale;
  double jitter = 0;
  if (initiator || p.responder_fuzz) {
    double u = port_.rng().uniform01();
    // LifetimePolicy::first_jitter_u01: only this policy's first draw is replaced.
    bool& hooked = first_jitter_hooked_[&p == &config_.ike ? 1 : 0];
    if (p.first_jitter_u01 && !hooked) {
      u = *p.first_jitter_u01;
      hooked = true;
    }
    jitter = u * p.fuzz * margin_ns;
  }
  if (jitter > 0 && p.fuzz_quantum.ns() > 0) {
    const double q = static_cast<double>(p.fuzz_quantum.ns());
    jitter = std::floor(jitter / q) * q;
  }
  const double soft = static_cast<double>(p.lifetime.ns()) - margin_eff - jitter;
  return sim::nanoseconds(static_cast<std::int64_t>(std::max(0.0, soft)));
}

SimTime Peer::timer_lateness() {
  if (config_.timer_lateness.is_zero()) return SimTime{};
  return config_.timer_lateness.draw(port_.rng());
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

// 2.25.1 / 2.25.2: while the IKE SA is being rekeyed or closed, requests to
// create or rekey Child SAs get TEMPORARY_FAILURE (strongSwan also refuses
// them while closing, child_create.c).
bool Peer::ike_busy_for_child(const IkeSa& ike) const {
  return ike.state == IkeSaState::kRekeying || ike.state == IkeSaState::kDeleting ||
         ike.state == IkeSaState::kRekeyed || ike.passive_new_id != 0;
}

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
    p.arm_reauth();
  };
  make_ike(i, SaRole::kInitiator);
  make_ike(r, SaRole::kResponder);
  i.ikes_.back().peer_spi = r.ikes_.back().my_spi;
  r.ikes_.back().peer_spi = ike_id;
  const std::uint32_t spi_i = i.new_child_spi();
  const std::uint32_t spi_r = r.new_child_spi();
  // The responder installs on the IKE_AUTH request, the initiator on the response.
  ChildSa& cr = r.add_child(spi_r, spi_i, SaRole::kResponder, ni, nr, ike_id);
  r.switch_outbound(cr);
  ChildSa& ci = i.add_child(spi_i, spi_r, SaRole::kInitiator, ni, nr, ike_id);
  i.switch_outbound(ci);
  for (Peer* p : {&r, &i}) {
    p->tunnel_up_ = true;
    p->trace(p->rec(TraceKind::kTunnelUp));
  }
}

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
