#include "matching/schedule/synthetic.hpp"

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <string_view>

namespace sangdam::schedule {

namespace {

// "b7", "venue2": built by appending (g++ 12 warns falsely, -Wrestrict, on "literal" + string).
std::string numbered(std::string_view prefix, long long n) {
  std::string id(prefix);
  id += std::to_string(n);
  return id;
}

}  // namespace

Problem synthetic_problem(const SyntheticShape& shape) {
  std::mt19937_64 rng(shape.seed);
  auto chance = [&](double share) { return std::uniform_real_distribution<>(0, 1)(rng) < share; };
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  Problem p;
  p.fairness_bound = shape.fairness_bound;
  p.max_meetings_per_day = shape.max_meetings_per_day;
  for (int d = 0; d < shape.days; ++d) {
    p.slots.insert(p.slots.end(), shape.mornings, Slot{d, Session::kMorning});
    p.slots.insert(p.slots.end(), shape.afternoons, Slot{d, Session::kAfternoon});
  }
  int slot_count = static_cast<int>(p.slots.size());
  for (int v = 0; v < shape.venues; ++v) {
    p.venues.push_back({numbered("venue", v), shape.tables_per_venue, {}});
    for (int u = 0; u < v; ++u) {
      p.travel.push_back({numbered("venue", u), numbered("venue", v), shape.travel_minutes});
    }
  }
  for (int l = 0; l < shape.languages; ++l) {
    p.interpreters.push_back(
        {numbered("l", l) + std::string("-ko"), shape.interpreters_per_language, {}});
  }
  auto add_participant = [&](std::string id, Role role, int capacity) {
    Participant x{std::move(id), role, capacity, {}};
    for (int s = 0; s < slot_count; ++s) {
      if (chance(shape.unavailable_share)) x.unavailable.push_back(s);
    }
    // Drawn only when asked for, so that shapes without it keep their random stream.
    if (shape.own_daily_share > 0 && chance(shape.own_daily_share)) {
      x.max_meetings_per_day = 1 + pick(3);
    }
    p.participants.push_back(std::move(x));
  };
  for (int b = 0; b < shape.buyers; ++b) add_participant(numbered("b", b), Role::kBuyer, 1);
  for (int c = 0; c < shape.companies; ++c) {
    add_participant(numbered("c", c), Role::kCompany, chance(shape.multi_seat_share) ? 2 : 1);
  }
  // Companies sit at one venue; buyers speak one language (or Korean/English: none needed).
  std::vector<int> venue_of(shape.companies);
  for (auto& v : venue_of) v = pick(std::max(1, shape.venues));
  std::vector<int> language_of(shape.buyers, -1);
  for (auto& l : language_of) {
    if (shape.languages > 0 && chance(0.5)) l = pick(shape.languages);
  }
  long long pairs = static_cast<long long>(shape.buyers) * shape.companies;
  int wanted = static_cast<int>(std::min<long long>(shape.meetings, pairs));
  std::set<std::pair<int, int>> used;
  std::vector<std::vector<int>> by_buyer(shape.buyers);
  while (static_cast<int>(p.meetings.size()) < wanted) {
    int b = pick(shape.buyers);
    int c = pick(shape.companies);
    if (!used.insert({b, c}).second) continue;
    Meeting m;
    m.id = numbered("m", p.meetings.size());
    m.first = numbered("b", b);
    m.second = numbered("c", c);
    m.weight = 1 + pick(5);
    if (chance(shape.session_share)) {
      m.session = chance(0.5) ? SessionRestriction::kMorning : SessionRestriction::kAfternoon;
    }
    if (chance(shape.fixed_share)) m.fixed_slot = pick(slot_count);
    if (!by_buyer[b].empty() && chance(shape.precedence_share)) {
      m.after.push_back(p.meetings[by_buyer[b][pick(static_cast<int>(by_buyer[b].size()))]].id);
    }
    if (language_of[b] >= 0) m.language_pair = p.interpreters[language_of[b]].language_pair;
    m.venue = p.venues[venue_of[c]].id;
    by_buyer[b].push_back(static_cast<int>(p.meetings.size()));
    p.meetings.push_back(std::move(m));
  }
  return p;
}

}  // namespace sangdam::schedule
