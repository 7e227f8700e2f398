// Who is calling: set by the gateway's authentication hook from the bearer token, read by
// handlers to check the role. Services other than the gateway see kNone.
#pragma once

#include <string>

namespace sangdam {

struct Principal {
  enum class Role { kNone, kAdmin, kOrganizer, kParticipant };
  Role role = Role::kNone;
  std::string event_id;        // organizer and participant: the event the token belongs to
  std::string participant_id;  // participant only
};

}  // namespace sangdam
