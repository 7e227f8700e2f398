// ledger: see README.md. It joins its consumer group on the "meetings" topic and serves
// /healthz, /readyz and /metrics; outcomes, deals and the report arrive with the ledger issue.
#include "services/common/log.hpp"
#include "services/common/service.hpp"

int main(int argc, char** argv) {
  using namespace sangdam;
  ServiceRuntime runtime("ledger", argc, argv);
  runtime.consume("meetings", [](const bus::Delivery& d) -> boost::asio::awaitable<void> {
    log::debug("message", {log::field("type", d.envelope.type), log::field("id", d.id)});
    co_return;
  });
  return runtime.run();
}
