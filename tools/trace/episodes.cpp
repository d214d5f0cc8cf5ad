// TraceBuffer, episode search and time windows.
#include <algorithm>
#include <deque>
#include <map>
#include <vector>

#include "tools/trace/format_common.hpp"
#include "tools/trace/trace_views.hpp"

namespace rekeysim::trace {

using models::PeerId;
using models::TraceKind;
using models::TraceRecord;

namespace {

constexpr EpisodeFilter kCollisionFilters[] = {
    EpisodeFilter::kSimultaneousChildRekey, EpisodeFilter::kSimultaneousIkeRekey,
    EpisodeFilter::kRekeyVsDelete,          EpisodeFilter::kChildVsIkeRekey,
    EpisodeFilter::kCrossingDelete,         EpisodeFilter::kDeleteVsIkeRekey,
};

// The collision kind a specific filter selects; kNone for the general ones.
models::CollisionKind collision_of(EpisodeFilter f) {
  using models::CollisionKind;
  switch (f) {
    case EpisodeFilter::kSimultaneousChildRekey:
      return CollisionKind::kSimultaneousChildRekey;
    case EpisodeFilter::kSimultaneousIkeRekey:
      return CollisionKind::kSimultaneousIkeRekey;
    case EpisodeFilter::kRekeyVsDelete:
      return CollisionKind::kRekeyVsDelete;
    case EpisodeFilter::kChildVsIkeRekey:
      return CollisionKind::kChildVsIkeRekey;
    case EpisodeFilter::kCrossingDelete:
      return CollisionKind::kCrossingDelete;
    case EpisodeFilter::kDeleteVsIkeRekey:
      return CollisionKind::kDeleteVsIkeRekey;
    default:
      return CollisionKind::kNone;
  }
}

}  // namespace

namespace {
// In LogStyle enumerator order.
constexpr std::string_view kStyleNames[] = {"plain",     "panos",     "strongswan", "strongswan-6",
                                            "cisco-asa", "libreswan", "cisco-ios",  "juniper-srx"};
}  // namespace

std::span<const std::string_view> log_style_names() {
  return kStyleNames;
}

std::optional<LogStyle> parse_log_style(std::string_view text) {
  for (std::size_t i = 0; i < std::size(kStyleNames); ++i) {
    if (text == kStyleNames[i]) return static_cast<LogStyle>(i);
  }
  return std::nullopt;
}

std::string_view to_string(LogStyle style) {
  const auto i = static_cast<std::size_t>(style);
  return i < std::size(kStyleNames) ? kStyleNames[i] : "plain";
}

std::optional<EpisodeFilter> parse_episode_filter(std::string_view text) {
  if (text == "collision") return EpisodeFilter::kCollision;
  if (text == "cant_find_sa") return EpisodeFilter::kCantFindSa;
  if (text == "outage") return EpisodeFilter::kOutage;
  if (text == "tunnel_reset") return EpisodeFilter::kTunnelReset;
  if (text == "rekey") return EpisodeFilter::kRekey;
  if (text == "no_sa") return EpisodeFilter::kNoSa;
  if (text == "cleartext") return EpisodeFilter::kCleartext;
  if (text == "esp_link_down") return EpisodeFilter::kEspLinkDown;
  for (EpisodeFilter f : kCollisionFilters) {
    if (text == models::to_string(collision_of(f))) return f;
  }
  return std::nullopt;
}

std::string_view to_string(EpisodeFilter filter) {
  switch (filter) {
    case EpisodeFilter::kCollision:
      return "collision";
    case EpisodeFilter::kCantFindSa:
      return "cant_find_sa";
    case EpisodeFilter::kOutage:
      return "outage";
    case EpisodeFilter::kTunnelReset:
      return "tunnel_reset";
    case EpisodeFilter::kRekey:
      return "rekey";
    case EpisodeFilter::kNoSa:
      return "no_sa";
    case EpisodeFilter::kCleartext:
      return "cleartext";
    case EpisodeFilter::kEspLinkDown:
      return "esp_link_down";
    default:
      return models::to_string(collision_of(filter));
  }
  return "collision";
}

void TraceBuffer::record(const TraceRecord& r) {
  if (from_ && r.time < *from_) return;
  if (to_ && r.time >= *to_) return;
  if (records_.empty() || records_.back().time <= r.time) {
    records_.push_back(r);
    return;
  }
  const auto at = std::upper_bound(records_.begin(), records_.end(), r.time,
                                   [](sim::SimTime t, const TraceRecord& x) { return t < x.time; });
  records_.insert(at, r);
}

namespace {

std::size_t idx(PeerId p) {
  return static_cast<std::size_t>(p);
}

// Finds the first moment both peers had a request for the same Child SA in
// flight that the other had not yet received: two CREATE_CHILD_SA with
// REKEY_SA, a rekey and a DELETE, or two DELETEs (RFC 7296 2.8.1, 2.25.1, 1.4.1).
class CrossingDetector {
 public:
  std::optional<sim::SimTime> feed(const TraceRecord& r) {
    learn_pair(r);
    if (r.kind == TraceKind::kMessageSent && !r.message.is_response) {
      const std::uint32_t named = named_spi(r.message);
      if (named == 0) return std::nullopt;
      const std::uint32_t key = sa_key(r.peer, named);
      const PeerId other = models::other(r.peer);
      for (const auto& open : open_[idx(other)]) {
        if (open.key == key) return r.time;
      }
      auto& mine = open_[idx(r.peer)];
      // Bounded (see EpisodeFinder): with one peer's log the other's receipts never close them.
      if (mine.size() >= EpisodeFinder::kMaxOpenRequests) mine.erase(mine.begin());
      mine.push_back({key, r.message.message_id, r.message.ike_sa});
    } else if (r.kind == TraceKind::kMessageReceived && !r.message.is_response) {
      // The receiver has now seen the sender's request: it is no longer "in flight".
      auto& open = open_[idx(models::other(r.peer))];
      std::erase_if(open, [&](const Open& o) {
        return o.message_id == r.message.message_id && o.ike_sa == r.message.ike_sa;
      });
    }
    return std::nullopt;
  }

 private:
  struct Open {
    std::uint32_t key;
    std::uint32_t message_id;
    std::uint64_t ike_sa;
  };

  // The SPI a request names, as the sender's inbound SPI of the SA it acts on.
  static std::uint32_t named_spi(const models::Message& m) {
    if (detail::is_child_rekey_request(m)) return m.notify_spi;
    if (m.exchange == models::ExchangeType::kInformational && detail::has_esp_delete(m)) {
      return m.delete_spis[0];
    }
    return 0;
  }

  void learn_pair(const TraceRecord& r) {
    if (r.spi_in != 0 && r.spi_out != 0) remember(r.peer, r.spi_in, r.spi_out);
    if (r.new_spi_in != 0 && r.new_spi_out != 0) remember(r.peer, r.new_spi_in, r.new_spi_out);
  }

  // Bounded (see EpisodeFinder): the oldest pair is forgotten first.
  void remember(PeerId p, std::uint32_t in, std::uint32_t out) {
    auto& m = out_of_[idx(p)];
    if (m.insert_or_assign(in, out).second) {
      order_[idx(p)].push_back(in);
      if (order_[idx(p)].size() > EpisodeFinder::kMaxSaPairs) {
        m.erase(order_[idx(p)].front());
        order_[idx(p)].pop_front();
      }
    }
  }

  // Identifies an SA pair by A's inbound SPI (= B's outbound SPI).
  std::uint32_t sa_key(PeerId p, std::uint32_t inbound) const {
    if (p == PeerId::kA) return inbound;
    const auto& m = out_of_[idx(PeerId::kB)];
    auto it = m.find(inbound);
    if (it != m.end()) return it->second;
    // B's outbound unknown: look for the A-side pair whose outbound is B's inbound.
    for (const auto& [a_in, a_out] : out_of_[idx(PeerId::kA)]) {
      if (a_out == inbound) return a_in;
    }
    return inbound ^ 0x80000000u;  // unknown: never matches an A key by accident
  }

  std::map<std::uint32_t, std::uint32_t> out_of_[2];
  std::deque<std::uint32_t> order_[2];  // out_of_'s keys, oldest first
  std::vector<Open> open_[2];
};

}  // namespace

namespace {

// Whether record `r` marks an episode of kind `filter` (kRekey is decided
// over whole episodes in find_all()).
bool marks(const TraceRecord& r, EpisodeFilter filter, CrossingDetector& crossing,
           sim::SimTime& at) {
  at = r.time;
  switch (filter) {
    case EpisodeFilter::kCollision:
      if (r.kind == TraceKind::kCollisionDetected) return true;
      if (auto t = crossing.feed(r)) {
        at = *t;
        return true;
      }
      return false;
    case EpisodeFilter::kCantFindSa:
      return r.kind == TraceKind::kDeleteForUnknownSpi || r.kind == TraceKind::kRekeyForUnknownSpi;
    case EpisodeFilter::kOutage:
      return r.kind == TraceKind::kEspDropped;
    case EpisodeFilter::kTunnelReset:
      return r.kind == TraceKind::kTunnelDown;
    case EpisodeFilter::kRekey:
      return false;
    case EpisodeFilter::kNoSa:
      return r.kind == TraceKind::kEspNoSa;
    case EpisodeFilter::kCleartext:
      return r.kind == TraceKind::kEspCleartext;
    case EpisodeFilter::kEspLinkDown:
      return r.kind == TraceKind::kEspLinkDown;
    default:
      return r.kind == TraceKind::kCollisionDetected && r.collision == collision_of(filter);
  }
}

// Rekeys with no collision, can't-find-SA or outage within kEpisodeGap: the
// time of each such episode's first Child SA kRekeyStarted.
std::vector<sim::SimTime> clean_rekeys(std::span<const TraceRecord> records) {
  std::vector<sim::SimTime> trouble;
  for (EpisodeFilter f : {EpisodeFilter::kCollision, EpisodeFilter::kCantFindSa,
                          EpisodeFilter::kOutage, EpisodeFilter::kTunnelReset}) {
    const auto t = find_all(records, f);
    trouble.insert(trouble.end(), t.begin(), t.end());
  }
  std::vector<sim::SimTime> out;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const TraceRecord& r = records[i];
    if (r.kind != TraceKind::kRekeyStarted || r.sa_kind != models::SaKind::kChild) continue;
    if (!out.empty() && r.time - out.back() < kEpisodeGap) continue;
    bool quiet = true;
    for (sim::SimTime t : trouble) {
      if (t >= r.time - kEpisodeGap && t <= r.time + kEpisodeGap) quiet = false;
    }
    // Only a rekey that finished in the records counts as a normal rekey.
    bool completed = false;
    for (std::size_t j = i + 1; j < records.size() && records[j].time <= r.time + kEpisodeGap;
         ++j) {
      if (records[j].kind == TraceKind::kRekeyCompleted) completed = true;
    }
    if (quiet && completed) out.push_back(r.time);
  }
  return out;
}

}  // namespace

struct EpisodeFinder::State {
  EpisodeFilter filter;
  CrossingDetector crossing;
  std::optional<sim::SimTime> last;  // the last onset
};

EpisodeFinder::EpisodeFinder(EpisodeFilter filter)
    : s_(std::make_unique<State>(State{filter, {}, std::nullopt})) {}
EpisodeFinder::EpisodeFinder(EpisodeFinder&&) noexcept = default;
EpisodeFinder& EpisodeFinder::operator=(EpisodeFinder&&) noexcept = default;
EpisodeFinder::~EpisodeFinder() = default;

std::optional<sim::SimTime> EpisodeFinder::feed(const TraceRecord& r) {
  sim::SimTime at;
  if (!marks(r, s_->filter, s_->crossing, at)) return std::nullopt;
  // Marks closer than kEpisodeGap to the last onset are the same episode
  // (both peers log a collision, an outage lasts many packets).
  if (s_->last && at - *s_->last < kEpisodeGap) return std::nullopt;
  s_->last = at;
  return at;
}

std::vector<sim::SimTime> find_all(std::span<const TraceRecord> records, EpisodeFilter filter) {
  if (filter == EpisodeFilter::kRekey) return clean_rekeys(records);
  EpisodeFinder finder(filter);
  std::vector<sim::SimTime> out;
  for (const TraceRecord& r : records) {
    if (auto at = finder.feed(r)) out.push_back(*at);
  }
  return out;
}

std::optional<models::Outcome> counted_outcome(EpisodeFilter filter) {
  switch (filter) {
    case EpisodeFilter::kCollision:
      return models::Outcome::kCollisions;
    case EpisodeFilter::kCantFindSa:
      return models::Outcome::kCantFindSa;
    case EpisodeFilter::kOutage:
      return models::Outcome::kOutages;
    case EpisodeFilter::kTunnelReset:
      return models::Outcome::kTunnelResets;
    case EpisodeFilter::kNoSa:
      return models::Outcome::kNoSa;
    case EpisodeFilter::kCleartext:
      return models::Outcome::kCleartext;
    case EpisodeFilter::kEspLinkDown:
      return models::Outcome::kEspLinkDown;
    default:
      return std::nullopt;
  }
}

std::vector<sim::SimTime> OnsetCollector::episodes() const {
  std::vector<sim::SimTime> sorted = onsets_;
  std::sort(sorted.begin(), sorted.end());
  std::vector<sim::SimTime> out;
  for (sim::SimTime t : sorted) {
    if (!out.empty() && t - out.back() < kEpisodeGap) continue;
    out.push_back(t);
  }
  return out;
}

std::optional<sim::SimTime> find_first(std::span<const TraceRecord> records, EpisodeFilter filter) {
  return find_nth(records, filter, 1);
}

std::optional<sim::SimTime> find_nth(std::span<const TraceRecord> records, EpisodeFilter filter,
                                     std::uint64_t n) {
  if (n == 0) return std::nullopt;
  const auto all = find_all(records, filter);
  if (all.size() < n) return std::nullopt;
  return all[n - 1];
}

std::vector<TraceRecord> window(std::span<const TraceRecord> records, sim::SimTime center,
                                sim::SimTime half_width) {
  std::vector<TraceRecord> out;
  const sim::SimTime lo = center - half_width;
  const sim::SimTime hi = center + half_width;
  for (const TraceRecord& r : records) {
    if (r.time >= lo && r.time <= hi) out.push_back(r);
  }
  return out;
}

}  // namespace rekeysim::trace
