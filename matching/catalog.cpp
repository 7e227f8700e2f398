#include "matching/catalog.hpp"

#include <algorithm>
#include <iterator>

#include "matching/error.hpp"
#include "matching/intake/json_reader.hpp"

namespace sangdam {
namespace {

using intake::ObjectReader;

// Limits of the reference files: generous for real taxonomies, small enough that a broken
// file is refused instead of eating memory.
constexpr std::size_t kMaxCategoryDepth = 4;
constexpr std::size_t kMaxCodeBytes = 64;
constexpr std::size_t kMaxNameBytes = 200;
constexpr std::size_t kMaxKeywords = 100;
constexpr std::size_t kMaxKeywordBytes = 100;
constexpr std::size_t kMaxMarks = 50;
constexpr std::size_t kMaxMarkBytes = 40;
constexpr std::size_t kMaxMarketLanguages = 20;

bool is_code_segment(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

void add_categories(Taxonomy& taxonomy, const rapidjson::Value& list, const std::string& path,
                    const std::string& parent, std::size_t depth) {
  if (!list.IsArray() || list.Empty()) {
    throw_invalid("wrong_type", path + " must be a non-empty array of categories", path);
  }
  if (depth > kMaxCategoryDepth) {
    throw_invalid("too_deep", path + " nests deeper than " + std::to_string(kMaxCategoryDepth),
                  path);
  }
  for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
    ObjectReader entry(list[i], intake::index_path(path, i));
    entry.reject_unknown({"code", "name_en", "name_ko", "keywords_en", "keywords_ko", "children"});
    Category category;
    category.code = entry.text("code", kMaxCodeBytes, true);
    category.parent = parent;
    std::string_view leaf = category.code;
    if (!parent.empty()) {
      if (!category.code.starts_with(parent + ".")) {
        throw_invalid("invalid_code", "code " + category.code + " must start with " + parent + ".",
                      entry.path("code"));
      }
      leaf.remove_prefix(parent.size() + 1);
    }
    if (!is_code_segment(leaf)) {
      throw_invalid("invalid_code",
                    "code " + category.code + " must be lower-case ASCII letters, digits or _",
                    entry.path("code"));
    }
    if (taxonomy.contains(category.code)) {
      throw_invalid("duplicate_code", "code " + category.code + " appears twice",
                    entry.path("code"));
    }
    category.name_en = entry.text("name_en", kMaxNameBytes, true);
    category.name_ko = entry.text("name_ko", kMaxNameBytes, true);
    category.keywords_en = entry.text_list("keywords_en", kMaxKeywords, kMaxKeywordBytes, 0);
    category.keywords_ko = entry.text_list("keywords_ko", kMaxKeywords, kMaxKeywordBytes, 0);
    std::string code = category.code;
    taxonomy.add(std::move(category));
    if (const rapidjson::Value* children = entry.get("children")) {
      add_categories(taxonomy, *children, entry.path("children"), code, depth + 1);
    }
  }
}

MarketTier parse_tier(std::string_view text, const std::string& path) {
  if (text == "developing") return MarketTier::kDeveloping;
  if (text == "catching_up") return MarketTier::kCatchingUp;
  if (text == "innovation_leader") return MarketTier::kInnovationLeader;
  throw_invalid(
      "invalid_value",
      path + " must be developing, catching_up or innovation_leader, not " + std::string(text),
      path);
}

}  // namespace

Taxonomy Taxonomy::from_json(std::string_view text) {
  rapidjson::Document doc = intake::parse_json_text(text);
  ObjectReader root(doc, "");
  root.reject_unknown({"version", "categories"}, {"description"});
  Taxonomy taxonomy;
  add_categories(taxonomy, root.require("categories"), "categories", "", 1);
  bool has_second_level = std::any_of(taxonomy.categories_.begin(), taxonomy.categories_.end(),
                                      [](const Category& c) { return !c.parent.empty(); });
  if (!has_second_level) {
    throw_invalid("too_flat", "the taxonomy needs at least two levels", "categories");
  }
  return taxonomy;
}

const Category* Taxonomy::find(std::string_view code) const {
  auto it = index_.find(std::string(code));
  return it == index_.end() ? nullptr : &categories_[it->second];
}

std::string Taxonomy::branch_of(std::string_view code) const {
  return std::string(code.substr(0, code.find('.')));
}

void Taxonomy::add(Category category) {
  std::string code = category.code;
  auto it = index_.find(code);
  if (it != index_.end()) {
    categories_[it->second] = std::move(category);
    return;
  }
  index_.emplace(std::move(code), categories_.size());
  categories_.push_back(std::move(category));
}

Markets Markets::from_json(std::string_view text) {
  rapidjson::Document doc = intake::parse_json_text(text);
  ObjectReader root(doc, "");
  root.reject_unknown({"version", "countries"}, {"description"});
  const rapidjson::Value& list = root.require("countries");
  if (!list.IsArray()) throw_invalid("wrong_type", "countries must be an array", "countries");
  Markets markets;
  for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
    ObjectReader entry(list[i], intake::index_path("countries", i));
    entry.reject_unknown({"code", "name", "tier", "languages", "required_marks"}, {"note"});
    Market market;
    market.code = entry.text("code", 2, true);
    if (!is_country_code(market.code)) {
      throw_invalid("unknown_country", market.code + " is not an ISO 3166-1 alpha-2 code",
                    entry.path("code"));
    }
    if (markets.find(market.code) != nullptr) {
      throw_invalid("duplicate_code", market.code + " appears twice", entry.path("code"));
    }
    market.name = entry.text("name", kMaxNameBytes, true);
    market.tier = parse_tier(entry.text("tier", kMaxCodeBytes, true), entry.path("tier"));
    market.languages = entry.text_list("languages", kMaxMarketLanguages, 2, 1);
    for (std::size_t k = 0; k < market.languages.size(); ++k) {
      if (!is_language_code(market.languages[k])) {
        std::string item = intake::index_path(entry.path("languages"), k);
        throw_invalid("unknown_language", market.languages[k] + " is not an ISO 639-1 code", item);
      }
    }
    market.required_marks = entry.text_list("required_marks", kMaxMarks, kMaxMarkBytes, 0);
    markets.add(std::move(market));
  }
  return markets;
}

const Market* Markets::find(std::string_view country) const {
  auto it = index_.find(std::string(country));
  return it == index_.end() ? nullptr : &markets_[it->second];
}

void Markets::add(Market market) {
  std::string code = market.code;
  auto it = index_.find(code);
  if (it != index_.end()) {
    markets_[it->second] = std::move(market);
    return;
  }
  index_.emplace(std::move(code), markets_.size());
  markets_.push_back(std::move(market));
}

bool is_country_code(std::string_view code) {
  // ISO 3166-1 alpha-2, all 249 officially assigned codes (iso-codes 4.x), sorted.
  static constexpr std::string_view kCodes[] = {
      "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX",
      "AZ", "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ",
      "BR", "BS", "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK",
      "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM",
      "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR",
      "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS",
      "GT", "GU", "GW", "GY", "HK", "HM", "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN",
      "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN",
      "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV",
      "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ",
      "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI",
      "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM",
      "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW", "SA", "SB", "SC",
      "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST", "SV",
      "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR",
      "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
      "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW"};
  return std::binary_search(std::begin(kCodes), std::end(kCodes), code);
}

bool is_language_code(std::string_view code) {
  // ISO 639-1, all 184 two-letter codes (iso-codes 4.x), sorted.
  static constexpr std::string_view kCodes[] = {
      "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg",
      "bh", "bi", "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv",
      "cy", "da", "de", "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi",
      "fj", "fo", "fr", "fy", "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr",
      "ht", "hu", "hy", "hz", "ia", "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja",
      "jv", "ka", "kg", "ki", "kj", "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw",
      "ky", "la", "lb", "lg", "li", "ln", "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml",
      "mn", "mr", "ms", "mt", "my", "na", "nb", "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv",
      "ny", "oc", "oj", "om", "or", "os", "pa", "pi", "pl", "ps", "pt", "qu", "rm", "rn", "ro",
      "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk", "sl", "sm", "sn", "so", "sq", "sr",
      "ss", "st", "su", "sv", "sw", "ta", "te", "tg", "th", "ti", "tk", "tl", "tn", "to", "tr",
      "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo", "wa", "wo", "xh", "yi",
      "yo", "za", "zh", "zu"};
  return std::binary_search(std::begin(kCodes), std::end(kCodes), code);
}

}  // namespace sangdam
