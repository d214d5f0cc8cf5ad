// The task manager: one task per exchange, Message IDs per IKE SA, window
// size 1 (RFC 7296 2.3), retransmission (2.1, 2.4), and message dispatch.
#include <algorithm>
#include <cmath>

#include "models/ikev2/peer.hpp"

namespace models::ikev2 {

namespace {

// The SA, nonce and traffic selector payloads of a CREATE_CHILD_SA request
// for an ESP Child SA, new or a rekey's replacement (RFC 7296 1.3.1, 1.3.3).
void offer_child_sa(Message& m, const Task& t) {
  m.sa_protocol = ProtocolId::kEsp;
  m.sa_spi = t.new_spi;
  m.has_nonce = true;
  m.nonce = t.nonce;
  m.has_ts = true;
}

bool same_task(const Task& a, const Task& b) {
  return a.kind == b.kind && a.child == b.child && a.ike == b.ike;
}
}  // namespace

void Peer::queue_task(const Task& t) {
  // One task per job: a second soft expire does not queue a second rekey.
  if (std::any_of(queue_.begin(), queue_.end(), [&](const Task& q) { return same_task(q, t); }))
    return;
  for (const IkeSa& ike : ikes_)
    if (ike.request_outstanding && same_task(ike.active, t) && t.kind != TaskKind::kChildCreate)
      return;
  queue_.push_back(t);
  run_tasks();
}

// Starts every queued task whose IKE SA has no request outstanding, in queue
// order per IKE SA. Child and IKE-rekey tasks (ike == 0) run on the IKE SA that
// currently carries the Child SAs and wait while it is not established.
void Peer::run_tasks() {
  for (std::size_t i = 0; i < queue_.size();) {
    const Task t = queue_[i];
    const std::uint64_t id = t.ike != 0 ? t.ike : current_ike_;
    IkeSa* ike = id != 0 ? ike_by_id(id) : nullptr;
    if (!ike) {
      if (t.ike != 0) {
        queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        ++i;
      }
      continue;
    }
    const bool usable = t.ike != 0 || ike->state == IkeSaState::kEstablished;
    if (ike->request_outstanding || !usable) {
      ++i;
      continue;
    }
    queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(i));
    Task copy = t;
    start_task(*ike, copy);
    // start_task may have changed the queue; rescan from the start.
    i = 0;
  }
}

Message Peer::base_message(const IkeSa& ike, ExchangeType e, bool response,
                           std::uint32_t id) const {
  Message m;
  m.exchange = e;
  m.is_response = response;
  m.message_id = id;
  m.ike_sa = ike.id;
  return m;
}

bool Peer::start_task(IkeSa& ike, Task& t) {
  switch (t.kind) {
    case TaskKind::kChildRekey: {
      ChildSa* c = child_by_in(t.child);
      if (!c || c->state != ChildSaState::kInstalled || c->expired) return false;
      c->state = ChildSaState::kRekeying;
      t.new_spi = new_child_spi();
      t.nonce = port_.make_nonce();
      TraceRecord r = rec(TraceKind::kRekeyStarted);
      r.spi_in = c->spi_in;
      r.spi_out = c->spi_out;
      r.new_spi_in = t.new_spi;
      trace(r);
      // RFC 7296 1.3.3: {N(REKEY_SA), SA, Ni, [KEi], TSi, TSr}; the REKEY_SA SPI
      // is the one we expect on inbound packets of the old SA.
      Message m = base_message(ike, ExchangeType::kCreateChildSa, false, 0);
      m.notify = NotifyType::kRekeySa;
      m.notify_spi = c->spi_in;
      offer_child_sa(m, t);
      send_request(ike, t, m);
      return true;
    }
    case TaskKind::kChildCreate: {
      // Only when nothing carries traffic (start_action or CHILD_SA_NOT_FOUND).
      if (outbound_spi()) return false;
      t.new_spi = new_child_spi();
      t.nonce = port_.make_nonce();
      Message m = base_message(ike, ExchangeType::kCreateChildSa, false, 0);
      offer_child_sa(m, t);
      send_request(ike, t, m);
      return true;
    }
    case TaskKind::kChildDelete: {
      ChildSa* c = child_by_in(t.child);
      if (!c || c->state == ChildSaState::kDeleted || c->state == ChildSaState::kDeleting) {
        if (c) c->delete_queued = false;
        return false;
      }
      // Deleting an SA the peer replaced: first conclude that rekey (CR-07/CR-09).
      if (c->state == ChildSaState::kRekeyed && !c->rekeyed && !c->redundant &&
          c->replaced_by != 0) {
        conclude_passive_rekey(*c, false);
        c = child_by_in(t.child);
      }
      // If an SA being deleted is the replacement of an SA still REKEYED here,
      // conclude that rekey first so traffic moves to it before it goes.
      for (auto& old : children_)
        if (old.state == ChildSaState::kRekeyed && old.replaced_by == t.child && !old.rekeyed)
          conclude_passive_rekey(old, false);
      c = child_by_in(t.child);
      c->state = ChildSaState::kDeleting;
      // RFC 7296 1.4.1: the Delete payload names our inbound SPI.
      Message m = base_message(ike, ExchangeType::kInformational, false, 0);
      m.delete_protocol = ProtocolId::kEsp;
      m.delete_count = 1;
      m.delete_spis[0] = c->spi_in;
      send_request(ike, t, m);
      if (config_.behaviour.crossing_delete == CrossingDeleteHandling::kNaive) {
        // Naive implementations forget the SA as soon as their DELETE is out.
        destroy_child(t.child);
      }
      return true;
    }
    case TaskKind::kIkeRekey: {
      if (ike.id != current_ike_ || ike.state != IkeSaState::kEstablished) return false;
      ike.state = IkeSaState::kRekeying;
      t.new_ike_spi = new_ike_spi();
      t.nonce = port_.make_nonce();
      ike.rekey_new_spi = t.new_ike_spi;
      ike.rekey_ni = t.nonce;
      ike.passive_new_id = 0;
      TraceRecord r = rec(TraceKind::kRekeyStarted);
      r.sa_kind = SaKind::kIke;
      r.ike_spi = ike.id;
      r.new_ike_spi = t.new_ike_spi;
      trace(r);
      // RFC 7296 1.3.2: {SA, Ni, KEi}; no REKEY_SA, no TS.
      Message m = base_message(ike, ExchangeType::kCreateChildSa, false, 0);
      m.sa_protocol = ProtocolId::kIke;
      m.sa_spi = t.new_ike_spi;
      m.has_nonce = true;
      m.nonce = t.nonce;
      send_request(ike, t, m);
      return true;
    }
    case TaskKind::kIkeDelete: {
      if (ike.state == IkeSaState::kDeleting) return false;
      ike.state = IkeSaState::kDeleting;
      Message m = base_message(ike, ExchangeType::kInformational, false, 0);
      m.delete_protocol = ProtocolId::kIke;
      send_request(ike, t, m);
      return true;
    }
    case TaskKind::kIkeInit: {
      if (t.stage == 0) {
        t.nonce = port_.make_nonce();
        ike.ni = t.nonce;
        Message m = base_message(ike, ExchangeType::kIkeSaInit, false, 0);
        m.sa_protocol = ProtocolId::kIke;
        m.sa_spi = ike.my_spi;
        m.has_nonce = true;
        m.nonce = t.nonce;
        send_request(ike, t, m);
      } else {
        t.new_spi = new_child_spi();
        Message m = base_message(ike, ExchangeType::kIkeAuth, false, 0);
        m.sa_protocol = ProtocolId::kEsp;
        m.sa_spi = t.new_spi;
        m.has_ts = true;
        send_request(ike, t, m);
      }
      return true;
    }
  }
  return false;
}

void Peer::send_request(IkeSa& ike, const Task& t, Message m) {
  m.message_id = ike.next_request_id++;
  ike.outstanding = m;
  ike.request_outstanding = true;
  ike.active = t;
  ike.retransmits = 0;
  TraceRecord r = rec(TraceKind::kMessageSent);
  r.message = m;
  r.ike_spi = ike.id;
  trace(r);
  port_.send(m);
  arm_retransmit(ike);
}

void Peer::send_response(IkeSa& ike, const Message& m) {
  ike.cached_response = m;
  ike.have_cached_response = true;
  TraceRecord r = rec(TraceKind::kMessageSent);
  r.message = m;
  r.ike_spi = ike.id;
  trace(r);
  port_.send(m);
}

// RFC 7296 2.4: intervals grow exponentially. strongSwan: timeout * base^n,
// optionally capped and reduced by a random jitter.
void Peer::arm_retransmit(IkeSa& ike) {
  const RetransmitPolicy& p = config_.behaviour.retransmit;
  double ns = static_cast<double>(p.timeout.ns()) * std::pow(p.base, ike.retransmits);
  if (p.cap.ns() > 0) ns = std::min(ns, static_cast<double>(p.cap.ns()));
  if (p.jitter > 0) ns -= ns * p.jitter * port_.rng().uniform01();
  const SimTime d = local_to_true(sim::nanoseconds(static_cast<std::int64_t>(std::llround(ns))));
  ike.retransmit_timer = port_.start_timer(port_.now() + d, TimerKind::kRetransmit, ike.id);
}

void Peer::retransmit_timeout(std::uint64_t id) {
  IkeSa* ike = ike_by_id(id);
  if (!ike || !ike->request_outstanding) return;
  ike->retransmit_timer = {};
  if (ike->retransmits < config_.behaviour.retransmit.tries) {
    ++ike->retransmits;
    // 2.1: bitwise identical, same Message ID.
    TraceRecord r = rec(TraceKind::kRetransmit);
    r.message = ike->outstanding;
    r.ike_spi = id;
    trace(r);
    port_.send(ike->outstanding);
    arm_retransmit(*ike);
    return;
  }
  // 2.4: the peer is considered dead; the IKE SA and everything under it go
  // without further exchanges.
  const bool carries_children = id == current_ike_ || ike->state == IkeSaState::kConnecting;
  if (carries_children) {
    tunnel_reset();
    schedule_reestablish();
  } else {
    destroy_ike(id);
    run_tasks();
  }
}

void Peer::finish_request(IkeSa& ike) {
  ike.request_outstanding = false;
  if (ike.retransmit_timer.valid()) port_.cancel_timer(ike.retransmit_timer);
  ike.retransmit_timer = {};
}

void Peer::on_message(const Message& m) {
  handle_message(m);
  resume_withheld_outbound();
}

void Peer::handle_message(const Message& m) {
  {
    TraceRecord r = rec(TraceKind::kMessageReceived);
    r.message = m;
    r.ike_spi = m.ike_sa;
    trace(r);
  }
  IkeSa* ike = ike_by_id(m.ike_sa);
  if (!ike) {
    if (m.exchange == ExchangeType::kIkeSaInit && !m.is_response) respond_ike_sa_init(m);
    return;  // unknown IKE SA: dropped, as an implementation drops it
  }
  // A new IKE SA made while answering the peer's colliding rekey is not in
  // use until the collision is resolved (strongSwan has not registered it).
  if (ike->state == IkeSaState::kPassiveNew) return;
  if (!m.is_response) {
    if (m.message_id == ike->expected_request_id) {
      ++ike->expected_request_id;
      on_request(*ike, m);
    } else if (ike->have_cached_response && m.message_id == ike->cached_response.message_id) {
      // 2.1: a retransmitted request gets the cached response again.
      TraceRecord r = rec(TraceKind::kRetransmit);
      r.message = ike->cached_response;
      r.ike_spi = ike->id;
      trace(r);
      port_.send(ike->cached_response);
    }
    return;
  }
  if (!ike->request_outstanding || m.message_id != ike->outstanding.message_id) return;
  finish_request(*ike);
  if (m.notify != NotifyType::kNone) {
    TraceRecord r = rec(TraceKind::kNotifyReceived);
    r.notify = m.notify;
    r.spi_in = m.notify_spi;
    r.ike_spi = ike->id;
    trace(r);
  }
  on_response(*ike, m);
  run_tasks();
}

void Peer::on_request(IkeSa& ike, const Message& m) {
  switch (m.exchange) {
    case ExchangeType::kCreateChildSa:
      if (m.sa_protocol == ProtocolId::kIke) {
        respond_ike_rekey(ike, m);
      } else if (m.notify == NotifyType::kRekeySa) {
        respond_child_rekey(ike, m);
      } else {
        respond_child_create(ike, m);
      }
      break;
    case ExchangeType::kInformational:
      if (m.delete_protocol == ProtocolId::kIke) {
        respond_ike_delete(ike, m);
      } else {
        respond_informational(ike, m);
      }
      break;
    case ExchangeType::kIkeAuth:
      respond_ike_auth(ike, m);
      break;
    case ExchangeType::kIkeSaInit:
      break;  // only ever message 0 of a fresh IKE SA
  }
  run_tasks();
}

void Peer::on_response(IkeSa& ike, const Message& m) {
  const Task t = ike.active;
  switch (t.kind) {
    case TaskKind::kChildRekey:
      if (m.notify != NotifyType::kNone) {
        child_rekey_failed(t, m.notify);
      } else {
        child_rekey_done(ike, t, m);
      }
      break;
    case TaskKind::kChildCreate:
      if (m.notify == NotifyType::kNoAdditionalSas) {
        // 1.3: the responder refuses any further Child SA on this IKE SA; a
        // retry would be refused again, so there is none.
      } else if (m.notify != NotifyType::kNone) {
        // 2.25: retry later, never at once.
        port_.start_timer(port_.now() + draw_retry_delay(), TimerKind::kRetryRekey,
                          std::uint64_t{1} << 32);
        TraceRecord r = rec(TraceKind::kRetryScheduled);
        trace(r);
      } else {
        child_create_done(t, m);
      }
      break;
    case TaskKind::kChildDelete:
      child_delete_done(t);
      break;
    case TaskKind::kIkeRekey:
      ike_rekey_done(ike, t, m);
      break;
    case TaskKind::kIkeDelete:
      ike_delete_done(ike.id);
      break;
    case TaskKind::kIkeInit:
      ike_init_done(ike, t, m);
      break;
  }
}

}  // namespace models::ikev2
