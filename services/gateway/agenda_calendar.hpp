// A participant's agenda as an iCalendar file (text/calendar), for calendar apps to import or
// subscribe to: one entry per meeting with a stable UID, SEQUENCE = the meeting's version (a
// rescheduled meeting replaces its entry), STATUS:CANCELLED for cancelled ones, the venue name
// and table as location, and the counterpart and why they match as description.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "services/common/http.hpp"
#include "services/gateway/gateway.hpp"

namespace sangdam::gateway {

// The caller has checked that the principal may see participant {p}'s agenda.
boost::asio::awaitable<http::Response> agenda_ics(Gateway& gateway, const http::Request& req);

// True when the client asks for a calendar: the path ends in ".ics" or Accept names
// text/calendar.
bool wants_calendar(const http::Request& req);

}  // namespace sangdam::gateway
