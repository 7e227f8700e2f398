// The event day at the table: check-ins (either side of a meeting or the organizer, with the
// minutes late) and outcome reports (either side or the organizer: held or no-show, rating,
// consultation value, notes, follow-up). The body is read with the ledger's own JSON readers,
// so bad input is a 400 naming the field. A record's id is derived from who wrote it, the
// meeting and the Idempotency-Key header (or, without one, the body itself): a retried POST
// finds its record stored and changes nothing (200 instead of 201, no second bus event).
#include <boost/beast/http/verb.hpp>
#include <chrono>

#include "matching/error.hpp"
#include "matching/ledger/records_json.hpp"
#include "services/common/json.hpp"
#include "services/common/ledger_store.hpp"
#include "services/common/meeting_store.hpp"
#include "services/gateway/gateway.hpp"
#include "services/gateway/ledger_access.hpp"

namespace sangdam::gateway {

namespace asio = boost::asio;
using boost::beast::http::verb;

namespace {

constexpr std::size_t kCheckInBodyLimit = 1024;       // two small fields
constexpr std::size_t kOutcomeBodyLimit = 16 * 1024;  // notes are free text

// What identifies a write as the same write: the key when the client sent one, else the body.
std::string write_identity(const http::Request& req) {
  auto key = req.header("Idempotency-Key");
  return key.empty() ? "body:" + req.body : "key:" + std::string(key);
}

}  // namespace

void add_outcome_routes(Gateway& gateway, http::Router& router) {
  // POST /v1/events/{e}/meetings/{m}/checkin {"arrived":"buyer|company","late_minutes":0}
  // A participant checks in only its own side ("arrived" may be left out); the organizer says
  // which side arrived.
  router.add(
      verb::post, "/v1/events/{e}/meetings/{m}/checkin",
      [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
        auto meeting = co_await meetings::get(gateway.redis(req), req.param("e"), req.param("m"));
        auto side = party_side(req, meeting);
        auto body = json::parse(req.body);
        ledger::CheckIn check_in;
        check_in.meeting_id = meeting.id;
        check_in.recorded_by = side;
        check_in.arrived = side;
        check_in.at = now_seconds();
        ledger::read_json(body, check_in, ledger::JsonSource::kClient);
        if (side == ledger::Side::kOrganizer && !body.HasMember("arrived")) {
          throw_invalid("missing_field", "arrived is required (buyer or company)", "arrived");
        }
        if (side != ledger::Side::kOrganizer && check_in.arrived != side) {
          throw Error(ErrorCode::kForbidden, "forbidden", "participants check in only themselves",
                      "arrived");
        }
        check_in.id = ledger_store::record_id(
            "ci", {meeting.id, std::string(ledger::side_name(side)), write_identity(req)});
        auto stored = co_await ledger_store::record_check_in(
            gateway.redis(req), gateway.runtime().topology(), req.param("e"), check_in);
        co_return http::Response::json(stored.created ? 201 : 200, ledger::to_json(stored.record));
      },
      {.body_limit = kCheckInBodyLimit});

  // POST /v1/events/{e}/meetings/{m}/outcome {"outcome":"held|no_show","absent"?,"rating"?,
  // "value"?:{"amount","currency"},"notes"?,"follow_up"?}. A later report of the same side is
  // a correction; the disagreement rule (docs/ledger.md) settles what the report counts.
  router.add(
      verb::post, "/v1/events/{e}/meetings/{m}/outcome",
      [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
        auto meeting = co_await meetings::get(gateway.redis(req), req.param("e"), req.param("m"));
        auto side = party_side(req, meeting);
        auto body = json::parse(req.body);
        if (!body.HasMember("outcome")) {
          throw_invalid("missing_field", "outcome is required (held or no_show)", "outcome");
        }
        ledger::OutcomeReport report;
        report.meeting_id = meeting.id;
        report.reporter = side;
        report.reported_at = now_seconds();
        ledger::read_json(body, report, ledger::JsonSource::kClient);
        report.id = ledger_store::record_id(
            "or", {meeting.id, std::string(ledger::side_name(side)), write_identity(req)});
        auto stored = co_await ledger_store::record_outcome(
            gateway.redis(req), gateway.runtime().topology(), req.param("e"), report);
        co_return http::Response::json(stored.created ? 201 : 200, ledger::to_json(stored.record));
      },
      {.body_limit = kOutcomeBodyLimit});
}

}  // namespace sangdam::gateway
