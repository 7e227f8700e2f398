// Meeting requests and organizer pairs: the one write path for "a buyer asks a company for a
// meeting (or the other way round)", "the receiver accepts or declines", "the sender withdraws",
// and "the organizer adds a must-meet pair or removes a pair". Every change is one Lua script:
// the state check, the write, the indexes and the request.* message on the bus topic
// "requests" happen together or not at all. docs/requests.md has the state machine and keys.
//
// State machine: pending -> accepted | declined | withdrawn | expired. Expiry is lazy: a read
// shows a pending request past expires_at as "expired", and the next write that touches it
// (a transition, or a new request of the same sender or pair) stores the expiry and emits
// request.expired. A pending request never holds a slot; only accepted ones feed the schedule.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "services/common/bus.hpp"
#include "services/common/redis.hpp"

namespace sangdam::requests {

// Limits visible where requests are made.
inline constexpr std::size_t kMaxMessageBytes = 2000;  // the note to the counterpart
inline constexpr std::size_t kMaxClientKeyBytes = 128;
inline constexpr double kMaxPairWeight = 10.0;  // organizer pair weight multiplier

struct Request {
  std::string id;
  std::string sender_id;
  std::string receiver_id;
  std::string buyer_id;
  std::string company_id;
  std::string status;  // pending | accepted | declined | withdrawn | expired
  std::string message;
  std::string created_at;  // RFC 3339 UTC
  std::string updated_at;
  std::string expires_at;
  long long expires_at_ms = 0;  // Unix milliseconds, what expiry is decided on
  long long version = 1;        // +1 per transition
};

struct NewRequest {
  std::string event_id;
  std::string sender_id;    // the calling participant
  std::string receiver_id;  // the counterpart: a company for a buyer, a buyer for a company
  std::string message;
  std::string client_key;             // idempotency key of the sender; empty: none
  std::chrono::seconds expires_in{};  // from the event's policy (or shorter, by the sender)
  int max_outgoing = 20;              // policies.max_outgoing_requests
};

struct CreateResult {
  Request request;
  bool created = false;  // false: the client key was seen before, this is the first answer
};

// Throws sangdam::Error:
//   kInvalidArgument "same_side" (buyer to buyer, company to company), "invalid_participant",
//                    "message_too_long", "invalid_client_key"
//   kNotFound        "receiver_not_found"
//   kConflict        "duplicate_request" (a pending request between the pair exists; its id is
//                    in the message)
//   kRateLimited     "outgoing_request_limit" (policies.max_outgoing_requests pending)
boost::asio::awaitable<CreateResult> create(redis::Client& redis, const bus::Topology& topology,
                                            const NewRequest& request);

enum class Action { kAccept, kDecline, kWithdraw };

// The receiver accepts or declines; the sender withdraws. Throws sangdam::Error:
//   kNotFound "request_not_found" (also for callers who are not a party to it)
//   kForbidden "wrong_side" (the sender accepting, the receiver withdrawing)
//   kGone "request_expired"; kConflict "request_not_pending" (already answered)
boost::asio::awaitable<Request> transition(redis::Client& redis, const bus::Topology& topology,
                                           const std::string& event_id,
                                           const std::string& request_id,
                                           const std::string& actor_id, Action action);

// One request with expiry applied to the view; nullopt when it does not exist.
boost::asio::awaitable<std::optional<Request>> load(redis::Client& redis,
                                                    const std::string& event_id,
                                                    const std::string& request_id);
// Requests a participant sent or received, newest first.
boost::asio::awaitable<std::vector<Request>> list_for(redis::Client& redis,
                                                      const std::string& event_id,
                                                      const std::string& participant_id);
// Accepted requests of an event (the schedule's input), in id order.
boost::asio::awaitable<std::vector<Request>> list_accepted(redis::Client& redis,
                                                           const std::string& event_id);

// The request as the API shows it (JSON object).
std::string to_json(const Request& request);

// An organizer pair: must-meet (with a weight multiplier) or removed (excluded from runs).
struct Pair {
  std::string buyer_id;
  std::string company_id;
  double weight = 1.0;  // multiplier of the must-meet weight, (0, kMaxPairWeight]
  std::string updated_at;
};

// Adds (or re-weights) a must-meet pair and lifts a removal of it. Emits pair.added.
// Throws kInvalidArgument "invalid_weight", kNotFound "participant_not_found".
boost::asio::awaitable<Pair> add_pair(redis::Client& redis, const bus::Topology& topology,
                                      const std::string& event_id, Pair pair);
// Excludes a pair from every later schedule run (drops its must-meet). Emits pair.removed.
boost::asio::awaitable<void> remove_pair(redis::Client& redis, const bus::Topology& topology,
                                         const std::string& event_id, const std::string& buyer_id,
                                         const std::string& company_id);

struct Pairs {
  std::vector<Pair> must_meet;
  std::vector<std::pair<std::string, std::string>> removed;  // (buyer, company)
};
boost::asio::awaitable<Pairs> list_pairs(redis::Client& redis, const std::string& event_id);

std::string to_json(const Pair& pair);
std::string to_json(const Pairs& pairs);

// "b_..." is a buyer and "c_..." a company (participant_store.hpp ids).
bool is_buyer_id(std::string_view id);
bool is_company_id(std::string_view id);

}  // namespace sangdam::requests
