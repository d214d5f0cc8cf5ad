// The task manager: one task per exchange, Message IDs per IKE SA, window
// size 1 (RFC 7296 2.3), retransmission and the response cache (2.1, 2.4).
// It knows nothing of what an exchange does: it hands each task, request and
// response to its exchange through the table in exchanges/exchange.hpp.
#include <algorithm>
#include <cmath>

#include "models/ikev2/exchanges/exchange.hpp"
#include "models/ikev2/exchanges/ike_sa_init.hpp"
#include "models/ikev2/peer.hpp"

namespace models::ikev2 {

namespace {
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

// The IKE SA a task runs on: its own (ike != 0); for a Child SA's rekey or
// delete the IKE SA that Child SA belongs to (RFC 7296 1.3, ChildSa::ike);
// else (create, IKE rekey) the newest established one, current_ike_.
IkeSa* Peer::task_ike(const Task& t) {
  if (t.ike != 0) return ike_by_id(t.ike);
  if (t.kind == TaskKind::kChildRekey || t.kind == TaskKind::kChildDelete) {
    if (const ChildSa* c = child_by_in(t.child))
      if (IkeSa* ike = ike_by_id(c->ike)) return ike;
  }
  return current_ike();
}

// Starts every queued task whose IKE SA has no request outstanding, in queue
// order per IKE SA. Only IKE_SA_INIT and the IKE DELETE run on an IKE SA that
// is not established; the others wait.
void Peer::run_tasks() {
  for (std::size_t i = 0; i < queue_.size();) {
    const Task t = queue_[i];
    IkeSa* ike = task_ike(t);
    if (!ike) {
      if (t.ike != 0) {
        queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        ++i;
      }
      continue;
    }
    const bool usable =
        (t.ike != 0 && (t.kind == TaskKind::kIkeDelete || t.kind == TaskKind::kIkeInit)) ||
        ike->state == IkeSaState::kEstablished;
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
  return exchange(t.kind).initiate(*this, ike, t);
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
  // pow(base, 0) is exactly 1 (C 7.12.7.4): the first transmission, by far
  // the most common, needs no call.
  const double growth = ike.retransmits == 0 ? 1.0 : std::pow(p.base, ike.retransmits);
  double ns = static_cast<double>(p.timeout.ns()) * growth;
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
    // The model acts on INITIAL_CONTACT at IKE_SA_INIT (respond_init), but a
    // real peer decides it when it builds IKE_AUTH: a copy sent after the
    // other peer's own re-establishment made an IKE SA here says what that
    // IKE_AUTH would (IkeSaInit::sends_initial_contact).
    if (ike->outstanding.exchange == ExchangeType::kIkeSaInit)
      ike->outstanding.reauth = !IkeSaInit::sends_initial_contact(*this, *ike);
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
  // without further exchanges. Another IKE SA with its own Child SAs (a
  // duplicate, or the old one of a reauthentication) keeps the tunnel and
  // gives up on its own if the peer is really gone.
  const std::uint64_t reauth_of = ike->state == IkeSaState::kConnecting ? ike->reauth_of : 0;
  // A break-before-make reauthentication's DELETE while another IKE SA kept
  // the tunnel (teardown_ike): strongSwan ike_sa.c retransmit(), IKE_DELETING,
  // "delete during reauthentication failed, trying to reestablish IKE_SA
  // anyway" (commit 3b902ea59b).
  const bool reauth_kept =
      ike->state == IkeSaState::kDeleting && ike->reauth && !ike->reset_after_delete;
  if (lose_ike(id)) {
    schedule_reestablish();
  } else {
    if (reauth_of != 0) reauth_failed(reauth_of);  // 2.8.3: try again
    if (reauth_kept) begin_ike_sa();
    run_tasks();
  }
}

void Peer::finish_request(IkeSa& ike) {
  ike.request_outstanding = false;
  if (ike.retransmit_timer.valid()) port_.cancel_timer(ike.retransmit_timer);
  ike.retransmit_timer = {};
}

void Peer::on_message(const Message& m) {
  const SimTime window = config_.behaviour.worker_race_window;
  if (window.ns() > 0) {
    // charon's receiver hands each packet to a worker; workers take the IKE
    // SA in no fixed order (strongSwan issue #1458). A pick-up delay
    // U[0, window) per message lets two messages that arrive closer than
    // the window be processed in either order.
    const auto d =
        static_cast<std::int64_t>(port_.rng().uniform01() * static_cast<double>(window.ns()));
    waiting_.push_back({++waiting_seq_, m});
    port_.start_timer(port_.now() + sim::nanoseconds(d), TimerKind::kWorkerPickup, waiting_seq_);
    return;
  }
  handle_message(m);
  resume_withheld_outbound();
}

void Peer::picked_up(std::uint64_t seq) {
  for (std::size_t i = 0; i < waiting_.size(); ++i) {
    if (waiting_[i].first != seq) continue;
    const Message m = waiting_[i].second;
    waiting_.erase(waiting_.begin() + static_cast<std::ptrdiff_t>(i));
    handle_message(m);
    return;
  }
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
    if (m.exchange == ExchangeType::kIkeSaInit && !m.is_response) IkeSaInit::respond_init(*this, m);
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
  // IKE_SA_INIT is only ever message 0 of a fresh IKE SA (handle_message).
  if (const auto kind = exchange_of_request(m)) exchange(*kind).respond(*this, ike, m);
  run_tasks();
}

void Peer::on_response(IkeSa& ike, const Message& m) {
  const Task t = ike.active;
  exchange(t.kind).complete(*this, ike, t, m);
}

}  // namespace models::ikev2
