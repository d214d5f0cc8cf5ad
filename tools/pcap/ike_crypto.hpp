// The cryptography behind the capture: AES-CBC-128 and HMAC-SHA1 (OpenSSL
// libcrypto), and the deterministic key material of a trial.
//
// The simulator negotiates no keys (it has no Diffie-Hellman exchange), so
// every key, IV and KE value in a capture is *derived*: an HMAC-SHA1 expansion
// of (scenario seed, trial index, label, identifier). Same inputs => same
// bytes, whatever --threads is; nothing is random. These are NOT the keys a
// real IKEv2 prf+ (RFC 7296 2.14) would produce and protect nothing.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "tools/pcap/bytes.hpp"

namespace rekeysim::pcap {

// HMAC-SHA1 (RFC 2104): 20 bytes.
Bytes hmac_sha1(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data);

// AES-128 in CBC mode without padding (RFC 3602): `key` 16 bytes, `iv` 16
// bytes, `plain` a multiple of 16 bytes (the caller pads, as RFC 7296 3.14
// prescribes). Throws std::invalid_argument on wrong sizes, std::runtime_error
// if libcrypto fails.
Bytes aes128_cbc_encrypt(std::span<const std::uint8_t> key, std::span<const std::uint8_t> iv,
                         std::span<const std::uint8_t> plain);
// The inverse, for tests.
Bytes aes128_cbc_decrypt(std::span<const std::uint8_t> key, std::span<const std::uint8_t> iv,
                         std::span<const std::uint8_t> cipher);

// Key material of one trial: derive(label, id, n) = first n bytes of
// T1 | T2 | ..., Ti = HMAC-SHA1(K, T(i-1) | label | id (8 bytes, big-endian) | i),
// K = "rekeysim-pcap" | seed | trial (big-endian).
class KeyDeriver {
 public:
  KeyDeriver(std::uint64_t scenario_seed, std::uint64_t trial_index);
  Bytes derive(std::string_view label, std::uint64_t id, std::size_t n) const;
  // A uniform integer in [0, bound) (bound > 0), from derive().
  std::uint64_t uniform(std::string_view label, std::uint64_t id, std::uint64_t bound) const;

 private:
  Bytes key_;
};

}  // namespace rekeysim::pcap
