#include "services/scheduler/problem_builder.hpp"

#include <algorithm>
#include <set>

namespace sangdam::scheduler {

namespace {

std::vector<schedule::Slot> problem_slots(const event::Event& ev) {
  std::vector<schedule::Slot> out;
  for (const auto& slot : event::derive_slots(ev)) {
    // The optimiser knows two sessions a day: the day's first session is the morning, every
    // later one counts as the afternoon (slots stay in time order either way).
    const auto& sessions = ev.days.at(static_cast<std::size_t>(slot.day)).sessions;
    bool first = !sessions.empty() && sessions.front().name == slot.session;
    out.push_back({slot.day, first ? schedule::Session::kMorning : schedule::Session::kAfternoon});
  }
  return out;
}

std::vector<schedule::InterpreterPool> problem_interpreters(const event::Event& ev,
                                                            int slot_count) {
  std::vector<schedule::InterpreterPool> out;
  for (const auto& pool : ev.interpreters) {
    schedule::InterpreterPool p{pool.id, pool.count, {}};
    if (pool.available_slots) {
      p.count_per_slot.assign(static_cast<std::size_t>(slot_count), 0);
      for (int s : *pool.available_slots) {
        if (s >= 0 && s < slot_count) p.count_per_slot[static_cast<std::size_t>(s)] = pool.count;
      }
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<int> slots_below(const std::vector<int>& slots, int slot_count) {
  std::set<int> kept;
  for (int s : slots) {
    if (s >= 0 && s < slot_count) kept.insert(s);
  }
  return {kept.begin(), kept.end()};
}

bool shares_language(const Buyer& buyer, const Company& company) {
  for (const auto& l : buyer.languages) {
    if (std::find(company.languages.begin(), company.languages.end(), l) !=
        company.languages.end()) {
      return true;
    }
  }
  return false;
}

// The interpreter pool bridging the pair, "" when none does. The buyer's languages are tried in
// their order of preference.
std::string pool_for(const event::Event& ev, const Buyer& buyer, const Company& company) {
  auto has = [](const std::vector<std::string>& list, const std::string& l) {
    return std::find(list.begin(), list.end(), l) != list.end();
  };
  for (const auto& b : buyer.languages) {
    for (const auto& pool : ev.interpreters) {
      if (pool.languages.size() != 2) continue;
      const auto& x = pool.languages[0];
      const auto& y = pool.languages[1];
      if ((x == b && has(company.languages, y)) || (y == b && has(company.languages, x))) {
        return pool.id;
      }
    }
  }
  return {};
}

class Builder {
 public:
  explicit Builder(const RunInputs& in) : in_(in) {
    for (const auto& b : in.buyers) buyers_[b.id] = &b;
    for (const auto& c : in.companies) companies_[c.id] = &c;
    for (const auto& [buyer, company] : in.pairs.removed) removed_.insert({buyer, company});
  }

  BuiltProblem build() {
    const auto& ev = *in_.event;
    auto& p = out_.problem;
    p.slots = problem_slots(ev);
    int slot_count = static_cast<int>(p.slots.size());
    p.slot_minutes = ev.slot_minutes;
    // The same daily maximum that self-booking enforces (meeting_store.cpp, daily_limit).
    p.max_meetings_per_day = ev.policies.max_meetings_per_day;
    for (const auto& v : ev.venues)
      p.venues.push_back({v.id, static_cast<int>(v.tables.size()), {}});
    for (const auto& t : ev.travel) p.travel.push_back({t.from, t.to, t.minutes});
    p.interpreters = problem_interpreters(ev, slot_count);
    for (const auto& b : in_.buyers) {
      p.participants.push_back(
          {b.id, schedule::Role::kBuyer, 1, slots_below(b.unavailable_slots, slot_count)});
    }
    for (const auto& c : in_.companies) {
      p.participants.push_back({c.id, schedule::Role::kCompany, std::max(1, c.seats),
                                slots_below(c.unavailable_slots, slot_count)});
    }

    add_booked_and_published(slot_count);
    for (const auto& pair : in_.pairs.must_meet) {
      add(pair.buyer_id, pair.company_id, "must_meet", kMustMeetWeight * pair.weight, {},
          pair.updated_at);
    }
    for (const auto& r : in_.accepted) {
      add(r.buyer_id, r.company_id, "request", kAcceptedRequestWeight, r.id, r.updated_at);
    }
    add_top_matches();
    return std::move(out_);
  }

 private:
  // Booked meetings are fixed; "schedule" meetings are what repair() keeps where it can.
  void add_booked_and_published(int slot_count) {
    for (const auto& m : in_.current) {
      if (m.status != "scheduled" || m.slot < 0 || m.slot >= slot_count) continue;
      if (m.source == "schedule") {
        published_.push_back(m);
        continue;
      }
      auto* meeting = add(m.buyer_id, m.company_id, "booked", kMustMeetWeight, m.request_id, {});
      if (!meeting) continue;
      meeting->fixed_slot = m.slot;
      meeting->venue = m.venue;
      meeting->language_pair = m.interpreter;
    }
    for (const auto& m : published_) {
      std::string id = pair_meeting_id(m.buyer_id, m.company_id);
      schedule::Assignment a{id, m.slot, m.venue, table_index(m.venue, m.table)};
      out_.published.assignments.push_back(std::move(a));
    }
  }

  void add_top_matches() {
    if (in_.include_top_matches <= 0) return;
    for (const auto& [buyer_id, list] : in_.top_matches) {
      int taken = 0;
      for (const auto& match : list) {
        if (taken >= in_.include_top_matches) break;
        double mutual = match.score;
        if (auto c = in_.company_scores.find(match.company_id); c != in_.company_scores.end()) {
          if (auto b = c->second.find(buyer_id); b != c->second.end()) {
            mutual = (match.score + b->second) / 2;
          }
        }
        double weight = std::clamp(mutual / kMatchScoreScale, kMinMatchWeight, 1.0);
        if (add(buyer_id, match.company_id, "match", weight, {}, {}) ||
            known(buyer_id, match.company_id)) {
          ++taken;
        }
      }
    }
  }

  bool known(const std::string& buyer_id, const std::string& company_id) const {
    return out_.pairs.count(pair_meeting_id(buyer_id, company_id)) > 0;
  }

  int table_index(const std::string& venue_id, const std::string& label) const {
    const auto* venue = in_.event->find_venue(venue_id);
    if (!venue) return 0;
    auto it = std::find(venue->tables.begin(), venue->tables.end(), label);
    return it == venue->tables.end() ? 0 : static_cast<int>(it - venue->tables.begin());
  }

  // Adds the pair's meeting unless the pair is unknown, removed, cancelled since `asked_at`
  // (empty: ever), or already in (as a heavier kind). Returns the new meeting (valid until the
  // next add), or nullptr.
  schedule::Meeting* add(const std::string& buyer_id, const std::string& company_id,
                         const std::string& kind, double weight, const std::string& request_id,
                         const std::string& asked_at) {
    auto b = buyers_.find(buyer_id);
    auto c = companies_.find(company_id);
    if (b == buyers_.end() || c == companies_.end()) return nullptr;
    if (kind != "booked") {
      if (removed_.count({buyer_id, company_id})) return nullptr;
      auto cancelled = in_.cancelled.find({buyer_id, company_id});
      if (cancelled != in_.cancelled.end() && asked_at <= cancelled->second) return nullptr;
    }
    std::string id = pair_meeting_id(buyer_id, company_id);
    // Kinds are added heaviest first, so a pair already in keeps its heavier kind.
    if (out_.pairs.count(id)) return nullptr;
    out_.pairs[id] = {buyer_id, company_id, kind, request_id};
    schedule::Meeting m;
    m.id = id;
    m.first = buyer_id;
    m.second = company_id;
    m.weight = weight;
    m.venue = c->second->venue;
    if (m.venue.empty() && !in_.event->venues.empty()) m.venue = in_.event->venues.front().id;
    if (!shares_language(*b->second, *c->second)) {
      m.language_pair = pool_for(*in_.event, *b->second, *c->second);
      if (m.language_pair.empty()) ++out_.pairs_without_interpreter_pool;
    }
    out_.problem.meetings.push_back(std::move(m));
    return &out_.problem.meetings.back();
  }

  const RunInputs& in_;
  std::map<std::string, const Buyer*> buyers_;
  std::map<std::string, const Company*> companies_;
  std::set<std::pair<std::string, std::string>> removed_;
  std::vector<meetings::Meeting> published_;
  BuiltProblem out_;
};

}  // namespace

std::string pair_meeting_id(const std::string& buyer_id, const std::string& company_id) {
  return buyer_id + "~" + company_id;
}

BuiltProblem build_problem(const RunInputs& inputs) {
  return Builder(inputs).build();
}

std::vector<meetings::Meeting> placements(const BuiltProblem& built,
                                          const schedule::Solution& solution) {
  std::map<std::string, const schedule::Meeting*> by_id;
  for (const auto& m : built.problem.meetings) by_id[m.id] = &m;
  std::vector<meetings::Meeting> out;
  for (const auto& a : solution.assignments) {
    const auto& info = built.pairs.at(a.meeting);
    if (info.kind == "booked") continue;
    meetings::Meeting m;
    m.buyer_id = info.buyer_id;
    m.company_id = info.company_id;
    m.slot = a.slot;
    m.venue = a.venue;
    m.interpreter = by_id.at(a.meeting)->language_pair;
    m.status = "scheduled";
    m.source = "schedule";
    m.request_id = info.request_id;
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace sangdam::scheduler
