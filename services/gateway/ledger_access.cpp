#include "services/gateway/ledger_access.hpp"

#include "matching/error.hpp"
#include "services/gateway/gateway.hpp"

namespace sangdam::gateway {

ledger::Side party_side(const http::Request& req, const meetings::Meeting& meeting) {
  if (is_organizer(req)) return ledger::Side::kOrganizer;
  const std::string& me = req.principal.participant_id;
  if (!me.empty() && me == meeting.buyer_id) return ledger::Side::kBuyer;
  if (!me.empty() && me == meeting.company_id) return ledger::Side::kCompany;
  throw Error(ErrorCode::kNotFound, "meeting_not_found", "no meeting " + meeting.id);
}

std::string principal_name(const http::Request& req) {
  return is_organizer(req) ? "organizer" : req.principal.participant_id;
}

}  // namespace sangdam::gateway
