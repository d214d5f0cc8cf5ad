// One direction of ESP traffic (sender -> receiver) without an event per
// packet. The sender's outbound SPI and the receiver's accepted inbound SPIs are
// piecewise constant between SA changes; packets are counted per piece in
// closed form, and drops are computed only where a packet's SPI may not be
// accepted when it arrives (architecture principle 2).
//
// Model. Packets leave at a constant rate (a PacketLattice with a random phase)
// or as a Poisson process; packet sent at t on the sender's outbound SPI x
// (none: the packet is not sent) arrives at t + L, L drawn from the link's
// delay (latency plus reordering), and is lost with the link's loss
// probability. The receiver accepts x over one interval [from_x, until_x)
// (SPIs are never reused); a packet that arrives outside it is dropped: the
// kEspDropped record, the "can't find sa" for ESP.
//
// Settling. At time `now` every packet sent before now - L_max has arrived, and
// the receiver's state up to `now` is known, so those packets are settled:
//  - fixed latency L (no jitter, no reordering): the dropped send times are
//    exactly [.., from_x - L) and [until_x - L, ..), counted in closed form;
//  - random latency in [L_min, L_max]: send times with t + L_max < from_x or
//    t + L_min >= until_x are certainly dropped, those with t + L_min >= from_x
//    and t + L_max < until_x certainly accepted (both counted in closed form);
//    only the windows of width L_max - L_min around from_x and until_x are
//    uncertain. There each packet draws its own delay while the window holds at
//    most kExactPackets packets (exact); a busier window is split into
//    kExactPackets strata of consecutive packets and one random packet per
//    stratum stands for its stratum (unbiased, cost bounded whatever the rate).
// Lost packets never arrive, so they are not drops: certain drops are thinned
// by Binomial(n, 1 - loss), sampled packets by their own loss draw.
// A Poisson flow draws each piece's count as Poisson(rate * length).
// Drops are reported (kEspDropped, one record per settled piece with drops) at
// the time they were settled: no later than L_max after the last of them
// arrived, plus the wait for the next settle the world schedules.
//
// No SA. A packet sent while the sender has no outbound SA never reaches the
// link. Once the sender has had an outbound SA (the direction has been up, as
// for outages), such packets are counted per the sender's no_sa_policy:
// kEspNoSa (drop, trap) or kEspCleartext (clear), one record per settled
// piece, peer = the sender. Before the first SA the tunnel is still coming up
// and nothing is counted.
// Link down. A packet sent on an SA while the link is down (Link::down_at)
// is lost to the link: kEspLinkDown, peer = the sender, never a drop (the
// link's random loss is not drawn for it). Pieces are split at the window
// edges, so a flow on a link without windows draws exactly as before.
// kEspNoSa, kEspCleartext and kEspLinkDown records are stamped with the send
// time of the first packet they count (the onset, not the later settle that
// emits them; a Poisson flow's is drawn from a stream of its own, so counts
// do not depend on whether anyone listens), so they reach the sink later than
// records stamped after them.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "models/config.hpp"
#include "models/trace.hpp"
#include "models/world/counting.hpp"
#include "models/world/link.hpp"

namespace models::world {

class EspFlow {
 public:
  static constexpr std::uint64_t kExactPackets = 64;

  // `drops` receives the kEspDropped records (peer = receiver); may be null.
  // A constant-rate flow's first packet leaves at `phase`, drawn U[0, period)
  // from `rng` when not given.
  // `no_sa`: the sender's no_sa_policy.
  EspFlow(const FlowConfig& flow, const Link& link, sim::Rng rng, PeerId receiver, TraceSink* drops,
          std::optional<SimTime> phase = std::nullopt, NoSaPolicy no_sa = NoSaPolicy::kTrap);

  bool active() const { return rate_ > 0; }
  // SA changes, in time order (at >= every earlier change).
  void set_outbound(SimTime at, std::uint32_t spi);
  void set_inbound(SimTime at, std::uint32_t spi, bool accepted);
  // Settles every packet sent before now - L_max (see above).
  void advance(SimTime now);
  // When a change at `at` is fully settled: advance() at this time or later
  // accounts for every packet it can affect.
  SimTime settled_by(SimTime at) const { return at + link_->bounds().hi + sim::nanoseconds(1); }

  // Packets sent on some SA (settled). Every packet of a constant-rate flow
  // sent before settled() either went on an SA or is unsent(), so its count
  // is closed-form and the settle loop does not keep it (see sent_).
  std::uint64_t sent() const { return poisson_ ? sent_ : lattice_.before(settled_) - unsent_; }
  std::uint64_t dropped() const { return dropped_; }  // arrived for an SPI not accepted
  std::uint64_t unsent() const { return unsent_; }    // no outbound SA at the sender
  // Of unsent(), those counted (after the first SA): dropped / sent in clear.
  std::uint64_t no_sa() const { return no_sa_; }
  std::uint64_t cleartext() const { return cleartext_; }
  std::uint64_t link_down() const { return link_down_; }  // sent on an SA while the link was down
  SimTime settled() const { return settled_; }
  const PacketLattice& lattice() const { return lattice_; }

 private:
  struct Segment {
    SimTime start;
    std::uint32_t spi;
  };
  struct Acceptance {
    std::uint32_t spi;
    SimTime from;
    SimTime until;
  };
  std::uint64_t count(SimTime from, SimTime to);
  std::uint64_t lattice_before(SimTime t);
  void settle_span(SimTime from, SimTime to, std::uint32_t spi);
  void settle_around_down(SimTime from, SimTime to, std::uint32_t spi);
  void settle_up(SimTime from, SimTime to, std::uint32_t spi);
  void settle_without_sa(SimTime from, SimTime to);
  // Packet k (constant rate) or a drawn time (Poisson): the first of the n
  // packets sent in [from, to).
  SimTime first_packet(SimTime from, SimTime to, std::uint64_t n, std::uint64_t k);
  // One record of n packets sent in [from, to), stamped at the first of them.
  void report(TraceKind kind, std::uint64_t n, std::uint32_t spi_out, SimTime from, SimTime to,
              std::uint64_t k);
  std::uint64_t settle_piece(SimTime from, SimTime to, std::uint32_t spi);
  // settle_piece() when some packet of [from, to) may arrive outside
  // [acc_from, acc_until), the receiver's acceptance of spi.
  std::uint64_t settle_edges(SimTime from, SimTime to, std::uint32_t spi, SimTime acc_from,
                             SimTime acc_until);
  std::uint64_t sample_uncertain(SimTime from, SimTime to, SimTime acc_from, SimTime acc_until);
  bool packet_dropped(SimTime sent, SimTime acc_from, SimTime acc_until);

  double rate_;
  bool poisson_;
  const Link* link_;
  sim::Rng rng_;
  PeerId receiver_;
  TraceSink* drops_;
  sim::Rng onset_rng_;  // Poisson record times only
  PacketLattice lattice_;
  std::vector<Segment> segments_;       // sender's outbound SPI from each start; back() is current
  std::vector<Acceptance> acceptance_;  // receiver's inbound SPIs still relevant
  // At or before every finite until in acceptance_ (max: none): advance()
  // looks for SPIs to forget only once settled + L_min reaches it, not on
  // every settle.
  SimTime forget_from_ = SimTime::max();
  SimTime settled_{};
  SimTime now_{};
  std::uint64_t sent_ = 0;  // Poisson flows only (see sent())
  std::uint64_t dropped_ = 0;
  std::uint64_t unsent_ = 0;
  NoSaPolicy no_sa_policy_;
  bool had_sa_ = false;  // a piece on an outbound SA has been settled
  std::uint64_t no_sa_ = 0;
  std::uint64_t cleartext_ = 0;
  std::uint64_t link_down_ = 0;
  // The last lattice_.before() asked for: a count usually starts where the
  // previous one ended (pieces of one settle, and one settle after the other).
  SimTime before_at_{};
  std::uint64_t before_n_ = 0;  // lattice_.before(before_at_); 0 at time 0
};

}  // namespace models::world
