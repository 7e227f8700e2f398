#include "services/common/http_error.hpp"

#include "services/common/json.hpp"

namespace sangdam::http {

unsigned status_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kForbidden:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kMethodNotAllowed:
      return 405;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kGone:
      return 410;
    case ErrorCode::kPayloadTooLarge:
      return 413;
    case ErrorCode::kUnsupportedMedia:
      return 415;
    case ErrorCode::kUnprocessable:
      return 422;
    case ErrorCode::kRateLimited:
      return 429;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

Response error_response(unsigned status, std::string_view code, std::string_view message,
                        std::string_view field) {
  std::string body =
      R"({"error":{"code":)" + json::quote(code) + R"(,"message":)" + json::quote(message);
  if (!field.empty()) body += R"(,"field":)" + json::quote(field);
  body += "}}";
  Response response = Response::json(status, std::move(body));
  if (status == 401) response.headers.emplace_back("WWW-Authenticate", "Bearer");
  return response;
}

Response error_response(const sangdam::Error& error) {
  std::string_view code =
      error.reason().empty() ? error_code_name(error.code()) : std::string_view(error.reason());
  // An internal error's message may name code paths or data; the log keeps it, clients don't.
  if (error.code() == ErrorCode::kInternal) {
    return error_response(500, "internal", "internal error");
  }
  return error_response(status_for(error.code()), code, error.what(), error.field());
}

}  // namespace sangdam::http
