#include "matching/schedule/problem.hpp"

#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "matching/error.hpp"
#include "matching/schedule/json_io.hpp"

namespace sangdam::schedule {

using json_io::path_of;

std::string_view session_name(Session session) {
  return session == Session::kMorning ? "morning" : "afternoon";
}

std::string_view restriction_name(SessionRestriction restriction) {
  switch (restriction) {
    case SessionRestriction::kMorning:
      return "morning";
    case SessionRestriction::kAfternoon:
      return "afternoon";
    case SessionRestriction::kAny:
      break;
  }
  return "any";
}

std::string_view role_name(Role role) {
  switch (role) {
    case Role::kBuyer:
      return "buyer";
    case Role::kCompany:
      return "company";
    case Role::kOther:
      break;
  }
  return "other";
}

int daily_maximum(const Problem& problem, const Participant& x) {
  return x.max_meetings_per_day > 0 ? x.max_meetings_per_day : problem.max_meetings_per_day;
}

int travel_slots(const Problem& problem, std::string_view from, std::string_view to) {
  if (from == to) return 0;
  for (const auto& t : problem.travel) {
    if ((t.from == from && t.to == to) || (t.from == to && t.to == from)) {
      return (t.minutes + problem.slot_minutes - 1) / problem.slot_minutes;
    }
  }
  return 0;
}

namespace {

// Largest weight accepted: keeps sums of millions of meetings exact in the solver's integers.
constexpr double kMaxWeight = 1e6;
constexpr int kMaxCount = 1'000'000;  // tables, interpreters, capacity, minutes
constexpr std::size_t kMaxIdLength = 200;

void check_id(const std::string& id, const std::string& path) {
  if (id.empty() || id.size() > kMaxIdLength) {
    throw_invalid("invalid_id", path + " must be 1.." + std::to_string(kMaxIdLength) + " bytes",
                  path);
  }
}

void check_count(int value, int low, const std::string& path) {
  if (value < low || value > kMaxCount) {
    throw_invalid("out_of_range",
                  path + " must be in " + std::to_string(low) + ".." + std::to_string(kMaxCount),
                  path);
  }
}

void check_slot(int slot, int slot_count, const std::string& path) {
  if (slot < 0 || slot >= slot_count) {
    throw_invalid("slot_out_of_range",
                  path + " must be a slot in 0.." + std::to_string(slot_count - 1), path);
  }
}

void check_per_slot(const std::vector<int>& counts, int slot_count, const std::string& path) {
  if (counts.empty()) return;
  if (counts.size() != static_cast<std::size_t>(slot_count)) {
    throw_invalid("wrong_length",
                  path + " must hold one count per slot (" + std::to_string(slot_count) + ")",
                  path);
  }
  for (std::size_t i = 0; i < counts.size(); ++i) check_count(counts[i], 0, path_of(path, i));
}

template <typename Items, typename IdOf>
std::unordered_map<std::string, std::size_t> index_unique(const Items& items, IdOf id_of,
                                                          const std::string& list) {
  std::unordered_map<std::string, std::size_t> index;
  index.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string& id = id_of(items[i]);
    std::string path = path_of(path_of(list, i), "id");
    check_id(id, path);
    if (!index.emplace(id, i).second) {
      throw_invalid("duplicate_id", path + ": '" + id + "' appears twice", path);
    }
  }
  return index;
}

void check_slots(const Problem& p) {
  if (p.slots.empty() || p.slots.size() > static_cast<std::size_t>(kMaxSlots)) {
    throw_invalid("out_of_range", "days must hold 1.." + std::to_string(kMaxSlots) + " slots",
                  "days");
  }
  for (std::size_t s = 0; s < p.slots.size(); ++s) {
    const Slot& slot = p.slots[s];
    const Slot* prev = s == 0 ? nullptr : &p.slots[s - 1];
    bool ordered = prev == nullptr ? slot.day == 0
                                   : (slot.day == prev->day && slot.session >= prev->session) ||
                                         slot.day == prev->day + 1;
    if (!ordered) {
      throw_invalid("slots_out_of_order",
                    "slot " + std::to_string(s) +
                        " breaks the order: days from 0 without gaps, mornings before afternoons",
                    "days");
    }
  }
}

// Depth-first search for a cycle in the precedence graph (edges: earlier -> later).
void check_precedence_acyclic(const Problem& p,
                              const std::unordered_map<std::string, std::size_t>& meeting_index) {
  std::size_t n = p.meetings.size();
  std::vector<std::vector<std::size_t>> before(n);
  for (std::size_t m = 0; m < n; ++m) {
    for (const auto& id : p.meetings[m].after) before[m].push_back(meeting_index.at(id));
  }
  std::vector<char> colour(n, 0);  // 0 new, 1 on stack, 2 done
  std::vector<std::pair<std::size_t, std::size_t>> stack;
  for (std::size_t root = 0; root < n; ++root) {
    if (colour[root] != 0) continue;
    stack.push_back({root, 0});
    colour[root] = 1;
    while (!stack.empty()) {
      auto& [m, next] = stack.back();
      if (next < before[m].size()) {
        std::size_t q = before[m][next++];
        if (colour[q] == 1) {
          std::string path = path_of(path_of("meetings", m), "after");
          throw_invalid("precedence_cycle",
                        "meeting '" + p.meetings[m].id + "' is part of a precedence cycle", path);
        }
        if (colour[q] == 0) {
          colour[q] = 1;
          stack.push_back({q, 0});
        }
      } else {
        colour[m] = 2;
        stack.pop_back();
      }
    }
  }
}

}  // namespace

void validate(const Problem& p) {
  check_slots(p);
  int slot_count = static_cast<int>(p.slots.size());
  check_count(p.slot_minutes, 1, "slot_minutes");
  check_count(p.fairness_bound, 0, "fairness_bound");
  check_count(p.max_meetings_per_day, 0, "max_meetings_per_day");
  if (p.venues.empty()) throw_invalid("missing_field", "at least one venue is required", "venues");
  auto venue_index = index_unique(
      p.venues, [](const Venue& v) -> const std::string& { return v.id; }, "venues");
  for (std::size_t i = 0; i < p.venues.size(); ++i) {
    std::string path = path_of("venues", i);
    check_count(p.venues[i].tables, 0, path_of(path, "tables"));
    check_per_slot(p.venues[i].tables_per_slot, slot_count, path_of(path, "tables_per_slot"));
  }
  for (std::size_t i = 0; i < p.travel.size(); ++i) {
    std::string path = path_of("travel", i);
    if (!venue_index.contains(p.travel[i].from)) {
      throw_invalid("unknown_venue", "unknown venue '" + p.travel[i].from + "'",
                    path_of(path, "from"));
    }
    if (!venue_index.contains(p.travel[i].to)) {
      throw_invalid("unknown_venue", "unknown venue '" + p.travel[i].to + "'", path_of(path, "to"));
    }
    check_count(p.travel[i].minutes, 0, path_of(path, "minutes"));
  }
  std::unordered_set<std::string> pairs;
  for (std::size_t i = 0; i < p.interpreters.size(); ++i) {
    std::string path = path_of("interpreters", i);
    const auto& pool = p.interpreters[i];
    check_id(pool.language_pair, path_of(path, "language"));
    if (!pairs.insert(pool.language_pair).second) {
      throw_invalid("duplicate_id", "language pair '" + pool.language_pair + "' appears twice",
                    path_of(path, "language"));
    }
    check_count(pool.count, 0, path_of(path, "count"));
    check_per_slot(pool.count_per_slot, slot_count, path_of(path, "count_per_slot"));
  }
  if (p.participants.size() > kMaxParticipants) {
    throw_invalid("too_many", "more than " + std::to_string(kMaxParticipants) + " participants",
                  "participants");
  }
  auto participant_index = index_unique(
      p.participants, [](const Participant& x) -> const std::string& { return x.id; },
      "participants");
  for (std::size_t i = 0; i < p.participants.size(); ++i) {
    std::string path = path_of("participants", i);
    check_count(p.participants[i].capacity, 1, path_of(path, "capacity"));
    check_count(p.participants[i].max_meetings_per_day, 0, path_of(path, "max_meetings_per_day"));
    const auto& unavailable = p.participants[i].unavailable;
    for (std::size_t k = 0; k < unavailable.size(); ++k) {
      check_slot(unavailable[k], slot_count, path_of(path_of(path, "unavailable"), k));
    }
  }
  if (p.meetings.size() > kMaxMeetings) {
    throw_invalid("too_many", "more than " + std::to_string(kMaxMeetings) + " meetings",
                  "meetings");
  }
  auto meeting_index = index_unique(
      p.meetings, [](const Meeting& m) -> const std::string& { return m.id; }, "meetings");
  for (std::size_t i = 0; i < p.meetings.size(); ++i) {
    const Meeting& m = p.meetings[i];
    std::string path = path_of("meetings", i);
    std::string between = path_of(path, "between");
    for (std::size_t k = 0; k < 2; ++k) {
      const std::string& who = k == 0 ? m.first : m.second;
      if (!participant_index.contains(who)) {
        throw_invalid("unknown_participant", "unknown participant '" + who + "'",
                      path_of(between, k));
      }
    }
    if (m.first == m.second) {
      throw_invalid("self_meeting", "a meeting needs two different participants", between);
    }
    if (!std::isfinite(m.weight) || m.weight <= 0 || m.weight > kMaxWeight) {
      throw_invalid("out_of_range", "weight must be > 0 and <= 1e6", path_of(path, "weight"));
    }
    if (m.fixed_slot) check_slot(*m.fixed_slot, slot_count, path_of(path, "fixed_slot"));
    for (std::size_t k = 0; k < m.after.size(); ++k) {
      std::string after_path = path_of(path_of(path, "after"), k);
      if (!meeting_index.contains(m.after[k])) {
        throw_invalid("unknown_meeting", "unknown meeting '" + m.after[k] + "'", after_path);
      }
      if (m.after[k] == m.id) {
        throw_invalid("precedence_cycle", "a meeting cannot follow itself", after_path);
      }
    }
    if (m.venue.empty()) {
      if (p.venues.size() != 1) {
        throw_invalid("missing_field", "venue is required when there are several venues",
                      path_of(path, "venue"));
      }
    } else if (!venue_index.contains(m.venue)) {
      throw_invalid("unknown_venue", "unknown venue '" + m.venue + "'", path_of(path, "venue"));
    }
  }
  check_precedence_acyclic(p, meeting_index);
}

namespace {

SessionRestriction parse_restriction(const std::string& text, const std::string& path) {
  if (text == "any") return SessionRestriction::kAny;
  if (text == "morning") return SessionRestriction::kMorning;
  if (text == "afternoon") return SessionRestriction::kAfternoon;
  throw_invalid("unknown_session", path + " must be any, morning or afternoon", path);
}

Role parse_role(const std::string& text, const std::string& path) {
  if (text == "buyer") return Role::kBuyer;
  if (text == "company") return Role::kCompany;
  if (text == "other") return Role::kOther;
  throw_invalid("unknown_role", path + " must be buyer, company or other", path);
}

}  // namespace

Problem parse_problem(std::string_view json) {
  using namespace json_io;
  auto doc = parse_object(json);
  Problem p;
  p.slot_minutes = optional_int(doc, "slot_minutes", "", kDefaultSlotMinutes);
  p.fairness_bound = optional_int(doc, "fairness_bound", "", kDefaultFairnessBound);
  p.fairness_first = optional_bool(doc, "fairness_first", "", false);
  p.max_meetings_per_day = optional_int(doc, "max_meetings_per_day", "", 0);

  const auto& days = require_array(doc, "days", "");
  for (rapidjson::SizeType d = 0; d < days.Size(); ++d) {
    std::string path = path_of("days", d);
    require_object(days[d], path);
    int mornings = optional_int(days[d], "morning", path, 0);
    int afternoons = optional_int(days[d], "afternoon", path, 0);
    check_count(mornings, 0, path_of(path, "morning"));
    check_count(afternoons, 0, path_of(path, "afternoon"));
    if (p.slots.size() + mornings + afternoons > static_cast<std::size_t>(kMaxSlots)) {
      throw_invalid("out_of_range", "more than " + std::to_string(kMaxSlots) + " slots", "days");
    }
    p.slots.insert(p.slots.end(), mornings, Slot{static_cast<int>(d), Session::kMorning});
    p.slots.insert(p.slots.end(), afternoons, Slot{static_cast<int>(d), Session::kAfternoon});
  }

  const auto& venues = require_array(doc, "venues", "");
  for (rapidjson::SizeType i = 0; i < venues.Size(); ++i) {
    std::string path = path_of("venues", i);
    require_object(venues[i], path);
    p.venues.push_back({require_string(venues[i], "id", path),
                        optional_int(venues[i], "tables", path, 0),
                        optional_int_array(venues[i], "tables_per_slot", path)});
  }
  if (const auto* travel = optional_array(doc, "travel", "")) {
    for (rapidjson::SizeType i = 0; i < travel->Size(); ++i) {
      std::string path = path_of("travel", i);
      const auto& t = (*travel)[i];
      require_object(t, path);
      p.travel.push_back({require_string(t, "from", path), require_string(t, "to", path),
                          require_int(t, "minutes", path)});
    }
  }
  if (const auto* pools = optional_array(doc, "interpreters", "")) {
    for (rapidjson::SizeType i = 0; i < pools->Size(); ++i) {
      std::string path = path_of("interpreters", i);
      const auto& pool = (*pools)[i];
      require_object(pool, path);
      p.interpreters.push_back({require_string(pool, "language", path),
                                optional_int(pool, "count", path, 0),
                                optional_int_array(pool, "count_per_slot", path)});
    }
  }
  const auto& participants = require_array(doc, "participants", "");
  p.participants.reserve(participants.Size());
  for (rapidjson::SizeType i = 0; i < participants.Size(); ++i) {
    std::string path = path_of("participants", i);
    const auto& x = participants[i];
    require_object(x, path);
    p.participants.push_back(
        {require_string(x, "id", path),
         parse_role(optional_string(x, "role", path, "other"), path_of(path, "role")),
         optional_int(x, "capacity", path, 1), optional_int_array(x, "unavailable", path),
         optional_int(x, "max_meetings_per_day", path, 0)});
  }
  const auto& meetings = require_array(doc, "meetings", "");
  p.meetings.reserve(meetings.Size());
  for (rapidjson::SizeType i = 0; i < meetings.Size(); ++i) {
    std::string path = path_of("meetings", i);
    const auto& x = meetings[i];
    require_object(x, path);
    Meeting m;
    m.id = require_string(x, "id", path);
    const auto& between = require_array(x, "between", path);
    if (between.Size() != 2 || !between[0].IsString() || !between[1].IsString()) {
      throw_invalid("wrong_type", path_of(path, "between") + " must be two participant ids",
                    path_of(path, "between"));
    }
    m.first = between[0].GetString();
    m.second = between[1].GetString();
    m.weight = optional_number(x, "weight", path, 1.0);
    m.session =
        parse_restriction(optional_string(x, "session", path, "any"), path_of(path, "session"));
    if (has(x, "fixed_slot")) m.fixed_slot = require_int(x, "fixed_slot", path);
    m.after = optional_string_array(x, "after", path);
    m.language_pair = optional_string(x, "language", path);
    m.venue = optional_string(x, "venue", path);
    p.meetings.push_back(std::move(m));
  }
  validate(p);
  return p;
}

std::string to_json(const Problem& p) {
  using namespace json_io;
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("slot_minutes");
  w.Int(p.slot_minutes);
  w.Key("fairness_bound");
  w.Int(p.fairness_bound);
  if (p.fairness_first) {
    w.Key("fairness_first");
    w.Bool(true);
  }
  if (p.max_meetings_per_day > 0) {
    w.Key("max_meetings_per_day");
    w.Int(p.max_meetings_per_day);
  }
  w.Key("days");
  w.StartArray();
  int last_day = p.slots.empty() ? -1 : p.slots.back().day;
  for (int d = 0; d <= last_day; ++d) {
    int mornings = 0;
    int afternoons = 0;
    for (const auto& s : p.slots) {
      if (s.day != d) continue;
      (s.session == Session::kMorning ? mornings : afternoons)++;
    }
    w.StartObject();
    w.Key("morning");
    w.Int(mornings);
    w.Key("afternoon");
    w.Int(afternoons);
    w.EndObject();
  }
  w.EndArray();
  w.Key("venues");
  w.StartArray();
  for (const auto& v : p.venues) {
    w.StartObject();
    w.Key("id");
    write_string(w, v.id);
    w.Key("tables");
    w.Int(v.tables);
    if (!v.tables_per_slot.empty()) {
      w.Key("tables_per_slot");
      write_int_array(w, v.tables_per_slot);
    }
    w.EndObject();
  }
  w.EndArray();
  w.Key("travel");
  w.StartArray();
  for (const auto& t : p.travel) {
    w.StartObject();
    w.Key("from");
    write_string(w, t.from);
    w.Key("to");
    write_string(w, t.to);
    w.Key("minutes");
    w.Int(t.minutes);
    w.EndObject();
  }
  w.EndArray();
  w.Key("interpreters");
  w.StartArray();
  for (const auto& pool : p.interpreters) {
    w.StartObject();
    w.Key("language");
    write_string(w, pool.language_pair);
    w.Key("count");
    w.Int(pool.count);
    if (!pool.count_per_slot.empty()) {
      w.Key("count_per_slot");
      write_int_array(w, pool.count_per_slot);
    }
    w.EndObject();
  }
  w.EndArray();
  w.Key("participants");
  w.StartArray();
  for (const auto& x : p.participants) {
    w.StartObject();
    w.Key("id");
    write_string(w, x.id);
    w.Key("role");
    write_string(w, role_name(x.role));
    w.Key("capacity");
    w.Int(x.capacity);
    if (!x.unavailable.empty()) {
      w.Key("unavailable");
      write_int_array(w, x.unavailable);
    }
    if (x.max_meetings_per_day > 0) {
      w.Key("max_meetings_per_day");
      w.Int(x.max_meetings_per_day);
    }
    w.EndObject();
  }
  w.EndArray();
  w.Key("meetings");
  w.StartArray();
  for (const auto& m : p.meetings) {
    w.StartObject();
    w.Key("id");
    write_string(w, m.id);
    w.Key("between");
    w.StartArray();
    write_string(w, m.first);
    write_string(w, m.second);
    w.EndArray();
    w.Key("weight");
    w.Double(m.weight);
    if (m.session != SessionRestriction::kAny) {
      w.Key("session");
      write_string(w, restriction_name(m.session));
    }
    if (m.fixed_slot) {
      w.Key("fixed_slot");
      w.Int(*m.fixed_slot);
    }
    if (!m.after.empty()) {
      w.Key("after");
      w.StartArray();
      for (const auto& id : m.after) write_string(w, id);
      w.EndArray();
    }
    if (!m.language_pair.empty()) {
      w.Key("language");
      write_string(w, m.language_pair);
    }
    if (!m.venue.empty()) {
      w.Key("venue");
      write_string(w, m.venue);
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace sangdam::schedule
