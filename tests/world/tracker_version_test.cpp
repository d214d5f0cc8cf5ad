// ChildSaTracker::version(): what lets the outcome classifier skip its
// per-direction update for records that change no SA.
#include <catch2/catch.hpp>

#include "models/world/child_sa_tracker.hpp"

using models::PeerId;
using models::TraceKind;
using models::TraceRecord;
using models::world::ChildSaTracker;

namespace {
TraceRecord rec(TraceKind k, PeerId p, std::uint32_t in = 0, std::uint32_t out = 0) {
  TraceRecord r;
  r.kind = k;
  r.peer = p;
  r.spi_in = in;
  r.spi_out = out;
  return r;
}
}  // namespace

TEST_CASE("Tracker version - changes with every SA record, not with messages or drops") {
  ChildSaTracker t;
  const auto v0 = t.version();
  for (TraceKind k :
       {TraceKind::kMessageSent, TraceKind::kMessageReceived, TraceKind::kRekeyStarted,
        TraceKind::kEspDropped, TraceKind::kCollisionDetected, TraceKind::kHardExpired}) {
    t.apply(rec(k, PeerId::kA, 0x100, 0x200));
    CHECK(t.version() == v0);
  }
  t.apply(rec(TraceKind::kChildSaInstalled, PeerId::kA, 0x100, 0x200));
  const auto v1 = t.version();
  CHECK(v1 != v0);
  CHECK(t.outbound(PeerId::kA) == 0x200);
  t.apply(rec(TraceKind::kOutboundRemoved, PeerId::kA, 0, 0x200));
  const auto v2 = t.version();
  CHECK(v2 != v1);
  CHECK(t.outbound(PeerId::kA) == 0);
  for (TraceKind k : {TraceKind::kOutboundSwitched, TraceKind::kInboundRemoved,
                      TraceKind::kChildSaDeleted, TraceKind::kTunnelDown}) {
    const auto before = t.version();
    t.apply(rec(k, PeerId::kB, 0x300, 0x400));
    CHECK(t.version() != before);
  }
}
