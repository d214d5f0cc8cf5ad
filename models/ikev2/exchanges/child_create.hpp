// Creating a Child SA: CREATE_CHILD_SA {SA, Ni, [KEi], TSi, TSr} (strongSwan's
// child_create.c). rekeysim creates Child SAs only when none carries traffic:
// after CHILD_SA_NOT_FOUND, or by start_action after a loss.
//
// RFC 7296 rules held here:
//   1.3.1  request and response payloads; the responder uses the new SA at
//          once (nothing is replaced).
//   1.3    NO_ADDITIONAL_SAS refuses any further Child SA on this IKE SA
//          (behaviour.max_child_sas); the initiator does not retry.
//   2.25   TEMPORARY_FAILURE: retry later, never at once.
//   2.25.2 no create while the IKE SA is being rekeyed or closed.
// Tests: tests/models/test_child_rekey.cpp (CHILD_SA_NOT_FOUND -> create),
// tests/models/test_lifetimes.cpp (start_action, max_child_sas).
#pragma once

#include "models/ikev2/sa.hpp"
#include "models/ikev2/task.hpp"
#include "models/trace.hpp"

namespace models::ikev2 {

class Peer;

struct ChildCreate {
  // Sends the create request; false (dropped) if the peer already sends on
  // an SA. Fills t.new_spi and t.nonce.
  static bool initiate(Peer& peer, IkeSa& ike, Task& t);
  // Installs the new SA (both halves, outbound in use) and answers, or
  // refuses with TEMPORARY_FAILURE / NO_ADDITIONAL_SAS.
  static void respond(Peer& peer, IkeSa& ike, const Message& m);
  // Installs the new SA, or schedules a retry (2.25), or gives up (1.3).
  static void complete(Peer& peer, IkeSa& ike, const Task& t, const Message& m);

  // The SA, nonce and traffic selector payloads of a request for an ESP
  // Child SA, new or a rekey's replacement (1.3.1, 1.3.3): SPI t.new_spi,
  // nonce t.nonce, and a KE payload when `ke` (PFS).
  static void offer_sa(Message& m, const Task& t, bool ke);
  // The same payloads in a response accepting `request`: our SPI `spi`,
  // nonce `nr`, a KE payload if the request had one.
  static void accept_sa(Message& resp, const Message& request, std::uint32_t spi, const Nonce& nr);
};

}  // namespace models::ikev2
