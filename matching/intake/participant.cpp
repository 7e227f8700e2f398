#include "matching/intake/participant.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <utility>

#include "matching/error.hpp"
#include "matching/event/event.hpp"
#include "matching/intake/json_reader.hpp"

namespace sangdam::intake {
namespace {

using Allocator = rapidjson::Document::AllocatorType;

constexpr std::array<std::pair<std::string_view, BuyerType>, 8> kBuyerTypes = {{
    {"distributor", BuyerType::kDistributor},
    {"importer", BuyerType::kImporter},
    {"hospital", BuyerType::kHospital},
    {"retailer", BuyerType::kRetailer},
    {"government", BuyerType::kGovernment},
    {"investor", BuyerType::kInvestor},
    {"manufacturer", BuyerType::kManufacturer},
    {"other", BuyerType::kOther},
}};

constexpr std::array<std::pair<std::string_view, ClusterType>, 4> kClusterTypes = {{
    {"production", ClusterType::kProduction},
    {"hospital", ClusterType::kHospital},
    {"research", ClusterType::kResearch},
    {"full_cycle", ClusterType::kFullCycle},
}};

template <typename Enum, std::size_t N>
Enum read_enum(const ObjectReader& reader, std::string_view key, bool required, Enum fallback,
               const std::array<std::pair<std::string_view, Enum>, N>& names) {
  std::string text = reader.text(key, kMaxCodeBytes, required);
  if (text.empty()) return fallback;
  for (const auto& [name, value] : names) {
    if (name == text) return value;
  }
  std::string allowed;
  for (const auto& entry : names)
    allowed += (allowed.empty() ? "" : ", ") + std::string(entry.first);
  throw_invalid("invalid_value", reader.path(key) + " must be one of " + allowed + ", not " + text,
                reader.path(key));
}

std::string read_external_id(const ObjectReader& reader) {
  std::string id = reader.text("external_id", kMaxExternalIdBytes, true);
  // Ids become parts of storage keys and URLs: keep them to a safe ASCII alphabet.
  bool safe = std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == ':' || c == '@';
  });
  if (!safe) {
    throw_invalid("invalid_external_id",
                  "external_id may hold only ASCII letters, digits and - _ . : @",
                  reader.path("external_id"));
  }
  return id;
}

std::string read_email(const ObjectReader& reader) {
  std::string email = reader.text("email", kMaxEmailBytes, false);
  if (email.empty()) return email;
  auto at = email.find('@');
  bool ok = at != std::string::npos && at > 0 && email.find('@', at + 1) == std::string::npos &&
            email.find('.', at + 2) != std::string::npos && email.back() != '.' &&
            email.find(' ') == std::string::npos;
  if (!ok) {
    throw_invalid("invalid_email", email + " is not an e-mail address", reader.path("email"));
  }
  return email;
}

std::string upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

std::string lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

std::string read_country(const ObjectReader& reader) {
  std::string country = upper(reader.text("country", kMaxCodeBytes, true));
  if (!is_country_code(country)) {
    throw_invalid("unknown_country", country + " is not an ISO 3166-1 alpha-2 country code",
                  reader.path("country"));
  }
  return country;
}

// Lists of codes: normalised case, each checked, the failing item named by its index.
template <typename Normalise, typename Known>
std::vector<std::string> read_codes(const ObjectReader& reader, std::string_view key,
                                    std::size_t min_items, Normalise normalise, Known known,
                                    std::string_view reason, std::string_view what) {
  std::vector<std::string> raw = reader.text_list(key, kMaxListItems, kMaxCodeBytes, min_items);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    std::string code = normalise(raw[i]);
    if (!known(code)) {
      throw_invalid(std::string(reason), code + " is not " + std::string(what),
                    index_path(reader.path(key), i));
    }
    if (std::find(out.begin(), out.end(), code) == out.end()) out.push_back(std::move(code));
  }
  return out;
}

std::vector<std::string> read_languages(const ObjectReader& reader) {
  return read_codes(reader, "languages", 1, lower, is_language_code, "unknown_language",
                    "an ISO 639-1 language code");
}

std::vector<std::string> read_countries(const ObjectReader& reader, std::string_view key) {
  return read_codes(reader, key, 0, upper, is_country_code, "unknown_country",
                    "an ISO 3166-1 alpha-2 country code");
}

std::vector<std::string> read_categories(const ObjectReader& reader, const EventContext& ctx) {
  auto known = [&](const std::string& code) {
    return ctx.taxonomy == nullptr || ctx.taxonomy->contains(code);
  };
  auto same = [](std::string s) { return s; };
  return read_codes(reader, "categories", 1, same, known, "unknown_category",
                    "a category code of the taxonomy");
}

std::vector<std::string> read_certifications(const ObjectReader& reader) {
  return reader.text_list("certifications", kMaxListItems, kMaxCertificationBytes, 0);
}

std::vector<std::string> read_id_list(const ObjectReader& reader, std::string_view key) {
  return reader.text_list(key, kMaxListItems, kMaxExternalIdBytes, 0);
}

std::optional<Money> read_money(const ObjectReader& reader, std::string_view key) {
  const rapidjson::Value* value = reader.get(key);
  if (value == nullptr) return std::nullopt;
  ObjectReader money(*value, reader.path(key));
  money.reject_unknown({"amount", "currency"});
  const rapidjson::Value& amount = money.require("amount");
  if (!amount.IsString()) {
    throw_invalid("invalid_money",
                  money.path("amount") + " must be a decimal string such as \"50000.00\"",
                  money.path("amount"));
  }
  std::string amount_text = checked_text(amount, money.path("amount"), kMaxCodeBytes);
  auto hundredths = parse_amount(amount_text);
  if (!hundredths) {
    throw_invalid("invalid_money",
                  amount_text + " is not an amount (digits, at most two decimals, no sign)",
                  money.path("amount"));
  }
  std::string currency = upper(money.text("currency", kMaxCodeBytes, true));
  if (!is_currency_code(currency)) {
    throw_invalid("unknown_currency", currency + " is not an ISO 4217 currency code",
                  money.path("currency"));
  }
  return Money{*hundredths, currency};
}

std::vector<int> read_slots(const ObjectReader& reader, const EventContext& ctx) {
  // Duplicates are dropped, so a list longer than the event's slots (or the list limit when the
  // event has few slots) cannot be meant.
  std::size_t max_items = std::max<std::size_t>(kMaxListItems, std::max(ctx.slot_count, 0));
  return reader.integer_list("unavailable_slots", max_items, 0, ctx.slot_count - 1);
}

void check_role(const ObjectReader& reader, std::string_view expected) {
  std::string role = reader.text("role", kMaxCodeBytes, false);
  if (!role.empty() && role != expected) {
    throw_invalid("wrong_role", "role must be " + std::string(expected) + ", not " + role,
                  reader.path("role"));
  }
}

// ---- writing ----

void add_string(rapidjson::Value& obj, const char* key, std::string_view text, Allocator& a) {
  obj.AddMember(rapidjson::StringRef(key),
                rapidjson::Value(text.data(), static_cast<rapidjson::SizeType>(text.size()), a), a);
}

void add_strings(rapidjson::Value& obj, const char* key, const std::vector<std::string>& list,
                 Allocator& a) {
  rapidjson::Value array(rapidjson::kArrayType);
  for (const auto& item : list) {
    array.PushBack(rapidjson::Value(item.c_str(), static_cast<rapidjson::SizeType>(item.size()), a),
                   a);
  }
  obj.AddMember(rapidjson::StringRef(key), array, a);
}

void add_ints(rapidjson::Value& obj, const char* key, const std::vector<int>& list, Allocator& a) {
  rapidjson::Value array(rapidjson::kArrayType);
  for (int item : list) array.PushBack(item, a);
  obj.AddMember(rapidjson::StringRef(key), array, a);
}

void add_money(rapidjson::Value& obj, const char* key, const std::optional<Money>& money,
               Allocator& a) {
  if (!money) return;
  rapidjson::Value m(rapidjson::kObjectType);
  add_string(m, "amount", format_amount(money->hundredths), a);
  add_string(m, "currency", money->currency, a);
  obj.AddMember(rapidjson::StringRef(key), m, a);
}

std::string stringify(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

// PATCH by merge: the current profile as JSON, the patch laid over it, then the one parser.
template <typename Profile>
rapidjson::Document merge_patch(const Profile& current, std::string_view role,
                                const rapidjson::Value& patch) {
  ObjectReader patch_reader(patch, "");
  std::string patch_role = patch_reader.text("role", kMaxCodeBytes, false);
  if (!patch_role.empty() && patch_role != role) {
    throw Error(ErrorCode::kUnprocessable, "immutable_field", "role cannot change", "role");
  }
  if (patch_reader.has("external_id") && checked_text(patch["external_id"], "external_id",
                                                      kMaxExternalIdBytes) != current.external_id) {
    throw Error(ErrorCode::kUnprocessable, "immutable_field", "external_id cannot change",
                "external_id");
  }
  rapidjson::Document merged;
  merged.SetObject();
  write_json(current, Visibility::kFull, merged, merged.GetAllocator());
  for (auto it = patch.MemberBegin(); it != patch.MemberEnd(); ++it) {
    auto existing = merged.FindMember(it->name);
    if (existing != merged.MemberEnd()) merged.RemoveMember(existing);
    if (it->value.IsNull()) continue;  // null clears the field
    merged.AddMember(rapidjson::Value(it->name, merged.GetAllocator()),
                     rapidjson::Value(it->value, merged.GetAllocator()), merged.GetAllocator());
  }
  return merged;
}

}  // namespace

EventContext context_for(const event::Event& event, const Taxonomy* taxonomy) {
  EventContext ctx;
  ctx.taxonomy = taxonomy;
  ctx.slot_count = static_cast<int>(event::derive_slots(event).size());
  for (const auto& venue : event.venues) ctx.venue_ids.insert(venue.id);
  return ctx;
}

Buyer parse_buyer(const rapidjson::Value& value, const EventContext& ctx) {
  ObjectReader reader(value, "");
  reader.reject_unknown(
      {"role", "external_id", "organisation", "contact_name", "email", "country", "buyer_type",
       "categories", "products_sought", "certifications", "budget_min", "budget_max", "languages",
       "hosted", "unavailable_slots", "must_meet", "no_thanks", "met_before"},
      {"id"});
  check_role(reader, "buyer");
  Buyer buyer;
  buyer.external_id = read_external_id(reader);
  buyer.organisation = reader.text("organisation", kMaxNameBytes, true);
  buyer.contact_name = reader.text("contact_name", kMaxNameBytes, false);
  buyer.email = read_email(reader);
  buyer.country = read_country(reader);
  buyer.type = read_enum(reader, "buyer_type", true, BuyerType::kOther, kBuyerTypes);
  buyer.categories = read_categories(reader, ctx);
  buyer.products_sought =
      reader.text("products_sought", kMaxFreeTextBytes, false, TextKind::kMultiLine);
  buyer.certifications = read_certifications(reader);
  buyer.budget_min = read_money(reader, "budget_min");
  buyer.budget_max = read_money(reader, "budget_max");
  if (buyer.budget_min && buyer.budget_max &&
      buyer.budget_min->currency == buyer.budget_max->currency &&
      buyer.budget_min->hundredths > buyer.budget_max->hundredths) {
    throw_invalid("inverted_range", "budget_min is above budget_max", "budget_min");
  }
  buyer.languages = read_languages(reader);
  buyer.hosted = reader.boolean("hosted", false);
  buyer.unavailable_slots = read_slots(reader, ctx);
  buyer.must_meet = read_id_list(reader, "must_meet");
  buyer.no_thanks = read_id_list(reader, "no_thanks");
  buyer.met_before = read_id_list(reader, "met_before");
  for (const auto& wanted : buyer.must_meet) {
    if (std::find(buyer.no_thanks.begin(), buyer.no_thanks.end(), wanted) !=
        buyer.no_thanks.end()) {
      throw_invalid("contradictory_wishes", wanted + " is both in must_meet and no_thanks",
                    "no_thanks");
    }
  }
  return buyer;
}

Company parse_company(const rapidjson::Value& value, const EventContext& ctx) {
  ObjectReader reader(value, "");
  reader.reject_unknown({"role", "external_id", "name_ko", "name_en", "email", "categories",
                         "products", "certifications", "target_markets", "languages", "min_deal",
                         "venue", "table", "seats", "unavailable_slots", "cluster_type"},
                        {"id"});
  check_role(reader, "company");
  Company company;
  company.external_id = read_external_id(reader);
  company.name_ko = reader.text("name_ko", kMaxNameBytes, false);
  company.name_en = reader.text("name_en", kMaxNameBytes, false);
  if (company.name_ko.empty() && company.name_en.empty()) {
    throw_invalid("missing_field", "name_ko or name_en is required", "name_en");
  }
  company.email = read_email(reader);
  company.categories = read_categories(reader, ctx);
  if (const rapidjson::Value* products = reader.get("products")) {
    if (!products->IsArray()) {
      throw_invalid("wrong_type", "products must be an array of objects", "products");
    }
    if (products->Size() > kMaxListItems) {
      throw_invalid("too_many_items",
                    "products has " + std::to_string(products->Size()) + " items, the limit is " +
                        std::to_string(kMaxListItems),
                    "products");
    }
    for (rapidjson::SizeType i = 0; i < products->Size(); ++i) {
      ObjectReader item((*products)[i], index_path("products", i));
      item.reject_unknown({"name", "description", "certifications", "hs_code"});
      Product product;
      product.name = item.text("name", kMaxNameBytes, true);
      product.description =
          item.text("description", kMaxFreeTextBytes, false, TextKind::kMultiLine);
      product.certifications = read_certifications(item);
      std::string hs = item.text("hs_code", kMaxCodeBytes, false);
      // HS codes are written "9018.90" or "901890"; stored as digits only.
      hs.erase(std::remove(hs.begin(), hs.end(), '.'), hs.end());
      bool digits = std::all_of(hs.begin(), hs.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!hs.empty() && (!digits || hs.size() < 6 || hs.size() > 10)) {
        throw_invalid("invalid_hs_code", "hs_code must have 6 to 10 digits", item.path("hs_code"));
      }
      product.hs_code = std::move(hs);
      company.products.push_back(std::move(product));
    }
  }
  company.certifications = read_certifications(reader);
  company.target_markets = read_countries(reader, "target_markets");
  company.languages = read_languages(reader);
  company.min_deal = read_money(reader, "min_deal");
  company.venue = reader.text("venue", kMaxVenueIdBytes, true);
  if (!ctx.venue_ids.empty() && !ctx.venue_ids.contains(company.venue)) {
    throw_invalid("unknown_venue", company.venue + " is not a venue of this event", "venue");
  }
  company.table = reader.text("table", kMaxTableBytes, false);
  company.seats = reader.integer("seats", 1, kMaxSeats, 1);
  company.unavailable_slots = read_slots(reader, ctx);
  company.cluster = read_enum(reader, "cluster_type", false, ClusterType::kUnknown, kClusterTypes);
  return company;
}

std::variant<Buyer, Company> parse_participant(const rapidjson::Value& value,
                                               const EventContext& ctx) {
  ObjectReader reader(value, "");
  std::string role = reader.text("role", kMaxCodeBytes, true);
  if (role == "buyer") return parse_buyer(value, ctx);
  if (role == "company") return parse_company(value, ctx);
  throw_invalid("invalid_value", "role must be buyer or company, not " + role, "role");
}

Buyer apply_patch(Buyer current, const rapidjson::Value& patch, const EventContext& ctx) {
  rapidjson::Document merged = merge_patch(current, "buyer", patch);
  Buyer updated = parse_buyer(merged, ctx);
  updated.id = std::move(current.id);
  return updated;
}

Company apply_patch(Company current, const rapidjson::Value& patch, const EventContext& ctx) {
  rapidjson::Document merged = merge_patch(current, "company", patch);
  Company updated = parse_company(merged, ctx);
  updated.id = std::move(current.id);
  return updated;
}

std::string_view buyer_type_name(BuyerType type) {
  for (const auto& [name, value] : kBuyerTypes) {
    if (value == type) return name;
  }
  return "other";
}

std::string_view cluster_type_name(ClusterType type) {
  for (const auto& [name, value] : kClusterTypes) {
    if (value == type) return name;
  }
  return "";
}

void write_json(const Buyer& buyer, Visibility visibility, rapidjson::Value& out, Allocator& a) {
  out.SetObject();
  bool full = visibility == Visibility::kFull;
  if (!buyer.id.empty()) add_string(out, "id", buyer.id, a);
  add_string(out, "role", "buyer", a);
  if (full) add_string(out, "external_id", buyer.external_id, a);
  add_string(out, "organisation", buyer.organisation, a);
  add_string(out, "contact_name", buyer.contact_name, a);
  if (full && !buyer.email.empty()) add_string(out, "email", buyer.email, a);
  add_string(out, "country", buyer.country, a);
  add_string(out, "buyer_type", buyer_type_name(buyer.type), a);
  add_strings(out, "categories", buyer.categories, a);
  add_string(out, "products_sought", buyer.products_sought, a);
  add_strings(out, "certifications", buyer.certifications, a);
  add_strings(out, "languages", buyer.languages, a);
  if (!full) return;
  add_money(out, "budget_min", buyer.budget_min, a);
  add_money(out, "budget_max", buyer.budget_max, a);
  out.AddMember("hosted", buyer.hosted, a);
  add_ints(out, "unavailable_slots", buyer.unavailable_slots, a);
  add_strings(out, "must_meet", buyer.must_meet, a);
  add_strings(out, "no_thanks", buyer.no_thanks, a);
  add_strings(out, "met_before", buyer.met_before, a);
}

void write_json(const Company& company, Visibility visibility, rapidjson::Value& out,
                Allocator& a) {
  out.SetObject();
  bool full = visibility == Visibility::kFull;
  if (!company.id.empty()) add_string(out, "id", company.id, a);
  add_string(out, "role", "company", a);
  if (full) add_string(out, "external_id", company.external_id, a);
  add_string(out, "name_ko", company.name_ko, a);
  add_string(out, "name_en", company.name_en, a);
  if (full && !company.email.empty()) add_string(out, "email", company.email, a);
  add_strings(out, "categories", company.categories, a);
  rapidjson::Value products(rapidjson::kArrayType);
  for (const auto& product : company.products) {
    rapidjson::Value p(rapidjson::kObjectType);
    add_string(p, "name", product.name, a);
    add_string(p, "description", product.description, a);
    add_strings(p, "certifications", product.certifications, a);
    if (!product.hs_code.empty()) add_string(p, "hs_code", product.hs_code, a);
    products.PushBack(p, a);
  }
  out.AddMember("products", products, a);
  add_strings(out, "certifications", company.certifications, a);
  add_strings(out, "target_markets", company.target_markets, a);
  add_strings(out, "languages", company.languages, a);
  add_string(out, "venue", company.venue, a);
  add_string(out, "table", company.table, a);
  out.AddMember("seats", company.seats, a);
  if (company.cluster != ClusterType::kUnknown) {
    add_string(out, "cluster_type", cluster_type_name(company.cluster), a);
  }
  if (!full) return;
  add_money(out, "min_deal", company.min_deal, a);
  add_ints(out, "unavailable_slots", company.unavailable_slots, a);
}

std::string to_json(const Buyer& buyer, Visibility visibility) {
  rapidjson::Document doc;
  write_json(buyer, visibility, doc, doc.GetAllocator());
  return stringify(doc);
}

std::string to_json(const Company& company, Visibility visibility) {
  rapidjson::Document doc;
  write_json(company, visibility, doc, doc.GetAllocator());
  return stringify(doc);
}

}  // namespace sangdam::intake
