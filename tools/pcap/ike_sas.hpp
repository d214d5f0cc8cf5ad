// Which peer originally initiated each IKE SA of a trial and what its
// responder SPI is: the IKE header of every message needs both (RFC 7296 3.1:
// both SPIs, flag I set by the original initiator, 2.18: a rekeyed IKE SA's
// original initiator is the peer that initiated the rekey).
//
// Read from the whole trial's messages: a request carrying SA(IKE)
// (CREATE_CHILD_SA IKE rekey: the new SA's initiator SPI is the SA payload's
// SPI; IKE_SA_INIT: the message's IKE SA) makes its sender the original
// initiator, and the matching response's SA payload gives the responder SPI.
// The IKE SA a trial starts with was set up before time 0 without messages
// (models/ikev2 Peer::establish, A initiates): A is its initiator, and its
// responder SPI, which no record carries, is derived from the seed.
#pragma once

#include <cstdint>
#include <map>
#include <span>

#include "models/trace.hpp"
#include "tools/pcap/ike_crypto.hpp"

namespace rekeysim::pcap {

struct IkeSaIdentity {
  std::uint64_t initiator_spi = 0;
  std::uint64_t responder_spi = 0;
  models::PeerId original_initiator = models::PeerId::kA;
  bool responder_spi_derived = false;  // not seen in a message: derived from the seed
};

class IkeSaDirectory {
 public:
  IkeSaDirectory(std::span<const models::TraceRecord> whole_trial, const KeyDeriver& keys);
  // The identity of IKE SA `id` (Message::ike_sa, its initiator SPI).
  IkeSaIdentity find(std::uint64_t id) const;

 private:
  std::map<std::uint64_t, IkeSaIdentity> known_;
  const KeyDeriver* keys_;
};

}  // namespace rekeysim::pcap
