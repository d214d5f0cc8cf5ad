#include "models/world/world.hpp"

#include "models/world/volume_horizon.hpp"

#include <algorithm>
#include <cmath>

namespace models::world {

using sim::StreamComponent;

World::World(const TrialConfig& config, std::uint64_t seed, std::uint64_t trial, TraceSink* extra)
    : config_(config),
      links_{
          Link(config_.network.a_to_b, sim::Rng::for_stream(seed, trial, kLinkDownStream).next()),
          Link(config_.network.b_to_a, sim::Rng::for_stream(seed, trial, kLinkDownStream).next())},
      link_rngs_{sim::Rng::for_stream(seed, trial, StreamComponent::kNetworkAtoB),
                 sim::Rng::for_stream(seed, trial, StreamComponent::kNetworkBtoA)},
      processing_rngs_{sim::Rng::for_stream(seed, trial, kProcessingStreamA),
                       sim::Rng::for_stream(seed, trial, kProcessingStreamB)},
      trigger_rngs_{sim::Rng::for_stream(seed, trial, kTrafficTriggerStreamA),
                    sim::Rng::for_stream(seed, trial, kTrafficTriggerStreamB)},
      classifier_(sas_),
      extra_(extra),
      drop_sink_(*this),
      traffic_(config_.traffic, links_[0], links_[1],
               sim::Rng::for_stream(seed, trial, StreamComponent::kTrafficAtoB),
               sim::Rng::for_stream(seed, trial, StreamComponent::kTrafficBtoA), &drop_sink_, this,
               &sas_, {config_.a.behaviour.no_sa_policy, config_.b.behaviour.no_sa_policy}),
      port_a_(*this, PeerId::kA, sim::Rng::for_stream(seed, trial, StreamComponent::kPeerA)),
      port_b_(*this, PeerId::kB, sim::Rng::for_stream(seed, trial, StreamComponent::kPeerB)),
      peer_a_(PeerId::kA, config_.a, port_a_),
      peer_b_(PeerId::kB, config_.b, port_b_) {
  slots_.reserve(16);
  free_slots_.reserve(16);
  // Volume books only for a peer whose SAs can reach a volume limit before
  // their hard lifetime (volume_horizon.hpp); the others' counts change nothing.
  volume_peer_ = {volume_limit_reachable(config_.a.child, config_.a.clock_error_ppm,
                                         config_.traffic.a_to_b, config_.traffic.b_to_a),
                  volume_limit_reachable(config_.b.child, config_.b.clock_error_ppm,
                                         config_.traffic.b_to_a, config_.traffic.a_to_b)};
  volume_ = (volume_peer_[0] || volume_peer_[1]) && traffic_.active();
  traffic_active_ = traffic_.active();
  for (PeerId p : {PeerId::kA, PeerId::kB}) {
    const PeerBehaviour& b = peer_config(p).behaviour;
    trigger_possible_[idx(p)] = traffic_.flow_from(p).active() &&
                                b.start_action == StartAction::kOnTraffic &&
                                b.no_sa_policy == NoSaPolicy::kTrap;
  }
}

World::~World() = default;

sim::EventId World::Port::start_timer(SimTime at, ikev2::TimerKind kind, std::uint64_t cookie) {
  World* w = &world_;
  const PeerId p = id_;
  return w->scheduler_.schedule(std::max(at, w->scheduler_.now()),
                                [w, p, kind, cookie] { w->timer(p, kind, cookie); });
}

// The first IKE SA is negotiated like every later one, over the links. The
// IKE_AUTH responder (B) installs its Child SA on the request, A on the
// response (RFC 7296 1.2, 2.8), so the two soft lifetimes start one latency
// apart as on real devices; installing both at the same instant made every
// trial's first rekey a certain collision (issue 11's reference race).
void World::establish() {
  if (traffic_.active()) settle_after_down(scheduler_.now());
  touched_ |= bit(PeerId::kA);
  peer_a_.connect();
  after_callback();
}

SimTime World::run(SimTime end, std::optional<std::uint64_t> max_episodes) {
  stopped_ = false;
  scheduler_.schedule(std::max(end, scheduler_.now()), [this] { stopped_ = true; });
  while (!stopped_ && scheduler_.step()) {
    if (max_episodes && classifier_.episodes_closed() >= *max_episodes) return scheduler_.now();
  }
  return stopped_ ? scheduler_.now() : std::max(end, scheduler_.now());
}

TrialOutcome World::finish(SimTime end) {
  traffic_.advance(end);
  classifier_.finish(end);
  return classifier_.outcome();
}

// ---- the network ------------------------------------------------------------

std::uint32_t World::store(const Message& m) {
  if (!free_slots_.empty()) {
    const std::uint32_t s = free_slots_.back();
    free_slots_.pop_back();
    slots_[s] = m;
    return s;
  }
  slots_.push_back(m);
  return static_cast<std::uint32_t>(slots_.size() - 1);
}

void World::send(PeerId from, const Message& m) {
  // A link-down window loses the message without a loss draw (link.hpp).
  const Link& link = links_[idx(from)];
  const auto delay =
      link.down_at(scheduler_.now()) ? std::nullopt : link.transit(link_rngs_[idx(from)]);
  if (!delay) {
    TraceRecord r;
    r.time = scheduler_.now();
    r.peer = from;
    r.kind = TraceKind::kMessageLost;
    r.message = m;
    emit(r);
    return;
  }
  // In-flight messages live in reused slots so that the event handler stays
  // small enough to be stored inline (no allocation per message).
  const std::uint32_t slot = store(m);
  ++in_flight_;
  const PeerId to = other(from);
  scheduler_.schedule_in(*delay, [this, to, slot] { arrive(to, slot); });
}

// How long `pc`'s daemon takes to handle `m` (PeerConfig: by message kind).
const DurationDist& World::processing_of(const PeerConfig& pc, const Message& m) {
  if (m.has_ke && pc.processing_delay_ke) return *pc.processing_delay_ke;
  if (m.exchange == ExchangeType::kInformational && pc.processing_delay_informational)
    return *pc.processing_delay_informational;
  return pc.processing_delay;
}

void World::arrive(PeerId to, std::uint32_t slot) {
  Inbox& in = inboxes_[idx(to)];
  const PeerConfig& pc = peer_config(to);
  if (!in.busy && in.queue.empty() && processing_of(pc, slots_[slot]).is_zero()) {
    const Message m = slots_[slot];
    free_slots_.push_back(slot);
    --in_flight_;
    deliver(to, m);
    return;
  }
  in.queue.push_back(slot);
  if (!in.busy) start_processing(to);
}

void World::start_processing(PeerId to) {
  Inbox& in = inboxes_[idx(to)];
  in.busy = true;
  const DurationDist& dist = processing_of(peer_config(to), slots_[in.queue.front()]);
  const SimTime d = std::max(SimTime{}, dist.draw(processing_rngs_[idx(to)]));
  scheduler_.schedule_in(d, [this, to] { processed(to); });
}

void World::processed(PeerId to) {
  Inbox& in = inboxes_[idx(to)];
  const std::uint32_t slot = in.queue.front();
  in.queue.pop_front();
  const Message m = slots_[slot];
  free_slots_.push_back(slot);
  --in_flight_;
  deliver(to, m);
  in.busy = false;
  resume(to);
}

// The peer is free again: rekey timers that came due while it was busy run
// now, in the order they came due, then the next message is processed.
void World::resume(PeerId p) {
  Inbox& in = inboxes_[idx(p)];
  while (!in.busy && !in.deferred.empty()) {
    const auto [kind, cookie] = in.deferred.front();
    in.deferred.pop_front();
    timer(p, kind, cookie);
  }
  if (!in.busy && !in.queue.empty()) start_processing(p);
}

void World::deliver(PeerId to, const Message& m) {
  volume_sync();
  touched_ |= bit(to);
  peer(to).on_message(m);
  after_callback();
}

// A daemon works on one IKE SA at a time (strongSwan checks the IKE_SA out
// of its manager for a message and for a rekey job alike): a rekey timer that
// comes due while a message is being processed waits for it, so a request
// already being processed is handled first (issue 11: what decides a dead
// heat). Only soft expiries wait; other timers are bookkeeping.
//
// The rekey job then holds the IKE SA while it generates keys and builds its
// request (PeerConfig::initiation_delay): messages arriving meanwhile wait,
// and the request, with everything the trace shows of it, happens when that
// is done.
void World::timer(PeerId p, ikev2::TimerKind kind, std::uint64_t cookie) {
  const bool rekey =
      kind == ikev2::TimerKind::kChildSoftExpire || kind == ikev2::TimerKind::kIkeSoftExpire;
  Inbox& in = inboxes_[idx(p)];
  if (rekey && in.busy) {
    in.deferred.emplace_back(kind, cookie);
    return;
  }
  if (rekey && !peer_config(p).initiation_delay.is_zero()) {
    in.busy = true;
    const SimTime d =
        std::max(SimTime{}, peer_config(p).initiation_delay.draw(processing_rngs_[idx(p)]));
    scheduler_.schedule_in(d, [this, p, kind, cookie] {
      run_timer(p, kind, cookie);
      inboxes_[idx(p)].busy = false;
      resume(p);
    });
    return;
  }
  run_timer(p, kind, cookie);
}

void World::run_timer(PeerId p, ikev2::TimerKind kind, std::uint64_t cookie) {
  volume_sync();
  touched_ |= bit(p);
  peer(p).on_timer(kind, cookie);
  after_callback();
}

// ---- trace ------------------------------------------------------------------

void World::emit(const TraceRecord& r) {
  sas_.apply(r, traffic_active_ ? traffic_.sa_listener() : nullptr);
  to_sinks(r);
}

void World::to_sinks(const TraceRecord& r) {
  classifier_.record(r);
  if (extra_) extra_->record(r);
}

// At most one settle event is pending: a settle at time t covers every request
// up to t, and a request for a later time re-arms the event when it fires.
void World::settle_at(SimTime at) {
  settle_wanted_ = std::max(settle_wanted_, at);
  if (settle_pending_) return;
  settle_pending_ = true;
  scheduler_.schedule(std::max(at, scheduler_.now()), [this] { settle(); });
}

void World::settle() {
  settle_pending_ = false;
  traffic_.advance(scheduler_.now());
  if (settle_wanted_ > scheduler_.now()) {
    settle_pending_ = true;
    scheduler_.schedule(settle_wanted_, [this] { settle(); });
  }
}

// ESP lost to a link-down window is settled (and reported) once the window
// has ended and its last packet would have arrived, not at the next SA
// change, which may come hours later. One event per window occurrence.
void World::settle_after_down(SimTime after) {
  SimTime end = SimTime::max();
  for (const Link& l : links_) {
    if (const auto d = l.next_down(after)) end = std::min(end, d->end);
  }
  if (end == SimTime::max()) return;
  const SimTime hi = std::max(links_[0].bounds().hi, links_[1].bounds().hi);
  scheduler_.schedule(end + hi + sim::nanoseconds(1), [this, end] {
    traffic_.advance(scheduler_.now());
    settle_after_down(end);
  });
}

// Only a peer that was called since the last time can have changed: the
// other's outbound SPI, trace and trigger state are as they were checked then.
// A peer that had to be reconciled is checked again next time, since one
// reconciling record may leave the tracker on another stale SPI (its fallback).
void World::after_callback() {
  std::uint8_t again = 0;
  for (PeerId p : {PeerId::kA, PeerId::kB}) {
    if ((touched_ & bit(p)) == 0) continue;
    if (reconcile(p)) again |= bit(p);
    // maybe_trigger_traffic's cheap tests, here so that an event that cannot
    // trigger (most trials never can, and most events leave an outbound SA)
    // costs no call. reconcile() has just made the tracker's outbound SPI the
    // peer's own.
    const std::size_t i = idx(p);
    if (trigger_possible_[i] && !trigger_pending_[i] && trigger_armed_[i] && sas_.outbound(p) == 0)
      maybe_trigger_traffic(p);
  }
  touched_ = again;
  if (volume_) volume_schedule();  // nothing to keep without volume books
}

// The sinks learn a peer's outbound SPI from its trace. Should the trace ever
// miss a switch, tell them (and count it, so tests can insist on zero).
bool World::reconcile(PeerId p) {
  const std::uint32_t truth = peer(p).outbound_spi().value_or(0);
  const std::uint32_t seen = sas_.outbound(p);
  if (truth == seen) return false;
  ++reconciled_;
  TraceRecord r;
  r.time = scheduler_.now();
  r.peer = p;
  r.kind = truth != 0 ? TraceKind::kOutboundSwitched : TraceKind::kOutboundRemoved;
  r.spi_out = truth != 0 ? truth : seen;
  emit(r);
  return true;
}

// StartAction::kOnTraffic with NoSaPolicy::kTrap: the next packet that finds
// no SA triggers its creation (one event per loss of the SA, never one per packet).
//
// A trigger the peer ignores (creation already under way) disarms the trigger
// until the peer reports something again, so a tunnel that stays down does not
// cost an event per packet.
void World::maybe_trigger_traffic(PeerId p) {
  // after_callback has checked that a trigger is possible (a trapped packet
  // of a peer that starts on traffic), none is pending or disarmed, and the
  // peer sends on nothing.
  if (!peer(p).wants_traffic_trigger()) return;
  const EspFlow& flow = traffic_.flow_from(p);
  const SimTime now = scheduler_.now();
  SimTime at = now;
  const FlowConfig& fc = traffic_config(p);
  if (fc.poisson) {
    at = now + sim::from_seconds(trigger_rngs_[idx(p)].exponential(1.0 / fc.rate_pps));
  } else {
    // The next packet strictly after now (a trigger is never re-run at the same instant).
    const SimTime next = now + sim::nanoseconds(1);
    at = std::max(next, flow.lattice().time_of(flow.lattice().before(next)));
  }
  trigger_pending_[idx(p)] = true;
  scheduler_.schedule(at, [this, p] {
    trigger_pending_[idx(p)] = false;
    trigger_armed_[idx(p)] = false;
    ++triggers_;
    volume_sync();
    touched_ |= bit(p);
    if (peer(p).wants_traffic_trigger()) peer(p).on_traffic_needs_sa();
    after_callback();
  });
}

}  // namespace models::world
