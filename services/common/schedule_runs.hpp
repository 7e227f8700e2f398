// Schedule run records: the gateway queues a run (record + "schedule.run" on the bus topic
// "schedule", in one MULTI), the scheduler service takes it (queued -> running), and stores
// the outcome (done with a result summary, or failed with the reason). Keys: keys.hpp.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "services/common/bus.hpp"
#include "services/common/redis.hpp"

namespace sangdam::schedule_runs {

// Limits of a run request, visible at the API.
inline constexpr double kMinTimeLimitSeconds = 0.05;
inline constexpr double kMaxTimeLimitSeconds = 300;
inline constexpr double kDefaultTimeLimitSeconds = 5;
inline constexpr int kMaxTopMatches = 50;
inline constexpr int kDefaultTopMatches = 3;

struct RunRequest {
  std::string mode = "full";  // "full": solve from scratch; "repair": keep what it can
  double time_limit_seconds = kDefaultTimeLimitSeconds;
  int include_top_matches = kDefaultTopMatches;  // each buyer's best N matches join the run
  // The fairness bound before placement: meetings that cannot be placed within it stay out
  // (schedule::Problem::fairness_first).
  bool fairness_first = false;
};

// Parses POST .../schedule/runs; every field is optional. Throws kInvalidArgument naming the
// field (invalid_mode, invalid_time_limit, out_of_range, wrong_type, unknown_field).
RunRequest parse_run_request(std::string_view body);

struct Run {
  std::string id;
  std::string event_id;
  std::string status;  // queued | running | done | failed
  RunRequest request;
  std::string created_at;
  std::string started_at;
  std::string finished_at;
  std::string result_json;  // a JSON object once done (see docs/requests.md), else empty
  std::string error;        // why it failed
};

// Stores the record (queued) and publishes schedule.run {run_id, mode, ...} in one MULTI.
boost::asio::awaitable<Run> create(redis::Client& redis, const bus::Topology& topology,
                                   const std::string& event_id, const RunRequest& request);

boost::asio::awaitable<std::optional<Run>> load(redis::Client& redis, const std::string& event_id,
                                                const std::string& run_id);

// queued (or running, when a crashed worker's message is redelivered) -> running. Returns
// false when the run is already done or failed (a redelivery: skip it) or does not exist.
boost::asio::awaitable<bool> start(redis::Client& redis, const std::string& event_id,
                                   const std::string& run_id);

// running -> done (result_json) or failed (error).
boost::asio::awaitable<void> finish(redis::Client& redis, const std::string& event_id,
                                    const std::string& run_id, bool done,
                                    const std::string& result_json, const std::string& error);

// The record as GET .../schedule/runs/{run} shows it.
std::string to_json(const Run& run);

}  // namespace sangdam::schedule_runs
