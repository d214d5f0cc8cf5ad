#include "models/scripted/scripted_world.hpp"

#include <stdexcept>

namespace models::scripted {

namespace {
std::size_t idx(PeerId p) {
  return static_cast<std::size_t>(p);
}

std::string notify_name(NotifyType n) {
  std::string s(to_string(n));
  return s.empty() ? std::to_string(static_cast<int>(n)) : s;
}
}  // namespace

std::string describe(const Message& m) {
  std::string s(to_string(m.exchange));
  s += m.is_response ? " response " : " request ";
  s += std::to_string(m.message_id);
  s += " {";
  bool first = true;
  auto add = [&](const std::string& part) {
    if (!first) s += ", ";
    s += part;
    first = false;
  };
  // (Appending piecewise: GCC 12 warns spuriously on "literal" + std::string.)
  if (m.notify != NotifyType::kNone) {
    std::string n("N(");
    n.append(notify_name(m.notify));
    if (m.notify == NotifyType::kRekeySa || m.notify == NotifyType::kChildSaNotFound)
      n.append(",").append(std::to_string(m.notify_spi));
    add(n.append(")"));
  }
  if (m.sa_protocol != ProtocolId::kNone) {
    std::string sa(m.sa_protocol == ProtocolId::kEsp ? "SA(ESP," : "SA(IKE,");
    add(sa.append(std::to_string(m.sa_spi)).append(")"));
  }
  if (m.has_nonce) add("Nonce");
  if (m.has_ts) add("TS");
  if (m.delete_protocol == ProtocolId::kIke) add("D(IKE)");
  if (m.delete_protocol == ProtocolId::kEsp) {
    std::string d("D(ESP");
    for (int i = 0; i < m.delete_count; ++i)
      d.append(",").append(std::to_string(m.delete_spis[static_cast<std::size_t>(i)]));
    add(d.append(")"));
  }
  return s + "}";
}

class ScriptedWorld::Port : public ikev2::PeerPort {
 public:
  Port(ScriptedWorld& w, PeerId id, std::uint64_t seed)
      : world_(w),
        id_(id),
        rng_(sim::Rng::for_stream(
            seed, 0,
            id == PeerId::kA ? sim::StreamComponent::kPeerA : sim::StreamComponent::kPeerB)) {}

  SimTime now() const override { return world_.scheduler_->now(); }
  sim::EventId start_timer(SimTime at, TimerKind kind, std::uint64_t cookie) override {
    auto id = std::make_shared<std::uint64_t>(0);
    sim::EventId e = world_.scheduler_->schedule(at, [this, kind, cookie, id] {
      timers_.erase(*id);
      world_.peer(id_).on_timer(kind, cookie);
    });
    *id = e.value;
    timers_[e.value] = PendingTimer{kind, cookie, at, e};
    return e;
  }
  void cancel_timer(sim::EventId id) override {
    timers_.erase(id.value);
    world_.scheduler_->cancel(id);
  }
  void send(const Message& m) override {
    std::string name = world_.name_for(id_, m, next_is_retransmit_);
    world_.in_flight_[idx(other(id_))].push_back(m);
    world_.in_flight_names_[idx(other(id_))].push_back(name);
    world_.wire_.push_back({now(), id_, next_is_retransmit_, m, std::move(name)});
    next_is_retransmit_ = false;
  }
  void emit(const TraceRecord& r) override {
    world_.trace_.push_back(r);
    // The peer records a retransmission just before re-sending it.
    if (r.kind == TraceKind::kRetransmit) next_is_retransmit_ = true;
  }
  sim::Rng& rng() override { return rng_; }
  Nonce make_nonce() override {
    if (first_bytes_.empty() && !nonces_.empty()) {
      const Nonce forced = nonces_.front();
      nonces_.pop_front();
      return forced;
    }
    Nonce n = PeerPort::make_nonce();
    n.bytes[0] = 0x80;
    if (!first_bytes_.empty()) {
      n.bytes[0] = first_bytes_.front();
      first_bytes_.pop_front();
    }
    return n;
  }
  std::uint32_t make_child_spi() override { return world_.next_child_spi_++; }
  std::uint64_t make_ike_spi() override { return world_.next_ike_spi_++; }

  std::deque<std::uint8_t> first_bytes_;
  std::deque<Nonce> nonces_;
  struct PendingTimer {
    TimerKind kind;
    std::uint64_t cookie;
    SimTime at;
    sim::EventId event;
  };
  std::map<std::uint64_t, PendingTimer> timers_;
  bool next_is_retransmit_ = false;

 private:
  ScriptedWorld& world_;
  PeerId id_;
  sim::Rng rng_;
};

ScriptedWorld::ScriptedWorld(const PeerConfig& a, const PeerConfig& b, std::uint64_t seed)
    : scheduler_(std::make_unique<sim::Scheduler>()) {
  ports_[0] = std::make_unique<Port>(*this, PeerId::kA, seed);
  ports_[1] = std::make_unique<Port>(*this, PeerId::kB, seed);
  peers_[0] = std::make_unique<Peer>(PeerId::kA, a, *ports_[0]);
  peers_[1] = std::make_unique<Peer>(PeerId::kB, b, *ports_[1]);
}

ScriptedWorld::~ScriptedWorld() = default;

Peer& ScriptedWorld::peer(PeerId p) {
  return *peers_[idx(p)];
}

const Peer& ScriptedWorld::peer(PeerId p) const {
  return *peers_[idx(p)];
}

void ScriptedWorld::establish(PeerId initiator) {
  // Retransmit marking relies on send() preceding emit(kRetransmit); the
  // establishment itself sends nothing.
  Peer::establish(peer(initiator), peer(other(initiator)));
}

std::size_t ScriptedWorld::in_flight(PeerId to) const {
  return in_flight_[idx(to)].size();
}

const Message& ScriptedWorld::peek(PeerId to, std::size_t index) const {
  const auto& q = in_flight_[idx(to)];
  if (index >= q.size()) throw std::out_of_range("no such message in flight");
  return q[index];
}

void ScriptedWorld::deliver(PeerId to, std::size_t index) {
  auto& q = in_flight_[idx(to)];
  if (index >= q.size()) throw std::out_of_range("no such message in flight");
  const Message m = q[index];
  q.erase(q.begin() + static_cast<std::ptrdiff_t>(index));
  auto& names = in_flight_names_[idx(to)];
  names.erase(names.begin() + static_cast<std::ptrdiff_t>(index));
  peer(to).on_message(m);
}

void ScriptedWorld::drop(PeerId to, std::size_t index) {
  auto& q = in_flight_[idx(to)];
  if (index >= q.size()) throw std::out_of_range("no such message in flight");
  q.erase(q.begin() + static_cast<std::ptrdiff_t>(index));
  auto& names = in_flight_names_[idx(to)];
  names.erase(names.begin() + static_cast<std::ptrdiff_t>(index));
}

void ScriptedWorld::drop_all(PeerId to) {
  in_flight_[idx(to)].clear();
  in_flight_names_[idx(to)].clear();
}

std::string ScriptedWorld::duplicate(PeerId to, std::size_t index) {
  auto& q = in_flight_[idx(to)];
  if (index >= q.size()) throw std::out_of_range("no such message in flight");
  auto& names = in_flight_names_[idx(to)];
  const std::string copy =
      names[index] + ".dup" + std::to_string(++name_counts_[names[index] + ".dup"]);
  const auto at = static_cast<std::ptrdiff_t>(index + 1);
  q.insert(q.begin() + at, Message(q[index]));
  names.insert(names.begin() + at, copy);
  return copy;
}

const std::string& ScriptedWorld::name(PeerId to, std::size_t index) const {
  const auto& names = in_flight_names_[idx(to)];
  if (index >= names.size()) throw std::out_of_range("no such message in flight");
  return names[index];
}

std::optional<std::pair<PeerId, std::size_t>> ScriptedWorld::find(std::string_view name) const {
  for (PeerId to : {PeerId::kA, PeerId::kB}) {
    const auto& names = in_flight_names_[idx(to)];
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i] == name) return std::make_pair(to, i);
  }
  return std::nullopt;
}

std::string ScriptedWorld::name_for(PeerId from, const Message& m, bool retransmit) {
  const auto key = std::make_tuple(static_cast<int>(from), m.ike_sa, m.message_id, m.is_response);
  if (retransmit) {
    const auto it = originals_.find(key);
    if (it != originals_.end())
      return it->second + ".retransmit" + std::to_string(++name_counts_[it->second]);
  }
  std::string name(1, from == PeerId::kA ? 'a' : 'b');
  name.append(".").append(to_string(m.exchange)).append(m.is_response ? ".resp#" : ".req#");
  name.append(std::to_string(++name_counts_[name]));
  originals_[key] = name;
  return name;
}

void ScriptedWorld::run_until(SimTime t) {
  scheduler_->run_until(t);
}

SimTime ScriptedWorld::now() const {
  return scheduler_->now();
}

void ScriptedWorld::queue_nonce_first_byte(PeerId p, std::uint8_t first) {
  ports_[idx(p)]->first_bytes_.push_back(first);
}

void ScriptedWorld::queue_nonce(PeerId p, const Nonce& n) {
  ports_[idx(p)]->nonces_.push_back(n);
}

std::size_t ScriptedWorld::timers_pending(PeerId p, TimerKind kind) const {
  std::size_t n = 0;
  for (const auto& [id, t] : ports_[idx(p)]->timers_)
    if (t.kind == kind) ++n;
  return n;
}

bool ScriptedWorld::fire_timer(PeerId p, TimerKind kind, std::optional<std::uint64_t> cookie) {
  auto& timers = ports_[idx(p)]->timers_;
  auto due = timers.end();
  // Map order is arming order, so equal due times fire in the order armed.
  for (auto it = timers.begin(); it != timers.end(); ++it) {
    if (it->second.kind != kind || (cookie && it->second.cookie != *cookie)) continue;
    if (due == timers.end() || it->second.at < due->second.at) due = it;
  }
  if (due == timers.end()) {
    if (cookie) peer(p).on_timer(kind, *cookie);
    return false;
  }
  const std::uint64_t fired = due->second.cookie;
  scheduler_->cancel(due->second.event);
  timers.erase(due);
  peer(p).on_timer(kind, fired);
  return true;
}

std::optional<SimTime> ScriptedWorld::next_timer_due() const {
  std::optional<SimTime> due;
  for (const auto& port : ports_)
    for (const auto& [id, t] : port->timers_)
      if (!due || t.at < *due) due = t.at;
  return due;
}

std::size_t ScriptedWorld::timers_pending(PeerId p) const {
  return ports_[idx(p)]->timers_.size();
}

std::size_t ScriptedWorld::count(TraceKind k) const {
  std::size_t n = 0;
  for (const auto& r : trace_)
    if (r.kind == k) ++n;
  return n;
}

std::size_t ScriptedWorld::count(TraceKind k, PeerId p) const {
  std::size_t n = 0;
  for (const auto& r : trace_)
    if (r.kind == k && r.peer == p) ++n;
  return n;
}

std::vector<std::string> ScriptedWorld::ladder() const {
  std::vector<std::string> out;
  out.reserve(wire_.size());
  for (const auto& w : wire_) {
    std::string s;
    s += peer_name(w.from);
    s += "->";
    s += peer_name(other(w.from));
    s += w.retransmit ? " (retransmit) " : " ";
    s += describe(w.message);
    out.push_back(std::move(s));
  }
  return out;
}

void ScriptedWorld::clear_log() {
  trace_.clear();
  wire_.clear();
}

}  // namespace models::scripted
