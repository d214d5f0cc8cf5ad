// IKE_SA_INIT and IKE_AUTH, both roles (RFC 7296 1.2, 2.4). See
// ike_sa_init.hpp.
#include "models/ikev2/exchanges/ike_sa_init.hpp"

#include <algorithm>
#include <vector>

#include "models/ikev2/peer.hpp"

namespace models::ikev2 {

// RFC 7296 2.4: INITIAL_CONTACT says the sender holds no other IKE SA with
// the peer (strongSwan ike_auth.c: sent unless has_contact() finds an
// established one), so the peer may drop all it has. Not sent by a
// make-before-break reauthentication (2.8.3), nor by a peer that holds an IKE
// SA the other peer made meanwhile (crossing re-establishment). Carried on
// IKE_SA_INIT too, where the model acts on it (respond_init).
bool IkeSaInit::sends_initial_contact(const Peer& peer, const IkeSa& ike) {
  if (ike.reauth_of != 0) return false;
  return std::none_of(peer.ikes_.begin(), peer.ikes_.end(), [&](const IkeSa& i) {
    return i.id != ike.id &&
           (i.state == IkeSaState::kEstablished || i.state == IkeSaState::kRekeying);
  });
}

bool IkeSaInit::initiate(Peer& peer, IkeSa& ike, Task& t) {
  if (t.stage == 0) {
    t.nonce = peer.port_.make_nonce();
    ike.ni = t.nonce;
    Message m = peer.base_message(ike, ExchangeType::kIkeSaInit, false, 0);
    m.sa_protocol = ProtocolId::kIke;
    m.sa_spi = ike.my_spi;
    m.has_nonce = true;
    m.nonce = t.nonce;
    m.has_ke = true;
    m.reauth = !sends_initial_contact(peer, ike);
    peer.send_request(ike, t, m);
  } else {
    t.new_spi = peer.new_child_spi();
    Message m = peer.base_message(ike, ExchangeType::kIkeAuth, false, 0);
    m.sa_protocol = ProtocolId::kEsp;
    m.sa_spi = t.new_spi;
    m.has_ts = true;
    m.reauth = !sends_initial_contact(peer, ike);
    peer.send_request(ike, t, m);
  }
  return true;
}

// IKE_SA_INIT from the peer: a fresh IKE SA. INITIAL_CONTACT semantics
// (RFC 7296 2.4): the peer lost its state, so ours for it is discarded.
// Unless we are re-establishing ourselves (crossing IKE_SA_INIT): we have
// nothing of the peer's left, so both exchanges run to the end, as in real
// daemons, and behaviour.duplicate_ike_sa decides whether one of the two IKE
// SAs goes later (RFC 7296 has no rule for it; 2.8.2 is about rekeys).
void IkeSaInit::respond_init(Peer& peer, const Message& m) {
  if (!m.reauth) {  // no INITIAL_CONTACT: the peer still holds an IKE SA with us (2.8.3)
    const bool crossing = std::any_of(peer.ikes_.begin(), peer.ikes_.end(), [](const IkeSa& i) {
      return i.state == IkeSaState::kConnecting && i.role == SaRole::kInitiator;
    });
    if (!crossing) peer.tunnel_reset();
  }
  IkeSa n;
  n.id = m.sa_spi;
  n.my_spi = peer.new_ike_spi();
  n.peer_spi = m.sa_spi;
  n.role = SaRole::kResponder;
  n.state = IkeSaState::kConnecting;
  n.ni = m.nonce;
  n.nr = peer.port_.make_nonce();
  n.installed_at = peer.port_.now();
  n.expected_request_id = 1;
  peer.ikes_.push_back(n);
  IkeSa& ike = peer.ikes_.back();
  Message resp = peer.base_message(ike, ExchangeType::kIkeSaInit, true, m.message_id);
  resp.sa_protocol = ProtocolId::kIke;
  resp.sa_spi = ike.my_spi;
  resp.has_nonce = true;
  resp.nonce = ike.nr;
  resp.has_ke = true;
  peer.send_response(ike, resp);
}

void IkeSaInit::respond(Peer& peer, IkeSa& ike, const Message& m) {
  const std::uint64_t id = ike.id;
  if (ike.state != IkeSaState::kConnecting) return;
  ike.state = IkeSaState::kEstablished;
  peer.current_ike_ = id;
  peer.arm_ike_timers(ike);
  peer.arm_reauth();
  const Nonce ni = ike.ni, nr = ike.nr;
  const std::uint32_t spi = peer.new_child_spi();
  ChildSa& c =
      peer.add_child(spi, static_cast<std::uint32_t>(m.sa_spi), SaRole::kResponder, ni, nr, id);
  peer.switch_outbound(c);
  IkeSa& sa = *peer.ike_by_id(id);
  Message resp = peer.base_message(sa, ExchangeType::kIkeAuth, true, m.message_id);
  resp.sa_protocol = ProtocolId::kEsp;
  resp.sa_spi = spi;
  resp.has_ts = true;
  peer.send_response(sa, resp);
  if (!peer.tunnel_up_) {
    peer.tunnel_up_ = true;
    peer.trace(peer.rec(TraceKind::kTunnelUp));
  }
  // strongSwan ike_auth.c build_r -> ike_sa_manager.c check_uniqueness: with
  // unique = replace (keep_newest) the IKE_AUTH responder deletes every other IKE SA
  // with the same peer that is ESTABLISHED or REKEYING (one still connecting
  // is not found: two IKE_AUTHs that cross both survive). Also for a
  // make-before-break reauthentication (no INITIAL_CONTACT): the IKE SA it
  // replaces is found too, and the delete job finds it gone when the
  // reauthenticating peer deleted it first (delete_ike_sa_job.c); a second
  // new IKE SA (both peers reauthenticating) is not. enforce_replace
  // schedules it (same address: "suspected reauthentication"). With unique =
  // no (keep_both, swanctl's default) check_uniqueness returns at once unless
  // the request carried INITIAL_CONTACT; the model acts on INITIAL_CONTACT at
  // IKE_SA_INIT (respond_init), not here.
  if (peer.config_.behaviour.duplicate_ike_sa == DuplicateIkeSa::kKeepNewest) {
    std::vector<std::uint64_t> dups;
    for (const IkeSa& i : peer.ikes_)
      if (i.id != id && (i.state == IkeSaState::kEstablished || i.state == IkeSaState::kRekeying))
        dups.push_back(i.id);
    const SimTime delay = peer.config_.behaviour.duplicate_ike_delete_delay;
    for (std::uint64_t dup : dups) {
      if (delay.ns() <= 0) {
        peer.delete_duplicate_ike(dup);
      } else {
        peer.port_.start_timer(peer.port_.now() + peer.local_to_true(delay),
                               TimerKind::kDuplicateIkeDelete, dup);
      }
    }
  }
}

void IkeSaInit::complete(Peer& peer, IkeSa& ike, const Task& done, const Message& m) {
  Task t = done;
  const std::uint64_t id = ike.id;
  if (m.notify != NotifyType::kNone) {
    const std::uint64_t replaced = ike.reauth_of;
    peer.destroy_ike(id);
    if (replaced != 0 && peer.ike_by_id(replaced)) {
      peer.reauth_failed(replaced);  // 2.8.3: the old IKE SA carries on; try again
    } else {
      peer.schedule_reestablish();
    }
    return;
  }
  if (t.stage == 0) {
    ike.peer_spi = m.sa_spi;
    ike.nr = m.nonce;
    t.stage = 1;
    initiate(peer, ike, t);  // IKE_AUTH follows at once on the same IKE SA
    return;
  }
  const std::uint64_t replaced = ike.reauth_of;
  ike.state = IkeSaState::kEstablished;
  peer.current_ike_ = id;
  peer.arm_ike_timers(ike);
  peer.arm_reauth();
  const Nonce ni = ike.ni, nr = ike.nr;
  ChildSa& c = peer.add_child(t.new_spi, static_cast<std::uint32_t>(m.sa_spi), SaRole::kInitiator,
                              ni, nr, id);
  peer.switch_outbound(c);
  peer.create_wanted_ = false;
  if (!peer.tunnel_up_) {
    peer.tunnel_up_ = true;
    peer.trace(peer.rec(TraceKind::kTunnelUp));
  }
  if (replaced != 0 && peer.ike_by_id(replaced)) {
    // 2.8.3 "and finally deleting the old IKE SA (which deletes the Child SAs
    // as well)": traffic already uses the new Child SA, made on this IKE SA;
    // the DELETE closes the Child SAs bound to the old one (ChildSa::ike).
    Task del;
    del.kind = TaskKind::kIkeDelete;
    del.ike = replaced;
    peer.queue_task(del);
  }
}

}  // namespace models::ikev2
