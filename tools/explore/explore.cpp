#include "tools/explore/explore.hpp"

#include <algorithm>
#include <deque>
#include <stdexcept>
#include <unordered_set>

#include "sim/random.hpp"

namespace rekeysim::explore {

namespace {

using models::PeerId;
using models::TraceKind;
using models::ikev2::ChildSa;
using models::ikev2::ChildSaState;

std::string spi(std::uint32_t s) {
  return std::to_string(s);
}

struct Found {
  std::string kind;
  std::string detail;
};

// Checks after one step: what the records it produced say, and whether ESP
// could flow both ways in the state it left.
void check_step(const World& w, std::size_t first_record, std::vector<Found>& out) {
  const auto& recs = w.trace();
  for (std::size_t i = first_record; i < recs.size(); ++i) {
    const auto& r = recs[i];
    const char p = models::peer_name(r.peer);
    switch (r.kind) {
      case TraceKind::kDeleteForUnknownSpi:
        out.push_back({"cant_find_sa", std::string(1, p) + " got a DELETE for ESP SPI " +
                                           spi(r.spi_in) + " it has no SA for"});
        break;
      // kRekeyForUnknownSpi is not one: answering a rekey of an SA already
      // deleted with CHILD_SA_NOT_FOUND is RFC 7296 2.25's own handling of
      // that collision; any damage shows in the end-state checks.
      case TraceKind::kTunnelDown:
        out.push_back(
            {"tunnel_reset", std::string(1, p) + " lost the IKE SA carrying its Child SAs"});
        break;
      case TraceKind::kHardExpired:
        out.push_back({"outage", std::string(1, p) + " let an SA reach its hard lifetime"});
        break;
      default:
        break;
    }
  }
  for (PeerId p : {PeerId::kA, PeerId::kB}) {
    const auto out_spi = w.peer(p).outbound_spi();
    const std::string name(1, models::peer_name(p));
    const std::string peer_b(1, models::peer_name(models::other(p)));
    if (!out_spi) {
      // Only while the tunnel is meant to be up: a reset is its own kind.
      if (w.peer(p).ike_sa() != nullptr)
        out.push_back({"outage", name + " has no outbound Child SA to send on"});
    } else if (!w.peer(models::other(p)).accepts_inbound(*out_spi)) {
      out.push_back({"outage", name + " sends on ESP SPI " + spi(*out_spi) + " that " + peer_b +
                                   " no longer accepts"});
    }
  }
}

bool live(const ChildSa& c) {
  return c.state == ChildSaState::kInstalled && !c.expired && c.inbound_installed;
}

// Checks at an end state: the peers settled on one SA pair and nothing is left over.
void check_end(const World& w, std::vector<Found>& out) {
  std::vector<const ChildSa*> l[2];
  for (PeerId p : {PeerId::kA, PeerId::kB}) {
    const auto& peer = w.peer(p);
    const std::string name(1, models::peer_name(p));
    for (const ChildSa& c : peer.child_sas())
      if (live(c)) l[static_cast<int>(p)].push_back(&c);
    const std::size_t n = l[static_cast<int>(p)].size();
    if (n > 1) {
      std::string spis;
      for (const ChildSa* c : l[static_cast<int>(p)])
        spis += (spis.empty() ? "" : ", ") + spi(c->spi_in);
      out.push_back({"redundant_sa", name + " holds " + std::to_string(n) +
                                         " installed Child SAs for one tunnel (inbound SPIs " +
                                         spis + ")"});
    }
    if (peer.child_sas().size() > n) {
      for (const ChildSa& c : peer.child_sas())
        if (!live(c)) {
          out.push_back({"sa_leak", name + " still holds Child SA " + spi(c.spi_in) + "/" +
                                        spi(c.spi_out) + " that is no longer in use"});
          break;
        }
    }
    if (peer.ike_sas().size() > 1)
      out.push_back(
          {"ike_sa_leak", name + " holds " + std::to_string(peer.ike_sas().size()) + " IKE SAs"});
    bool outstanding = peer.queued_tasks() > 0;
    for (const auto& ike : peer.ike_sas()) outstanding = outstanding || ike.request_outstanding;
    if (outstanding)
      out.push_back({"request_unanswered",
                     name + " has a request neither answered nor given up (or one still queued)"});
  }
  const auto& la = l[0];
  const auto& lb = l[1];
  if (la.size() == 1 && lb.size() == 1) {
    if (la[0]->spi_in != lb[0]->spi_out || la[0]->spi_out != lb[0]->spi_in)
      out.push_back({"sa_disagreement", "A uses Child SA " + spi(la[0]->spi_in) + "/" +
                                            spi(la[0]->spi_out) + " but B uses " +
                                            spi(lb[0]->spi_in) + "/" + spi(lb[0]->spi_out)});
  } else if (la.empty() != lb.empty()) {
    out.push_back({"sa_disagreement", std::string(la.empty() ? "A" : "B") +
                                          " holds no installed Child SA but the other does"});
  }
  const auto* ia = w.peer(PeerId::kA).ike_sa();
  const auto* ib = w.peer(PeerId::kB).ike_sa();
  if ((ia == nullptr) != (ib == nullptr) || (ia && ib && ia->id != ib->id))
    out.push_back({"sa_disagreement", "the peers' IKE SAs differ"});
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
  static const std::vector<std::string> k = {
      "cant_find_sa",    "outage",  "tunnel_reset", "redundant_sa",
      "sa_disagreement", "sa_leak", "ike_sa_leak",  "request_unanswered"};
  return k;
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
  const Bounds bounds{o.window, o.max_loss, o.reorder, res.horizon};
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
