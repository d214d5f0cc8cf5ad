// One direction of the network between the two peers: latency, loss and
// reordering of IKE messages (and of ESP packets, which models/world/esp_flow
// treats in closed form), and scheduled link-down windows.
//
// Link-down windows (LinkConfig::down). A packet, IKE or ESP, is lost when it
// is sent while the link is down, whatever its kind or the loss draws; one
// sent before the window opened is already on its way and arrives. So the
// fate of a packet depends only on its send time, exactly as for ESP counted
// in closed form, and a lost IKE request is recovered by the sender's own
// retransmission schedule (RFC 7296 2.4) or not at all.
#pragma once

#include <cstdint>
#include <optional>

#include "models/config.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"

namespace models::world {

// The range a drawn one-way delay is kept in. Unbounded distributions are cut
// where the tail probability is negligible (normal: mean +- 8 sd, ~1e-15;
// lognormal: median * e^(+-8 sigma); exponential: 40 means, e^-40 ~ 4e-18), so
// ESP accounting can tell when every packet sent before some time has arrived.
struct DelayBounds {
  SimTime lo{};
  SimTime hi{};
  bool fixed() const { return lo == hi; }
};
DelayBounds delay_bounds(const sim::DurationDist& d);

// One occurrence of a link-down window: [start, end).
struct DownSpan {
  SimTime start{};
  SimTime end{};
};

class Link {
 public:
  // `down_seed` draws the jitter of periodic link-down windows (one value per
  // trial; the same for both directions, so one bounce downs both).
  explicit Link(const LinkConfig& config, std::uint64_t down_seed = 0);

  // The fate of one message sent now: nullopt when the network loses it,
  // otherwise its one-way transit delay (latency, plus reorder_delay for a
  // message held back with probability `reorder`).
  std::optional<SimTime> transit(sim::Rng& rng) const;
  // Transit delay of a message known to arrive (no loss draw); always within
  // bounds().
  SimTime delay(sim::Rng& rng) const;
  // Whether an IKE message is lost (one Bernoulli draw with ike_loss(); no
  // draw when it is 0).
  bool lost(sim::Rng& rng) const;
  // The same for an ESP packet (esp_loss()).
  bool esp_lost(sim::Rng& rng) const;

  // Whether a packet sent at `t` is lost to a link-down window.
  bool down_at(SimTime t) const;
  // The first link-down occurrence that ends after `t` (it may already have
  // begun), or nullopt when the link stays up from t on. O(number of windows).
  std::optional<DownSpan> next_down(SimTime t) const;
  bool has_down_windows() const { return !config_.down.empty(); }

  // Every transit delay lies in [bounds().lo, bounds().hi].
  const DelayBounds& bounds() const { return bounds_; }
  // Loss probability of IKE messages and of ESP packets (LinkConfig::loss
  // unless ike_loss / esp_loss override it).
  double ike_loss() const { return config_.ike_loss.value_or(config_.loss); }
  double esp_loss() const { return config_.esp_loss.value_or(config_.loss); }
  const LinkConfig& config() const { return config_; }

 private:
  // Start of occurrence k of periodic window i.
  SimTime occurrence(std::size_t i, std::int64_t k) const;

  LinkConfig config_;
  std::uint64_t down_seed_;
  DelayBounds latency_;  // of the latency distribution alone
  DelayBounds bounds_;   // including reorder_delay when reordering is possible
};

}  // namespace models::world
