// Matches of a participant (a buyer's recommended companies, a company's leads) and the
// organizer's full recompute. The lists are computed and stored by the matcher
// (services/matcher); this file serves them, filtered and paged, and never serves a list older
// than an acknowledged profile change (docs/matching.md, "Freshness").
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/verb.hpp>
#include <charconv>
#include <chrono>
#include <optional>

#include "matching/error.hpp"
#include "services/common/bus.hpp"
#include "services/common/http_error.hpp"
#include "services/common/json.hpp"
#include "services/common/keys.hpp"
#include "services/gateway/gateway.hpp"
#include "services/gateway/paging.hpp"

namespace sangdam::gateway {

namespace asio = boost::asio;
using boost::beast::http::verb;

namespace {

constexpr long long kMaxMatchesPage = 100;
constexpr long long kDefaultMatchesPage = 20;
// A read right after a profile change waits this long for the matcher before answering 503.
constexpr std::chrono::milliseconds kFreshnessWait{2000};
constexpr std::chrono::milliseconds kFreshnessPoll{5};
constexpr const char* kRetryAfterSeconds = "1";

struct MatchFilter {
  std::string country;              // buyer's country, or a company's target market
  std::string category;             // taxonomy code; a branch matches its leaves
  std::optional<double> min_score;  // 0..100
};

MatchFilter parse_filter(const std::map<std::string, std::string>& query,
                         const Taxonomy& taxonomy) {
  MatchFilter filter;
  if (auto it = query.find("country"); it != query.end()) {
    for (char c : it->second) {
      filter.country += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    if (!is_country_code(filter.country)) {
      throw_invalid("unknown_country", "country must be an ISO 3166-1 alpha-2 code", "country");
    }
  }
  if (auto it = query.find("category"); it != query.end()) {
    if (!taxonomy.contains(it->second)) {
      throw_invalid("unknown_category", it->second + " is not a taxonomy code", "category");
    }
    filter.category = it->second;
  }
  if (auto it = query.find("min_score"); it != query.end()) {
    double v = 0;
    const auto& text = it->second;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || !(v >= 0 && v <= 100)) {
      throw_invalid("invalid_min_score", "min_score must be a number in 0..100", "min_score");
    }
    filter.min_score = v;
  }
  return filter;
}

bool has_string(const rapidjson::Value& item, const char* key, const std::string& wanted,
                bool prefix_of_leaf) {
  auto member = item.FindMember(key);
  if (member == item.MemberEnd() || !member->value.IsArray()) return false;
  for (const auto& v : member->value.GetArray()) {
    std::string_view code(v.GetString(), v.GetStringLength());
    if (code == wanted) return true;
    if (prefix_of_leaf && code.size() > wanted.size() && code.substr(0, wanted.size()) == wanted &&
        code[wanted.size()] == '.') {
      return true;
    }
  }
  return false;
}

bool passes(const rapidjson::Value& item, const MatchFilter& filter) {
  if (filter.min_score && item["score"].GetDouble() < *filter.min_score) return false;
  if (!filter.country.empty()) {
    auto country = item.FindMember("country");
    bool ok = country != item.MemberEnd()
                  ? filter.country == country->value.GetString()
                  : has_string(item, "target_markets", filter.country, false);
    if (!ok) return false;
  }
  return filter.category.empty() || has_string(item, "categories", filter.category, true);
}

// The stored list, filtered and paged, with total and next_cursor as other lists have them.
std::string serve(const std::string& stored, const MatchFilter& filter, const Page& page) {
  rapidjson::Document doc;
  doc.Parse(stored.data(), stored.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("items")) {
    throw Error(ErrorCode::kInternal, "corrupt_matches", "stored match list is not valid JSON");
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  for (const char* key : {"participant_id", "role", "profile_version", "generation"}) {
    w.Key(key);
    doc[key].Accept(w);
  }
  w.Key("items");
  w.StartArray();
  long long total = 0;
  for (const auto& item : doc["items"].GetArray()) {
    if (!passes(item, filter)) continue;
    if (total >= page.offset && total < page.offset + page.limit) item.Accept(w);
    ++total;
  }
  w.EndArray();
  w.Key("total");
  w.Int64(total);
  w.Key("next_cursor");
  long long next = page.offset + page.limit;
  if (next < total) {
    w.String(std::to_string(next));
  } else {
    w.Null();
  }
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

http::Response matches_pending() {
  auto response = http::error_response(
      503, "matches_pending", "matches are being recomputed after a profile change; retry soon");
  response.headers.emplace_back("Retry-After", kRetryAfterSeconds);
  return response;
}

}  // namespace

void add_match_routes(Gateway& gateway, http::Router& router) {
  // GET /v1/events/{e}/participants/{p}/matches?country=VN&category=dental&min_score=50
  //     &limit=20&cursor=0 (organizer, or p itself). One MGET reads the profile generation,
  // the generation the lists reflect, and the list: served when the lists are not behind.
  router.add(verb::get, "/v1/events/{e}/participants/{p}/matches",
             [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
               const std::string& e = req.param("e");
               const std::string& p = req.param("p");
               require_self_or_organizer(req, p);
               auto filter = parse_filter(req.query, gateway.catalogs().taxonomy);
               auto page = parse_page(req.query, kMaxMatchesPage, kDefaultMatchesPage);
               auto deadline = std::chrono::steady_clock::now() + kFreshnessWait;
               for (;;) {
                 redis::Command read{"MGET", keys::profiles_generation(e),
                                     keys::matches_generation(e), keys::matches(e, p)};
                 auto reply = co_await gateway.redis(req).call(std::move(read));
                 redis::expect_ok(reply, "matches read");
                 const auto& r = reply.elements;
                 long long profiles = r.at(0).is_nil() ? 0 : r.at(0).as_integer();
                 long long matched = r.at(1).is_nil() ? 0 : r.at(1).as_integer();
                 if (matched >= profiles) {
                   if (r.at(2).is_nil()) {
                     throw Error(ErrorCode::kNotFound, "participant_not_found",
                                 "no such participant in this event");
                   }
                   co_return http::Response::json(200, serve(r.at(2).as_string(), filter, page));
                 }
                 if (std::chrono::steady_clock::now() >= deadline) co_return matches_pending();
                 asio::steady_timer pause(co_await asio::this_coro::executor, kFreshnessPoll);
                 co_await pause.async_wait(asio::use_awaitable);
               }
             });

  // POST /v1/events/{e}/matches/recompute (organizer): the matcher rebuilds the event's index
  // from every stored profile (fresh term statistics) and rewrites every list. 202: it runs
  // in the background; lists stay readable meanwhile.
  router.add(verb::post, "/v1/events/{e}/matches/recompute",
             [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
               require_organizer(req);
               auto info = co_await gateway.event(req, req.param("e"));
               bus::Envelope envelope;
               envelope.type = "matches.recompute";
               envelope.event_id = info->id;
               envelope.idempotency_key = "recompute:" + info->id + ":" + req.request_id;
               envelope.payload = "{}";
               auto id = co_await bus::publish(gateway.redis(req), gateway.runtime().topology(),
                                               "profiles", std::move(envelope));
               co_return http::Response::json(
                   202, "{\"status\":\"accepted\",\"message_id\":" + json::quote(id) + "}");
             });
}

}  // namespace sangdam::gateway
