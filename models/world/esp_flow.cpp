#include "models/world/esp_flow.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace models::world {

namespace {
// a - b without wrapping around for the "never" time SimTime::max().
SimTime sat_sub(SimTime a, SimTime b) {
  return a == SimTime::max() ? a : a - b;
}
}  // namespace

EspFlow::EspFlow(const FlowConfig& flow, const Link& link, sim::Rng rng, PeerId receiver,
                 TraceSink* drops, std::optional<SimTime> phase, NoSaPolicy no_sa)
    : rate_(flow.rate_pps),
      poisson_(flow.poisson),
      link_(&link),
      rng_(rng),
      receiver_(receiver),
      drops_(drops),
      // Seeded from a copy of `rng`: rng_'s own sequence is untouched.
      onset_rng_(sim::mix_seed(sim::Rng(rng).next(), 0x6f6e736574 /* "onset" */)),
      no_sa_policy_(no_sa) {
  segments_.reserve(8);
  acceptance_.reserve(8);
  segments_.push_back(Segment{SimTime{}, 0});
  if (rate_ > 0 && !poisson_) {
    // Random phase: the first packet leaves at U[0, period).
    const PacketLattice unit(rate_, SimTime{});
    const auto period_ns = static_cast<std::uint64_t>(unit.time_of(1).ns());
    if (!phase) {
      phase = sim::nanoseconds(
          period_ns > 0 ? static_cast<std::int64_t>(rng_.uniform_int(period_ns)) : 0);
    }
    lattice_ = PacketLattice(rate_, *phase);
  }
}

void EspFlow::set_outbound(SimTime at, std::uint32_t spi) {
  at = std::max(at, settled_);
  Segment& last = segments_.back();
  if (last.spi == spi) return;
  if (last.start == at) {
    last.spi = spi;
    if (segments_.size() >= 2 && segments_[segments_.size() - 2].spi == spi) segments_.pop_back();
    return;
  }
  segments_.push_back(Segment{at, spi});
}

void EspFlow::set_inbound(SimTime at, std::uint32_t spi, bool accepted) {
  for (Acceptance& a : acceptance_) {
    if (a.spi != spi) continue;
    if (accepted) {
      a.until = SimTime::max();
    } else if (a.until == SimTime::max()) {
      a.until = at;
      forget_from_ = std::min(forget_from_, at);
    }
    return;
  }
  if (accepted) acceptance_.push_back(Acceptance{spi, at, SimTime::max()});
  // An SPI removed that was never accepted: nothing to record, it is unknown anyway.
}

std::uint64_t EspFlow::lattice_before(SimTime t) {
  if (t != before_at_) {
    before_at_ = t;
    before_n_ = lattice_.before(t);
  }
  return before_n_;
}

std::uint64_t EspFlow::count(SimTime from, SimTime to) {
  if (to <= from) return 0;
  if (!poisson_) {
    const std::uint64_t first = lattice_before(from);
    return lattice_before(to) - first;
  }
  return draw_poisson(rng_, rate_ * (to - from).seconds());
}

bool EspFlow::packet_dropped(SimTime sent, SimTime acc_from, SimTime acc_until) {
  const SimTime arrival = sent + link_->delay(rng_);
  return arrival < acc_from || arrival >= acc_until;
}

std::uint64_t EspFlow::sample_uncertain(SimTime from, SimTime to, SimTime acc_from,
                                        SimTime acc_until) {
  const double keep = 1.0 - link_->esp_loss();
  std::uint64_t dropped = 0;
  if (!poisson_) {
    const std::uint64_t k1 = lattice_before(from);
    const std::uint64_t n = lattice_before(to) - k1;
    if (n <= kExactPackets) {
      for (std::uint64_t k = k1; k < k1 + n; ++k) {
        if (packet_dropped(lattice_.time_of(k), acc_from, acc_until) && !link_->esp_lost(rng_)) {
          ++dropped;
        }
      }
      return dropped;
    }
    for (std::uint64_t i = 0; i < kExactPackets; ++i) {
      const std::uint64_t s = k1 + n * i / kExactPackets;
      const std::uint64_t e = k1 + n * (i + 1) / kExactPackets;
      const std::uint64_t k = s + rng_.uniform_int(e - s);
      if (packet_dropped(lattice_.time_of(k), acc_from, acc_until)) {
        dropped += draw_binomial(rng_, e - s, keep);
      }
    }
    return dropped;
  }
  const std::uint64_t n = draw_poisson(rng_, rate_ * (to - from).seconds());
  sent_ += n;
  const auto width = static_cast<std::uint64_t>((to - from).ns());
  const std::uint64_t samples = std::min(n, kExactPackets);
  for (std::uint64_t i = 0; i < samples; ++i) {
    const SimTime t = from + sim::nanoseconds(static_cast<std::int64_t>(rng_.uniform_int(width)));
    const std::uint64_t weight = n * (i + 1) / samples - n * i / samples;
    if (!packet_dropped(t, acc_from, acc_until)) continue;
    dropped += weight == 1 ? (link_->esp_lost(rng_) ? 0 : 1) : draw_binomial(rng_, weight, keep);
  }
  return dropped;
}

SimTime EspFlow::first_packet(SimTime from, SimTime to, std::uint64_t n, std::uint64_t k) {
  if (!poisson_) return lattice_.time_of(k);
  // The earliest of n uniform send times: from + (to - from) (1 - U^(1/n)).
  // Drawn from onset_rng_ so that the counts (rng_) are those of a run
  // without a trace.
  const double u = std::pow(onset_rng_.uniform01(), 1.0 / static_cast<double>(n));
  const auto width = static_cast<double>((to - from).ns());
  const auto off = static_cast<std::int64_t>((1.0 - u) * width);
  return from + sim::nanoseconds(std::min(off, (to - from).ns() - 1));
}

void EspFlow::report(TraceKind kind, std::uint64_t n, std::uint32_t spi_out, SimTime from,
                     SimTime to, std::uint64_t k) {
  if (!drops_ || n == 0) return;
  TraceRecord r;
  r.time = first_packet(from, to, n, k);
  r.peer = other(receiver_);
  r.kind = kind;
  r.spi_out = spi_out;
  r.count = n;
  drops_->record(r);
}

void EspFlow::settle_without_sa(SimTime from, SimTime to) {
  const std::uint64_t k = poisson_ ? 0 : lattice_before(from);  // index of the first packet
  const std::uint64_t n = count(from, to);
  unsent_ += n;
  if (!had_sa_ || n == 0) return;
  if (no_sa_policy_ == NoSaPolicy::kClear) {
    cleartext_ += n;
    report(TraceKind::kEspCleartext, n, 0, from, to, k);
  } else {
    no_sa_ += n;
    report(TraceKind::kEspNoSa, n, 0, from, to, k);
  }
}

void EspFlow::settle_up(SimTime from, SimTime to, std::uint32_t spi) {
  if (spi == 0) {
    settle_without_sa(from, to);
  } else {
    settle_piece(from, to, spi);
  }
}

// [from, to) on one outbound SPI. Small enough to inline into advance():
// the usual span is one piece on a link that never goes down.
void EspFlow::settle_span(SimTime from, SimTime to, std::uint32_t spi) {
  if (spi != 0) had_sa_ = true;
  if (link_->has_down_windows()) {
    settle_around_down(from, to, spi);
  } else {
    settle_up(from, to, spi);
  }
}

// settle_span() split where the link goes down and up.
void EspFlow::settle_around_down(SimTime from, SimTime to, std::uint32_t spi) {
  while (from < to) {
    const auto down = link_->next_down(from);
    if (!down || down->start >= to) {
      settle_up(from, to, spi);
      return;
    }
    if (down->start > from) settle_up(from, down->start, spi);
    const SimTime s = std::max(from, down->start);
    const SimTime e = std::min(down->end, to);
    if (spi == 0) {
      settle_without_sa(s, e);  // no SA: never reaches the link
    } else {
      const std::uint64_t k = poisson_ ? 0 : lattice_before(s);
      const std::uint64_t n = count(s, e);
      if (poisson_) sent_ += n;
      link_down_ += n;
      report(TraceKind::kEspLinkDown, n, spi, s, e, k);
    }
    from = e;
  }
}

std::uint64_t EspFlow::settle_piece(SimTime from, SimTime to, std::uint32_t spi) {
  SimTime acc_from = SimTime::max();  // never accepted: every arrival is dropped
  SimTime acc_until = SimTime::max();
  for (const Acceptance& a : acceptance_) {
    if (a.spi == spi) {
      acc_from = a.from;
      acc_until = a.until;
      break;
    }
  }
  // The usual piece: every packet of it certainly arrives while the SPI is
  // accepted (what the cuts in settle_edges would find, without sorting them).
  // A constant-rate flow counts nothing here (sent() is closed-form); a
  // Poisson flow still draws the piece's count.
  if (from >= sat_sub(acc_from, link_->bounds().lo) &&
      to <= sat_sub(acc_until, link_->bounds().hi)) {
    if (poisson_) sent_ += count(from, to);
    return 0;
  }
  return settle_edges(from, to, spi, acc_from, acc_until);
}

std::uint64_t EspFlow::settle_edges(SimTime from, SimTime to, std::uint32_t spi, SimTime acc_from,
                                    SimTime acc_until) {
  const SimTime lo = link_->bounds().lo;
  const SimTime hi = link_->bounds().hi;
  const double keep = 1.0 - link_->esp_loss();
  // Split [from, to) where a packet's fate can change: before these points a
  // send time is certainly dropped / uncertain / certainly accepted.
  std::array<SimTime, 6> cuts = {from,
                                 std::clamp(sat_sub(acc_from, hi), from, to),
                                 std::clamp(sat_sub(acc_from, lo), from, to),
                                 std::clamp(sat_sub(acc_until, hi), from, to),
                                 std::clamp(sat_sub(acc_until, lo), from, to),
                                 to};
  // Insertion sort: six values, mostly in order already (std::sort's set-up
  // costs more than the sorting).
  for (std::size_t i = 1; i < cuts.size(); ++i) {
    const SimTime v = cuts[i];
    std::size_t j = i;
    for (; j > 0 && v < cuts[j - 1]; --j) cuts[j] = cuts[j - 1];
    cuts[j] = v;
  }
  std::uint64_t certain = 0;
  std::uint64_t sampled = 0;
  for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
    const SimTime x = cuts[i];
    const SimTime y = cuts[i + 1];
    if (y <= x) continue;
    // Classification of every send time in [x, y) (constant between cuts).
    const bool drop = x < sat_sub(acc_from, hi) || x >= sat_sub(acc_until, lo);
    const bool accept = x >= sat_sub(acc_from, lo) && x < sat_sub(acc_until, hi);
    if (drop) {
      const std::uint64_t n = count(x, y);
      if (poisson_) sent_ += n;
      certain += n;
    } else if (accept) {
      if (poisson_) sent_ += count(x, y);
    } else {
      sampled += sample_uncertain(x, y, acc_from, acc_until);
    }
  }
  const std::uint64_t dropped = draw_binomial(rng_, certain, keep) + sampled;
  if (dropped > 0) {
    dropped_ += dropped;
    if (drops_) {
      TraceRecord r;
      r.time = now_;
      r.peer = receiver_;
      r.kind = TraceKind::kEspDropped;
      r.spi_in = spi;
      r.count = dropped;
      drops_->record(r);
    }
  }
  return dropped;
}

void EspFlow::advance(SimTime now) {
  if (rate_ <= 0) return;
  now_ = std::max(now_, now);
  const SimTime horizon = now - link_->bounds().hi;
  if (horizon <= settled_) return;
  // Segment i covers [start_i, start_i+1); settle its part before the horizon.
  std::size_t i = 0;
  for (;; ++i) {
    const bool last = i + 1 == segments_.size() || segments_[i + 1].start >= horizon;
    const SimTime s = std::max(segments_[i].start, settled_);
    const SimTime e = last ? horizon : segments_[i + 1].start;
    if (s < e) settle_span(s, e, segments_[i].spi);
    if (last) break;
  }
  settled_ = horizon;
  // Forget segments that end before the horizon; keep the one covering it
  // (those before segment i all end before it).
  while (i + 1 < segments_.size() && segments_[i + 1].start <= settled_) ++i;
  if (i > 0) segments_.erase(segments_.begin(), segments_.begin() + static_cast<long>(i));
  // An SPI the receiver stopped accepting before settled + L_min drops every
  // later packet whether or not it is remembered, so forget it.
  const SimTime keep_after = settled_ + link_->bounds().lo;
  if (forget_from_ <= keep_after) {
    std::erase_if(acceptance_, [&](const Acceptance& a) {
      return a.until != SimTime::max() && a.until <= keep_after;
    });
    forget_from_ = SimTime::max();
    for (const Acceptance& a : acceptance_) {
      if (a.until != SimTime::max()) forget_from_ = std::min(forget_from_, a.until);
    }
  }
}

}  // namespace models::world
