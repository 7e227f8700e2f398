// Bulk intake: a CSV file or a JSON array of profiles becomes a per-row report. Every row goes
// through the same parse_buyer / parse_company as a single registration; a bad row is reported
// with its row number, field and reason and changes nothing, the good rows are returned for the
// caller to store (idempotently, by external id). docs/intake.md lists the CSV headers.
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "matching/intake/participant.hpp"
#include "matching/profile.hpp"

namespace sangdam::intake {

// Rows in one import, header excluded. Larger files are refused whole (kPayloadTooLarge).
inline constexpr std::size_t kMaxImportRows = 20000;

using Participant = std::variant<Buyer, Company>;

struct ImportRow {
  int row = 0;              // CSV: spreadsheet row (header = 1, first data row = 2);
                            // JSON: 1-based position in the array
  std::string external_id;  // as found in the row, even when the row is rejected
  bool ok = false;
  std::optional<Participant> participant;  // set when ok
  std::string field;                       // rejected: the CSV column or JSON path at fault
  std::string reason;   // rejected: snake_case reason ("unknown_country", "invalid_utf8", ...)
  std::string message;  // rejected: for people
};

// The role of each row: its "role" column/member when present and non-empty, otherwise
// default_role, otherwise (CSV only) what the header shows (buyer-only columns such as
// organisation, or company-only ones such as venue). Blank CSV lines are skipped without a report.
// File-level problems (unknown or repeated header names, unterminated quote, no role anywhere,
// not an array, too many rows) throw sangdam::Error; nothing of the file is taken then.
// A later row repeating an earlier row's external_id is rejected: duplicate_external_id.
std::vector<ImportRow> parse_import_csv(std::string_view text, std::optional<Role> default_role,
                                        const EventContext& ctx);
std::vector<ImportRow> parse_import_json(const rapidjson::Value& array,
                                         std::optional<Role> default_role, const EventContext& ctx);
std::vector<ImportRow> parse_import_json(std::string_view text, std::optional<Role> default_role,
                                         const EventContext& ctx);

// The CSV header names a role's rows may use (docs/intake.md explains each), "role" first.
std::vector<std::string_view> csv_columns(Role role);

}  // namespace sangdam::intake
