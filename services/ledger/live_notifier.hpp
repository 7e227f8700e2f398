// Turns bus messages into live notifications: one entry per message in the event's live stream
// (keys::live), written at most once per bus message. The gateway reads that stream and pushes
// each entry to the WebSocket clients it concerns (services/gateway/live_routes.cpp).
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>

#include "services/common/bus.hpp"
#include "services/common/event_cache.hpp"
#include "services/common/redis.hpp"

namespace sangdam::ledger_service {

// MAXLEN ~ of an event's live stream: a client that was away for more entries than this gets
// "resync_required" and reloads its state instead of a replay.
inline constexpr long long kLiveStreamMaxLen = 100000;
// How long a notified bus message is remembered against redelivery. Redeliveries come within
// minutes (retry delay, XAUTOCLAIM after 30 s, at most 5 deliveries); a week is ample.
inline constexpr std::chrono::seconds kLiveDoneTtl = std::chrono::hours(24 * 7);

// XADDs the notification of delivery (when its type is notified) to keys::live(event) as
//   type, audience ("b1,c7" | "*"), source (the message's idempotency key), time, payload
// in one bus::apply_once keyed by the source, so a redelivered message adds nothing. Returns
// true when an entry was added. Check-ins and outcomes are routed to the parties of their
// meeting (read from the timetable). Throws kUnprocessable "meeting_not_found" for a record of
// an unknown meeting and kInvalidArgument for an unroutable payload (both poison: dead-lettered);
// Redis failures propagate (retried).
boost::asio::awaitable<bool> notify(redis::Client& redis, const EventInfo& event,
                                    const bus::Delivery& delivery);

}  // namespace sangdam::ledger_service
