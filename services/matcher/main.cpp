// matcher: see README.md. It joins its consumer group on the "profiles" topic and serves
// /healthz, /readyz and /metrics; rescored matches arrive with the matching issue; for now it
// records that the profile changed.
#include "services/common/log.hpp"
#include "services/common/service.hpp"

int main(int argc, char** argv) {
  using namespace sangdam;
  ServiceRuntime runtime("matcher", argc, argv);
  runtime.consume("profiles", [](const bus::Delivery& d) -> boost::asio::awaitable<void> {
    log::debug("message", {log::field("type", d.envelope.type), log::field("id", d.id)});
    co_return;
  });
  return runtime.run();
}
