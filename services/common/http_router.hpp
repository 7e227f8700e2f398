// Routes of one server: verb + pattern ("/v1/events/{e}/participants/{p}") -> handler.
// A pattern segment is either literal or a whole-segment parameter {name}. When several
// patterns match a path, the one with more literal segments wins ("/v1/events/{e}/report"
// beats "/v1/events/{e}/{x}"), so registration order does not matter.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "services/common/http_message.hpp"

namespace sangdam::http {

struct RouteOptions {
  std::size_t body_limit = 64 * 1024;  // bytes; over it -> 413 JSON error
  bool authenticate = true;            // false for /healthz etc.
  // WebSocket routes only: runs after authentication and before the upgrade, so that a refusal
  // (a thrown sangdam::Error: bad query, no access) is a plain HTTP error response.
  std::function<asio::awaitable<void>(Request&)> admit;
};

using Authenticator = std::function<asio::awaitable<void>(Request&)>;

class Router {
 public:
  struct Segment {
    std::string text;  // literal text, or the parameter name
    bool parameter = false;
  };
  struct Route {
    beast::http::verb method;
    std::string pattern;
    std::vector<Segment> segments;
    Handler handler;             // set for plain routes
    WebSocketHandler websocket;  // set for WebSocket routes (method is GET)
    RouteOptions options;
    std::size_t index = 0;  // position in routes(), for per-route state kept elsewhere
    std::size_t literals = 0;
  };
  struct Match {
    const Route* route = nullptr;  // null: 404 when allow is empty, else 405
    std::string allow;             // verbs the path accepts, for the Allow header
  };

  // Throws Error(kInternal) on a malformed pattern or a duplicate verb + pattern: both are
  // programming mistakes found at start-up.
  void add(beast::http::verb method, std::string pattern, Handler handler,
           RouteOptions options = {});
  void add_websocket(std::string pattern, WebSocketHandler handler, RouteOptions options = {});
  // Runs before every route with authenticate=true; throws sangdam::Error to refuse.
  void set_authenticator(Authenticator authenticator);

  bool has(beast::http::verb method, std::string_view pattern) const;
  // Matches request.method and the path of request.target; on success fills request.params
  // and request.route. Throws Error(kInvalidArgument) on a malformed target.
  Match match(Request& request) const;

  const std::vector<Route>& routes() const { return routes_; }
  const Authenticator& authenticator() const { return authenticator_; }

 private:
  void add_route(Route route);

  std::vector<Route> routes_;
  Authenticator authenticator_;
};

}  // namespace sangdam::http
