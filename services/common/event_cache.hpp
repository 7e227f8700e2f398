// Events as the services need them to validate input: read from Redis, parsed once, cached in
// memory (an event does not change after it is created), shared between threads.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "matching/catalog.hpp"
#include "matching/event/event.hpp"
#include "matching/intake/participant.hpp"
#include "services/common/redis.hpp"

namespace sangdam {

struct EventInfo {
  std::string id;
  event::Event event;
  std::string json;              // the event as set up, with its slots, as clients see it
  intake::EventContext context;  // what a profile of this event is validated against
};

// The reference data every service loads at start: config/taxonomy.json and markets.json.
struct Catalogs {
  Taxonomy taxonomy;
  Markets markets;
};
// Throws ConfigError or sangdam::Error naming the file.
Catalogs load_catalogs(const std::map<std::string, std::string>& files);

class EventCache {
 public:
  explicit EventCache(const Taxonomy& taxonomy) : taxonomy_(taxonomy) {}

  // Throws sangdam::Error(kNotFound, "event_not_found").
  boost::asio::awaitable<std::shared_ptr<const EventInfo>> get(redis::Client& redis,
                                                               const std::string& event_id);

 private:
  const Taxonomy& taxonomy_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const EventInfo>> events_;
};

}  // namespace sangdam
