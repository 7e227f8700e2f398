// Webhook secrets at rest. A receiver's secret must be readable to sign deliveries, so it
// cannot be hashed like a token; with a key configured (webhooks.secret_key) it is stored
// sealed with AES-256-GCM instead of as is, bound to its webhook (the associated data), so
// that a copy of Redis alone does not let anyone forge deliveries, and a sealed secret moved
// to another webhook does not open. Pure: the caller supplies the random nonce.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace sangdam::webhook {

using SecretKey = std::array<unsigned char, 32>;
using Nonce = std::array<unsigned char, 12>;

inline constexpr std::string_view kSealedPrefix = "sealed:v1:";

// The key from its configuration text: 64 hex digits. Throws Error(kInvalidArgument,
// "invalid_secret_key") otherwise.
SecretKey parse_secret_key(std::string_view hex);

// kSealedPrefix + hex(nonce | ciphertext | 16-byte tag). bound_to: e.g. "<event>/<webhook>".
// A nonce must never be used twice with one key (the caller draws it at random).
std::string seal(const SecretKey& key, const Nonce& nonce, std::string_view secret,
                 std::string_view bound_to);

bool is_sealed(std::string_view stored);

// The secret of a sealed text; nullopt when it was sealed with another key, for another
// binding, altered, or is not a sealed text.
std::optional<std::string> open(const SecretKey& key, std::string_view sealed,
                                std::string_view bound_to);

}  // namespace sangdam::webhook
