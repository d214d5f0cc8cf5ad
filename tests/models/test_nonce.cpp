// RFC 7296 2.8.1 nonce order and strongSwan's lost_collision() prefix quirk.
#include <catch2/catch.hpp>

#include <initializer_list>

#include "helpers.hpp"

using namespace rekeysim_test;
using models::Nonce;
using models::ikev2::compare_nonces;

namespace {
Nonce nonce(std::initializer_list<std::uint8_t> bytes) {
  Nonce n;
  n.length = 0;
  for (std::uint8_t b : bytes) n.bytes[n.length++] = b;
  return n;
}
}  // namespace

TEST_CASE("RFC 7296 2.8.1: nonces compare octet by octet, a prefix is lower", "[nonce]") {
  CHECK(compare_nonces(nonce({0x01, 0xff}), nonce({0x02, 0x00})) < 0);
  CHECK(compare_nonces(nonce({0x02}), nonce({0x01, 0xff})) > 0);  // not as integers
  CHECK(compare_nonces(nonce({0x10}), nonce({0x10, 0x00})) < 0);  // prefix is lower
  CHECK(compare_nonces(nonce({0x10, 0x00}), nonce({0x10})) > 0);
  CHECK(compare_nonces(nonce({0x10, 0x20}), nonce({0x10, 0x20})) == 0);
}

// A's exchange carries N1 = 10 (one octet), B's carries N2 = 10 00: N1 is a
// prefix of N2. RFC 7296: N1 is lowest, so B wins. strongSwan compares only
// the common length, sees a tie, and both peers decide they won.
TEST_CASE("RFC 7296 2.8.1 prefix rule vs strongSwan's min-nonce quirk", "[nonce][collision]") {
  const auto res = GENERATE(models::CollisionResolution::kRfc7296FourNonce,
                            models::CollisionResolution::kStrongswanMinNonce);
  PeerConfig c = strongswan_peer();
  c.behaviour.collision_resolution = res;
  ScriptedWorld w(c, c);
  w.establish(A);
  w.queue_nonce(A, nonce({0x10}));        // N1
  w.queue_nonce(A, nonce({0x30, 0x00}));  // N4
  w.queue_nonce(B, nonce({0x10, 0x00}));  // N2
  w.queue_nonce(B, nonce({0x20, 0x00}));  // N3
  w.a().request_rekey_child(1);
  w.b().request_rekey_child(2);
  w.deliver(B);
  w.deliver(A, 0);
  w.deliver(A);
  w.deliver(B);
  std::size_t a_won = 0, b_won = 0;
  for (const auto& r : w.trace())
    if (r.kind == TraceKind::kCollisionResolved && r.won) (r.peer == A ? a_won : b_won)++;
  if (res == models::CollisionResolution::kRfc7296FourNonce) {
    CHECK(a_won == 0);
    CHECK(b_won == 1);
    settle(w);
    w.advance(sim::seconds(5));
    CHECK(child_spis(w.a()) == Pairs{{6, 4}});
    CHECK(child_spis(w.b()) == Pairs{{4, 6}});
  } else {
    CHECK(a_won == 1);
    CHECK(b_won == 1);
    // Both delete the old SA (the DELETEs cross) and both keep the other's
    // SA as "redundant", waiting for a DELETE that never comes.
    settle(w);
    w.advance(sim::seconds(5));
    CHECK(child_spis(w.a()) == Pairs{{3, 5}, {6, 4}});
    CHECK(child_spis(w.b()) == Pairs{{4, 6}, {5, 3}});
    CHECK(w.a().outbound_spi() == 5u);
    CHECK(w.b().outbound_spi() == 6u);
  }
}
