// scheduler: see README.md. It joins its consumer group on the "requests" topic and serves
// /healthz, /readyz and /metrics; meeting requests and schedule runs arrive with the scheduling
// issue.
#include "services/common/log.hpp"
#include "services/common/service.hpp"

int main(int argc, char** argv) {
  using namespace sangdam;
  ServiceRuntime runtime("scheduler", argc, argv);
  runtime.consume("requests", [](const bus::Delivery& d) -> boost::asio::awaitable<void> {
    log::debug("message", {log::field("type", d.envelope.type), log::field("id", d.id)});
    co_return;
  });
  return runtime.run();
}
