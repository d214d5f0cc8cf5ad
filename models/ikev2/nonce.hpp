// Nonce order for collision resolution (RFC 7296 2.8.1, 2.8.2).
#pragma once

#include "models/config.hpp"
#include "models/trace.hpp"

namespace models::ikev2 {

// RFC 7296 2.8.1 nonce order: octet by octet; a prefix is lower. Returns <0, 0
// or >0 as a is lower than, equal to or higher than b.
int compare_nonces(const Nonce& a, const Nonce& b);

// Whether this peer's exchange (nonces my_ni, my_nr) lost a simultaneous
// rekey against the peer's (peer_ni, peer_nr) under `rule`: true means this
// peer's new SA is the redundant one and this peer deletes it.
//   kRfc7296 (and kNone, where callers never ask): the SA created with the
//   lowest of the four nonces is redundant (2.8.1; 2.8.2 for IKE SAs).
//   kStrongswanMinNonce: strongSwan's child_rekey.c lost_collision(), memcmp
//   over the shorter length, so a prefix tie makes both sides win.
//   kStrongswanPre56MinNonce decides alike (only the loser's outbound differs).
//   kInverted: OpenIKED's 2017-2022 comparison, the RFC answer negated
//   (callers use it for Child SAs only).
//   kStrongswan4LowestWins: strongSwan 4.1.0-4.5.0, the exchange holding the
//   lowest nonce wins (memcmp over the shorter length, a prefix tie loses);
//   callers use it for Child and IKE SAs.
bool lost_collision(CollisionResolution rule, const Nonce& my_ni, const Nonce& my_nr,
                    const Nonce& peer_ni, const Nonce& peer_nr);

}  // namespace models::ikev2
