#include <catch2/catch.hpp>

#include "matching/calendar/ics.hpp"
#include "matching/error.hpp"

using namespace sangdam::calendar;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::sys_seconds;

namespace {

const sys_seconds kDayOne{std::chrono::seconds(1694563200)};  // 2023-09-13T00:00:00Z

CalendarEntry entry(std::string meeting_id, std::int64_t sequence, sys_seconds start) {
  CalendarEntry e;
  e.uid = meeting_uid(meeting_id);
  e.sequence = sequence;
  e.start_utc = start;
  e.end_utc = start + minutes(30);
  e.summary = "Consultation: Hanoi Medical Supply";
  e.location = "Pangyo Gravity Hotel, table 12";
  e.description = "Seeks oxygen generators; you offer them";
  e.last_modified = kDayOne;
  return e;
}

std::vector<std::string> lines_of(const std::string& ics) {
  std::vector<std::string> lines;
  std::size_t from = 0;
  for (std::size_t at = ics.find("\r\n"); at != std::string::npos; at = ics.find("\r\n", from)) {
    lines.push_back(ics.substr(from, at - from));
    from = at + 2;
  }
  CHECK(from == ics.size());  // ends with CRLF, nothing after
  return lines;
}

// True when text is whole UTF-8 sequences (no sequence cut at either end).
bool valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : 4;
    if ((lead & 0xC0) == 0x80 || i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

}  // namespace

TEST_CASE("TEXT values escape backslash, semicolon, comma and line breaks") {
  CHECK(escape_text("a\\b;c,d") == "a\\\\b\\;c\\,d");
  CHECK(escape_text("line one\nline two\r\nthree\rfour") == "line one\\nline two\\nthree\\nfour");
  CHECK(escape_text(std::string("bell\x07 tab\t", 10)) == "bell tab\t");
  CHECK(escape_text("Seoul: 성남") == "Seoul: 성남");
}

TEST_CASE("content lines fold at 75 octets without splitting UTF-8") {
  CHECK(fold_line("SHORT:x") == "SHORT:x\r\n");
  std::string ascii = "DESCRIPTION:" + std::string(200, 'a');
  std::string folded = fold_line(ascii);
  auto lines = lines_of(folded);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].size() == 75);
  CHECK(lines[1].size() == 75);  // the leading space plus 74 octets
  CHECK(lines[1][0] == ' ');
  std::string unfolded;
  for (std::size_t i = 0; i < lines.size(); ++i) unfolded += i == 0 ? lines[i] : lines[i].substr(1);
  CHECK(unfolded == ascii);

  // Korean syllables are three octets each: a cut must fall between them.
  std::string korean = "DESCRIPTION:";
  for (int i = 0; i < 60; ++i) korean += "성남";
  for (const auto& line : lines_of(fold_line(korean))) {
    CHECK(line.size() <= 75);
    CHECK(valid_utf8(line[0] == ' ' ? line.substr(1) : line));
  }
}

TEST_CASE("a calendar has the required properties and one VEVENT per meeting") {
  AgendaCalendar calendar{"Seongnam Bio-Healthcare 2023", "Asia/Seoul", kDayOne, {}};
  calendar.entries.push_back(entry("m1", 0, kDayOne + hours(1)));
  CalendarEntry cancelled = entry("m2", 3, kDayOne + hours(2));
  cancelled.status = EntryStatus::kCancelled;
  calendar.entries.push_back(cancelled);
  std::string ics = to_ics(calendar);
  auto lines = lines_of(ics);
  CHECK(lines.front() == "BEGIN:VCALENDAR");
  CHECK(lines.back() == "END:VCALENDAR");
  for (const char* required :
       {"VERSION:2.0", "METHOD:PUBLISH", "X-WR-TIMEZONE:Asia/Seoul", "UID:m1@sangdam",
        "UID:m2@sangdam", "SEQUENCE:3", "DTSTART:20230913T010000Z", "DTEND:20230913T013000Z",
        "DTSTAMP:20230913T000000Z", "STATUS:CONFIRMED", "STATUS:CANCELLED",
        "LOCATION:Pangyo Gravity Hotel\\, table 12",
        "DESCRIPTION:Seeks oxygen generators\\; you offer them"}) {
    INFO(required);
    CHECK(std::find(lines.begin(), lines.end(), required) != lines.end());
  }
  CHECK(std::count(lines.begin(), lines.end(), "BEGIN:VEVENT") == 2);
  CHECK(std::find_if(lines.begin(), lines.end(), [](const std::string& l) {
          return l.rfind("PRODID:", 0) == 0;
        }) != lines.end());
}

TEST_CASE("entries that would make a broken calendar are refused") {
  AgendaCalendar calendar{"x", "Asia/Seoul", kDayOne, {entry("m1", 0, kDayOne)}};
  calendar.entries[0].end_utc = calendar.entries[0].start_utc;
  CHECK_THROWS_AS(to_ics(calendar), sangdam::Error);
  calendar.entries[0] = entry("m1", -1, kDayOne);
  CHECK_THROWS_AS(to_ics(calendar), sangdam::Error);
  calendar.entries[0] = entry("m1", 0, kDayOne);
  calendar.entries[0].uid.clear();
  try {
    to_ics(calendar);
    FAIL("no UID accepted");
  } catch (const sangdam::Error& e) {
    CHECK(e.reason() == "missing_uid");
    CHECK(e.field() == "entries[0].uid");
  }
}
