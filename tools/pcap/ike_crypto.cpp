#include "tools/pcap/ike_crypto.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <memory>
#include <stdexcept>

namespace rekeysim::pcap {

Bytes hmac_sha1(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  if (!HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), data.data(), data.size(),
            out.data(), &len)) {
    throw std::runtime_error("libcrypto HMAC-SHA1 failed");
  }
  out.resize(len);
  return out;
}

namespace {

Bytes aes128_cbc(bool encrypt, std::span<const std::uint8_t> key, std::span<const std::uint8_t> iv,
                 std::span<const std::uint8_t> in) {
  if (key.size() != 16 || iv.size() != 16 || in.size() % 16 != 0) {
    throw std::invalid_argument("AES-CBC-128 needs a 16-byte key and IV and whole blocks");
  }
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                      EVP_CIPHER_CTX_free);
  Bytes out(in.size() + 16);
  int n = 0;
  int tail = 0;
  // Padding is off: RFC 7296 3.14 pads inside the plaintext, not PKCS#7.
  const bool ok =
      ctx &&
      EVP_CipherInit_ex(ctx.get(), EVP_aes_128_cbc(), nullptr, key.data(), iv.data(),
                        encrypt ? 1 : 0) == 1 &&
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) == 1 &&
      EVP_CipherUpdate(ctx.get(), out.data(), &n, in.data(), static_cast<int>(in.size())) == 1 &&
      EVP_CipherFinal_ex(ctx.get(), out.data() + n, &tail) == 1;
  if (!ok) throw std::runtime_error("libcrypto AES-CBC-128 failed");
  out.resize(static_cast<std::size_t>(n + tail));
  return out;
}

}  // namespace

Bytes aes128_cbc_encrypt(std::span<const std::uint8_t> key, std::span<const std::uint8_t> iv,
                         std::span<const std::uint8_t> plain) {
  return aes128_cbc(true, key, iv, plain);
}

Bytes aes128_cbc_decrypt(std::span<const std::uint8_t> key, std::span<const std::uint8_t> iv,
                         std::span<const std::uint8_t> cipher) {
  return aes128_cbc(false, key, iv, cipher);
}

KeyDeriver::KeyDeriver(std::uint64_t scenario_seed, std::uint64_t trial_index) {
  for (char c : std::string_view("rekeysim-pcap")) put8(key_, static_cast<std::uint8_t>(c));
  put64(key_, scenario_seed);
  put64(key_, trial_index);
}

Bytes KeyDeriver::derive(std::string_view label, std::uint64_t id, std::size_t n) const {
  Bytes out;
  Bytes t;
  for (std::uint8_t i = 1; out.size() < n; ++i) {
    Bytes msg = t;
    for (char c : label) put8(msg, static_cast<std::uint8_t>(c));
    put64(msg, id);
    put8(msg, i);
    t = hmac_sha1(key_, msg);
    append(out, t);
  }
  out.resize(n);
  return out;
}

std::uint64_t KeyDeriver::uniform(std::string_view label, std::uint64_t id,
                                  std::uint64_t bound) const {
  const Bytes b = derive(label, id, 8);
  std::uint64_t v = 0;
  for (std::uint8_t x : b) v = (v << 8) | x;
  return v % bound;  // modulo bias below 2^-40 for the bounds used (periods in ns)
}

}  // namespace rekeysim::pcap
