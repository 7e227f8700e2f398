// Participants of an event: register one (organizer), bulk import (organizer), read and change a
// profile (organizer or the participant; counterparts read public fields), rotate or revoke a
// participant's token (organizer), list (organizer).
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <boost/beast/http/verb.hpp>
#include <map>
#include <variant>

#include "matching/error.hpp"
#include "matching/intake/import.hpp"
#include "services/common/json.hpp"
#include "services/common/keys.hpp"
#include "services/common/participant_store.hpp"
#include "services/gateway/gateway.hpp"
#include "services/gateway/paging.hpp"

namespace sangdam::gateway {

namespace asio = boost::asio;
using boost::beast::http::verb;

namespace {

constexpr std::size_t kProfileBodyLimit = 256 * 1024;
constexpr std::size_t kImportBodyLimit = 16 * 1024 * 1024;  // ~20,000 profile rows
constexpr int kPatchAttempts = 3;                           // optimistic retries on races
constexpr long long kMaxPageSize = 500;

using Participant = std::variant<Buyer, Company>;

participants::StoreRequest store_request(const std::string& event_id, Participant& p) {
  participants::StoreRequest r;
  r.event_id = event_id;
  std::visit(
      [&](auto& profile) {
        using T = std::decay_t<decltype(profile)>;
        r.role = std::is_same_v<T, Buyer> ? Role::kBuyer : Role::kCompany;
        r.external_id = profile.external_id;
        r.participant_id = participants::participant_id(event_id, r.role, profile.external_id);
        profile.id = r.participant_id;
        r.full_json = intake::to_json(profile, intake::Visibility::kFull);
        r.public_json = intake::to_json(profile, intake::Visibility::kPublic);
      },
      p);
  return r;
}

std::string_view role_name(Role role) {
  return role == Role::kBuyer ? "buyer" : "company";
}

std::string stored_answer(const participants::StoreRequest& r,
                          const participants::StoreResult& result) {
  std::string body = "{\"id\":" + json::quote(r.participant_id) + ",\"role\":\"" +
                     std::string(role_name(r.role)) +
                     "\",\"external_id\":" + json::quote(r.external_id) + ",\"status\":\"" +
                     std::string(participants::status_name(result.status)) +
                     "\",\"version\":" + std::to_string(result.version);
  if (!result.token.empty()) body += ",\"token\":" + json::quote(result.token);
  return body + "}";
}

unsigned stored_status(const participants::StoreResult& result) {
  return result.status == participants::StoreResult::Status::kCreated ? 201 : 200;
}

// What the caller may see of participant p: everything (self, organizer), public fields
// (a counterpart: a buyer looking at a company or the other way round), or nothing.
intake::Visibility visibility_for(const http::Request& req,
                                  const participants::StoredParticipant& p) {
  if (is_organizer(req) || req.principal.participant_id == p.id) return intake::Visibility::kFull;
  bool caller_is_buyer = req.principal.participant_id.rfind("b_", 0) == 0;
  if (caller_is_buyer != (p.role == Role::kBuyer)) return intake::Visibility::kPublic;
  throw Error(ErrorCode::kForbidden, "forbidden",
              "participants see only their counterparts' public profiles");
}

}  // namespace

void add_participant_routes(Gateway& gateway, http::Router& router) {
  router.add(
      verb::post, "/v1/events/{e}/participants",
      [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
        require_organizer(req);
        auto info = co_await gateway.event(req, req.param("e"));
        auto doc = json::parse(req.body);
        Participant p = intake::parse_participant(doc, info->context);
        auto request = store_request(info->id, p);
        auto result =
            co_await participants::store(gateway.redis(req), gateway.runtime().topology(), request);
        co_return http::Response::json(stored_status(result), stored_answer(request, result));
      },
      {.body_limit = kProfileBodyLimit});

  router.add(verb::post, "/v1/events/{e}/imports",
             [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
               require_organizer(req);
               auto info = co_await gateway.event(req, req.param("e"));
               std::string_view type = req.header("Content-Type");
               std::optional<Role> role;
               if (auto it = req.query.find("role"); it != req.query.end()) {
                 if (it->second == "buyer") {
                   role = Role::kBuyer;
                 } else if (it->second == "company") {
                   role = Role::kCompany;
                 } else {
                   throw_invalid("invalid_role", "role must be buyer or company", "role");
                 }
               }
               std::vector<intake::ImportRow> rows;
               if (type.rfind("text/csv", 0) == 0) {
                 rows = intake::parse_import_csv(req.body, role, info->context);
               } else if (type.rfind("application/json", 0) == 0) {
                 rows = intake::parse_import_json(req.body, role, info->context);
               } else {
                 throw Error(ErrorCode::kUnsupportedMedia, "unsupported_media_type",
                             "send text/csv or application/json", "Content-Type");
               }
               // Good rows go in, one atomic script each; bad rows change nothing.
               rapidjson::StringBuffer buffer;
               rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
               int accepted = 0, rejected = 0, created = 0;
               w.StartObject();
               w.Key("accepted");
               w.StartArray();
               for (auto& row : rows) {
                 if (!row.participant) continue;
                 auto request = store_request(info->id, *row.participant);
                 auto result = co_await participants::store(gateway.redis(req),
                                                            gateway.runtime().topology(), request);
                 ++accepted;
                 if (result.status == participants::StoreResult::Status::kCreated) ++created;
                 w.StartObject();
                 w.Key("row");
                 w.Int(row.row);
                 w.Key("external_id");
                 w.String(request.external_id);
                 w.Key("id");
                 w.String(request.participant_id);
                 w.Key("role");
                 w.String(role_name(request.role).data());
                 w.Key("status");
                 w.String(participants::status_name(result.status).data());
                 if (!result.token.empty()) {
                   w.Key("token");
                   w.String(result.token);
                 }
                 w.EndObject();
               }
               w.EndArray();
               w.Key("rejected");
               w.StartArray();
               for (const auto& row : rows) {
                 if (row.participant) continue;
                 ++rejected;
                 w.StartObject();
                 w.Key("row");
                 w.Int(row.row);
                 w.Key("external_id");
                 w.String(row.external_id);
                 w.Key("field");
                 w.String(row.field);
                 w.Key("reason");
                 w.String(row.reason);
                 w.Key("message");
                 w.String(row.message);
                 w.EndObject();
               }
               w.EndArray();
               w.Key("summary");
               w.StartObject();
               w.Key("rows");
               w.Int(accepted + rejected);
               w.Key("accepted");
               w.Int(accepted);
               w.Key("rejected");
               w.Int(rejected);
               w.Key("created");
               w.Int(created);
               w.EndObject();
               w.EndObject();
               co_return http::Response::json(200,
                                              std::string(buffer.GetString(), buffer.GetSize()));
             },
             {.body_limit = kImportBodyLimit});

  router.add(verb::get, "/v1/events/{e}/participants/{p}",
             [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
               auto p =
                   co_await participants::load(gateway.redis(req), req.param("e"), req.param("p"));
               bool full = visibility_for(req, p) == intake::Visibility::kFull;
               co_return http::Response::json(200, full ? p.full_json : p.public_json);
             });

  router.add(
      verb::patch, "/v1/events/{e}/participants/{p}",
      [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
        require_self_or_organizer(req, req.param("p"));
        auto info = co_await gateway.event(req, req.param("e"));
        auto patch = json::parse(req.body);
        for (int attempt = 1;; ++attempt) {
          auto current = co_await participants::load(gateway.redis(req), info->id, req.param("p"));
          auto stored = json::parse(current.full_json);
          Participant p = intake::parse_participant(stored, info->context);
          std::visit(
              [&](auto& profile) { profile = intake::apply_patch(profile, patch, info->context); },
              p);
          auto request = store_request(info->id, p);
          request.expected_version = current.version;
          try {
            auto result = co_await participants::store(gateway.redis(req),
                                                       gateway.runtime().topology(), request);
            co_return http::Response::json(200, stored_answer(request, result));
          } catch (const Error& e) {
            if (e.reason() != "version_conflict" || attempt == kPatchAttempts) throw;
          }
        }
      },
      {.body_limit = kProfileBodyLimit});

  // GET /v1/events/{e}/participants?role=buyer|company&limit=N&cursor=C (organizer): full
  // profiles in id order. The cursor is the offset of the next page.
  router.add(
      verb::get, "/v1/events/{e}/participants",
      [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
        require_organizer(req);
        auto info = co_await gateway.event(req, req.param("e"));
        auto page = parse_page(req.query, kMaxPageSize);
        auto role = req.query.count("role") ? req.query.at("role") : "buyer";
        if (role != "buyer" && role != "company") {
          throw_invalid("invalid_role", "role must be buyer or company", "role");
        }
        std::string index = keys::role_index(info->id, role == "buyer");
        std::vector<redis::Command> page_read{
            {"SCARD", index},
            {"SORT", index, "ALPHA", "LIMIT", std::to_string(page.offset),
             std::to_string(page.limit), "GET", keys::tag(info->id) + ":participant:*->profile"}};
        auto replies = co_await gateway.redis(req).pipeline(std::move(page_read));
        long long total = replies.at(0).as_integer();
        std::string body = "{\"items\":[";
        bool first = true;
        for (const auto& item : replies.at(1).elements) {
          if (item.is_nil()) continue;
          if (!first) body += ',';
          first = false;
          body += item.as_string();
        }
        long long next = page.offset + page.limit;
        body += "],\"total\":" + std::to_string(total) +
                ",\"next_cursor\":" + (next < total ? json::quote(std::to_string(next)) : "null") +
                "}";
        co_return http::Response::json(200, body);
      });

  router.add(verb::post, "/v1/events/{e}/participants/{p}/token",
             [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
               require_organizer(req);
               std::string token = co_await participants::rotate_token(
                   gateway.redis(req), req.param("e"), req.param("p"));
               co_return http::Response::json(200, "{\"id\":" + json::quote(req.param("p")) +
                                                       ",\"token\":" + json::quote(token) + "}");
             });

  router.add(verb::delete_, "/v1/events/{e}/participants/{p}/token",
             [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
               require_organizer(req);
               co_await participants::revoke_token(gateway.redis(req), req.param("e"),
                                                   req.param("p"));
               co_return http::Response::text(204, "application/json", "");
             });
}

}  // namespace sangdam::gateway
