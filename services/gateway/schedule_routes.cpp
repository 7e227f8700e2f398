// Schedule runs (organizer). The gateway only queues a run: the record and the "schedule.run"
// message are written together, and the scheduler service does the work (services/scheduler).
//
//   POST /v1/events/{e}/schedule/runs        {"mode","time_limit_seconds","include_top_matches",
//                                              "fairness_first"}
//                                            -> 202 the run record (status "queued")
//   GET  /v1/events/{e}/schedule/runs/{run}  -> the record: status, and the result once done
#include <boost/beast/http/verb.hpp>

#include "matching/error.hpp"
#include "services/common/schedule_runs.hpp"
#include "services/gateway/gateway.hpp"

namespace sangdam::gateway {

namespace asio = boost::asio;
using boost::beast::http::verb;

namespace {
constexpr std::size_t kRunBodyLimit = 4 * 1024;  // three small fields
}

void add_schedule_routes(Gateway& gateway, http::Router& router) {
  router.add(verb::post, "/v1/events/{e}/schedule/runs",
             [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
               require_organizer(req);
               auto info = co_await gateway.event(req, req.param("e"));
               auto request = schedule_runs::parse_run_request(req.body);
               auto run = co_await schedule_runs::create(
                   gateway.redis(req), gateway.runtime().topology(), info->id, request);
               auto response = http::Response::json(202, schedule_runs::to_json(run));
               response.headers.emplace_back("Location",
                                             "/v1/events/" + info->id + "/schedule/runs/" + run.id);
               co_return response;
             },
             {.body_limit = kRunBodyLimit});

  router.add(verb::get, "/v1/events/{e}/schedule/runs/{run}",
             [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
               require_organizer(req);
               auto run = co_await schedule_runs::load(gateway.redis(req), req.param("e"),
                                                       req.param("run"));
               if (!run) {
                 throw Error(ErrorCode::kNotFound, "run_not_found", "no such schedule run");
               }
               co_return http::Response::json(200, schedule_runs::to_json(*run));
             });
}

}  // namespace sangdam::gateway
