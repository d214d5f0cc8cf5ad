#include "models/world/link.hpp"

#include <algorithm>
#include <cmath>

namespace models::world {

namespace {
SimTime clamp_nonneg(double ns) {
  if (ns <= 0) return SimTime{};
  if (ns >= 9.0e18) return SimTime::max();
  return sim::nanoseconds(static_cast<std::int64_t>(std::llround(ns)));
}
}  // namespace

DelayBounds delay_bounds(const sim::DurationDist& d) {
  using Kind = sim::DurationDist::Kind;
  const double a = static_cast<double>(d.a.ns());
  const double b = static_cast<double>(d.b.ns());
  switch (d.kind) {
    case Kind::kConstant:
      return {clamp_nonneg(a), clamp_nonneg(a)};
    case Kind::kUniform:
      return {clamp_nonneg(std::min(a, b)), clamp_nonneg(std::max(a, b))};
    case Kind::kNormal:
      return {clamp_nonneg(a - 8 * b), clamp_nonneg(a + 8 * b)};
    case Kind::kLognormal:
      return {clamp_nonneg(a * std::exp(-8 * d.sigma)), clamp_nonneg(a * std::exp(8 * d.sigma))};
    case Kind::kExponential:
      return {SimTime{}, clamp_nonneg(40 * a)};
    case Kind::kEmpirical: {
      if (d.samples.empty()) return {};
      auto [lo, hi] = std::minmax_element(d.samples.begin(), d.samples.end());
      return {std::max(*lo, SimTime{}), std::max(*hi, SimTime{})};
    }
  }
  return {};
}

Link::Link(const LinkConfig& config, std::uint64_t down_seed)
    : config_(config),
      down_seed_(down_seed),
      latency_(delay_bounds(config.latency)),
      bounds_(latency_) {
  if (config_.reorder > 0 && config_.reorder_delay > SimTime{}) {
    bounds_.hi = latency_.hi + config_.reorder_delay;
  }
}

bool Link::lost(sim::Rng& rng) const {
  const double p = ike_loss();
  return p > 0 && rng.uniform01() < p;
}

bool Link::esp_lost(sim::Rng& rng) const {
  const double p = esp_loss();
  return p > 0 && rng.uniform01() < p;
}

SimTime Link::delay(sim::Rng& rng) const {
  SimTime d = config_.latency.kind == sim::DurationDist::Kind::kConstant
                  ? latency_.lo
                  : std::clamp(config_.latency.draw(rng), latency_.lo, latency_.hi);
  if (config_.reorder > 0 && rng.uniform01() < config_.reorder) d += config_.reorder_delay;
  return d;
}

// The jitter of an occurrence is a pure function of (trial seed, window,
// occurrence): no state, so any occurrence can be asked for in any order.
SimTime Link::occurrence(std::size_t i, std::int64_t k) const {
  const DownWindow& w = config_.down[i];
  SimTime s = w.at + w.every * k;
  if (w.jitter > SimTime{}) {
    sim::Rng rng(down_seed_ ^ (0x9E3779B97F4A7C15ULL * (i + 1)) ^
                 (0xD1B54A32D192ED03ULL * static_cast<std::uint64_t>(k + 1)));
    s += sim::nanoseconds(
        static_cast<std::int64_t>(rng.uniform_int(static_cast<std::uint64_t>(w.jitter.ns()))));
  }
  return s;
}

std::optional<DownSpan> Link::next_down(SimTime t) const {
  std::optional<DownSpan> best;
  for (std::size_t i = 0; i < config_.down.size(); ++i) {
    const DownWindow& w = config_.down[i];
    SimTime s = w.at;
    if (w.every > SimTime{}) {
      // Occurrences before k end by at + k * every + jitter + duration <= t;
      // duration + jitter < every keeps them in order, so the one sought is
      // k or one of the next two.
      const SimTime reach = w.at + w.jitter + w.duration;
      std::int64_t k = t < reach ? 0 : (t - reach).ns() / w.every.ns();
      s = occurrence(i, k);
      while (s + w.duration <= t) s = occurrence(i, ++k);
    } else if (s + w.duration <= t) {
      continue;  // a one-off window already over
    }
    if (!best || s < best->start) best = DownSpan{s, s + w.duration};
  }
  return best;
}

bool Link::down_at(SimTime t) const {
  if (config_.down.empty()) return false;
  const auto d = next_down(t);
  return d && d->start <= t;
}

std::optional<SimTime> Link::transit(sim::Rng& rng) const {
  if (lost(rng)) return std::nullopt;
  return delay(rng);
}

}  // namespace models::world
