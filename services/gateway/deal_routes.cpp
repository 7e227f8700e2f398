// MOUs and contracts: created by the company that signed them or the organizer, changed by a
// PATCH that appends a new version (the history is kept, never overwritten), read with that
// history by either party or the organizer. Transitions follow ledger::check_deal_transition.
// POST is idempotent by its Idempotency-Key header (the deal id derives from it), PATCH by the
// same header (the key names the version it made).
#include <boost/beast/http/verb.hpp>

#include "matching/error.hpp"
#include "matching/ledger/records_json.hpp"
#include "services/common/json.hpp"
#include "services/common/ledger_store.hpp"
#include "services/common/meeting_store.hpp"
#include "services/common/participant_store.hpp"
#include "services/common/tokens.hpp"
#include "services/gateway/gateway.hpp"
#include "services/gateway/ledger_access.hpp"

namespace sangdam::gateway {

namespace asio = boost::asio;
using boost::beast::http::verb;

namespace {

constexpr std::size_t kDealBodyLimit = 16 * 1024;  // a deal and its meeting ids
constexpr std::size_t kMaxDealMeetings = 64;       // consultations one deal came from
constexpr std::size_t kMaxIdempotencyKeyBytes = 128;

std::string idempotency_key(const http::Request& req) {
  std::string key(req.header("Idempotency-Key"));
  if (key.size() > kMaxIdempotencyKeyBytes) {
    throw_invalid(
        "invalid_idempotency_key",
        "Idempotency-Key is at most " + std::to_string(kMaxIdempotencyKeyBytes) + " bytes",
        "Idempotency-Key");
  }
  return key;
}

// The deal's buyer and company are registered in that role, and every meeting it names is a
// meeting of that very pair.
asio::awaitable<void> check_deal_facts(redis::Client& redis, const std::string& event_id,
                                       const ledger::Deal& deal) {
  struct Party {
    const std::string& id;
    const char* field;
    Role role;
  };
  const Party parties[] = {{deal.buyer_id, "buyer_id", Role::kBuyer},
                           {deal.company_id, "company_id", Role::kCompany}};
  for (const auto& party : parties) {
    bool known = true;
    try {
      auto stored = co_await participants::load(redis, event_id, party.id);
      known = stored.role == party.role;
    } catch (const Error& e) {
      if (e.code() != ErrorCode::kNotFound) throw;
      known = false;
    }
    if (!known) {
      throw Error(ErrorCode::kUnprocessable, "unknown_participant",
                  std::string(party.field) + " names no " +
                      (party.role == Role::kBuyer ? "buyer" : "company") + " of this event",
                  party.field);
    }
  }
  if (deal.meeting_ids.size() > kMaxDealMeetings) {
    throw_invalid("too_many_meetings",
                  "a deal names at most " + std::to_string(kMaxDealMeetings) + " meetings",
                  "meeting_ids");
  }
  for (const auto& meeting_id : deal.meeting_ids) {
    auto meeting = co_await meetings::get(redis, event_id, meeting_id);
    if (meeting.buyer_id != deal.buyer_id || meeting.company_id != deal.company_id) {
      throw Error(ErrorCode::kUnprocessable, "meeting_of_other_pair",
                  "meeting " + meeting_id + " is not a meeting of this buyer and company",
                  "meeting_ids");
    }
  }
}

// Companies speak for their own deals; the organizer for all. Buyers only read.
void require_deal_writer(const http::Request& req, const ledger::Deal& deal) {
  if (is_organizer(req)) return;
  if (req.principal.participant_id.empty() || req.principal.participant_id != deal.company_id) {
    throw Error(ErrorCode::kForbidden, "forbidden",
                "only the deal's company or the organizer records it", "company_id");
  }
}

std::string history_json(const std::vector<ledger::DealChange>& history) {
  std::string body = "{\"id\":" + json::quote(history.back().deal.id) +
                     ",\"version\":" + std::to_string(history.back().version) +
                     ",\"current\":" + ledger::to_json(history.back()) + ",\"history\":[";
  for (std::size_t i = 0; i < history.size(); ++i) {
    if (i > 0) body += ',';
    body += ledger::to_json(history[i]);
  }
  return body + "]}";
}

asio::awaitable<std::vector<ledger::DealChange>> existing_deal(redis::Client& redis,
                                                               const http::Request& req) {
  auto history = co_await ledger_store::deal_history(redis, req.param("e"), req.param("d"));
  bool visible =
      !history.empty() &&
      (is_organizer(req) || req.principal.participant_id == history.back().deal.buyer_id ||
       req.principal.participant_id == history.back().deal.company_id);
  if (!visible) throw Error(ErrorCode::kNotFound, "deal_not_found", "no deal " + req.param("d"));
  co_return history;
}

}  // namespace

void add_deal_routes(Gateway& gateway, http::Router& router) {
  // POST /v1/events/{e}/deals {"kind":"mou|contract","buyer_id","company_id","value",
  // "signed_on","status"?,"meeting_ids"?,"on_site"?}: 201 with the deal and its history.
  router.add(verb::post, "/v1/events/{e}/deals",
             [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
               auto& redis = gateway.redis(req);
               auto info = co_await gateway.event(req, req.param("e"));
               auto key = idempotency_key(req);
               ledger::DealChange change;
               change.version = 1;
               change.changed_by = principal_name(req);
               change.changed_at = now_seconds();
               ledger::read_json(json::parse(req.body), change, ledger::JsonSource::kClient);
               change.deal.id = key.empty()
                                    ? tokens::random_id("d", 8)
                                    : ledger_store::record_id("d", {change.changed_by, key});
               require_deal_writer(req, change.deal);
               ledger::validate(change);
               co_await check_deal_facts(redis, info->id, change.deal);
               auto stored = co_await ledger_store::append_deal_change(
                   redis, gateway.runtime().topology(), info->id, change, key);
               auto history = co_await ledger_store::deal_history(redis, info->id, change.deal.id);
               co_return http::Response::json(stored.created ? 201 : 200, history_json(history));
             },
             {.body_limit = kDealBodyLimit});

  // Answers {"id","version","current": DealChange, "history": [DealChange, ...]}.
  // PATCH /v1/events/{e}/deals/{d} {"status"?, "value"?, ...}: the fields given change, the
  // rest stays; appended as the next version. 409 deal_version_conflict when another change
  // came in between (read again, then retry).
  router.add(verb::patch, "/v1/events/{e}/deals/{d}",
             [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
               auto& redis = gateway.redis(req);
               auto key = idempotency_key(req);
               auto history = co_await existing_deal(redis, req);
               // A retried PATCH finds the version its key made, before any transition check (the
               // deal may have moved on since, and replaying must not fail).
               if (!key.empty() && co_await ledger_store::version_of_key(redis, req.param("e"),
                                                                         req.param("d"), key)) {
                 co_return http::Response::json(200, history_json(history));
               }
               const auto& current = history.back();
               require_deal_writer(req, current.deal);
               ledger::DealChange next;
               next.version = current.version + 1;
               next.changed_by = principal_name(req);
               next.changed_at = now_seconds();
               next.deal = current.deal;
               ledger::read_json(json::parse(req.body), next, ledger::JsonSource::kClient);
               ledger::check_deal_transition(current.deal, next.deal);
               ledger::validate(next);
               co_await check_deal_facts(redis, req.param("e"), next.deal);
               co_await ledger_store::append_deal_change(redis, gateway.runtime().topology(),
                                                         req.param("e"), next, key);
               history = co_await ledger_store::deal_history(redis, req.param("e"), req.param("d"));
               co_return http::Response::json(200, history_json(history));
             },
             {.body_limit = kDealBodyLimit});

  router.add(verb::get, "/v1/events/{e}/deals/{d}",
             [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
               auto history = co_await existing_deal(gateway.redis(req), req);
               co_return http::Response::json(200, history_json(history));
             });
}

}  // namespace sangdam::gateway
