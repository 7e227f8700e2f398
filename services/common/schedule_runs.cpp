#include "services/common/schedule_runs.hpp"

#include <chrono>
#include <cmath>
#include <map>

#include "matching/error.hpp"
#include "matching/intake/json_reader.hpp"
#include "services/common/json.hpp"
#include "services/common/keys.hpp"
#include "services/common/tokens.hpp"

namespace sangdam::schedule_runs {

namespace asio = boost::asio;

namespace {

// KEYS: run hash. ARGV: now. Returns 1 when the run may go ahead, 0 when done/failed/missing.
const redis::Script kStartScript(R"lua(
local status = redis.call('HGET', KEYS[1], 'status')
if not status or status == 'done' or status == 'failed' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'running', 'started_at', ARGV[1])
return 1
)lua");

std::string number_text(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", value);
  return buf;
}

}  // namespace

RunRequest parse_run_request(std::string_view body) {
  RunRequest r;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return r;
  auto doc = intake::parse_json_text(body);
  intake::ObjectReader reader(doc, "");
  reader.reject_unknown({"mode", "time_limit_seconds", "include_top_matches", "fairness_first"});
  if (const auto* mode = reader.get("mode")) {
    if (!mode->IsString() || (std::string_view(mode->GetString()) != "full" &&
                              std::string_view(mode->GetString()) != "repair")) {
      throw_invalid("invalid_mode", "mode must be \"full\" or \"repair\"", "mode");
    }
    r.mode = mode->GetString();
  }
  if (const auto* limit = reader.get("time_limit_seconds")) {
    if (!limit->IsNumber() || !std::isfinite(limit->GetDouble()) ||
        limit->GetDouble() < kMinTimeLimitSeconds || limit->GetDouble() > kMaxTimeLimitSeconds) {
      throw_invalid("invalid_time_limit",
                    "time_limit_seconds must be a number in " + number_text(kMinTimeLimitSeconds) +
                        ".." + number_text(kMaxTimeLimitSeconds),
                    "time_limit_seconds");
    }
    r.time_limit_seconds = limit->GetDouble();
  }
  r.include_top_matches =
      reader.integer("include_top_matches", 0, kMaxTopMatches, kDefaultTopMatches);
  r.fairness_first = reader.boolean("fairness_first", false);
  return r;
}

asio::awaitable<Run> create(redis::Client& redis, const bus::Topology& topology,
                            const std::string& event_id, const RunRequest& request) {
  Run run;
  run.id = tokens::random_id("run", 8);
  run.event_id = event_id;
  run.status = "queued";
  run.request = request;
  run.created_at = bus::utc_now_rfc3339();
  long long now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  std::string payload = "{\"run_id\":" + json::quote(run.id) +
                        ",\"mode\":" + json::quote(request.mode) +
                        ",\"time_limit_seconds\":" + number_text(request.time_limit_seconds) +
                        ",\"include_top_matches\":" + std::to_string(request.include_top_matches) +
                        ",\"fairness_first\":" + (request.fairness_first ? "true" : "false") + "}";
  bus::Envelope message{"schedule.run", 1, event_id, run.id, run.created_at, payload};
  std::string key = keys::schedule_run(event_id, run.id);
  std::vector<redis::Command> write{
      {"MULTI"},
      {"HSET", key, "id", run.id, "event_id", event_id, "status", run.status, "mode", request.mode,
       "time_limit_seconds", number_text(request.time_limit_seconds), "include_top_matches",
       std::to_string(request.include_top_matches), "fairness_first",
       request.fairness_first ? "1" : "0", "created_at", run.created_at},
      {"ZADD", keys::schedule_runs(event_id), std::to_string(now_ms), run.id},
      bus::publish_command(topology, "schedule", message),
      {"EXEC"}};
  auto replies = co_await redis.pipeline(std::move(write));
  if (replies.back().is_error() || replies.back().is_nil()) {
    throw Error(ErrorCode::kUnavailable, "store_failed", "queueing the schedule run failed");
  }
  co_return run;
}

asio::awaitable<std::optional<Run>> load(redis::Client& redis, const std::string& event_id,
                                         const std::string& run_id) {
  redis::Command read{"HGETALL", keys::schedule_run(event_id, run_id)};
  auto reply = co_await redis.call(std::move(read));
  if (reply.is_error() || reply.elements.empty()) co_return std::nullopt;
  std::map<std::string, std::string> h;
  for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
    h[reply.elements[i].as_string()] = reply.elements[i + 1].as_string();
  }
  Run run;
  run.id = h["id"];
  run.event_id = h["event_id"];
  run.status = h["status"];
  run.request.mode = h["mode"];
  run.request.time_limit_seconds = std::stod(h["time_limit_seconds"]);
  run.request.include_top_matches = std::stoi(h["include_top_matches"]);
  run.request.fairness_first = h["fairness_first"] == "1";  // absent in older records: false
  run.created_at = h["created_at"];
  run.started_at = h["started_at"];
  run.finished_at = h["finished_at"];
  run.result_json = h["result"];
  run.error = h["error"];
  co_return run;
}

asio::awaitable<bool> start(redis::Client& redis, const std::string& event_id,
                            const std::string& run_id) {
  std::vector<std::string> script_keys{keys::schedule_run(event_id, run_id)};
  std::vector<std::string> args{bus::utc_now_rfc3339()};
  auto reply = co_await redis.eval(kStartScript, std::move(script_keys), std::move(args));
  co_return redis::expect_ok(reply, "starting a schedule run").as_integer() == 1;
}

asio::awaitable<void> finish(redis::Client& redis, const std::string& event_id,
                             const std::string& run_id, bool done, const std::string& result_json,
                             const std::string& error) {
  redis::Command write{"HSET",        keys::schedule_run(event_id, run_id),
                       "status",      done ? "done" : "failed",
                       "finished_at", bus::utc_now_rfc3339(),
                       "result",      result_json,
                       "error",       error};
  redis::expect_ok(co_await redis.call(std::move(write)), "finishing a schedule run");
}

std::string to_json(const Run& run) {
  auto optional_text = [](const std::string& text) {
    return text.empty() ? std::string("null") : json::quote(text);
  };
  return "{\"id\":" + json::quote(run.id) + ",\"event_id\":" + json::quote(run.event_id) +
         ",\"status\":" + json::quote(run.status) + ",\"mode\":" + json::quote(run.request.mode) +
         ",\"time_limit_seconds\":" + number_text(run.request.time_limit_seconds) +
         ",\"include_top_matches\":" + std::to_string(run.request.include_top_matches) +
         ",\"fairness_first\":" + (run.request.fairness_first ? "true" : "false") +
         ",\"created_at\":" + json::quote(run.created_at) +
         ",\"started_at\":" + optional_text(run.started_at) +
         ",\"finished_at\":" + optional_text(run.finished_at) +
         ",\"result\":" + (run.result_json.empty() ? std::string("null") : run.result_json) +
         ",\"error\":" + optional_text(run.error) + "}";
}

}  // namespace sangdam::schedule_runs
