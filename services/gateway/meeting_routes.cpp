// Meetings of an event: self-booking (participants, organizer), cancelling (either side,
// organizer), one meeting, the whole timetable (organizer) and a participant's agenda
// (organizer, that participant). The store (services/common/meeting_store.hpp) does the work in
// one atomic Redis step; these handlers parse, check who may ask, and answer.
#include <rapidjson/document.h>

#include <algorithm>
#include <boost/beast/http/verb.hpp>
#include <charconv>

#include "matching/error.hpp"
#include "services/common/json.hpp"
#include "services/common/meeting_store.hpp"
#include "services/gateway/agenda_calendar.hpp"
#include "services/gateway/gateway.hpp"

namespace sangdam::gateway {

namespace asio = boost::asio;
using boost::beast::http::verb;

namespace {

constexpr std::size_t kBookingBodyLimit = 4 * 1024;  // three ids, a slot and a key
constexpr long long kDefaultScheduleLimit = 1000;    // meetings per page of the timetable
constexpr long long kMaxScheduleLimit = 10000;

meetings::BookingRequest parse_booking(const std::string& body) {
  auto doc = json::parse(body);
  for (const auto& member : doc.GetObject()) {
    std::string name(member.name.GetString(), member.name.GetStringLength());
    if (name != "buyer_id" && name != "company_id" && name != "slot" && name != "idempotency_key") {
      throw_invalid("unknown_field", name + " is not a booking field", name);
    }
  }
  auto text = [&doc](const char* name) {
    if (!doc.HasMember(name))
      throw_invalid("missing_field", std::string(name) + " is required", name);
    if (!doc[name].IsString())
      throw_invalid("wrong_type", std::string(name) + " must be a string", name);
    return std::string(doc[name].GetString(), doc[name].GetStringLength());
  };
  meetings::BookingRequest r;
  r.buyer_id = text("buyer_id");
  r.company_id = text("company_id");
  if (!doc.HasMember("slot")) throw_invalid("missing_field", "slot is required", "slot");
  if (!doc["slot"].IsInt()) throw_invalid("wrong_type", "slot must be a whole number", "slot");
  r.slot = doc["slot"].GetInt();
  if (doc.HasMember("idempotency_key")) r.idempotency_key = text("idempotency_key");
  return r;
}

std::string items_json(const std::vector<meetings::Meeting>& list, std::size_t from,
                       std::size_t to) {
  std::string body = "[";
  for (std::size_t i = from; i < to; ++i) {
    if (i > from) body += ',';
    body += meetings::to_json(list[i]);
  }
  return body + "]";
}

long long query_number(const http::Request& req, const char* name, long long fallback, long long lo,
                       long long hi) {
  auto it = req.query.find(name);
  if (it == req.query.end()) return fallback;
  long long v = 0;
  const std::string& t = it->second;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || end != t.data() + t.size() || v < lo || v > hi) {
    throw_invalid("invalid_" + std::string(name),
                  std::string(name) + " must be a whole number in " + std::to_string(lo) + ".." +
                      std::to_string(hi),
                  name);
  }
  return v;
}

bool include_cancelled(const http::Request& req, bool fallback) {
  auto it = req.query.find("include_cancelled");
  if (it == req.query.end()) return fallback;
  if (it->second != "true" && it->second != "false") {
    throw_invalid("invalid_include_cancelled", "include_cancelled must be true or false",
                  "include_cancelled");
  }
  return it->second == "true";
}

// Either side of the meeting or the organizer; anyone else is told the meeting does not exist
// (participants must not learn about other people's meetings).
void require_party(const http::Request& req, const meetings::Meeting& m) {
  if (is_organizer(req)) return;
  const std::string& me = req.principal.participant_id;
  if (me.empty() || (me != m.buyer_id && me != m.company_id)) {
    throw Error(ErrorCode::kNotFound, "meeting_not_found", "no meeting " + m.id);
  }
}

}  // namespace

void add_meeting_routes(Gateway& gateway, http::Router& router) {
  // POST /v1/events/{e}/bookings {"buyer_id","company_id","slot","idempotency_key"?}
  // (the key may come as the Idempotency-Key header instead). 201 with the meeting; 409 with
  // the reason when a resource is taken; the same key answers with the same meeting.
  router.add(verb::post, "/v1/events/{e}/bookings",
             [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
               auto info = co_await gateway.event(req, req.param("e"));
               auto request = parse_booking(req.body);
               if (auto header = req.header("Idempotency-Key"); !header.empty()) {
                 if (!request.idempotency_key.empty() && request.idempotency_key != header) {
                   throw_invalid("invalid_idempotency_key",
                                 "the Idempotency-Key header and the body's idempotency_key differ",
                                 "idempotency_key");
                 }
                 request.idempotency_key = std::string(header);
               }
               if (is_organizer(req)) {
                 request.source = "organizer";
               } else {
                 const std::string& me = req.principal.participant_id;
                 if (me != request.buyer_id && me != request.company_id) {
                   throw Error(ErrorCode::kForbidden, "forbidden",
                               "participants book only their own meetings");
                 }
                 if (!info->event.policies.self_booking) {
                   throw Error(ErrorCode::kForbidden, "self_booking_disabled",
                               "the organizer books meetings for this event");
                 }
               }
               auto meeting = co_await meetings::book(gateway.redis(req),
                                                      gateway.runtime().topology(), *info, request);
               co_return http::Response::json(201, meetings::to_json(meeting));
             },
             {.body_limit = kBookingBodyLimit});

  router.add(verb::get, "/v1/events/{e}/meetings/{m}",
             [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
               auto meeting =
                   co_await meetings::get(gateway.redis(req), req.param("e"), req.param("m"));
               require_party(req, meeting);
               co_return http::Response::json(200, meetings::to_json(meeting));
             });

  router.add(verb::delete_, "/v1/events/{e}/meetings/{m}",
             [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
               auto& redis = gateway.redis(req);
               // The parties of a meeting never change, so checking them first is safe.
               auto meeting = co_await meetings::get(redis, req.param("e"), req.param("m"));
               require_party(req, meeting);
               std::string by = is_organizer(req) ? "organizer" : req.principal.participant_id;
               auto cancelled = co_await meetings::cancel(redis, gateway.runtime().topology(),
                                                          req.param("e"), req.param("m"), by);
               co_return http::Response::json(200, meetings::to_json(cancelled));
             });

  // GET /v1/events/{e}/schedule?limit=N&cursor=C&include_cancelled=false (organizer): the
  // timetable in (slot, venue, table) order; the cursor is the offset of the next page.
  router.add(verb::get, "/v1/events/{e}/schedule",
             [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
               require_organizer(req);
               auto info = co_await gateway.event(req, req.param("e"));
               auto limit = query_number(req, "limit", kDefaultScheduleLimit, 1, kMaxScheduleLimit);
               auto offset = query_number(req, "cursor", 0, 0, 1'000'000'000);
               auto all = co_await meetings::list(gateway.redis(req), info->id,
                                                  include_cancelled(req, false));
               auto total = static_cast<long long>(all.size());
               auto from = std::min(offset, total);
               auto to = std::min(from + limit, total);
               std::string body =
                   "{\"items\":" +
                   items_json(all, static_cast<std::size_t>(from), static_cast<std::size_t>(to)) +
                   ",\"total\":" + std::to_string(total) +
                   ",\"next_cursor\":" + (to < total ? json::quote(std::to_string(to)) : "null") +
                   "}";
               co_return http::Response::json(200, body);
             });

  // GET /v1/events/{e}/participants/{p}/agenda?include_cancelled=true (organizer, that
  // participant): the participant's meetings in slot order as JSON, or as an iCalendar file
  // (agenda_calendar.hpp) with Accept: text/calendar or at .../agenda.ics.
  auto agenda = [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
    require_self_or_organizer(req, req.param("p"));
    if (wants_calendar(req)) co_return co_await agenda_ics(gateway, req);
    auto items = co_await meetings::agenda(gateway.redis(req), req.param("e"), req.param("p"),
                                           include_cancelled(req, true));
    co_return http::Response::json(200, "{\"participant_id\":" + json::quote(req.param("p")) +
                                            ",\"items\":" + items_json(items, 0, items.size()) +
                                            "}");
  };
  router.add(verb::get, "/v1/events/{e}/participants/{p}/agenda", agenda);
  router.add(verb::get, "/v1/events/{e}/participants/{p}/agenda.ics", agenda);
}

}  // namespace sangdam::gateway
