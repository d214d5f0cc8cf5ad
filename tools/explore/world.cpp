#include "tools/explore/world.hpp"

#include <algorithm>
#include <stdexcept>

#include "models/scripted/scripted_world.hpp"
#include "sim/random.hpp"

namespace rekeysim::explore {

namespace {

int idx(PeerId p) {
  return static_cast<int>(p);
}

struct Mix {
  std::uint64_t h = 0x243f6a8885a308d3ULL;
  void add(std::uint64_t v) {
    std::uint64_t s = h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
    h = sim::splitmix64(s);
  }
};

std::uint64_t message_hash(const Message& m) {
  Mix x;
  x.add(static_cast<std::uint64_t>(m.exchange));
  x.add(m.is_response);
  x.add(m.message_id);
  x.add(m.ike_sa);
  x.add(static_cast<std::uint64_t>(m.sa_protocol));
  x.add(m.sa_spi);
  x.add(m.has_nonce);
  for (std::uint8_t b : m.nonce.bytes) x.add(b);
  x.add(m.nonce.length);
  x.add(m.has_ts);
  x.add(m.has_ke);
  x.add(static_cast<std::uint64_t>(m.notify));
  x.add(m.notify_spi);
  x.add(static_cast<std::uint64_t>(m.delete_protocol));
  x.add(m.delete_count);
  for (std::uint32_t s : m.delete_spis) x.add(s);
  return x.h;
}

bool same_job(const PendingTimer& a, const PendingTimer& b) {
  return a.peer == b.peer && a.kind == b.kind && a.cookie == b.cookie;
}

}  // namespace

std::string_view to_string(TimerKind k) {
  switch (k) {
    case TimerKind::kChildSoftExpire:
      return "child_soft_expire";
    case TimerKind::kChildHardExpire:
      return "child_hard_expire";
    case TimerKind::kIkeSoftExpire:
      return "ike_soft_expire";
    case TimerKind::kIkeHardExpire:
      return "ike_hard_expire";
    case TimerKind::kRetransmit:
      return "retransmit";
    case TimerKind::kRetryRekey:
      return "retry_rekey";
    case TimerKind::kDeleteOldSa:
      return "delete_old_sa";
    case TimerKind::kDestroyInbound:
      return "destroy_inbound";
    case TimerKind::kRedundantIkeTimeout:
      return "redundant_ike_timeout";
    case TimerKind::kIkeForcedDelete:
      return "ike_forced_delete";
    case TimerKind::kReestablish:
      return "reestablish";
    case TimerKind::kProcessingDone:
      return "processing_done";
    case TimerKind::kWorkerPickup:
      return "worker_pickup";
    case TimerKind::kReauth:
      return "reauth";
    case TimerKind::kDuplicateIkeDelete:
      return "duplicate_ike_delete";
  }
  return "?";
}

class World::Port : public models::ikev2::PeerPort {
 public:
  Port(World& w, PeerId id, std::uint64_t seed)
      : world_(w),
        id_(id),
        rng_(sim::Rng::for_stream(
            seed, 0,
            id == PeerId::kA ? sim::StreamComponent::kPeerA : sim::StreamComponent::kPeerB)) {}

  SimTime now() const override { return world_.now_; }
  sim::EventId start_timer(SimTime at, TimerKind kind, std::uint64_t cookie) override {
    const std::uint64_t id = world_.next_timer_id_++;
    world_.timers_.push_back({id, id_, std::max(at, world_.now_), kind, cookie});
    world_.sort_timers();
    return sim::EventId{id};
  }
  void cancel_timer(sim::EventId id) override {
    std::erase_if(world_.timers_, [&](const PendingTimer& t) { return t.id == id.value; });
  }
  void send(const Message& m) override {
    world_.in_flight_[idx(models::other(id_))].push_back(
        {m, id_, world_.now_, next_is_retransmit_, world_.name_for(id_, m, next_is_retransmit_)});
    next_is_retransmit_ = false;
  }
  void emit(const models::TraceRecord& r) override {
    world_.trace_.push_back(r);
    world_.step_of_.push_back(static_cast<std::uint32_t>(world_.steps_));
    // The peer records a retransmission just before re-sending it.
    if (r.kind == models::TraceKind::kRetransmit) next_is_retransmit_ = true;
  }
  sim::Rng& rng() override { return rng_; }
  // As the scripted world: nonces start 0x80 (or as the nonce order says,
  // which a case's `nonces:` step repeats), SPIs from the shared counters.
  models::Nonce make_nonce() override {
    models::Nonce n = PeerPort::make_nonce();
    n.bytes[0] = 0x80;
    if (world_.nonce_lowest_ >= 0) {
      const bool request = world_.delivering_request_to_ != idx(id_);
      n.bytes[0] = request && world_.nonce_lowest_ == idx(id_) ? 0x00 : 0xff;
      world_.nonce_octets_[idx(id_)].push_back(n.bytes[0]);
    }
    return n;
  }
  std::uint32_t make_child_spi() override { return world_.next_child_spi_++; }
  std::uint64_t make_ike_spi() override { return world_.next_ike_spi_++; }

  std::uint64_t fingerprint() const {
    sim::Rng copy = rng_;
    return copy.next();
  }

 private:
  World& world_;
  PeerId id_;
  sim::Rng rng_;
  bool next_is_retransmit_ = false;
};

World::World(const models::PeerConfig& a, const models::PeerConfig& b, std::uint64_t seed) {
  ports_[0] = std::make_unique<Port>(*this, PeerId::kA, seed);
  ports_[1] = std::make_unique<Port>(*this, PeerId::kB, seed);
  peers_[0] = std::make_unique<models::ikev2::Peer>(PeerId::kA, a, *ports_[0]);
  peers_[1] = std::make_unique<models::ikev2::Peer>(PeerId::kB, b, *ports_[1]);
  models::ikev2::Peer::establish(*peers_[0], *peers_[1]);
}

World::~World() = default;

void World::sort_timers() {
  std::sort(timers_.begin(), timers_.end(), [](const PendingTimer& x, const PendingTimer& y) {
    if (x.at != y.at) return x.at < y.at;
    if (x.peer != y.peer) return x.peer < y.peer;
    if (x.kind != y.kind) return x.kind < y.kind;
    if (x.cookie != y.cookie) return x.cookie < y.cookie;
    return x.id < y.id;
  });
}

std::vector<Step> World::enabled(const Bounds& b, int losses_so_far) const {
  std::vector<Step> out;
  if (b.nonce_choice && nonce_lowest_ < 0 && steps_ == 0)
    return {{StepKind::kNonceOrder, PeerId::kA, 0}, {StepKind::kNonceOrder, PeerId::kB, 1}};
  // No timer due later than an in-flight message's latest arrival fires first.
  // (+1 ns: a timer runs 1 ns before it is due, so what it sends counts as
  // sent at its due time and a timer due at that same instant may still fire.)
  SimTime deadline = b.horizon;
  for (const auto& q : in_flight_)
    for (const InFlight& f : q)
      deadline = std::min(deadline, f.sent + b.window + sim::nanoseconds(1));
  SimTime earliest = b.horizon;
  for (const PendingTimer& t : timers_) earliest = std::min(earliest, t.at);
  for (std::size_t i = 0; i < timers_.size(); ++i) {
    const PendingTimer& t = timers_[i];
    if (t.at > b.horizon || t.at > deadline || t.at > earliest + b.window) break;  // sorted
    // A case's `fire` runs the one due first of a peer's timers for one job.
    bool later = false;
    for (std::size_t j = 0; j < i; ++j) later = later || same_job(timers_[j], t);
    if (later) continue;
    out.push_back({StepKind::kFire, t.peer, static_cast<std::uint16_t>(i)});
  }
  for (StepKind k : {StepKind::kDeliver, StepKind::kDrop}) {
    if (k == StepKind::kDrop && losses_so_far >= b.max_loss) break;
    for (PeerId to : {PeerId::kA, PeerId::kB}) {
      const auto& q = in_flight_[idx(to)];
      std::vector<std::uint64_t> seen;
      for (std::size_t i = 0; i < q.size(); ++i) {
        // In order: only the oldest arrives next; any one may be lost.
        if (k == StepKind::kDeliver && !b.reorder && i > 0) break;
        const std::uint64_t h = message_hash(q[i].message);
        if (std::find(seen.begin(), seen.end(), h) != seen.end()) continue;
        seen.push_back(h);
        out.push_back({k, to, static_cast<std::uint16_t>(i)});
      }
    }
  }
  return out;
}

void World::apply(const Step& s) {
  ++steps_;
  if (s.kind == StepKind::kNonceOrder) {
    if (s.index > 1 || nonce_lowest_ >= 0) throw std::out_of_range("explore: no nonce order");
    nonce_lowest_ = s.index;
    return;
  }
  if (s.kind == StepKind::kFire) {
    if (s.index >= timers_.size()) throw std::out_of_range("explore: no such pending timer");
    const PendingTimer t = timers_[s.index];
    now_ = fire_time(s.index);
    timers_.erase(timers_.begin() + s.index);
    peer(t.peer).on_timer(t.kind, t.cookie);
    return;
  }
  auto& q = in_flight_[idx(s.peer)];
  if (s.index >= q.size()) throw std::out_of_range("explore: no such message in flight");
  const InFlight f = q[s.index];
  q.erase(q.begin() + s.index);
  if (s.kind == StepKind::kDeliver) {
    delivering_request_to_ = f.message.is_response ? -1 : idx(s.peer);
    peer(s.peer).on_message(f.message);
    delivering_request_to_ = -1;
  } else {
    models::TraceRecord r;
    r.time = now_;
    r.peer = f.from;
    r.kind = models::TraceKind::kMessageLost;
    r.message = f.message;
    r.ike_spi = f.message.ike_sa;
    trace_.push_back(r);
    step_of_.push_back(static_cast<std::uint32_t>(steps_));
  }
}

SimTime World::fire_time(std::size_t index) const {
  (void)index;  // any timer runs just before the earliest pending one is due
  if (timers_.empty()) return now_;
  return std::max(now_, timers_.front().at - sim::nanoseconds(1));
}

std::string World::name_for(PeerId from, const Message& m, bool retransmit) {
  const auto key = std::make_tuple(idx(from), m.ike_sa, m.message_id, m.is_response);
  if (retransmit) {
    const auto it = originals_.find(key);
    if (it != originals_.end())
      return it->second + ".retransmit" + std::to_string(++name_counts_[it->second]);
  }
  std::string name(1, from == PeerId::kA ? 'a' : 'b');
  name.append(".").append(models::to_string(m.exchange)).append(m.is_response ? ".resp#" : ".req#");
  name.append(std::to_string(++name_counts_[name]));
  originals_[key] = name;
  return name;
}

std::uint64_t World::digest() const {
  Mix x;
  x.add(next_child_spi_);
  x.add(next_ike_spi_);
  for (int p = 0; p < 2; ++p) {
    x.add(peers_[p]->state_digest());
    x.add(ports_[p]->fingerprint());
    // In-flight messages as a multiset: their order is not state (any may
    // arrive next).
    std::vector<std::uint64_t> msgs;
    for (const InFlight& f : in_flight_[p]) {
      Mix m;
      m.add(message_hash(f.message));
      m.add(static_cast<std::uint64_t>(f.sent.ns()));
      msgs.push_back(m.h);
    }
    std::sort(msgs.begin(), msgs.end());
    x.add(msgs.size());
    for (std::uint64_t h : msgs) x.add(h);
  }
  x.add(timers_.size());
  for (const PendingTimer& t : timers_) {  // sorted by content, not by id
    x.add(static_cast<std::uint64_t>(t.peer));
    x.add(static_cast<std::uint64_t>(t.at.ns()));
    x.add(static_cast<std::uint64_t>(t.kind));
    x.add(t.cookie);
  }
  x.add(static_cast<std::uint64_t>(now_.ns()));
  x.add(static_cast<std::uint64_t>(nonce_lowest_ + 1));
  return x.h;
}

std::string World::describe(const Step& s) const {
  if (s.kind == StepKind::kNonceOrder)
    return std::string("nonce order: ") + (s.index == 0 ? "A" : "B") +
           "'s requests carry the lowest nonces (first octet 0x00; every other nonce 0xff)";
  if (s.kind == StepKind::kFire) {
    if (s.index >= timers_.size()) return "fire ?";
    const PendingTimer& t = timers_[s.index];
    std::string out = "fire ";
    out += models::peer_name(t.peer);
    out += " ";
    out += to_string(t.kind);
    out += "(" + std::to_string(t.cookie) + ") due " + sim::format_duration(t.at);
    return out;
  }
  const auto& q = in_flight_[idx(s.peer)];
  if (s.index >= q.size()) return "message ?";
  std::string out = s.kind == StepKind::kDeliver ? "deliver " : "lose ";
  out += q[s.index].name + " to ";
  out += models::peer_name(s.peer);
  out += ": " + models::scripted::describe(q[s.index].message);
  return out;
}

}  // namespace rekeysim::explore
