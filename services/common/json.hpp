// Small helpers over RapidJSON shared by services: quoting, parsing a request body into a
// document with a clear error, writing a value to text.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>

namespace sangdam::json {

// A JSON string literal for text (escapes quotes, control characters; keeps UTF-8 as is).
std::string quote(std::string_view text);

// Parses text; on failure throws sangdam::Error(kInvalidArgument, "malformed_json", message
// with the offset). Requires an object at the top when object_required.
rapidjson::Document parse(std::string_view text, bool object_required = true);

// Serialises a value compactly.
std::string to_string(const rapidjson::Value& value);

}  // namespace sangdam::json
