// Hand-built traces for the view tests, written the way the IKEv2 model
// reports them (models/trace.hpp): one record per observable step, sends at
// the sender, receives at the receiver, a 16 ms one-way delay.
#pragma once

#include <vector>

#include "models/trace.hpp"
#include "sim/time.hpp"

namespace synthetic {

using models::ExchangeType;
using models::NotifyType;
using models::PeerId;
using models::ProtocolId;
using models::TraceKind;
using models::TraceRecord;

class TraceWriter {
 public:
  explicit TraceWriter(sim::SimTime start) : now_(start) {}

  TraceWriter& at(sim::SimTime t) {
    now_ = t;
    return *this;
  }
  TraceWriter& after(sim::SimTime d) {
    now_ += d;
    return *this;
  }
  sim::SimTime now() const { return now_; }

  TraceRecord& add(PeerId p, TraceKind k) {
    TraceRecord r;
    r.time = now_;
    r.peer = p;
    r.kind = k;
    records_.push_back(r);
    return records_.back();
  }
  void sa(PeerId p, TraceKind k, std::uint32_t in, std::uint32_t out) {
    TraceRecord& r = add(p, k);
    r.spi_in = in;
    r.spi_out = out;
  }
  void send(PeerId p, const models::Message& m, TraceKind k = TraceKind::kMessageSent) {
    add(p, k).message = m;
  }
  void receive(PeerId p, const models::Message& m) {
    add(p, TraceKind::kMessageReceived).message = m;
  }

  const std::vector<TraceRecord>& records() const { return records_; }
  TraceRecord& records_back() { return records_.back(); }

 private:
  sim::SimTime now_;
  std::vector<TraceRecord> records_;
};

inline models::Message rekey_request(std::uint32_t mid, std::uint32_t rekey_spi,
                                     std::uint32_t new_spi, std::uint8_t nonce_first) {
  models::Message m;
  m.exchange = ExchangeType::kCreateChildSa;
  m.message_id = mid;
  m.ike_sa = 0x1111222233334444ull;
  m.notify = NotifyType::kRekeySa;
  m.notify_spi = rekey_spi;
  m.sa_protocol = ProtocolId::kEsp;
  m.sa_spi = new_spi;
  m.has_nonce = true;
  m.nonce.bytes.fill(0x5a);
  m.nonce.bytes[0] = nonce_first;
  m.has_ts = true;
  return m;
}

inline models::Message rekey_response(std::uint32_t mid, std::uint32_t new_spi,
                                      std::uint8_t nonce_first) {
  models::Message m;
  m.exchange = ExchangeType::kCreateChildSa;
  m.is_response = true;
  m.message_id = mid;
  m.ike_sa = 0x1111222233334444ull;
  m.sa_protocol = ProtocolId::kEsp;
  m.sa_spi = new_spi;
  m.has_nonce = true;
  m.nonce.bytes.fill(0xa5);
  m.nonce.bytes[0] = nonce_first;
  m.has_ts = true;
  return m;
}

inline models::Message informational(std::uint32_t mid, bool response, std::uint32_t delete_spi) {
  models::Message m;
  m.exchange = ExchangeType::kInformational;
  m.is_response = response;
  m.message_id = mid;
  m.ike_sa = 0x1111222233334444ull;
  if (delete_spi != 0) {
    m.delete_protocol = ProtocolId::kEsp;
    m.delete_count = 1;
    m.delete_spis[0] = delete_spi;
  }
  return m;
}

constexpr sim::SimTime kOneWay = sim::milliseconds(16);

// A normal Child SA rekey, A initiating (RFC 7296 1.3.3 then 1.4.1):
// old pair A c0000001/c0000002, new pair A a1a1a1a1/b2b2b2b2.
inline std::vector<TraceRecord> normal_rekey() {
  const auto A = PeerId::kA;
  const auto B = PeerId::kB;
  TraceWriter w(sim::hours(7) + sim::minutes(51));
  w.sa(A, TraceKind::kRekeyStarted, 0xc0000001, 0xc0000002);
  w.records_back().new_spi_in = 0xa1a1a1a1;
  const auto req = rekey_request(5, 0xc0000001, 0xa1a1a1a1, 0x40);
  w.send(A, req);
  w.after(kOneWay).receive(B, req);
  w.sa(B, TraceKind::kChildSaInstalled, 0xb2b2b2b2, 0xa1a1a1a1);
  const auto resp = rekey_response(5, 0xb2b2b2b2, 0x80);
  w.send(B, resp);
  w.after(kOneWay).receive(A, resp);
  w.sa(A, TraceKind::kChildSaInstalled, 0xa1a1a1a1, 0xb2b2b2b2);
  w.sa(A, TraceKind::kOutboundSwitched, 0xa1a1a1a1, 0xb2b2b2b2);
  {
    TraceRecord& r = w.add(A, TraceKind::kRekeyCompleted);
    r.spi_in = 0xc0000001;
    r.spi_out = 0xc0000002;
    r.new_spi_in = 0xa1a1a1a1;
    r.new_spi_out = 0xb2b2b2b2;
  }
  const auto del = informational(6, false, 0xc0000001);
  w.send(A, del);
  w.after(kOneWay).receive(B, del);
  w.sa(B, TraceKind::kOutboundRemoved, 0xc0000002, 0xc0000001);
  w.sa(B, TraceKind::kOutboundSwitched, 0xb2b2b2b2, 0xa1a1a1a1);
  {
    TraceRecord& r = w.add(B, TraceKind::kRekeyCompleted);
    r.spi_in = 0xc0000002;
    r.spi_out = 0xc0000001;
    r.new_spi_in = 0xb2b2b2b2;
    r.new_spi_out = 0xa1a1a1a1;
  }
  const auto del_resp = informational(6, true, 0xc0000002);
  w.send(B, del_resp);
  w.after(kOneWay).receive(A, del_resp);
  w.sa(A, TraceKind::kOutboundRemoved, 0xc0000001, 0xc0000002);
  // Old inbound halves kept 5 s after the DELETE exchange (strongSwan delete_rekeyed_delay).
  w.after(sim::seconds(5) - kOneWay);
  w.sa(B, TraceKind::kInboundRemoved, 0xc0000002, 0);
  w.sa(B, TraceKind::kChildSaDeleted, 0xc0000002, 0xc0000001);
  w.after(kOneWay);
  w.sa(A, TraceKind::kInboundRemoved, 0xc0000001, 0);
  w.sa(A, TraceKind::kChildSaDeleted, 0xc0000001, 0xc0000002);
  return w.records();
}

// Both peers rekey the same Child SA at the same instant (RFC 7296 2.8.1).
// A's exchange carries the lowest nonce (Ni 0x10), so A loses: A deletes its
// redundant SA a2a2a2a2/b3b3b3b3, B (winner) deletes the old SA.
// Old pair: A c0000001/c0000002 (B c0000002/c0000001).
inline std::vector<TraceRecord> simultaneous_rekey() {
  const auto A = PeerId::kA;
  const auto B = PeerId::kB;
  TraceWriter w(sim::hours(7) + sim::minutes(51));
  w.sa(A, TraceKind::kRekeyStarted, 0xc0000001, 0xc0000002);
  w.records_back().new_spi_in = 0xa2a2a2a2;
  const auto req_a = rekey_request(6, 0xc0000001, 0xa2a2a2a2, 0x10);
  w.send(A, req_a);
  w.after(sim::microseconds(300));
  w.sa(B, TraceKind::kRekeyStarted, 0xc0000002, 0xc0000001);
  w.records_back().new_spi_in = 0xb2b2b2b2;
  const auto req_b = rekey_request(8, 0xc0000002, 0xb2b2b2b2, 0x90);
  w.send(B, req_b);
  // Each receives the other's request while its own is outstanding.
  w.at(w.now() + kOneWay - sim::microseconds(300)).receive(B, req_a);
  {
    TraceRecord& r = w.add(B, TraceKind::kCollisionDetected);
    r.collision = models::CollisionKind::kSimultaneousChildRekey;
  }
  w.sa(B, TraceKind::kChildSaInstalled, 0xb3b3b3b3, 0xa2a2a2a2);
  const auto resp_b = rekey_response(6, 0xb3b3b3b3, 0x70);
  w.send(B, resp_b);
  w.after(sim::microseconds(300)).receive(A, req_b);
  {
    TraceRecord& r = w.add(A, TraceKind::kCollisionDetected);
    r.collision = models::CollisionKind::kSimultaneousChildRekey;
  }
  w.sa(A, TraceKind::kChildSaInstalled, 0xa3a3a3a3, 0xb2b2b2b2);
  const auto resp_a = rekey_response(8, 0xa3a3a3a3, 0x60);
  w.send(A, resp_a);
  // A completes its exchange: lowest nonce (0x10) is in A's exchange, A lost.
  w.after(kOneWay - sim::microseconds(300)).receive(A, resp_b);
  w.sa(A, TraceKind::kChildSaInstalled, 0xa2a2a2a2, 0xb3b3b3b3);
  {
    TraceRecord& r = w.add(A, TraceKind::kCollisionResolved);
    r.collision = models::CollisionKind::kSimultaneousChildRekey;
    r.won = false;
    r.spi_in = 0xc0000001;
    r.spi_out = 0xc0000002;
    r.new_spi_in = 0xa3a3a3a3;  // the surviving SA at A: the one B's exchange created
    r.new_spi_out = 0xb2b2b2b2;
  }
  const auto del_a = informational(7, false, 0xa2a2a2a2);
  w.send(A, del_a);
  w.after(sim::microseconds(300)).receive(B, resp_a);
  w.sa(B, TraceKind::kChildSaInstalled, 0xb2b2b2b2, 0xa3a3a3a3);
  {
    TraceRecord& r = w.add(B, TraceKind::kCollisionResolved);
    r.collision = models::CollisionKind::kSimultaneousChildRekey;
    r.won = true;
    r.spi_in = 0xc0000002;
    r.spi_out = 0xc0000001;
    r.new_spi_in = 0xb2b2b2b2;
    r.new_spi_out = 0xa3a3a3a3;
  }
  w.sa(B, TraceKind::kOutboundSwitched, 0xb2b2b2b2, 0xa3a3a3a3);
  const auto del_b = informational(9, false, 0xc0000002);
  w.send(B, del_b);
  // B answers A's DELETE of the redundant SA; A answers B's DELETE of the old SA.
  w.after(kOneWay - sim::microseconds(300)).receive(B, del_a);
  w.sa(B, TraceKind::kInboundRemoved, 0xb3b3b3b3, 0);
  w.sa(B, TraceKind::kChildSaDeleted, 0xb3b3b3b3, 0xa2a2a2a2);
  const auto del_a_resp = informational(7, true, 0xb3b3b3b3);
  w.send(B, del_a_resp);
  w.after(sim::microseconds(300)).receive(A, del_b);
  w.sa(A, TraceKind::kOutboundRemoved, 0xc0000001, 0xc0000002);
  w.sa(A, TraceKind::kOutboundSwitched, 0xa3a3a3a3, 0xb2b2b2b2);
  const auto del_b_resp = informational(9, true, 0xc0000001);
  w.send(A, del_b_resp);
  w.after(kOneWay - sim::microseconds(300)).receive(A, del_a_resp);
  w.sa(A, TraceKind::kInboundRemoved, 0xa2a2a2a2, 0);
  w.sa(A, TraceKind::kChildSaDeleted, 0xa2a2a2a2, 0xb3b3b3b3);
  w.after(sim::microseconds(300)).receive(B, del_b_resp);
  w.sa(B, TraceKind::kOutboundRemoved, 0xc0000002, 0xc0000001);
  return w.records();
}

// The PAN-OS KB incident (crossing DELETEs of one SA, both peers forgetting
// the SA as soon as they send their own DELETE, RFC 7296 1.4.1 not applied).
// Timed like the KB log: A (the firewall) sends at 03:32:18.287 local time,
// B's DELETE for the same SA arrives 32 ms later and A logs "can't find sa".
// A's pair: in 0xD3A1BD45, out 0xD6B2C300.
inline sim::SimTime kb_incident_time() {
  return sim::hours(3) + sim::minutes(32) + sim::seconds(18) + sim::milliseconds(287);
}
inline std::vector<TraceRecord> crossing_deletes() {
  const auto A = PeerId::kA;
  const auto B = PeerId::kB;
  TraceWriter w(kb_incident_time());
  const auto del_a = informational(0x344, false, 0xD3A1BD45);
  w.send(A, del_a);
  w.sa(A, TraceKind::kInboundRemoved, 0xD3A1BD45, 0);
  w.sa(A, TraceKind::kOutboundRemoved, 0xD3A1BD45, 0xD6B2C300);
  w.sa(A, TraceKind::kChildSaDeleted, 0xD3A1BD45, 0xD6B2C300);
  // B sends its own DELETE before A's arrives.
  w.after(sim::milliseconds(16));
  const auto del_b = informational(0x2b, false, 0xD6B2C300);
  w.send(B, del_b);
  w.sa(B, TraceKind::kInboundRemoved, 0xD6B2C300, 0);
  w.sa(B, TraceKind::kOutboundRemoved, 0xD6B2C300, 0xD3A1BD45);
  w.sa(B, TraceKind::kChildSaDeleted, 0xD6B2C300, 0xD3A1BD45);
  w.after(sim::milliseconds(4)).receive(B, del_a);
  {
    TraceRecord& r = w.add(B, TraceKind::kDeleteForUnknownSpi);
    r.spi_in = 0xD3A1BD45;
  }
  const auto resp_b = informational(0x344, true, 0);
  w.send(B, resp_b);
  w.at(kb_incident_time() + sim::milliseconds(32)).receive(A, del_b);
  {
    TraceRecord& r = w.add(A, TraceKind::kDeleteForUnknownSpi);
    r.spi_in = 0xD6B2C300;
  }
  const auto resp_a = informational(0x2b, true, 0);
  w.send(A, resp_a);
  w.after(sim::milliseconds(4)).receive(A, resp_b);
  {
    TraceRecord& r = w.add(B, TraceKind::kEspDropped);
    r.spi_in = 0xD6B2C300;
    r.count = 12;
  }
  w.after(sim::milliseconds(12)).receive(B, resp_a);
  return w.records();
}

}  // namespace synthetic
