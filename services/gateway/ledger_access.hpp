// Who speaks for a ledger record, shared by the outcome and deal routes.
#pragma once

#include <chrono>

#include "matching/ledger/records.hpp"
#include "services/common/http.hpp"
#include "services/common/meeting_store.hpp"

namespace sangdam::gateway {

// The side the caller speaks for at this meeting: kOrganizer for the organizer (or admin),
// kBuyer / kCompany for the meeting's own participants. Anyone else gets 404
// "meeting_not_found": participants must not learn about other people's meetings.
ledger::Side party_side(const http::Request& req, const meetings::Meeting& meeting);

// The principal as a deal version's changed_by: "organizer" or the participant id.
std::string principal_name(const http::Request& req);

// Now, to the second: the precision of the ledger's record times.
inline std::chrono::sys_seconds now_seconds() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace sangdam::gateway
