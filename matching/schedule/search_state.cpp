#include "matching/schedule/search_state.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <unordered_map>

namespace sangdam::schedule::search {

Model::Model(const Problem& p, int bound)
    : slots(static_cast<int>(p.slots.size())),
      participants(static_cast<int>(p.participants.size())),
      meetings(static_cast<int>(p.meetings.size())),
      venues(static_cast<int>(p.venues.size())),
      fairness_bound(bound),
      fairness_first(p.fairness_first) {
  for (int s = 0; s < slots; ++s) {
    day_of.push_back(p.slots[s].day);
    session_of.push_back(p.slots[s].session);
    day_first.push_back(s > 0 && day_of[s - 1] == day_of[s] ? day_first[s - 1] : s);
  }
  days = slots > 0 ? day_of.back() + 1 : 0;
  day_last.assign(slots, slots - 1);
  for (int s = slots - 2; s >= 0; --s) {
    day_last[s] = day_of[s + 1] == day_of[s] ? day_last[s + 1] : s;
  }
  slot_masks = slots <= 64;
  std::unordered_map<std::string, int> participant_index;
  unavailable.assign(static_cast<std::size_t>(participants) * slots, 0);
  for (int i = 0; i < participants; ++i) {
    const auto& x = p.participants[i];
    participant_index.emplace(x.id, i);
    capacity.push_back(x.capacity);
    int most = daily_maximum(p, x);
    // A day never holds more than capacity x slots meetings: that is "no limit".
    daily_max.push_back(most > 0 ? most : x.capacity * slots);
    buyer.push_back(x.role == Role::kBuyer);
    for (int s : x.unavailable) unavailable[static_cast<std::size_t>(i) * slots + s] = 1;
  }
  std::unordered_map<std::string, int> venue_index;
  tables.assign(static_cast<std::size_t>(venues) * slots, 0);
  for (int v = 0; v < venues; ++v) {
    venue_index.emplace(p.venues[v].id, v);
    for (int s = 0; s < slots; ++s) {
      tables[v * slots + s] =
          p.venues[v].tables_per_slot.empty() ? p.venues[v].tables : p.venues[v].tables_per_slot[s];
    }
  }
  travel.assign(static_cast<std::size_t>(venues) * venues, 0);
  for (int u = 0; u < venues; ++u) {
    for (int v = 0; v < venues; ++v) {
      travel[u * venues + v] = travel_slots(p, p.venues[u].id, p.venues[v].id);
      max_travel = std::max(max_travel, travel[u * venues + v]);
    }
  }
  // Pairs that meetings ask for but no pool serves get a pool of zero interpreters.
  std::unordered_map<std::string, int> language_index;
  for (const auto& pool : p.interpreters) {
    language_index.emplace(pool.language_pair, languages++);
    for (int s = 0; s < slots; ++s) {
      interpreters.push_back(pool.count_per_slot.empty() ? pool.count : pool.count_per_slot[s]);
    }
  }
  std::unordered_map<std::string, int> meeting_index;
  meetings_of.resize(participants);
  for (int m = 0; m < meetings; ++m) {
    const Meeting& x = p.meetings[m];
    meeting_index.emplace(x.id, m);
    first.push_back(participant_index.at(x.first));
    second.push_back(participant_index.at(x.second));
    meetings_of[first.back()].push_back(m);
    meetings_of[second.back()].push_back(m);
    venue.push_back(x.venue.empty() ? 0 : venue_index.at(x.venue));
    if (x.language_pair.empty()) {
      language.push_back(-1);
    } else {
      auto [it, fresh] = language_index.emplace(x.language_pair, languages);
      if (fresh) {
        ++languages;
        interpreters.insert(interpreters.end(), slots, 0);
      }
      language.push_back(it->second);
    }
    fixed.push_back(x.fixed_slot ? *x.fixed_slot : -1);
    restriction.push_back(x.session);
    weight.push_back(std::max<std::int64_t>(1, std::llround(x.weight * kWeightScale)));
  }
  earlier.resize(meetings);
  later.resize(meetings);
  for (int m = 0; m < meetings; ++m) {
    for (const auto& id : p.meetings[m].after) {
      int e = meeting_index.at(id);
      earlier[m].push_back(e);
      later[e].push_back(m);
    }
  }
  if (slot_masks) {
    for (int s = 0; s < slots; ++s) {
      std::uint64_t day = 0;
      for (int t = day_first[s]; t <= day_last[s]; ++t) day |= std::uint64_t{1} << t;
      day_mask.push_back(day);
      std::uint64_t window = 0;
      int from = std::max(day_first[s], s - max_travel);
      int to = std::min(day_last[s], s + max_travel);
      for (int t = from; t <= to; ++t) window |= std::uint64_t{1} << t;
      travel_window.push_back(window);
    }
    static_allowed.assign(meetings, 0);
    for (int m = 0; m < meetings; ++m) {
      for (int s = 0; s < slots; ++s) {
        if (static_block(m, s) == Block::kNone) static_allowed[m] |= std::uint64_t{1} << s;
      }
    }
  }
}

const char* block_name(Block block) {
  switch (block) {
    case Block::kNone:
      return "none";
    case Block::kFixedElsewhere:
      return "fixed_elsewhere";
    case Block::kOutsideSession:
      return "outside_session";
    case Block::kParticipantUnavailable:
      return "participant_unavailable";
    case Block::kNoTable:
      return "no_table";
    case Block::kNoInterpreter:
      return "no_interpreter";
    case Block::kParticipantBusy:
      return "participant_busy";
    case Block::kDailyMaximum:
      return "daily_maximum";
    case Block::kTablesFull:
      return "tables_full";
    case Block::kInterpretersFull:
      return "interpreters_full";
    case Block::kPrecedence:
      return "precedence";
    case Block::kTravel:
      return "travel";
  }
  return "none";
}

Block Model::static_block(int m, int s) const {
  if (fixed[m] >= 0 && fixed[m] != s) return Block::kFixedElsewhere;
  if ((restriction[m] == SessionRestriction::kMorning && session_of[s] != Session::kMorning) ||
      (restriction[m] == SessionRestriction::kAfternoon && session_of[s] != Session::kAfternoon)) {
    return Block::kOutsideSession;
  }
  if (unavailable[static_cast<std::size_t>(first[m]) * slots + s] ||
      unavailable[static_cast<std::size_t>(second[m]) * slots + s]) {
    return Block::kParticipantUnavailable;
  }
  if (tables[venue[m] * slots + s] == 0) return Block::kNoTable;
  if (language[m] >= 0 && interpreters[language[m] * slots + s] == 0) return Block::kNoInterpreter;
  return Block::kNone;
}

bool better(const Score& a, const Score& b) {
  if (a.fixed_weight != b.fixed_weight) return a.fixed_weight > b.fixed_weight;
  if (a.excess_first != b.excess_first) return a.excess_first < b.excess_first;
  if (a.weight != b.weight) return a.weight > b.weight;
  if (a.excess != b.excess) return a.excess < b.excess;
  if (a.breaks != b.breaks) return a.breaks < b.breaks;
  return a.changes < b.changes;
}

State::State(const Model& model)
    : model_(model),
      slot_(model.meetings, -1),
      cells_(static_cast<std::size_t>(model.participants) * model.slots),
      busy_(model.slot_masks ? model.participants : 0, 0),
      day_load_(static_cast<std::size_t>(model.participants) * model.days, 0),
      table_use_(static_cast<std::size_t>(model.venues) * model.slots, 0),
      interpreter_use_(static_cast<std::size_t>(model.languages) * model.slots, 0),
      in_slot_(model.slots),
      position_(model.meetings, -1),
      breaks_(model.participants, 0),
      changes_(model.participants, 0),
      breaks_histogram_(model.slots + 1, 0) {
  breaks_histogram_[0] = model.participants;
}

int State::max_breaks() const {
  for (int b = model_.slots; b > 0; --b) {
    if (breaks_histogram_[b] > 0) return b;
  }
  return 0;
}

int State::min_breaks() const {
  for (int b = 0; b <= model_.slots; ++b) {
    if (breaks_histogram_[b] > 0) return b;
  }
  return 0;
}

long long State::breaks_over_bound() const {
  int limit = min_breaks() + model_.fairness_bound;
  long long over = 0;
  for (int b = max_breaks(); b > limit; --b) {
    over += static_cast<long long>(b - limit) * (b - limit) * breaks_histogram_[b];
  }
  return over;
}

Score State::score() const {
  int excess = std::max(0, max_breaks() - min_breaks() - model_.fairness_bound);
  bool first = model_.fairness_first;
  return {first ? fixed_weight_ : 0,
          first ? excess : 0,
          weight_,
          excess,
          total_breaks_,
          total_changes_};
}

Block State::blocked_by(int m, int s) const {
  const Model& md = model_;
  if (!md.slot_masks || !((md.static_allowed[m] >> s) & 1)) {
    Block block = md.static_block(m, s);
    if (block != Block::kNone) return block;
  }
  int v = md.venue[m];
  int a = md.first[m];
  int b = md.second[m];
  if (load(a, s) >= md.capacity[a] || load(b, s) >= md.capacity[b]) {
    return Block::kParticipantBusy;
  }
  int d = md.day_of[s];
  if (day_load(a, d) >= md.daily_max[a] || day_load(b, d) >= md.daily_max[b]) {
    return Block::kDailyMaximum;
  }
  if (table_use_[v * md.slots + s] >= md.tables[v * md.slots + s]) return Block::kTablesFull;
  int l = md.language[m];
  if (l >= 0 && interpreter_use_[l * md.slots + s] >= md.interpreters[l * md.slots + s]) {
    return Block::kInterpretersFull;
  }
  for (int e : md.earlier[m]) {
    if (slot_[e] >= s) return Block::kPrecedence;
  }
  for (int e : md.later[m]) {
    if (slot_[e] >= 0 && slot_[e] <= s) return Block::kPrecedence;
  }
  if (md.venues > 1) {
    const int* near = &md.travel[v * md.venues];
    for (int p : {a, b}) {
      // Only meetings within the longest travel of s can be too close.
      std::size_t base = static_cast<std::size_t>(p) * md.slots;
      if (md.slot_masks) {
        for (std::uint64_t w = busy_[p] & md.travel_window[s]; w != 0; w &= w - 1) {
          int t = std::countr_zero(w);
          int u = cells_[base + t].venue;
          if (u != v && std::abs(t - s) - 1 < near[u]) return Block::kTravel;
        }
        continue;
      }
      int from = std::max(md.day_first[s], s - md.max_travel);
      int to = std::min(md.day_last[s], s + md.max_travel);
      for (int t = from; t <= to; ++t) {
        if (cells_[base + t].load == 0 || cells_[base + t].venue == v) continue;
        if (std::abs(t - s) - 1 < near[cells_[base + t].venue]) return Block::kTravel;
      }
    }
  }
  return Block::kNone;
}

inline int State::busy_before(int p, int s) const {
  const Model& md = model_;
  if (md.slot_masks) {
    std::uint64_t x = busy_[p] & md.day_mask[s] & ((std::uint64_t{1} << s) - 1);
    return x != 0 ? 63 - std::countl_zero(x) : -1;
  }
  const Cell* row = &cells_[static_cast<std::size_t>(p) * md.slots];
  for (int t = s - 1; t >= md.day_first[s]; --t) {
    if (row[t].load > 0) return t;
  }
  return -1;
}

inline int State::busy_after(int p, int s) const {
  const Model& md = model_;
  if (md.slot_masks) {
    // For s = 63, 2 << 63 wraps to 0 and the mask of later slots is empty.
    std::uint64_t x = busy_[p] & md.day_mask[s] & ~((std::uint64_t{2} << s) - 1);
    return x != 0 ? std::countr_zero(x) : -1;
  }
  const Cell* row = &cells_[static_cast<std::size_t>(p) * md.slots];
  for (int t = s + 1; t <= md.day_last[s]; ++t) {
    if (row[t].load > 0) return t;
  }
  return -1;
}

// Breaks of a day are the gaps between consecutive busy slots; venue changes (buyers only) are
// the consecutive busy slots at different venues. A change at s only touches the pairs
// (previous busy slot, s), (s, next busy slot) and (previous, next) of its day.
void State::update_around(int p, int s, bool was_busy, int old_venue) {
  std::size_t k = static_cast<std::size_t>(p) * model_.slots + s;
  bool now_busy = cells_[k].load > 0;
  bool buyer = model_.buyer[p];
  if (was_busy == now_busy && (!buyer || !now_busy || old_venue == cells_[k].venue)) return;
  int prev = busy_before(p, s);
  int next = busy_after(p, s);
  if (was_busy != now_busy) {
    int with = (prev >= 0 && prev < s - 1) + (next >= 0 && next > s + 1);
    int without = prev >= 0 && next >= 0;
    int delta = now_busy ? with - without : without - with;
    if (delta != 0) {
      --breaks_histogram_[breaks_[p]];
      breaks_[p] += delta;
      ++breaks_histogram_[breaks_[p]];
      total_breaks_ += delta;
    }
  }
  if (!buyer) return;
  std::size_t base = static_cast<std::size_t>(p) * model_.slots;
  int prev_venue = prev >= 0 ? cells_[base + prev].venue : -1;
  int next_venue = next >= 0 ? cells_[base + next].venue : -1;
  auto local = [&](bool busy, int venue) {
    if (!busy) return static_cast<int>(prev >= 0 && next >= 0 && prev_venue != next_venue);
    return (prev >= 0 && prev_venue != venue) + (next >= 0 && next_venue != venue);
  };
  int delta = local(now_busy, cells_[k].venue) - local(was_busy, old_venue);
  changes_[p] += delta;
  total_changes_ += delta;
}

void State::apply_place(int m, int s) {
  const Model& md = model_;
  slot_[m] = s;
  for (int p : {md.first[m], md.second[m]}) {
    std::size_t k = static_cast<std::size_t>(p) * md.slots + s;
    bool was_busy = cells_[k].load > 0;
    int old_venue = cells_[k].venue;
    if (++cells_[k].load == 1 && md.slot_masks) busy_[p] |= std::uint64_t{1} << s;
    cells_[k].venue = md.venue[m];
    ++day_load_[static_cast<std::size_t>(p) * md.days + md.day_of[s]];
    update_around(p, s, was_busy, old_venue);
  }
  ++table_use_[md.venue[m] * md.slots + s];
  if (md.language[m] >= 0) ++interpreter_use_[md.language[m] * md.slots + s];
  position_[m] = static_cast<int>(in_slot_[s].size());
  in_slot_[s].push_back(m);
  weight_ += md.weight[m];
  if (md.fixed[m] >= 0) fixed_weight_ += md.weight[m];
  ++placed_;
}

void State::apply_remove(int m) {
  const Model& md = model_;
  int s = slot_[m];
  slot_[m] = -1;
  for (int p : {md.first[m], md.second[m]}) {
    std::size_t k = static_cast<std::size_t>(p) * md.slots + s;
    if (--cells_[k].load == 0 && md.slot_masks) busy_[p] &= ~(std::uint64_t{1} << s);
    --day_load_[static_cast<std::size_t>(p) * md.days + md.day_of[s]];
    // The venue stays recorded; only a slot turning free changes anything.
    if (cells_[k].load == 0) update_around(p, s, true, cells_[k].venue);
  }
  --table_use_[md.venue[m] * md.slots + s];
  if (md.language[m] >= 0) --interpreter_use_[md.language[m] * md.slots + s];
  auto& list = in_slot_[s];
  int last = list.back();
  list[position_[m]] = last;
  position_[last] = position_[m];
  list.pop_back();
  position_[m] = -1;
  weight_ -= md.weight[m];
  if (md.fixed[m] >= 0) fixed_weight_ -= md.weight[m];
  --placed_;
}

void State::place(int m, int s) {
  journal_.push_back({m, -1});
  apply_place(m, s);
}

void State::remove(int m) {
  journal_.push_back({m, slot_[m]});
  apply_remove(m);
}

void State::undo_to(std::size_t mark) {
  while (journal_.size() > mark) {
    auto [m, before] = journal_.back();
    journal_.pop_back();
    if (before < 0) {
      apply_remove(m);
    } else {
      apply_place(m, before);
    }
  }
}

}  // namespace sangdam::schedule::search
