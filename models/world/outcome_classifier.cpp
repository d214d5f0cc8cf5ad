#include "models/world/outcome_classifier.hpp"

#include <algorithm>

namespace models::world {

OutcomeClassifier::OutcomeClassifier() : OutcomeClassifier(own_sas_) {
  applies_ = true;
}

OutcomeClassifier::OutcomeClassifier(const ChildSaTracker& shared)
    : sas_(&shared), applies_(false) {
  pairs_.reserve(16);
  open_.reserve(8);
  for (auto& v : requests_) v.reserve(8);
}

OutcomeClassifier::Pair* OutcomeClassifier::pair_by_id(std::uint64_t id) {
  if (id == 0) return nullptr;
  for (Pair& p : pairs_) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

namespace {
// SPIs are only unique per peer: find_at looks at one peer's inbound SPIs,
// find_either tries the likely owner first.
template <typename Pairs>
auto* find_at(Pairs& pairs, std::size_t peer, std::uint32_t spi) {
  using Found = decltype(&pairs[0]);
  if (spi == 0) return static_cast<Found>(nullptr);  // no SPI names no pair
  for (auto& p : pairs) {
    if (p.spi_in[peer] == spi) return &p;
  }
  return static_cast<Found>(nullptr);
}
template <typename Pairs>
auto* find_either(Pairs& pairs, std::size_t first, std::uint32_t spi) {
  auto* p = find_at(pairs, first, spi);
  return p ? p : find_at(pairs, 1 - first, spi);
}
}  // namespace

OutcomeClassifier::Pair& OutcomeClassifier::install(PeerId peer, std::uint32_t spi_in,
                                                    std::uint32_t spi_out) {
  const std::size_t p = idx(peer);
  const std::size_t q = 1 - p;
  Pair* pair = find_at(pairs_, p, spi_in);
  if (!pair) {
    for (Pair& c : pairs_) {
      if (c.spi_in[p] == 0 && c.spi_in[q] == spi_out) {
        pair = &c;
        break;
      }
    }
  }
  if (!pair) {
    pairs_.push_back(Pair{});
    pair = &pairs_.back();
    pair->id = next_pair_id_++;
  }
  pair->spi_in[p] = spi_in;
  if (pair->spi_in[q] == 0) pair->spi_in[q] = spi_out;
  pair->in_ok[p] = true;
  pair->out_ok[p] = true;
  return *pair;
}

OutcomeClassifier::Episode* OutcomeClassifier::episode_by_id(std::uint64_t id) {
  if (id == 0) return nullptr;
  for (Episode& e : open_) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

void OutcomeClassifier::open_episode_for(Pair& g) {
  if (const Pair* parent = pair_by_id(g.parent); parent && episode_by_id(parent->episode)) {
    g.episode = parent->episode;  // e.g. the redundant SA of a collision being deleted
    return;
  }
  if (g.parent != 0) {
    // Siblings that outlived their collision (no tie-break: both SAs kept) are one
    // generation: the one closed as a stale duplicate and the one rekeyed at the
    // same time are one episode, not two.
    for (const Pair& s : pairs_) {
      if (&s != &g && s.parent == g.parent && episode_by_id(s.episode)) {
        g.episode = s.episode;
        return;
      }
    }
  }
  Episode e;
  e.id = next_episode_id_++;
  e.root = g.id;
  g.episode = e.id;
  open_.push_back(e);
}

std::uint64_t OutcomeClassifier::current_episode() const {
  if (!open_.empty()) return open_.back().id;
  return last_closed_.id;
}

void OutcomeClassifier::add(Outcome o, std::uint64_t n, std::uint64_t episode_id,
                            std::optional<SimTime> onset) {
  outcome_.counts[at(o)] += n;
  if (listener_ && n > 0) listener_->counted(o, n, onset.value_or(now_));
  if (episode_id == 0) episode_id = current_episode();
  if (Episode* e = episode_by_id(episode_id)) {
    e->flags |= bit(o);
    return;
  }
  // The episode already closed (or none yet): fold straight into the outcome.
  Episode& e = last_closed_;
  if (e.id == 0 || (e.flags & bit(o))) return;
  e.flags |= bit(o);
  ++outcome_.episodes_with[at(o)];
}

void OutcomeClassifier::count_at_close(Outcome o, std::uint64_t n, SimTime onset) {
  outcome_.counts[at(o)] += n;
  if (listener_) listener_->counted(o, n, onset);
}

bool OutcomeClassifier::counted_recently(std::array<std::uint64_t, 4>& ring, std::size_t& next,
                                         std::uint64_t spi) {
  if (std::find(ring.begin(), ring.end(), spi) != ring.end()) return true;
  ring[next] = spi;
  next = (next + 1) % ring.size();
  return false;
}

void OutcomeClassifier::on_request_sent(PeerId peer, const Message& m) {
  const std::size_t p = idx(peer);
  auto& mine = requests_[p];
  for (const Request& r : mine) {
    if (r.ike_sa == m.ike_sa && r.message_id == m.message_id) return;  // a retransmission
  }
  // Built in place: nothing below reads this peer's requests.
  Request& req = mine.emplace_back();
  req.ike_sa = m.ike_sa;
  req.message_id = m.message_id;
  req.exchange = m.exchange;
  // The pairs named, as found (touch() below adds no pair, so they stay valid).
  std::array<Pair*, Message::kMaxDeleteSpis> named_pairs{};
  std::size_t named = 0;
  if (m.exchange == ExchangeType::kCreateChildSa) {
    req.ike_rekey = m.sa_protocol == ProtocolId::kIke;
    if (m.notify == NotifyType::kRekeySa) {
      // REKEY_SA carries the sender's inbound SPI of the SA being rekeyed (RFC 7296 1.3.3).
      if (Pair* g = find_either(pairs_, p, m.notify_spi)) named_pairs[named++] = g;
    }
  } else if (m.exchange == ExchangeType::kInformational && m.delete_protocol == ProtocolId::kEsp) {
    // A Delete payload lists the sender's inbound SPIs (RFC 7296 3.11).
    for (std::size_t i = 0; i < m.delete_count && i < req.pairs.size(); ++i) {
      if (Pair* g = find_either(pairs_, p, m.delete_spis[i])) named_pairs[named++] = g;
    }
  }
  for (std::size_t i = 0; i < named; ++i) req.pairs[i] = named_pairs[i]->id;
  for (std::size_t i = 0; i < named; ++i) {
    Pair* g = named_pairs[i];
    touch(*g);
    // Both peers' exchanges for the same SA overlap in time: a collision (2.8.1, 2.25.1, 1.4.1).
    for (const Request& theirs : requests_[1 - p]) {
      if (std::find(theirs.pairs.begin(), theirs.pairs.end(), g->id) != theirs.pairs.end()) {
        Episode* e = episode_by_id(g->episode);
        if (e && !e->collision) {
          e->collision = true;
          e->collision_at = now_;
        }
      }
    }
  }
  if (req.ike_rekey) {
    if (!counted_recently(ike_started_, ike_started_next_, req.ike_sa)) ++outcome_.ike_episodes;
    for (const Request& theirs : requests_[1 - p]) {
      if (theirs.ike_rekey && theirs.ike_sa == req.ike_sa &&
          !counted_recently(ike_collided_, ike_collided_next_, req.ike_sa)) {
        add(Outcome::kIkeCollisions, 1, 0);
      }
    }
  }
}

void OutcomeClassifier::on_message_received(PeerId peer, const Message& m, SimTime at) {
  const std::size_t p = idx(peer);
  // The latest transmission of this message by the other peer (a retransmission
  // counts from when it was re-sent).
  Received& rx = received_[p];
  rx = Received{};
  rx.at = at;
  // Newest entry first: the message was mostly sent a few transmissions ago.
  // While the ring is in time order the first match is the latest one.
  const auto& ring = sent_[1 - p];
  const bool in_order = sent_unordered_[1 - p] == 0;
  for (std::size_t k = 1; k <= kSentRing; ++k) {
    const Sent& s = ring[(sent_next_[1 - p] + kSentRing - k) % kSentRing];
    // Message ID first: the ring mostly holds other messages of the same IKE SA.
    if (s.message_id == m.message_id && s.ike_sa == m.ike_sa && s.response == m.is_response &&
        s.at <= at && (!rx.known || s.at > rx.sent_at)) {
      rx.known = true;
      rx.sent_at = s.at;
      if (in_order) break;
    }
  }
  pending_parent_[p] = 0;
  if (!m.is_response) {
    if (m.exchange == ExchangeType::kCreateChildSa && m.notify == NotifyType::kRekeySa) {
      if (Pair* g = find_either(pairs_, 1 - p, m.notify_spi)) pending_parent_[p] = g->id;
    }
    return;
  }
  auto& mine = requests_[p];
  for (auto it = mine.begin(); it != mine.end(); ++it) {
    if (it->ike_sa != m.ike_sa || it->message_id != m.message_id) continue;
    if (it->exchange == ExchangeType::kCreateChildSa && !it->ike_rekey) {
      pending_parent_[p] = it->pairs[0];
    }
    mine.erase(it);
    break;
  }
}

void OutcomeClassifier::record(const TraceRecord& r) {
  if (applies_) own_sas_.apply(r);
  now_ = r.time;
  const std::size_t p = idx(r.peer);
  const std::size_t q = 1 - p;
  bool settle_check = false;
  switch (r.kind) {
    case TraceKind::kMessageSent:
      on_transmitted(r.peer, r.message, r.time);
      if (!r.message.is_response) on_request_sent(r.peer, r.message);
      break;
    case TraceKind::kRetransmit:
      on_transmitted(r.peer, r.message, r.time);
      break;
    case TraceKind::kMessageReceived:
      on_message_received(r.peer, r.message, r.time);
      settle_check = r.message.is_response;
      break;
    case TraceKind::kChildSaInstalled: {
      Pair& n = install(r.peer, r.spi_in, r.spi_out);
      if (n.parent == 0 && pending_parent_[p] != n.id) n.parent = pending_parent_[p];
      pending_parent_[p] = 0;
      break;
    }
    case TraceKind::kRekeyStarted:
      if (r.sa_kind == SaKind::kChild) {
        if (Pair* g = find_either(pairs_, p, r.spi_in)) touch(*g);
      }
      break;
    case TraceKind::kRekeyCompleted:
      if (r.sa_kind == SaKind::kChild) {
        Pair* g = find_at(pairs_, p, r.spi_in);
        if (!g) g = find_at(pairs_, q, r.spi_out);
        if (g) {
          touch(*g);
          if (Episode* e = episode_by_id(g->episode)) e->rekeyed = true;
          if (Pair* n = find_at(pairs_, p, r.new_spi_in); n && n->parent == 0 && n != g) {
            n->parent = g->id;
          }
        }
      }
      break;
    case TraceKind::kHardExpired:
      if (r.sa_kind == SaKind::kChild) {
        if (Pair* g = find_either(pairs_, p, r.spi_in)) touch(*g);
      }
      break;
    case TraceKind::kInboundRemoved:
      if (Pair* g = find_at(pairs_, p, r.spi_in)) {
        touch(*g);
        g->in_ok[p] = false;
      }
      settle_check = true;
      break;
    case TraceKind::kOutboundRemoved:
      if (Pair* g = find_at(pairs_, q, r.spi_out)) {
        touch(*g);
        g->out_ok[p] = false;
      }
      settle_check = true;
      break;
    case TraceKind::kChildSaDeleted: {
      Pair* g = find_at(pairs_, p, r.spi_in);
      if (!g) g = find_at(pairs_, q, r.spi_out);
      if (g) {
        touch(*g);
        g->in_ok[p] = g->out_ok[p] = false;
      }
      settle_check = true;
      break;
    }
    case TraceKind::kDeleteForUnknownSpi:
    case TraceKind::kRekeyForUnknownSpi: {
      // The SPI named is the sender's inbound SPI, i.e. this peer's outbound one.
      const Pair* g = find_either(pairs_, q, r.spi_in);
      add(Outcome::kCantFindSa, 1, g ? g->episode : 0);
      break;
    }
    case TraceKind::kEspDropped: {
      std::uint64_t ep = 0;
      if (const Pair* g = find_at(pairs_, p, r.spi_in)) {
        ep = g->episode;
        if (ep == 0) {
          if (const Pair* parent = pair_by_id(g->parent)) ep = parent->episode;
        }
      }
      add(Outcome::kEspDropped, r.count, ep);
      break;
    }
    // Packets the sender could not put on an SA, or lost to the link while
    // down: no SPI names an episode, so the current one.
    case TraceKind::kEspNoSa:
      add(Outcome::kNoSa, r.count, 0);
      break;
    case TraceKind::kEspCleartext:
      add(Outcome::kCleartext, r.count, 0);
      break;
    case TraceKind::kEspLinkDown:
      add(Outcome::kEspLinkDown, r.count, 0);
      break;
    case TraceKind::kTunnelDown:
      // Both peers report the loss of the one tunnel (the second when it learns
      // of it: the peer's IKE DELETE or IKE_SA_INIT, RFC 7296 2.4): one reset.
      for (std::size_t i = 0; i < pairs_.size(); ++i) {
        Pair& g = pairs_[i];
        if (!g.present(p)) continue;
        touch(g);
        g.in_ok[p] = g.out_ok[p] = false;
      }
      if (!tunnel_down_[q]) add(Outcome::kTunnelResets, 1, 0);
      tunnel_down_[p] = true;
      requests_[p].clear();
      settle_check = true;
      break;
    case TraceKind::kTunnelUp:
      tunnel_down_[p] = false;
      up_seen_[p] = true;
      outcome_.established = up_seen_[0] && up_seen_[1];
      break;
    case TraceKind::kIkeSaDeleted: {
      auto& mine = requests_[p];
      mine.erase(std::remove_if(mine.begin(), mine.end(),
                                [&](const Request& x) { return x.ike_sa == r.ike_spi; }),
                 mine.end());
      settle_check = true;
      break;
    }
    case TraceKind::kIkeSaRekeyed:
      if (!counted_recently(ike_rekeyed_, ike_rekeyed_next_, r.ike_spi)) {
        add(Outcome::kIkeRekeys, 1, 0);
      }
      break;
    default:
      break;
  }
  update_directions(r);
  // Nothing can settle while no episode is open.
  if (settle_check && !open_.empty()) close_settled();
}

}  // namespace models::world
