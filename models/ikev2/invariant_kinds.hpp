// The names of the invariants two peers around a rekey must satisfy
// (invariants.hpp says what each means). Header-only so that the scenario
// and case loaders can check an `allow:` list without linking the peer.
#pragma once

#include <string>
#include <vector>

namespace models::ikev2 {

// Every invariant kind, in report order.
inline const std::vector<std::string>& invariant_kinds() {
  static const std::vector<std::string> k = {
      "cant_find_sa",    "outage",  "tunnel_reset", "redundant_sa",
      "sa_disagreement", "sa_leak", "ike_sa_leak",  "request_unanswered"};
  return k;
}

}  // namespace models::ikev2
