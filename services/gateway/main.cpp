// gateway: the HTTP/1.1 + WebSocket edge of sangdam. See services/gateway/README.md.
#include "services/common/log.hpp"
#include "services/gateway/gateway.hpp"

namespace {
void add_routes(sangdam::gateway::Gateway& gateway, sangdam::http::Router& router) {
  sangdam::gateway::add_auth(gateway, router);
  sangdam::gateway::add_event_routes(gateway, router);
  sangdam::gateway::add_participant_routes(gateway, router);
  sangdam::gateway::add_match_routes(gateway, router);
  sangdam::gateway::add_meeting_routes(gateway, router);
  sangdam::gateway::add_request_routes(gateway, router);
  sangdam::gateway::add_schedule_routes(gateway, router);
  sangdam::gateway::add_outcome_routes(gateway, router);
  sangdam::gateway::add_deal_routes(gateway, router);
  sangdam::gateway::add_report_routes(gateway, router);
  sangdam::gateway::add_live_routes(gateway, router);
  sangdam::gateway::add_webhook_routes(gateway, router);
}
}  // namespace

int main(int argc, char** argv) {
  sangdam::ServiceRuntime runtime("gateway", argc, argv);
  std::unique_ptr<sangdam::gateway::Gateway> gateway;
  auto& router = runtime.router();
  try {
    // Reference data and configuration files are read here: a missing or bad one stops the
    // gateway at start-up with a logged reason.
    gateway = std::make_unique<sangdam::gateway::Gateway>(runtime);
    add_routes(*gateway, router);
  } catch (const std::exception& e) {
    sangdam::log::error("cannot start: reference data or configuration",
                        {sangdam::log::field("error", e.what())});
    return 2;
  }
  return runtime.run();
}
