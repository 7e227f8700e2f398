#include "services/scheduler/schedule_run.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <functional>
#include <map>
#include <memory>

#include "matching/error.hpp"
#include "matching/intake/participant.hpp"
#include "matching/schedule/check.hpp"
#include "matching/schedule/solver.hpp"
#include "services/common/json.hpp"
#include "services/common/keys.hpp"
#include "services/common/log.hpp"
#include "services/common/meeting_store.hpp"
#include "services/common/schedule_runs.hpp"

namespace sangdam::scheduler {

namespace asio = boost::asio;

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// Profiles of one role, parsed as the event validates them. A stored profile that no longer
// parses (it cannot happen unless the store was edited by hand) is left out with a warning
// rather than stopping the whole run.
template <typename Profile>
asio::awaitable<std::vector<Profile>> read_profiles(redis::Client& redis, const EventInfo& info,
                                                    bool buyers) {
  redis::Command members{"SMEMBERS", keys::role_index(info.id, buyers)};
  auto ids = co_await redis.call(std::move(members));
  std::vector<redis::Command> reads;
  for (const auto& id : ids.elements) {
    reads.push_back({"HGET", keys::participant(info.id, id.as_string()), "profile"});
  }
  std::vector<Profile> out;
  if (reads.empty()) co_return out;
  auto replies = co_await redis.pipeline(std::move(reads));
  for (std::size_t i = 0; i < replies.size(); ++i) {
    if (replies[i].is_nil() || replies[i].is_error()) continue;
    try {
      auto doc = json::parse(replies[i].as_string());
      if constexpr (std::is_same_v<Profile, Buyer>) {
        out.push_back(intake::parse_buyer(doc, info.context));
      } else {
        out.push_back(intake::parse_company(doc, info.context));
      }
      out.back().id = ids.elements[i].as_string();
    } catch (const Error& e) {
      log::warn("stored profile left out of the run",
                {log::field("participant_id", ids.elements[i].as_string()),
                 log::field("error", e.what())});
    }
  }
  co_return out;
}

// (counterpart id, score) of a stored match list; empty when there is none yet.
std::vector<TopMatch> parse_match_list(const redis::Reply& reply) {
  std::vector<TopMatch> out;
  if (reply.is_nil() || reply.is_error()) return out;
  rapidjson::Document doc;
  const std::string& text = reply.as_string();
  doc.Parse(text.c_str(), text.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("items") ||
      !doc["items"].IsArray()) {
    return out;
  }
  for (const auto& item : doc["items"].GetArray()) {
    if (!item.IsObject() || !item.HasMember("id") || !item["id"].IsString() ||
        !item.HasMember("score") || !item["score"].IsNumber()) {
      continue;
    }
    out.push_back({item["id"].GetString(), item["score"].GetDouble()});
  }
  return out;
}

// Cancellations made by people (not by a schedule publish, whose cancelled_by is
// "schedule:<run>"), latest per pair. Read from the stored meeting JSON, which carries
// cancelled_by.
asio::awaitable<std::map<std::pair<std::string, std::string>, std::string>> read_cancellations(
    redis::Client& redis, const std::string& event_id) {
  redis::Command read{"HVALS", keys::meetings(event_id)};
  auto reply = co_await redis.call(std::move(read));
  std::map<std::pair<std::string, std::string>, std::string> out;
  for (const auto& item : reply.elements) {
    rapidjson::Document doc;
    const std::string& text = item.as_string();
    doc.Parse(text.c_str(), text.size());
    if (doc.HasParseError() || !doc.IsObject()) continue;
    auto field = [&doc](const char* name) {
      return doc.HasMember(name) && doc[name].IsString() ? std::string(doc[name].GetString())
                                                         : std::string();
    };
    if (field("status") != "cancelled" || field("cancelled_by").rfind("schedule:", 0) == 0) {
      continue;
    }
    auto& when = out[{field("buyer_id"), field("company_id")}];
    when = std::max(when, field("updated_at"));
  }
  co_return out;
}

void write_string(Writer& w, const char* key, const std::string& value) {
  w.Key(key);
  w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

std::string result_json(const BuiltProblem& built, const schedule::Solution& s,
                        const schedule::CheckReport& report,
                        const meetings::PublishResult& published) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("meetings");
  w.Int(static_cast<int>(built.problem.meetings.size()));
  w.Key("placed");
  w.Int(static_cast<int>(s.assignments.size()));
  w.Key("unplaced");
  w.Int(static_cast<int>(s.unplaced.size()));

  // Totals and placements per kind: what the organizer reads first.
  std::map<std::string, std::pair<int, int>> kinds;  // kind -> (total, placed)
  for (const auto& [id, info] : built.pairs) ++kinds[info.kind].first;
  for (const auto& a : s.assignments) ++kinds[built.pairs.at(a.meeting).kind].second;
  w.Key("by_kind");
  w.StartObject();
  for (const auto& [kind, counts] : kinds) {
    w.Key(kind.c_str());
    w.StartObject();
    w.Key("total");
    w.Int(counts.first);
    w.Key("placed");
    w.Int(counts.second);
    w.EndObject();
  }
  w.EndObject();

  w.Key("unplaced_meetings");
  w.StartArray();
  for (std::size_t i = 0; i < s.unplaced.size() && i < kMaxListedUnplaced; ++i) {
    const auto& u = s.unplaced[i];
    const auto& info = built.pairs.at(u.meeting);
    w.StartObject();
    write_string(w, "buyer_id", info.buyer_id);
    write_string(w, "company_id", info.company_id);
    write_string(w, "kind", info.kind);
    write_string(w, "reason", u.reason);
    write_string(w, "detail", u.detail);
    w.EndObject();
  }
  w.EndArray();

  const auto& o = report.objective;
  w.Key("placed_weight");
  w.Double(o.placed_weight);
  w.Key("weight_upper_bound");
  w.Double(s.weight_upper_bound);
  w.Key("weight_gap");
  w.Double(s.weight_gap);
  w.Key("breaks");
  w.Int(o.breaks);
  w.Key("breaks_lower_bound");
  w.Int(s.breaks_lower_bound);
  w.Key("breaks_gap");
  w.Int(s.breaks_gap);
  w.Key("fairness");
  w.StartObject();
  w.Key("max_breaks");
  w.Int(o.max_breaks);
  w.Key("min_breaks");
  w.Int(o.min_breaks);
  w.Key("bound");
  w.Int(built.problem.fairness_bound);
  w.Key("excess");
  w.Int(o.fairness_excess);
  w.Key("met");
  w.Bool(report.fairness_met);
  w.Key("first");  // the bound ranked before placement (the run's fairness_first)
  w.Bool(built.problem.fairness_first);
  w.EndObject();
  w.Key("venue_changes");
  w.Int(o.venue_changes);
  w.Key("proven_optimal");
  w.Bool(s.proven_optimal);
  write_string(w, "stopped_by", s.stopped_by);
  w.Key("seconds");
  w.Double(s.seconds);
  w.Key("iterations");
  w.Int64(s.iterations);
  w.Key("pairs_without_interpreter_pool");
  w.Int(built.pairs_without_interpreter_pool);

  w.Key("moves_total");
  w.Int(static_cast<int>(s.moves.size()));
  w.Key("moves");
  w.StartArray();
  for (std::size_t i = 0; i < s.moves.size() && i < kMaxListedMoves; ++i) {
    const auto& m = s.moves[i];
    auto info = built.pairs.find(m.meeting);
    auto tilde = m.meeting.find('~');
    w.StartObject();
    write_string(w, "buyer_id",
                 info != built.pairs.end() ? info->second.buyer_id : m.meeting.substr(0, tilde));
    write_string(w, "company_id",
                 info != built.pairs.end() ? info->second.company_id : m.meeting.substr(tilde + 1));
    w.Key("from_slot");
    w.Int(m.from_slot);
    w.Key("to_slot");
    w.Int(m.to_slot);
    w.EndObject();
  }
  w.EndArray();

  w.Key("publish");
  w.StartObject();
  w.Key("placed");
  w.Int(published.placed);
  w.Key("moved");
  w.Int(published.moved);
  w.Key("cancelled");
  w.Int(published.cancelled);
  w.Key("kept");
  w.Int(published.kept);
  w.Key("skipped");
  w.Int(published.skipped);
  write_string(w, "schedule_version", published.schedule_version);
  w.EndObject();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

asio::awaitable<void> ScheduleRunner::handle(const bus::Delivery& delivery) {
  const auto& envelope = delivery.envelope;
  if (envelope.type != "schedule.run") co_return;  // other schedule.* messages are not ours
  auto payload = json::parse(envelope.payload);
  if (!payload.HasMember("run_id") || !payload["run_id"].IsString() || envelope.event_id.empty()) {
    throw Error(ErrorCode::kInvalidArgument, "malformed_run", "schedule.run without run_id");
  }
  // Arguments of a co_await call are named: g++ 12 may destroy temporaries bound to a
  // coroutine's reference parameters before the coroutine is done with them.
  std::string run_id = payload["run_id"].GetString();
  co_await run(envelope.event_id, run_id);
}

asio::awaitable<RunInputs> ScheduleRunner::read_inputs(const EventInfo& info, int top_matches) {
  RunInputs in;
  in.event = &info.event;
  in.include_top_matches = top_matches;
  in.buyers = co_await read_profiles<Buyer>(redis_, info, true);
  in.companies = co_await read_profiles<Company>(redis_, info, false);
  in.accepted = co_await requests::list_accepted(redis_, info.id);
  in.pairs = co_await requests::list_pairs(redis_, info.id);
  in.current = co_await meetings::list(redis_, info.id);
  in.cancelled = co_await read_cancellations(redis_, info.id);
  if (top_matches > 0) {
    std::vector<redis::Command> reads;
    for (const auto& b : in.buyers) reads.push_back({"GET", keys::matches(info.id, b.id)});
    for (const auto& c : in.companies) reads.push_back({"GET", keys::matches(info.id, c.id)});
    if (!reads.empty()) {
      auto lists = co_await redis_.pipeline(std::move(reads));
      for (std::size_t i = 0; i < in.buyers.size(); ++i) {
        in.top_matches[in.buyers[i].id] = parse_match_list(lists[i]);
      }
      for (std::size_t i = 0; i < in.companies.size(); ++i) {
        auto& scores = in.company_scores[in.companies[i].id];
        for (const auto& m : parse_match_list(lists[in.buyers.size() + i])) {
          scores[m.company_id] = m.score;  // a company's list holds buyers
        }
      }
    }
  }
  co_return in;
}

asio::awaitable<void> ScheduleRunner::run(const std::string& event_id, const std::string& run_id) {
  auto record = co_await schedule_runs::load(redis_, event_id, run_id);
  if (!record) {
    log::warn("schedule run not found", {log::field("run_id", run_id)});
    co_return;
  }
  if (!co_await schedule_runs::start(redis_, event_id, run_id)) {
    log::info("schedule run already finished, skipped", {log::field("run_id", run_id)});
    co_return;
  }
  // The work lives in execute(), and nothing but the call sits in this try block: g++ 12
  // destroys locals of a coroutine's try block at a suspension inside it (seen with valgrind:
  // the problem was freed while the worker thread solved it).
  std::string stage = "reading";  // named in a failure, so an operator knows where it broke
  std::string failure;
  try {
    co_await execute(event_id, run_id, record->request, stage);
  } catch (const Error& e) {
    // Redis trouble is retried by the bus (the run stays "running" and is taken again); any
    // other error is the run's outcome.
    if (e.code() == ErrorCode::kUnavailable) throw;
    failure = stage + ": " + e.reason() + ": " + e.what();
  } catch (const std::exception& e) {
    failure = stage + ": internal: " + e.what();
  }
  if (failure.empty()) co_return;
  log::warn("schedule run failed", {log::field("run_id", run_id), log::field("error", failure)});
  const std::string no_result;
  co_await schedule_runs::finish(redis_, event_id, run_id, false, no_result, failure);
}

asio::awaitable<void> ScheduleRunner::execute(const std::string& event_id,
                                              const std::string& run_id,
                                              const schedule_runs::RunRequest& request,
                                              std::string& stage) {
  auto info = co_await events_.get(redis_, event_id);
  auto inputs = co_await read_inputs(*info, request.include_top_matches);
  stage = "building";
  BuiltProblem problem = build_problem(inputs);
  problem.problem.fairness_first = request.fairness_first;
  auto built = std::make_shared<const BuiltProblem>(std::move(problem));
  stage = "solving";
  schedule::SolveOptions options;
  options.time_limit_seconds = request.time_limit_seconds;
  bool repair = request.mode == "repair";
  // The solution comes back through a shared slot that both sides own.
  auto solved = std::make_shared<schedule::Solution>();
  std::function<void()> solve = [built, options, repair, solved] {
    *solved = repair ? schedule::repair(built->problem, built->published, options)
                     : schedule::solve(built->problem, options);
  };
  co_await pool_.run<void>(std::move(solve));
  const schedule::Solution& solution = *solved;
  // The checker is independent of the solver: nothing it refuses is published.
  stage = "checking";
  auto report = schedule::check(built->problem, solution);
  if (!report.ok()) {
    const auto& v = report.violations.front();
    throw Error(ErrorCode::kInternal, "schedule_check_failed",
                "the schedule breaks a hard constraint: " + v.kind + " (" + v.detail + ")");
  }
  stage = "publishing";
  auto placed = placements(*built, solution);
  auto published = co_await meetings::publish(redis_, topology_, *info, placed, run_id);
  stage = "recording";
  std::string summary = result_json(*built, solution, report, published);
  const std::string no_error;
  co_await schedule_runs::finish(redis_, event_id, run_id, true, summary, no_error);
  log::info("schedule run done",
            {log::field("run_id", run_id),
             log::field("placed", static_cast<long long>(solution.assignments.size())),
             log::field("unplaced", static_cast<long long>(solution.unplaced.size()))});
}

}  // namespace sangdam::scheduler
