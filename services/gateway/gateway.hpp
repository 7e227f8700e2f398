// The gateway: HTTP/1.1 + WebSocket edge. Authenticates callers, validates input with the
// domain code of matching/, reads state from Redis and writes commands and events. Handlers are
// short: parse, call the domain, store, answer.
#pragma once

#include <memory>
#include <string>

#include "services/common/event_cache.hpp"
#include "services/common/http.hpp"
#include "services/common/service.hpp"

namespace sangdam::gateway {

class Gateway {
 public:
  explicit Gateway(ServiceRuntime& runtime);

  ServiceRuntime& runtime() { return runtime_; }
  redis::Client& redis(const http::Request& req) { return runtime_.redis(req.worker); }
  const Catalogs& catalogs() const { return catalogs_; }

  // Throws kNotFound "event_not_found".
  boost::asio::awaitable<std::shared_ptr<const EventInfo>> event(const http::Request& req,
                                                                 const std::string& event_id) {
    return events_.get(redis(req), event_id);
  }

 private:
  ServiceRuntime& runtime_;
  Catalogs catalogs_;
  EventCache events_{catalogs_.taxonomy};
};

// Route registration, one function per resource file.
void add_auth(Gateway& gateway, http::Router& router);
void add_event_routes(Gateway& gateway, http::Router& router);
void add_participant_routes(Gateway& gateway, http::Router& router);
void add_match_routes(Gateway& gateway, http::Router& router);
void add_meeting_routes(Gateway& gateway, http::Router& router);   // bookings, schedule, agenda
void add_request_routes(Gateway& gateway, http::Router& router);   // requests, pairs
void add_schedule_routes(Gateway& gateway, http::Router& router);  // schedule runs
void add_outcome_routes(Gateway& gateway, http::Router& router);   // check-ins, outcomes
void add_deal_routes(Gateway& gateway, http::Router& router);      // MOUs, contracts
void add_report_routes(Gateway& gateway, http::Router& router);    // the event report
void add_live_routes(Gateway& gateway, http::Router& router);      // WebSocket live updates
void add_webhook_routes(Gateway& gateway, http::Router& router);   // webhook registrations

// Bearer-token authentication of a request of event {e} (or the admin); throws
// kUnauthenticated. The router runs it before every authenticated route.
boost::asio::awaitable<void> authenticate(Gateway& gateway, http::Request& req);
// Sets req.principal from a stored principal text: "admin", "organizer" or
// "participant:<id>" (what the token hash and live tickets hold); throws kUnauthenticated
// for anything else.
void set_principal(http::Request& req, const std::string& event_id, std::string_view who);

// Role checks used by handlers; each throws kForbidden with a clear message.
void require_admin(const http::Request& req);
void require_organizer(const http::Request& req);  // organizer of {e} or admin
// The participant {p} itself, the organizer of {e}, or admin.
void require_self_or_organizer(const http::Request& req, const std::string& participant_id);
bool is_organizer(const http::Request& req);  // organizer of {e} or admin

}  // namespace sangdam::gateway
