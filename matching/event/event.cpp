#include "matching/event/event.hpp"

#include <date/tz.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdio>
#include <set>

#include "matching/catalog.hpp"
#include "matching/error.hpp"
#include "matching/intake/json_reader.hpp"

namespace sangdam::event {
namespace {

using intake::index_path;
using intake::ObjectReader;
using Allocator = rapidjson::Document::AllocatorType;

constexpr std::size_t kMaxIdBytes = 64;
constexpr std::size_t kMaxLabelBytes = 32;
constexpr std::size_t kMaxAddressBytes = 400;
constexpr std::size_t kMaxSessionNameBytes = 40;
constexpr std::size_t kMaxTravelEntries = kMaxVenues * (kMaxVenues - 1) / 2;
constexpr int kMaxMeetingsPerDay = 100;
constexpr int kMaxRequestExpiryHours = 30 * 24;
constexpr int kMaxOutgoingRequests = 1000;

const date::time_zone* find_zone(const std::string& name, const std::string& field) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    throw_invalid("unknown_time_zone", name + " is not an IANA time zone", field);
  }
}

bool is_safe_id(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

std::string read_id(const ObjectReader& reader, std::string_view key, bool required) {
  std::string id = reader.text(key, kMaxIdBytes, required);
  if (!id.empty() && !is_safe_id(id)) {
    throw_invalid("invalid_id", reader.path(key) + " may hold only ASCII letters, digits, - and _",
                  reader.path(key));
  }
  return id;
}

int two_digits(std::string_view s, std::size_t at) {
  char a = s[at], b = s[at + 1];
  if (a < '0' || a > '9' || b < '0' || b > '9') return -1;
  return (a - '0') * 10 + (b - '0');
}

// "HH:MM", 00:00 to 24:00 (24:00 only closes a span).
std::chrono::minutes read_time(const ObjectReader& reader, std::string_view key) {
  std::string text = reader.text(key, 5, true);
  int hours = text.size() == 5 && text[2] == ':' ? two_digits(text, 0) : -1;
  int minutes = text.size() == 5 ? two_digits(text, 3) : -1;
  if (hours < 0 || minutes < 0 || minutes > 59 || hours > 24 || (hours == 24 && minutes != 0)) {
    throw_invalid("invalid_time", reader.path(key) + " must be a time HH:MM, not " + text,
                  reader.path(key));
  }
  return std::chrono::minutes(hours * 60 + minutes);
}

LocalSpan read_span(const ObjectReader& reader) {
  LocalSpan span{read_time(reader, "start"), read_time(reader, "end")};
  if (span.end <= span.start) {
    throw_invalid("invalid_time", reader.path("end") + " must be after start", reader.path("end"));
  }
  return span;
}

date::year_month_day read_date(const ObjectReader& reader, std::string_view key) {
  std::string text = reader.text(key, 10, true);
  bool shape = text.size() == 10 && text[4] == '-' && text[7] == '-';
  int century = shape ? two_digits(text, 0) : -1;
  int year2 = shape ? two_digits(text, 2) : -1;
  int month = shape ? two_digits(text, 5) : -1;
  int day = shape ? two_digits(text, 8) : -1;
  date::year_month_day ymd{date::year{century * 100 + year2}, date::month(month < 0 ? 0 : month),
                           date::day(day < 0 ? 0 : day)};
  if (century < 0 || year2 < 0 || month < 0 || day < 0 || !ymd.ok()) {
    throw_invalid("invalid_date", reader.path(key) + " must be a date YYYY-MM-DD, not " + text,
                  reader.path(key));
  }
  return ymd;
}

template <typename T, typename Span>
void check_sorted_apart(std::vector<T>& items, Span span_of, const std::string& path,
                        std::string_view reason, std::string_view what) {
  std::sort(items.begin(), items.end(),
            [&](const T& a, const T& b) { return span_of(a).start < span_of(b).start; });
  for (std::size_t i = 1; i < items.size(); ++i) {
    if (span_of(items[i]).start < span_of(items[i - 1]).end) {
      throw_invalid(std::string(reason), std::string(what) + " overlap in " + path, path);
    }
  }
}

Session read_session(const ObjectReader& reader) {
  Session session;
  session.name = reader.text("name", kMaxSessionNameBytes, true);
  session.hours = read_span(reader);
  if (const rapidjson::Value* breaks = reader.get("breaks")) {
    if (!breaks->IsArray()) {
      throw_invalid("wrong_type", reader.path("breaks") + " must be an array",
                    reader.path("breaks"));
    }
    if (breaks->Size() > kMaxBreaksPerSession) {
      throw_invalid("too_many_items", reader.path("breaks") + " has too many items",
                    reader.path("breaks"));
    }
    for (rapidjson::SizeType i = 0; i < breaks->Size(); ++i) {
      ObjectReader item((*breaks)[i], index_path(reader.path("breaks"), i));
      item.reject_unknown({"start", "end"}, {"name"});
      LocalSpan span = read_span(item);
      if (span.start < session.hours.start || span.end > session.hours.end) {
        throw_invalid("break_outside_session", item.path() + " lies outside its session",
                      item.path());
      }
      session.breaks.push_back(span);
    }
  }
  check_sorted_apart(
      session.breaks, [](const LocalSpan& s) { return s; }, reader.path("breaks"),
      "overlapping_breaks", "breaks");
  return session;
}

std::vector<Day> read_days(const ObjectReader& root) {
  const rapidjson::Value& list = root.require("days");
  if (!list.IsArray() || list.Empty()) {
    throw_invalid("missing_field", "days must be a non-empty array", "days");
  }
  if (list.Size() > kMaxDays) {
    throw_invalid("too_many_items", "an event has at most " + std::to_string(kMaxDays) + " days",
                  "days");
  }
  std::vector<Day> days;
  for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
    ObjectReader reader(list[i], index_path("days", i));
    reader.reject_unknown({"date", "sessions"});
    Day day;
    day.date = read_date(reader, "date");
    if (!days.empty() && date::sys_days(day.date) <= date::sys_days(days.back().date)) {
      throw_invalid("invalid_date", reader.path("date") + " must come after the previous day",
                    reader.path("date"));
    }
    const rapidjson::Value& sessions = reader.require("sessions");
    if (!sessions.IsArray() || sessions.Empty() || sessions.Size() > kMaxSessionsPerDay) {
      throw_invalid("wrong_type",
                    reader.path("sessions") + " must be an array of 1 to " +
                        std::to_string(kMaxSessionsPerDay) + " sessions",
                    reader.path("sessions"));
    }
    for (rapidjson::SizeType k = 0; k < sessions.Size(); ++k) {
      ObjectReader session(sessions[k], index_path(reader.path("sessions"), k));
      session.reject_unknown({"name", "start", "end", "breaks"});
      day.sessions.push_back(read_session(session));
    }
    check_sorted_apart(
        day.sessions, [](const Session& s) { return s.hours; }, reader.path("sessions"),
        "overlapping_sessions", "sessions");
    days.push_back(std::move(day));
  }
  return days;
}

std::vector<Venue> read_venues(const ObjectReader& root) {
  const rapidjson::Value& list = root.require("venues");
  if (!list.IsArray() || list.Empty() || list.Size() > kMaxVenues) {
    throw_invalid("wrong_type",
                  "venues must be an array of 1 to " + std::to_string(kMaxVenues) + " venues",
                  "venues");
  }
  std::vector<Venue> venues;
  for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
    ObjectReader reader(list[i], index_path("venues", i));
    reader.reject_unknown({"id", "name", "address", "tables"});
    Venue venue;
    venue.id = read_id(reader, "id", true);
    for (const auto& other : venues) {
      if (other.id == venue.id) {
        throw_invalid("duplicate_id", venue.id + " names two venues", reader.path("id"));
      }
    }
    venue.name = reader.text("name", kMaxEventNameBytes, true);
    venue.address = reader.text("address", kMaxAddressBytes, false);
    const rapidjson::Value& tables = reader.require("tables");
    if (tables.IsInt()) {
      int count = reader.integer("tables", 1, kMaxTablesPerVenue, 1);
      for (int t = 1; t <= count; ++t) venue.tables.push_back("T" + std::to_string(t));
    } else if (tables.IsArray()) {
      if (tables.Empty()) {
        throw_invalid("missing_field", "a venue needs at least one table", reader.path("tables"));
      }
      venue.tables = reader.text_list("tables", kMaxTablesPerVenue, kMaxLabelBytes, 1);
      if (venue.tables.size() != tables.Size()) {
        throw_invalid("duplicate_id", "table labels must be unique", reader.path("tables"));
      }
    } else {
      throw_invalid("wrong_type", reader.path("tables") + " must be a count or a list of labels",
                    reader.path("tables"));
    }
    venues.push_back(std::move(venue));
  }
  return venues;
}

std::vector<Travel> read_travel(const ObjectReader& root, const Event& event) {
  std::vector<Travel> travel;
  if (const rapidjson::Value* list = root.get("travel")) {
    if (!list->IsArray() || list->Size() > kMaxTravelEntries) {
      throw_invalid("wrong_type", "travel must be an array of {from, to, minutes}", "travel");
    }
    for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
      ObjectReader reader((*list)[i], index_path("travel", i));
      reader.reject_unknown({"from", "to", "minutes"}, {"mode"});
      Travel t;
      t.from = read_id(reader, "from", true);
      t.to = read_id(reader, "to", true);
      for (const std::string* end : {&t.from, &t.to}) {
        if (event.find_venue(*end) == nullptr) {
          throw_invalid("unknown_venue", *end + " is not a venue of this event",
                        reader.path(end == &t.from ? "from" : "to"));
        }
      }
      if (t.from == t.to) {
        throw_invalid("invalid_value", "travel joins two different venues", reader.path("to"));
      }
      for (const auto& other : travel) {
        if ((other.from == t.from && other.to == t.to) ||
            (other.from == t.to && other.to == t.from)) {
          throw_invalid("duplicate_id",
                        "travel between " + t.from + " and " + t.to + " is given twice",
                        reader.path());
        }
      }
      t.minutes = reader.integer("minutes", 0, kMaxTravelMinutes, 0);
      if (!reader.has("minutes")) {
        throw_invalid("missing_field", reader.path("minutes") + " is required",
                      reader.path("minutes"));
      }
      travel.push_back(std::move(t));
    }
  }
  return travel;
}

std::vector<InterpreterPool> read_interpreters(const ObjectReader& root) {
  std::vector<InterpreterPool> pools;
  const rapidjson::Value* list = root.get("interpreters");
  if (list == nullptr) return pools;
  if (!list->IsArray() || list->Size() > kMaxInterpreterPools) {
    throw_invalid("wrong_type",
                  "interpreters must be an array of at most " +
                      std::to_string(kMaxInterpreterPools) + " pools",
                  "interpreters");
  }
  for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
    ObjectReader reader((*list)[i], index_path("interpreters", i));
    reader.reject_unknown({"id", "languages", "count", "available_slots"});
    InterpreterPool pool;
    pool.languages = reader.text_list("languages", 2, 2, 2);
    for (std::size_t k = 0; k < pool.languages.size(); ++k) {
      if (!is_language_code(pool.languages[k])) {
        throw_invalid("unknown_language", pool.languages[k] + " is not an ISO 639-1 code",
                      index_path(reader.path("languages"), k));
      }
    }
    pool.id = read_id(reader, "id", false);
    if (pool.id.empty()) pool.id = pool.languages[0] + "-" + pool.languages[1];
    for (const auto& other : pools) {
      if (other.id == pool.id) {
        throw_invalid("duplicate_id", pool.id + " names two interpreter pools", reader.path("id"));
      }
    }
    pool.count = reader.integer("count", 1, kMaxInterpretersPerPool, 1);
    if (reader.has("available_slots")) {
      // Checked against the slot count once the slots are derived.
      pool.available_slots =
          reader.integer_list("available_slots", kMaxSlots, 0, static_cast<int>(kMaxSlots) - 1);
    }
    pools.push_back(std::move(pool));
  }
  return pools;
}

Policies read_policies(const ObjectReader& root, std::size_t day_count) {
  Policies p;
  const rapidjson::Value* value = root.get("policies");
  if (value == nullptr) return p;
  ObjectReader reader(*value, "policies");
  reader.reject_unknown({"max_meetings_per_day", "hosted_buyer_minimum", "request_expiry_hours",
                         "self_booking", "max_outgoing_requests"});
  p.max_meetings_per_day =
      reader.integer("max_meetings_per_day", 1, kMaxMeetingsPerDay, p.max_meetings_per_day);
  int most = p.max_meetings_per_day * static_cast<int>(day_count);
  p.hosted_buyer_minimum = reader.integer("hosted_buyer_minimum", 0, most, p.hosted_buyer_minimum);
  p.request_expiry_hours =
      reader.integer("request_expiry_hours", 1, kMaxRequestExpiryHours, p.request_expiry_hours);
  p.self_booking = reader.boolean("self_booking", p.self_booking);
  p.max_outgoing_requests =
      reader.integer("max_outgoing_requests", 0, kMaxOutgoingRequests, p.max_outgoing_requests);
  return p;
}

// Cuts one session into slots; field names the session for errors about its local times.
void cut_session(const Event& event, const date::time_zone* zone, int day_index,
                 const Session& session, const std::string& field, std::vector<Slot>& out) {
  const date::local_days midnight{event.days[static_cast<std::size_t>(day_index)].date};
  const std::chrono::minutes length(event.slot_minutes);
  std::vector<LocalSpan> open;  // the session minus its breaks
  std::chrono::minutes from = session.hours.start;
  for (const auto& pause : session.breaks) {
    if (pause.start > from) open.push_back({from, pause.start});
    from = std::max(from, pause.end);
  }
  if (session.hours.end > from) open.push_back({from, session.hours.end});
  for (const auto& span : open) {
    for (auto start = span.start; start + length <= span.end; start += length) {
      if (out.size() >= kMaxSlots) {
        throw_invalid("too_many_slots",
                      "the event would have more than " + std::to_string(kMaxSlots) + " slots",
                      "slot_minutes");
      }
      Slot slot;
      slot.index = static_cast<int>(out.size());
      slot.day = day_index;
      slot.session = session.name;
      slot.start_utc = local_to_utc(midnight + start, zone->name(), field);
      slot.end_utc = local_to_utc(midnight + start + length, zone->name(), field);
      out.push_back(std::move(slot));
    }
  }
}

std::vector<Slot> slots_of(const Event& event, bool with_paths) {
  const date::time_zone* zone = find_zone(event.time_zone, "time_zone");
  std::vector<Slot> slots;
  for (std::size_t d = 0; d < event.days.size(); ++d) {
    const auto& sessions = event.days[d].sessions;
    for (std::size_t s = 0; s < sessions.size(); ++s) {
      std::string field =
          with_paths ? index_path(index_path("days", d) + ".sessions", s) : std::string();
      cut_session(event, zone, static_cast<int>(d), sessions[s], field, slots);
    }
  }
  return slots;
}

std::string hhmm(std::chrono::minutes m) {
  auto h = m.count() / 60, mm = m.count() % 60;
  char text[48];  // two long longs and a colon, whatever the value
  std::snprintf(text, sizeof text, "%02lld:%02lld", static_cast<long long>(h),
                static_cast<long long>(mm));
  return text;
}

void add_string(rapidjson::Value& obj, const char* key, std::string_view text, Allocator& a) {
  obj.AddMember(rapidjson::StringRef(key),
                rapidjson::Value(text.data(), static_cast<rapidjson::SizeType>(text.size()), a), a);
}

rapidjson::Value span_json(const LocalSpan& span, Allocator& a) {
  rapidjson::Value v(rapidjson::kObjectType);
  add_string(v, "start", hhmm(span.start), a);
  add_string(v, "end", hhmm(span.end), a);
  return v;
}

rapidjson::Value strings_json(const std::vector<std::string>& list, Allocator& a) {
  rapidjson::Value v(rapidjson::kArrayType);
  for (const auto& s : list) v.PushBack(rapidjson::Value(s.c_str(), a), a);
  return v;
}

}  // namespace

const Venue* Event::find_venue(std::string_view venue_id) const {
  for (const auto& venue : venues) {
    if (venue.id == venue_id) return &venue;
  }
  return nullptr;
}

std::optional<int> Event::travel_minutes(std::string_view from, std::string_view to) const {
  if (from == to) return 0;
  for (const auto& t : travel) {
    if ((t.from == from && t.to == to) || (t.from == to && t.to == from)) return t.minutes;
  }
  return std::nullopt;
}

Event parse_event(std::string_view json) {
  rapidjson::Document doc = intake::parse_json_text(json);
  ObjectReader root(doc, "");
  // id, slots and organizer_token appear in what GET returns; a client may send them back.
  root.reject_unknown(
      {"name", "time_zone", "slot_minutes", "days", "venues", "travel", "interpreters", "policies"},
      {"id", "slots", "organizer_token"});
  Event event;
  event.name = root.text("name", kMaxEventNameBytes, true);
  event.time_zone = root.text("time_zone", kMaxIdBytes, true);
  find_zone(event.time_zone, "time_zone");
  event.slot_minutes = root.integer("slot_minutes", kMinSlotMinutes, kMaxSlotMinutes, 0);
  if (!root.has("slot_minutes")) {
    throw_invalid("missing_field", "slot_minutes is required", "slot_minutes");
  }
  event.days = read_days(root);
  event.venues = read_venues(root);
  event.travel = read_travel(root, event);
  for (std::size_t a = 0; a < event.venues.size(); ++a) {
    for (std::size_t b = a + 1; b < event.venues.size(); ++b) {
      if (!event.travel_minutes(event.venues[a].id, event.venues[b].id)) {
        throw_invalid("missing_travel_time",
                      "travel minutes between " + event.venues[a].id + " and " +
                          event.venues[b].id + " are missing",
                      "travel");
      }
    }
  }
  event.interpreters = read_interpreters(root);
  event.policies = read_policies(root, event.days.size());
  std::vector<Slot> slots = slots_of(event, true);
  if (slots.empty()) {
    throw_invalid("no_slots", "no session is long enough for one slot", "slot_minutes");
  }
  for (std::size_t i = 0; i < event.interpreters.size(); ++i) {
    const auto& available = event.interpreters[i].available_slots;
    if (available && !available->empty() && available->back() >= static_cast<int>(slots.size())) {
      std::string field = index_path("interpreters", i) + ".available_slots";
      throw_invalid("out_of_range",
                    field + " must name slots below " + std::to_string(slots.size()), field);
    }
  }
  return event;
}

std::vector<Slot> derive_slots(const Event& event) {
  return slots_of(event, false);
}

std::string format_local(std::chrono::sys_seconds instant, const std::string& time_zone) {
  auto zoned = date::make_zoned(find_zone(time_zone, "time_zone"), instant);
  return date::format("%FT%T%Ez", zoned);
}

std::chrono::sys_seconds local_to_utc(date::local_seconds local, const std::string& time_zone,
                                      const std::string& field) {
  const date::time_zone* zone = find_zone(time_zone, "time_zone");
  date::local_info info = zone->get_info(local);
  std::string shown = date::format("%F %R", local) + " in " + time_zone;
  if (info.result == date::local_info::nonexistent) {
    throw_invalid("nonexistent_local_time", shown + " does not exist (clocks skip it)", field);
  }
  if (info.result == date::local_info::ambiguous) {
    throw_invalid("ambiguous_local_time", shown + " happens twice (clocks repeat it)", field);
  }
  return std::chrono::sys_seconds{local.time_since_epoch() - info.first.offset};
}

std::string to_json(const Event& event) {
  rapidjson::Document doc;
  doc.SetObject();
  Allocator& a = doc.GetAllocator();
  if (!event.id.empty()) add_string(doc, "id", event.id, a);
  add_string(doc, "name", event.name, a);
  add_string(doc, "time_zone", event.time_zone, a);
  doc.AddMember("slot_minutes", event.slot_minutes, a);
  rapidjson::Value days(rapidjson::kArrayType);
  for (const auto& day : event.days) {
    rapidjson::Value d(rapidjson::kObjectType);
    add_string(d, "date", date::format("%F", date::sys_days(day.date)), a);
    rapidjson::Value sessions(rapidjson::kArrayType);
    for (const auto& session : day.sessions) {
      rapidjson::Value s = span_json(session.hours, a);
      add_string(s, "name", session.name, a);
      rapidjson::Value breaks(rapidjson::kArrayType);
      for (const auto& pause : session.breaks) breaks.PushBack(span_json(pause, a), a);
      s.AddMember("breaks", breaks, a);
      sessions.PushBack(s, a);
    }
    d.AddMember("sessions", sessions, a);
    days.PushBack(d, a);
  }
  doc.AddMember("days", days, a);
  rapidjson::Value venues(rapidjson::kArrayType);
  for (const auto& venue : event.venues) {
    rapidjson::Value v(rapidjson::kObjectType);
    add_string(v, "id", venue.id, a);
    add_string(v, "name", venue.name, a);
    add_string(v, "address", venue.address, a);
    v.AddMember("tables", strings_json(venue.tables, a), a);
    venues.PushBack(v, a);
  }
  doc.AddMember("venues", venues, a);
  rapidjson::Value travel(rapidjson::kArrayType);
  for (const auto& t : event.travel) {
    rapidjson::Value v(rapidjson::kObjectType);
    add_string(v, "from", t.from, a);
    add_string(v, "to", t.to, a);
    v.AddMember("minutes", t.minutes, a);
    travel.PushBack(v, a);
  }
  doc.AddMember("travel", travel, a);
  rapidjson::Value pools(rapidjson::kArrayType);
  for (const auto& pool : event.interpreters) {
    rapidjson::Value v(rapidjson::kObjectType);
    add_string(v, "id", pool.id, a);
    v.AddMember("languages", strings_json(pool.languages, a), a);
    v.AddMember("count", pool.count, a);
    if (pool.available_slots) {
      rapidjson::Value list(rapidjson::kArrayType);
      for (int s : *pool.available_slots) list.PushBack(s, a);
      v.AddMember("available_slots", list, a);
    }
    pools.PushBack(v, a);
  }
  doc.AddMember("interpreters", pools, a);
  rapidjson::Value policies(rapidjson::kObjectType);
  policies.AddMember("max_meetings_per_day", event.policies.max_meetings_per_day, a);
  policies.AddMember("hosted_buyer_minimum", event.policies.hosted_buyer_minimum, a);
  policies.AddMember("request_expiry_hours", event.policies.request_expiry_hours, a);
  policies.AddMember("self_booking", event.policies.self_booking, a);
  policies.AddMember("max_outgoing_requests", event.policies.max_outgoing_requests, a);
  doc.AddMember("policies", policies, a);
  rapidjson::Value slots(rapidjson::kArrayType);
  for (const auto& slot : derive_slots(event)) {
    rapidjson::Value v(rapidjson::kObjectType);
    v.AddMember("index", slot.index, a);
    v.AddMember("day", slot.day, a);
    add_string(v, "session", slot.session, a);
    add_string(v, "start", format_local(slot.start_utc, event.time_zone), a);
    add_string(v, "end", format_local(slot.end_utc, event.time_zone), a);
    add_string(v, "start_utc", date::format("%FT%TZ", slot.start_utc), a);
    add_string(v, "end_utc", date::format("%FT%TZ", slot.end_utc), a);
    slots.PushBack(v, a);
  }
  doc.AddMember("slots", slots, a);
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  doc.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace sangdam::event
