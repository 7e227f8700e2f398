// What a handler sees of one HTTP exchange: a parsed Request in, a Response out.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/verb.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "services/common/principal.hpp"

namespace sangdam::http {

namespace asio = boost::asio;
namespace beast = boost::beast;

struct Request {
  beast::http::verb method = beast::http::verb::get;
  std::string target;                         // raw target as sent
  std::string path;                           // percent-decoded path without the query
  std::map<std::string, std::string> query;   // decoded ?k=v (last one wins)
  std::map<std::string, std::string> params;  // path parameters: {e} -> value
  beast::http::fields headers;
  std::string body;
  std::string request_id;  // X-Request-Id when sane, else generated; echoed in the response
  std::string route;       // the pattern that matched, e.g. "/v1/events/{e}"
  int worker = 0;          // index of the io_context (thread) serving it
  Principal principal;     // filled by the authenticator

  // Empty when the header is absent.
  std::string_view header(std::string_view name) const;
  // Throws Error(kInternal): a handler asking for a parameter its route lacks is a bug.
  const std::string& param(const std::string& name) const;
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers

  static Response json(unsigned status, std::string body);
  static Response text(unsigned status, std::string content_type, std::string body);
};

using Handler = std::function<asio::awaitable<Response>(Request&)>;

class WebSocketSession;
using WebSocketHandler =
    std::function<asio::awaitable<void>(Request&, std::shared_ptr<WebSocketSession>)>;

// Percent-decoding of one path segment or query component; '+' becomes a space only in
// queries. Throws Error(kInvalidArgument, "malformed_target") on a bad escape.
std::string percent_decode(std::string_view text, bool plus_is_space);

// Splits target into path and query, filling request.path and request.query.
void parse_target(Request& request);

// A request id is kept from the client when it is 1..64 of [A-Za-z0-9._:-]; otherwise the
// server makes one. Ids are unique per process.
bool sane_request_id(std::string_view id);
std::string make_request_id();

}  // namespace sangdam::http
