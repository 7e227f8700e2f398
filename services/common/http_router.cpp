#include "services/common/http_router.hpp"

#include "matching/error.hpp"

namespace sangdam::http {

namespace {

// Splits "/a/b/c" into {"a","b","c"}; "/" gives one empty segment so that it matches only "/".
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  path.remove_prefix(1);
  while (true) {
    auto slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return parts;
}

std::vector<Router::Segment> parse_pattern(const std::string& pattern) {
  if (pattern.empty() || pattern.front() != '/') {
    throw Error(ErrorCode::kInternal, "bad_route_pattern", "pattern must start with /: " + pattern);
  }
  std::vector<Router::Segment> segments;
  for (std::string_view part : split_path(pattern)) {
    bool open = !part.empty() && part.front() == '{';
    bool close = !part.empty() && part.back() == '}';
    if (open != close || (open && part.size() < 3) ||
        part.find_first_of("{}", open ? 1 : 0) < part.size() - (close ? 1 : 0)) {
      throw Error(ErrorCode::kInternal, "bad_route_pattern",
                  "a parameter must be a whole segment {name}: " + pattern);
    }
    if (open) {
      segments.push_back({std::string(part.substr(1, part.size() - 2)), true});
    } else {
      segments.push_back({std::string(part), false});
    }
  }
  return segments;
}

std::string verb_list_append(std::string list, beast::http::verb verb) {
  std::string_view name = beast::http::to_string(verb);
  if (list.find(name) != std::string::npos) return list;
  if (!list.empty()) list += ", ";
  list += name;
  return list;
}

}  // namespace

void Router::add_route(Route route) {
  if (has(route.method, route.pattern)) {
    throw Error(ErrorCode::kInternal, "duplicate_route",
                std::string("route registered twice: ") +
                    std::string(beast::http::to_string(route.method)) + " " + route.pattern);
  }
  route.segments = parse_pattern(route.pattern);
  for (const auto& segment : route.segments) route.literals += segment.parameter ? 0 : 1;
  route.index = routes_.size();
  routes_.push_back(std::move(route));
}

void Router::add(beast::http::verb method, std::string pattern, Handler handler,
                 RouteOptions options) {
  Route route;
  route.method = method;
  route.pattern = std::move(pattern);
  route.handler = std::move(handler);
  route.options = options;
  add_route(std::move(route));
}

void Router::add_websocket(std::string pattern, WebSocketHandler handler, RouteOptions options) {
  Route route;
  route.method = beast::http::verb::get;
  route.pattern = std::move(pattern);
  route.websocket = std::move(handler);
  route.options = options;
  add_route(std::move(route));
}

void Router::set_authenticator(Authenticator authenticator) {
  authenticator_ = std::move(authenticator);
}

bool Router::has(beast::http::verb method, std::string_view pattern) const {
  for (const auto& route : routes_) {
    if (route.method == method && route.pattern == pattern) return true;
  }
  return false;
}

Router::Match Router::match(Request& request) const {
  parse_target(request);
  std::string_view target = request.target;
  std::vector<std::string_view> parts = split_path(target.substr(0, target.find('?')));
  // Segments are decoded one by one so that an encoded '/' (%2F) stays inside its parameter.
  std::vector<std::string> decoded;
  decoded.reserve(parts.size());
  for (std::string_view part : parts) decoded.push_back(percent_decode(part, false));

  Match result;
  for (const auto& route : routes_) {
    if (route.segments.size() != decoded.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < decoded.size() && same; ++i) {
      const Segment& segment = route.segments[i];
      same = segment.parameter ? !decoded[i].empty() : segment.text == decoded[i];
    }
    if (!same) continue;
    if (route.method != request.method) {
      result.allow = verb_list_append(std::move(result.allow), route.method);
      continue;
    }
    if (result.route == nullptr || route.literals > result.route->literals) result.route = &route;
  }
  if (result.route == nullptr) return result;
  const Route& route = *result.route;
  request.route = route.pattern;
  request.params.clear();
  for (std::size_t i = 0; i < decoded.size(); ++i) {
    if (route.segments[i].parameter) request.params[route.segments[i].text] = std::move(decoded[i]);
  }
  return result;
}

}  // namespace sangdam::http
