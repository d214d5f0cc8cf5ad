// Rekeying the IKE SA: CREATE_CHILD_SA {SA(IKE), Ni, KEi} (strongSwan's
// ike_rekey.c). The new IKE SA inherits every Child SA; the old one is then
// deleted on it (ike_delete.hpp).
//
// RFC 7296 rules held here:
//   1.3.2  request and response payloads: no REKEY_SA, no traffic selectors.
//   2.8    the new IKE SA takes over the Child SAs at once on the responder,
//          on the response at the initiator; the initiator deletes the old
//          one (strongSwan's responder deletes it itself after
//          ike_rekey_forced_delete if the initiator never does).
//   2.8.2  simultaneous IKE rekeys: the new IKE SA made with the lowest
//          nonce is redundant and deleted by its creator (RFC 4718 said the
//          opposite: IkeCollisionWinner::kRfc4718Inverted); a loser that
//          never deletes its redundant IKE SA is dropped after
//          redundant_ike_timeout.
//   2.25   TEMPORARY_FAILURE: retry later, only if this IKE SA is still the
//          one in use then.
//   2.25.2 no IKE rekey while one of our Child SA exchanges is under way.
// Tests: tests/models/test_ike.cpp.
#pragma once

#include "models/ikev2/sa.hpp"
#include "models/ikev2/task.hpp"
#include "models/trace.hpp"

namespace models::ikev2 {

class Peer;

struct IkeRekey {
  // Sends the IKE rekey request on the current IKE SA and marks it
  // kRekeying; false unless `ike` is current and established.
  static bool initiate(Peer& peer, IkeSa& ike, Task& t);
  // Answers: a new IKE SA (kPassiveNew while our own rekey collides), or
  // TEMPORARY_FAILURE while Child SA work or a delete is under way.
  static void respond(Peer& peer, IkeSa& ike, const Message& m);
  // Takes over the new IKE SA, settles a 2.8.2 collision, or retries.
  static void complete(Peer& peer, IkeSa& ike, const Task& t, const Message& m);

  // IKE SA `new_id` replaces `old_id`: it becomes the current one (carrying
  // the Child SAs) with its own lifetime timers; kIkeSaRekeyed is emitted.
  static void adopt(Peer& peer, std::uint64_t old_id, std::uint64_t new_id);
};

}  // namespace models::ikev2
