// Storing participant profiles: the one write path shared by the API (gateway), bulk imports
// (gateway) and the intake stream (registry). A profile is keyed by (event, role, external id),
// so sending the same profile again updates it and never duplicates it. The write, the token
// hash and the profile event on the bus happen in one Lua script: all or nothing.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

#include "matching/profile.hpp"
#include "services/common/bus.hpp"
#include "services/common/redis.hpp"

namespace sangdam::participants {

// "b_<16 hex>" or "c_<16 hex>": derived from (event, role, external id), stable forever.
std::string participant_id(std::string_view event_id, Role role, std::string_view external_id);

struct StoreRequest {
  std::string event_id;
  Role role = Role::kBuyer;
  std::string participant_id;
  std::string external_id;
  std::string full_json;                      // what the owner and the organizer see
  std::string public_json;                    // what counterparts see
  std::optional<long long> expected_version;  // PATCH: refuse if someone changed it meanwhile
};

struct StoreResult {
  enum class Status { kCreated, kUpdated, kUnchanged };
  Status status = Status::kCreated;
  long long version = 0;
  std::string token;  // the new participant token, only when created
};

std::string_view status_name(StoreResult::Status status);

// Throws sangdam::Error(kConflict, "version_conflict") when expected_version does not match.
boost::asio::awaitable<StoreResult> store(redis::Client& redis, const bus::Topology& topology,
                                          const StoreRequest& request);

struct StoredParticipant {
  std::string id;
  Role role = Role::kBuyer;
  std::string external_id;
  std::string full_json;
  std::string public_json;
  long long version = 0;
};

// Throws sangdam::Error(kNotFound, "participant_not_found").
boost::asio::awaitable<StoredParticipant> load(redis::Client& redis, std::string_view event_id,
                                               std::string_view participant_id);

// A new token for a participant (the old one stops working), or none (revoked).
boost::asio::awaitable<std::string> rotate_token(redis::Client& redis, std::string_view event_id,
                                                 std::string_view participant_id);
boost::asio::awaitable<void> revoke_token(redis::Client& redis, std::string_view event_id,
                                          std::string_view participant_id);

}  // namespace sangdam::participants
