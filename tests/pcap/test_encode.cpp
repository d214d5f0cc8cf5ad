// Wire encodings read back field by field: pcap framing, IPv4/UDP checksums,
// the IKE header (RFC 7296 3.1), the Encrypted payload decrypted with the
// table's keys and its ICV (3.14), the payloads inside (3.3, 3.9, 3.10, 3.11,
// 3.13), and ESP (RFC 4303).
#include <catch2/catch.hpp>

#include "tools/pcap/esp_packets.hpp"
#include "tools/pcap/ike_crypto.hpp"
#include "tools/pcap/ikev2_encode.hpp"
#include "tools/pcap/ip_packets.hpp"
#include "tools/pcap/pcap_writer.hpp"

using namespace rekeysim::pcap;
using models::ExchangeType;
using models::Message;
using models::NotifyType;
using models::ProtocolId;

namespace {

std::uint32_t get16(const Bytes& b, std::size_t at) {
  return (b[at] << 8) | b[at + 1];
}
std::uint32_t get32(const Bytes& b, std::size_t at) {
  return (get16(b, at) << 16) | get16(b, at + 2);
}

// One's complement sum over a header including its checksum: 0xffff when valid.
std::uint32_t fold(const Bytes& b, std::size_t from, std::size_t to, std::uint32_t acc = 0) {
  for (std::size_t i = from; i < to; i += 2) acc += (b[i] << 8) | (i + 1 < to ? b[i + 1] : 0);
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return acc;
}

IkeSaKeys test_keys() {
  const KeyDeriver k(1, 2);
  return {k.derive("ei", 0, 16), k.derive("er", 0, 16), k.derive("ai", 0, 20),
          k.derive("ar", 0, 20)};
}

EncodeParams params(const IkeSaKeys& keys, bool from_initiator) {
  EncodeParams p;
  p.initiator_spi = 0x1111222233334444;
  p.responder_spi = 0x5555666677778888;
  p.from_original_initiator = from_initiator;
  p.ts_initiator = {0x0a010000, 0x0a01ffff};
  p.ts_responder = {0x0a020000, 0x0a02ffff};
  p.ke_data = Bytes(kDhGroupOctets, 0xab);
  p.iv = Bytes(16, 0x42);
  p.keys = &keys;
  return p;
}

// Decrypts the SK payload of `msg` and checks its ICV; returns the inner payloads.
Bytes open_sk(const Bytes& msg, const Bytes& sk_e, const Bytes& sk_a, std::uint8_t& first) {
  REQUIRE(msg[16] == kPayloadSk);
  const std::size_t sk_len = get16(msg, 30);
  REQUIRE(28 + sk_len == msg.size());
  first = msg[28];
  const Bytes iv(msg.begin() + 32, msg.begin() + 48);
  const Bytes cipher(msg.begin() + 48, msg.end() - 12);
  const Bytes mac = hmac_sha1(sk_a, Bytes(msg.begin(), msg.end() - 12));
  CHECK(Bytes(mac.begin(), mac.begin() + 12) == Bytes(msg.end() - 12, msg.end()));
  Bytes plain = aes128_cbc_decrypt(sk_e, iv, cipher);
  const std::size_t pad = plain.back();
  REQUIRE(pad + 1 <= plain.size());
  plain.resize(plain.size() - pad - 1);
  return plain;
}

struct Parsed {
  std::uint8_t type;
  Bytes body;
};

std::vector<Parsed> parse_chain(const Bytes& b, std::uint8_t first) {
  std::vector<Parsed> out;
  std::size_t at = 0;
  std::uint8_t type = first;
  while (type != kNoNextPayload) {
    REQUIRE(at + 4 <= b.size());
    const std::size_t len = get16(b, at + 2);
    REQUIRE(len >= 4);
    REQUIRE(at + len <= b.size());
    out.push_back({type, Bytes(b.begin() + at + 4, b.begin() + at + len)});
    type = b[at];
    at += len;
  }
  CHECK(at == b.size());
  return out;
}

// The payloads inside the SK payload (the inner payloads' first type comes
// out of open_sk, so it is read before parse_chain runs).
std::vector<Parsed> sk_payloads(const Bytes& msg, const Bytes& sk_e, const Bytes& sk_a,
                                std::uint8_t& first) {
  const Bytes inner = open_sk(msg, sk_e, sk_a, first);
  return parse_chain(inner, first);
}

}  // namespace

TEST_CASE("pcap file: nanosecond magic, LINKTYPE_RAW, record header with split timestamp") {
  PcapWriter w;
  const Bytes pkt(40, 7);
  w.add(1'751'774'400'123'456'789, pkt);
  const Bytes& b = w.bytes();
  REQUIRE(b.size() == 24 + 16 + 40);
  CHECK(Bytes(b.begin(), b.begin() + 4) == Bytes{0x4d, 0x3c, 0xb2, 0xa1});
  CHECK(b[20] == 101);  // link type, little-endian
  auto le32 = [&](std::size_t at) {
    return b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (std::uint32_t{b[at + 3]} << 24);
  };
  CHECK(le32(24) == 1'751'774'400u);
  CHECK(le32(28) == 123'456'789u);
  CHECK(le32(32) == 40u);
  CHECK(le32(36) == 40u);
  CHECK_THROWS_AS(w.add(0, Bytes(70000, 0)), std::invalid_argument);
}

TEST_CASE("IPv4 and UDP: addresses, lengths and checksums that verify") {
  CHECK(parse_ipv4("192.0.2.1") == 0xc0000201u);
  CHECK_FALSE(parse_ipv4("192.0.2"));
  CHECK_FALSE(parse_ipv4("192.0.2.256"));
  CHECK_FALSE(parse_ipv4("192.0.2.1 "));
  const std::uint32_t a = 0xc0000201, b = 0xc6336402;
  const Bytes udp = udp_datagram(a, b, 500, 500, Bytes{1, 2, 3});
  const Bytes ip = ipv4_packet(a, b, kIpProtoUdp, 9, udp);
  CHECK(ip.size() == 20 + 8 + 3);
  CHECK(get16(ip, 2) == ip.size());
  CHECK(fold(ip, 0, 20) == 0xffff);
  Bytes pseudo;
  put32(pseudo, a);
  put32(pseudo, b);
  put16(pseudo, kIpProtoUdp);
  put16(pseudo, udp.size());
  CHECK(fold(udp, 0, udp.size(), fold(pseudo, 0, pseudo.size())) == 0xffff);
}

TEST_CASE(
    "IKEv2 CREATE_CHILD_SA rekey request: header, SK decrypts with SK_ei, REKEY_SA SA Ni TSi TSr") {
  const IkeSaKeys keys = test_keys();
  Message m;
  m.exchange = ExchangeType::kCreateChildSa;
  m.message_id = 5;
  m.sa_protocol = ProtocolId::kEsp;
  m.sa_spi = 0xa1a1a1a1;
  m.has_nonce = true;
  m.nonce.bytes.fill(0x33);
  m.has_ts = true;
  m.notify = NotifyType::kRekeySa;
  m.notify_spi = 0xc0000001;
  const Bytes msg = encode_ikev2(m, params(keys, true));
  CHECK(get32(msg, 0) == 0x11112222u);
  CHECK(get32(msg, 8) == 0x55556666u);
  CHECK(msg[17] == 0x20);  // version 2.0
  CHECK(msg[18] == 36);
  CHECK(msg[19] == 0x08);  // Initiator, request
  CHECK(get32(msg, 20) == 5);
  CHECK(get32(msg, 24) == msg.size());
  CHECK((msg.size() - 28 - 4 - 16 - 12) % 16 == 0);
  std::uint8_t first = 0;
  const auto ps = sk_payloads(msg, keys.sk_ei, keys.sk_ai, first);
  REQUIRE(ps.size() == 5);
  CHECK(ps[0].type == kPayloadNotify);
  CHECK(ps[0].body == Bytes{3, 4, 0x40, 0x09, 0xc0, 0, 0, 1});
  CHECK(ps[1].type == kPayloadSa);
  const Bytes& sa = ps[1].body;
  CHECK(get16(sa, 2) == sa.size());  // one proposal: its length is the payload's
  CHECK(sa[4] == 1);                 // proposal number
  CHECK(sa[5] == 3);                 // ESP
  CHECK(sa[6] == 4);                 // SPI size
  CHECK(sa[7] == 3);                 // transforms
  CHECK(get32(sa, 8) == 0xa1a1a1a1u);
  CHECK(Bytes(sa.begin() + 12, sa.begin() + 20) == Bytes{3, 0, 0, 8, 1, 0, 0, 11});  // ENCR_NULL
  CHECK(ps[2].type == kPayloadNonce);
  CHECK(ps[2].body == Bytes(16, 0x33));
  CHECK(ps[3].type == kPayloadTsi);
  CHECK(get32(ps[3].body, 12) == 0x0a010000u);
  CHECK(get32(ps[3].body, 16) == 0x0a01ffffu);
  CHECK(ps[4].type == kPayloadTsr);
  CHECK(get32(ps[4].body, 12) == 0x0a020000u);
}

TEST_CASE("IKEv2 responses use SK_er/SK_ar, Delete ESP and IKE, IKE rekey carries KE") {
  const IkeSaKeys keys = test_keys();
  Message d;
  d.exchange = ExchangeType::kInformational;
  d.is_response = false;
  d.message_id = 3;
  d.delete_protocol = ProtocolId::kEsp;
  d.delete_count = 2;
  d.delete_spis = {0x9181ea6f, 0x0a5e02dd, 0, 0};
  const Bytes msg = encode_ikev2(d, params(keys, false));
  CHECK(msg[19] == 0x00);  // not the original initiator, request
  std::uint8_t first = 0;
  auto ps = sk_payloads(msg, keys.sk_er, keys.sk_ar, first);
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].type == kPayloadDelete);
  CHECK(ps[0].body == Bytes{3, 4, 0, 2, 0x91, 0x81, 0xea, 0x6f, 0x0a, 0x5e, 0x02, 0xdd});

  d.delete_protocol = ProtocolId::kIke;
  d.delete_count = 0;
  d.is_response = true;
  const Bytes ike_del = encode_ikev2(d, params(keys, true));
  CHECK(ike_del[19] == 0x28);  // Initiator, Response
  ps = sk_payloads(ike_del, keys.sk_ei, keys.sk_ai, first);
  CHECK(ps[0].body == Bytes{1, 0, 0, 0});

  Message rekey;
  rekey.exchange = ExchangeType::kCreateChildSa;
  rekey.sa_protocol = ProtocolId::kIke;
  rekey.sa_spi = 0x0102030405060708;
  rekey.has_nonce = true;
  const Bytes r = encode_ikev2(rekey, params(keys, true));
  ps = sk_payloads(r, keys.sk_ei, keys.sk_ai, first);
  REQUIRE(ps.size() == 3);
  CHECK(ps[0].type == kPayloadSa);
  CHECK(ps[0].body[5] == 1);  // IKE
  CHECK(ps[0].body[6] == 8);  // SPI size 8
  CHECK(ps[0].body[7] == 4);  // ENCR, PRF, INTEG, D-H
  CHECK(get32(ps[0].body, 8) == 0x01020304u);
  CHECK(ps[2].type == kPayloadKe);
  CHECK(get16(ps[2].body, 0) == kDhGroup);
  CHECK(ps[2].body.size() == 4 + kDhGroupOctets);

  EncodeParams no_keys = params(keys, true);
  no_keys.keys = nullptr;
  CHECK_THROWS_AS(encode_ikev2(rekey, no_keys), std::invalid_argument);
}

TEST_CASE("IKE_SA_INIT request: not encrypted, responder SPI 0, SA (SPI size 0) KE Nonce") {
  Message m;
  m.exchange = ExchangeType::kIkeSaInit;
  m.sa_protocol = ProtocolId::kIke;
  m.sa_spi = 0x1111222233334444;
  m.has_nonce = true;
  EncodeParams p = params(test_keys(), true);
  p.responder_spi = 0;
  p.keys = nullptr;
  const Bytes msg = encode_ikev2(m, p);
  CHECK(get32(msg, 8) == 0);
  CHECK(msg[16] == kPayloadSa);
  const Bytes body(msg.begin() + 28, msg.end());
  const auto ps = parse_chain(body, kPayloadSa);
  REQUIRE(ps.size() == 3);
  CHECK(ps[0].body[6] == 0);
  CHECK(ps[1].type == kPayloadKe);
  CHECK(ps[2].type == kPayloadNonce);
}

TEST_CASE("ESP: SPI, sequence number, inner IPv4, 4-octet alignment, next header 4, ICV") {
  const Bytes key(20, 0x5a);
  const EspPacket p{sim::seconds(1), models::PeerId::kA, 0x9181ea6f, 17};
  const Bytes esp = encode_esp(p, 0x0a010001, 0x0a020001, 600, key);
  CHECK(get32(esp, 0) == 0x9181ea6fu);
  CHECK(get32(esp, 4) == 17u);
  CHECK(esp[8] == 0x45);
  CHECK(get16(esp, 10) == 600);
  const std::size_t body = esp.size() - 12;
  CHECK(body % 4 == 0);
  CHECK(esp[body - 1] == 4);
  const std::size_t pad = esp[body - 2];
  CHECK(8 + 600 + pad + 2 == body);
  const Bytes mac = hmac_sha1(key, Bytes(esp.begin(), esp.begin() + body));
  CHECK(Bytes(mac.begin(), mac.begin() + 12) == Bytes(esp.begin() + body, esp.end()));
}

TEST_CASE("Key material is a function of (seed, trial, label, id) only") {
  CHECK(KeyDeriver(42, 0).derive("SK_ei", 7, 16) == KeyDeriver(42, 0).derive("SK_ei", 7, 16));
  CHECK(KeyDeriver(42, 0).derive("SK_ei", 7, 16) != KeyDeriver(42, 1).derive("SK_ei", 7, 16));
  CHECK(KeyDeriver(42, 0).derive("SK_ei", 7, 16) != KeyDeriver(43, 0).derive("SK_ei", 7, 16));
  CHECK(KeyDeriver(42, 0).derive("SK_ei", 7, 16) != KeyDeriver(42, 0).derive("SK_er", 7, 16));
  CHECK(KeyDeriver(42, 0).derive("KE", 1, 256).size() == 256);
  // AES-CBC round trip.
  const Bytes k(16, 1), iv(16, 2), plain(48, 3);
  CHECK(aes128_cbc_decrypt(k, iv, aes128_cbc_encrypt(k, iv, plain)) == plain);
  CHECK_THROWS_AS(aes128_cbc_encrypt(k, iv, Bytes(15, 0)), std::invalid_argument);
}
