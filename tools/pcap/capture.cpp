#include "tools/pcap/capture.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <vector>

#include "models/world/world.hpp"
#include "tools/pcap/esp_packets.hpp"
#include "tools/pcap/ike_crypto.hpp"
#include "tools/pcap/ike_sas.hpp"
#include "tools/pcap/ip_packets.hpp"
#include "tools/pcap/pcap_writer.hpp"

namespace rekeysim::pcap {

namespace {

using models::PeerId;
using models::TraceKind;

constexpr std::uint16_t kIkePort = 500;

std::string hex(const Bytes& b) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (std::uint8_t x : b) {
    s += kDigits[x >> 4];
    s += kDigits[x & 15];
  }
  return s;
}

std::string hex64(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// One packet of the capture before it is framed, ordered by send time; at equal
// times IKE before ESP, then in trace order.
struct Pending {
  sim::SimTime time;
  int klass;  // 0 IKE, 1 ESP
  std::size_t index;
  PeerId sender;
  std::uint8_t protocol;
  Bytes payload;  // UDP payload (IKE) or ESP payload; protocol 0: the whole IPv4 packet
};

class Builder {
 public:
  Builder(std::span<const models::TraceRecord> trial, const CaptureOptions& o)
      : o_(o), keys_(o.scenario_seed, o.trial_index), ikes_(trial, keys_) {}

  IkeSaKeys& ike_keys(std::uint64_t id) {
    auto [it, fresh] = ike_keys_.try_emplace(id);
    if (fresh) {
      it->second = {keys_.derive("SK_ei", id, 16), keys_.derive("SK_er", id, 16),
                    keys_.derive("SK_ai", id, 20), keys_.derive("SK_ar", id, 20)};
      ike_order_.push_back(id);
    }
    return it->second;
  }

  Bytes ike_message(const models::TraceRecord& r) {
    const models::Message& m = r.message;
    const IkeSaIdentity sa = ikes_.find(m.ike_sa);
    const bool init_request = m.exchange == models::ExchangeType::kIkeSaInit && !m.is_response;
    const PeerId requester = m.is_response ? models::other(r.peer) : r.peer;
    // Distinct per message and direction, identical for a retransmission
    // (RFC 7296 2.1: retransmitted bitwise identical).
    const std::uint64_t msg_id = m.ike_sa ^ (std::uint64_t{m.message_id} << 33) ^
                                 (std::uint64_t{m.is_response} << 32) ^
                                 (std::uint64_t{r.peer == PeerId::kB} << 31);
    EncodeParams p;
    p.initiator_spi = m.ike_sa;
    p.responder_spi = init_request ? 0 : sa.responder_spi;
    p.from_original_initiator = r.peer == sa.original_initiator;
    p.ts_initiator = requester == PeerId::kA ? o_.a_subnet : o_.b_subnet;
    p.ts_responder = requester == PeerId::kA ? o_.b_subnet : o_.a_subnet;
    p.sender_address = address(r.peer);
    p.ke_data = keys_.derive("KE", msg_id, kDhGroupOctets);
    p.auth_data = keys_.derive("AUTH", msg_id, 20);
    p.iv = keys_.derive("IV", msg_id, 16);
    if (m.exchange != models::ExchangeType::kIkeSaInit) p.keys = &ike_keys(m.ike_sa);
    return encode_ikev2(m, p);
  }

  std::uint32_t address(PeerId p) const { return p == PeerId::kA ? o_.a_address : o_.b_address; }

  std::string ikev2_table() const {
    std::string s;
    for (std::uint64_t id : ike_order_) {
      const IkeSaKeys& k = ike_keys_.at(id);
      s += hex64(id) + "," + hex64(ikes_.find(id).responder_spi) + "," + hex(k.sk_ei) + "," +
           hex(k.sk_er) + ",\"AES-CBC-128 [RFC3602]\"," + hex(k.sk_ai) + "," + hex(k.sk_ar) +
           ",\"HMAC_SHA1_96 [RFC2404]\"\n";
    }
    return s;
  }

  // Keyed by (sender, SPI): each peer picks its inbound SPIs on its own, so
  // the two directions could in principle share a value.
  const Bytes& esp_key(PeerId sender, std::uint32_t spi) {
    auto [it, fresh] = esp_keys_.try_emplace({sender, spi});
    if (fresh) {
      const std::uint64_t id = (std::uint64_t{sender == PeerId::kB} << 32) | spi;
      it->second = keys_.derive("ESP-integ", id, 20);
      esp_order_.push_back({sender, spi});
    }
    return it->second;
  }

  std::string esp_table() const {
    std::string s;
    for (const auto& [sender, spi] : esp_order_) {
      char spi_text[16];
      std::snprintf(spi_text, sizeof spi_text, "0x%08x", spi);
      s += "\"IPv4\",\"" + format_ipv4(address(sender)) + "\",\"" +
           format_ipv4(address(models::other(sender))) + "\",\"" + spi_text +
           "\",\"NULL\",\"\",\"HMAC-SHA-1-96 [RFC2404]\",\"0x" + hex(esp_keys_.at({sender, spi})) +
           "\"\n";
    }
    return s;
  }

  const KeyDeriver& keys() const { return keys_; }

 private:
  const CaptureOptions& o_;
  KeyDeriver keys_;
  IkeSaDirectory ikes_;
  std::map<std::uint64_t, IkeSaKeys> ike_keys_;
  std::vector<std::uint64_t> ike_order_;  // first appearance in the capture
  std::map<std::pair<PeerId, std::uint32_t>, Bytes> esp_keys_;
  std::vector<std::pair<PeerId, std::uint32_t>> esp_order_;
};

}  // namespace

std::string format_ipv4(std::uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." +
         std::to_string((a >> 8) & 255) + "." + std::to_string(a & 255);
}

Capture build_capture(std::span<const models::TraceRecord> whole_trial, const CaptureOptions& o) {
  Builder b(whole_trial, o);
  std::vector<Pending> pending;
  for (std::size_t i = 0; i < whole_trial.size(); ++i) {
    const auto& r = whole_trial[i];
    if (r.time < o.from || r.time > o.to) continue;
    if (r.kind != TraceKind::kMessageSent && r.kind != TraceKind::kRetransmit) continue;
    pending.push_back({r.time, 0, i, r.peer, kIpProtoUdp, b.ike_message(r)});
  }
  Capture c;
  c.ike_packets = pending.size();
  // The links' down windows exactly as the world draws them for this trial.
  const std::uint64_t down_seed =
      sim::Rng::for_stream(o.scenario_seed, o.trial_index, models::world::kLinkDownStream).next();
  const models::world::Link link_a(o.network.a_to_b, down_seed);
  const models::world::Link link_b(o.network.b_to_a, down_seed);
  EspSenders senders;
  senders.no_sa = o.no_sa;
  senders.links = {&link_a, &link_b};
  const auto esp = derive_esp_packets(whole_trial, o.traffic, o.from, o.to, b.keys(), senders);
  std::uint16_t clear_id[2] = {0, 0};  // IPv4 Identification of the leaked packets, per sender
  for (std::size_t i = 0; i < esp.size(); ++i) {
    const EspPacket& p = esp[i];
    const bool from_a = p.sender == PeerId::kA;
    const models::FlowConfig& flow = from_a ? o.traffic.a_to_b : o.traffic.b_to_a;
    // Inner hosts: the first address of each protected network.
    const std::uint32_t src = (from_a ? o.a_subnet : o.b_subnet).first + 1;
    const std::uint32_t dst = (from_a ? o.b_subnet : o.a_subnet).first + 1;
    if (p.link_down) {
      ++c.link_down_packets;
      const models::world::Link& l = from_a ? link_a : link_b;
      if (const auto w = l.next_down(p.time)) {
        const std::pair<sim::SimTime, sim::SimTime> span{w->start, w->end};
        if (std::find(c.link_down_windows.begin(), c.link_down_windows.end(), span) ==
            c.link_down_windows.end()) {
          c.link_down_windows.push_back(span);
        }
      }
    }
    if (p.spi == 0) {
      ++c.cleartext_packets;
      pending.push_back({p.time, 1, i, p.sender, 0,
                         inner_packet(src, dst, flow.size_bytes, ++clear_id[from_a ? 0 : 1])});
      continue;
    }
    pending.push_back({p.time, 1, i, p.sender, kIpProtoEsp,
                       encode_esp(p, src, dst, flow.size_bytes, b.esp_key(p.sender, p.spi))});
  }
  std::sort(c.link_down_windows.begin(), c.link_down_windows.end());
  c.esp_packets = esp.size();
  std::stable_sort(pending.begin(), pending.end(), [](const Pending& x, const Pending& y) {
    if (x.time != y.time) return x.time < y.time;
    if (x.klass != y.klass) return x.klass < y.klass;
    return x.index < y.index;
  });
  PcapWriter w;
  std::uint16_t ip_id[2] = {0, 0};  // IPv4 Identification, a counter per sender
  for (const Pending& p : pending) {
    if (p.protocol == 0) {
      w.add(o.epoch_unix_ns + p.time.ns(), p.payload);
      continue;
    }
    const std::uint32_t src = b.address(p.sender);
    const std::uint32_t dst = b.address(models::other(p.sender));
    const Bytes l4 = p.protocol == kIpProtoUdp
                         ? udp_datagram(src, dst, kIkePort, kIkePort, p.payload)
                         : p.payload;
    auto& id = ip_id[p.sender == PeerId::kA ? 0 : 1];
    w.add(o.epoch_unix_ns + p.time.ns(), ipv4_packet(src, dst, p.protocol, ++id, l4));
  }
  c.pcap = w.bytes();
  c.ikev2_decryption_table = b.ikev2_table();
  c.esp_sa = b.esp_table();
  return c;
}

}  // namespace rekeysim::pcap
