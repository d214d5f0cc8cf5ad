// One task per exchange, as strongSwan's task manager queues them
// (child_rekey.c, child_delete.c, child_create.c, ike_rekey.c, ike_delete.c).
// A task is a small value: queued tasks live in a reused vector, the active
// one in its IKE SA (window size 1, RFC 7296 2.3).
#pragma once

#include <cstdint>

#include "models/trace.hpp"

namespace models::ikev2 {

enum class TaskKind : std::uint8_t {
  kChildRekey,   // CREATE_CHILD_SA {N(REKEY_SA), SA, Ni, TSi, TSr}   (1.3.3)
  kChildCreate,  // CREATE_CHILD_SA {SA, Ni, TSi, TSr}                (1.3.1)
  kChildDelete,  // INFORMATIONAL {D(ESP spi)}                        (1.4.1)
  kIkeRekey,     // CREATE_CHILD_SA {SA(IKE), Ni, KEi}                (1.3.2)
  kIkeDelete,    // INFORMATIONAL {D(IKE)}                            (1.4.1)
  kIkeInit,      // IKE_SA_INIT then IKE_AUTH (re-establishment, 1.2)
};

struct Task {
  TaskKind kind = TaskKind::kChildRekey;
  std::uint32_t child = 0;  // spi_in of the Child SA the task is about
  std::uint64_t ike = 0;    // IKE SA the task must run on; 0 = the current one
  // Filled when the request is built:
  std::uint32_t new_spi = 0;  // our inbound SPI (Child) proposed in the SA payload
  std::uint64_t new_ike_spi = 0;
  Nonce nonce;    // our Ni
  int stage = 0;  // kIkeInit: 0 = IKE_SA_INIT, 1 = IKE_AUTH
};

// Cookies of TimerKind::kRetryRekey timers that are not about one Child SA
// (those carry the SA's inbound SPI: never 0, below 2^32).
inline constexpr std::uint64_t kIkeRekeyRetryCookie = 0;
inline constexpr std::uint64_t kCreateRetryCookie = std::uint64_t{1} << 32;

}  // namespace models::ikev2
