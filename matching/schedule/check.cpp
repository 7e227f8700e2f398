#include "matching/schedule/check.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>

namespace sangdam::schedule {

namespace {

template <typename Items, typename IdOf>
std::unordered_map<std::string, int> index_by_id(const Items& items, IdOf id_of) {
  std::unordered_map<std::string, int> index;
  for (std::size_t i = 0; i < items.size(); ++i)
    index.emplace(id_of(items[i]), static_cast<int>(i));
  return index;
}

int per_slot(int every_slot, const std::vector<int>& by_slot, int slot) {
  return by_slot.empty() ? every_slot : by_slot[slot];
}

bool session_allows(SessionRestriction restriction, Session session) {
  return restriction == SessionRestriction::kAny ||
         (restriction == SessionRestriction::kMorning && session == Session::kMorning) ||
         (restriction == SessionRestriction::kAfternoon && session == Session::kAfternoon);
}

// Breaks of one participant whose meetings take `slots` (sorted): gaps between consecutive
// meetings of one day.
int breaks_of(const Problem& p, const std::vector<int>& slots) {
  int breaks = 0;
  for (std::size_t i = 1; i < slots.size(); ++i) {
    breaks += p.slots[slots[i - 1]].day == p.slots[slots[i]].day && slots[i] > slots[i - 1] + 1;
  }
  return breaks;
}

}  // namespace

CheckReport check(const Problem& p, const Solution& solution, int fairness_bound) {
  CheckReport report;
  auto violate = [&](std::string kind, const std::string& meeting, std::string detail) {
    report.violations.push_back({std::move(kind), meeting, std::move(detail)});
  };
  const int slot_count = static_cast<int>(p.slots.size());
  auto meeting_index = index_by_id(p.meetings, [](const Meeting& m) { return m.id; });
  auto participant_index = index_by_id(p.participants, [](const Participant& x) { return x.id; });
  auto venue_index = index_by_id(p.venues, [](const Venue& v) { return v.id; });
  auto pool_index =
      index_by_id(p.interpreters, [](const InterpreterPool& x) { return x.language_pair; });
  auto venue_of = [&](const Meeting& m) { return m.venue.empty() ? p.venues.front().id : m.venue; };

  std::vector<int> slot_of(p.meetings.size(), -1);
  std::map<std::tuple<std::string, int, int>, std::string> table_taken;
  for (const auto& a : solution.assignments) {
    auto it = meeting_index.find(a.meeting);
    if (it == meeting_index.end()) {
      violate("unknown_meeting", a.meeting, "assigned meeting is not in the problem");
      continue;
    }
    if (slot_of[it->second] != -1) {
      violate("duplicate_assignment", a.meeting, "meeting is assigned twice");
      continue;
    }
    if (a.slot < 0 || a.slot >= slot_count) {
      violate("slot_out_of_range", a.meeting, "slot " + std::to_string(a.slot));
      continue;
    }
    const Meeting& m = p.meetings[it->second];
    std::string venue = venue_of(m);
    if (!a.venue.empty() && a.venue != venue) {
      violate("wrong_venue", a.meeting, "assigned to " + a.venue + ", meeting is at " + venue);
    }
    const Venue& v = p.venues[venue_index.at(venue)];
    int tables = per_slot(v.tables, v.tables_per_slot, a.slot);
    if (a.table < 0 || a.table >= tables) {
      violate("table_out_of_range", a.meeting,
              "table " + std::to_string(a.table) + " of " + std::to_string(tables) + " at " +
                  venue + " in slot " + std::to_string(a.slot));
    } else if (auto [pos, fresh] = table_taken.emplace(std::tuple{venue, a.slot, a.table}, m.id);
               !fresh) {
      violate("table_double_booked", a.meeting,
              "table " + std::to_string(a.table) + " at " + venue + " in slot " +
                  std::to_string(a.slot) + " also holds " + pos->second);
    }
    slot_of[it->second] = a.slot;
  }
  std::vector<char> listed_unplaced(p.meetings.size(), 0);
  for (const auto& u : solution.unplaced) {
    auto it = meeting_index.find(u.meeting);
    if (it == meeting_index.end()) {
      violate("unknown_meeting", u.meeting, "unplaced meeting is not in the problem");
    } else if (slot_of[it->second] != -1) {
      violate("placed_and_unplaced", u.meeting, "meeting is both assigned and unplaced");
    } else {
      listed_unplaced[it->second] = 1;
    }
  }

  std::vector<int> participant_load(p.participants.size() * slot_count, 0);
  std::vector<std::vector<std::pair<int, std::string>>> agenda(p.participants.size());
  std::vector<std::vector<int>> fixed_agenda(p.participants.size());  // fixed meetings' slots
  std::map<std::pair<std::string, int>, int> venue_load;
  std::map<std::pair<std::string, int>, int> interpreter_load;
  Objective& o = report.objective;
  for (std::size_t i = 0; i < p.meetings.size(); ++i) {
    const Meeting& m = p.meetings[i];
    int s = slot_of[i];
    if (s < 0) {
      if (!listed_unplaced[i]) {
        violate("silently_dropped", m.id, "meeting is neither assigned nor listed as unplaced");
      }
      continue;
    }
    ++o.placed;
    o.placed_weight += m.weight;
    if (!session_allows(m.session, p.slots[s].session)) {
      violate("session", m.id,
              "slot " + std::to_string(s) + " is not " + std::string(restriction_name(m.session)));
    }
    if (m.fixed_slot && *m.fixed_slot != s) {
      violate(
          "fixed_slot", m.id,
          "fixed to slot " + std::to_string(*m.fixed_slot) + ", placed in " + std::to_string(s));
    }
    std::string venue = venue_of(m);
    for (const std::string* who : {&m.first, &m.second}) {
      int x = participant_index.at(*who);
      const auto& unavailable = p.participants[x].unavailable;
      if (std::find(unavailable.begin(), unavailable.end(), s) != unavailable.end()) {
        violate("participant_unavailable", m.id,
                *who + " is unavailable in slot " + std::to_string(s));
      }
      ++participant_load[x * slot_count + s];
      agenda[x].push_back({s, venue});
      if (m.fixed_slot) fixed_agenda[x].push_back(s);
    }
    ++venue_load[{venue, s}];
    if (!m.language_pair.empty()) ++interpreter_load[{m.language_pair, s}];
    for (const auto& before_id : m.after) {
      int before_slot = slot_of[meeting_index.at(before_id)];
      if (before_slot >= 0 && before_slot >= s) {
        violate("precedence", m.id,
                "must come after " + before_id + " (slot " + std::to_string(before_slot) +
                    "), placed in slot " + std::to_string(s));
      }
    }
  }
  for (std::size_t x = 0; x < p.participants.size(); ++x) {
    for (int s = 0; s < slot_count; ++s) {
      int load = participant_load[x * slot_count + s];
      if (load > p.participants[x].capacity) {
        violate("participant_double_booked", "",
                p.participants[x].id + " has " + std::to_string(load) + " meetings in slot " +
                    std::to_string(s) + " (capacity " + std::to_string(p.participants[x].capacity) +
                    ")");
      }
    }
  }
  int day_count = p.slots.empty() ? 0 : p.slots.back().day + 1;
  for (std::size_t x = 0; x < p.participants.size(); ++x) {
    int most = daily_maximum(p, p.participants[x]);
    if (most <= 0) continue;
    std::vector<int> per_day(day_count, 0);
    for (int s = 0; s < slot_count; ++s)
      per_day[p.slots[s].day] += participant_load[x * slot_count + s];
    for (int d = 0; d < day_count; ++d) {
      if (per_day[d] > most) {
        violate("daily_maximum", "",
                p.participants[x].id + " has " + std::to_string(per_day[d]) + " meetings on day " +
                    std::to_string(d) + " (maximum " + std::to_string(most) + ")");
      }
    }
  }
  for (const auto& [key, load] : venue_load) {
    const Venue& v = p.venues[venue_index.at(key.first)];
    int tables = per_slot(v.tables, v.tables_per_slot, key.second);
    if (load > tables) {
      violate("tables_exceeded", "",
              key.first + " holds " + std::to_string(load) + " meetings in slot " +
                  std::to_string(key.second) + " with " + std::to_string(tables) + " tables");
    }
  }
  for (const auto& [key, load] : interpreter_load) {
    auto it = pool_index.find(key.first);
    int count = it == pool_index.end()
                    ? 0
                    : per_slot(p.interpreters[it->second].count,
                               p.interpreters[it->second].count_per_slot, key.second);
    if (load > count) {
      violate("interpreters_exceeded", "",
              key.first + " needs " + std::to_string(load) + " interpreters in slot " +
                  std::to_string(key.second) + ", " + std::to_string(count) + " on duty");
    }
  }

  // Travel, breaks and venue changes from each participant's agenda in time order.
  int max_breaks = 0;
  int min_breaks = slot_count;
  for (std::size_t x = 0; x < p.participants.size(); ++x) {
    auto& items = agenda[x];
    std::sort(items.begin(), items.end());
    for (std::size_t i = 0; i < items.size(); ++i) {
      for (std::size_t j = i + 1; j < items.size(); ++j) {
        const auto& [s, u] = items[i];
        const auto& [t, v] = items[j];
        if (p.slots[s].day != p.slots[t].day || u == v) continue;
        int needed = travel_slots(p, u, v);
        if (t - s - 1 < needed) {
          violate("travel", "",
                  p.participants[x].id + " cannot go from " + u + " (slot " + std::to_string(s) +
                      ") to " + v + " (slot " + std::to_string(t) + "): needs " +
                      std::to_string(needed) + " free slots between");
        }
      }
    }
    int breaks = 0;
    for (std::size_t i = 1; i < items.size(); ++i) {
      int s = items[i - 1].first;
      int t = items[i].first;
      if (p.slots[s].day != p.slots[t].day) continue;
      if (t > s + 1) ++breaks;
      if (p.participants[x].role == Role::kBuyer && items[i - 1].second != items[i].second) {
        ++o.venue_changes;
      }
    }
    o.breaks += breaks;
    auto& histogram = p.participants[x].role == Role::kBuyer ? report.buyer_breaks_histogram
                                                             : report.other_breaks_histogram;
    if (histogram.size() <= static_cast<std::size_t>(breaks)) histogram.resize(breaks + 1, 0);
    ++histogram[breaks];
    max_breaks = std::max(max_breaks, breaks);
    min_breaks = std::min(min_breaks, breaks);
  }
  if (p.participants.empty()) min_breaks = 0;
  o.max_breaks = max_breaks;
  o.min_breaks = min_breaks;
  int d = fairness_bound >= 0 ? fairness_bound : p.fairness_bound;
  o.fairness_excess = std::max(0, max_breaks - min_breaks - d);
  report.fairness_met = o.fairness_excess == 0;
  if (p.fairness_first && !report.fairness_met) {
    // Meetings with a fixed slot (bookings) are never left out: what they alone force is
    // allowed, anything beyond it is a violation.
    int fixed_max = 0;
    int fixed_min = p.participants.empty() ? 0 : slot_count;
    for (auto& slots : fixed_agenda) {
      std::sort(slots.begin(), slots.end());
      fixed_max = std::max(fixed_max, breaks_of(p, slots));
      fixed_min = std::min(fixed_min, breaks_of(p, slots));
    }
    int forced = std::max(0, fixed_max - fixed_min - d);
    if (o.fairness_excess > forced) {
      std::string beyond = forced > 0 ? " (plus " + std::to_string(forced) +
                                            " that meetings with a fixed slot force)"
                                      : std::string();
      report.violations.push_back(
          {"fairness", "",
           "max - min breaks is " + std::to_string(max_breaks - min_breaks) + " (" +
               std::to_string(max_breaks) + " - " + std::to_string(min_breaks) +
               "), more than the bound " + std::to_string(d) + beyond +
               " that this problem puts first"});
    }
  }
  return report;
}

}  // namespace sangdam::schedule
