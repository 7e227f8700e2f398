#include "services/common/tokens.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

namespace sangdam::tokens {

namespace {
std::string hex(const unsigned char* data, std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = kHex[data[i] >> 4];
    out[2 * i + 1] = kHex[data[i] & 0xF];
  }
  return out;
}

std::string random_hex(int bytes) {
  std::vector<unsigned char> buf(static_cast<std::size_t>(bytes));
  if (RAND_bytes(buf.data(), bytes) != 1) throw std::runtime_error("RAND_bytes failed");
  return hex(buf.data(), buf.size());
}
}  // namespace

std::string issue(std::string_view prefix) {
  return std::string(prefix) + "_" + random_hex(32);
}

std::string random_id(std::string_view prefix, int bytes) {
  return std::string(prefix) + "_" + random_hex(bytes);
}

std::string sha256_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("EVP_Digest failed");
  }
  return hex(digest, size);
}

bool equal(std::string_view a, std::string_view b) {
  // Compare hashes of both: equal length inputs to CRYPTO_memcmp whatever the token lengths.
  std::string ha = sha256_hex(a);
  std::string hb = sha256_hex(b);
  return CRYPTO_memcmp(ha.data(), hb.data(), ha.size()) == 0;
}

}  // namespace sangdam::tokens
