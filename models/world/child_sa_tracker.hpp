// Each peer's Child SA halves as the trace reports them: which SPIs a peer
// accepts inbound and which SPI it sends on. Both the ESP traffic model and the
// outcome classifier read SA state this way, from the trace alone, so they
// agree with every other view of the run (one stream, nothing counted twice).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "models/trace.hpp"

namespace models::world {

class ChildSaTracker {
 public:
  // Told about every change as it is applied.
  class Listener {
   public:
    virtual ~Listener() = default;
    // `peer` now sends on `spi` (0: it has no outbound SA).
    virtual void outbound_changed(PeerId peer, SimTime at, std::uint32_t spi) = 0;
    // `peer` starts (accepted) or stops accepting ESP on inbound `spi`.
    virtual void inbound_changed(PeerId peer, SimTime at, std::uint32_t spi, bool accepted) = 0;
  };

  ChildSaTracker();

  // Applies one record. Rules (the peer of the record is P):
  //   kChildSaInstalled  P accepts spi_in; P sends on spi_out if it had no outbound SA
  //   kOutboundSwitched  P sends on spi_out (RFC 7296 2.8: the initiator switches on
  //                      the response, the responder when its profile says)
  //   kOutboundRemoved   P's outbound half spi_out is gone
  //   kInboundRemoved    P no longer accepts spi_in
  //   kChildSaDeleted    both halves gone
  //   kTunnelDown        every Child SA of P is gone (RFC 7296 2.4: closing the IKE SA
  //                      closes its Child SAs)
  // When the SA P sends on loses its outbound half, P falls back to its newest
  // remaining outbound half (what a kernel does with several SAs for one policy),
  // or to none.
  void apply(const TraceRecord& r, Listener* listener = nullptr) {
    // Most records (messages sent and received) change no SA: decided here,
    // inline, without a call per record.
    if (changes_sa(r.kind)) apply_change(r, listener);
  }

  std::uint32_t outbound(PeerId p) const { return outbound_[idx(p)]; }
  // Inline: read twice per SA change (carries(), for each direction).
  bool accepts(PeerId p, std::uint32_t spi) const {
    for (const Half& h : halves_[idx(p)]) {
      if (h.spi_in == spi) return h.in_ok;
    }
    return false;
  }
  // Traffic from `sender` can reach the other peer: it has an outbound SA and
  // the other peer accepts that SPI.
  bool carries(PeerId sender) const {
    const std::uint32_t spi = outbound(sender);
    return spi != 0 && accepts(other(sender), spi);
  }
  // Changes whenever apply() was given a record that may change SA state, so
  // a reader can tell that nothing above can have changed since it last looked.
  std::uint64_t version() const { return version_; }
  // Child SA halves `p` holds (inbound or outbound still present).
  std::size_t size(PeerId p) const { return halves_[idx(p)].size(); }

 private:
  struct Half {
    std::uint32_t spi_in = 0;
    std::uint32_t spi_out = 0;
    bool in_ok = false;
    bool out_ok = false;
    std::uint64_t seq = 0;  // installation order, for the fallback rule
  };
  static std::size_t idx(PeerId p) { return static_cast<std::size_t>(p); }
  // Tested for every record of the trial: one shift and mask (a bit per
  // TraceKind) rather than a chain of comparisons.
  static constexpr bool changes_sa(TraceKind k) {
    constexpr auto bit = [](TraceKind x) { return std::uint64_t{1} << static_cast<unsigned>(x); };
    constexpr std::uint64_t kSaKinds =
        bit(TraceKind::kChildSaInstalled) | bit(TraceKind::kOutboundSwitched) |
        bit(TraceKind::kOutboundRemoved) | bit(TraceKind::kInboundRemoved) |
        bit(TraceKind::kChildSaDeleted) | bit(TraceKind::kTunnelDown);
    const auto i = static_cast<unsigned>(k);
    return i < 64 && ((kSaKinds >> i) & 1u) != 0;
  }
  void apply_change(const TraceRecord& r, Listener* l);
  Half* find_in(PeerId p, std::uint32_t spi_in);
  Half* find_out(PeerId p, std::uint32_t spi_out);
  void set_outbound(PeerId p, SimTime at, std::uint32_t spi, Listener* l);
  // Returns the half whose outbound half it removed (null: none holds spi_out).
  Half* drop_outbound(PeerId p, SimTime at, std::uint32_t spi_out, Listener* l);
  void drop_inbound(PeerId p, SimTime at, Half& h, Listener* l);
  static bool gone(const Half* h) { return h && !h->in_ok && !h->out_ok; }
  void compact(PeerId p);

  std::array<std::vector<Half>, 2> halves_;
  std::array<std::uint32_t, 2> outbound_{};
  std::uint64_t seq_ = 0;
  std::uint64_t version_ = 0;
};

}  // namespace models::world
