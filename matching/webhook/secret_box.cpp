#include "matching/webhook/secret_box.hpp"

#include <openssl/evp.h>

#include <memory>
#include <vector>

#include "matching/error.hpp"

namespace sangdam::webhook {

namespace {

constexpr std::size_t kTagBytes = 16;

using Context = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

Context new_context() {
  Context context(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!context) throw Error(ErrorCode::kInternal, "crypto_failure", "cannot make a cipher context");
  return context;
}

[[noreturn]] void crypto_failure() {
  throw Error(ErrorCode::kInternal, "crypto_failure", "AES-256-GCM failed");
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::vector<unsigned char>> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::vector<unsigned char> bytes(hex.size() / 2);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const int high = hex_digit(hex[2 * i]);
    const int low = hex_digit(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    bytes[i] = static_cast<unsigned char>(high * 16 + low);
  }
  return bytes;
}

void append_hex(std::string& out, const unsigned char* bytes, std::size_t n) {
  constexpr char kDigits[] = "0123456789abcdef";
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 0x0f]);
  }
}

const unsigned char* bytes_of(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

}  // namespace

SecretKey parse_secret_key(std::string_view hex) {
  const auto bytes = from_hex(hex);
  SecretKey key{};
  if (!bytes || bytes->size() != key.size()) {
    throw_invalid("invalid_secret_key", "webhooks.secret_key must be 64 hex digits (32 bytes)",
                  "webhooks.secret_key");
  }
  std::copy(bytes->begin(), bytes->end(), key.begin());
  return key;
}

std::string seal(const SecretKey& key, const Nonce& nonce, std::string_view secret,
                 std::string_view bound_to) {
  Context context = new_context();
  std::vector<unsigned char> sealed(secret.size() + kTagBytes);
  int length = 0;
  int total = 0;
  if (EVP_EncryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, key.data(), nonce.data()) !=
          1 ||
      EVP_EncryptUpdate(context.get(), nullptr, &length, bytes_of(bound_to),
                        static_cast<int>(bound_to.size())) != 1 ||
      EVP_EncryptUpdate(context.get(), sealed.data(), &length, bytes_of(secret),
                        static_cast<int>(secret.size())) != 1) {
    crypto_failure();
  }
  total = length;
  if (EVP_EncryptFinal_ex(context.get(), sealed.data() + total, &length) != 1) crypto_failure();
  total += length;
  if (EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes),
                          sealed.data() + total) != 1) {
    crypto_failure();
  }
  std::string out(kSealedPrefix);
  append_hex(out, nonce.data(), nonce.size());
  append_hex(out, sealed.data(), static_cast<std::size_t>(total) + kTagBytes);
  return out;
}

bool is_sealed(std::string_view stored) {
  return stored.substr(0, kSealedPrefix.size()) == kSealedPrefix;
}

std::optional<std::string> open(const SecretKey& key, std::string_view sealed,
                                std::string_view bound_to) {
  if (!is_sealed(sealed)) return std::nullopt;
  const auto bytes = from_hex(sealed.substr(kSealedPrefix.size()));
  const std::size_t nonce_bytes = Nonce{}.size();
  if (!bytes || bytes->size() < nonce_bytes + kTagBytes) return std::nullopt;
  const unsigned char* nonce = bytes->data();
  const unsigned char* cipher = nonce + nonce_bytes;
  const auto cipher_bytes = static_cast<int>(bytes->size() - nonce_bytes - kTagBytes);
  std::vector<unsigned char> tag(cipher + cipher_bytes, cipher + cipher_bytes + kTagBytes);
  Context context = new_context();
  std::string secret(static_cast<std::size_t>(cipher_bytes), '\0');
  int length = 0;
  if (EVP_DecryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, key.data(), nonce) != 1 ||
      EVP_DecryptUpdate(context.get(), nullptr, &length, bytes_of(bound_to),
                        static_cast<int>(bound_to.size())) != 1 ||
      EVP_DecryptUpdate(context.get(), reinterpret_cast<unsigned char*>(secret.data()), &length,
                        cipher, cipher_bytes) != 1 ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes),
                          tag.data()) != 1) {
    return std::nullopt;
  }
  int final_length = 0;
  if (EVP_DecryptFinal_ex(context.get(), reinterpret_cast<unsigned char*>(secret.data()) + length,
                          &final_length) != 1) {
    return std::nullopt;  // the tag does not match: another key, binding, or altered
  }
  return secret;
}

}  // namespace sangdam::webhook
