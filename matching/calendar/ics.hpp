// iCalendar (RFC 5545) agendas: a participant's meetings as a .ics file their calendar app
// subscribes to or imports. Each meeting keeps one UID for life, so that a rescheduled meeting
// replaces the old entry (higher SEQUENCE) instead of appearing twice, and a cancelled one is
// sent with STATUS:CANCELLED so that it disappears from the participant's calendar rather than
// lingering there. Times are written in UTC ("...Z"), which every client converts to the
// viewer's zone; the event's zone is named in X-WR-TIMEZONE for display.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sangdam::calendar {

enum class EntryStatus { kConfirmed, kCancelled };

struct CalendarEntry {
  std::string uid;            // stable: meeting_uid(meeting id)
  std::int64_t sequence = 0;  // grows with each reschedule (the meeting's version - 1)
  std::chrono::sys_seconds start_utc{};
  std::chrono::sys_seconds end_utc{};
  std::string summary;      // "Consultation: <counterpart>"
  std::string location;     // venue and table
  std::string description;  // the counterpart and why they match
  EntryStatus status = EntryStatus::kConfirmed;
  std::chrono::sys_seconds last_modified{};
};

struct AgendaCalendar {
  std::string name;       // X-WR-CALNAME, e.g. "Seongnam Bio-Healthcare 2023: my meetings"
  std::string time_zone;  // IANA zone of the event, e.g. "Asia/Seoul"
  std::chrono::sys_seconds generated_at{};  // DTSTAMP of every entry (no clock in the domain)
  std::vector<CalendarEntry> entries;
};

// "<meeting id>@sangdam": the UID of a meeting in every calendar file we ever send.
std::string meeting_uid(std::string_view meeting_id);

// The whole VCALENDAR (METHOD:PUBLISH, VERSION:2.0, PRODID), CRLF line endings, content lines
// folded at 75 octets without splitting a UTF-8 sequence. Throws Error(kInvalidArgument) for
// an entry without UID, with end not after start, or a negative sequence.
std::string to_ics(const AgendaCalendar& calendar);

// Building blocks, exposed for tests and for other text/calendar writers.
// RFC 5545 3.3.11 TEXT: backslash, semicolon and comma escaped, line breaks as "\n", other
// control characters dropped (they are not allowed in TEXT).
std::string escape_text(std::string_view text);
// One content line, folded (RFC 5545 3.1), with its CRLF.
std::string fold_line(std::string_view line);
// "20230913T000000Z"
std::string format_utc(std::chrono::sys_seconds when);

}  // namespace sangdam::calendar
