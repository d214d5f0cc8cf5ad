// The interface between the task manager and the exchanges: what strongSwan's
// task_t is (build and process, for each role), as a table indexed by
// TaskKind. Each exchange unit (child_rekey.hpp, child_create.hpp,
// child_delete.hpp, ike_rekey.hpp, ike_delete.hpp, ike_sa_init.hpp) provides
// the three steps; the task manager owns Message IDs, the window and
// retransmission and calls them.
#pragma once

#include <optional>

#include "models/ikev2/sa.hpp"
#include "models/ikev2/task.hpp"
#include "models/trace.hpp"

namespace models::ikev2 {

class Peer;

struct Exchange {
  // Initiator: builds the request of task `t` on `ike` and sends it
  // (Peer::send_request). Returns false when the task has become obsolete
  // (its SA was meanwhile deleted, replaced, ...); it is then dropped unsent.
  bool (*initiate)(Peer& peer, IkeSa& ike, Task& t);
  // Responder: the peer's request `m` arrived on `ike` with the expected
  // Message ID. Sends exactly one response (Peer::send_response).
  void (*respond)(Peer& peer, IkeSa& ike, const Message& m);
  // Initiator: the response `m` to the request of task `t` arrived on `ike`;
  // the request is already finished (retransmission stopped).
  void (*complete)(Peer& peer, IkeSa& ike, const Task& t, const Message& m);
};

// The exchange that runs tasks of this kind.
const Exchange& exchange(TaskKind kind);

// Which exchange a request belongs to, by its exchange type and payloads:
// CREATE_CHILD_SA with an IKE SA payload is an IKE rekey (1.3.2), with
// N(REKEY_SA) a Child rekey (1.3.3), else a Child create (1.3.1);
// INFORMATIONAL with D(IKE) an IKE delete, else a Child delete / empty
// INFORMATIONAL (1.4.1); IKE_AUTH is the second half of IKE_SA_INIT's task.
// nullopt for IKE_SA_INIT, which only ever opens a fresh IKE SA.
std::optional<TaskKind> exchange_of_request(const Message& m);

// A response that refuses the request carries one Notify (RFC 7296 3.10);
// CHILD_SA_NOT_FOUND copies the SPI it could not find (2.25).
inline void set_notify(Message& m, NotifyType n, std::uint32_t spi = 0) {
  m.notify = n;
  m.notify_spi = spi;
}

}  // namespace models::ikev2
