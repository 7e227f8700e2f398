#include "matching/intake/json_reader.hpp"

#include <rapidjson/error/en.h>

#include <algorithm>
#include <limits>

#include "matching/error.hpp"

namespace sangdam::intake {
namespace {

std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  auto first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  auto last = s.find_last_not_of(kSpace);
  return s.substr(first, last - first + 1);
}

std::string_view type_name(const rapidjson::Value& v) {
  if (v.IsObject()) return "an object";
  if (v.IsArray()) return "an array";
  if (v.IsString()) return "a string";
  if (v.IsBool()) return "a boolean";
  if (v.IsNumber()) return "a number";
  return "null";
}

[[noreturn]] void wrong_type(const std::string& path, std::string_view expected,
                             const rapidjson::Value& v) {
  throw_invalid("wrong_type",
                path + " must be " + std::string(expected) + ", not " + std::string(type_name(v)),
                path);
}

}  // namespace

rapidjson::Document parse_json_text(std::string_view text) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
  if (doc.HasParseError()) {
    throw_invalid("malformed_json", std::string("not valid JSON: ") +
                                        rapidjson::GetParseError_En(doc.GetParseError()) +
                                        " at offset " + std::to_string(doc.GetErrorOffset()));
  }
  return doc;
}

bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    std::uint32_t min_cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2, cp = c & 0x1F, min_cp = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, cp = c & 0x0F, min_cp = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, cp = c & 0x07, min_cp = 0x10000;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (std::size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min_cp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

std::string member_path(std::string_view base, std::string_view key) {
  if (base.empty()) return std::string(key);
  std::string out(base);
  out += '.';
  out += key;
  return out;
}

std::string index_path(std::string_view base, std::size_t index) {
  return std::string(base) + "[" + std::to_string(index) + "]";
}

std::string checked_text(const rapidjson::Value& value, const std::string& path,
                         std::size_t max_bytes, TextKind kind) {
  if (!value.IsString()) wrong_type(path, "a string", value);
  std::string_view raw(value.GetString(), value.GetStringLength());
  if (!is_valid_utf8(raw)) throw_invalid("invalid_utf8", path + " is not valid UTF-8", path);
  std::string_view s = trim(raw);
  if (s.size() > max_bytes) {
    throw_invalid("too_long",
                  path + " is " + std::to_string(s.size()) + " bytes, the limit is " +
                      std::to_string(max_bytes),
                  path);
  }
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    bool allowed_break = kind == TextKind::kMultiLine && (c == '\n' || c == '\r' || c == '\t');
    if ((c < 0x20 && !allowed_break) || c == 0x7F) {
      throw_invalid("invalid_text", path + " contains a control character", path);
    }
  }
  return std::string(s);
}

ObjectReader::ObjectReader(const rapidjson::Value& value, std::string path)
    : value_(value), path_(std::move(path)) {
  if (!value_.IsObject() && path_.empty()) {
    throw_invalid("wrong_type", "the document must be a JSON object");
  }
  if (!value_.IsObject()) wrong_type(path_, "an object", value_);
}

const rapidjson::Value* ObjectReader::get(std::string_view key) const {
  auto it = value_.FindMember(rapidjson::Value(
      rapidjson::StringRef(key.data(), static_cast<rapidjson::SizeType>(key.size()))));
  if (it == value_.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

bool ObjectReader::has(std::string_view key) const {
  return get(key) != nullptr;
}

const rapidjson::Value& ObjectReader::require(std::string_view key) const {
  const rapidjson::Value* v = get(key);
  if (v == nullptr) throw_invalid("missing_field", path(key) + " is required", path(key));
  return *v;
}

void ObjectReader::reject_unknown(std::initializer_list<std::string_view> known,
                                  std::initializer_list<std::string_view> ignored) const {
  for (auto it = value_.MemberBegin(); it != value_.MemberEnd(); ++it) {
    std::string_view name(it->name.GetString(), it->name.GetStringLength());
    auto matches = [&](std::string_view k) { return k == name; };
    if (std::any_of(known.begin(), known.end(), matches) ||
        std::any_of(ignored.begin(), ignored.end(), matches)) {
      continue;
    }
    std::string shown = is_valid_utf8(name) ? std::string(name) : std::string("?");
    throw_invalid("unknown_field", "unknown field " + path(shown), path(shown));
  }
}

std::string ObjectReader::text(std::string_view key, std::size_t max_bytes, bool required,
                               TextKind kind) const {
  const rapidjson::Value* v = get(key);
  std::string out = v == nullptr ? std::string() : checked_text(*v, path(key), max_bytes, kind);
  if (required && out.empty()) {
    throw_invalid("missing_field", path(key) + " is required", path(key));
  }
  return out;
}

std::vector<std::string> ObjectReader::text_list(std::string_view key, std::size_t max_items,
                                                 std::size_t max_item_bytes,
                                                 std::size_t min_items) const {
  std::vector<std::string> out;
  const rapidjson::Value* v = get(key);
  if (v != nullptr) {
    if (!v->IsArray()) wrong_type(path(key), "an array of strings", *v);
    if (v->Size() > max_items) {
      throw_invalid("too_many_items",
                    path(key) + " has " + std::to_string(v->Size()) + " items, the limit is " +
                        std::to_string(max_items),
                    path(key));
    }
    for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
      std::string item_path = index_path(path(key), i);
      std::string item = checked_text((*v)[i], item_path, max_item_bytes);
      if (item.empty()) throw_invalid("empty_item", item_path + " is empty", item_path);
      if (std::find(out.begin(), out.end(), item) == out.end()) out.push_back(std::move(item));
    }
  }
  if (out.size() < min_items) {
    throw_invalid("missing_field",
                  path(key) + " needs at least " + std::to_string(min_items) + " item(s)",
                  path(key));
  }
  return out;
}

std::optional<int> ObjectReader::optional_integer(std::string_view key, int min, int max) const {
  const rapidjson::Value* v = get(key);
  if (v == nullptr) return std::nullopt;
  if (!v->IsInt64()) wrong_type(path(key), "an integer", *v);
  std::int64_t n = v->GetInt64();
  if (n < min || n > max) {
    throw_invalid(
        "out_of_range",
        path(key) + " must be between " + std::to_string(min) + " and " + std::to_string(max),
        path(key));
  }
  return static_cast<int>(n);
}

int ObjectReader::integer(std::string_view key, int min, int max, int fallback) const {
  return optional_integer(key, min, max).value_or(fallback);
}

std::vector<int> ObjectReader::integer_list(std::string_view key, std::size_t max_items, int min,
                                            int max) const {
  std::vector<int> out;
  const rapidjson::Value* v = get(key);
  if (v == nullptr) return out;
  if (!v->IsArray()) wrong_type(path(key), "an array of integers", *v);
  if (v->Size() > max_items) {
    throw_invalid("too_many_items",
                  path(key) + " has " + std::to_string(v->Size()) + " items, the limit is " +
                      std::to_string(max_items),
                  path(key));
  }
  for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
    std::string item_path = index_path(path(key), i);
    const rapidjson::Value& item = (*v)[i];
    if (!item.IsInt64()) wrong_type(item_path, "an integer", item);
    std::int64_t n = item.GetInt64();
    if (n < min || n > max) {
      throw_invalid(
          "out_of_range",
          item_path + " must be between " + std::to_string(min) + " and " + std::to_string(max),
          item_path);
    }
    if (std::find(out.begin(), out.end(), static_cast<int>(n)) == out.end()) {
      out.push_back(static_cast<int>(n));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool ObjectReader::boolean(std::string_view key, bool fallback) const {
  const rapidjson::Value* v = get(key);
  if (v == nullptr) return fallback;
  if (!v->IsBool()) wrong_type(path(key), "true or false", *v);
  return v->GetBool();
}

}  // namespace sangdam::intake
