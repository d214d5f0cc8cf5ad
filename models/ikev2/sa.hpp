// The SA database records of one peer: Child SAs (ESP pairs) and IKE SAs.
// States follow strongSwan's child_sa.h / ike_sa.h, which the RFC 7296 text
// implies but never names (semantics notes 2.1).
#pragma once

#include <cstdint>
#include <limits>

#include "models/ikev2/task.hpp"
#include "models/trace.hpp"
#include "sim/scheduler.hpp"
#include "sim/time.hpp"

namespace models::ikev2 {

enum class ChildSaState : std::uint8_t {
  kInstalled,  // in use (or, for a fresh rekey responder SA, inbound in use and outbound
               // registered)
  kRekeying,   // this peer is actively rekeying it (CREATE_CHILD_SA request outstanding)
  kRekeyed,    // replaced by the peer's rekey (or a lost collision); waiting for D(old)
  kDeleting,   // this peer sent a DELETE for it and waits for the response
  kDeleted,    // DELETE exchange done; only the inbound half is kept (keep delay)
};

// Whether this peer sends ESP on the SA's outbound half (strongSwan's
// OUTBOUND_REGISTERED vs OUTBOUND_INSTALLED).
enum class OutboundState : std::uint8_t { kNone, kRegistered, kInstalled };

// Who created the SA (libreswan's SA_INITIATOR / SA_RESPONDER; drives the
// responder margin rule of LifetimePolicy).
enum class SaRole : std::uint8_t { kInitiator, kResponder };

struct ChildSa {
  std::uint32_t spi_in = 0;   // SPI this peer receives on (it chose it)
  std::uint32_t spi_out = 0;  // SPI this peer sends on (the other peer chose it)
  ChildSaState state = ChildSaState::kInstalled;
  OutboundState outbound = OutboundState::kRegistered;
  bool inbound_installed = true;
  SaRole role = SaRole::kInitiator;
  Nonce ni;  // nonces of the exchange that created the SA (RFC 7296 2.8.1)
  Nonce nr;
  SimTime installed_at{};          // true time this peer installed the inbound half
  std::uint64_t outbound_seq = 0;  // order of outbound installation (newest wins)
  std::uint64_t bytes_in = 0, packets_in = 0, bytes_out = 0, packets_out = 0;
  bool volume_soft_fired = false;

  // Rekey bookkeeping (one ChildRekeyTask per SA at a time).
  std::uint32_t replaced_by = 0;     // spi_in of the SA replacing it (kRekeyed / after a rekey)
  std::uint32_t passive_new = 0;     // spi_in of the SA this peer made as responder to the
                                     // peer's rekey of it while rekeying it itself (2.8.1)
  bool peer_deleted = false;         // the peer's DELETE for this SA arrived (OLD_SA_DELETED)
  bool passive_new_deleted = false;  // the peer deleted passive_new before we resolved
  bool redundant = false;            // a collision made it redundant; the peer deletes it
  bool rekeyed = false;              // kRekeyCompleted emitted for it (its delete keeps inbound)
  bool expired = false;              // hit its hard lifetime; both halves already removed
  bool delete_queued = false;        // a ChildDeleteTask for it is queued or outstanding
  Nonce passive_ni, passive_nr;      // nonces of the peer's colliding exchange (2.8.1)
  // We won a 2.8.1 collision and stopped sending on this SA (the peer's exchange made it),
  // expecting the peer to delete it. Stays set once the peer shows it kept the SA (a peer
  // without the tie-break, libreswan / PAN-OS), so its replacement can carry our traffic.
  bool withheld = false;
  bool soft_passed = false;  // its rekey time (or soft volume) has come, acted upon or not
  // rekey_vs_delete = close_both (strongSwan <= 5.9): on the old SA, the peer's
  // DELETE closed it while our rekey of it was outstanding; on the new SA,
  // that rekey's response made it only to be deleted as redundant. Either way
  // no Child SA is left of this generation.
  bool closed_by_delete = false;
  // The IKE SA it belongs to (its id): the one it was negotiated on, or the
  // one an IKE rekey moved it to (RFC 7296 1.3, 2.8). Deleting or losing that
  // IKE SA closes it (1.4.1, 2.4); its rekey and delete exchanges run on it.
  std::uint64_t ike = 0;

  sim::EventId soft_timer, hard_timer, destroy_timer, retry_timer, delete_timer;
};

enum class IkeSaState : std::uint8_t {
  kConnecting,  // IKE_SA_INIT / IKE_AUTH in progress
  kPassiveNew,  // made by answering the peer's IKE rekey during our own (2.8.2), not yet in use
  kEstablished,
  kRekeying,  // this peer's IKE rekey request is outstanding
  kRekeyed,   // replaced; waiting for the DELETE that ends it
  kDeleting,  // this peer sent DELETE for it
};

struct IkeSa {
  std::uint64_t id = 0;  // initiator SPI (Message::ike_sa)
  std::uint64_t my_spi = 0;
  std::uint64_t peer_spi = 0;
  IkeSaState state = IkeSaState::kEstablished;
  SaRole role = SaRole::kInitiator;  // initiator of the exchange that created it
  Nonce ni, nr;
  SimTime installed_at{};
  bool redundant = false;           // lost a 2.8.2 collision at the peer; wait for its DELETE
  bool reset_after_delete = false;  // teardown: re-establish once the DELETE exchange ends
  bool reauth = false;              // break-before-make reauthentication: re-establish at once
  std::uint64_t reauth_of = 0;      // make-before-break: the IKE SA this one replaces

  // RFC 7296 2.2: two Message ID counters per IKE SA; window size 1 (2.3).
  std::uint32_t next_request_id = 0;
  std::uint32_t expected_request_id = 0;
  bool request_outstanding = false;
  Message outstanding;  // the request in flight (retransmitted bitwise identical, 2.1)
  Task active;          // the task whose request is outstanding
  int retransmits = 0;
  sim::EventId retransmit_timer;
  bool have_cached_response = false;
  Message cached_response;  // answer to the peer's last request (2.1)

  // An own IKE rekey: the new SA's SPI and nonce; a passive one remembered for 2.8.2.
  std::uint64_t rekey_new_spi = 0;
  Nonce rekey_ni;
  std::uint64_t passive_new_id = 0;  // IKE SA made answering the peer's rekey during ours

  sim::EventId soft_timer, hard_timer, aux_timer;
};

// Bytes/packets per direction still allowed before an SA's next volume event
// (soft, then hard). kUnlimited where that limit is not configured.
struct VolumeBudget {
  static constexpr std::uint64_t kUnlimited = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t bytes_in = kUnlimited;
  std::uint64_t packets_in = kUnlimited;
  std::uint64_t bytes_out = kUnlimited;
  std::uint64_t packets_out = kUnlimited;
};

}  // namespace models::ikev2
