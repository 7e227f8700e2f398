// An RFC 4180 CSV reader for bulk imports: comma separated, fields optionally in double quotes,
// a quote inside a quoted field written twice (""), quoted fields may hold commas and line
// breaks, records end with CRLF or LF, a UTF-8 byte order mark at the start is dropped.
// Bytes are passed through as they are; UTF-8 is validated per field by the caller so that a bad
// field rejects its row, not the file.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sangdam::intake {

struct CsvRecord {
  int row = 0;   // as a person counts rows in a spreadsheet: header = 1
  int line = 0;  // text line the record starts on (differs after multi-line fields)
  std::vector<std::string> fields;  // empty for a blank line
  std::string error;                // non-empty: the record is malformed ("stray_quote", ...)
  std::size_t error_column = 0;     // 0-based column the error is in
};

// Splits text into records. A record that breaks the grammar (a quote inside an unquoted field,
// text after a closing quote) is returned with error set and the reader resumes at the next
// record. A quoted field still open at the end of the text swallows every row after it, so it
// fails the whole file: sangdam::Error(kInvalidArgument, "unterminated_quote", field "row N").
// More than max_records records: sangdam::Error(kPayloadTooLarge, "too_many_rows").
std::vector<CsvRecord> parse_csv(std::string_view text, std::size_t max_records);

}  // namespace sangdam::intake
