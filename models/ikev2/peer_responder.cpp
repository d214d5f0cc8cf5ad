// The responder side of every exchange: the decision table of RFC 7296
// 1.3.3, 1.4.1, 2.8, 2.25.1 and 2.25.2 (one peer, on receipt of a request).
#include <algorithm>

#include "models/ikev2/peer.hpp"

namespace models::ikev2 {

namespace {
void set_notify(Message& m, NotifyType n, std::uint32_t spi = 0) {
  m.notify = n;
  m.notify_spi = spi;
}
}  // namespace

// 2.25.1 / 2.25.2: while the IKE SA is being rekeyed or closed, requests to
// create or rekey Child SAs get TEMPORARY_FAILURE (strongSwan also refuses
// them while closing, child_create.c).
bool Peer::ike_busy_for_child(const IkeSa& ike) const {
  return ike.state == IkeSaState::kRekeying || ike.state == IkeSaState::kDeleting ||
         ike.state == IkeSaState::kRekeyed || ike.passive_new_id != 0;
}

void Peer::respond_child_rekey(IkeSa& ike_in, const Message& m) {
  const std::uint64_t ike_id = ike_in.id;
  Message resp = base_message(ike_in, ExchangeType::kCreateChildSa, true, m.message_id);
  const std::uint32_t x = m.notify_spi;
  ChildSa* c = child_by_out(x);  // RFC 7296 1.3.3: REKEY_SA names our outbound SPI
  bool teardown = false;
  if (ike_busy_for_child(ike_in)) {
    set_notify(resp, NotifyType::kTemporaryFailure);
    TraceRecord r = rec(TraceKind::kCollisionDetected);
    r.collision = ike_in.state == IkeSaState::kDeleting ? CollisionKind::kDeleteVsIkeRekey
                                                        : CollisionKind::kChildVsIkeRekey;
    r.spi_out = x;
    trace(r);
  } else if (!c || c->state == ChildSaState::kDeleted || c->expired) {
    // 2.25: a rekey for an SA that does not exist -> CHILD_SA_NOT_FOUND, SPI copied.
    set_notify(resp, NotifyType::kChildSaNotFound, x);
    TraceRecord r = rec(TraceKind::kRekeyForUnknownSpi);
    r.spi_in = x;
    trace(r);
    teardown = config_.behaviour.unknown_spi == UnknownSpiAction::kTeardownIke;
  } else if (c->state == ChildSaState::kDeleting) {
    // 2.25.1: rekey request for an SA we are closing -> TEMPORARY_FAILURE.
    set_notify(resp, NotifyType::kTemporaryFailure);
    TraceRecord r = rec(TraceKind::kCollisionDetected);
    r.collision = CollisionKind::kRekeyVsDelete;
    r.spi_in = c->spi_in;
    r.spi_out = c->spi_out;
    trace(r);
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
    const Nonce nr = port_.make_nonce();
    const std::uint32_t spi = new_child_spi();
    // 2.8: the responder must be ready to receive on the new SA before it
    // answers: inbound installed now, outbound only registered.
    add_child(spi, static_cast<std::uint32_t>(m.sa_spi), SaRole::kResponder, m.nonce, nr);
    ChildSa& old = *child_by_in(old_in);
    ChildSa& neu = *child_by_in(spi);
    bool collision = false;
    if (old.state == ChildSaState::kRekeying) {
      // 2.8.1: we are rekeying it too. Answer normally; which SA is redundant
      // is known only when both exchanges are complete here.
      TraceRecord r = rec(TraceKind::kCollisionDetected);
      r.collision = CollisionKind::kSimultaneousChildRekey;
      r.spi_in = old.spi_in;
      r.spi_out = old.spi_out;
      trace(r);
      if (config_.behaviour.collision_resolution != CollisionResolution::kNone) {
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
    if (!collision && config_.behaviour.responder_switch == ResponderOutboundSwitch::kOnRequest) {
      switch_outbound(neu);
    }
    resp.sa_protocol = ProtocolId::kEsp;
    resp.sa_spi = spi;
    resp.has_nonce = true;
    resp.nonce = nr;
    resp.has_ts = true;
    send_response(*ike_by_id(ike_id), resp);
    if (!collision &&
        config_.behaviour.responder_switch == ResponderOutboundSwitch::kOnResponseSent) {
      // PAN-OS / CSCvx23833: sends on the new SA before the initiator can
      // have installed its inbound half.
      switch_outbound(*child_by_in(spi));
    }
    return;
  }
  send_response(ike_in, resp);
  if (teardown) {
    if (IkeSa* ike = ike_by_id(ike_id)) teardown_ike(*ike);
  }
}

void Peer::respond_child_create(IkeSa& ike, const Message& m) {
  const std::uint64_t ike_id = ike.id;
  Message resp = base_message(ike, ExchangeType::kCreateChildSa, true, m.message_id);
  if (ike_busy_for_child(ike)) {
    set_notify(resp, NotifyType::kTemporaryFailure);
    send_response(ike, resp);
    return;
  }
  // 1.3: a responder that will not accept more Child SAs says so; the
  // initiator must not expect a retry to succeed.
  const int limit = config_.behaviour.max_child_sas;
  if (limit > 0 && std::count_if(children_.begin(), children_.end(), [](const ChildSa& c) {
                     return !c.expired && c.state != ChildSaState::kDeleted;
                   }) >= limit) {
    set_notify(resp, NotifyType::kNoAdditionalSas);
    send_response(ike, resp);
    return;
  }
  const Nonce nr = port_.make_nonce();
  const std::uint32_t spi = new_child_spi();
  ChildSa& c =
      add_child(spi, static_cast<std::uint32_t>(m.sa_spi), SaRole::kResponder, m.nonce, nr);
  // Nothing is replaced, so the responder uses the new SA at once.
  switch_outbound(c);
  create_wanted_ = false;
  resp.sa_protocol = ProtocolId::kEsp;
  resp.sa_spi = spi;
  resp.has_nonce = true;
  resp.nonce = nr;
  resp.has_ts = true;
  send_response(*ike_by_id(ike_id), resp);
}

// RFC 7296 1.4.1 and 2.25.1 for Delete payloads naming ESP SPIs.
void Peer::respond_informational(IkeSa& ike, const Message& m) {
  const std::uint64_t ike_id = ike.id;
  Message resp = base_message(ike, ExchangeType::kInformational, true, m.message_id);
  bool teardown = false;
  const int n = m.delete_protocol == ProtocolId::kEsp ? m.delete_count : 0;
  auto add_delete = [&](std::uint32_t spi) {
    resp.delete_protocol = ProtocolId::kEsp;
    if (resp.delete_count < Message::kMaxDeleteSpis) resp.delete_spis[resp.delete_count++] = spi;
  };
  for (int k = 0; k < n; ++k) {
    const std::uint32_t x = m.delete_spis[static_cast<std::size_t>(k)];
    ChildSa* c = child_by_out(x);
    if (!c) {
      // The "can't find sa for proto ESP spi" moment; the knob decides the rest.
      TraceRecord r = rec(TraceKind::kDeleteForUnknownSpi);
      r.spi_in = x;
      trace(r);
      if (config_.behaviour.unknown_spi == UnknownSpiAction::kTeardownIke) teardown = true;
      continue;  // 2.25.1: answered without a Delete payload
    }
    switch (c->state) {
      case ChildSaState::kDeleting: {
        // Crossing DELETEs (1.4.1): remove the outgoing half now, the incoming
        // half when our own response arrives; no Delete payload in the reply.
        TraceRecord r = rec(TraceKind::kCollisionDetected);
        r.collision = CollisionKind::kCrossingDelete;
        r.spi_in = c->spi_in;
        r.spi_out = c->spi_out;
        trace(r);
        c->peer_deleted = true;
        remove_outbound(*c);
        break;
      }
      case ChildSaState::kDeleted:
        break;  // already closed on both sides; nothing to pair
      case ChildSaState::kRekeyed:
        add_delete(c->spi_in);
        c->peer_deleted = true;
        if (!c->redundant) conclude_passive_rekey(*c, false);  // 2.8: D(old) ends the rekey
        keep_inbound_then_destroy(*c);
        break;
      case ChildSaState::kRekeying:
        add_delete(c->spi_in);
        c->peer_deleted = true;
        if (c->passive_new != 0 && child_by_in(c->passive_new)) {
          // The collision winner deleted the old SA before our own response
          // came (CC-14): adopt its SA now; our exchange settles later.
          c->replaced_by = c->passive_new;
          conclude_passive_rekey(*c, true);
        } else {
          // 2.25.1: delete while rekeying -> answer as usual; strongSwan keeps
          // the SA (and its outbound) until its CREATE_CHILD_SA response.
          TraceRecord r = rec(TraceKind::kCollisionDetected);
          r.collision = CollisionKind::kRekeyVsDelete;
          r.spi_in = c->spi_in;
          r.spi_out = c->spi_out;
          trace(r);
        }
        break;
      case ChildSaState::kInstalled: {
        const std::uint32_t spi_in = c->spi_in;
        add_delete(spi_in);
        // The loser deleting its redundant SA before we resolved (CC-14).
        for (auto& old : children_)
          if (old.passive_new == spi_in) old.passive_new_deleted = true;
        destroy_child(spi_in);
        break;
      }
    }
  }
  send_response(*ike_by_id(ike_id), resp);
  if (teardown) {
    if (IkeSa* i = ike_by_id(ike_id)) teardown_ike(*i);
  }
}

// 2.25.2 for an IKE SA delete request; the answer is always empty (1.4.1).
void Peer::respond_ike_delete(IkeSa& ike, const Message& m) {
  const std::uint64_t id = ike.id;
  send_response(ike, base_message(ike, ExchangeType::kInformational, true, m.message_id));
  IkeSa* sa = ike_by_id(id);
  if (sa->state == IkeSaState::kRekeying && sa->passive_new_id != 0 &&
      ike_by_id(sa->passive_new_id)) {
    // 2.8.2: the peer did not see the collision (or won it) and closed the
    // old IKE SA: take its new IKE SA and forget our own rekey.
    const std::uint64_t adopt = sa->passive_new_id;
    TraceRecord r = rec(TraceKind::kCollisionResolved);
    r.sa_kind = SaKind::kIke;
    r.collision = CollisionKind::kSimultaneousIkeRekey;
    r.won = false;
    r.ike_spi = id;
    r.new_ike_spi = adopt;
    trace(r);
    adopt_ike(id, adopt);
    destroy_ike(id);
    return;
  }
  if (id == current_ike_) {
    // The peer closed the IKE SA carrying everything (DI-54, ID-46: also
    // forgetting our own rekey or close request).
    tunnel_reset();
    return;
  }
  destroy_ike(id);  // an old or redundant IKE SA of a rekey
}

// 2.8.2 / 2.25.1 / 2.25.2 for an IKE rekey request.
void Peer::respond_ike_rekey(IkeSa& ike, const Message& m) {
  const std::uint64_t old_id = ike.id;
  Message resp = base_message(ike, ExchangeType::kCreateChildSa, true, m.message_id);
  // 2.25: a Child SA exchange of ours in progress makes the IKE rekey wait.
  // Which kind of collision it is depends on that exchange: a rekey or create
  // (child vs IKE rekey) or a DELETE (DELETE vs IKE rekey).
  const bool child_rekeying =
      std::any_of(children_.begin(), children_.end(),
                  [](const ChildSa& c) {
                    return c.state == ChildSaState::kRekeying || c.retry_timer.valid();
                  }) ||
      (ike.request_outstanding && ike.active.kind == TaskKind::kChildCreate);
  const bool child_deleting = std::any_of(children_.begin(), children_.end(), [](const ChildSa& c) {
    return c.state == ChildSaState::kDeleting;
  });
  const bool child_busy = child_rekeying || child_deleting;
  if (ike.state == IkeSaState::kDeleting || ike.state == IkeSaState::kRekeyed ||
      old_id != current_ike_ || child_busy) {
    set_notify(resp, NotifyType::kTemporaryFailure);
    TraceRecord r = rec(TraceKind::kCollisionDetected);
    r.sa_kind = SaKind::kIke;
    r.collision =
        child_rekeying ? CollisionKind::kChildVsIkeRekey : CollisionKind::kDeleteVsIkeRekey;
    trace(r);
    send_response(ike, resp);
    return;
  }
  const Nonce nr = port_.make_nonce();
  IkeSa n;
  n.id = m.sa_spi;  // the new initiator SPI identifies the new IKE SA
  n.my_spi = new_ike_spi();
  n.peer_spi = m.sa_spi;
  n.role = SaRole::kResponder;
  n.ni = m.nonce;
  n.nr = nr;
  n.installed_at = port_.now();
  const bool collision = ike.state == IkeSaState::kRekeying;
  n.state = collision ? IkeSaState::kPassiveNew : IkeSaState::kEstablished;
  resp.sa_protocol = ProtocolId::kIke;
  resp.sa_spi = n.my_spi;
  resp.has_nonce = true;
  resp.nonce = nr;
  if (collision) {
    ike.passive_new_id = n.id;
    TraceRecord r = rec(TraceKind::kCollisionDetected);
    r.sa_kind = SaKind::kIke;
    r.collision = CollisionKind::kSimultaneousIkeRekey;
    r.ike_spi = old_id;
    r.new_ike_spi = n.id;
    trace(r);
  }
  ikes_.push_back(n);
  send_response(*ike_by_id(old_id), resp);
  if (!collision) {
    // 2.8: the new IKE SA inherits all Child SAs at once on the responder.
    ike_by_id(old_id)->state = IkeSaState::kRekeyed;
    adopt_ike(old_id, n.id);
    // strongSwan ike_rekey.c: delete the old IKE SA ourselves if the initiator
    // never does.
    IkeSa* old = ike_by_id(old_id);
    old->aux_timer = port_.start_timer(port_.now() + config_.behaviour.ike_rekey_forced_delete,
                                       TimerKind::kIkeForcedDelete, old_id);
  }
}

// IKE_SA_INIT from the peer: a fresh IKE SA. INITIAL_CONTACT semantics
// (RFC 7296 2.4): the peer lost its state, so ours for it is discarded.
void Peer::respond_ike_sa_init(const Message& m) {
  for (const IkeSa& i : ikes_) {
    // Both ends re-establishing at once: A's attempt wins, B abandons its own
    // (a simplification of the real race, documented in the report).
    if (i.state == IkeSaState::kConnecting && i.role == SaRole::kInitiator && id_ == PeerId::kA)
      return;
  }
  tunnel_reset();
  IkeSa n;
  n.id = m.sa_spi;
  n.my_spi = new_ike_spi();
  n.peer_spi = m.sa_spi;
  n.role = SaRole::kResponder;
  n.state = IkeSaState::kConnecting;
  n.ni = m.nonce;
  n.nr = port_.make_nonce();
  n.installed_at = port_.now();
  n.expected_request_id = 1;
  ikes_.push_back(n);
  IkeSa& ike = ikes_.back();
  Message resp = base_message(ike, ExchangeType::kIkeSaInit, true, m.message_id);
  resp.sa_protocol = ProtocolId::kIke;
  resp.sa_spi = ike.my_spi;
  resp.has_nonce = true;
  resp.nonce = ike.nr;
  send_response(ike, resp);
}

void Peer::respond_ike_auth(IkeSa& ike, const Message& m) {
  const std::uint64_t id = ike.id;
  if (ike.state != IkeSaState::kConnecting) return;
  ike.state = IkeSaState::kEstablished;
  current_ike_ = id;
  arm_ike_timers(ike);
  const Nonce ni = ike.ni, nr = ike.nr;
  const std::uint32_t spi = new_child_spi();
  ChildSa& c = add_child(spi, static_cast<std::uint32_t>(m.sa_spi), SaRole::kResponder, ni, nr);
  switch_outbound(c);
  IkeSa& sa = *ike_by_id(id);
  Message resp = base_message(sa, ExchangeType::kIkeAuth, true, m.message_id);
  resp.sa_protocol = ProtocolId::kEsp;
  resp.sa_spi = spi;
  resp.has_ts = true;
  send_response(sa, resp);
  if (!tunnel_up_) {
    tunnel_up_ = true;
    trace(rec(TraceKind::kTunnelUp));
  }
}

}  // namespace models::ikev2
