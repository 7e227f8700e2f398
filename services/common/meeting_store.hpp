// The meeting store: the timetable of one trade event in Redis, and the only code that changes
// it. Self-booking, cancelling and publishing an optimiser result are each ONE Lua script over
// keys of the event's hash tag, so every resource (both participants, a table, an interpreter,
// travel time, the daily maximum) is checked and reserved together: all or nothing. Every
// change also emits its event on the bus topic "meetings" inside the same script.
// Keys and the occupancy fields: services/common/keys.hpp and docs/booking.md.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <string>
#include <vector>

#include "services/common/bus.hpp"
#include "services/common/event_cache.hpp"
#include "services/common/redis.hpp"

namespace sangdam::meetings {

// Limits of what a caller may send.
inline constexpr std::size_t kMaxIdempotencyKeyBytes = 128;  // [A-Za-z0-9._:-]
inline constexpr std::size_t kMaxRequestIdBytes = 128;
inline constexpr int kIdempotencyTtlSeconds = 24 * 60 * 60;  // a retry within a day is a replay
inline constexpr int kStaleProfileAttempts = 3;  // a profile changed during the booking: retry

struct Meeting {
  std::string id;  // "m_<hex>"
  std::string buyer_id, company_id;
  int slot = -1;             // event slot index
  std::string venue, table;  // table label at the venue (assigned by the store)
  std::string interpreter;   // interpreter pool id, "" when the pair shares a language
  std::string status;        // "scheduled" | "cancelled"
  std::string source;        // "booking" | "schedule" | "organizer"
  std::string request_id;    // the request it came from, if any
  long long version = 1;     // grows on every change (move) -> iCalendar SEQUENCE later
  std::string updated_at;    // RFC 3339 UTC
};

// The meeting as clients and bus payloads see it (one JSON object, buyer_id and company_id
// included so live updates can be routed).
std::string to_json(const Meeting& meeting);
// Reads what to_json (or the store's Lua) wrote; unknown members are ignored. Throws
// sangdam::Error(kInvalidArgument, "malformed_meeting").
Meeting parse_meeting(std::string_view json);

struct BookingRequest {
  std::string buyer_id, company_id;
  int slot = -1;
  std::string idempotency_key;  // "" = not idempotent
  std::string source = "booking";
  std::string request_id;
};

// Books `slot` for the pair. Throws Error(kConflict, reason) with reason buyer_busy,
// company_busy, participant_unavailable, no_table, no_interpreter, travel_time, daily_limit,
// pair_already_meets; kNotFound participant_not_found; kInvalidArgument for a bad slot, ids or
// key (field named); kUnprocessable idempotency_key_reused when the key was used for another
// booking. The same key returns the same meeting (also after it was cancelled).
boost::asio::awaitable<Meeting> book(redis::Client& redis, const bus::Topology& topology,
                                     const EventInfo& event, const BookingRequest& request);

// Cancels; idempotent (a cancelled meeting is returned as it is, no second event).
// Throws kNotFound "meeting_not_found".
boost::asio::awaitable<Meeting> cancel(redis::Client& redis, const bus::Topology& topology,
                                       const std::string& event_id, const std::string& meeting_id,
                                       const std::string& by);

// The timetable in (slot, venue, table) order; a consistent snapshot.
boost::asio::awaitable<std::vector<Meeting>> list(redis::Client& redis, const std::string& event_id,
                                                  bool include_cancelled = false);
// One participant's meetings in slot order; a consistent snapshot.
boost::asio::awaitable<std::vector<Meeting>> agenda(redis::Client& redis,
                                                    const std::string& event_id,
                                                    const std::string& participant_id,
                                                    bool include_cancelled = true);
// Throws kNotFound "meeting_not_found".
boost::asio::awaitable<Meeting> get(redis::Client& redis, const std::string& event_id,
                                    const std::string& meeting_id);

// One change made by publish(): "meeting.placed" | "meeting.moved" | "meeting.cancelled".
struct Change {
  std::string type;
  Meeting meeting;
};

struct PublishResult {
  int placed = 0, moved = 0, cancelled = 0, kept = 0;
  std::string schedule_version;
  int skipped = 0;              // placements for pairs that hold a booking/organizer meeting
  std::vector<Change> changes;  // what the bus got, in order
};

// Publishing an optimiser result: ONE Lua step that replaces every "schedule" meeting with
// `placements` (buyer_id, company_id, slot, interpreter are read; ids are kept for pairs that
// already had a schedule meeting, version+1 when slot, table or interpreter changes), keeps the
// "booking"/"organizer" meetings, and rebuilds the occupancy. Readers see the old or the new
// timetable, never a mix. Emits meeting.placed / moved / cancelled and one schedule.published.
// Checks capacities (participants' seats, tables, interpreters on duty); a placement that does
// not fit throws Error(kConflict, "schedule_infeasible") and changes nothing. Daily maximum,
// travel and unavailability are the optimiser's (and its checker's) job.
boost::asio::awaitable<PublishResult> publish(redis::Client& redis, const bus::Topology& topology,
                                              const EventInfo& event,
                                              const std::vector<Meeting>& placements,
                                              const std::string& run_id);

}  // namespace sangdam::meetings
