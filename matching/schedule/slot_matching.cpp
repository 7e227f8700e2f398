#include "matching/schedule/slot_matching.hpp"

#include <algorithm>

namespace sangdam::schedule::search {

namespace {

// Participants visited by one augmentation before it gives up: a failing search would
// otherwise walk the whole slot's graph for every participant left idle.
constexpr int kAugmentVisits = 400;

}  // namespace

SlotMatching::SlotMatching(const Model& model)
    : model_(model),
      room_(model.participants, 0),
      need_(model.participants, 0),
      seen_(model.participants, 0),
      option_begin_(model.participants + 1, 0),
      held_(model.participants),
      venue_room_(model.venues, 0),
      language_room_(model.languages, 0),
      chosen_(model.meetings, 0) {}

std::vector<int> SlotMatching::choose(int s, const std::vector<int>& candidates,
                                      const std::vector<double>& priority,
                                      const std::vector<double>& preference, const State& state) {
  const Model& md = model_;
  for (int v = 0; v < md.venues; ++v)
    venue_room_[v] = md.tables[v * md.slots + s] - state.table_use(v, s);
  for (int l = 0; l < md.languages; ++l) {
    language_room_[l] = md.interpreters[l * md.slots + s] - state.interpreter_use(l, s);
  }
  // Candidates grouped by participant (counting sort), each group by preference.
  std::vector<int> involved;
  std::fill(option_begin_.begin(), option_begin_.end(), 0);
  for (int m : candidates) {
    for (int q : {md.first[m], md.second[m]}) {
      if (option_begin_[q + 1]++ == 0) involved.push_back(q);
    }
  }
  for (int q = 0; q < md.participants; ++q) option_begin_[q + 1] += option_begin_[q];
  options_.assign(option_begin_[md.participants], -1);
  {
    std::vector<int> next(option_begin_.begin(), option_begin_.end() - 1);
    for (int m : candidates) {
      options_[next[md.first[m]]++] = m;
      options_[next[md.second[m]]++] = m;
    }
  }
  for (int q : involved) {
    room_[q] = std::min(md.capacity[q] - state.load(q, s),
                        md.daily_max[q] - state.day_load(q, md.day_of[s]));
    need_[q] = 0;
    std::sort(options_.begin() + option_begin_[q], options_.begin() + option_begin_[q + 1],
              [&](int x, int y) { return preference[x] > preference[y]; });
  }
  std::sort(involved.begin(), involved.end(), [&](int x, int y) {
    if (priority[x] != priority[y]) return priority[x] > priority[y];
    return x < y;
  });
  for (int q : involved) {
    while (static_cast<int>(held_[q].size()) < room_[q]) {
      ++stamp_;
      steps_ = 0;
      auto mark = journal_.size();
      if (!augment(q)) {
        undo_to(mark);
        break;
      }
    }
    need_[q] = static_cast<int>(held_[q].size());
  }
  std::vector<int> out;
  for (auto [m, added] : journal_) {
    if (added && chosen_[m]) {
      out.push_back(m);
      chosen_[m] = 0;  // each chosen meeting reported once
    }
  }
  journal_.clear();
  for (int q : involved) held_[q].clear();
  return out;
}

// Gives x one more meeting: a free partner, or a partner whose meeting with z moves away
// because z can spare it (z keeps what it needs) or finds another partner in turn.
bool SlotMatching::augment(int x) {
  seen_[x] = stamp_;
  for (int k = option_begin_[x]; k < option_begin_[x + 1]; ++k) {
    int m = options_[k];
    if (chosen_[m]) continue;
    int y = other(m, x);
    if (seen_[y] == stamp_) continue;
    if (++steps_ > kAugmentVisits) return false;
    seen_[y] = stamp_;
    if (static_cast<int>(held_[y].size()) < room_[y]) {
      if (add(m)) return true;
      continue;
    }
    std::vector<int> rivals = held_[y];
    for (int r : rivals) {
      int z = other(r, y);
      if (seen_[z] == stamp_) continue;
      auto mark = journal_.size();
      drop(r);
      bool spared = static_cast<int>(held_[z].size()) >= need_[z] || augment(z);
      if (spared && add(m)) return true;
      undo_to(mark);
      if (steps_ > kAugmentVisits) return false;
    }
  }
  return false;
}

bool SlotMatching::add(int m) {
  int l = model_.language[m];
  if (venue_room_[model_.venue[m]] <= 0 || (l >= 0 && language_room_[l] <= 0)) return false;
  set(m, true);
  journal_.push_back({m, true});
  return true;
}

void SlotMatching::drop(int m) {
  set(m, false);
  journal_.push_back({m, false});
}

void SlotMatching::set(int m, bool in) {
  int delta = in ? -1 : 1;
  venue_room_[model_.venue[m]] += delta;
  if (model_.language[m] >= 0) language_room_[model_.language[m]] += delta;
  chosen_[m] = in;
  for (int q : {model_.first[m], model_.second[m]}) {
    if (in) {
      held_[q].push_back(m);
    } else {
      std::erase(held_[q], m);
    }
  }
}

void SlotMatching::undo_to(std::size_t mark) {
  while (journal_.size() > mark) {
    set(journal_.back().first, !journal_.back().second);
    journal_.pop_back();
  }
}

}  // namespace sangdam::schedule::search
