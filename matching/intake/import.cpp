#include "matching/intake/import.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <set>

#include "matching/error.hpp"
#include "matching/intake/csv.hpp"
#include "matching/intake/json_reader.hpp"

namespace sangdam::intake {
namespace {

using Allocator = rapidjson::Document::AllocatorType;

// How a CSV cell becomes a JSON member of the profile shape.
enum class Cell {
  kText,      // string as is
  kList,      // "a;b;c" -> ["a","b","c"]
  kIntList,   // "3;4" -> [3,4]
  kBool,      // true/false, yes/no, y/n, 1/0
  kInt,       // "2" -> 2
  kAmount,    // "50000.00" + the currency column -> {"amount","currency"}
  kCurrency,  // read together with its amount column
  kProducts,  // "name|description|CE,FDA|901890;..." or a JSON array
  kRole,      // "buyer" | "company"
};

struct Column {
  std::string_view name;
  Cell cell;
  bool buyer;                             // used by buyer rows
  bool company;                           // used by company rows
  std::string_view currency_column = {};  // kAmount: where its currency is
};

constexpr std::array<Column, 30> kColumns = {{
    {"role", Cell::kRole, true, true},
    {"external_id", Cell::kText, true, true},
    {"organisation", Cell::kText, true, false},
    {"contact_name", Cell::kText, true, false},
    {"name_ko", Cell::kText, false, true},
    {"name_en", Cell::kText, false, true},
    {"email", Cell::kText, true, true},
    {"country", Cell::kText, true, false},
    {"buyer_type", Cell::kText, true, false},
    {"categories", Cell::kList, true, true},
    {"products_sought", Cell::kText, true, false},
    {"products", Cell::kProducts, false, true},
    {"certifications", Cell::kList, true, true},
    {"budget_min", Cell::kAmount, true, false, "budget_currency"},
    {"budget_max", Cell::kAmount, true, false, "budget_currency"},
    {"budget_currency", Cell::kCurrency, true, false},
    {"target_markets", Cell::kList, false, true},
    {"languages", Cell::kList, true, true},
    {"min_deal", Cell::kAmount, false, true, "min_deal_currency"},
    {"min_deal_currency", Cell::kCurrency, false, true},
    {"hosted", Cell::kBool, true, false},
    {"venue", Cell::kText, false, true},
    {"table", Cell::kText, false, true},
    {"seats", Cell::kInt, false, true},
    {"unavailable_slots", Cell::kIntList, true, true},
    {"must_meet", Cell::kList, true, false},
    {"no_thanks", Cell::kList, true, false},
    {"met_before", Cell::kList, true, false},
    {"cluster_type", Cell::kText, false, true},
    {"id", Cell::kText, false, false},  // read-only, accepted in a header and ignored
}};

const Column* find_column(std::string_view name) {
  for (const auto& column : kColumns) {
    if (column.name == name) return &column;
  }
  return nullptr;
}

bool used_by(const Column& column, Role role) {
  return role == Role::kBuyer ? column.buyer : column.company;
}

std::string_view role_name(Role role) {
  return role == Role::kBuyer ? "buyer" : "company";
}

std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  auto first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// A rejected row, thrown inside one row's conversion and caught by the row loop.
[[noreturn]] void reject(std::string reason, std::string message, std::string_view column) {
  throw_invalid(std::move(reason), std::move(message), std::string(column));
}

// Splits on sep where it is not escaped by a backslash; the parts keep their escapes.
std::vector<std::string_view> split_raw(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == sep) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(text.substr(start));
  return parts;
}

std::string unescape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) ++i;
    out += text[i];
  }
  return std::string(trim(out));
}

rapidjson::Value string_value(std::string_view text, Allocator& a) {
  return rapidjson::Value(text.data(), static_cast<rapidjson::SizeType>(text.size()), a);
}

rapidjson::Value list_value(std::string_view cell, char sep, Allocator& a) {
  rapidjson::Value list(rapidjson::kArrayType);
  for (std::string_view part : split_raw(cell, sep)) {
    std::string item = unescape(part);
    if (!item.empty()) list.PushBack(string_value(item, a), a);
  }
  return list;
}

std::optional<long long> to_integer(std::string_view text) {
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

rapidjson::Value products_value(std::string_view cell, std::string_view column, Allocator& a) {
  if (cell.front() == '[') {  // the JSON form of the products list, kept verbatim
    rapidjson::Document parsed;
    parsed.Parse(cell.data(), cell.size());
    if (parsed.HasParseError() || !parsed.IsArray()) {
      reject("malformed_json", "products starting with [ must be a JSON array", column);
    }
    return rapidjson::Value(parsed, a);
  }
  rapidjson::Value list(rapidjson::kArrayType);
  for (std::string_view entry : split_raw(cell, ';')) {
    if (trim(entry).empty()) continue;
    std::vector<std::string_view> parts = split_raw(entry, '|');
    if (parts.size() > 4) {
      reject("invalid_value", "a product is name|description|certifications|hs_code", column);
    }
    rapidjson::Value product(rapidjson::kObjectType);
    product.AddMember("name", string_value(unescape(parts[0]), a), a);
    if (parts.size() > 1) product.AddMember("description", string_value(unescape(parts[1]), a), a);
    if (parts.size() > 2) product.AddMember("certifications", list_value(parts[2], ',', a), a);
    if (parts.size() > 3) product.AddMember("hs_code", string_value(unescape(parts[3]), a), a);
    list.PushBack(product, a);
  }
  return list;
}

// The CSV column a profile path came from: "budget_min.currency" -> "budget_currency",
// "products[2].hs_code" -> "products".
std::string column_of(const std::string& path) {
  std::string head = path.substr(0, path.find_first_of(".["));
  const Column* column = find_column(head);
  if (column != nullptr && column->cell == Cell::kAmount && path.ends_with(".currency")) {
    return std::string(column->currency_column);
  }
  return head;
}

struct Header {
  std::vector<const Column*> columns;  // by position
  std::optional<std::size_t> role_at;
  std::optional<std::size_t> external_id_at;
};

Header read_header(const CsvRecord& record) {
  if (!record.error.empty()) {
    throw_invalid(record.error, "the header row is malformed", "row 1");
  }
  Header header;
  for (std::size_t i = 0; i < record.fields.size(); ++i) {
    const std::string& raw = record.fields[i];
    if (!is_valid_utf8(raw)) throw_invalid("invalid_utf8", "the header is not UTF-8", "row 1");
    std::string name = lower(trim(raw));
    const Column* column = find_column(name);
    if (column == nullptr) {
      throw_invalid("unknown_column", "unknown column \"" + name + "\" (see docs/intake.md)", name);
    }
    if (std::find(header.columns.begin(), header.columns.end(), column) != header.columns.end()) {
      throw_invalid("duplicate_column", "column " + name + " appears twice", name);
    }
    if (column->cell == Cell::kRole) header.role_at = i;
    if (column->name == "external_id") header.external_id_at = i;
    header.columns.push_back(column);
  }
  return header;
}

std::optional<Role> role_from_header(const Header& header) {
  bool buyer_only = false, company_only = false;
  for (const Column* column : header.columns) {
    buyer_only = buyer_only || (column->buyer && !column->company);
    company_only = company_only || (column->company && !column->buyer);
  }
  if (buyer_only == company_only) return std::nullopt;
  return buyer_only ? Role::kBuyer : Role::kCompany;
}

Role row_role(std::string_view cell, std::optional<Role> fallback, std::string_view field) {
  std::string text = lower(trim(cell));
  if (text == "buyer") return Role::kBuyer;
  if (text == "company") return Role::kCompany;
  if (!text.empty()) {
    reject("invalid_value", "role must be buyer or company, not " + text, field);
  }
  if (!fallback) reject("missing_field", "the row has no role", field);
  return *fallback;
}

// One CSV record -> the profile JSON shape, then the one validation.
Participant convert_record(const CsvRecord& record, const Header& header, Role role,
                           const EventContext& ctx) {
  rapidjson::Document doc;
  doc.SetObject();
  Allocator& a = doc.GetAllocator();
  auto cell_of = [&](std::string_view name) -> std::string_view {
    for (std::size_t i = 0; i < header.columns.size(); ++i) {
      if (header.columns[i]->name == name) return trim(record.fields[i]);
    }
    return {};
  };
  for (std::size_t i = 0; i < header.columns.size(); ++i) {
    const Column& column = *header.columns[i];
    std::string_view cell = trim(record.fields[i]);
    if (cell.empty() || column.cell == Cell::kRole || column.cell == Cell::kCurrency ||
        column.name == "id") {
      continue;
    }
    if (!used_by(column, role)) {
      reject("field_not_for_role",
             std::string(column.name) + " is not a field of a " + std::string(role_name(role)),
             column.name);
    }
    rapidjson::Value key = string_value(column.name, a);
    switch (column.cell) {
      case Cell::kText:
        doc.AddMember(key, string_value(cell, a), a);
        break;
      case Cell::kList:
        doc.AddMember(key, list_value(cell, ';', a), a);
        break;
      case Cell::kIntList: {
        rapidjson::Value list(rapidjson::kArrayType);
        for (std::string_view part : split_raw(cell, ';')) {
          if (trim(part).empty()) continue;
          auto n = to_integer(trim(part));
          if (!n)
            reject("wrong_type", std::string(column.name) + " must list integers", column.name);
          list.PushBack(static_cast<std::int64_t>(*n), a);
        }
        doc.AddMember(key, list, a);
        break;
      }
      case Cell::kBool: {
        std::string text = lower(cell);
        bool yes = text == "true" || text == "yes" || text == "y" || text == "1";
        bool no = text == "false" || text == "no" || text == "n" || text == "0";
        if (!yes && !no) {
          reject("invalid_value", std::string(column.name) + " must be true or false", column.name);
        }
        doc.AddMember(key, yes, a);
        break;
      }
      case Cell::kInt: {
        auto n = to_integer(cell);
        if (!n) reject("wrong_type", std::string(column.name) + " must be an integer", column.name);
        doc.AddMember(key, static_cast<std::int64_t>(*n), a);
        break;
      }
      case Cell::kAmount: {
        rapidjson::Value money(rapidjson::kObjectType);
        money.AddMember("amount", string_value(cell, a), a);
        std::string_view currency = cell_of(column.currency_column);
        if (!currency.empty()) money.AddMember("currency", string_value(currency, a), a);
        doc.AddMember(key, money, a);
        break;
      }
      case Cell::kProducts:
        doc.AddMember(key, products_value(cell, column.name, a), a);
        break;
      case Cell::kCurrency:
      case Cell::kRole:
        break;
    }
  }
  try {
    if (role == Role::kBuyer) return parse_buyer(doc, ctx);
    return parse_company(doc, ctx);
  } catch (const Error& e) {
    throw Error(e.code(), e.reason(), e.what(), column_of(e.field()));
  }
}

ImportRow rejected(int row, std::string external_id, const Error& e) {
  ImportRow out;
  out.row = row;
  out.external_id = std::move(external_id);
  out.field = e.field();
  out.reason = e.reason();
  out.message = e.what();
  return out;
}

std::string participant_external_id(const Participant& p) {
  return std::visit([](const auto& profile) { return profile.external_id; }, p);
}

// The within-file duplicate rule shared by CSV and JSON: any earlier row with the id counts.
class DuplicateGuard {
 public:
  void check(const std::string& external_id, std::string field) {
    if (external_id.empty()) return;
    if (!seen_.insert(external_id).second) {
      throw_invalid("duplicate_external_id",
                    "external_id " + external_id + " appears in an earlier row of this file",
                    std::move(field));
    }
  }

 private:
  std::set<std::string> seen_;
};

}  // namespace

std::vector<std::string_view> csv_columns(Role role) {
  std::vector<std::string_view> names;
  for (const auto& column : kColumns) {
    if (used_by(column, role)) names.push_back(column.name);
  }
  return names;
}

std::vector<ImportRow> parse_import_csv(std::string_view text, std::optional<Role> default_role,
                                        const EventContext& ctx) {
  std::vector<CsvRecord> records = parse_csv(text, kMaxImportRows + 1);  // + the header
  auto first = std::find_if(records.begin(), records.end(),
                            [](const CsvRecord& r) { return !r.fields.empty(); });
  if (first == records.end()) throw_invalid("empty_file", "the CSV file has no header row");
  Header header = read_header(*first);
  std::optional<Role> fallback = default_role ? default_role : role_from_header(header);
  if (!header.role_at && !fallback) {
    throw_invalid("missing_role",
                  "give a role column, a role parameter, or columns of only one role", "role");
  }

  std::vector<ImportRow> report;
  DuplicateGuard duplicates;
  for (auto it = std::next(first); it != records.end(); ++it) {
    const CsvRecord& record = *it;
    if (record.fields.empty()) continue;  // a blank line
    std::string external_id;
    if (header.external_id_at && *header.external_id_at < record.fields.size()) {
      external_id = std::string(trim(record.fields[*header.external_id_at]));
    }
    try {
      if (!record.error.empty()) {
        std::string column = record.error_column < header.columns.size()
                                 ? std::string(header.columns[record.error_column]->name)
                                 : std::string();
        reject(record.error, "the row breaks CSV quoting (RFC 4180)", column);
      }
      if (record.fields.size() != header.columns.size()) {
        reject("wrong_field_count",
               "the row has " + std::to_string(record.fields.size()) + " fields, the header " +
                   std::to_string(header.columns.size()),
               "");
      }
      for (std::size_t i = 0; i < record.fields.size(); ++i) {
        if (!is_valid_utf8(record.fields[i])) {
          reject("invalid_utf8", std::string(header.columns[i]->name) + " is not valid UTF-8",
                 header.columns[i]->name);
        }
      }
      duplicates.check(external_id, "external_id");
      Role role =
          header.role_at ? row_role(record.fields[*header.role_at], fallback, "role") : *fallback;
      ImportRow row;
      row.row = record.row;
      row.participant = convert_record(record, header, role, ctx);
      row.external_id = participant_external_id(*row.participant);
      row.ok = true;
      report.push_back(std::move(row));
    } catch (const Error& e) {
      if (!is_valid_utf8(external_id)) external_id.clear();
      report.push_back(rejected(record.row, std::move(external_id), e));
    }
  }
  return report;
}

std::vector<ImportRow> parse_import_json(const rapidjson::Value& array,
                                         std::optional<Role> default_role,
                                         const EventContext& ctx) {
  if (!array.IsArray()) throw_invalid("wrong_type", "an import must be a JSON array of profiles");
  if (array.Size() > kMaxImportRows) {
    throw Error(ErrorCode::kPayloadTooLarge, "too_many_rows",
                "an import holds at most " + std::to_string(kMaxImportRows) + " rows");
  }
  std::vector<ImportRow> report;
  DuplicateGuard duplicates;
  for (rapidjson::SizeType i = 0; i < array.Size(); ++i) {
    const rapidjson::Value& item = array[i];
    int row = static_cast<int>(i) + 1;
    std::string external_id;
    if (item.IsObject() && item.HasMember("external_id") && item["external_id"].IsString()) {
      external_id = std::string(trim(item["external_id"].GetString()));
    }
    try {
      duplicates.check(external_id, "external_id");
      ImportRow out;
      out.row = row;
      bool has_role = item.IsObject() && item.HasMember("role") && !item["role"].IsNull();
      if (has_role || !default_role) {
        out.participant = parse_participant(item, ctx);
      } else if (*default_role == Role::kBuyer) {
        out.participant = parse_buyer(item, ctx);
      } else {
        out.participant = parse_company(item, ctx);
      }
      out.external_id = participant_external_id(*out.participant);
      out.ok = true;
      report.push_back(std::move(out));
    } catch (const Error& e) {
      report.push_back(rejected(row, std::move(external_id), e));
    }
  }
  return report;
}

std::vector<ImportRow> parse_import_json(std::string_view text, std::optional<Role> default_role,
                                         const EventContext& ctx) {
  rapidjson::Document doc = parse_json_text(text);
  return parse_import_json(doc, default_role, ctx);
}

}  // namespace sangdam::intake
