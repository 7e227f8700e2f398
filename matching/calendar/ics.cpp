#include "matching/calendar/ics.hpp"

#include <date/date.h>

#include "matching/error.hpp"

namespace sangdam::calendar {
namespace {

constexpr std::size_t kMaxLineOctets = 75;  // RFC 5545 3.1, without the CRLF
constexpr std::string_view kProductId = "-//sangdam//B2B consultation agenda//EN";

bool is_utf8_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

void append_property(std::string& out, std::string_view name, std::string_view value) {
  std::string line(name);
  line += ':';
  line += value;
  out += fold_line(line);
}

void append_entry(std::string& out, const CalendarEntry& entry,
                  std::chrono::sys_seconds generated_at, std::size_t index) {
  std::string field = "entries[" + std::to_string(index) + "]";
  if (entry.uid.empty()) throw_invalid("missing_uid", "every entry needs a UID", field + ".uid");
  if (entry.end_utc <= entry.start_utc) {
    throw_invalid("invalid_time_range", "an entry must end after it starts", field + ".end");
  }
  if (entry.sequence < 0) {
    throw_invalid("invalid_sequence", "SEQUENCE is never negative", field + ".sequence");
  }
  append_property(out, "BEGIN", "VEVENT");
  append_property(out, "UID", escape_text(entry.uid));
  append_property(out, "SEQUENCE", std::to_string(entry.sequence));
  append_property(out, "DTSTAMP", format_utc(generated_at));
  append_property(out, "DTSTART", format_utc(entry.start_utc));
  append_property(out, "DTEND", format_utc(entry.end_utc));
  append_property(out, "LAST-MODIFIED", format_utc(entry.last_modified));
  append_property(out, "SUMMARY", escape_text(entry.summary));
  if (!entry.location.empty()) append_property(out, "LOCATION", escape_text(entry.location));
  if (!entry.description.empty()) {
    append_property(out, "DESCRIPTION", escape_text(entry.description));
  }
  append_property(out, "STATUS",
                  entry.status == EntryStatus::kCancelled ? "CANCELLED" : "CONFIRMED");
  // A meeting blocks the participant's time; a cancelled one frees it.
  append_property(out, "TRANSP",
                  entry.status == EntryStatus::kCancelled ? "TRANSPARENT" : "OPAQUE");
  append_property(out, "END", "VEVENT");
}

}  // namespace

std::string meeting_uid(std::string_view meeting_id) {
  return std::string(meeting_id) + "@sangdam";
}

std::string escape_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case ';':
        out += "\\;";
        break;
      case ',':
        out += "\\,";
        break;
      case '\r':
        if (i + 1 < text.size() && text[i + 1] == '\n') ++i;  // CRLF is one line break
        out += "\\n";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F) {
          out += c;
        } else if (c == '\t') {
          out += c;
        }
        // Other control characters are not allowed in TEXT: dropped.
    }
  }
  return out;
}

std::string fold_line(std::string_view line) {
  std::string out;
  out.reserve(line.size() + line.size() / kMaxLineOctets * 3 + 2);
  std::size_t limit = kMaxLineOctets;  // the first line has 75 octets, later ones 74 + space
  while (line.size() > limit) {
    std::size_t cut = limit;
    // Never split a UTF-8 sequence: back up to the first byte of the character.
    while (cut > 0 && is_utf8_continuation(line[cut])) --cut;
    if (cut == 0) cut = limit;  // not UTF-8 at all: cut where we must
    out.append(line.substr(0, cut));
    out += "\r\n ";
    line.remove_prefix(cut);
    limit = kMaxLineOctets - 1;
  }
  out.append(line);
  out += "\r\n";
  return out;
}

std::string format_utc(std::chrono::sys_seconds when) {
  return date::format("%Y%m%dT%H%M%SZ", when);
}

std::string to_ics(const AgendaCalendar& calendar) {
  std::string out;
  append_property(out, "BEGIN", "VCALENDAR");
  append_property(out, "VERSION", "2.0");
  append_property(out, "PRODID", kProductId);
  append_property(out, "CALSCALE", "GREGORIAN");
  append_property(out, "METHOD", "PUBLISH");
  if (!calendar.name.empty()) append_property(out, "X-WR-CALNAME", escape_text(calendar.name));
  if (!calendar.time_zone.empty()) {
    append_property(out, "X-WR-TIMEZONE", escape_text(calendar.time_zone));
  }
  for (std::size_t i = 0; i < calendar.entries.size(); ++i) {
    append_entry(out, calendar.entries[i], calendar.generated_at, i);
  }
  append_property(out, "END", "VCALENDAR");
  return out;
}

}  // namespace sangdam::calendar
