#include "matching/intake/csv.hpp"

#include "matching/error.hpp"

namespace sangdam::intake {

std::vector<CsvRecord> parse_csv(std::string_view text, std::size_t max_records) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  if (text.starts_with(kBom)) text.remove_prefix(kBom.size());

  std::vector<CsvRecord> records;
  std::size_t i = 0;
  const std::size_t n = text.size();
  int line = 1;
  auto at_record_end = [&](std::size_t k) {
    return k >= n || text[k] == '\n' || (text[k] == '\r' && k + 1 < n && text[k + 1] == '\n');
  };
  auto skip_record_end = [&] {
    if (i < n && text[i] == '\r') ++i;
    if (i < n && text[i] == '\n') ++i;
    ++line;
  };

  while (i < n) {
    if (records.size() >= max_records) {
      throw Error(ErrorCode::kPayloadTooLarge, "too_many_rows",
                  "an import holds at most " + std::to_string(max_records) + " rows");
    }
    CsvRecord record;
    record.row = static_cast<int>(records.size()) + 1;
    record.line = line;
    if (at_record_end(i)) {  // a blank line: counted, no fields
      skip_record_end();
      records.push_back(std::move(record));
      continue;
    }
    bool record_done = false;
    while (!record_done) {
      std::string field;
      if (i < n && text[i] == '"') {
        ++i;
        int opened_line = line;
        for (;;) {
          if (i >= n) {
            throw_invalid("unterminated_quote",
                          "a quoted field opened on line " + std::to_string(opened_line) +
                              " (row " + std::to_string(record.row) + ") is never closed",
                          "row " + std::to_string(record.row));
          }
          char c = text[i];
          if (c == '"') {
            if (i + 1 < n && text[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (c == '\n') ++line;
          field += c;
          ++i;
        }
        if (i < n && text[i] != ',' && !at_record_end(i) && record.error.empty()) {
          record.error = "text_after_quote";
          record.error_column = record.fields.size();
        }
        // Skip the rest of a malformed field up to its delimiter.
        while (i < n && text[i] != ',' && !at_record_end(i)) field += text[i++];
      } else {
        while (i < n && text[i] != ',' && !at_record_end(i)) {
          if (text[i] == '"' && record.error.empty()) {
            record.error = "stray_quote";
            record.error_column = record.fields.size();
          }
          field += text[i++];
        }
      }
      record.fields.push_back(std::move(field));
      if (i < n && text[i] == ',') {
        ++i;
      } else {
        skip_record_end();
        record_done = true;
      }
    }
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace sangdam::intake
