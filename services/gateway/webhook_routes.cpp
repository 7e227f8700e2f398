// Webhook registrations of an event (organizer only): register a URL for some bus event types
// (the secret that signs deliveries is made here and shown once, in the 201 answer), list,
// read, delete, and read a webhook's delivery log. Deliveries themselves are the webhooks
// service's work (services/webhooks/README.md).
#include <boost/beast/http/verb.hpp>

#include "matching/error.hpp"
#include "matching/webhook/delivery.hpp"
#include "services/common/webhook_store.hpp"
#include "services/gateway/gateway.hpp"
#include "services/gateway/paging.hpp"

namespace sangdam::gateway {

namespace asio = boost::asio;
using boost::beast::http::verb;

namespace {

constexpr std::size_t kRegistrationBodyLimit = 4 * 1024;  // URL (2 KB at most) and a few types
constexpr std::size_t kMaxWebhooksPerEvent = 20;          // each message fans out to all of them
constexpr long long kMaxDeliveriesPage = 200;
constexpr long long kDefaultDeliveriesPage = 50;

// The organizer of an existing event; the event's id as stored.
asio::awaitable<std::string> organizer_event(Gateway& gateway, const http::Request& req) {
  require_organizer(req);
  auto info = co_await gateway.event(req, req.param("e"));
  co_return info->id;
}

}  // namespace

void add_webhook_routes(Gateway& gateway, http::Router& router) {
  // POST /v1/events/{e}/webhooks {"url","types":[...]|["*"],"description"?} -> 201 with the
  // secret (never shown again).
  router.add(verb::post, "/v1/events/{e}/webhooks",
             [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
               auto event_id = co_await organizer_event(gateway, req);
               auto registration = webhook::read_registration(req.body);
               if (!gateway.runtime().config().webhooks_allow_internal) {
                 webhook::refuse_internal_host(webhook::parse_url(registration.url));
               }
               auto created = co_await webhook_store::create(
                   gateway.redis(req), event_id, registration, kMaxWebhooksPerEvent,
                   gateway.runtime().config().webhooks_secret_key);
               co_return http::Response::json(201, webhook_store::to_json(created, true));
             },
             {.body_limit = kRegistrationBodyLimit});

  router.add(verb::get, "/v1/events/{e}/webhooks",
             [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
               auto event_id = co_await organizer_event(gateway, req);
               auto all = co_await webhook_store::list(gateway.redis(req), event_id);
               std::string body = "{\"items\":[";
               for (std::size_t i = 0; i < all.size(); ++i) {
                 if (i > 0) body += ',';
                 body += webhook_store::to_json(all[i], false);
               }
               body += "],\"total\":" + std::to_string(all.size()) + "}";
               co_return http::Response::json(200, body);
             });

  router.add(verb::get, "/v1/events/{e}/webhooks/{w}",
             [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
               auto event_id = co_await organizer_event(gateway, req);
               auto found =
                   co_await webhook_store::get(gateway.redis(req), event_id, req.param("w"));
               co_return http::Response::json(200, webhook_store::to_json(found, false));
             });

  router.add(verb::delete_, "/v1/events/{e}/webhooks/{w}",
             [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
               auto event_id = co_await organizer_event(gateway, req);
               co_await webhook_store::remove(gateway.redis(req), event_id, req.param("w"));
               co_return http::Response::text(204, "application/json", "");
             });

  // GET /v1/events/{e}/webhooks/{w}/deliveries?limit&cursor: the delivery log, newest first.
  router.add(
      verb::get, "/v1/events/{e}/webhooks/{w}/deliveries",
      [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
        auto event_id = co_await organizer_event(gateway, req);
        auto page = parse_page(req.query, kMaxDeliveriesPage, kDefaultDeliveriesPage);
        // The log outlives a deleted webhook only as long as its entries do; a webhook that
        // never existed is a 404 rather than an empty log.
        auto& redis = gateway.redis(req);
        auto log =
            co_await webhook_store::log(redis, event_id, req.param("w"), page.offset, page.limit);
        if (log.total == 0) co_await webhook_store::get(redis, event_id, req.param("w"));
        std::string body = "{\"items\":[";
        for (std::size_t i = 0; i < log.deliveries.size(); ++i) {
          if (i > 0) body += ',';
          body += webhook_store::to_json(log.deliveries[i]);
        }
        long long next = page.offset + page.limit;
        body += "],\"total\":" + std::to_string(log.total) + ",\"next_cursor\":" +
                (next < log.total ? "\"" + std::to_string(next) + "\"" : std::string("null")) + "}";
        co_return http::Response::json(200, body);
      });
}

}  // namespace sangdam::gateway
