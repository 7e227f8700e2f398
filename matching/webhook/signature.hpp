// Webhook signatures: every delivery is a POST whose body the receiver can authenticate with
// the shared secret. We sign "<timestamp>.<body>" so that a captured delivery cannot be
// replayed later with a fresh timestamp; the receiver rejects stale timestamps itself.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace sangdam::webhook {

// Headers a delivery carries (the gateway sets them; receivers read them).
inline constexpr std::string_view kSignatureHeader = "X-Sangdam-Signature";  // "sha256=<hex>"
inline constexpr std::string_view kTimestampHeader = "X-Sangdam-Timestamp";  // Unix seconds
inline constexpr std::string_view kDeliveryHeader = "X-Sangdam-Delivery";    // delivery id

// "sha256=" + lower-case hex HMAC-SHA256(secret, timestamp + "." + body).
// An empty secret is refused (Error kInvalidArgument, reason "empty_webhook_secret"): a
// signature anyone can compute would only look like protection.
std::string sign(std::string_view secret, std::string_view timestamp, std::string_view body);

// True when signature equals sign(secret, timestamp, body). The comparison takes the same
// time wherever the first difference is (CRYPTO_memcmp), so a receiver's timing does not leak
// the expected value. Never throws: any malformed signature or empty secret is just false.
bool verify(std::string_view secret, std::string_view timestamp, std::string_view body,
            std::string_view signature);

// True when timestamp (decimal Unix seconds) lies within max_skew of now, either side.
// Receivers use it to refuse replays of old deliveries; false for anything not a number.
bool is_fresh(std::string_view timestamp, std::chrono::sys_seconds now,
              std::chrono::seconds max_skew);

}  // namespace sangdam::webhook
