// Webhook deliveries, the pure parts: what an organizer may register (URL, event types), which
// bus messages a webhook wants, the id that makes a delivery unique per bus message and
// webhook (so a redelivered bus message creates no second delivery), the body every attempt
// sends, and the retry schedule. The sending itself lives in services/webhooks/.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sangdam::webhook {

// The bus message types a webhook can ask for (topics requests, meetings, outcomes), in a
// stable order for documentation and error messages.
const std::vector<std::string_view>& event_types();
bool is_known_type(std::string_view type);
inline constexpr std::string_view kAllTypes = "*";

// Limits of a registration, checked by read_registration.
inline constexpr std::size_t kMaxUrlLength = 2048;
inline constexpr std::size_t kMaxDescriptionLength = 500;  // bytes

// An absolute http or https URL, split for a client: no user info, no fragment; the host is a
// DNS name, an IPv4 address or a bracketed IPv6 address.
struct Url {
  std::string scheme;  // "http" | "https"
  std::string host;    // without brackets for IPv6
  std::string port;    // explicit, or "80" / "443" from the scheme
  std::string target;  // path and query, "/" when empty
};
// Throws Error(kInvalidArgument, "invalid_url", ..., field) for anything else.
Url parse_url(std::string_view text, const std::string& field = "url");

// True for an address a webhook must not reach unless the operator allows it: unspecified,
// loopback, private (10/8, 172.16/12, 192.168/16), carrier-grade NAT (100.64/10), link-local
// (169.254/16: cloud metadata; fe80::/10), unique-local fc00::/7, multicast, and IPv4 ones in
// IPv6 clothing (::ffff:a.b.c.d). `address` is a literal IPv4 or IPv6 address; false for a
// name or anything that does not parse.
bool is_internal_address(std::string_view address);

// Throws Error(kInvalidArgument, "internal_address", ..., field) when the URL's host is
// "localhost" (or below it) or a literal internal address. Names are checked again, after
// resolving, when a delivery is sent.
void refuse_internal_host(const Url& url, const std::string& field = "url");

// POST /v1/events/{e}/webhooks body: {"url", "types": [...] | ["*"], "description"?}.
struct Registration {
  std::string url;
  std::vector<std::string> types;  // known types, no duplicates, or exactly {"*"}
  std::string description;
};
// Throws Error(kInvalidArgument) with reason malformed_json, missing_field, invalid_url,
// invalid_types, unknown_type, duplicate_type, invalid_description or unknown_field, naming
// the field ("types[2]").
Registration read_registration(std::string_view json_text);

// True when a webhook registered for types receives a message of type.
bool wants(const std::vector<std::string>& types, std::string_view type);

// Lower-case hex SHA-256 of "<bus idempotency key>|<webhook id>": the same bus message for the
// same webhook always gives the same id, whichever instance or redelivery computes it.
std::string delivery_id(std::string_view idempotency_key, std::string_view webhook_id);

// What every attempt POSTs (the same bytes each time, so the receiver can dedupe and compare):
// {"delivery_id","type","event_id","time","data":<payload>}. payload must be JSON text; a
// payload that is not is an Error(kInvalidArgument, "malformed_payload").
std::string delivery_body(std::string_view delivery_id, std::string_view type,
                          std::string_view event_id, std::string_view time,
                          std::string_view payload);

// Exponential backoff: after attempt n (1-based) failed, the next one is due after
// base * 2^(n-1), at most cap; after max_attempts failures the delivery has failed for good.
struct RetryPolicy {
  std::chrono::milliseconds base{1000};
  std::chrono::milliseconds cap{std::chrono::minutes(5)};
  int max_attempts = 8;
};
// Throws Error(kInvalidArgument, "invalid_retry_policy") for base < 1 ms, cap < base or
// max_attempts < 1.
void check(const RetryPolicy& policy);
// The wait before the next attempt after attempts_made failed ones, or nullopt when none is
// left (attempts_made >= max_attempts).
std::optional<std::chrono::milliseconds> retry_delay(const RetryPolicy& policy, int attempts_made);

// 2xx: delivered. Anything else (including 3xx: redirects are never followed) is retried.
inline bool is_success(unsigned status) {
  return status >= 200 && status < 300;
}

}  // namespace sangdam::webhook
