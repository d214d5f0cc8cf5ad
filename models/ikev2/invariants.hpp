// What two peers around a rekey must satisfy: the invariants `rekeysim
// explore` checks on every order it tries, and a case (scenarios/cases/
// FORMAT.md) with an `allow:` list checks at its end. A scenario or case
// names the kinds it allows (`allow: [cant_find_sa]`); the rest must hold.
//
// Checked as they happen (trace records and the ESP state after each event):
//   cant_find_sa        a DELETE named an ESP SPI the peer has no SA for (PAN-OS's
//                       "can't find sa"). A REKEY_SA for an SA already deleted is
//                       not one by itself: CHILD_SA_NOT_FOUND is RFC 7296 2.25's
//                       answer to that collision; any damage shows at the end.
//   outage              a peer sends on an SPI the other does not accept, holds an
//                       IKE SA but no outbound Child SA, or an SA hit its hard lifetime
//   tunnel_reset        an IKE SA carrying the Child SAs was lost (2.4 give-up, DELETE)
// Checked once settled (nothing left to happen):
//   redundant_sa        a peer holds more than one installed Child SA (2.8.1
//                       collision without a tie-break)
//   sa_disagreement     the peers' installed Child SA (or IKE SA) are not each
//                       other's halves, or one has none
//   sa_leak             a peer still holds a rekeyed/deleted Child SA record
//   ike_sa_leak         a peer holds more than one IKE SA
//   request_unanswered  a request is outstanding or queued (RFC 7296 2.4: every
//                       request is answered or the peer gives up)
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "models/ikev2/invariant_kinds.hpp"
#include "models/ikev2/peer.hpp"
#include "models/trace.hpp"

namespace models::ikev2 {

struct InvariantViolation {
  std::string kind;    // one of invariant_kinds()
  std::string detail;  // what was wrong, with SPIs ("A got a DELETE for ESP SPI 3 ...")
};

// The violations trace records show (cant_find_sa, tunnel_reset, outage by
// hard expiry), one per record, appended to `out`.
void record_violations(std::span<const TraceRecord> records, std::vector<InvariantViolation>& out);
// ESP in the state now (outage): each peer's outbound SPI is accepted by the
// other, and a peer holding an IKE SA has an outbound Child SA.
void esp_violations(const Peer& a, const Peer& b, std::vector<InvariantViolation>& out);
// The settled-state kinds (redundant_sa ... request_unanswered) for peers
// with nothing left in flight or due.
void end_violations(const Peer& a, const Peer& b, std::vector<InvariantViolation>& out);

}  // namespace models::ikev2
