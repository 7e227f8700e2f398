// gateway: the HTTP/1.1 + WebSocket edge of sangdam. See services/gateway/README.md.
#include "services/common/log.hpp"
#include "services/gateway/gateway.hpp"

int main(int argc, char** argv) {
  sangdam::ServiceRuntime runtime("gateway", argc, argv);
  std::unique_ptr<sangdam::gateway::Gateway> gateway;
  try {
    gateway = std::make_unique<sangdam::gateway::Gateway>(runtime);
  } catch (const std::exception& e) {
    sangdam::log::error("cannot load reference data", {sangdam::log::field("error", e.what())});
    return 2;
  }
  auto& router = runtime.router();
  sangdam::gateway::add_auth(*gateway, router);
  sangdam::gateway::add_event_routes(*gateway, router);
  sangdam::gateway::add_participant_routes(*gateway, router);
  sangdam::gateway::add_match_routes(*gateway, router);
  sangdam::gateway::add_meeting_routes(*gateway, router);
  sangdam::gateway::add_request_routes(*gateway, router);
  sangdam::gateway::add_schedule_routes(*gateway, router);
  sangdam::gateway::add_outcome_routes(*gateway, router);
  sangdam::gateway::add_deal_routes(*gateway, router);
  sangdam::gateway::add_report_routes(*gateway, router);
  return runtime.run();
}
