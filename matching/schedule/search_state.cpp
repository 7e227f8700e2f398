#include "matching/schedule/search_state.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <unordered_map>

#include "matching/popcount.hpp"

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
  for (int s = 0; slot_masks && s < slots; ++s) {
    if (day_first[s] != s) continue;
    std::uint64_t day = 0;
    for (int t = s; t <= day_last[s]; ++t) day |= std::uint64_t{1} << t;
    day_masks.push_back(day);
    day_starts |= std::uint64_t{1} << s;
  }
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
  if (a.excess_first != b.excess_first) return a.excess_first < b.excess_first;
  if (a.weight != b.weight) return a.weight > b.weight;
  if (a.excess != b.excess) return a.excess < b.excess;
  if (a.breaks != b.breaks) return a.breaks < b.breaks;
  return a.changes < b.changes;
}

State::State(const Model& model)
    : model_(model),
      slot_(model.meetings, -1),
      load_(static_cast<std::size_t>(model.participants) * model.slots, 0),
      venue_at_(static_cast<std::size_t>(model.participants) * model.slots, -1),
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
  return {model_.fairness_first ? excess : 0, weight_, excess, total_breaks_, total_changes_};
}

Block State::blocked_by(int m, int s) const {
  const Model& md = model_;
  Block block = md.static_block(m, s);
  if (block != Block::kNone) return block;
  int v = md.venue[m];
  for (int p : {md.first[m], md.second[m]}) {
    if (load(p, s) >= md.capacity[p]) return Block::kParticipantBusy;
  }
  for (int p : {md.first[m], md.second[m]}) {
    if (day_load(p, md.day_of[s]) >= md.daily_max[p]) return Block::kDailyMaximum;
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
    for (int p : {md.first[m], md.second[m]}) {
      // Only meetings within the longest travel of s can be too close.
      int from = std::max(md.day_first[s], s - md.max_travel);
      int to = std::min(md.day_last[s], s + md.max_travel);
      for (int t = from; t <= to; ++t) {
        std::size_t k = static_cast<std::size_t>(p) * md.slots + t;
        if (load_[k] == 0 || venue_at_[k] == v) continue;
        if (std::abs(t - s) - 1 < md.travel[v * md.venues + venue_at_[k]]) return Block::kTravel;
      }
    }
  }
  return Block::kNone;
}

int State::compute_breaks(int p) const {
  if (model_.slot_masks) {
    // A run starts at a busy slot whose previous slot is free or on another day; each day
    // has one break fewer than runs.
    std::uint64_t busy = busy_[p];
    std::uint64_t starts = busy & ~((busy << 1) & ~model_.day_starts);
    int breaks = 0;
    for (std::uint64_t day : model_.day_masks) {
      breaks += std::max(0, popcount64(starts & day) - 1);
    }
    return breaks;
  }
  const int* row = &load_[static_cast<std::size_t>(p) * model_.slots];
  int breaks = 0;
  int last = -1;  // last busy slot of the current day
  for (int s = 0; s < model_.slots; ++s) {
    if (model_.day_first[s] == s) last = -1;
    if (row[s] == 0) continue;
    if (last >= 0 && s > last + 1) ++breaks;
    last = s;
  }
  return breaks;
}

int State::compute_changes(int p) const {
  if (!model_.buyer[p]) return 0;
  std::size_t base = static_cast<std::size_t>(p) * model_.slots;
  int changes = 0;
  int last_venue = -1;
  if (model_.slot_masks) {
    int last_day = -1;
    for (std::uint64_t busy = busy_[p]; busy != 0; busy &= busy - 1) {
      int s = std::countr_zero(busy);
      int v = venue_at_[base + s];
      if (model_.day_of[s] == last_day && v != last_venue) ++changes;
      last_day = model_.day_of[s];
      last_venue = v;
    }
    return changes;
  }
  for (int s = 0; s < model_.slots; ++s) {
    if (model_.day_first[s] == s) last_venue = -1;
    if (load_[base + s] == 0) continue;
    if (last_venue >= 0 && venue_at_[base + s] != last_venue) ++changes;
    last_venue = venue_at_[base + s];
  }
  return changes;
}

void State::refresh(int p) {
  int breaks = compute_breaks(p);
  --breaks_histogram_[breaks_[p]];
  ++breaks_histogram_[breaks];
  total_breaks_ += breaks - breaks_[p];
  breaks_[p] = breaks;
  int changes = compute_changes(p);
  total_changes_ += changes - changes_[p];
  changes_[p] = changes;
}

void State::apply_place(int m, int s) {
  const Model& md = model_;
  slot_[m] = s;
  for (int p : {md.first[m], md.second[m]}) {
    std::size_t k = static_cast<std::size_t>(p) * md.slots + s;
    if (++load_[k] == 1 && md.slot_masks) busy_[p] |= std::uint64_t{1} << s;
    venue_at_[k] = md.venue[m];
    ++day_load_[static_cast<std::size_t>(p) * md.days + md.day_of[s]];
  }
  ++table_use_[md.venue[m] * md.slots + s];
  if (md.language[m] >= 0) ++interpreter_use_[md.language[m] * md.slots + s];
  position_[m] = static_cast<int>(in_slot_[s].size());
  in_slot_[s].push_back(m);
  weight_ += md.weight[m];
  ++placed_;
  refresh(md.first[m]);
  refresh(md.second[m]);
}

void State::apply_remove(int m) {
  const Model& md = model_;
  int s = slot_[m];
  slot_[m] = -1;
  for (int p : {md.first[m], md.second[m]}) {
    if (--load_[static_cast<std::size_t>(p) * md.slots + s] == 0 && md.slot_masks) {
      busy_[p] &= ~(std::uint64_t{1} << s);
    }
    --day_load_[static_cast<std::size_t>(p) * md.days + md.day_of[s]];
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
  --placed_;
  refresh(md.first[m]);
  refresh(md.second[m]);
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
