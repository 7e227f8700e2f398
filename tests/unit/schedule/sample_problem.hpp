// A small hand-made problem (one day: 3 morning + 3 afternoon slots, two venues 20 minutes
// apart, one vi-ko interpreter) shared by the schedule tests.
#pragma once

#include <string>

namespace sangdam::schedule::testing {

inline const std::string kSampleProblem = R"({
  "slot_minutes": 30,
  "fairness_bound": 2,
  "days": [{"morning": 3, "afternoon": 3}],
  "venues": [{"id": "gravity", "tables": 2}, {"id": "kins", "tables": 1}],
  "travel": [{"from": "gravity", "to": "kins", "minutes": 20}],
  "interpreters": [{"language": "vi-ko", "count": 1}],
  "participants": [
    {"id": "buyer-vn", "role": "buyer", "unavailable": [0]},
    {"id": "buyer-us", "role": "buyer"},
    {"id": "oxygen", "role": "company"},
    {"id": "heater", "role": "company", "capacity": 2}
  ],
  "meetings": [
    {"id": "m1", "between": ["buyer-vn", "oxygen"], "weight": 3, "language": "vi-ko",
     "venue": "gravity"},
    {"id": "m2", "between": ["buyer-us", "heater"], "weight": 2, "session": "morning",
     "venue": "gravity"},
    {"id": "m3", "between": ["buyer-vn", "heater"], "weight": 1.5, "language": "vi-ko",
     "venue": "kins", "after": ["m1"]},
    {"id": "m4", "between": ["buyer-us", "oxygen"], "weight": 1, "fixed_slot": 4,
     "venue": "gravity"}
  ]
})";

}  // namespace sangdam::schedule::testing
