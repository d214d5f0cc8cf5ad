// Rekeying a Child SA: CREATE_CHILD_SA {N(REKEY_SA), SA, Ni, [KEi], TSi, TSr}
// (strongSwan's child_rekey.c).
//
// RFC 7296 rules held here:
//   1.3.3  the request names the old SA by REKEY_SA (the SPI the requester
//          receives on); the initiator deletes the old SA once the new one is
//          up (after the profile's old_sa_delete_delay).
//   2.8    the responder installs inbound on the request, outbound when its
//          profile says (responder_switch); the initiator installs both on
//          the response.
//   2.8.1  simultaneous rekeys: both answer; once both exchanges are done the
//          SA made with the lowest of the four nonces is redundant and its
//          creator deletes it (or strongSwan's min-nonce rule, or no
//          tie-break at all: CollisionResolution).
//   2.25   CHILD_SA_NOT_FOUND for an SA the responder does not have;
//          TEMPORARY_FAILURE means retry later (6-15 s), never at once.
//   2.25.1 a rekey request for an SA the responder is deleting gets
//          TEMPORARY_FAILURE; a DELETE arriving while we rekey is answered.
//   2.25.2 no Child rekey while the IKE SA is being rekeyed or closed.
// Tests: tests/models/test_child_rekey.cpp, test_child_collision.cpp.
#pragma once

#include "models/ikev2/sa.hpp"
#include "models/ikev2/task.hpp"
#include "models/trace.hpp"

namespace models::ikev2 {

class Peer;

struct ChildRekey {
  // Sends the rekey request for Child SA t.child (its inbound SPI) and marks
  // it kRekeying. False (dropped) if that SA is gone, expired or not
  // kInstalled. Fills t.new_spi and t.nonce.
  static bool initiate(Peer& peer, IkeSa& ike, Task& t);
  // Answers a rekey request: installs the replacement (inbound now), or
  // refuses it with TEMPORARY_FAILURE / CHILD_SA_NOT_FOUND (2.25).
  static void respond(Peer& peer, IkeSa& ike, const Message& m);
  // Installs our replacement, settles a collision, or handles the notify.
  static void complete(Peer& peer, IkeSa& ike, const Task& t, const Message& m);

  // The peer's rekey of `old_sa` is over at this peer: send on its
  // replacement (old_sa.replaced_by) and emit kRekeyCompleted once; with
  // `finish`, also end the old SA (kDeleted, inbound kept for the keep
  // delay). Used when the peer's D(old) arrives (child_delete), when we
  // delete such an SA ourselves, and when it hard-expires first (CR-06).
  static void conclude_passive(Peer& peer, ChildSa& old_sa, bool finish);

 private:
  static void done(Peer& peer, IkeSa& ike, const Task& t, const Message& m);
  static void failed(Peer& peer, const Task& t, NotifyType n);
  static void resolve_collision(Peer& peer, ChildSa& old_sa, ChildSa& mine);
  static void trace_resolved(Peer& peer, const ChildSa& old, bool won, std::uint32_t kept);
};

}  // namespace models::ikev2
