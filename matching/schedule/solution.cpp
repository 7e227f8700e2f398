#include "matching/schedule/solution.hpp"

#include "matching/error.hpp"
#include "matching/schedule/json_io.hpp"

namespace sangdam::schedule {

using json_io::path_of;

Solution parse_solution(std::string_view json) {
  using namespace json_io;
  auto doc = parse_object(json);
  Solution s;
  const auto& assignments = require_array(doc, "assignments", "");
  for (rapidjson::SizeType i = 0; i < assignments.Size(); ++i) {
    std::string path = path_of("assignments", i);
    const auto& a = assignments[i];
    require_object(a, path);
    s.assignments.push_back({require_string(a, "meeting", path), require_int(a, "slot", path),
                             optional_string(a, "venue", path), optional_int(a, "table", path, 0)});
  }
  if (const auto* unplaced = optional_array(doc, "unplaced", "")) {
    for (rapidjson::SizeType i = 0; i < unplaced->Size(); ++i) {
      std::string path = path_of("unplaced", i);
      const auto& u = (*unplaced)[i];
      require_object(u, path);
      s.unplaced.push_back({require_string(u, "meeting", path),
                            optional_string(u, "reason", path, "unspecified"),
                            optional_string(u, "detail", path)});
    }
  }
  if (const auto* moves = optional_array(doc, "moves", "")) {
    for (rapidjson::SizeType i = 0; i < moves->Size(); ++i) {
      std::string path = path_of("moves", i);
      const auto& m = (*moves)[i];
      require_object(m, path);
      s.moves.push_back({require_string(m, "meeting", path), optional_int(m, "from_slot", path, -1),
                         optional_int(m, "to_slot", path, -1)});
    }
  }
  // The objective and bounds in a file are informative: the checker recomputes them.
  if (has(doc, "objective")) {
    const auto& o = doc["objective"];
    require_object(o, "objective");
    s.objective.placed = optional_int(o, "placed", "objective", 0);
    s.objective.placed_weight = optional_number(o, "placed_weight", "objective", 0);
    s.objective.breaks = optional_int(o, "breaks", "objective", 0);
    s.objective.max_breaks = optional_int(o, "max_breaks", "objective", 0);
    s.objective.min_breaks = optional_int(o, "min_breaks", "objective", 0);
    s.objective.fairness_excess = optional_int(o, "fairness_excess", "objective", 0);
    s.objective.venue_changes = optional_int(o, "venue_changes", "objective", 0);
  }
  if (has(doc, "bounds")) {
    const auto& b = doc["bounds"];
    require_object(b, "bounds");
    s.weight_upper_bound = optional_number(b, "weight_upper_bound", "bounds", 0);
    s.breaks_lower_bound = optional_int(b, "breaks_lower_bound", "bounds", 0);
    s.weight_gap = optional_number(b, "weight_gap", "bounds", 0);
    s.breaks_gap = optional_int(b, "breaks_gap", "bounds", 0);
    if (has(b, "proven_optimal")) {
      if (!b["proven_optimal"].IsBool()) {
        throw_invalid("wrong_type", "bounds.proven_optimal must be a boolean",
                      "bounds.proven_optimal");
      }
      s.proven_optimal = b["proven_optimal"].GetBool();
    }
  }
  s.stopped_by = optional_string(doc, "stopped_by", "");
  s.seconds = optional_number(doc, "seconds", "", 0);
  return s;
}

std::string to_json(const Solution& s) {
  using namespace json_io;
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("assignments");
  w.StartArray();
  for (const auto& a : s.assignments) {
    w.StartObject();
    w.Key("meeting");
    write_string(w, a.meeting);
    w.Key("slot");
    w.Int(a.slot);
    w.Key("venue");
    write_string(w, a.venue);
    w.Key("table");
    w.Int(a.table);
    w.EndObject();
  }
  w.EndArray();
  w.Key("unplaced");
  w.StartArray();
  for (const auto& u : s.unplaced) {
    w.StartObject();
    w.Key("meeting");
    write_string(w, u.meeting);
    w.Key("reason");
    write_string(w, u.reason);
    w.Key("detail");
    write_string(w, u.detail);
    w.EndObject();
  }
  w.EndArray();
  w.Key("moves");
  w.StartArray();
  for (const auto& m : s.moves) {
    w.StartObject();
    w.Key("meeting");
    write_string(w, m.meeting);
    w.Key("from_slot");
    w.Int(m.from_slot);
    w.Key("to_slot");
    w.Int(m.to_slot);
    w.EndObject();
  }
  w.EndArray();
  const Objective& o = s.objective;
  w.Key("objective");
  w.StartObject();
  w.Key("placed");
  w.Int(o.placed);
  w.Key("placed_weight");
  w.Double(o.placed_weight);
  w.Key("breaks");
  w.Int(o.breaks);
  w.Key("max_breaks");
  w.Int(o.max_breaks);
  w.Key("min_breaks");
  w.Int(o.min_breaks);
  w.Key("fairness_excess");
  w.Int(o.fairness_excess);
  w.Key("venue_changes");
  w.Int(o.venue_changes);
  w.EndObject();
  w.Key("bounds");
  w.StartObject();
  w.Key("weight_upper_bound");
  w.Double(s.weight_upper_bound);
  w.Key("breaks_lower_bound");
  w.Int(s.breaks_lower_bound);
  w.Key("weight_gap");
  w.Double(s.weight_gap);
  w.Key("breaks_gap");
  w.Int(s.breaks_gap);
  w.Key("proven_optimal");
  w.Bool(s.proven_optimal);
  w.EndObject();
  w.Key("stopped_by");
  write_string(w, s.stopped_by);
  w.Key("seconds");
  w.Double(s.seconds);
  w.Key("iterations");
  w.Int64(s.iterations);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace sangdam::schedule
