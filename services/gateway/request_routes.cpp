// Meeting requests (participants) and organizer pairs. The state machine, limits and keys are
// in services/common/request_store.hpp; docs/requests.md describes the API.
//
//   POST   /v1/events/{e}/requests                 participant: ask a counterpart
//   GET    /v1/events/{e}/requests[?participant=p] own requests (organizer: anyone's)
//   GET    /v1/events/{e}/requests/{r}             its sender, its receiver, the organizer
//   POST   /v1/events/{e}/requests/{r}/accept      the receiver
//   POST   /v1/events/{e}/requests/{r}/decline     the receiver
//   POST   /v1/events/{e}/requests/{r}/withdraw    the sender
//   POST   /v1/events/{e}/pairs                    organizer: must-meet pair
//   DELETE /v1/events/{e}/pairs/{buyer}/{company}  organizer: exclude the pair from runs
//   GET    /v1/events/{e}/pairs                    organizer
#include <boost/beast/http/verb.hpp>
#include <chrono>

#include "matching/error.hpp"
#include "matching/intake/json_reader.hpp"
#include "services/common/json.hpp"
#include "services/common/request_store.hpp"
#include "services/gateway/gateway.hpp"

namespace sangdam::gateway {

namespace asio = boost::asio;
using boost::beast::http::verb;

namespace {

constexpr std::size_t kRequestBodyLimit = 8 * 1024;  // a note of kMaxMessageBytes and ids
constexpr std::size_t kParticipantIdBytes = 64;
constexpr int kSecondsPerHour = 3600;

const std::string& participant_of(const http::Request& req) {
  if (req.principal.role != Principal::Role::kParticipant) {
    throw Error(ErrorCode::kForbidden, "forbidden",
                "only a buyer or company (with its own token) may do this");
  }
  return req.principal.participant_id;
}

// POST .../requests body: {"to": id, "message"?, "client_key"?, "expires_in_seconds"?}. The
// sender may ask for an answer sooner than the event's policy, never later.
requests::NewRequest parse_new_request(const http::Request& req, const event::Event& ev) {
  auto doc = intake::parse_json_text(req.body);
  intake::ObjectReader reader(doc, "");
  reader.reject_unknown({"to", "message", "client_key", "expires_in_seconds"});
  requests::NewRequest r;
  r.event_id = req.param("e");
  r.sender_id = participant_of(req);
  r.receiver_id = reader.text("to", kParticipantIdBytes, true);
  r.message =
      reader.text("message", requests::kMaxMessageBytes, false, intake::TextKind::kMultiLine);
  r.client_key = reader.text("client_key", requests::kMaxClientKeyBytes, false);
  if (auto header = req.header("Idempotency-Key"); !header.empty()) {
    if (header.size() > requests::kMaxClientKeyBytes) {
      throw_invalid("invalid_client_key",
                    "Idempotency-Key is limited to " +
                        std::to_string(requests::kMaxClientKeyBytes) + " bytes",
                    "Idempotency-Key");
    }
    r.client_key = std::string(header);
  }
  int policy_seconds = ev.policies.request_expiry_hours * kSecondsPerHour;
  r.expires_in =
      std::chrono::seconds(reader.integer("expires_in_seconds", 1, policy_seconds, policy_seconds));
  r.max_outgoing = ev.policies.max_outgoing_requests;
  return r;
}

asio::awaitable<http::Response> answer(Gateway& gateway, http::Request& req,
                                       requests::Action action) {
  const std::string& actor = participant_of(req);
  auto request = co_await requests::transition(gateway.redis(req), gateway.runtime().topology(),
                                               req.param("e"), req.param("r"), actor, action);
  co_return http::Response::json(200, requests::to_json(request));
}

std::string list_json(const std::vector<requests::Request>& list) {
  std::string body = "{\"items\":[";
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i) body += ',';
    body += requests::to_json(list[i]);
  }
  return body + "],\"total\":" + std::to_string(list.size()) + "}";
}

}  // namespace

void add_request_routes(Gateway& gateway, http::Router& router) {
  router.add(verb::post, "/v1/events/{e}/requests",
             [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
               participant_of(req);
               auto info = co_await gateway.event(req, req.param("e"));
               auto request = parse_new_request(req, info->event);
               auto result = co_await requests::create(gateway.redis(req),
                                                       gateway.runtime().topology(), request);
               co_return http::Response::json(result.created ? 201 : 200,
                                              requests::to_json(result.request));
             },
             {.body_limit = kRequestBodyLimit});

  router.add(verb::get, "/v1/events/{e}/requests",
             [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
               std::string who;
               if (auto it = req.query.find("participant"); it != req.query.end()) who = it->second;
               if (is_organizer(req)) {
                 if (who.empty()) {
                   throw_invalid("missing_participant",
                                 "the organizer lists one participant's requests: ?participant=",
                                 "participant");
                 }
               } else {
                 if (who.empty()) who = participant_of(req);
                 require_self_or_organizer(req, who);
               }
               auto list = co_await requests::list_for(gateway.redis(req), req.param("e"), who);
               co_return http::Response::json(200, list_json(list));
             });

  router.add(verb::get, "/v1/events/{e}/requests/{r}",
             [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
               auto request =
                   co_await requests::load(gateway.redis(req), req.param("e"), req.param("r"));
               const std::string& caller = req.principal.participant_id;
               if (!request || (!is_organizer(req) && caller != request->sender_id &&
                                caller != request->receiver_id)) {
                 throw Error(ErrorCode::kNotFound, "request_not_found", "no such request of yours");
               }
               co_return http::Response::json(200, requests::to_json(*request));
             });

  router.add(verb::post, "/v1/events/{e}/requests/{r}/accept",
             [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
               return answer(gateway, req, requests::Action::kAccept);
             });
  router.add(verb::post, "/v1/events/{e}/requests/{r}/decline",
             [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
               return answer(gateway, req, requests::Action::kDecline);
             });
  router.add(verb::post, "/v1/events/{e}/requests/{r}/withdraw",
             [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
               return answer(gateway, req, requests::Action::kWithdraw);
             });

  router.add(verb::post, "/v1/events/{e}/pairs",
             [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
               require_organizer(req);
               auto info = co_await gateway.event(req, req.param("e"));
               auto doc = intake::parse_json_text(req.body);
               intake::ObjectReader reader(doc, "");
               reader.reject_unknown({"buyer_id", "company_id", "weight", "must_meet"});
               requests::Pair pair;
               pair.buyer_id = reader.text("buyer_id", kParticipantIdBytes, true);
               pair.company_id = reader.text("company_id", kParticipantIdBytes, true);
               if (!reader.boolean("must_meet", true)) {
                 throw_invalid("invalid_must_meet",
                               "pairs are must-meet; DELETE the pair to exclude it instead",
                               "must_meet");
               }
               if (const auto* weight = reader.get("weight")) {
                 if (!weight->IsNumber())
                   throw_invalid("invalid_weight", "weight must be a number", "weight");
                 pair.weight = weight->GetDouble();
               }
               auto stored = co_await requests::add_pair(
                   gateway.redis(req), gateway.runtime().topology(), info->id, pair);
               co_return http::Response::json(201, requests::to_json(stored));
             },
             {.body_limit = kRequestBodyLimit});

  router.add(verb::delete_, "/v1/events/{e}/pairs/{buyer}/{company}",
             [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
               require_organizer(req);
               auto info = co_await gateway.event(req, req.param("e"));
               co_await requests::remove_pair(gateway.redis(req), gateway.runtime().topology(),
                                              info->id, req.param("buyer"), req.param("company"));
               co_return http::Response::text(204, "application/json", "");
             });

  router.add(verb::get, "/v1/events/{e}/pairs",
             [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
               require_organizer(req);
               auto pairs = co_await requests::list_pairs(gateway.redis(req), req.param("e"));
               co_return http::Response::json(200, requests::to_json(pairs));
             });
}

}  // namespace sangdam::gateway
