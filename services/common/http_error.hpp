// The one place where a domain error becomes HTTP. Handlers throw sangdam::Error; the server
// turns it into the status below and the body
//   {"error":{"code":"<reason or code name>","message":"...","field":"..."}}
// (field omitted when empty).
#pragma once

#include <string>
#include <string_view>

#include "matching/error.hpp"
#include "services/common/http_message.hpp"

namespace sangdam::http {

unsigned status_for(ErrorCode code);
Response error_response(const sangdam::Error& error);

// For failures that have no ErrorCode (431 header too large, 505 ...): same body shape.
Response error_response(unsigned status, std::string_view code, std::string_view message,
                        std::string_view field = {});

}  // namespace sangdam::http
