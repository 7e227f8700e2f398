// POST /v1/events (admin) and GET /v1/events/{e} (organizer, participants).
#include <rapidjson/document.h>

#include <boost/beast/http/verb.hpp>

#include "matching/error.hpp"
#include "services/common/json.hpp"
#include "services/common/keys.hpp"
#include "services/common/log.hpp"
#include "services/common/tokens.hpp"
#include "services/gateway/gateway.hpp"

namespace sangdam::gateway {

namespace asio = boost::asio;
using boost::beast::http::verb;

namespace {
constexpr std::size_t kEventBodyLimit = 1024 * 1024;  // an event with many venues and days
}

Gateway::Gateway(ServiceRuntime& runtime)
    : runtime_(runtime), catalogs_(load_catalogs(runtime.config().files)) {}

void add_event_routes(Gateway& gateway, http::Router& router) {
  router.add(verb::post, "/v1/events",
             [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
               require_admin(req);
               event::Event ev = event::parse_event(req.body);
               ev.id = tokens::random_id("ev", 8);
               std::string event_json = event::to_json(ev);
               std::string organizer_token = tokens::issue("sdo");
               std::vector<redis::Command> commands{
                   {"MULTI"},
                   {"SET", keys::event(ev.id), event_json, "NX"},
                   {"HSET", keys::tokens(ev.id), tokens::sha256_hex(organizer_token), "organizer"},
                   {"SADD", keys::kEvents, ev.id},
                   {"EXEC"}};
               auto replies = co_await gateway.redis(req).pipeline(std::move(commands));
               if (replies.back().is_error() || replies.back().is_nil()) {
                 throw Error(ErrorCode::kUnavailable, "store_failed", "storing the event failed");
               }
               log::write(log::Level::kInfo, "event created", {log::field("event_id", ev.id)},
                          req.request_id);
               co_return http::Response::json(
                   201, "{\"id\":" + json::quote(ev.id) + ",\"organizer_token\":" +
                            json::quote(organizer_token) + ",\"event\":" + event_json + "}");
             },
             {.body_limit = kEventBodyLimit});

  router.add(verb::get, "/v1/events/{e}",
             [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
               // Any token of this event may read it; the authenticator already checked that.
               auto info = co_await gateway.event(req, req.param("e"));
               co_return http::Response::json(200, info->json);
             });
}

}  // namespace sangdam::gateway
