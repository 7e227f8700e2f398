// Buyer and company profiles to and from the API's JSON shape. This is the ONE validation of a
// profile: POST participants, PATCH, CSV and JSON bulk imports and the intake stream all call
// parse_buyer / parse_company (docs/intake.md has the formats).
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <variant>

#include "matching/catalog.hpp"
#include "matching/profile.hpp"

namespace sangdam::event {
struct Event;
}

namespace sangdam::intake {

// Field limits: every text and list of a profile is bounded.
inline constexpr std::size_t kMaxNameBytes = 200;          // organisation, names, product name
inline constexpr std::size_t kMaxFreeTextBytes = 4000;     // products_sought, descriptions
inline constexpr std::size_t kMaxListItems = 50;           // any list in a profile
inline constexpr std::size_t kMaxExternalIdBytes = 128;    // registration system ids
inline constexpr std::size_t kMaxEmailBytes = 254;         // RFC 5321 path limit
inline constexpr std::size_t kMaxCodeBytes = 64;           // taxonomy codes
inline constexpr std::size_t kMaxCertificationBytes = 40;  // "ISO 13485", "MFDS Class II"
inline constexpr std::size_t kMaxTableBytes = 32;          // table or booth label
inline constexpr std::size_t kMaxVenueIdBytes = 64;
inline constexpr int kMaxSeats = 20;  // parallel meeting seats of a company

// What a profile is checked against: the event it joins.
struct EventContext {
  const Taxonomy* taxonomy = nullptr;  // nullptr: category codes are not checked
  int slot_count = 0;                  // unavailable_slots must lie in [0, slot_count)
  std::set<std::string> venue_ids;     // empty: a company's venue is not checked
};

// The context of a set-up event (its slots and venues) with a taxonomy.
EventContext context_for(const event::Event& event, const Taxonomy* taxonomy);

// Throw sangdam::Error(kInvalidArgument, reason, message, field path) on the first bad field.
Buyer parse_buyer(const rapidjson::Value& value, const EventContext& ctx);
Company parse_company(const rapidjson::Value& value, const EventContext& ctx);
// By "role": "buyer" or "company".
std::variant<Buyer, Company> parse_participant(const rapidjson::Value& value,
                                               const EventContext& ctx);

// PATCH: fields in patch replace the current ones (null clears an optional field), absent
// fields are kept, the result goes through the same validation. "role" and "external_id" may be
// repeated with the same value but never changed (reason "immutable_field"). The id is kept.
Buyer apply_patch(Buyer current, const rapidjson::Value& patch, const EventContext& ctx);
Company apply_patch(Company current, const rapidjson::Value& patch, const EventContext& ctx);

// kFull: the participant and the organizer see everything. kPublic: what a counterpart sees.
// Buyer public: id, role, organisation, contact_name, country, buyer_type, categories,
//   products_sought, certifications, languages.
//   Private: external_id, email, budget_min, budget_max, hosted, unavailable_slots, must_meet,
//   no_thanks, met_before.
// Company public: id, role, name_ko, name_en, categories, products, certifications,
//   target_markets, languages, venue, table, seats, cluster_type.
//   Private: external_id, email, min_deal, unavailable_slots.
enum class Visibility { kFull, kPublic };

std::string to_json(const Buyer& buyer, Visibility visibility);
std::string to_json(const Company& company, Visibility visibility);
void write_json(const Buyer& buyer, Visibility visibility, rapidjson::Value& out,
                rapidjson::Document::AllocatorType& allocator);
void write_json(const Company& company, Visibility visibility, rapidjson::Value& out,
                rapidjson::Document::AllocatorType& allocator);

std::string_view buyer_type_name(BuyerType type);      // "distributor", "hospital", ...
std::string_view cluster_type_name(ClusterType type);  // "production", "full_cycle", ""

}  // namespace sangdam::intake
