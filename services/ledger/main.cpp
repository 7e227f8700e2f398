// ledger: keeps each event's report current in Redis. See README.md.
#include <memory>

#include "matching/error.hpp"
#include "matching/ledger/rates.hpp"
#include "services/common/event_cache.hpp"
#include "services/common/ledger_store.hpp"
#include "services/common/log.hpp"
#include "services/common/service.hpp"

namespace sangdam::ledger_service {

namespace asio = boost::asio;

// Any message of the event on "meetings" or "outcomes": recompute the report from the raw
// records and store it. The report is a function of the stored records only, so a redelivered,
// reordered or skipped message cannot make it wrong: the next recomputation sees everything.
asio::awaitable<void> refresh(ServiceRuntime& runtime, EventCache& events,
                              const std::string& rates_text, const bus::Delivery& delivery) {
  const auto& env = delivery.envelope;
  if (env.event_id.empty()) {
    throw Error(ErrorCode::kUnprocessable, "missing_event", "message names no event", "event");
  }
  auto& redis = runtime.redis(0);
  std::shared_ptr<const EventInfo> info;
  try {
    info = co_await events.get(redis, env.event_id);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kNotFound) throw;
    throw Error(ErrorCode::kUnprocessable, "event_not_found", e.what(), "event");
  }
  auto rates = ledger::rates_for_event(rates_text, info->id);
  co_await ledger_store::refresh_report(redis, runtime.topology(), *info, rates);
  log::debug("report refreshed", {log::field("event", info->id), log::field("type", env.type),
                                  log::field("id", delivery.id)});
}

}  // namespace sangdam::ledger_service

int main(int argc, char** argv) {
  using namespace sangdam;
  ServiceRuntime runtime("ledger", argc, argv);
  std::unique_ptr<Catalogs> catalogs;
  std::string rates_text;
  try {
    catalogs = std::make_unique<Catalogs>(load_catalogs(runtime.config().files));
    rates_text = read_file(runtime.config().files.at("rates"));
  } catch (const std::exception& e) {
    log::error("cannot load reference data", {log::field("error", e.what())});
    return 2;
  }
  EventCache events(catalogs->taxonomy);
  auto handler = [&](const bus::Delivery& d) {
    return ledger_service::refresh(runtime, events, rates_text, d);
  };
  runtime.consume("meetings", handler);
  runtime.consume(std::string(ledger_store::kTopic), handler);
  return runtime.run();
}
