// Turning a trade event's state into a scheduling problem, and a solution back into meetings.
// Pure (no I/O): the run (schedule_run.cpp) reads Redis, this decides what the optimiser sees.
//
// What goes in, by weight (placed weight ranks first in the objective, so the heavier kinds are
// placed before the lighter ones when resources run short):
//   booked     meetings already booked by participants or the organizer: fixed where they are
//   must_meet  organizer pairs: kMustMeetWeight x the pair's weight
//   request    accepted meeting requests: kAcceptedRequestWeight
//   match      each buyer's top-N matches: the mutual score / 100, at least kMinMatchWeight
// A pair appears once, as its heaviest kind; pairs the organizer removed never appear (except
// as bookings, which only cancelling removes); a pair whose meeting someone cancelled comes back
// only when asked for again after the cancellation.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "matching/event/event.hpp"
#include "matching/profile.hpp"
#include "matching/schedule/problem.hpp"
#include "matching/schedule/solution.hpp"
#include "services/common/meeting_store.hpp"
#include "services/common/request_store.hpp"

namespace sangdam::scheduler {

inline constexpr double kMustMeetWeight = 20.0;
inline constexpr double kAcceptedRequestWeight = 10.0;
inline constexpr double kMinMatchWeight = 0.05;
inline constexpr double kMatchScoreScale = 100.0;  // match scores are 0..100

// One ranked counterpart of a buyer, from the matcher's stored list.
struct TopMatch {
  std::string company_id;
  double score = 0;  // 0..100
};

struct RunInputs {
  const event::Event* event = nullptr;
  std::vector<Buyer> buyers;
  std::vector<Company> companies;
  std::vector<requests::Request> accepted;
  requests::Pairs pairs;
  std::map<std::string, std::vector<TopMatch>> top_matches;             // buyer id -> best first
  std::map<std::string, std::map<std::string, double>> company_scores;  // company -> buyer -> score
  std::vector<meetings::Meeting> current;  // the published timetable (scheduled meetings)
  // (buyer, company) -> when a participant or the organizer last cancelled the pair's meeting
  // (RFC 3339 UTC). Such a pair stays out of later runs unless it was asked for again after
  // that (a request accepted, or a must-meet set, later than the cancellation).
  std::map<std::pair<std::string, std::string>, std::string> cancelled;
  int include_top_matches = 0;
};

// What one meeting of the problem stands for.
struct PairInfo {
  std::string buyer_id;
  std::string company_id;
  std::string kind;        // booked | must_meet | request | match
  std::string request_id;  // kind "request"
};

struct BuiltProblem {
  schedule::Problem problem;
  schedule::Solution published;            // the current "schedule" meetings, for repair()
  std::map<std::string, PairInfo> pairs;   // problem meeting id -> pair
  int pairs_without_interpreter_pool = 0;  // no shared language and no pool for them
};

// Meeting id of a pair in the problem: "<buyer>~<company>".
std::string pair_meeting_id(const std::string& buyer_id, const std::string& company_id);

BuiltProblem build_problem(const RunInputs& inputs);

// The placements to publish: every assigned meeting that is not a booking, as a "schedule"
// meeting (the store assigns tables and ids).
std::vector<meetings::Meeting> placements(const BuiltProblem& built,
                                          const schedule::Solution& solution);

}  // namespace sangdam::scheduler
