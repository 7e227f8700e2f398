#include "matching/schedule/json_io.hpp"

#include <rapidjson/error/en.h>

#include <cmath>
#include <limits>

#include "matching/error.hpp"

namespace sangdam::schedule::json_io {

rapidjson::Document parse_object(std::string_view text) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
  if (doc.HasParseError()) {
    throw_invalid("malformed_json", std::string("not valid JSON: ") +
                                        rapidjson::GetParseError_En(doc.GetParseError()) +
                                        " at offset " + std::to_string(doc.GetErrorOffset()));
  }
  if (!doc.IsObject()) throw_invalid("malformed_json", "the top level must be a JSON object");
  return doc;
}

std::string path_of(const std::string& parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return parent + "." + std::string(key);
}

std::string path_of(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

namespace {
[[noreturn]] void wrong_type(const std::string& path, const char* expected) {
  throw_invalid("wrong_type", path + " must be " + expected, path);
}
}  // namespace

void require_object(const rapidjson::Value& value, const std::string& path) {
  if (!value.IsObject()) wrong_type(path, "an object");
}

bool has(const rapidjson::Value& object, const char* key) {
  auto it = object.FindMember(key);
  return it != object.MemberEnd() && !it->value.IsNull();
}

const rapidjson::Value& require(const rapidjson::Value& object, const char* key,
                                const std::string& path) {
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || it->value.IsNull()) {
    throw_invalid("missing_field", path_of(path, key) + " is required", path_of(path, key));
  }
  return it->value;
}

const rapidjson::Value& require_array(const rapidjson::Value& object, const char* key,
                                      const std::string& path) {
  const auto& value = require(object, key, path);
  if (!value.IsArray()) wrong_type(path_of(path, key), "an array");
  return value;
}

const rapidjson::Value* optional_array(const rapidjson::Value& object, const char* key,
                                       const std::string& path) {
  if (!has(object, key)) return nullptr;
  const auto& value = object[key];
  if (!value.IsArray()) wrong_type(path_of(path, key), "an array");
  return &value;
}

std::string require_string(const rapidjson::Value& object, const char* key,
                           const std::string& path) {
  const auto& value = require(object, key, path);
  if (!value.IsString()) wrong_type(path_of(path, key), "a string");
  return std::string(value.GetString(), value.GetStringLength());
}

std::string optional_string(const rapidjson::Value& object, const char* key,
                            const std::string& path, std::string fallback) {
  if (!has(object, key)) return fallback;
  return require_string(object, key, path);
}

int as_int(const rapidjson::Value& value, const std::string& path) {
  if (!value.IsInt()) wrong_type(path, "an integer");
  return value.GetInt();
}

int require_int(const rapidjson::Value& object, const char* key, const std::string& path) {
  return as_int(require(object, key, path), path_of(path, key));
}

int optional_int(const rapidjson::Value& object, const char* key, const std::string& path,
                 int fallback) {
  if (!has(object, key)) return fallback;
  return require_int(object, key, path);
}

bool optional_bool(const rapidjson::Value& object, const char* key, const std::string& path,
                   bool fallback) {
  if (!has(object, key)) return fallback;
  const auto& value = object[key];
  if (!value.IsBool()) wrong_type(path_of(path, key), "true or false");
  return value.GetBool();
}

double optional_number(const rapidjson::Value& object, const char* key, const std::string& path,
                       double fallback) {
  if (!has(object, key)) return fallback;
  const auto& value = object[key];
  if (!value.IsNumber()) wrong_type(path_of(path, key), "a number");
  double number = value.GetDouble();
  if (!std::isfinite(number)) wrong_type(path_of(path, key), "a finite number");
  return number;
}

std::vector<int> optional_int_array(const rapidjson::Value& object, const char* key,
                                    const std::string& path) {
  std::vector<int> out;
  const auto* array = optional_array(object, key, path);
  if (array == nullptr) return out;
  out.reserve(array->Size());
  for (rapidjson::SizeType i = 0; i < array->Size(); ++i) {
    out.push_back(as_int((*array)[i], path_of(path_of(path, key), i)));
  }
  return out;
}

std::vector<std::string> optional_string_array(const rapidjson::Value& object, const char* key,
                                               const std::string& path) {
  std::vector<std::string> out;
  const auto* array = optional_array(object, key, path);
  if (array == nullptr) return out;
  for (rapidjson::SizeType i = 0; i < array->Size(); ++i) {
    const auto& value = (*array)[i];
    if (!value.IsString()) wrong_type(path_of(path_of(path, key), i), "a string");
    out.emplace_back(value.GetString(), value.GetStringLength());
  }
  return out;
}

void write_string(Writer& w, std::string_view text) {
  w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

void write_int_array(Writer& w, const std::vector<int>& values) {
  w.StartArray();
  for (int v : values) w.Int(v);
  w.EndArray();
}

}  // namespace sangdam::schedule::json_io
