#include "tools/ingest/timeline.hpp"

#include "models/world/outcome_classifier.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <set>

namespace rekeysim::ingest {

namespace {

using models::PeerId;
using models::TraceKind;
using models::TraceRecord;
using trace::EpisodeFilter;

constexpr EpisodeFilter kKinds[] = {EpisodeFilter::kCollision, EpisodeFilter::kCantFindSa,
                                    EpisodeFilter::kOutage, EpisodeFilter::kTunnelReset};

std::size_t idx(PeerId p) {
  return static_cast<std::size_t>(p);
}

bool is_child_rekey_request(const models::Message& m) {
  return m.exchange == models::ExchangeType::kCreateChildSa && !m.is_response &&
         m.notify == models::NotifyType::kRekeySa;
}

bool is_esp_delete(const models::Message& m) {
  return m.exchange == models::ExchangeType::kInformational &&
         m.delete_protocol == models::ProtocolId::kEsp && m.delete_count > 0;
}

// The inbound SPI (at the sender) of the SA a request acts on, 0 if none.
std::uint32_t named_spi(const models::Message& m) {
  if (is_child_rekey_request(m)) return m.notify_spi;
  if (is_esp_delete(m) && !m.is_response) return m.delete_spis[0];
  return 0;
}

// Which records mark an episode of a kind (for its evidence lines).
bool marks(const TraceRecord& r, EpisodeFilter f) {
  switch (f) {
    case EpisodeFilter::kCollision:
      return r.kind == TraceKind::kCollisionDetected || r.kind == TraceKind::kCollisionResolved ||
             (r.kind == TraceKind::kMessageSent && named_spi(r.message) != 0);
    case EpisodeFilter::kCantFindSa:
      return r.kind == TraceKind::kDeleteForUnknownSpi || r.kind == TraceKind::kRekeyForUnknownSpi;
    case EpisodeFilter::kOutage:
      return r.kind == TraceKind::kEspDropped;
    case EpisodeFilter::kTunnelReset:
      return r.kind == TraceKind::kTunnelDown;
    default:
      return false;
  }
}

// SA pairs both ways: a peer's inbound SPI -> its outbound SPI.
// Bounded: the oldest of more than kMaxPairs per peer is forgotten first.
struct Pairs {
  static constexpr std::size_t kMaxPairs = 4096;
  std::map<std::uint32_t, std::uint32_t> out_of[2];
  std::deque<std::uint32_t> order[2];
  void learn(const TraceRecord& r) {
    if (r.spi_in != 0 && r.spi_out != 0) remember(r.peer, r.spi_in, r.spi_out);
    if (r.new_spi_in != 0 && r.new_spi_out != 0) remember(r.peer, r.new_spi_in, r.new_spi_out);
  }
  void remember(PeerId p, std::uint32_t in, std::uint32_t out) {
    if (!out_of[idx(p)].insert_or_assign(in, out).second) return;
    order[idx(p)].push_back(in);
    if (order[idx(p)].size() > kMaxPairs) {
      out_of[idx(p)].erase(order[idx(p)].front());
      order[idx(p)].pop_front();
    }
  }
  // An SA as A's inbound SPI (= B's outbound).
  std::uint32_t key(PeerId p, std::uint32_t inbound) const {
    if (p == PeerId::kA) return inbound;
    if (auto it = out_of[1].find(inbound); it != out_of[1].end()) return it->second;
    for (const auto& [a_in, a_out] : out_of[0]) {
      if (a_out == inbound) return a_in;
    }
    return inbound;  // B alone: its own SPIs are the key
  }
};

// A peer whose own DELETE or REKEY_SA request for an SA is still open
// receives the other peer's request for the other half of the same SA: the
// two requests crossed (RFC 7296 1.4.1, 2.8.1, 2.25.1). With one log only this
// is the classifier's crossing seen from one side; it is added as a
// collision record after the records of its instant. PAN-OS does not log
// whether a received DELETE is a request or its answer, so there only a
// DELETE that also found no SA (can't-find-SA at the same instant) counts.
class OneSidedCrossings {
 public:
  explicit OneSidedCrossings(const Style (&styles)[2]) : styles_{styles[0], styles[1]} {}

  // `group`: the records of one instant, in order; collision records found
  // are appended to `out`.
  void feed(const std::vector<std::pair<TraceRecord, Evidence>>& group,
            std::vector<std::pair<TraceRecord, Evidence>>& out) {
    for (std::size_t i = 0; i < group.size(); ++i) {
      const TraceRecord& r = group[i].first;
      pairs_.learn(r);
      auto& mine = open_[idx(r.peer)];
      std::erase_if(mine, [&](const Open& o) { return r.time - o.sent > trace::kEpisodeGap; });
      if (r.kind == TraceKind::kMessageSent) {
        if (const std::uint32_t spi = named_spi(r.message)) {
          mine.push_back({spi, is_child_rekey_request(r.message), r.time, r.message.message_id,
                          r.message.exchange});
        }
        continue;
      }
      if (r.kind != TraceKind::kMessageReceived) continue;
      if (r.message.is_response) {
        std::erase_if(mine, [&](const Open& o) {
          return o.message_id == r.message.message_id && o.exchange == r.message.exchange;
        });
        continue;
      }
      std::uint32_t named = 0;
      if (is_child_rekey_request(r.message)) named = r.message.notify_spi;
      if (is_esp_delete(r.message)) named = r.message.delete_spis[0];
      if (named == 0) continue;
      if (styles_[idx(r.peer)] == Style::kPanos) {
        bool unknown = false;
        for (std::size_t j = i + 1; j < group.size(); ++j) {
          const TraceRecord& x = group[j].first;
          unknown |=
              x.peer == r.peer && x.kind == TraceKind::kDeleteForUnknownSpi && x.spi_in == named;
        }
        if (!unknown) continue;
      }
      for (const Open& o : mine) {
        const auto it = pairs_.out_of[idx(r.peer)].find(o.inbound);
        if (it == pairs_.out_of[idx(r.peer)].end() || it->second != named) continue;
        const bool theirs_rekey = is_child_rekey_request(r.message);
        TraceRecord c = r;
        c.kind = TraceKind::kCollisionDetected;
        c.collision = o.rekey && theirs_rekey     ? models::CollisionKind::kSimultaneousChildRekey
                      : !o.rekey && !theirs_rekey ? models::CollisionKind::kCrossingDelete
                                                  : models::CollisionKind::kRekeyVsDelete;
        c.spi_in = o.inbound;
        c.spi_out = named;
        out.push_back({c, group[i].second});
        break;
      }
    }
  }

 private:
  struct Open {
    std::uint32_t inbound;
    bool rekey;
    sim::SimTime sent;
    std::uint32_t message_id;
    models::ExchangeType exchange;
  };
  Style styles_[2];
  std::vector<Open> open_[2];
  Pairs pairs_;
};

// Two logs that show each Child SA's soft expiry but no CREATE_CHILD_SA
// (PAN-OS at its default level): both peers soft-expiring one SA is a
// simultaneous rekey. The expiry starts a peer's rekey request (RFC 7296
// 2.8); a peer that has already answered the other's request for the SA
// has rekeyed it and starts none, so two expiries of one SA are two
// requests for it in flight at once (2.8.1), the classifier's collision,
// at the second. The SA is told by A's inbound SPI: B's expiry names B's,
// tied to A's by the SA's "Deleted SA" banner (read_panos.cpp). Bounded:
// the expiries of the last kWindow (a rekey retransmitted longer than
// that gives up) and at most kMax per peer.
class SoftExpiryCrossings {
 public:
  static constexpr sim::SimTime kWindow = sim::seconds(60);
  static constexpr std::size_t kMax = 64;

  void feed(const std::vector<std::pair<TraceRecord, Evidence>>& group,
            std::vector<std::pair<TraceRecord, Evidence>>& out) {
    for (const auto& [r, e] : group) {
      pairs_.learn(r);
      if (r.kind != TraceKind::kRekeyStarted || r.sa_kind != models::SaKind::kChild ||
          r.spi_in == 0)
        continue;
      const std::uint32_t key = pairs_.key(r.peer, r.spi_in);
      const sim::SimTime now = r.time;  // a structured binding: not capturable before C++20's fix
      for (auto& list : recent_)
        std::erase_if(list, [now](const Expiry& x) { return now - x.time > kWindow; });
      auto& theirs = recent_[idx(models::other(r.peer))];
      const auto it =
          std::find_if(theirs.begin(), theirs.end(), [&](const Expiry& x) { return x.key == key; });
      if (it != theirs.end()) {
        theirs.erase(it);
        TraceRecord c = r;
        c.kind = TraceKind::kCollisionDetected;
        c.collision = models::CollisionKind::kSimultaneousChildRekey;
        out.push_back({c, e});
        continue;
      }
      auto& mine = recent_[idx(r.peer)];
      mine.push_back({key, r.time});
      if (mine.size() > kMax) mine.pop_front();
    }
  }

 private:
  struct Expiry {
    std::uint32_t key;
    sim::SimTime time;
  };
  std::deque<Expiry> recent_[2];
  Pairs pairs_;
};

// Keys seen recently (bounded FIFO): the first REKEY_SA request per Child SA.
class RecentKeys {
 public:
  static constexpr std::size_t kMax = 4096;
  bool contains(std::uint32_t key) const { return set_.contains(key); }
  bool insert(std::uint32_t key) {
    if (!set_.insert(key).second) return false;
    order_.push_back(key);
    if (order_.size() > kMax) {
      set_.erase(order_.front());
      order_.pop_front();
    }
    return true;
  }

 private:
  std::set<std::uint32_t> set_;
  std::deque<std::uint32_t> order_;
};

}  // namespace

bool shows(Style style, EpisodeFilter f) {
  switch (style) {
    case Style::kPanos:
      return f == EpisodeFilter::kCollision || f == EpisodeFilter::kCantFindSa ||
             f == EpisodeFilter::kTunnelReset;
    case Style::kStrongswan:
      return f == EpisodeFilter::kCollision || f == EpisodeFilter::kCantFindSa;
    case Style::kCiscoAsa:
      return f == EpisodeFilter::kOutage || f == EpisodeFilter::kTunnelReset;
    case Style::kLibreswan:
      return f == EpisodeFilter::kCantFindSa;
    case Style::kCiscoIos:
      return f == EpisodeFilter::kOutage || f == EpisodeFilter::kTunnelReset;
    case Style::kJuniperSrx:
      return false;  // KMD_VPN_DOWN_ALARM_USER is read when present
  }
  return false;
}

void Durations::add(double v, const Evidence& e) {
  min_s = n == 0 ? v : std::min(min_s, v);
  max_s = n == 0 ? v : std::max(max_s, v);
  ++n;
  stats.add(v);
  if (lines.size() < 8) lines.push_back(e);
  if (values_s.size() < kMaxKept) {
    values_s.push_back(v);
    return;
  }
  // Reservoir sampling (Vitter's algorithm R) on a fixed-seed xorshift: the
  // same log gives the same sample.
  sampler ^= sampler << 13;
  sampler ^= sampler >> 7;
  sampler ^= sampler << 17;
  const std::uint64_t slot = sampler % n;
  if (slot < kMaxKept) values_s[slot] = v;
}

void Durations::merge(const Durations& o) {
  if (o.n == 0) return;
  min_s = n == 0 ? o.min_s : std::min(min_s, o.min_s);
  max_s = n == 0 ? o.max_s : std::max(max_s, o.max_s);
  n += o.n;
  stats.merge(o.stats);
  for (const Evidence& e : o.lines) {
    if (lines.size() < 8) lines.push_back(e);
  }
  for (double v : o.values_s) {
    if (values_s.size() < kMaxKept) values_s.push_back(v);
  }
}

bool shows_sa_lifecycle(Style style) {
  switch (style) {
    case Style::kStrongswan:
      return true;
    default:
      // PAN-OS, ASA and pluto log installs and deletes but not which SA a new
      // one replaces at their default levels (no REKEY_SA SPI): the classifier
      // cannot tell a left-over SA from a rekey, so the round trip found 0
      // where the simulation had 12. IOS and kmd log no per-SA delete.
      return false;
  }
}

bool one_log_shows_every_collision(Style style) {
  return style != Style::kPanos;
}

bool shows_soft_expiry(Style style) {
  return style == Style::kPanos;
}

bool shows_child_rekeys(Style style) {
  return style != Style::kCiscoIos;
}

double Durations::median() const {
  if (values_s.empty()) return 0;
  std::vector<double> v = values_s;
  std::sort(v.begin(), v.end());
  const std::size_t k = v.size();
  return k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
}

sim::Interval Durations::mean_ci95() const {
  return stats.ci95();
}

double Durations::sd() const {
  return n > 1 ? std::sqrt(stats.variance()) : 0;
}

struct Analyser::State {
  Style styles[2];
  bool two = false;
  // The records of the current instant (one-sided crossings look ahead in it).
  std::vector<std::pair<TraceRecord, Evidence>> group;
  std::vector<std::pair<TraceRecord, Evidence>> extra;
  std::optional<OneSidedCrossings> crossings;           // one log only
  std::optional<SoftExpiryCrossings> expiry_crossings;  // two logs showing soft expiries
  std::size_t peak = 0;

  // Episodes: the classifier per kind, the marks of the last second (an
  // episode's lines start 1 s before its onset), episodes whose kEpisodeGap
  // is still running, and the requests sent in the last 20 s (a crossing's
  // kind from both logs looks 5 s back from its onset).
  std::vector<trace::EpisodeFinder> finders;
  bool marked[std::size(kKinds)] = {};
  struct Mark {
    sim::SimTime time;
    Evidence where;
    const char* collision;  // kCollisionDetected's kind, else nullptr
  };
  std::deque<Mark> recent[std::size(kKinds)];
  std::vector<Episode> running[std::size(kKinds)];
  struct SentRequest {
    sim::SimTime time;
    bool rekey;
    bool esp_delete;
  };
  std::deque<SentRequest> sent;
  Timeline tl;
  std::uint64_t counts[std::size(kKinds)] = {};
  // redundant_sas: `run`'s own classifier over the log's records (O(1) memory).
  std::unique_ptr<models::world::OutcomeClassifier> classifier =
      std::make_unique<models::world::OutcomeClassifier>();
  sim::SimTime last_time{};

  // Child and IKE SA rekeys.
  Pairs pairs;
  RecentKeys requested, expired;
  std::optional<sim::SimTime> last_request_point, last_expiry_point, last_install,
      last_install_point, last_ike;
  std::uint64_t request_points = 0, expiry_points = 0, install_points = 0;
  Durations by_request, by_expiry, by_install;
  // One PAN-OS log: every SA generation, whoever rekeyed it (generation()).
  std::optional<sim::SimTime> last_generation, last_generation_event, own_expiry;
  std::uint64_t generation_points = 0;
  Durations by_generation;
  RecentKeys generation_spis;  // SPIs (either half) of SAs already a point

  // One-way latency, per peer (the timestamps' step is known only at the end).
  struct Pending {
    sim::SimTime sent;
    std::uint32_t mid;
    models::ExchangeType exchange;
    bool esp_delete;
    bool retransmitted;
  };
  std::vector<Pending> pending[2];
  // PAN-OS: soft expiries (inbound SPI, time; the last few) and the last
  // soft expiry -> DELETE gap, the rekey exchange's round trip.
  std::deque<std::pair<std::uint32_t, sim::SimTime>> soft_expiry[2];
  std::optional<sim::SimTime> rekey_round_trip[2];
  Durations gaps[2];
  bool gap_seen[2] = {false, false};

  std::size_t held() const {
    std::size_t h = group.size() + sent.size() + pending[0].size() + pending[1].size();
    for (const auto& r : recent) h += r.size();
    for (const auto& r : running) h += r.size();
    return h;
  }

  void close_episode(std::size_t k, Episode e) {
    if (kKinds[k] == EpisodeFilter::kCollision && e.detail.empty()) {
      // A crossing the classifier found from both logs: the kinds of the two requests.
      int rekeys = 0, deletes = 0;
      for (const SentRequest& q : sent) {
        if (q.time < e.time - sim::seconds(5) || q.time > e.time) continue;
        rekeys += q.rekey;
        deletes += q.esp_delete;
      }
      e.detail = deletes == 0  ? "simultaneous_child_rekey"
                 : rekeys == 0 ? "crossing_delete"
                               : "rekey_vs_delete";
    }
    std::sort(e.lines.begin(), e.lines.end(), [](const Evidence& x, const Evidence& y) {
      return std::pair(x.peer, x.line) < std::pair(y.peer, y.line);
    });
    if (tl.episodes.size() < Timeline::kMaxEpisodes) {
      tl.episodes.push_back(std::move(e));
    } else {
      ++tl.episodes_not_listed;
    }
  }

  // Episodes whose window ended before `now` are complete.
  void close_until(sim::SimTime now, bool all) {
    for (std::size_t k = 0; k < std::size(kKinds); ++k) {
      auto& run = running[k];
      while (!run.empty() && (all || now >= run.front().time + trace::kEpisodeGap)) {
        close_episode(k, std::move(run.front()));
        run.erase(run.begin());
      }
    }
  }

  // The first request (sent or received, by either peer) naming a Child SA
  // is one rekey; the interval runs between successive rekeys of the tunnel
  // whichever peer initiated them (see Timeline::child_interval).
  void rekey_point(std::uint32_t key, sim::SimTime t, const Evidence& e) {
    if (!requested.insert(key)) return;
    ++request_points;
    if (last_request_point) by_request.add((t - *last_request_point).seconds(), e);
    last_request_point = t;
  }

  // One PAN-OS log (no CREATE_CHILD_SA, only its own device's soft
  // expiries): each Child SA generation ends with its old SA deleted,
  // whoever started the rekey (RFC 7296 2.8: the initiator deletes the old
  // SA once the new one is in), so the peer's rekeys show as the DELETE this
  // device receives. A rekey point is a soft expiry here or an ESP DELETE
  // sent or received, unless it is one already counted: an SPI of an SA
  // already a point (its own soft expiry; the pair from the "Deleted SA"
  // banner), within 1 s of the last such record (the DELETEs of one
  // exchange, a crossing DELETE, a collision's redundant SA), or its own
  // DELETE ending the rekey its soft expiry started (30 s: a slow exchange;
  // a device that waits for the answer names no SA in it, read_panos.cpp).
  void generation(const TraceRecord& r, const Evidence& e) {
    if (two || !shows_soft_expiry(styles[idx(r.peer)])) return;
    if (r.spi_in != 0 && r.spi_out != 0 &&
        (generation_spis.contains(r.spi_in) || generation_spis.contains(r.spi_out))) {
      generation_spis.insert(r.spi_in);  // the banner ties the SA's halves
      generation_spis.insert(r.spi_out);
    }
    std::uint32_t spi = 0;  // an SPI of the SA the record names, 0 if none
    bool own_delete = false;
    if (r.kind == TraceKind::kRekeyStarted && r.sa_kind == models::SaKind::kChild &&
        r.spi_in != 0) {
      spi = r.spi_in;
    } else if (r.kind == TraceKind::kMessageSent && is_esp_delete(r.message) &&
               !r.message.is_response) {
      own_delete = true;
      spi = r.message.delete_count > 0 ? r.message.delete_spis[0] : 0;
    } else if (r.kind == TraceKind::kMessageReceived && is_esp_delete(r.message) &&
               !r.message.is_response) {
      spi = r.message.delete_spis[0];
    } else {
      return;
    }
    const bool seen = spi != 0 && generation_spis.contains(spi);
    const bool same_instant =
        last_generation_event && r.time - *last_generation_event < sim::seconds(1);
    last_generation_event = r.time;
    const bool ends_own = own_delete && own_expiry && r.time - *own_expiry <= sim::seconds(30);
    if (r.kind == TraceKind::kRekeyStarted) own_expiry = r.time;
    if (own_delete) own_expiry.reset();
    if (spi != 0) generation_spis.insert(spi);
    if (r.spi_in != 0 && r.spi_out != 0) generation_spis.insert(r.spi_out);
    if (seen || same_instant || ends_own) return;
    ++generation_points;
    if (last_generation) by_generation.add((r.time - *last_generation).seconds(), e);
    last_generation = r.time;
  }

  void process(const TraceRecord& r, const Evidence& e) {
    close_until(r.time, false);
    generation(r, e);
    if (r.kind == TraceKind::kMessageSent && !r.message.is_response &&
        (is_child_rekey_request(r.message) || is_esp_delete(r.message)))
      sent.push_back({r.time, is_child_rekey_request(r.message), is_esp_delete(r.message)});
    while (!sent.empty() && r.time - sent.front().time > sim::seconds(20)) sent.pop_front();

    for (std::size_t k = 0; k < std::size(kKinds); ++k) {
      const EpisodeFilter f = kKinds[k];
      const bool mark = marks(r, f);
      auto& back = recent[k];
      while (!back.empty() && back.front().time < r.time - sim::seconds(1)) back.pop_front();
      if (mark) {
        if (f != EpisodeFilter::kCollision) marked[k] = true;
        const char* kind = r.kind == TraceKind::kCollisionDetected
                               ? models::to_string(r.collision).data()
                               : nullptr;
        back.push_back({r.time, e, kind});
        for (Episode& ep : running[k]) {
          if (r.time >= ep.time + trace::kEpisodeGap) continue;
          if (f == EpisodeFilter::kCollision && ep.detail.empty() && kind) ep.detail = kind;
          if (ep.lines.size() < 6 && e.line != 0) ep.lines.push_back(e);
        }
      }
      if (const auto onset = finders[k].feed(r)) {
        ++counts[k];
        Episode ep{*onset, f, "", {}};
        for (const Mark& m : back) {
          if (m.time < *onset - sim::seconds(1)) continue;
          if (f == EpisodeFilter::kCollision && ep.detail.empty() && m.collision)
            ep.detail = m.collision;
          if (ep.lines.size() < 6 && m.where.line != 0) ep.lines.push_back(m.where);
        }
        running[k].push_back(std::move(ep));
      }
    }

    // Child SA rekeys: the distinct SAs named by REKEY_SA requests, the time
    // of the first request for each; else the new SAs installed.
    pairs.learn(r);
    if (r.kind == TraceKind::kMessageSent && is_child_rekey_request(r.message)) {
      ++tl.rekey_requests[idx(r.peer)];
      if (r.message.has_ke) {
        ++tl.pfs_requests[idx(r.peer)];
        if (tl.pfs_lines[idx(r.peer)].size() < 4) tl.pfs_lines[idx(r.peer)].push_back(e);
      }
      if (tl.initiator_lines.size() < 8) tl.initiator_lines.push_back(e);
      rekey_point(pairs.key(r.peer, r.message.notify_spi), r.time, e);
    }
    // A rekey request received: the other peer initiated. With one log this
    // is the only trace of the rekeys the log's peer answered (strongSwan
    // logs "parsed CREATE_CHILD_SA request N [ N(REKEY_SA) ... ]"); with two,
    // the sender's log shows the request too and the key dedups it. The
    // REKEY_SA SPI is the sender's inbound SPI, so the key is the sender's.
    if (r.kind == TraceKind::kMessageReceived && is_child_rekey_request(r.message) &&
        r.message.notify_spi != 0) {
      const PeerId from = r.peer == PeerId::kA ? PeerId::kB : PeerId::kA;
      if (!two) {
        ++tl.rekey_requests[idx(from)];
        if (r.message.has_ke) {
          ++tl.pfs_requests[idx(from)];
          if (tl.pfs_lines[idx(from)].size() < 4) tl.pfs_lines[idx(from)].push_back(e);
        }
        if (tl.initiator_lines.size() < 8) tl.initiator_lines.push_back(e);
      }
      rekey_point(pairs.key(from, r.message.notify_spi), r.time, e);
    }
    // No rekey request logged (PAN-OS at its default level): the kernel's
    // soft expiry starts each rekey a device initiates, so each SA
    // soft-expired is one rekey. Both peers' expiries of one SA are one
    // (RFC 7296 2.8: one SA, one rekey, whoever wins): the expiry record's
    // outbound SPI, from the SA's "Deleted SA" banner, gives the key.
    if (r.kind == TraceKind::kRekeyStarted && r.sa_kind == models::SaKind::kChild &&
        r.spi_in != 0 && shows_soft_expiry(styles[idx(r.peer)])) {
      ++tl.soft_expiries[idx(r.peer)];
      if (tl.initiator_lines.size() < 8) tl.initiator_lines.push_back(e);
    }
    if (r.kind == TraceKind::kRekeyStarted && r.sa_kind == models::SaKind::kChild &&
        r.spi_in != 0 && shows_soft_expiry(styles[idx(r.peer)]) &&
        expired.insert(pairs.key(r.peer, r.spi_in))) {
      ++expiry_points;
      if (last_expiry_point) by_expiry.add((r.time - *last_expiry_point).seconds(), e);
      last_expiry_point = r.time;
    }
    // Rekey requests not logged: each new inbound SA of the first log (a second
    // one within 1 s, a collision's redundant SA, is not a new rekey). One
    // log alone may be peer B's (--peer b): its records are all B's.
    if (r.kind == TraceKind::kChildSaInstalled && (r.peer == PeerId::kA || !two) &&
        !(last_install && r.time - *last_install < sim::seconds(1))) {
      last_install = r.time;
      ++install_points;
      if (last_install_point) by_install.add((r.time - *last_install_point).seconds(), e);
      last_install_point = r.time;
    }
    if (r.kind == TraceKind::kIkeSaRekeyed && (r.peer == PeerId::kA || !two)) {
      ++tl.ike_rekeys;
      if (last_ike) tl.ike_interval.add((r.time - *last_ike).seconds(), e);
      last_ike = r.time;
    }

    // One-way latency: half of each request -> response gap in one peer's log
    // (a request retransmitted is left out: its response may answer either copy).
    // One log is either peer's (--peer b): its records are all that peer's.
    const std::size_t p = idx(r.peer);
    auto& pend = pending[p];
    const bool panos = styles[p] == Style::kPanos;
    if (panos && r.kind == TraceKind::kRekeyStarted && r.spi_in != 0) {
      soft_expiry[p].push_back({r.spi_in, r.time});
      if (soft_expiry[p].size() > 16) soft_expiry[p].pop_front();
    }
    if (r.kind == TraceKind::kMessageSent && !r.message.is_response) {
      pend.push_back(
          {r.time, r.message.message_id, r.message.exchange, is_esp_delete(r.message), false});
      // ikemgr logs no CREATE_CHILD_SA, but the soft expiry starts the
      // rekey request and the DELETE of the old SA goes out when its
      // response is in (RFC 7296 2.8): expiry -> DELETE of that SA is one
      // request -> response gap (a lost request retransmitted lengthens it:
      // the log shows no retransmission).
      if (panos && is_esp_delete(r.message)) {
        for (const auto& [spi, at] : soft_expiry[p]) {
          if (spi != r.message.delete_spis[0] || r.time - at > sim::seconds(30)) continue;
          gap_seen[p] = true;
          gaps[p].add((r.time - at).seconds() / 2, e);
          rekey_round_trip[p] = r.time - at;
        }
      }
    } else if (r.kind == TraceKind::kRetransmit) {
      for (auto& q : pend) q.retransmitted |= q.mid == r.message.message_id;
    } else if (r.kind == TraceKind::kMessageReceived) {
      // PAN-OS logs neither the message ID nor the kind of what it receives:
      // the first DELETE back after its own DELETE is taken as the answer,
      // unless it came sooner than half the rekey round trip just seen (the
      // soft expiry -> DELETE above): then it is the peer's own DELETE that
      // crossed ours (sent before ours arrived), not the answer, which comes
      // a round trip later (e.g. 1 ms after our DELETE for a 32 ms round
      // trip). With no rekey in the log (the KB excerpt) nothing tells.
      if (panos || r.message.is_response) {
        for (auto q = pend.begin(); q != pend.end(); ++q) {
          const bool too_soon =
              panos && rekey_round_trip[p] && (r.time - q->sent) * 2 < *rekey_round_trip[p];
          const bool same =
              panos ? q->esp_delete && is_esp_delete(r.message) && !too_soon
                    : q->mid == r.message.message_id && q->exchange == r.message.exchange;
          if (!same) continue;
          gap_seen[p] = true;
          if (!q->retransmitted && r.time - q->sent <= sim::seconds(30))
            gaps[p].add((r.time - q->sent).seconds() / 2, e);
          pend.erase(q);
          break;
        }
      }
    }
    std::erase_if(pend, [&](const Pending& q) { return r.time - q.sent > sim::seconds(60); });
  }

  void flush_group() {
    if (group.empty()) return;
    extra.clear();
    if (crossings) crossings->feed(group, extra);
    if (expiry_crossings) expiry_crossings->feed(group, extra);
    for (const auto& [r, e] : group) {
      classifier->record(r);
      last_time = r.time;
      process(r, e);
    }
    for (const auto& [r, e] : extra) process(r, e);
    group.clear();
  }
};

Analyser::Analyser(Style style_a, std::optional<Style> style_b) : s_(std::make_unique<State>()) {
  s_->styles[0] = style_a;
  s_->styles[1] = style_b.value_or(style_a);
  s_->two = style_b.has_value();
  // With one log, crossings seen from its side are added as collision
  // records; with both, the classifier sees both requests itself -- unless
  // a log is PAN-OS: ikemgr names the SA a DELETE is for only in the
  // "Deleted SA" banner, which a device that waits for the answer writes
  // seconds later among others (read_panos.cpp), so that peer's DELETE
  // names no SA; the other side's can't-find-SA shows the crossing still.
  const bool panos = s_->styles[0] == Style::kPanos || s_->styles[1] == Style::kPanos;
  if (!s_->two || panos) s_->crossings.emplace(s_->styles);
  if (s_->two && shows_soft_expiry(s_->styles[0]) && shows_soft_expiry(s_->styles[1]))
    s_->expiry_crossings.emplace();
  for (EpisodeFilter f : kKinds) s_->finders.emplace_back(f);
}
Analyser::Analyser(Analyser&&) noexcept = default;
Analyser::~Analyser() = default;

void Analyser::feed(const TraceRecord& r, const Evidence& e) {
  if (!s_->group.empty() && s_->group.front().first.time != r.time) s_->flush_group();
  s_->group.push_back({r, e});
  s_->peak = std::max(s_->peak, s_->held());
}

std::size_t Analyser::peak_held() const {
  return s_->peak;
}

Timeline Analyser::finish(const sim::SimTime (&resolution)[2]) {
  State& s = *s_;
  s.flush_group();
  s.close_until({}, true);
  Timeline tl = std::move(s.tl);
  for (std::size_t k = 0; k < std::size(kKinds); ++k) {
    const EpisodeFilter f = kKinds[k];
    // A style's reader may also read a line its simulated twin never writes
    // (an ASA's %ASA-5-750007 "SA DOWN"): what the log holds is shown too.
    const bool visible = shows(s.styles[0], f) || (s.two && shows(s.styles[1], f)) || s.marked[k];
    if (!visible) continue;
    switch (f) {
      case EpisodeFilter::kCollision:
        tl.collisions = s.counts[k];
        break;
      case EpisodeFilter::kCantFindSa:
        tl.cant_find_sa = s.counts[k];
        break;
      case EpisodeFilter::kOutage:
        tl.outages = s.counts[k];
        break;
      default:
        tl.tunnel_resets = s.counts[k];
        break;
    }
  }
  s.classifier->finish(s.last_time);
  // An SA left over is one neither peer deleted: only both peers' logs, each
  // logging installs and deletes with SPIs, show it.
  if (s.two && shows_sa_lifecycle(s.styles[0]) && shows_sa_lifecycle(s.styles[1]))
    tl.redundant_sas = s.classifier->outcome().count(models::Outcome::kRedundantSas);
  std::stable_sort(tl.episodes.begin(), tl.episodes.end(),
                   [](const Episode& x, const Episode& y) { return x.time < y.time; });
  if (s.request_points > 0) {
    tl.child_rekeys = s.request_points;
    tl.child_interval = std::move(s.by_request);
    tl.child_rekeys_from = "distinct Child SAs named by REKEY_SA requests";
  } else if (!s.two && s.expiry_points > 0) {
    // Only where the log shows soft expiries (the KB excerpt, one DELETE
    // exchange and no expiry, keeps "0 installs" and no rate).

    tl.child_rekeys = s.generation_points;
    tl.child_interval = std::move(s.by_generation);
    tl.child_rekeys_from =
        "Child SA generations ended in this log, whichever peer rekeyed: its soft expiries "
        "(PFKEY_EXPIRE) and the DELETEs of old SAs it sent or received";
  } else if (s.expiry_points > 0) {
    tl.child_rekeys = s.expiry_points;
    tl.child_interval = std::move(s.by_expiry);
    // One log shows only its own device's expiries: the rekeys the peer
    // started first replaced the SA before it expired here.
    tl.child_rekeys_from = s.two ? "distinct Child SAs soft-expired in either log (PFKEY_EXPIRE)"
                                 : "Child SAs this device soft-expired (PFKEY_EXPIRE): the rekeys "
                                   "it started, not its peer's";
  } else if (s.install_points == 0 && !shows_child_rekeys(s.styles[0]) &&
             !(s.two && shows_child_rekeys(s.styles[1]))) {
    tl.child_rekeys_shown = false;
    tl.child_rekeys_from =
        "the log shows no REKEY_SA SPI, SA install or soft expiry (IOS prints CREATE_CHILD_SA "
        "payloads as ENCR)";
  } else {
    tl.child_rekeys = s.install_points;
    tl.child_interval = std::move(s.by_install);
    tl.child_rekeys_from = s.two ? "new inbound Child SAs installed (peer A's log)"
                                 : "new inbound Child SAs installed";
  }
  for (std::size_t p = 0; p < 2; ++p) {
    // On whole-second stamps a gap says nothing about milliseconds.
    if (resolution[p] >= sim::seconds(1)) {
      tl.one_way_below_resolution |= s.gap_seen[p];
    } else {
      tl.one_way.merge(s.gaps[p]);
    }
  }
  return tl;
}

Timeline analyse(const Merged& merged, Style style_a, std::optional<Style> style_b) {
  Analyser a(style_a, style_b);
  for (std::size_t i = 0; i < merged.records.size(); ++i)
    a.feed(merged.records[i], merged.evidence[i]);
  return a.finish(merged.resolution);
}

}  // namespace rekeysim::ingest
