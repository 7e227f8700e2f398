// Reading and writing the scheduling files with RapidJSON: typed field access that throws
// sangdam::Error naming the JSON path ("meetings[3].weight") of whatever is wrong.
// Internal to matching/schedule.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <string_view>
#include <vector>

namespace sangdam::schedule::json_io {

// Parses text into a document whose top level is an object, or throws malformed_json.
rapidjson::Document parse_object(std::string_view text);

std::string path_of(const std::string& parent, std::string_view key);
std::string path_of(const std::string& parent, std::size_t index);

// Field access: `required` ones throw missing_field; a present field of the wrong type throws
// wrong_type. Optional getters return the fallback when the key is absent or null.
const rapidjson::Value& require(const rapidjson::Value& object, const char* key,
                                const std::string& path);
bool has(const rapidjson::Value& object, const char* key);
const rapidjson::Value& require_array(const rapidjson::Value& object, const char* key,
                                      const std::string& path);
const rapidjson::Value* optional_array(const rapidjson::Value& object, const char* key,
                                       const std::string& path);
std::string require_string(const rapidjson::Value& object, const char* key,
                           const std::string& path);
std::string optional_string(const rapidjson::Value& object, const char* key,
                            const std::string& path, std::string fallback = {});
int as_int(const rapidjson::Value& value, const std::string& path);
int require_int(const rapidjson::Value& object, const char* key, const std::string& path);
int optional_int(const rapidjson::Value& object, const char* key, const std::string& path,
                 int fallback);
bool optional_bool(const rapidjson::Value& object, const char* key, const std::string& path,
                   bool fallback);
double optional_number(const rapidjson::Value& object, const char* key, const std::string& path,
                       double fallback);
std::vector<int> optional_int_array(const rapidjson::Value& object, const char* key,
                                    const std::string& path);
std::vector<std::string> optional_string_array(const rapidjson::Value& object, const char* key,
                                               const std::string& path);
void require_object(const rapidjson::Value& value, const std::string& path);

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;
void write_string(Writer& w, std::string_view text);
void write_int_array(Writer& w, const std::vector<int>& values);

}  // namespace sangdam::schedule::json_io
