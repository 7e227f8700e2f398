// Reference data the domain needs: the product taxonomy (config/taxonomy.json) and the markets
// (config/markets.json). Loaded from JSON text (the caller reads the files), then read-only.
//
// config/taxonomy.json:
//   {"version": 1, "categories": [
//     {"code": "dental", "name_en": "Dental", "name_ko": "치과", "children": [
//       {"code": "dental.implants", "name_en": "Dental implants", "name_ko": "치과 임플란트",
//        "keywords_en": ["implant", "abutment"], "keywords_ko": ["임플란트"]}, ...]}, ...]}
//   Codes are lower-case ASCII; a child's code is "<parent>.<leaf>". Two levels at least.
// config/markets.json:
//   {"version": 1, "countries": [
//     {"code": "VN", "name": "Viet Nam", "tier": "developing",
//      "languages": ["vi", "en"], "required_marks": ["DAV"]}, ...]}
//   tier: "developing" | "catching_up" | "innovation_leader".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sangdam {

struct Category {
  std::string code;    // "dental.implants"
  std::string parent;  // "dental"; empty for a top-level branch
  std::string name_en;
  std::string name_ko;
  std::vector<std::string> keywords_en;
  std::vector<std::string> keywords_ko;
};

class Taxonomy {
 public:
  // Throws sangdam::Error(kInvalidArgument) naming the bad entry.
  static Taxonomy from_json(std::string_view text);

  const Category* find(std::string_view code) const;
  bool contains(std::string_view code) const { return find(code) != nullptr; }
  // The top-level branch of a code ("dental.implants" -> "dental"; "dental" -> "dental").
  std::string branch_of(std::string_view code) const;
  const std::vector<Category>& categories() const { return categories_; }

  void add(Category category);  // for tests and loaders

 private:
  std::vector<Category> categories_;
  std::unordered_map<std::string, std::size_t> index_;
};

enum class MarketTier { kDeveloping, kCatchingUp, kInnovationLeader };

struct Market {
  std::string code;  // ISO 3166-1 alpha-2
  std::string name;
  MarketTier tier = MarketTier::kDeveloping;
  std::vector<std::string> languages;       // ISO 639-1
  std::vector<std::string> required_marks;  // "CE", "FDA", ...
};

class Markets {
 public:
  static Markets from_json(std::string_view text);

  const Market* find(std::string_view country) const;
  const std::vector<Market>& markets() const { return markets_; }

  void add(Market market);

 private:
  std::vector<Market> markets_;
  std::unordered_map<std::string, std::size_t> index_;
};

// ISO 3166-1 alpha-2 (all officially assigned codes) and ISO 639-1 (all two-letter codes).
bool is_country_code(std::string_view code);
bool is_language_code(std::string_view code);

}  // namespace sangdam
