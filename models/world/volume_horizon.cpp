#include "models/world/volume_horizon.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

namespace models::world {

namespace {

// Most packets a flow can count on one SA that lives `seconds` (true time).
double max_packets(const FlowConfig& f, double seconds) {
  if (f.rate_pps <= 0) return 0;
  return std::floor(f.rate_pps * (1 + 1e-6) * seconds) + 2;
}

// Packets after which `limit` (bytes or packets, 0 = none) is reached at its
// soft level (the earlier one), for packets of `size` bytes.
double packets_to(std::uint64_t limit, double margin, bool bytes, std::uint64_t size) {
  if (limit == 0) return std::numeric_limits<double>::infinity();
  // Peer::handle_traffic: soft = limit * (1 - volume_margin), truncated.
  double soft = std::floor(static_cast<double>(limit) * (1.0 - margin));
  if (!(soft > 0)) soft = 0;
  const double level = std::min(soft, static_cast<double>(limit));
  if (!bytes) return level;
  if (size == 0) return std::numeric_limits<double>::infinity();  // bytes never grow
  return std::ceil(level / static_cast<double>(size));
}

}  // namespace

bool volume_limit_reachable(const LifetimePolicy& child, double clock_error_ppm,
                            const FlowConfig& out, const FlowConfig& in) {
  if (child.lifetime_bytes == 0 && child.lifetime_packets == 0) return false;
  if (child.lifetime.ns() <= 0) return true;  // no hard time: an SA can live for ever
  // Peer::arm_child_timers: hard = round_to_tick(install + local_to_true(lifetime)).
  double seconds = child.lifetime.seconds() / (1.0 + clock_error_ppm * 1e-6);
  if (!(seconds > 0) || !std::isfinite(seconds)) return true;
  seconds += child.tick.seconds() + 1.0;
  const double m = child.volume_margin;
  const double out_packets = max_packets(out, seconds);
  const double in_packets = max_packets(in, seconds);
  // Each direction is counted on its own (bytes_out vs bytes_in, ...).
  for (const auto& [carried, size] :
       {std::pair{out_packets, out.size_bytes}, std::pair{in_packets, in.size_bytes}}) {
    if (carried >= packets_to(child.lifetime_packets, m, false, size)) return true;
    if (carried >= packets_to(child.lifetime_bytes, m, true, size)) return true;
  }
  return false;
}

}  // namespace models::world
