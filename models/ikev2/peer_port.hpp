// The narrow port through which an IKEv2 peer sees the world. The same peer
// code runs under the event-loop world (models/world), under the scripted
// world that tests drive message by message, or under an explorer that tries
// every delivery order.
#pragma once

#include <cstddef>
#include <cstdint>

#include "models/trace.hpp"
#include "sim/random.hpp"
#include "sim/scheduler.hpp"
#include "sim/time.hpp"

namespace models::ikev2 {

// Timers a peer arms on itself (OMNeT++'s self-messages). `cookie` identifies
// what the timer is about (an SA's inbound SPI, an IKE SA, a task).
enum class TimerKind : std::uint8_t {
  kChildSoftExpire,  // rekey time of a Child SA
  kChildHardExpire,  // hard lifetime of a Child SA
  kIkeSoftExpire,
  kIkeHardExpire,
  kRetransmit,           // RFC 7296 2.1 / 2.4
  kRetryRekey,           // retry after TEMPORARY_FAILURE (2.25)
  kDeleteOldSa,          // send DELETE for a rekeyed SA after the profile's delay (1.3.3)
  kDestroyInbound,       // old inbound half kept for the profile's keep delay
  kRedundantIkeTimeout,  // 2.8.2: delete a redundant IKE SA the peer never deleted
  kIkeForcedDelete,      // plain IKE rekey responder deletes the old IKE SA itself
  kReestablish,          // bring the tunnel back after a reset
  kProcessingDone,       // a message's processing delay has elapsed
  kWorkerPickup,         // a worker thread takes a received message (worker_race_window)
  kReauth,               // reauthenticate the IKE SA (RFC 7296 2.8.3, reauth_time)
  kDuplicateIkeDelete,   // duplicate_ike_sa keep_newest: delete the older IKE SA
};

class PeerPort {
 public:
  virtual ~PeerPort() = default;
  virtual SimTime now() const = 0;
  // Absolute simulated (true) time; the peer converts its own clock error and tick.
  virtual sim::EventId start_timer(SimTime at, TimerKind kind, std::uint64_t cookie) = 0;
  virtual void cancel_timer(sim::EventId id) = 0;
  virtual void send(const Message& m) = 0;  // to the other peer
  virtual void emit(const TraceRecord& r) = 0;
  virtual sim::Rng& rng() = 0;  // this peer's own stream

  // Added for models/ikev2 (defaults draw from rng(); the scripted world
  // overrides them to force nonce order and readable SPIs, like strongSwan's
  // exchange_test_helper with nonce_first_byte and its SPI counter).
  // A fresh nonce Ni/Nr (RFC 7296 2.10: at least 16 octets, random).
  virtual Nonce make_nonce() {
    Nonce n;
    for (std::size_t i = 0; i < n.bytes.size(); i += 8) {
      std::uint64_t v = rng().next();
      for (std::size_t j = 0; j < 8 && i + j < n.bytes.size(); ++j) {
        n.bytes[i + j] = static_cast<std::uint8_t>(v >> (8 * j));
      }
    }
    n.length = static_cast<std::uint8_t>(n.bytes.size());
    return n;
  }
  // A candidate inbound ESP SPI (the peer redraws on 0 or a clash with its own SPIs).
  virtual std::uint32_t make_child_spi() { return static_cast<std::uint32_t>(rng().next()); }
  // A candidate IKE SPI (64 bits, non-zero, RFC 7296 3.1).
  virtual std::uint64_t make_ike_spi() { return rng().next(); }
};

}  // namespace models::ikev2
