// Deleting a Child SA: INFORMATIONAL {D(ESP, spi...)} (strongSwan's
// child_delete.c). Used for the old SA after a rekey, the redundant SA of a
// collision, an expired SA, and an administrator's delete.
//
// RFC 7296 rules held here:
//   1.4.1  the Delete payload names the sender's inbound SPI; the receiver
//          closes both halves and answers with its own inbound SPI; crossing
//          DELETEs: each removes its outbound half at once and answers
//          without a Delete payload, the inbound half goes when its own
//          response arrives.
//   1.3.3  D(old) from the rekey initiator ends the rekey at the responder
//          (it switches to the replacement).
//   2.25.1 a DELETE for an SA we are rekeying is answered; one naming an SPI
//          we do not have is answered without a Delete payload (the "can't
//          find sa for proto ESP spi" moment; unknown_spi decides the rest).
// Tests: tests/models/test_delete.cpp.
#pragma once

#include "models/ikev2/sa.hpp"
#include "models/ikev2/task.hpp"
#include "models/trace.hpp"

namespace models::ikev2 {

class Peer;

struct ChildDelete {
  // Sends the DELETE for Child SA t.child and marks it kDeleting; false if it
  // is gone or already being deleted. A peer with crossing_delete kNaive
  // forgets the SA as soon as its DELETE is out.
  static bool initiate(Peer& peer, IkeSa& ike, Task& t);
  // Handles each SPI of a Delete payload (ESP) and answers.
  static void respond(Peer& peer, IkeSa& ike, const Message& m);
  // Our DELETE was answered: the inbound half goes (after the keep delay for
  // a rekeyed or redundant SA).
  static void complete(Peer& peer, IkeSa& ike, const Task& t, const Message& m);
};

}  // namespace models::ikev2
