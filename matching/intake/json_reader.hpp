// Reading validated fields out of RapidJSON values with the error model of sangdam: every
// failure is a sangdam::Error(kInvalidArgument) naming the JSON path of the bad field
// ("products[2].hs_code"). One reader serves the event, the profiles and the catalogs so the
// same input mistake gets the same reason everywhere.
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sangdam::intake {

// Parses JSON text (UTF-8 validated) or throws reason "malformed_json" with the offset.
rapidjson::Document parse_json_text(std::string_view text);

// True when text is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view text);

// "a" + "b" -> "a.b"; "" + "b" -> "b".
std::string member_path(std::string_view base, std::string_view key);
// "a" + 3 -> "a[3]".
std::string index_path(std::string_view base, std::size_t index);

// Free text may carry line breaks and tabs; names and codes may not carry any control byte.
enum class TextKind { kSingleLine, kMultiLine };

// A JSON object being read, with the path it sits at. Absent members and JSON null are the
// same thing: "not given".
class ObjectReader {
 public:
  // Throws "wrong_type" when value is not an object.
  ObjectReader(const rapidjson::Value& value, std::string path);

  bool has(std::string_view key) const;
  const rapidjson::Value* get(std::string_view key) const;  // nullptr when not given
  std::string path(std::string_view key) const { return member_path(path_, key); }
  const std::string& path() const { return path_; }

  // Members outside known (and outside ignored, which are accepted and dropped, such as
  // read-only "id") are refused with "unknown_field": a typo must not pass silently.
  void reject_unknown(std::initializer_list<std::string_view> known,
                      std::initializer_list<std::string_view> ignored = {}) const;

  // Trimmed text. Required and empty -> "missing_field"; longer than max_bytes -> "too_long";
  // bad UTF-8 -> "invalid_utf8"; control bytes in single-line text -> "invalid_text".
  std::string text(std::string_view key, std::size_t max_bytes, bool required,
                   TextKind kind = TextKind::kSingleLine) const;
  // A list of trimmed strings: more than max_items -> "too_many_items"; fewer than min_items
  // -> "missing_field"; empty items are refused; duplicates are dropped keeping first order.
  std::vector<std::string> text_list(std::string_view key, std::size_t max_items,
                                     std::size_t max_item_bytes, std::size_t min_items) const;
  // An integer in [min, max] ("out_of_range" otherwise), or fallback when not given.
  int integer(std::string_view key, int min, int max, int fallback) const;
  std::optional<int> optional_integer(std::string_view key, int min, int max) const;
  std::vector<int> integer_list(std::string_view key, std::size_t max_items, int min,
                                int max) const;
  bool boolean(std::string_view key, bool fallback) const;
  // Throws "missing_field" when not given.
  const rapidjson::Value& require(std::string_view key) const;

 private:
  const rapidjson::Value& value_;
  std::string path_;
};

// Checks one string value found at path (used for list items); same rules as text().
std::string checked_text(const rapidjson::Value& value, const std::string& path,
                         std::size_t max_bytes, TextKind kind = TextKind::kSingleLine);

}  // namespace sangdam::intake
