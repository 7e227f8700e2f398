// Live notifications: which bus messages a participant hears about, and what a client gets.
// Pure mapping from one bus message (type + payload JSON) to one notification (type, audience,
// client payload); the ledger service stores it in the event's live stream and the gateway fans
// it out over WebSocket (docs/ledger.md, "Live updates").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "matching/event/event.hpp"

namespace sangdam::ledger {

// Audience member meaning "every participant of the event" (schedule.published). The
// organizer hears every notification and is never listed.
inline constexpr std::string_view kEveryone = "*";

struct Notification {
  std::string type;                   // the bus message type, e.g. "meeting.cancelled"
  std::vector<std::string> audience;  // participant ids it concerns, or {kEveryone}
  std::string payload;                // JSON object a client can act on
};

// The two sides of a meeting, for records that name only the meeting (check-ins, outcomes):
// the service looks them up in the timetable.
struct MeetingParties {
  std::string buyer_id;
  std::string company_id;
};

// What the builder may use besides the message itself. Every pointer may be null.
struct NotificationContext {
  const event::Event* event = nullptr;              // local times of slots (time zone)
  const std::vector<event::Slot>* slots = nullptr;  // derive_slots(*event): slot -> times
  const MeetingParties* parties = nullptr;          // checkin.recorded / outcome.reported
};

// True for the bus types that become notifications: request.created / accepted / declined /
// withdrawn / expired, meeting.placed / moved / cancelled, schedule.published,
// checkin.recorded, outcome.reported, deal.changed. Organizer-only bookkeeping (pair.added,
// pair.removed) and unknown types are not notified.
bool is_notified(std::string_view type);

// The meeting a check-in or outcome message is about ("" for other types or when absent), so
// the service knows whose parties to look up. Throws like notification_for on malformed JSON.
std::string meeting_of(std::string_view type, std::string_view payload_json);

// nullopt when the type is not notified. Throws sangdam::Error(kInvalidArgument,
// "malformed_payload", field) when the payload is not a JSON object or lacks what routing needs
// (participant ids, meeting id); for check-ins and outcomes context.parties is required
// (kInvalidArgument "missing_parties" without it). Meeting payloads get start/end times when
// context.event and context.slots are given and the slot is known.
// Outcome notifications say THAT a side reported (held / no-show) but not its rating, value or
// notes: those are the reporter's own assessment, not the counterpart's to read live.
std::optional<Notification> notification_for(std::string_view type, std::string_view payload_json,
                                             const NotificationContext& context);

// "b1,c7" and back. Participant ids never contain ','.
std::string join_audience(const std::vector<std::string>& audience);
// True when the audience text names participant_id or kEveryone.
bool concerns(std::string_view audience_text, std::string_view participant_id);

}  // namespace sangdam::ledger
