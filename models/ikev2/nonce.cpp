#include <algorithm>
#include <cstring>

#include "models/ikev2/nonce.hpp"

namespace models::ikev2 {

// RFC 7296 2.8.1: "lowest" compares octet by octet; when the end of one nonce
// is reached first, that nonce is the lower one (RFC 4718 5.10 says the same).
int compare_nonces(const Nonce& a, const Nonce& b) {
  const std::size_t n = std::min(a.length, b.length);
  const int c = std::memcmp(a.bytes.data(), b.bytes.data(), n);
  if (c != 0) return c < 0 ? -1 : 1;
  if (a.length == b.length) return 0;
  return a.length < b.length ? -1 : 1;
}

namespace {
// strongSwan's memcmp over the shorter length: a prefix compares equal.
int memcmp_shorter(const Nonce& a, const Nonce& b) {
  return std::memcmp(a.bytes.data(), b.bytes.data(), std::min(a.length, b.length));
}
}  // namespace

bool lost_collision(CollisionResolution rule, const Nonce& my_ni, const Nonce& my_nr,
                    const Nonce& peer_ni, const Nonce& peer_nr) {
  if (rule == CollisionResolution::kStrongswanMinNonce ||
      rule == CollisionResolution::kStrongswanPre56MinNonce) {
    // child_create.c get_lower_nonce() + child_rekey.c lost_collision():
    // my exchange holds the lowest nonce -> I lose. A prefix tie makes both win.
    const Nonce& mine = memcmp_shorter(my_ni, my_nr) < 0 ? my_ni : my_nr;
    const Nonce& theirs = memcmp_shorter(peer_ni, peer_nr) < 0 ? peer_ni : peer_nr;
    return memcmp_shorter(mine, theirs) < 0;
  }
  if (rule == CollisionResolution::kStrongswan4LowestWins) {
    // strongSwan 4.1.0-4.5.0 child_rekey.c handle_collision() and ike_rekey.c
    // process_i(): "if we have the lower nonce" the collision was won, the
    // reverse of RFC 4306 2.8 / RFC 7296 2.8.1 (commit 1ed482d808, 4.5.1,
    // "lowest nonce loses"). get_lower_nonce() returned the own nonce of the
    // exchange if it compared lower, else the other one; an equal compare
    // (a prefix) counted as lost.
    const Nonce& mine = memcmp_shorter(my_ni, my_nr) < 0 ? my_ni : my_nr;
    const Nonce& theirs = memcmp_shorter(peer_nr, peer_ni) < 0 ? peer_nr : peer_ni;
    return memcmp_shorter(mine, theirs) >= 0;
  }
  // RFC 7296 2.8.1: the SA created with the lowest of the four nonces is
  // redundant and is closed by the node that created it.
  const Nonce& mine = compare_nonces(my_ni, my_nr) <= 0 ? my_ni : my_nr;
  const Nonce& theirs = compare_nonces(peer_ni, peer_nr) <= 0 ? peer_ni : peer_nr;
  if (rule == CollisionResolution::kInverted) {
    // OpenIKED before commit 7bd8441 (2022): `ni` held the lower nonce of the
    // peer's exchange and `nr` that of ours, and "if (ni < nr) delete ours"
    // deleted our SA exactly when the peer's exchange held the lowest nonce.
    return compare_nonces(theirs, mine) < 0;
  }
  return compare_nonces(mine, theirs) < 0;
}

}  // namespace models::ikev2
