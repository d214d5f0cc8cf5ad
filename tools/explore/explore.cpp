#include "tools/explore/explore.hpp"

#include <algorithm>
#include <deque>
#include <span>
#include <stdexcept>
#include <unordered_set>

#include "models/ikev2/invariants.hpp"
#include "sim/random.hpp"

namespace rekeysim::explore {

namespace {

using models::PeerId;

using Found = models::ikev2::InvariantViolation;

// Checks after one step: what the records it produced say, and whether ESP
// could flow both ways in the state it left.
void check_step(const World& w, std::size_t first_record, std::vector<Found>& out) {
  const auto& recs = w.trace();
  models::ikev2::record_violations(std::span<const models::TraceRecord>(recs).subspan(first_record),
                                   out);
  models::ikev2::esp_violations(w.peer(PeerId::kA), w.peer(PeerId::kB), out);
}

// Checks at an end state: the peers settled on one SA pair and nothing is left over.
void check_end(const World& w, std::vector<Found>& out) {
  models::ikev2::end_violations(w.peer(PeerId::kA), w.peer(PeerId::kB), out);
}

struct Node {
  std::vector<Step> steps;
  int losses = 0;
};

std::uint64_t key_of(const World& w, int losses) {
  std::uint64_t s = w.digest() ^ (static_cast<std::uint64_t>(losses) * 0x9e3779b97f4a7c15ULL);
  return sim::splitmix64(s);
}

}  // namespace

const std::vector<std::string>& violation_kinds() {
  return models::ikev2::invariant_kinds();
}

std::unique_ptr<World> replay(const models::PeerConfig& a, const models::PeerConfig& b,
                              std::uint64_t seed, const std::vector<Step>& steps) {
  auto w = std::make_unique<World>(a, b, seed);
  for (const Step& s : steps) w->apply(s);
  return w;
}

SimTime horizon_of(const World& initial) {
  SimTime h{};
  for (const PendingTimer& t : initial.timers())
    if (t.kind == TimerKind::kChildHardExpire) h = std::max(h, t.at);
  if (h == SimTime{})
    for (const PendingTimer& t : initial.timers()) h = std::max(h, t.at);
  return h;
}

Result explore(const models::PeerConfig& a, const models::PeerConfig& b, const Options& o) {
  const auto& kinds = violation_kinds();
  for (const std::string& k : o.allow)
    if (std::find(kinds.begin(), kinds.end(), k) == kinds.end())
      throw std::invalid_argument("unknown violation kind '" + k + "'");
  const auto t0 = std::chrono::steady_clock::now();
  Result res;
  std::vector<std::optional<Violation>> found(kinds.size());
  auto note = [&](const std::vector<Found>& f, const std::vector<Step>& path) {
    for (const Found& v : f) {
      if (o.allow.count(v.kind)) continue;
      const auto i =
          static_cast<std::size_t>(std::find(kinds.begin(), kinds.end(), v.kind) - kinds.begin());
      if (!found[i] || found[i]->steps.size() > path.size())
        found[i] = Violation{v.kind, v.detail, path};
    }
  };

  std::unordered_set<std::uint64_t> seen;
  std::deque<Node> queue;
  {
    World w(a, b, o.seed);
    res.horizon = horizon_of(w);
    seen.insert(key_of(w, 0));
    std::vector<Found> f;
    check_step(w, 0, f);
    note(f, {});
  }
  // RFC 7296 2.8.1: the nonce order decides a collision only where a peer
  // breaks the tie by nonces.
  const bool nonce_choice =
      a.behaviour.collision_resolution != models::CollisionResolution::kNone ||
      b.behaviour.collision_resolution != models::CollisionResolution::kNone;
  const Bounds bounds{o.window, o.max_loss, o.reorder, res.horizon, nonce_choice};
  queue.push_back({});
  while (!queue.empty()) {
    Node n = std::move(queue.front());
    queue.pop_front();
    auto w = replay(a, b, o.seed, n.steps);
    const std::vector<Step> enabled = w->enabled(bounds, n.losses);
    if (enabled.empty()) {
      ++res.end_states;
      res.longest = std::max(res.longest, n.steps.size());
      std::vector<Found> f;
      check_end(*w, f);
      note(f, n.steps);
      continue;
    }
    if (n.steps.size() >= o.depth) {
      ++res.truncated;
      res.complete = false;
      continue;
    }
    for (std::size_t i = 0; i < enabled.size(); ++i) {
      const Step& s = enabled[i];
      // The replayed world serves the last successor; the others replay again.
      std::unique_ptr<World> child =
          i + 1 == enabled.size() ? std::move(w) : replay(a, b, o.seed, n.steps);
      const std::size_t first = child->trace().size();
      child->apply(s);
      ++res.transitions;
      Node next{n.steps, n.losses + (s.kind == StepKind::kDrop ? 1 : 0)};
      next.steps.push_back(s);
      std::vector<Found> f;
      check_step(*child, first, f);
      note(f, next.steps);
      if (!seen.insert(key_of(*child, next.losses)).second) continue;
      if (seen.size() > o.max_states) {
        res.complete = false;
        res.max_states_hit = true;
        queue.clear();
        break;
      }
      queue.push_back(std::move(next));
    }
  }
  res.states = seen.size();
  for (auto& v : found)
    if (v) res.violations.push_back(std::move(*v));
  res.wall = std::chrono::steady_clock::now() - t0;
  return res;
}

}  // namespace rekeysim::explore
