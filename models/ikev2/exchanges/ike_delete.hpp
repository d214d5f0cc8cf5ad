// Deleting an IKE SA: INFORMATIONAL {D(IKE)} (strongSwan's ike_delete.c).
// Closes the old IKE SA after an IKE rekey, the redundant one of a 2.8.2
// collision, and the IKE SA itself on teardown.
//
// RFC 7296 rules held here:
//   1.4.1  the answer to an IKE SA delete is empty; closing an IKE SA closes
//          every Child SA it carries, without further exchanges.
//   2.8.2  a DELETE of the old IKE SA while our own rekey of it collides: the
//          peer did not see the collision (or won it), so take its new IKE SA.
//   2.25.2 a close of the IKE SA we are rekeying forgets our rekey.
// Tests: tests/models/test_ike.cpp.
#pragma once

#include "models/ikev2/sa.hpp"
#include "models/ikev2/task.hpp"
#include "models/trace.hpp"

namespace models::ikev2 {

class Peer;

struct IkeDelete {
  // Sends D(IKE) on `ike` (t.ike) and marks it kDeleting; false if it is
  // being deleted already.
  static bool initiate(Peer& peer, IkeSa& ike, Task& t);
  // Answers (empty), then drops that IKE SA: the tunnel if it carried the
  // Child SAs, else only the old/redundant SA.
  static void respond(Peer& peer, IkeSa& ike, const Message& m);
  // Our DELETE was answered: drop the IKE SA; re-establish after a teardown.
  static void complete(Peer& peer, IkeSa& ike, const Task& t, const Message& m);
};

}  // namespace models::ikev2
