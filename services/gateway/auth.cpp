// Bearer-token authentication. The admin token comes from configuration; organizer and
// participant tokens are looked up by their SHA-256 in the event's token hash, so a token of
// one event means nothing in another.
#include "matching/error.hpp"
#include "services/common/keys.hpp"
#include "services/common/tokens.hpp"
#include "services/gateway/gateway.hpp"

namespace sangdam::gateway {

namespace asio = boost::asio;
using Role = Principal::Role;

namespace {

std::string bearer_token(const http::Request& req) {
  std::string_view value = req.header("Authorization");
  constexpr std::string_view kScheme = "Bearer ";
  if (value.size() <= kScheme.size() || value.substr(0, kScheme.size()) != kScheme) return {};
  return std::string(value.substr(kScheme.size()));
}

[[noreturn]] void unauthenticated(std::string message) {
  throw Error(ErrorCode::kUnauthenticated, "unauthenticated", std::move(message));
}

}  // namespace

void set_principal(http::Request& req, const std::string& event_id, std::string_view who) {
  if (who == "admin") {
    req.principal.role = Role::kAdmin;
    return;
  }
  req.principal.event_id = event_id;
  if (who == "organizer") {
    req.principal.role = Role::kOrganizer;
  } else if (who.rfind("participant:", 0) == 0) {
    req.principal.role = Role::kParticipant;
    req.principal.participant_id = std::string(who.substr(12));
  } else {
    unauthenticated("token not recognised for this event");
  }
}

asio::awaitable<void> authenticate(Gateway& gateway, http::Request& req) {
  std::string token = bearer_token(req);
  if (token.empty()) unauthenticated("send Authorization: Bearer <token>");
  const std::string& admin = gateway.runtime().config().admin_token;
  if (!admin.empty() && tokens::equal(token, admin)) {
    req.principal.role = Role::kAdmin;
    co_return;
  }
  auto e = req.params.find("e");
  if (e == req.params.end() || token.size() > 256) unauthenticated("token not recognised");
  // Commands are named variables: g++ 12 miscompiles braced lists inside co_await.
  redis::Command lookup{"HGET", keys::tokens(e->second), tokens::sha256_hex(token)};
  auto reply = co_await gateway.redis(req).call(std::move(lookup));
  if (reply.is_nil() || reply.is_error()) unauthenticated("token not recognised for this event");
  set_principal(req, e->second, reply.as_string());
}

void add_auth(Gateway& gateway, http::Router& router) {
  router.set_authenticator([&gateway](http::Request& req) -> asio::awaitable<void> {
    return authenticate(gateway, req);
  });
}

namespace {
[[noreturn]] void forbidden(std::string message) {
  throw Error(ErrorCode::kForbidden, "forbidden", std::move(message));
}
}  // namespace

void require_admin(const http::Request& req) {
  if (req.principal.role != Role::kAdmin) forbidden("only the platform admin may do this");
}

bool is_organizer(const http::Request& req) {
  return req.principal.role == Role::kAdmin || req.principal.role == Role::kOrganizer;
}

void require_organizer(const http::Request& req) {
  if (!is_organizer(req)) forbidden("only the event's organizer may do this");
}

void require_self_or_organizer(const http::Request& req, const std::string& participant_id) {
  if (is_organizer(req)) return;
  if (req.principal.role == Role::kParticipant && req.principal.participant_id == participant_id) {
    return;
  }
  forbidden("only this participant or the organizer may do this");
}

}  // namespace sangdam::gateway
