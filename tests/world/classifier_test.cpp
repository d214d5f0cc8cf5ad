// The outcome classifier on hand-written traces: episodes, collisions,
// can't-find-SA, outages with exact downtime, redundant SAs.
#include <catch2/catch.hpp>

#include <vector>

#include "models/world/outcome_classifier.hpp"

using models::ExchangeType;
using models::Message;
using models::NotifyType;
using models::Outcome;
using models::PeerId;
using models::ProtocolId;
using models::TraceKind;
using models::TraceRecord;
using models::world::OutcomeClassifier;
using sim::milliseconds;
using sim::SimTime;

namespace {
constexpr PeerId A = PeerId::kA;
constexpr PeerId B = PeerId::kB;

// A small trace writer: each call appends one record at time t.
struct Trace {
  OutcomeClassifier c;
  void add(SimTime t, PeerId p, TraceKind k, std::uint32_t in = 0, std::uint32_t out = 0) {
    TraceRecord r;
    r.time = t;
    r.peer = p;
    r.kind = k;
    r.spi_in = in;
    r.spi_out = out;
    c.record(r);
  }
  void msg(SimTime t, PeerId p, TraceKind k, const Message& m) {
    TraceRecord r;
    r.time = t;
    r.peer = p;
    r.kind = k;
    r.message = m;
    c.record(r);
  }
  void installed(SimTime t, PeerId p, std::uint32_t in, std::uint32_t out) {
    add(t, p, TraceKind::kChildSaInstalled, in, out);
  }
  void switched(SimTime t, PeerId p, std::uint32_t out) {
    add(t, p, TraceKind::kOutboundSwitched, 0, out);
  }
  void deleted(SimTime t, PeerId p, std::uint32_t in, std::uint32_t out) {
    add(t, p, TraceKind::kChildSaDeleted, in, out);
  }
  // One exchange: request sent at t by p, received d later, answered, response received 2d after t.
  void exchange(SimTime t, SimTime d, PeerId p, const Message& req) {
    Message rsp = req;
    rsp.is_response = true;
    msg(t, p, TraceKind::kMessageSent, req);
    msg(t + d, other(p), TraceKind::kMessageReceived, req);
    msg(t + d, other(p), TraceKind::kMessageSent, rsp);
    msg(t + d + d, p, TraceKind::kMessageReceived, rsp);
  }
  std::uint64_t count(Outcome o) const { return c.outcome().count(o); }
  std::uint64_t with(Outcome o) const { return c.outcome().episodes_affected(o); }
};

Message rekey_request(std::uint32_t id, std::uint32_t spi) {
  Message m;
  m.exchange = ExchangeType::kCreateChildSa;
  m.message_id = id;
  m.ike_sa = 1;
  m.sa_protocol = ProtocolId::kEsp;
  m.notify = NotifyType::kRekeySa;
  m.notify_spi = spi;
  return m;
}
Message delete_request(std::uint32_t id, std::uint32_t spi) {
  Message m;
  m.exchange = ExchangeType::kInformational;
  m.message_id = id;
  m.ike_sa = 1;
  m.delete_protocol = ProtocolId::kEsp;
  m.delete_count = 1;
  m.delete_spis[0] = spi;
  return m;
}
Message response(Message m) {
  m.is_response = true;
  return m;
}

// Both peers hold the pair (A in 0xA1, B in 0xB1).
void established(Trace& t) {
  t.installed(SimTime{}, A, 0xA1, 0xB1);
  t.switched(SimTime{}, A, 0xB1);
  t.installed(SimTime{}, B, 0xB1, 0xA1);
  t.switched(SimTime{}, B, 0xA1);
}

// RFC 7296 1.3.3 + 2.8: A rekeys (a1,b1) into (a2,b2) and deletes the old pair.
void clean_rekey(Trace& t, SimTime t0, std::uint32_t id, std::uint32_t a_old, std::uint32_t b_old,
                 std::uint32_t a_new, std::uint32_t b_new) {
  const SimTime d = milliseconds(16);
  const Message req = rekey_request(id, a_old);
  t.add(t0, A, TraceKind::kRekeyStarted, a_old, b_old);
  t.msg(t0, A, TraceKind::kMessageSent, req);
  t.msg(t0 + d, B, TraceKind::kMessageReceived, req);
  t.installed(t0 + d, B, b_new, a_new);  // inbound ready before answering
  t.msg(t0 + d, B, TraceKind::kMessageSent, response(req));
  t.msg(t0 + d * 2, A, TraceKind::kMessageReceived, response(req));
  t.installed(t0 + d * 2, A, a_new, b_new);
  t.switched(t0 + d * 2, A, b_new);
  TraceRecord done;
  done.time = t0 + d * 2;
  done.peer = A;
  done.kind = TraceKind::kRekeyCompleted;
  done.spi_in = a_old;
  done.spi_out = b_old;
  done.new_spi_in = a_new;
  done.new_spi_out = b_new;
  t.c.record(done);
  const Message del = delete_request(id + 1, a_old);
  t.msg(t0 + d * 2, A, TraceKind::kMessageSent, del);
  t.msg(t0 + d * 3, B, TraceKind::kMessageReceived, del);
  t.switched(t0 + d * 3, B, a_new);  // RFC 7296 2.8: responder switches on the old SA's DELETE
  t.deleted(t0 + d * 3, B, b_old, a_old);
  t.msg(t0 + d * 3, B, TraceKind::kMessageSent, response(del));
  t.msg(t0 + d * 4, A, TraceKind::kMessageReceived, response(del));
  t.deleted(t0 + d * 4, A, a_old, b_old);
}
}  // namespace

TEST_CASE("Classifier: a clean rekey is one episode, one child rekey, no collision, no outage") {
  Trace t;
  established(t);
  clean_rekey(t, sim::seconds(100), 0, 0xA1, 0xB1, 0xA2, 0xB2);
  CHECK(t.c.episodes_closed() == 1);
  CHECK(t.count(Outcome::kChildRekeys) == 1);
  CHECK(t.with(Outcome::kChildRekeys) == 1);
  CHECK(t.count(Outcome::kCollisions) == 0);
  CHECK(t.count(Outcome::kOutages) == 0);
  CHECK(t.count(Outcome::kDowntime) == 0);
  CHECK(t.count(Outcome::kRedundantSas) == 0);
  CHECK(t.count(Outcome::kCantFindSa) == 0);
  t.c.finish(sim::seconds(200));
  CHECK(t.c.outcome().episodes == 1);
  CHECK(t.c.outcome().simulated == sim::seconds(200));
}

TEST_CASE("Classifier: memory stays bounded over many rekey episodes") {
  Trace t;
  established(t);
  std::uint32_t a = 0xA1, b = 0xB1;
  for (std::uint32_t i = 0; i < 5000; ++i) {
    clean_rekey(t, sim::seconds(100) * (i + 1), 2 * i, a, b, a + 0x100, b + 0x100);
    a += 0x100;
    b += 0x100;
    REQUIRE(t.c.tracked_pairs() <= 2);
    REQUIRE(t.c.open_episodes() == 0);
    REQUIRE(t.c.outstanding_requests(A) == 0);
  }
  CHECK(t.c.episodes_closed() == 5000);
  CHECK(t.count(Outcome::kChildRekeys) == 5000);
  CHECK(t.count(Outcome::kCollisions) == 0);
}

TEST_CASE("Classifier: RFC 7296 1.4.1 crossing DELETEs are a collision") {
  Trace t;
  established(t);
  const SimTime d = milliseconds(16);
  const SimTime t0 = sim::seconds(50);
  const Message da = delete_request(0, 0xA1);
  const Message db = delete_request(0, 0xB1);
  t.msg(t0, A, TraceKind::kMessageSent, da);
  t.msg(t0 + milliseconds(1), B, TraceKind::kMessageSent, db);
  // Each removes the outgoing half on the peer's request, the incoming on its response.
  t.msg(t0 + d, B, TraceKind::kMessageReceived, da);
  t.add(t0 + d, B, TraceKind::kOutboundRemoved, 0, 0xA1);
  t.msg(t0 + d, B, TraceKind::kMessageSent, response(da));
  t.msg(t0 + d + milliseconds(1), A, TraceKind::kMessageReceived, db);
  t.add(t0 + d + milliseconds(1), A, TraceKind::kOutboundRemoved, 0, 0xB1);
  t.msg(t0 + d + milliseconds(1), A, TraceKind::kMessageSent, response(db));
  t.msg(t0 + d * 2, A, TraceKind::kMessageReceived, response(da));
  t.deleted(t0 + d * 2, A, 0xA1, 0xB1);
  CHECK(t.c.episodes_closed() == 0);  // B's DELETE still outstanding
  t.msg(t0 + d * 2 + milliseconds(1), B, TraceKind::kMessageReceived, response(db));
  t.deleted(t0 + d * 2 + milliseconds(1), B, 0xB1, 0xA1);
  CHECK(t.c.episodes_closed() == 1);
  CHECK(t.count(Outcome::kCollisions) == 1);
  CHECK(t.with(Outcome::kCollisions) == 1);
  CHECK(t.count(Outcome::kChildRekeys) == 0);
  // Both directions went down when the outgoing halves were removed and stay down.
  t.c.finish(t0 + sim::seconds(10));
  CHECK(t.count(Outcome::kOutages) == 2);
  CHECK(t.count(Outcome::kDowntime) ==
        static_cast<std::uint64_t>(
            (sim::seconds(10) - d + sim::seconds(10) - d - milliseconds(1)).ns()));
}

TEST_CASE("Classifier: a DELETE for an SPI the peer already forgot counts as cant_find_sa") {
  Trace t;
  established(t);
  const SimTime d = milliseconds(16);
  const SimTime t0 = sim::seconds(50);
  const Message da = delete_request(0, 0xA1);
  const Message db = delete_request(0, 0xB1);
  t.msg(t0, A, TraceKind::kMessageSent, da);
  // B (naive crossing-delete handling) forgets the SA as soon as it sends its own DELETE.
  t.msg(t0, B, TraceKind::kMessageSent, db);
  t.deleted(t0, B, 0xB1, 0xA1);
  t.msg(t0 + d, B, TraceKind::kMessageReceived, da);
  t.add(t0 + d, B, TraceKind::kDeleteForUnknownSpi,
        0xA1);  // "can't find sa for proto ESP spi 0xa1"
  t.msg(t0 + d, B, TraceKind::kMessageSent, response(da));
  t.msg(t0 + d, A, TraceKind::kMessageReceived, db);
  t.msg(t0 + d, A, TraceKind::kMessageSent, response(db));
  t.msg(t0 + d * 2, A, TraceKind::kMessageReceived, response(da));
  t.deleted(t0 + d * 2, A, 0xA1, 0xB1);
  t.msg(t0 + d * 2, B, TraceKind::kMessageReceived, response(db));
  CHECK(t.c.episodes_closed() == 1);
  CHECK(t.count(Outcome::kCantFindSa) == 1);
  CHECK(t.with(Outcome::kCantFindSa) == 1);
  CHECK(t.count(Outcome::kCollisions) == 1);
}

// ResponderOutboundSwitch::kOnRequest: the responder sends on the new SA before
// its response leaves. ESP and the response share the link, so the packets
// arrive behind the response that installs the SA: no outage. Packets that
// overtake it (jitter, reordering) are esp_dropped, in this episode.
TEST_CASE(
    "Classifier: a responder sending on the new SA with its response is no outage, drops that "
    "overtake the response belong to the episode") {
  Trace t;
  established(t);
  const SimTime d = milliseconds(16);
  const SimTime t0 = sim::seconds(100);
  const Message req = rekey_request(0, 0xA1);
  t.msg(t0, A, TraceKind::kMessageSent, req);
  t.msg(t0 + d, B, TraceKind::kMessageReceived, req);
  t.installed(t0 + d, B, 0xB2, 0xA2);
  t.switched(t0 + d, B, 0xA2);  // ResponderOutboundSwitch::kOnRequest
  t.msg(t0 + d, B, TraceKind::kMessageSent, response(req));
  t.msg(t0 + d * 2, A, TraceKind::kMessageReceived, response(req));
  t.installed(t0 + d * 2, A, 0xA2, 0xB2);
  t.switched(t0 + d * 2, A, 0xB2);
  CHECK(t.count(Outcome::kOutages) == 0);
  CHECK(t.count(Outcome::kDowntime) == 0);
  // Drops reported for the new SPI belong to this episode.
  TraceRecord drop;
  drop.time = t0 + d * 2;
  drop.peer = A;
  drop.kind = TraceKind::kEspDropped;
  drop.spi_in = 0xA2;
  drop.count = 3;
  t.c.record(drop);
  const Message del = delete_request(1, 0xA1);
  t.exchange(t0 + d * 2, d, A, del);
  t.deleted(t0 + d * 3, B, 0xB1, 0xA1);
  t.deleted(t0 + d * 4, A, 0xA1, 0xB1);
  CHECK(t.c.episodes_closed() == 1);
  CHECK(t.with(Outcome::kOutages) == 0);
  CHECK(t.count(Outcome::kEspDropped) == 3);
  CHECK(t.with(Outcome::kEspDropped) == 1);
  CHECK(t.count(Outcome::kChildRekeys) == 1);
}

TEST_CASE(
    "Classifier: RFC 7296 2.8.1 simultaneous rekey resolved by the nonce rule leaves no redundant "
    "SA") {
  Trace t;
  established(t);
  const SimTime d = milliseconds(16);
  const SimTime t0 = sim::seconds(100);
  const Message ra = rekey_request(0, 0xA1);
  const Message rb = rekey_request(0, 0xB1);
  t.msg(t0, A, TraceKind::kMessageSent, ra);
  t.msg(t0 + milliseconds(5), B, TraceKind::kMessageSent, rb);
  t.msg(t0 + d, B, TraceKind::kMessageReceived, ra);
  t.installed(t0 + d, B, 0xB2, 0xA2);
  t.msg(t0 + d, B, TraceKind::kMessageSent, response(ra));
  t.msg(t0 + d + milliseconds(5), A, TraceKind::kMessageReceived, rb);
  t.installed(t0 + d + milliseconds(5), A, 0xA3, 0xB3);
  t.msg(t0 + d + milliseconds(5), A, TraceKind::kMessageSent, response(rb));
  t.msg(t0 + d * 2, A, TraceKind::kMessageReceived, response(ra));
  t.installed(t0 + d * 2, A, 0xA2, 0xB2);
  t.switched(t0 + d * 2, A, 0xB2);
  t.msg(t0 + d * 2 + milliseconds(5), B, TraceKind::kMessageReceived, response(rb));
  t.installed(t0 + d * 2 + milliseconds(5), B, 0xB3, 0xA3);
  // A's exchange carried the lowest nonce... B's SA (a3,b3) is redundant: B
  // deletes it, A deletes the old pair (each DELETE names a different SA).
  const SimTime t1 = t0 + d * 2 + milliseconds(5);
  t.exchange(t1, d, B, delete_request(1, 0xB3));
  t.deleted(t1 + d, A, 0xA3, 0xB3);
  t.deleted(t1 + d * 2, B, 0xB3, 0xA3);
  t.exchange(t1, d, A, delete_request(1, 0xA1));
  t.switched(t1 + d, B, 0xA2);
  t.deleted(t1 + d, B, 0xB1, 0xA1);
  t.deleted(t1 + d * 2, A, 0xA1, 0xB1);
  CHECK(t.c.episodes_closed() == 1);
  CHECK(t.count(Outcome::kCollisions) == 1);
  CHECK(t.count(Outcome::kRedundantSas) == 0);
  CHECK(t.count(Outcome::kChildRekeys) == 1);
  CHECK(t.c.tracked_pairs() == 1);
}

TEST_CASE(
    "Classifier: a simultaneous rekey without tie-break (libreswan) leaves one redundant SA") {
  Trace t;
  established(t);
  const SimTime d = milliseconds(16);
  const SimTime t0 = sim::seconds(100);
  const Message ra = rekey_request(0, 0xA1);
  const Message rb = rekey_request(0, 0xB1);
  t.msg(t0, A, TraceKind::kMessageSent, ra);
  t.msg(t0, B, TraceKind::kMessageSent, rb);
  t.msg(t0 + d, B, TraceKind::kMessageReceived, ra);
  t.installed(t0 + d, B, 0xB2, 0xA2);
  t.msg(t0 + d, B, TraceKind::kMessageSent, response(ra));
  t.msg(t0 + d, A, TraceKind::kMessageReceived, rb);
  t.installed(t0 + d, A, 0xA3, 0xB3);
  t.msg(t0 + d, A, TraceKind::kMessageSent, response(rb));
  t.msg(t0 + d * 2, A, TraceKind::kMessageReceived, response(ra));
  t.installed(t0 + d * 2, A, 0xA2, 0xB2);
  t.msg(t0 + d * 2, B, TraceKind::kMessageReceived, response(rb));
  t.installed(t0 + d * 2, B, 0xB3, 0xA3);
  // Both keep both new SAs; each deletes the old one (crossing DELETEs of the old SA).
  const SimTime t1 = t0 + d * 2;
  t.msg(t1, A, TraceKind::kMessageSent, delete_request(1, 0xA1));
  t.msg(t1, B, TraceKind::kMessageSent, delete_request(1, 0xB1));
  t.msg(t1 + d, A, TraceKind::kMessageReceived, delete_request(1, 0xB1));
  t.msg(t1 + d, A, TraceKind::kMessageSent, response(delete_request(1, 0xB1)));
  t.msg(t1 + d, B, TraceKind::kMessageReceived, delete_request(1, 0xA1));
  t.msg(t1 + d, B, TraceKind::kMessageSent, response(delete_request(1, 0xA1)));
  t.msg(t1 + d * 2, A, TraceKind::kMessageReceived, response(delete_request(1, 0xA1)));
  t.deleted(t1 + d * 2, A, 0xA1, 0xB1);
  t.msg(t1 + d * 2, B, TraceKind::kMessageReceived, response(delete_request(1, 0xB1)));
  t.deleted(t1 + d * 2, B, 0xB1, 0xA1);
  CHECK(t.c.episodes_closed() == 1);
  CHECK(t.count(Outcome::kCollisions) == 1);
  CHECK(t.count(Outcome::kRedundantSas) == 1);
  CHECK(t.with(Outcome::kRedundantSas) == 1);
  CHECK(t.count(Outcome::kChildRekeys) == 1);
}

TEST_CASE("Classifier: a tunnel reset loses the Child SA (one episode) and counts a tunnel reset") {
  Trace t;
  established(t);
  t.add(sim::seconds(10), A, TraceKind::kTunnelDown);
  // B learns of the same loss (A's IKE DELETE or IKE_SA_INIT): still one reset.
  t.add(sim::seconds(10), B, TraceKind::kTunnelDown);
  CHECK(t.c.episodes_closed() == 1);
  CHECK(t.count(Outcome::kTunnelResets) == 1);
  CHECK(t.with(Outcome::kTunnelResets) == 1);
  CHECK(t.count(Outcome::kChildRekeys) == 0);
  // Re-established 2 s later: one outage per direction of exactly 2 s.
  t.installed(sim::seconds(12), A, 0xA5, 0xB5);
  t.installed(sim::seconds(12), B, 0xB5, 0xA5);
  t.add(sim::seconds(12), B, TraceKind::kTunnelUp);
  t.add(sim::seconds(12), A, TraceKind::kTunnelUp);
  CHECK(t.count(Outcome::kOutages) == 2);
  CHECK(t.count(Outcome::kDowntime) == static_cast<std::uint64_t>(sim::seconds(4).ns()));
  // A later, separate loss is a second reset, again reported by both peers.
  t.add(sim::seconds(100), B, TraceKind::kTunnelDown);
  t.add(sim::seconds(101), A, TraceKind::kTunnelDown);
  CHECK(t.count(Outcome::kTunnelResets) == 2);
  CHECK(t.with(Outcome::kTunnelResets) == 2);
}

TEST_CASE("Classifier: a tunnel reset only one peer notices is still one reset") {
  Trace t;
  established(t);
  t.add(sim::seconds(10), A, TraceKind::kTunnelDown);  // A gave up; B never heard of it
  t.installed(sim::seconds(11), A, 0xA5, 0xB5);
  t.add(sim::seconds(11), A, TraceKind::kTunnelUp);
  CHECK(t.count(Outcome::kTunnelResets) == 1);
}

// RFC 7296 2.8: a rekey responder that sends on the new SA right after its
// response (PAN-OS, CSCvx23833) uses an SPI the initiator installs only when
// the response arrives. ESP sent after the response travels behind it: no
// packet is lost and it is no outage.
TEST_CASE("Classifier: a responder switching right after its response is no outage") {
  Trace t;
  established(t);
  const SimTime d = milliseconds(16);
  const SimTime t0 = sim::seconds(100);
  const Message req = rekey_request(0, 0xB1);  // B rekeys; A (PAN-OS) answers
  t.msg(t0, B, TraceKind::kMessageSent, req);
  t.msg(t0 + d, A, TraceKind::kMessageReceived, req);
  t.installed(t0 + d, A, 0xA2, 0xB2);
  t.msg(t0 + d, A, TraceKind::kMessageSent, response(req));
  t.switched(t0 + d, A, 0xB2);  // B does not accept 0xB2 yet
  t.msg(t0 + d * 2, B, TraceKind::kMessageReceived, response(req));
  t.installed(t0 + d * 2, B, 0xB2, 0xA2);
  t.switched(t0 + d * 2, B, 0xA2);
  t.c.finish(t0 + sim::seconds(1));
  CHECK(t.count(Outcome::kOutages) == 0);
  CHECK(t.count(Outcome::kDowntime) == 0);
}

TEST_CASE("Classifier: an early switch whose response was lost is an outage until the resend") {
  Trace t;
  established(t);
  const SimTime d = milliseconds(16);
  const SimTime t0 = sim::seconds(100);
  const SimTime resend = t0 + sim::seconds(4);
  const Message req = rekey_request(0, 0xB1);
  t.msg(t0, B, TraceKind::kMessageSent, req);
  t.msg(t0 + d, A, TraceKind::kMessageReceived, req);
  t.installed(t0 + d, A, 0xA2, 0xB2);
  t.msg(t0 + d, A, TraceKind::kMessageSent, response(req));  // lost
  t.switched(t0 + d, A, 0xB2);
  // B retransmits its request; A re-sends the cached response, which arrives.
  t.msg(resend, B, TraceKind::kRetransmit, req);
  t.msg(resend + d, A, TraceKind::kMessageReceived, req);
  t.msg(resend + d, A, TraceKind::kRetransmit, response(req));
  t.msg(resend + d * 2, B, TraceKind::kMessageReceived, response(req));
  t.installed(resend + d * 2, B, 0xB2, 0xA2);
  CHECK(t.count(Outcome::kOutages) == 1);
  CHECK(t.count(Outcome::kDowntime) ==
        static_cast<std::uint64_t>((resend + d * 2 - (t0 + d)).ns()));
}

// Merged logs may list a peer's transmissions out of time order. A message is
// still dated by its latest transmission before it arrived: here the lost
// response's retransmission, listed before the original, so the early switch
// is an outage until the retransmission arrives (as in the test above).
TEST_CASE(
    "Classifier: transmissions listed out of time order still date a message by its latest send") {
  Trace t;
  established(t);
  const SimTime d = milliseconds(16);
  const SimTime t0 = sim::seconds(100);
  const SimTime resend = t0 + sim::seconds(4);
  const Message req = rekey_request(0, 0xB1);
  t.msg(t0, B, TraceKind::kMessageSent, req);
  t.msg(t0 + d, A, TraceKind::kMessageReceived, req);
  t.installed(t0 + d, A, 0xA2, 0xB2);
  t.switched(t0 + d, A, 0xB2);
  t.msg(resend, B, TraceKind::kRetransmit, req);
  t.msg(resend + d, A, TraceKind::kMessageReceived, req);
  t.msg(resend + d, A, TraceKind::kRetransmit, response(req));
  t.msg(t0 + d, A, TraceKind::kMessageSent, response(req));  // the lost original, listed late
  t.msg(resend + d * 2, B, TraceKind::kMessageReceived, response(req));
  t.installed(resend + d * 2, B, 0xB2, 0xA2);
  CHECK(t.count(Outcome::kOutages) == 1);
  CHECK(t.count(Outcome::kDowntime) ==
        static_cast<std::uint64_t>((resend + d * 2 - (t0 + d)).ns()));
}

// The initiator removes the old inbound half as it sends D(old) (PAN-OS: no
// grace period); the responder sends on the old SA until that DELETE arrives.
// Those packets are lost: an outage.
TEST_CASE("Classifier: an initiator removing the old inbound before D(old) arrives is an outage") {
  Trace t;
  established(t);
  const SimTime d = milliseconds(16);
  const SimTime t0 = sim::seconds(100);
  const Message req = rekey_request(0, 0xA1);
  t.msg(t0, A, TraceKind::kMessageSent, req);
  t.msg(t0 + d, B, TraceKind::kMessageReceived, req);
  t.installed(t0 + d, B, 0xB2, 0xA2);
  t.msg(t0 + d, B, TraceKind::kMessageSent, response(req));
  t.msg(t0 + d * 2, A, TraceKind::kMessageReceived, response(req));
  t.installed(t0 + d * 2, A, 0xA2, 0xB2);
  t.switched(t0 + d * 2, A, 0xB2);
  const Message del = delete_request(1, 0xA1);
  t.msg(t0 + d * 2, A, TraceKind::kMessageSent, del);
  t.deleted(t0 + d * 2, A, 0xA1, 0xB1);  // B still sends on 0xA1
  t.msg(t0 + d * 3, B, TraceKind::kMessageReceived, del);
  t.switched(t0 + d * 3, B, 0xA2);
  CHECK(t.count(Outcome::kOutages) == 1);
  CHECK(t.count(Outcome::kDowntime) == static_cast<std::uint64_t>(d.ns()));
}

TEST_CASE(
    "Classifier: IKE rekeys are counted once per IKE SA, simultaneous ones as ike_collisions") {
  Trace t;
  established(t);
  Message ike;
  ike.exchange = ExchangeType::kCreateChildSa;
  ike.ike_sa = 7;
  ike.sa_protocol = ProtocolId::kIke;
  t.msg(sim::seconds(5), A, TraceKind::kMessageSent, ike);
  t.msg(sim::seconds(5) + milliseconds(3), B, TraceKind::kMessageSent, ike);
  TraceRecord r;
  r.kind = TraceKind::kIkeSaRekeyed;
  r.ike_spi = 7;
  r.new_ike_spi = 8;
  r.time = sim::seconds(6);
  r.peer = A;
  t.c.record(r);
  r.peer = B;
  t.c.record(r);
  CHECK(t.count(Outcome::kIkeRekeys) == 1);
  CHECK(t.count(Outcome::kIkeCollisions) == 1);
}
