// RFC 7296 wire encoding of one models::Message: IKE header (3.1), then the
// payloads the simulator exchanged, inside an Encrypted payload (3.14) for
// every exchange but IKE_SA_INIT. Only the fields the simulator has come from
// the Message (exchange, response flag, message ID, SA protocol and SPI, nonce,
// TS present, notify type and SPI, delete protocol and SPIs); everything else
// is a documented constant or derived key material (EncodeParams).
//
// Payload order (RFC 7296 1.2-1.4):
//   IKE_SA_INIT      [N] SA KE Nonce                 (not encrypted)
//   IKE_AUTH         SK{ IDi|IDr AUTH [N] SA TSi TSr }
//   CREATE_CHILD_SA  SK{ [N] SA Nonce [KE] [TSi TSr] }  KE only with SA(IKE): IKE rekey
//   INFORMATIONAL    SK{ [N] [D] }
// Encodings: SA with one proposal (3.3.1) of the message's protocol:
//   ESP  SPI size 4: ENCR_NULL (11), AUTH_HMAC_SHA1_96 (2), ESN none (0)
//   IKE  SPI size 8 (0 in IKE_SA_INIT, 3.3.1): ENCR_AES_CBC (12) + Key Length 128
//        (3.3.5), PRF_HMAC_SHA1 (2), AUTH_HMAC_SHA1_96 (2), D-H group kDhGroup
// KE (3.4): group kDhGroup, data from EncodeParams; Nonce (3.9) the simulator's
// nonce octets; Notify (3.10) REKEY_SA with protocol ESP, SPI size 4 and the old
// SPI, errors with the SPI when the simulator named one (else protocol 0, no
// SPI), INVALID_KE_PAYLOAD with the 2-octet group; Delete (3.11) ESP: SPI size
// 4 and the SPIs, IKE: SPI size 0, no SPIs; TSi/TSr (3.13) one
// TS_IPV4_ADDR_RANGE each, all protocols and ports; IDi/IDr (3.5) ID_IPV4_ADDR;
// AUTH (3.8) method 2 (shared key MIC) with derived octets.
// Encrypted (3.14): IV (16), AES-CBC-128 of payloads | zero padding | pad length,
// ICV = first 12 octets of HMAC-SHA1 over the message from the IKE header to
// the end of the ciphertext (HMAC_SHA1_96, RFC 2404); SK_ei/SK_ai for messages
// from the IKE SA's original initiator, SK_er/SK_ar otherwise (2.14).
#pragma once

#include <cstdint>

#include "models/trace.hpp"
#include "tools/pcap/bytes.hpp"

namespace rekeysim::pcap {

// Assumption: the simulator has no Diffie-Hellman; IKE proposals and KE
// payloads state MODP 2048 (group 14, RFC 3526), whose KE data is 256 octets.
inline constexpr std::uint16_t kDhGroup = 14;
inline constexpr std::size_t kDhGroupOctets = 256;

// RFC 7296 3.2 payload type numbers.
enum PayloadType : std::uint8_t {
  kNoNextPayload = 0,
  kPayloadSa = 33,
  kPayloadKe = 34,
  kPayloadIdi = 35,
  kPayloadIdr = 36,
  kPayloadAuth = 39,
  kPayloadNonce = 40,
  kPayloadNotify = 41,
  kPayloadDelete = 42,
  kPayloadTsi = 44,
  kPayloadTsr = 45,
  kPayloadSk = 46,
};

// SK_e* 16 octets (AES-128), SK_a* 20 octets (HMAC-SHA1).
struct IkeSaKeys {
  Bytes sk_ei, sk_er, sk_ai, sk_ar;
};

struct Ipv4Range {
  std::uint32_t first = 0;  // host order
  std::uint32_t last = 0;
};

struct EncodeParams {
  std::uint64_t initiator_spi = 0;       // IKE header; the IKE SA's original initiator's SPI
  std::uint64_t responder_spi = 0;       // 0 in an IKE_SA_INIT request
  bool from_original_initiator = false;  // header flag I (0x08); selects SK_ei/SK_ai
  Ipv4Range ts_initiator;                // TSi: traffic of the exchange's initiator (the requester)
  Ipv4Range ts_responder;                // TSr
  std::uint32_t sender_address = 0;      // IDi/IDr in IKE_AUTH
  Bytes ke_data;                    // kDhGroupOctets octets, used when the message carries SA(IKE)
  Bytes auth_data;                  // AUTH payload octets (IKE_AUTH)
  Bytes iv;                         // 16 octets, Encrypted payload IV
  const IkeSaKeys* keys = nullptr;  // required for every exchange but IKE_SA_INIT
};

// The UDP payload of the message (IKE header first; no non-ESP marker: it
// travels on port 500). Throws std::invalid_argument if keys/IV are missing.
Bytes encode_ikev2(const models::Message& m, const EncodeParams& p);

}  // namespace rekeysim::pcap
