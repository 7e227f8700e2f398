// Our iCalendar output read back by python3-icalendar: times, UIDs, SEQUENCE across a
// reschedule, STATUS:CANCELLED, and text that survives escaping and folding.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "matching/calendar/ics.hpp"

using namespace sangdam::calendar;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::sys_seconds;

namespace {

const sys_seconds kDayOne{std::chrono::seconds(1694563200)};  // 2023-09-13T00:00:00Z
// Debian's interpreter, where python3-icalendar is installed (a python3 earlier on PATH, such
// as a pyenv one, does not have it).
constexpr const char* kPython = "/usr/bin/python3";

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  int status = pclose(pipe);
  INFO(out);
  REQUIRE(status == 0);
  return out;
}

// Writes ics to a temporary file, parses it with icalendar, returns the parser's view.
rapidjson::Document parse_with_icalendar(const std::string& ics) {
  auto path = std::filesystem::temp_directory_path() /
              ("sangdam_ics_" + std::to_string(::getpid()) + ".ics");
  {
    std::ofstream file(path, std::ios::binary);
    file << ics;
  }
  std::string json = run(std::string(kPython) + " " + SANGDAM_SOURCE_DIR +
                         "/tests/integration/calendar/parse_ics.py " + path.string());
  std::filesystem::remove(path);
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

const rapidjson::Value& event_of(const rapidjson::Document& doc, std::string_view uid) {
  for (const auto& event : doc["events"].GetArray()) {
    if (uid == event["uid"].GetString()) return event;
  }
  FAIL("no event " << uid);
  throw std::logic_error("unreachable");
}

CalendarEntry meeting_entry(std::string id, std::int64_t sequence, sys_seconds start) {
  CalendarEntry e;
  e.uid = meeting_uid(id);
  e.sequence = sequence;
  e.start_utc = start;
  e.end_utc = start + minutes(30);
  e.summary = "Consultation: Hanoi Medical Supply, Vietnam";
  e.location = "Pangyo Gravity Hotel; table 12";
  // Long, Korean and English, with characters that need escaping: exercises folding.
  e.description =
      "Counterpart: 성남 산소발생기 제조사 (medical oxygen generator maker).\n"
      "Why you match: you seek oxygen generators, they hold CE and MFDS; both speak English, "
      "an interpreter is booked. 관심 품목: 의료용 산소발생기, 휴대용 전해수기.";
  e.last_modified = kDayOne;
  return e;
}

}  // namespace

TEST_CASE("python3-icalendar reads our agenda, and a reschedule replaces the meeting") {
  // 10:00 and 11:00 in Seoul (UTC+9) are 01:00Z and 02:00Z.
  AgendaCalendar before{
      "Seongnam Bio-Healthcare 2023: my meetings",
      "Asia/Seoul",
      kDayOne,
      {meeting_entry("m1", 0, kDayOne + hours(1)), meeting_entry("m2", 0, kDayOne + hours(2))}};
  auto first = parse_with_icalendar(to_ics(before));
  CHECK(std::string(first["method"].GetString()) == "PUBLISH");
  CHECK(std::string(first["version"].GetString()) == "2.0");
  CHECK(std::string(first["timezone"].GetString()) == "Asia/Seoul");
  REQUIRE(first["events"].Size() == 2);
  const auto& m1 = event_of(first, "m1@sangdam");
  CHECK(std::string(m1["start"].GetString()) == "2023-09-13T01:00:00+00:00");
  CHECK(std::string(m1["end"].GetString()) == "2023-09-13T01:30:00+00:00");
  CHECK(m1["sequence"].GetInt() == 0);
  CHECK(std::string(m1["status"].GetString()) == "CONFIRMED");
  CHECK(std::string(m1["location"].GetString()) == "Pangyo Gravity Hotel; table 12");
  CHECK(std::string(m1["summary"].GetString()) == "Consultation: Hanoi Medical Supply, Vietnam");
  CHECK(m1["description"].GetString() == before.entries[0].description);

  // m1 moves to 14:30 Seoul time; m2 is cancelled. Same UIDs, higher SEQUENCE.
  AgendaCalendar after = before;
  after.generated_at = kDayOne + hours(3);
  after.entries[0].start_utc = kDayOne + hours(5) + minutes(30);
  after.entries[0].end_utc = after.entries[0].start_utc + minutes(30);
  after.entries[0].sequence = 1;
  after.entries[1].sequence = 1;
  after.entries[1].status = EntryStatus::kCancelled;
  auto second = parse_with_icalendar(to_ics(after));
  REQUIRE(second["events"].Size() == 2);  // the cancelled meeting is still sent
  const auto& moved = event_of(second, "m1@sangdam");
  CHECK(std::string(moved["start"].GetString()) == "2023-09-13T05:30:00+00:00");
  CHECK(moved["sequence"].GetInt() > m1["sequence"].GetInt());
  const auto& cancelled = event_of(second, "m2@sangdam");
  CHECK(std::string(cancelled["status"].GetString()) == "CANCELLED");
  CHECK(cancelled["sequence"].GetInt() == 1);
}
