#include "matching/webhook/signature.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <cstdint>

#include "matching/error.hpp"

namespace sangdam::webhook {
namespace {

constexpr std::string_view kScheme = "sha256=";

std::string hmac_hex(std::string_view secret, std::string_view timestamp, std::string_view body) {
  std::string message;
  message.reserve(timestamp.size() + 1 + body.size());
  message.append(timestamp).append(".").append(body);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest,
           &digest_size) == nullptr) {
    throw Error(ErrorCode::kInternal, "hmac_failed", "OpenSSL could not compute HMAC-SHA256");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(kScheme);
  for (unsigned int i = 0; i < digest_size; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xF];
  }
  return out;
}

}  // namespace

std::string sign(std::string_view secret, std::string_view timestamp, std::string_view body) {
  if (secret.empty()) {
    throw_invalid("empty_webhook_secret", "a webhook secret must not be empty", "secret");
  }
  return hmac_hex(secret, timestamp, body);
}

bool verify(std::string_view secret, std::string_view timestamp, std::string_view body,
            std::string_view signature) {
  if (secret.empty()) return false;
  std::string expected = hmac_hex(secret, timestamp, body);
  // The length is public (fixed by the scheme), so only the content needs constant time.
  if (signature.size() != expected.size()) return false;
  return CRYPTO_memcmp(expected.data(), signature.data(), expected.size()) == 0;
}

bool is_fresh(std::string_view timestamp, std::chrono::sys_seconds now,
              std::chrono::seconds max_skew) {
  std::int64_t seconds = 0;
  auto [end, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), seconds);
  if (ec != std::errc() || end != timestamp.data() + timestamp.size() || timestamp.empty()) {
    return false;
  }
  // Far outside any clock's range: also keeps the subtraction below from overflowing.
  constexpr std::int64_t kLimitSeconds = 100'000'000'000;  // about year 5138
  if (seconds < -kLimitSeconds || seconds > kLimitSeconds) return false;
  auto then = std::chrono::sys_seconds(std::chrono::seconds(seconds));
  auto skew = then > now ? then - now : now - then;
  return skew <= max_skew;
}

}  // namespace sangdam::webhook
