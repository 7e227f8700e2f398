#include "matching/webhook/delivery.hpp"

#include <openssl/evp.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "matching/error.hpp"

namespace sangdam::webhook {
namespace {

constexpr std::size_t kMaxHostLength = 253;  // DNS limit

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

[[noreturn]] void bad_url(const std::string& field, const std::string& why) {
  throw_invalid("invalid_url", "url must be an absolute http or https URL: " + why, field);
}

bool is_dns_host(std::string_view host) {
  if (host.empty() || host.size() > kMaxHostLength) return false;
  if (host.front() == '.' || host.back() == '.' || host.find("..") != std::string_view::npos) {
    return false;
  }
  return std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
  });
}

bool is_ipv6_literal(std::string_view host) {
  return !host.empty() && host.find(':') != std::string_view::npos &&
         std::all_of(host.begin(), host.end(), [](char c) {
           return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
         });
}

const rapidjson::Value* member(const rapidjson::Value& object, const char* name) {
  auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

}  // namespace

const std::vector<std::string_view>& event_types() {
  static const std::vector<std::string_view> kTypes = {
      "request.created",  "request.accepted",  "request.declined",   "request.withdrawn",
      "request.expired",  "pair.added",        "pair.removed",       "meeting.placed",
      "meeting.moved",    "meeting.cancelled", "schedule.published", "checkin.recorded",
      "outcome.reported", "deal.changed",
  };
  return kTypes;
}

bool is_known_type(std::string_view type) {
  const auto& types = event_types();
  return std::find(types.begin(), types.end(), type) != types.end();
}

Url parse_url(std::string_view text, const std::string& field) {
  if (text.size() > kMaxUrlLength) {
    bad_url(field, "longer than " + std::to_string(kMaxUrlLength) + " characters");
  }
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) bad_url(field, "spaces, control and non-ASCII characters");
  }
  Url url;
  std::string_view rest;
  if (starts_with_nocase(text, "http://")) {
    url.scheme = "http";
    url.port = "80";
    rest = text.substr(7);
  } else if (starts_with_nocase(text, "https://")) {
    url.scheme = "https";
    url.port = "443";
    rest = text.substr(8);
  } else {
    bad_url(field, "the scheme is not http:// or https://");
  }
  if (rest.find('#') != std::string_view::npos) bad_url(field, "a fragment (#) is not sent");
  auto authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view target =
      authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    bad_url(field, "user information (user@) is not allowed; the signature authenticates us");
  }
  std::string_view host;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) bad_url(field, "unclosed [ in the host");
    host = authority.substr(1, close - 1);
    if (!is_ipv6_literal(host)) bad_url(field, "malformed IPv6 address");
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') bad_url(field, "unexpected text after the IPv6 address");
      port = after.substr(1);
      if (port.empty()) bad_url(field, "empty port");
    }
  } else {
    auto colon = authority.rfind(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) bad_url(field, "empty port");
    }
    if (!is_dns_host(host)) bad_url(field, "missing or malformed host");
  }
  if (!port.empty()) {
    int number = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
    if (ec != std::errc{} || end != port.data() + port.size() || number < 1 || number > 65535) {
      bad_url(field, "the port must be a number in 1..65535");
    }
    url.port = std::to_string(number);
  }
  url.host = std::string(host);
  if (target.empty()) {
    url.target = "/";
  } else if (target.front() == '?') {
    url.target = "/" + std::string(target);
  } else {
    url.target = std::string(target);
  }
  return url;
}

Registration read_registration(std::string_view json_text) {
  rapidjson::Document doc;
  doc.Parse(json_text.data(), json_text.size());
  if (doc.HasParseError()) {
    throw_invalid("malformed_json", std::string("the body is not JSON: ") +
                                        rapidjson::GetParseError_En(doc.GetParseError()) +
                                        " at offset " + std::to_string(doc.GetErrorOffset()));
  }
  if (!doc.IsObject()) throw_invalid("malformed_json", "the body must be a JSON object");
  for (const auto& m : doc.GetObject()) {
    std::string_view name(m.name.GetString(), m.name.GetStringLength());
    if (name != "url" && name != "types" && name != "description") {
      throw_invalid("unknown_field", "unknown field (url, types, description)", std::string(name));
    }
  }
  Registration r;
  const auto* url = member(doc, "url");
  if (url == nullptr) throw_invalid("missing_field", "url is required", "url");
  if (!url->IsString()) throw_invalid("invalid_url", "url must be a string", "url");
  r.url.assign(url->GetString(), url->GetStringLength());
  parse_url(r.url, "url");

  const auto* types = member(doc, "types");
  if (types == nullptr) throw_invalid("missing_field", "types is required", "types");
  if (!types->IsArray() || types->Empty()) {
    throw_invalid("invalid_types", "types must be a non-empty array of event types, or [\"*\"]",
                  "types");
  }
  const auto& list = types->GetArray();
  for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
    std::string field = "types[" + std::to_string(i) + "]";
    if (!list[i].IsString()) throw_invalid("invalid_types", "each type must be a string", field);
    std::string type(list[i].GetString(), list[i].GetStringLength());
    if (type == kAllTypes) {
      if (list.Size() != 1) {
        throw_invalid("invalid_types", "\"*\" stands alone: it already means every type", field);
      }
    } else if (!is_known_type(type)) {
      std::string known;
      for (auto t : event_types()) known.append(known.empty() ? "" : ", ").append(t);
      throw_invalid("unknown_type", "unknown event type '" + type + "' (known: " + known + ")",
                    field);
    }
    if (std::find(r.types.begin(), r.types.end(), type) != r.types.end()) {
      throw_invalid("duplicate_type", "type '" + type + "' is listed twice", field);
    }
    r.types.push_back(std::move(type));
  }

  if (const auto* description = member(doc, "description")) {
    if (!description->IsString() || description->GetStringLength() > kMaxDescriptionLength) {
      throw_invalid("invalid_description",
                    "description must be a string of at most " +
                        std::to_string(kMaxDescriptionLength) + " bytes",
                    "description");
    }
    r.description.assign(description->GetString(), description->GetStringLength());
  }
  return r;
}

bool wants(const std::vector<std::string>& types, std::string_view type) {
  return std::any_of(types.begin(), types.end(),
                     [type](const std::string& t) { return t == kAllTypes || t == type; });
}

std::string delivery_id(std::string_view idempotency_key, std::string_view webhook_id) {
  std::string input;
  input.reserve(idempotency_key.size() + 1 + webhook_id.size());
  input.append(idempotency_key).append("|").append(webhook_id);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(input.data(), input.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
    throw Error(ErrorCode::kInternal, "sha256_failed", "OpenSSL could not compute SHA-256");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(std::size_t{size} * 2);
  for (unsigned int i = 0; i < size; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0x0f];
  }
  return out;
}

std::string delivery_body(std::string_view delivery_id, std::string_view type,
                          std::string_view event_id, std::string_view time,
                          std::string_view payload) {
  rapidjson::Document data;
  data.Parse(payload.data(), payload.size());
  if (data.HasParseError()) {
    throw_invalid("malformed_payload", "the bus message's payload is not JSON", "payload");
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  auto string = [&w](std::string_view s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  };
  w.StartObject();
  w.Key("delivery_id");
  string(delivery_id);
  w.Key("type");
  string(type);
  w.Key("event_id");
  string(event_id);
  w.Key("time");
  string(time);
  w.Key("data");
  data.Accept(w);
  w.EndObject();
  return buffer.GetString();
}

void check(const RetryPolicy& policy) {
  if (policy.base < std::chrono::milliseconds(1) || policy.cap < policy.base ||
      policy.max_attempts < 1) {
    throw_invalid("invalid_retry_policy",
                  "retry policy needs base >= 1 ms, cap >= base and max_attempts >= 1");
  }
}

std::optional<std::chrono::milliseconds> retry_delay(const RetryPolicy& policy, int attempts_made) {
  if (attempts_made >= policy.max_attempts) return std::nullopt;
  auto delay = policy.base;
  // Doubling stops at the cap, so no shift can overflow however many attempts are allowed.
  for (int i = 1; i < attempts_made && delay < policy.cap; ++i) delay *= 2;
  return std::min(delay, policy.cap);
}

namespace {

bool is_internal_v4(const unsigned char* a) {
  const auto in = [&](unsigned first, unsigned second_from, unsigned second_to) {
    return a[0] == first && a[1] >= second_from && a[1] <= second_to;
  };
  return a[0] == 0 || a[0] == 10 || a[0] == 127 || in(100, 64, 127) || in(169, 254, 254) ||
         in(172, 16, 31) || in(192, 168, 168) || a[0] >= 224;  // multicast and reserved
}

}  // namespace

bool is_internal_address(std::string_view address) {
  const std::string text(address);
  unsigned char bytes[16] = {};
  if (inet_pton(AF_INET, text.c_str(), bytes) == 1) return is_internal_v4(bytes);
  if (inet_pton(AF_INET6, text.c_str(), bytes) != 1) return false;
  const bool zero_prefix = std::all_of(bytes, bytes + 10, [](unsigned char b) { return b == 0; });
  if (zero_prefix && bytes[10] == 0xff && bytes[11] == 0xff) return is_internal_v4(bytes + 12);
  if (zero_prefix && bytes[10] == 0 && bytes[11] == 0) {
    return std::all_of(bytes + 12, bytes + 15, [](unsigned char b) { return b == 0; }) &&
           bytes[15] <= 1;  // :: and ::1
  }
  return (bytes[0] & 0xfe) == 0xfc ||                        // unique local fc00::/7
         (bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80) ||  // link-local fe80::/10
         bytes[0] == 0xff;                                   // multicast
}

void refuse_internal_host(const Url& url, const std::string& field) {
  std::string host = url.host;
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!host.empty() && host.back() == '.') host.pop_back();
  const bool localhost = host == "localhost" || (host.size() > 10 && host.ends_with(".localhost"));
  if (localhost || is_internal_address(host)) {
    throw Error(ErrorCode::kInvalidArgument, "internal_address",
                "webhooks may not point at loopback, private or link-local addresses (" + url.host +
                    "); an operator can allow them with webhooks.allow_internal_addresses",
                field);
  }
}

}  // namespace sangdam::webhook
