// Establishing an IKE SA and its first Child SA: IKE_SA_INIT then IKE_AUTH,
// one task (strongSwan's ike_init.c + ike_auth.c + child_create.c), used to
// re-establish the tunnel after a reset. A trial's first IKE SA is made by
// Peer::establish without messages.
//
// RFC 7296 rules held here:
//   1.2    IKE_SA_INIT {SA, KE, Ni} then IKE_AUTH {SA, TSi, TSr}; the Child
//          SA is installed by the responder on the IKE_AUTH request and by
//          the initiator on its response.
//   2.4    a fresh IKE_SA_INIT means the peer lost its state
//          (INITIAL_CONTACT): the responder discards what it still has.
// Both ends re-establishing at once (crossing IKE_SA_INIT): both exchanges
// complete, each peer holds two IKE SAs and two Child SAs, and
// behaviour.duplicate_ike_sa says whether the IKE_AUTH responder deletes the
// older one (strongSwan unique = replace) or both stay (RFC 7296 is silent;
// strongSwan's swanctl default unique = no).
// Tests: tests/models/test_lifetimes.cpp (resets and re-establishment),
// tests/models/test_duplicate_ike.cpp (crossing IKE_SA_INIT).
#pragma once

#include "models/ikev2/sa.hpp"
#include "models/ikev2/task.hpp"
#include "models/trace.hpp"

namespace models::ikev2 {

class Peer;

struct IkeSaInit {
  // Sends IKE_SA_INIT (t.stage 0) or IKE_AUTH (t.stage 1) on `ike`, which
  // start_reestablish created in kConnecting.
  static bool initiate(Peer& peer, IkeSa& ike, Task& t);
  // RFC 7296 2.4: whether `ike`'s IKE_AUTH carries INITIAL_CONTACT (the peer
  // holds no other established IKE SA); Message::reauth is its negation.
  static bool sends_initial_contact(const Peer& peer, const IkeSa& ike);
  // IKE_SA_INIT request for an IKE SA we do not know: a fresh IKE SA.
  static void respond_init(Peer& peer, const Message& m);
  // IKE_AUTH request: the IKE SA and its Child SA are up.
  static void respond(Peer& peer, IkeSa& ike, const Message& m);
  // IKE_SA_INIT answered: IKE_AUTH follows at once; IKE_AUTH answered: up.
  static void complete(Peer& peer, IkeSa& ike, const Task& t, const Message& m);
};

}  // namespace models::ikev2
