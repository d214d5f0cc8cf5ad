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

// The tracker compacts only when a record removed a half's last part: a half
// that still has its inbound or outbound part must stay, one with neither must go.
TEST_CASE("Tracker - a Child SA half is kept until both its inbound and outbound parts are gone") {
  ChildSaTracker t;
  const PeerId a = PeerId::kA;
  t.apply(rec(TraceKind::kChildSaInstalled, a, 0x100, 0x200));
  t.apply(rec(TraceKind::kChildSaInstalled, a, 0x101, 0x201));
  CHECK(t.size(a) == 2);
  CHECK(t.outbound(a) == 0x200);  // kept: it had an outbound SA
  t.apply(rec(TraceKind::kOutboundSwitched, a, 0, 0x201));
  CHECK(t.outbound(a) == 0x201);

  t.apply(rec(TraceKind::kInboundRemoved, a, 0x100, 0));
  CHECK_FALSE(t.accepts(a, 0x100));
  CHECK(t.size(a) == 2);  // 0x200 may still be sent on
  t.apply(rec(TraceKind::kOutboundRemoved, a, 0, 0x200));
  CHECK(t.size(a) == 1);
  CHECK(t.outbound(a) == 0x201);

  // Removing an SPI nobody holds changes nothing.
  t.apply(rec(TraceKind::kInboundRemoved, a, 0x999, 0));
  t.apply(rec(TraceKind::kOutboundRemoved, a, 0, 0x999));
  CHECK(t.size(a) == 1);
  CHECK(t.accepts(a, 0x101));

  // The outbound part goes first: the sender has none left, the inbound stays.
  t.apply(rec(TraceKind::kOutboundRemoved, a, 0, 0x201));
  CHECK(t.outbound(a) == 0);
  CHECK(t.size(a) == 1);
  CHECK(t.accepts(a, 0x101));
  // Deleted by its outbound SPI alone (the inbound SPI unknown): gone.
  t.apply(rec(TraceKind::kChildSaDeleted, a, 0x555, 0x201));
  CHECK(t.size(a) == 0);
  CHECK_FALSE(t.accepts(a, 0x101));

  // RFC 7296 2.4: closing the IKE SA closes every Child SA of the peer.
  t.apply(rec(TraceKind::kChildSaInstalled, a, 0x102, 0x202));
  t.apply(rec(TraceKind::kChildSaInstalled, a, 0x103, 0x203));
  t.apply(rec(TraceKind::kTunnelDown, a));
  CHECK(t.size(a) == 0);
  CHECK(t.outbound(a) == 0);
}
