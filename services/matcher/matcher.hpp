// The matcher's work: one MatchIndex per trade event in memory, kept in step with the stored
// profiles through the "profiles" topic, and every participant's ranked list written to Redis
// (keys::matches) together with the profile generation it reflects (keys::matches_generation).
// services/matcher/README.md and docs/matching.md ("The matcher service") describe the flow.
//
// Threading: handle() runs on the consumer's io_context (one thread); messages are handled one
// at a time, so an event's index has a single writer.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "matching/scoring/match_index.hpp"
#include "services/common/bus.hpp"
#include "services/common/event_cache.hpp"
#include "services/common/redis.hpp"
#include "services/matcher/match_list.hpp"

namespace sangdam::matcher {

struct MatcherOptions {
  unsigned recompute_threads = 2;     // worker threads of a full recompute
  std::size_t lists_per_write = 200;  // lists per script call when every list is rewritten
  // An index is rebuilt from Redis (fresh term statistics) when more participants joined since
  // it was built than max(rebuild_min_joined, rebuild_growth * size at build).
  std::size_t rebuild_min_joined = 64;
  double rebuild_growth = 0.25;
  // A change read while more than max(rebuild_min_backlog, size / rebuild_backlog_divisor)
  // later changes wait behind it (a bulk import) rebuilds once instead of rescoring each.
  long long rebuild_min_backlog = 32;
  long long rebuild_backlog_divisor = 8;
};

// What a "profile.changed" payload says (participant_store.cpp writes it).
struct ProfileChange {
  std::string participant_id;
  bool buyer = true;
  long long version = 0;
  bool created = false;
  long long generation = 0;  // 0: not given (an older producer) -> the index rebuilds
};
// Throws sangdam::Error(kInvalidArgument, "malformed_payload", ..., field) on a bad payload.
ProfileChange parse_profile_change(std::string_view payload);

class Matcher {
 public:
  Matcher(redis::Client& redis, bus::Topology topology, const Catalogs& catalogs,
          scoring::MatchConfig config, MatcherOptions options = {});
  ~Matcher();

  // "profile.changed": rescore the participant's row or column and store the lists that
  // changed. "matches.recompute": rebuild the event's index and store every list. Other types
  // are acknowledged and ignored. Throws what the bus should retry (Redis down) or dead-letter
  // (a malformed payload, an unknown event).
  boost::asio::awaitable<void> handle(const bus::Delivery& delivery);

 private:
  struct EventState;
  using ListWrite = std::pair<std::string, std::string>;  // key, JSON

  boost::asio::awaitable<EventState*> state_for(const std::string& event_id);
  boost::asio::awaitable<void> rebuild(EventState& state);
  boost::asio::awaitable<void> apply(EventState& state, const ProfileChange& change);
  // One atomic script: lists are stored unless a newer generation is already stored; advance
  // moves the matches generation to `generation` and publishes matches.changed (payload).
  boost::asio::awaitable<void> write_lists(const EventState& state, std::vector<ListWrite> lists,
                                           long long generation, bool advance,
                                           const std::string& changed_payload);
  ListWrite list_of(EventState& state, scoring::Side side, std::size_t index);
  bool rebuild_due(const EventState& state, const ProfileChange& change) const;

  redis::Client& redis_;
  bus::Topology topology_;
  const Catalogs& catalogs_;
  scoring::MatchConfig config_;
  MatcherOptions options_;
  EventCache events_;
  std::unordered_map<std::string, std::unique_ptr<EventState>> states_;
};

}  // namespace sangdam::matcher
