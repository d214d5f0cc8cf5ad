// Deleting Child SAs (RFC 7296 1.4.1), crossing DELETEs, DELETE vs rekey
// (2.25.1) and DELETEs naming unknown SPIs. Re-expresses strongSwan's
// test_child_delete.c (DL-49, DL-50, DL-51) and test_child_rekey.c
// test_collision_delete* (CD-24, CD-26).
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace rekeysim_test;
using models::CrossingDeleteHandling;
using models::UnknownSpiAction;
using models::scripted::describe;

// DL-49 (test_regular, both roles): plain delete.
//   --> INFORMATIONAL {D(a)}      <-- INFORMATIONAL {D(b)}      both gone
TEST_CASE("RFC 7296 1.4.1: a Child SA DELETE is answered with the paired SPI (DL-49)",
          "[delete][DL-49]") {
  const bool a_is_ike_initiator = GENERATE(true, false);
  ScriptedWorld w(strongswan_peer(), strongswan_peer());
  w.establish(a_is_ike_initiator ? A : B);
  const std::uint32_t a0 = a_is_ike_initiator ? 1 : 2;
  const std::uint32_t b0 = a_is_ike_initiator ? 2 : 1;
  w.a().request_delete_child(a0);
  CHECK(describe(w.peek(B)) == "INFORMATIONAL request " +
                                   std::to_string(a_is_ike_initiator ? 2 : 0) + " {D(ESP," +
                                   std::to_string(a0) + ")}");
  w.deliver(B);
  CHECK(w.b().child_sas().empty());
  CHECK(describe(w.peek(A)).find("{D(ESP," + std::to_string(b0) + ")}") != std::string::npos);
  w.deliver(A);
  CHECK(w.a().child_sas().empty());
  CHECK(w.count(TraceKind::kChildSaDeleted) == 2);
}

// DL-50 (test_collision): both delete C0 at once.
//   --> INFORMATIONAL {D(1)}   <-- INFORMATIONAL {D(2)}    (cross)
//   <-- INFORMATIONAL {}       --> INFORMATIONAL {}         (no Delete payloads)
// The outgoing half goes with the peer's request, the incoming half with our
// own response; nobody meets an unknown SPI.
TEST_CASE("RFC 7296 1.4.1: crossing DELETEs get empty responses (DL-50)", "[delete][DL-50]") {
  ScriptedWorld w(strongswan_peer(), strongswan_peer());
  w.establish(A);
  w.a().request_delete_child(1);
  w.b().request_delete_child(2);
  w.deliver(B);
  CHECK(describe(w.peek(A, 1)) == "INFORMATIONAL response 2 {}");
  CHECK_FALSE(w.b().outbound_spi().has_value());  // outgoing half removed
  CHECK(w.b().accepts_inbound(2));                // incoming half kept until the response
  w.deliver(A, 0);
  CHECK(describe(w.peek(B)) == "INFORMATIONAL response 0 {}");
  w.deliver(A);
  w.deliver(B);
  CHECK(w.a().child_sas().empty());
  CHECK(w.b().child_sas().empty());
  CHECK(w.count(TraceKind::kDeleteForUnknownSpi) == 0);
  CHECK(w.count(TraceKind::kCollisionDetected) == 2);
}

// DL-51 (test_collision_drop): B's DELETE is held back, so A finishes first
// and then meets B's DELETE for an SA it no longer has: empty answer. The
// trace still records the unknown SPI (strongSwan logs "received DELETE for
// unknown ESP CHILD_SA").
TEST_CASE("RFC 7296 2.25.1: a DELETE for an SA already gone is answered empty (DL-51)",
          "[delete][DL-51]") {
  ScriptedWorld w(strongswan_peer(), strongswan_peer());
  w.establish(A);
  w.a().request_delete_child(1);
  w.b().request_delete_child(2);  // held in A's queue
  w.deliver(B);
  w.deliver(A, 1);  // B's empty response: A done
  CHECK(w.a().child_sas().empty());
  w.deliver(A, 0);  // B's delayed DELETE
  CHECK(describe(w.peek(B)) == "INFORMATIONAL response 0 {}");
  CHECK(w.count(TraceKind::kDeleteForUnknownSpi, A) == 1);
  w.deliver(B);
  CHECK(w.b().child_sas().empty());
}

// The KB incident mechanism: an implementation that forgets the SA as soon
// as it sends its own DELETE meets the peer's crossing DELETE as an unknown
// SPI and logs "can't find sa for proto ESP spi".
TEST_CASE("RFC 7296 1.4.1 violated: naive crossing DELETE logs can't-find-sa", "[delete][naive]") {
  PeerConfig naive = rfc_peer();
  naive.behaviour.crossing_delete = CrossingDeleteHandling::kNaive;
  naive.behaviour.unknown_spi = UnknownSpiAction::kLogCantFindSa;
  ScriptedWorld w(naive, naive);
  w.establish(A);
  w.a().request_delete_child(1);
  CHECK(w.a().child_sas().empty());  // forgotten at once
  w.b().request_delete_child(2);
  w.deliver(A);  // B's DELETE names A's outbound SPI 2, which A forgot
  // At A, exactly: the local delete of C0 (1/2), then B's DELETE for that
  // same SA arrives, then the unknown-SPI report naming 2.
  std::vector<models::TraceRecord> at_a;
  for (const auto& r : w.trace())
    if (r.peer == A && r.kind != TraceKind::kMessageSent && r.kind != TraceKind::kOutboundRemoved &&
        r.kind != TraceKind::kInboundRemoved && r.kind != TraceKind::kTunnelUp &&
        r.kind != TraceKind::kChildSaInstalled && r.kind != TraceKind::kOutboundSwitched)
      at_a.push_back(r);
  REQUIRE(at_a.size() == 3);
  CHECK(at_a[0].kind == TraceKind::kChildSaDeleted);
  CHECK(at_a[0].spi_in == 1u);
  CHECK(at_a[0].spi_out == 2u);
  CHECK(at_a[1].kind == TraceKind::kMessageReceived);
  CHECK(describe(at_a[1].message) == "INFORMATIONAL request 0 {D(ESP,2)}");
  CHECK(at_a[2].kind == TraceKind::kDeleteForUnknownSpi);
  CHECK(at_a[2].spi_in == 2u);
  CHECK(describe(w.peek(B, 1)) == "INFORMATIONAL response 0 {}");
  settle(w);
  CHECK(w.count(TraceKind::kDeleteForUnknownSpi) == 2);  // B likewise
  CHECK(w.a().child_sas().empty());
  CHECK(w.b().child_sas().empty());
  CHECK(w.a().ike_sa() != nullptr);
  CHECK(w.b().ike_sa() != nullptr);
}

TEST_CASE("unknown_spi=kTeardownIke closes the IKE SA on a DELETE for an unknown SPI",
          "[delete][unknown-spi]") {
  PeerConfig p = rfc_peer();
  p.behaviour.unknown_spi = UnknownSpiAction::kTeardownIke;
  ScriptedWorld w(p, p);
  w.establish(A);
  w.b().forget_child(2);
  w.a().request_delete_child(1);
  w.deliver(B);  // unknown SPI 1 at B -> answer, then close the IKE SA
  CHECK(describe(w.peek(A, 0)) == "INFORMATIONAL response 2 {}");
  CHECK(describe(w.peek(A, 1)) == "INFORMATIONAL request 0 {D(IKE)}");
  CHECK(w.count(TraceKind::kTunnelDown, B) == 1);
  settle(w);
  CHECK(w.a().ike_sa() == nullptr);
  CHECK(w.b().ike_sa() == nullptr);
  CHECK(w.count(TraceKind::kTunnelDown, A) == 1);
}

// CD-24 (test_collision_delete, both roles): A rekeys C0 while B deletes it.
//   --> CCS {N(REKEY_SA,1), SA(3)}      <-- INFORMATIONAL {D(2)}
//   <-- CCS {N(TEMPORARY_FAILURE)}      --> INFORMATIONAL {D(1)}   (as usual, with D)
//   A: TEMPORARY_FAILURE + peer deleted it -> gone, no retry.
TEST_CASE("RFC 7296 2.25.1: rekey crossing a DELETE gets TEMPORARY_FAILURE (CD-24)",
          "[collision][CD-24]") {
  const bool a_is_ike_initiator = GENERATE(true, false);
  ScriptedWorld w(strongswan_peer(), strongswan_peer());
  w.establish(a_is_ike_initiator ? A : B);
  const std::uint32_t a0 = a_is_ike_initiator ? 1 : 2;
  const std::uint32_t b0 = a_is_ike_initiator ? 2 : 1;
  w.a().request_rekey_child(a0);
  w.b().request_delete_child(b0);
  w.deliver(B);
  CHECK(describe(w.peek(A, 1)).find("{N(TEMPORARY_FAILURE)}") != std::string::npos);
  w.deliver(A, 0);  // B's DELETE while A rekeys: answered with D, SA kept for now
  CHECK(describe(w.peek(B)).find("{D(ESP," + std::to_string(a0) + ")}") != std::string::npos);
  CHECK(w.a().find_child(a0) != nullptr);
  w.deliver(A);  // TEMPORARY_FAILURE
  CHECK(w.a().child_sas().empty());
  w.deliver(B);
  CHECK(w.b().child_sas().empty());
  CHECK(w.count(TraceKind::kRetryScheduled) == 0);
  CHECK(w.timers_pending(A, TimerKind::kRetryRekey) == 0);
}

// CD-26 (test_collision_delete_drop_delete): B's DELETE is delayed, so A sees
// a TEMPORARY_FAILURE without a reason and schedules a retry; the DELETE then
// removes the SA and the retry finds nothing to do.
TEST_CASE("RFC 7296 2.25: TEMPORARY_FAILURE without a known cause schedules a retry (CD-26)",
          "[collision][CD-26]") {
  const bool a_is_ike_initiator = GENERATE(true, false);
  ScriptedWorld w(strongswan_peer(), strongswan_peer());
  w.establish(a_is_ike_initiator ? A : B);
  const std::uint32_t a0 = a_is_ike_initiator ? 1 : 2;
  const std::uint32_t b0 = a_is_ike_initiator ? 2 : 1;
  w.a().request_rekey_child(a0);
  w.b().request_delete_child(b0);  // held
  w.deliver(B);
  w.deliver(A, 1);  // TEMPORARY_FAILURE first
  CHECK(state_of(w.a(), a0) == ChildSaState::kInstalled);
  CHECK(w.count(TraceKind::kRetryScheduled, A) == 1);
  CHECK(w.timers_pending(A, TimerKind::kRetryRekey) == 1);
  w.deliver(A, 0);  // the delayed DELETE
  w.deliver(B);
  CHECK(w.a().child_sas().empty());
  CHECK(w.b().child_sas().empty());
  w.advance(sim::seconds(16));
  CHECK(w.in_flight(A) + w.in_flight(B) == 0);
}

TEST_CASE("unknown_spi=kTeardownIke also applies to REKEY_SA for an unknown SPI",
          "[rekey][unknown-spi]") {
  PeerConfig p = rfc_peer();
  p.behaviour.unknown_spi = UnknownSpiAction::kTeardownIke;
  ScriptedWorld w(rfc_peer(), p);
  w.establish(A);
  w.b().forget_child(2);
  w.a().request_rekey_child(1);
  w.deliver(B);
  REQUIRE(w.in_flight(A) == 2);
  CHECK(describe(w.peek(A, 0)) == "CREATE_CHILD_SA response 2 {N(CHILD_SA_NOT_FOUND,1)}");
  CHECK(describe(w.peek(A, 1)) == "INFORMATIONAL request 0 {D(IKE)}");
  CHECK(w.count(TraceKind::kRekeyForUnknownSpi, B) == 1);
}
