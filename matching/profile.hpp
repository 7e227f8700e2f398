// Participant profiles: the foreign buyer and the local company, as the domain sees them once
// validated (matching/intake.* turns JSON or CSV rows into these). Plain data, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "matching/money.hpp"

namespace sangdam {

enum class Role { kBuyer, kCompany };

enum class BuyerType {
  kDistributor,
  kImporter,
  kHospital,  // hospital or clinic
  kRetailer,
  kGovernment,
  kInvestor,
  kManufacturer,
  kOther,
};

// Where a company's cluster sits (MISSION.md): decides which market tiers it suits.
enum class ClusterType { kProduction, kHospital, kResearch, kFullCycle, kUnknown };

struct Product {
  std::string name;                         // Korean or English
  std::string description;                  // free text, Korean or English
  std::vector<std::string> certifications;  // marks this product holds: "CE", "FDA", ...
  std::string hs_code;                      // Harmonized System code, 6 to 10 digits, or empty
};

struct Buyer {
  std::string id;           // sangdam id, opaque ("p_...")
  std::string external_id;  // the registration system's id: the idempotency key of intake
  std::string organisation;
  std::string contact_name;
  std::string country;  // ISO 3166-1 alpha-2, upper case
  BuyerType type = BuyerType::kOther;
  std::vector<std::string> categories;      // taxonomy codes sought (config/taxonomy.json)
  std::string products_sought;              // free text, Korean or English
  std::vector<std::string> certifications;  // marks the buyer requires
  std::optional<Money> budget_min;
  std::optional<Money> budget_max;
  std::vector<std::string> languages;   // ISO 639-1, lower case
  bool hosted = false;                  // hosted buyer: the organizer guarantees a minimum
  std::vector<int> unavailable_slots;   // slot indexes of the event
  std::vector<std::string> must_meet;   // company ids or external ids
  std::vector<std::string> no_thanks;   // company ids or external ids
  std::vector<std::string> met_before;  // company ids or external ids
  std::string email;                    // private: only the buyer and the organizer see it
};

struct Company {
  std::string id;
  std::string external_id;
  std::string name_ko;
  std::string name_en;
  std::vector<std::string> categories;  // taxonomy codes offered
  std::vector<Product> products;
  std::vector<std::string> certifications;  // marks held by the firm: "CE", "FDA", "MFDS", ...
  std::vector<std::string> target_markets;  // ISO 3166-1 alpha-2
  std::vector<std::string> languages;       // ISO 639-1
  std::optional<Money> min_deal;            // minimum deal size
  std::string venue;                        // venue id of the event
  std::string table;                        // table or booth label at that venue
  int seats = 1;                            // parallel meeting seats
  std::vector<int> unavailable_slots;
  ClusterType cluster = ClusterType::kUnknown;
  std::string email;  // private
};

}  // namespace sangdam
