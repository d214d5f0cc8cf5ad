// TraceBuffer, episode search and time windows.
#include <algorithm>
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

std::optional<LogStyle> parse_log_style(std::string_view text) {
  if (text == "plain") return LogStyle::kPlain;
  if (text == "panos") return LogStyle::kPanos;
  if (text == "strongswan") return LogStyle::kStrongswan;
  return std::nullopt;
}

std::string_view to_string(LogStyle style) {
  switch (style) {
    case LogStyle::kPlain:
      return "plain";
    case LogStyle::kPanos:
      return "panos";
    case LogStyle::kStrongswan:
      return "strongswan";
  }
  return "plain";
}

std::optional<EpisodeFilter> parse_episode_filter(std::string_view text) {
  if (text == "collision") return EpisodeFilter::kCollision;
  if (text == "cant_find_sa") return EpisodeFilter::kCantFindSa;
  if (text == "outage") return EpisodeFilter::kOutage;
  if (text == "tunnel_reset") return EpisodeFilter::kTunnelReset;
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
    default:
      return models::to_string(collision_of(filter));
  }
  return "collision";
}

void TraceBuffer::record(const TraceRecord& r) {
  if (from_ && r.time < *from_) return;
  if (to_ && r.time >= *to_) return;
  records_.push_back(r);
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
      open_[idx(r.peer)].push_back({key, r.message.message_id, r.message.ike_sa});
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
    if (r.spi_in != 0 && r.spi_out != 0) out_of_[idx(r.peer)][r.spi_in] = r.spi_out;
    if (r.new_spi_in != 0 && r.new_spi_out != 0) {
      out_of_[idx(r.peer)][r.new_spi_in] = r.new_spi_out;
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
  std::vector<Open> open_[2];
};

}  // namespace

std::optional<sim::SimTime> find_first(std::span<const TraceRecord> records, EpisodeFilter filter) {
  CrossingDetector crossing;
  for (const TraceRecord& r : records) {
    switch (filter) {
      case EpisodeFilter::kCollision:
        if (r.kind == TraceKind::kCollisionDetected) return r.time;
        if (auto t = crossing.feed(r)) return t;
        break;
      case EpisodeFilter::kCantFindSa:
        if (r.kind == TraceKind::kDeleteForUnknownSpi || r.kind == TraceKind::kRekeyForUnknownSpi) {
          return r.time;
        }
        break;
      case EpisodeFilter::kOutage:
        if (r.kind == TraceKind::kEspDropped) return r.time;
        break;
      case EpisodeFilter::kTunnelReset:
        if (r.kind == TraceKind::kTunnelDown) return r.time;
        break;
      default:
        if (r.kind == TraceKind::kCollisionDetected && r.collision == collision_of(filter)) {
          return r.time;
        }
        break;
    }
  }
  return std::nullopt;
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
