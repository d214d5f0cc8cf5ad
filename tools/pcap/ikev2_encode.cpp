#include "tools/pcap/ikev2_encode.hpp"

#include <stdexcept>
#include <utility>
#include <vector>

#include "tools/pcap/ike_crypto.hpp"

namespace rekeysim::pcap {

namespace {

using models::ExchangeType;
using models::Message;
using models::NotifyType;
using models::ProtocolId;

struct Payload {
  PayloadType type;
  Bytes body;  // without the 4-octet generic header
};

// RFC 7296 3.3.2 transform substructure; `key_bits` adds the Key Length
// attribute (3.3.5, TV format: AF bit | type 14).
void transform(Bytes& b, bool last, std::uint8_t type, std::uint16_t id, int key_bits = 0) {
  put8(b, last ? 0 : 3);
  put8(b, 0);
  put16(b, key_bits ? 12 : 8);
  put8(b, type);
  put8(b, 0);
  put16(b, id);
  if (key_bits) {
    put16(b, 0x8000 | 14);
    put16(b, key_bits);
  }
}

// RFC 7296 3.3 / 3.3.1: one proposal, number 1.
Bytes sa_body(const Message& m) {
  Bytes b;
  const bool ike = m.sa_protocol == ProtocolId::kIke;
  const bool initial = m.exchange == ExchangeType::kIkeSaInit;
  const std::uint8_t spi_size = ike ? (initial ? 0 : 8) : 4;
  put8(b, 0);  // last proposal
  put8(b, 0);
  put16(b, 0);  // proposal length, below
  put8(b, 1);   // proposal number
  put8(b, static_cast<std::uint8_t>(m.sa_protocol));
  put8(b, spi_size);
  // A Child SA negotiated with PFS (a KE payload) proposes a D-H group too
  // (RFC 7296 3.3.2: transform type 4 for ESP is optional, present with KE).
  const bool pfs = !ike && m.has_ke;
  put8(b, ike ? 4 : (pfs ? 4 : 3));  // number of transforms
  if (spi_size == 8) put64(b, m.sa_spi);
  if (spi_size == 4) put32(b, m.sa_spi);
  if (ike) {
    transform(b, false, 1, 12, 128);  // ENCR_AES_CBC, 128-bit key
    transform(b, false, 2, 2);        // PRF_HMAC_SHA1
    transform(b, false, 3, 2);        // AUTH_HMAC_SHA1_96
    transform(b, true, 4, kDhGroup);  // D-H group
  } else {
    transform(b, false, 1, 11);                 // ENCR_NULL (RFC 2410; ESP only)
    transform(b, false, 3, 2);                  // AUTH_HMAC_SHA1_96
    if (pfs) transform(b, false, 4, kDhGroup);  // D-H group (PFS)
    transform(b, true, 5, 0);                   // ESN: no extended sequence numbers
  }
  set16(b, 2, b.size());
  return b;
}

Bytes notify_body(const Message& m) {
  Bytes b;
  const bool with_spi = m.notify == NotifyType::kRekeySa || m.notify_spi != 0;
  put8(b, with_spi ? static_cast<std::uint8_t>(ProtocolId::kEsp) : 0);
  put8(b, with_spi ? 4 : 0);
  put16(b, static_cast<std::uint16_t>(m.notify));
  if (with_spi) put32(b, m.notify_spi);
  if (m.notify == NotifyType::kInvalidKePayload) put16(b, kDhGroup);  // 1.3: the group wanted
  return b;
}

Bytes delete_body(const Message& m) {
  Bytes b;
  put8(b, static_cast<std::uint8_t>(m.delete_protocol));
  if (m.delete_protocol == ProtocolId::kIke) {
    put8(b, 0);  // 3.11: the IKE SA is the one the message travels on
    put16(b, 0);
    return b;
  }
  put8(b, 4);
  put16(b, m.delete_count);
  for (int i = 0; i < m.delete_count; ++i) put32(b, m.delete_spis[static_cast<std::size_t>(i)]);
  return b;
}

Bytes ts_body(const Ipv4Range& r) {
  Bytes b;
  put8(b, 1);  // number of TSs
  put8(b, 0);
  put16(b, 0);
  put8(b, 7);  // TS_IPV4_ADDR_RANGE
  put8(b, 0);  // any IP protocol
  put16(b, 16);
  put16(b, 0);
  put16(b, 65535);
  put32(b, r.first);
  put32(b, r.last);
  return b;
}

std::vector<Payload> payloads(const Message& m, const EncodeParams& p) {
  std::vector<Payload> out;
  const bool ike_sa = m.sa_protocol == ProtocolId::kIke;
  auto notify = [&] {
    if (m.notify != NotifyType::kNone) out.push_back({kPayloadNotify, notify_body(m)});
  };
  auto nonce = [&] {
    if (!m.has_nonce) return;
    Bytes b(m.nonce.bytes.begin(), m.nonce.bytes.begin() + m.nonce.length);
    out.push_back({kPayloadNonce, std::move(b)});
  };
  auto ke = [&] {
    // IKE_SA_INIT and IKE rekeys always; Child SAs when negotiated with PFS.
    if (!ike_sa && !m.has_ke) return;
    if (p.ke_data.size() != kDhGroupOctets) throw std::invalid_argument("KE data size");
    Bytes b;
    put16(b, kDhGroup);
    put16(b, 0);
    append(b, p.ke_data);
    out.push_back({kPayloadKe, std::move(b)});
  };
  auto sa = [&] {
    if (m.sa_protocol != ProtocolId::kNone) out.push_back({kPayloadSa, sa_body(m)});
  };
  auto ts = [&] {
    if (!m.has_ts) return;
    out.push_back({kPayloadTsi, ts_body(p.ts_initiator)});
    out.push_back({kPayloadTsr, ts_body(p.ts_responder)});
  };
  switch (m.exchange) {
    case ExchangeType::kIkeSaInit:
      notify();
      sa();
      ke();
      nonce();
      break;
    case ExchangeType::kIkeAuth: {
      Bytes id;
      put8(id, 1);  // ID_IPV4_ADDR
      put8(id, 0);
      put16(id, 0);
      put32(id, p.sender_address);
      out.push_back({m.is_response ? kPayloadIdr : kPayloadIdi, std::move(id)});
      Bytes auth;
      put8(auth, 2);  // shared key message integrity code
      put8(auth, 0);
      put16(auth, 0);
      append(auth, p.auth_data);
      out.push_back({kPayloadAuth, std::move(auth)});
      notify();
      if (m.sa_protocol != ProtocolId::kNone) out.push_back({kPayloadSa, sa_body(m)});
      ts();
      break;
    }
    case ExchangeType::kCreateChildSa:
      notify();
      sa();
      nonce();
      ke();
      ts();
      break;
    case ExchangeType::kInformational:
      notify();
      if (m.delete_protocol != ProtocolId::kNone) out.push_back({kPayloadDelete, delete_body(m)});
      break;
  }
  return out;
}

// Payloads chained by their generic headers (3.2); returns the bytes, and the
// first payload's type through `first`.
Bytes chain(const std::vector<Payload>& ps, std::uint8_t& first) {
  Bytes b;
  first = ps.empty() ? kNoNextPayload : ps.front().type;
  for (std::size_t i = 0; i < ps.size(); ++i) {
    put8(b, i + 1 < ps.size() ? ps[i + 1].type : kNoNextPayload);
    put8(b, 0);  // critical bit clear
    put16(b, 4 + ps[i].body.size());
    append(b, ps[i].body);
  }
  return b;
}

void header(Bytes& b, const Message& m, const EncodeParams& p, std::uint8_t next) {
  put64(b, p.initiator_spi);
  put64(b, p.responder_spi);
  put8(b, next);
  put8(b, 0x20);  // major version 2, minor 0
  put8(b, static_cast<std::uint8_t>(m.exchange));
  put8(b, (p.from_original_initiator ? 0x08 : 0) | (m.is_response ? 0x20 : 0));
  put32(b, m.message_id);
  put32(b, 0);  // length, set by the caller
}

}  // namespace

Bytes encode_ikev2(const Message& m, const EncodeParams& p) {
  std::uint8_t first = kNoNextPayload;
  const Bytes inner = chain(payloads(m, p), first);
  Bytes b;
  if (m.exchange == ExchangeType::kIkeSaInit) {
    header(b, m, p, first);
    append(b, inner);
    set32(b, 24, b.size());
    return b;
  }
  if (!p.keys || p.iv.size() != 16) throw std::invalid_argument("Encrypted payload needs keys");
  const IkeSaKeys& k = *p.keys;
  const Bytes& sk_e = p.from_original_initiator ? k.sk_ei : k.sk_er;
  const Bytes& sk_a = p.from_original_initiator ? k.sk_ai : k.sk_ar;
  // 3.14: plaintext | padding | pad length, a whole number of AES blocks.
  Bytes plain = inner;
  const std::size_t pad = (16 - (plain.size() + 1) % 16) % 16;
  plain.insert(plain.end(), pad, 0);
  put8(plain, pad);
  const Bytes cipher = aes128_cbc_encrypt(sk_e, p.iv, plain);
  constexpr std::size_t kIcv = 12;
  header(b, m, p, kPayloadSk);
  put8(b, first);
  put8(b, 0);
  put16(b, 4 + p.iv.size() + cipher.size() + kIcv);
  append(b, p.iv);
  append(b, cipher);
  set32(b, 24, b.size() + kIcv);
  const Bytes mac = hmac_sha1(sk_a, b);
  b.insert(b.end(), mac.begin(), mac.begin() + kIcv);
  return b;
}

}  // namespace rekeysim::pcap
