// Shared by the scheduling e2e tests: the Seongnam sample event loaded through the API (with
// every participant's id and token), small HTTP helpers for requests and runs, and reading
// bus streams straight from Redis.
#pragma once

#include <rapidjson/document.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "tests/support/sangdam_stack.hpp"

namespace sangdam::testing::scheduling {

struct Party {
  std::string id;
  std::string token;
};

struct Sample {
  std::string event_id;
  std::string organizer_token;
  std::string base;              // "/v1/events/<id>"
  std::vector<Party> buyers;     // in file order
  std::vector<Party> companies;  // in file order
  std::string event_json;        // the event as the API returned it (with slots)
};

// The sample event.json with its policies changed (keys of "policies" -> JSON values).
std::string sample_event_with(const std::map<std::string, std::string>& policies);

// Creates the event and imports the sample's buyers and companies.
Sample load_sample(const std::string& url, const std::string& event_json);

// POST .../requests as `from` to `to` (extra: more JSON members, e.g. ,"client_key":"k").
JsonAnswer send_request(const std::string& url, const Sample& s, const Party& from,
                        const std::string& to_id, const std::string& extra = "",
                        const std::string& idempotency_key = "");
// POST .../requests/{r}/<action> as `who`.
JsonAnswer answer_request(const std::string& url, const Sample& s, const std::string& token,
                          const std::string& request_id, const std::string& action);

// Polls GET .../schedule/runs/{run} until done or failed (throws after the limit).
JsonAnswer wait_for_run(const std::string& url, const Sample& s, const std::string& run_id,
                        std::chrono::seconds limit = std::chrono::seconds(40));

// The "type" field of every entry of a stream, oldest first.
std::vector<std::string> stream_types(int redis_port, const std::string& stream);
// XADD of raw fields (for redelivering a message by hand); returns the entry id.
std::string stream_add(int redis_port, const std::string& stream,
                       const std::vector<std::string>& fields);
// Waits until consumer group `group` has read entry `id` of the stream and acknowledged
// everything it read. False after the limit.
bool wait_consumed(int redis_port, const std::string& stream, const std::string& group,
                   const std::string& id, std::chrono::seconds limit = std::chrono::seconds(10));
// Every entry of a stream as field -> value maps, oldest first.
std::vector<std::map<std::string, std::string>> stream_entries(int redis_port,
                                                               const std::string& stream);

// The published timetable: GET .../schedule with the organizer's token.
struct Meeting {
  std::string id, buyer, company, venue, table, interpreter, source, request_id;
  int slot = -1;
};
std::vector<Meeting> timetable(const std::string& url, const Sample& s);

// Independent check of hard constraints on a timetable: no participant over its seats in a
// slot (buyers one), no table label used by two companies in a slot, no venue over its table
// count in a slot, every table a label of its venue, a pair at most once. Returns what breaks.
std::vector<std::string> timetable_violations(const Sample& s, const std::vector<Meeting>& all,
                                              const std::string& url);

}  // namespace sangdam::testing::scheduling
