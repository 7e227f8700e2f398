#include "services/common/event_cache.hpp"

#include "matching/error.hpp"
#include "services/common/config.hpp"
#include "services/common/keys.hpp"

namespace sangdam {

Catalogs load_catalogs(const std::map<std::string, std::string>& files) {
  Catalogs c;
  for (const char* name : {"taxonomy", "markets"}) {
    if (!files.count(name)) throw ConfigError(std::string("config: files.") + name + ": missing");
  }
  try {
    c.taxonomy = Taxonomy::from_json(read_file(files.at("taxonomy")));
    c.markets = Markets::from_json(read_file(files.at("markets")));
  } catch (const Error& e) {
    throw ConfigError(std::string("reference data: ") + e.what() + " (" + e.field() + ")");
  }
  return c;
}

boost::asio::awaitable<std::shared_ptr<const EventInfo>> EventCache::get(
    redis::Client& redis, const std::string& event_id) {
  {
    std::lock_guard lock(mutex_);
    auto it = events_.find(event_id);
    if (it != events_.end()) co_return it->second;
  }
  redis::Command get{"GET", keys::event(event_id)};
  auto reply = co_await redis.call(std::move(get));
  if (reply.is_nil() || reply.is_error()) {
    throw Error(ErrorCode::kNotFound, "event_not_found", "no event " + event_id);
  }
  auto info = std::make_shared<EventInfo>();
  info->id = event_id;
  info->json = reply.as_string();
  info->event = event::parse_event(info->json);
  info->context = intake::context_for(info->event, &taxonomy_);
  std::lock_guard lock(mutex_);
  events_.emplace(event_id, info);
  co_return info;
}

}  // namespace sangdam
