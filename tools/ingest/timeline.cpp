#include "tools/ingest/timeline.hpp"

#include <algorithm>
#include <cmath>
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
struct Pairs {
  std::map<std::uint32_t, std::uint32_t> out_of[2];
  void learn(const TraceRecord& r) {
    if (r.spi_in != 0 && r.spi_out != 0) out_of[idx(r.peer)][r.spi_in] = r.spi_out;
    if (r.new_spi_in != 0 && r.new_spi_out != 0) out_of[idx(r.peer)][r.new_spi_in] = r.new_spi_out;
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
// collision record. PAN-OS does not log whether a received DELETE is a
// request or its answer, so there only a DELETE that also found no SA
// (can't-find-SA at the same instant) counts.
std::vector<std::pair<TraceRecord, Evidence>> one_sided_crossings(const Merged& m,
                                                                  const Style styles[2]) {
  struct Open {
    std::uint32_t inbound;
    bool rekey;
    sim::SimTime sent;
    std::uint32_t message_id;
    models::ExchangeType exchange;
  };
  std::vector<Open> open[2];
  Pairs pairs;
  std::vector<std::pair<TraceRecord, Evidence>> out;
  const auto& recs = m.records;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const TraceRecord& r = recs[i];
    pairs.learn(r);
    auto& mine = open[idx(r.peer)];
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
    if (styles[idx(r.peer)] == Style::kPanos) {
      bool unknown = false;
      for (std::size_t j = i + 1; j < recs.size() && recs[j].time == r.time; ++j) {
        unknown |= recs[j].peer == r.peer && recs[j].kind == TraceKind::kDeleteForUnknownSpi &&
                   recs[j].spi_in == named;
      }
      if (!unknown) continue;
    }
    for (const Open& o : mine) {
      const auto it = pairs.out_of[idx(r.peer)].find(o.inbound);
      if (it == pairs.out_of[idx(r.peer)].end() || it->second != named) continue;
      const bool theirs_rekey = is_child_rekey_request(r.message);
      TraceRecord c = r;
      c.kind = TraceKind::kCollisionDetected;
      c.collision = o.rekey && theirs_rekey     ? models::CollisionKind::kSimultaneousChildRekey
                    : !o.rekey && !theirs_rekey ? models::CollisionKind::kCrossingDelete
                                                : models::CollisionKind::kRekeyVsDelete;
      c.spi_in = o.inbound;
      c.spi_out = named;
      out.push_back({c, m.evidence[i]});
      break;
    }
  }
  return out;
}

void add_value(Durations& d, double v, const Evidence& e) {
  d.values_s.push_back(v);
  if (d.lines.size() < 8) d.lines.push_back(e);
}

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

double Durations::median() const {
  if (values_s.empty()) return 0;
  std::vector<double> v = values_s;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

sim::Interval Durations::mean_ci95() const {
  sim::RunningMean m;
  for (double v : values_s) m.add(v);
  return m.ci95();
}

double Durations::sd() const {
  sim::RunningMean m;
  for (double v : values_s) m.add(v);
  return values_s.size() > 1 ? std::sqrt(m.variance()) : 0;
}

Timeline analyse(const Merged& merged, Style style_a, std::optional<Style> style_b) {
  const Style styles[2] = {style_a, style_b.value_or(style_a)};
  const bool two = style_b.has_value();
  // With one log, crossings seen from its side are added as collision
  // records (to a copy); with both, the classifier sees both requests itself.
  Merged with_crossings;
  const Merged* use = &merged;
  if (!two) {
    auto extra = one_sided_crossings(merged, styles);
    if (!extra.empty()) {
      with_crossings = merged;
      for (auto& [r, e] : extra) {
        auto& recs = with_crossings.records;
        const auto at =
            std::upper_bound(recs.begin(), recs.end(), r.time,
                             [](sim::SimTime t, const TraceRecord& x) { return t < x.time; });
        const auto k = at - recs.begin();
        recs.insert(at, r);
        with_crossings.evidence.insert(with_crossings.evidence.begin() + k, e);
      }
      use = &with_crossings;
    }
  }
  const Merged& m = *use;
  Timeline tl;
  for (EpisodeFilter f : kKinds) {
    // A style's reader may also read a line its simulated twin never writes
    // (an ASA's %ASA-5-750007 "SA DOWN"): what the log holds is shown too.
    const bool visible = shows(styles[0], f) || (two && shows(styles[1], f)) ||
                         std::any_of(m.records.begin(), m.records.end(), [&](const TraceRecord& r) {
                           return marks(r, f) && f != EpisodeFilter::kCollision;
                         });
    if (!visible) continue;
    const auto times = trace::find_all(m.records, f);
    switch (f) {
      case EpisodeFilter::kCollision:
        tl.collisions = times.size();
        break;
      case EpisodeFilter::kCantFindSa:
        tl.cant_find_sa = times.size();
        break;
      case EpisodeFilter::kOutage:
        tl.outages = times.size();
        break;
      default:
        tl.tunnel_resets = times.size();
        break;
    }
    for (sim::SimTime t : times) {
      Episode e{t, f, "", {}};
      for (std::size_t i = 0; i < m.records.size(); ++i) {
        const TraceRecord& r = m.records[i];
        if (r.time < t - sim::seconds(1) || r.time >= t + trace::kEpisodeGap) continue;
        if (!marks(r, f)) continue;
        if (f == EpisodeFilter::kCollision && e.detail.empty() &&
            r.kind == TraceKind::kCollisionDetected)
          e.detail = std::string(models::to_string(r.collision));
        if (e.lines.size() < 6 && m.evidence[i].line != 0) e.lines.push_back(m.evidence[i]);
      }
      if (f == EpisodeFilter::kCollision && e.detail.empty()) {
        // A crossing the classifier found from both logs: the kinds of the two requests.
        int rekeys = 0, deletes = 0;
        for (const TraceRecord& r : m.records) {
          if (r.kind != TraceKind::kMessageSent || r.time < t - sim::seconds(5) || r.time > t)
            continue;
          rekeys += is_child_rekey_request(r.message);
          deletes += is_esp_delete(r.message) && !r.message.is_response;
        }
        e.detail = deletes == 0  ? "simultaneous_child_rekey"
                   : rekeys == 0 ? "crossing_delete"
                                 : "rekey_vs_delete";
      }
      std::sort(e.lines.begin(), e.lines.end(), [](const Evidence& x, const Evidence& y) {
        return std::pair(x.peer, x.line) < std::pair(y.peer, y.line);
      });
      tl.episodes.push_back(std::move(e));
    }
  }
  std::stable_sort(tl.episodes.begin(), tl.episodes.end(),
                   [](const Episode& x, const Episode& y) { return x.time < y.time; });

  // Child SA rekeys: the distinct SAs named by REKEY_SA requests, the time
  // of the first request for each; else the new SAs installed.
  Pairs pairs;
  std::map<std::uint32_t, std::size_t> first_request;  // SA key -> record index
  std::vector<std::size_t> ike_points;
  for (std::size_t i = 0; i < m.records.size(); ++i) {
    const TraceRecord& r = m.records[i];
    pairs.learn(r);
    if (r.kind == TraceKind::kMessageSent && is_child_rekey_request(r.message)) {
      ++tl.rekey_requests[idx(r.peer)];
      if (r.message.has_ke) {
        ++tl.pfs_requests[idx(r.peer)];
        if (tl.pfs_lines[idx(r.peer)].size() < 4)
          tl.pfs_lines[idx(r.peer)].push_back(m.evidence[i]);
      }
      if (tl.initiator_lines.size() < 8) tl.initiator_lines.push_back(m.evidence[i]);
      first_request.emplace(pairs.key(r.peer, r.message.notify_spi), i);
    }
    if (r.kind == TraceKind::kIkeSaRekeyed && (r.peer == PeerId::kA || !two))
      ike_points.push_back(i);
  }
  std::vector<std::size_t> points;
  if (!first_request.empty()) {
    for (const auto& [key, i] : first_request) points.push_back(i);
    tl.child_rekeys_from = "distinct Child SAs named by REKEY_SA requests";
  } else {
    // Rekey requests not logged: each new inbound SA of the first log (a second
    // one within 1 s, a collision's redundant SA, is not a new rekey).
    std::optional<sim::SimTime> last;
    for (std::size_t i = 0; i < m.records.size(); ++i) {
      const TraceRecord& r = m.records[i];
      if (r.kind != TraceKind::kChildSaInstalled || r.peer != PeerId::kA) continue;
      if (last && r.time - *last < sim::seconds(1)) continue;
      last = r.time;
      points.push_back(i);
    }
    // The first SA of the log is the one being rekeyed only if it is not the
    // tunnel's first: without a tunnel-up line every install is a rekey.
    tl.child_rekeys_from = "new inbound Child SAs installed (peer A's log)";
  }
  std::sort(points.begin(), points.end());
  tl.child_rekeys = points.size();
  for (std::size_t k = 1; k < points.size(); ++k) {
    add_value(tl.child_interval,
              (m.records[points[k]].time - m.records[points[k - 1]].time).seconds(),
              m.evidence[points[k]]);
  }
  tl.ike_rekeys = ike_points.size();
  for (std::size_t k = 1; k < ike_points.size(); ++k) {
    add_value(tl.ike_interval,
              (m.records[ike_points[k]].time - m.records[ike_points[k - 1]].time).seconds(),
              m.evidence[ike_points[k]]);
  }

  // One-way latency: half of each request -> response gap in one peer's log
  // (a request retransmitted is left out: its response may answer either copy).
  for (PeerId p : {PeerId::kA, PeerId::kB}) {
    if (p == PeerId::kB && !two) break;
    struct Pending {
      sim::SimTime sent;
      std::uint32_t mid;
      models::ExchangeType exchange;
      bool esp_delete;
      bool retransmitted;
    };
    std::vector<Pending> pending;
    for (std::size_t i = 0; i < m.records.size(); ++i) {
      const TraceRecord& r = m.records[i];
      if (r.peer != p) continue;
      if (r.kind == TraceKind::kMessageSent && !r.message.is_response) {
        pending.push_back(
            {r.time, r.message.message_id, r.message.exchange, is_esp_delete(r.message), false});
      } else if (r.kind == TraceKind::kRetransmit) {
        for (auto& q : pending) q.retransmitted |= q.mid == r.message.message_id;
      } else if (r.kind == TraceKind::kMessageReceived) {
        // PAN-OS logs neither the message ID nor the kind of what it receives:
        // the first DELETE back after its own DELETE is taken as the answer.
        const bool panos = styles[idx(p)] == Style::kPanos;
        if (!panos && !r.message.is_response) continue;
        for (auto q = pending.begin(); q != pending.end(); ++q) {
          const bool same =
              panos ? q->esp_delete && is_esp_delete(r.message)
                    : q->mid == r.message.message_id && q->exchange == r.message.exchange;
          if (!same) continue;
          // On whole-second stamps a gap says nothing about milliseconds.
          if (m.resolution[idx(p)] >= sim::seconds(1)) {
            tl.one_way_below_resolution = true;
          } else if (!q->retransmitted && r.time - q->sent <= sim::seconds(30)) {
            add_value(tl.one_way, (r.time - q->sent).seconds() / 2, m.evidence[i]);
          }
          pending.erase(q);
          break;
        }
      }
      std::erase_if(pending, [&](const Pending& q) { return r.time - q.sent > sim::seconds(60); });
    }
  }
  return tl;
}

}  // namespace rekeysim::ingest
