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

Link::Link(const LinkConfig& config)
    : config_(config), latency_(delay_bounds(config.latency)), bounds_(latency_) {
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

std::optional<DownSpan> Link::next_down(SimTime t) const {
  std::optional<DownSpan> best;
  for (const DownWindow& w : config_.down) {
    SimTime s = w.at;
    if (w.every > SimTime{} && t >= w.at) {
      // The occurrence that began last at or before t, or the next one.
      s = w.at + w.every * ((t - w.at).ns() / w.every.ns());
      if (s + w.duration <= t) s += w.every;
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
