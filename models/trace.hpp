// Everything observable in a trial is a TraceRecord (ns-3 trace sources, one
// typed stream). Outcome counters (models/outcome), vendor-style log lines,
// ladder diagrams and JSONL are all views of this one stream: nothing is
// counted in two places.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "sim/time.hpp"

namespace models {

using sim::SimTime;

enum class PeerId : std::uint8_t { kA = 0, kB = 1 };
constexpr PeerId other(PeerId p) {
  return p == PeerId::kA ? PeerId::kB : PeerId::kA;
}
constexpr char peer_name(PeerId p) {
  return p == PeerId::kA ? 'A' : 'B';
}

enum class ExchangeType : std::uint8_t {
  kIkeSaInit = 34,  // RFC 7296 3.1 exchange type numbers
  kIkeAuth = 35,
  kCreateChildSa = 36,
  kInformational = 37,
};

enum class NotifyType : std::uint16_t {
  kNone = 0,
  kNoProposalChosen = 14,
  kInvalidKePayload = 17,
  kNoAdditionalSas = 35,
  kTemporaryFailure = 43,
  kChildSaNotFound = 44,
  kRekeySa = 16393,
};

enum class ProtocolId : std::uint8_t { kNone = 0, kIke = 1, kAh = 2, kEsp = 3 };

// A nonce as it is compared in RFC 7296 2.8.1: octet by octet, and when one
// nonce is a prefix of the other, the shorter is lower.
struct Nonce {
  std::array<std::uint8_t, 16> bytes{};
  std::uint8_t length = 16;
};

// The payloads rekeysim needs of one IKEv2 message, in a fixed-size value so
// that sending a message never allocates.
struct Message {
  static constexpr int kMaxDeleteSpis = 4;

  ExchangeType exchange = ExchangeType::kInformational;
  bool is_response = false;
  std::uint32_t message_id = 0;
  std::uint64_t ike_sa = 0;  // which IKE SA carries it (initiator SPI of that IKE SA)

  // SA payload: a proposal for a Child SA (ESP SPI, 32 bits) or an IKE SA (64 bits).
  ProtocolId sa_protocol = ProtocolId::kNone;  // kNone = no SA payload
  std::uint64_t sa_spi = 0;
  bool has_nonce = false;
  Nonce nonce;
  bool has_ts = false;  // TSi/TSr present (Child SA exchanges)
  bool has_ke = false;  // KE payload present (IKE_SA_INIT, IKE rekey, Child SA with PFS)

  // One Notify payload (REKEY_SA in requests, an error in responses).
  NotifyType notify = NotifyType::kNone;
  std::uint32_t notify_spi = 0;

  // One Delete payload: ESP SPIs, or the IKE SA itself (protocol kIke, no SPIs).
  ProtocolId delete_protocol = ProtocolId::kNone;  // kNone = no Delete payload
  std::uint8_t delete_count = 0;
  std::array<std::uint32_t, kMaxDeleteSpis> delete_spis{};
  // IKE_SA_INIT / IKE_AUTH without INITIAL_CONTACT (RFC 7296 2.4): a
  // make-before-break reauthentication (2.8.3), or a sender that holds
  // another IKE SA with the peer; the responder keeps its IKE SAs.
  bool reauth = false;
};

enum class TraceKind : std::uint8_t {
  kMessageSent,          // message
  kMessageReceived,      // message (processed by `peer`)
  kMessageLost,          // message lost by the network (sent by `peer`)
  kRetransmit,           // message re-sent (same ID)
  kRekeyStarted,         // sa_kind, spi_in/spi_out of the SA being rekeyed
  kChildSaInstalled,     // new Child SA inbound half installed: spi_in, spi_out
  kOutboundSwitched,     // peer now sends on spi_out
  kInboundRemoved,       // inbound half spi_in destroyed
  kOutboundRemoved,      // outbound half spi_out removed
  kChildSaDeleted,       // SA gone from the peer's database (both halves): spi_in, spi_out
  kRekeyCompleted,       // old spi_in/out replaced by new_spi_in/out
  kCollisionDetected,    // collision kind in `collision`
  kCollisionResolved,    // `won` tells whether this peer's exchange survived
  kDeleteForUnknownSpi,  // the "can't find sa for proto ESP spi" moment: spi_in is the SPI named
  kRekeyForUnknownSpi,   // REKEY_SA naming an SPI the peer does not have
  kNotifyReceived,       // notify
  kRetryScheduled,       // after TEMPORARY_FAILURE
  kHardExpired,          // SA hit its hard lifetime without a successful rekey
  kEspDropped,    // ESP packets arriving for inbound spi_in the receiver does not have: count
  kIkeSaRekeyed,  // ike_spi -> new_ike_spi
  kIkeSaDeleted,
  kTunnelDown,  // IKE SA lost (retransmission give-up, teardown)
  kTunnelUp,
  kEspNoSa,       // outbound ESP packets that found no SA at `peer` (the sender), dropped: count
  kEspCleartext,  // outbound ESP packets that found no SA at `peer`, sent in clear: count
  kEspLinkDown,   // ESP packets `peer` sent on spi_out while the link was down: count
};

// Field meanings as models/ikev2's Peer emits them (`peer` is always the
// peer where it happened; `ike_spi` the IKE SA carrying the Child SAs at that
// moment unless stated; SPIs are 32-bit ESP SPIs, "spi_in" = the SPI this peer
// receives on, "spi_out" = the SPI it sends on):
//   kMessageSent       every first transmission, requests and responses; `message` is
//                      the full message, `ike_spi` the IKE SA it travels on.
//   kMessageReceived   every message handed to Peer::on_message (before any
//                      check; messages for unknown IKE SAs are then dropped).
//   kRetransmit        a re-sent request (2.1 timer) or a cached response re-sent
//                      for a retransmitted request; `message` as sent. A
//                      retransmission is NOT also recorded as kMessageSent.
//   kRekeyStarted      Child: spi_in/spi_out of the SA being rekeyed, new_spi_in =
//                      the inbound SPI proposed for the new SA. IKE (sa_kind kIke):
//                      ike_spi = old, new_ike_spi = proposed.
//   kChildSaInstalled  a new Child SA's inbound half is installed: spi_in/spi_out
//                      of the new SA (its outbound half is only registered unless
//                      a kOutboundSwitched follows).
//   kOutboundSwitched  the peer now sends ESP on spi_out (spi_in identifies the SA).
//                      With several installed outbound halves the newest is used.
//   kOutboundRemoved   outbound half spi_out (of the SA spi_in) no longer used;
//                      emitted only for a half that was installed.
//   kInboundRemoved    inbound half spi_in destroyed; ESP to it is now dropped.
//   kChildSaDeleted    the SA record spi_in/spi_out is gone (both halves).
//   kRekeyCompleted    spi_in/spi_out (old) replaced by new_spi_in/new_spi_out at
//                      this peer (once per peer and rekeyed SA).
//   kCollisionDetected `collision` kind; Child: spi_in/spi_out of the SA concerned
//                      (kChildVsIkeRekey from a Child request: spi_out = SPI named);
//                      IKE: ike_spi (and new_ike_spi for kSimultaneousIkeRekey).
//   kCollisionResolved `won` = this peer's exchange survived; Child: spi_in/out old
//                      SA, new_spi_in = surviving SA at this peer; IKE: ike_spi old,
//                      new_ike_spi surviving. Also emitted (won = false) when a
//                      TEMPORARY_FAILURE reveals an undetected collision.
//   kDeleteForUnknownSpi  a DELETE named an SPI this peer has no SA for: spi_in =
//                      the SPI as named in the payload (= this peer's former
//                      outbound SPI). Emitted whatever behaviour.unknown_spi says.
//   kRekeyForUnknownSpi   REKEY_SA named an SPI with no live SA (answered
//                      CHILD_SA_NOT_FOUND): spi_in = the SPI as named.
//   kNotifyReceived    an error notify in a response: notify, spi_in = notify SPI.
//   kRetryScheduled    after TEMPORARY_FAILURE (or another failure): Child: spi_in/
//                      spi_out; IKE: sa_kind kIke; notify = the cause.
//   kHardExpired       Child: spi_in/spi_out; IKE: sa_kind kIke, ike_spi.
//   kIkeSaRekeyed      ike_spi -> new_ike_spi now carries the Child SAs.
//   kIkeSaDeleted      ike_spi (any IKE SA, incl. old and redundant ones).
//   kTunnelDown        the last IKE SA holding a usable Child SA is gone (give-up,
//                      DELETE of it, teardown, or state replaced by the peer's
//                      IKE_SA_INIT); losing one of several goes as kIkeSaDeleted.
//   kTunnelUp          establish() or a completed IKE_AUTH.
//   kEspNoSa, kEspCleartext, kEspLinkDown   from the traffic model (models/world/
//                      esp_flow), one record per settled piece: `peer` = the sender,
//                      `count` = packets, spi_out = the SA (kEspLinkDown only);
//                      `time` = send time of the first packet counted (emitted
//                      later, when the piece is settled).
enum class SaKind : std::uint8_t { kChild, kIke };

enum class CollisionKind : std::uint8_t {
  kNone,
  kSimultaneousChildRekey,  // 2.8.1
  kSimultaneousIkeRekey,    // 2.8.2
  kRekeyVsDelete,           // 2.25.1
  kChildVsIkeRekey,         // 2.25.1 / 2.25.2
  kCrossingDelete,          // 1.4.1
  kDeleteVsIkeRekey,        // 2.25.2
};

struct TraceRecord {
  SimTime time;
  PeerId peer = PeerId::kA;  // the peer this happened at (sender for sends)
  TraceKind kind = TraceKind::kMessageSent;
  SaKind sa_kind = SaKind::kChild;
  CollisionKind collision = CollisionKind::kNone;
  bool won = false;
  NotifyType notify = NotifyType::kNone;
  std::uint32_t spi_in = 0;
  std::uint32_t spi_out = 0;
  std::uint32_t new_spi_in = 0;
  std::uint32_t new_spi_out = 0;
  std::uint64_t ike_spi = 0;
  std::uint64_t new_ike_spi = 0;
  std::uint64_t count = 0;  // ESP packets dropped in this record
  Message message;          // for message kinds
};

// Receives trace records as they happen. The trial runner always attaches the
// outcome classifier; formatters attach only when a trace was requested.
class TraceSink {
 public:
  virtual ~TraceSink() = default;
  virtual void record(const TraceRecord& r) = 0;
};

std::string_view to_string(TraceKind k);
std::string_view to_string(ExchangeType e);
std::string_view to_string(NotifyType n);
std::string_view to_string(CollisionKind c);

}  // namespace models
