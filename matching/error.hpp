// The one error model of sangdam. Domain code throws sangdam::Error with a protocol-neutral
// code; the HTTP edge maps the code to a status in one place (services/common/http_error.cpp),
// the bus maps it to "retry" or "dead-letter", the CLI to an exit code.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace sangdam {

enum class ErrorCode {
  kInvalidArgument,   // malformed or out-of-range input (400)
  kUnauthenticated,   // no or unknown credentials (401)
  kForbidden,         // credentials valid, role not allowed (403)
  kNotFound,          // resource does not exist or is not visible (404)
  kMethodNotAllowed,  // route exists, verb does not (405)
  kConflict,          // state forbids it: slot taken, duplicate (409)
  kGone,              // expired (410)
  kPayloadTooLarge,   // body over the route's limit (413)
  kUnsupportedMedia,  // content type not accepted (415)
  kUnprocessable,     // well-formed but violates a rule (422)
  kRateLimited,       // policy limit reached (429)
  kUnavailable,       // a dependency (Redis) is down or timed out (503)
  kInternal,          // a bug (500)
};

// Stable text for a code, as clients see it in {"error":{"code": ...}} when no finer reason
// is given ("invalid_argument", "not_found", ...).
std::string_view error_code_name(ErrorCode code);

class Error : public std::runtime_error {
 public:
  // reason: machine-readable, snake_case, finer than the code ("unknown_country", "slot_taken").
  // field: the JSON path or CSV column the error is about, empty when none.
  Error(ErrorCode code, std::string reason, std::string message, std::string field = {})
      : std::runtime_error(message),
        code_(code),
        reason_(std::move(reason)),
        field_(std::move(field)) {}

  ErrorCode code() const { return code_; }
  const std::string& reason() const { return reason_; }
  const std::string& field() const { return field_; }

 private:
  ErrorCode code_;
  std::string reason_;
  std::string field_;
};

// Shorthand for the most common throw: bad input naming its field.
[[noreturn]] inline void throw_invalid(std::string reason, std::string message,
                                       std::string field = {}) {
  throw Error(ErrorCode::kInvalidArgument, std::move(reason), std::move(message), std::move(field));
}

}  // namespace sangdam
