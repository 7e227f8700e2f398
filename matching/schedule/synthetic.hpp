// Deterministic synthetic problems for tests and benchmarks: buyers meet companies across a
// few venues, with interpreters, unavailability, session restrictions, fixed slots and
// precedences in the proportions asked for. Same shape + seed => same problem.
#pragma once

#include <cstdint>

#include "matching/schedule/problem.hpp"

namespace sangdam::schedule {

struct SyntheticShape {
  int days = 1;
  int mornings = 3;    // slots per morning
  int afternoons = 3;  // slots per afternoon
  int buyers = 4;
  int companies = 4;
  int meetings = 8;  // distinct buyer-company pairs (fewer if there are not enough pairs)
  int venues = 1;
  int tables_per_venue = 4;
  int travel_minutes = 0;  // between any two venues
  int languages = 0;       // pairs "l0-ko", ... each needed by some meetings
  int interpreters_per_language = 1;
  double unavailable_share = 0.0;  // of participant-slot pairs
  double session_share = 0.0;      // meetings restricted to morning or afternoon
  double fixed_share = 0.0;        // meetings with a fixed slot
  double precedence_share = 0.0;   // meetings that must follow another of their buyer
  double multi_seat_share = 0.0;   // companies with two seats
  int fairness_bound = kDefaultFairnessBound;
  int max_meetings_per_day = 0;  // the problem's daily maximum; 0: none
  double own_daily_share = 0.0;  // participants with their own daily maximum (1..3)
  std::uint64_t seed = 1;
};

Problem synthetic_problem(const SyntheticShape& shape);

}  // namespace sangdam::schedule
