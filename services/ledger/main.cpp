// ledger: keeps each event's report current in Redis and turns bus messages into live
// notifications. See README.md.
#include <exception>
#include <memory>

#include "matching/error.hpp"
#include "matching/ledger/rates.hpp"
#include "services/common/event_cache.hpp"
#include "services/common/ledger_store.hpp"
#include "services/common/log.hpp"
#include "services/common/service.hpp"
#include "services/ledger/live_notifier.hpp"

namespace sangdam::ledger_service {

namespace asio = boost::asio;

// The event a message names, or poison: a message without event or of an unknown event can
// never succeed.
asio::awaitable<std::shared_ptr<const EventInfo>> event_of(ServiceRuntime& runtime,
                                                           EventCache& events,
                                                           const bus::Envelope& env) {
  if (env.event_id.empty()) {
    throw Error(ErrorCode::kUnprocessable, "missing_event", "message names no event", "event");
  }
  std::shared_ptr<const EventInfo> info;
  try {
    info = co_await events.get(runtime.redis(0), env.event_id);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kNotFound) throw;
    throw Error(ErrorCode::kUnprocessable, "event_not_found", e.what(), "event");
  }
  co_return info;
}

// Any message of the event on "meetings" or "outcomes": notify the participants it concerns,
// then recompute the report from the raw records and store it. The report is a function of the
// stored records only, so a redelivered, reordered or skipped message cannot make it wrong: the
// next recomputation sees everything. The notification goes first: it is what a person waits
// for, and it is written at most once per message whatever happens after it.
asio::awaitable<void> notify_and_refresh(ServiceRuntime& runtime, EventCache& events,
                                         const std::string& rates_text,
                                         const bus::Delivery& delivery) {
  auto info = co_await event_of(runtime, events, delivery.envelope);
  auto& redis = runtime.redis(0);
  // A message whose notification cannot be built (poison) still refreshes the report; it is
  // dead-lettered afterwards with the reason. Redis failures propagate at once (retried).
  std::exception_ptr unroutable;
  try {
    co_await notify(redis, *info, delivery);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kInvalidArgument && e.code() != ErrorCode::kUnprocessable) throw;
    unroutable = std::current_exception();
  }
  auto rates = ledger::rates_for_event(rates_text, info->id);
  co_await ledger_store::refresh_report(redis, runtime.topology(), *info, rates);
  if (unroutable) std::rethrow_exception(unroutable);
  log::debug("report refreshed",
             {log::field("event", info->id), log::field("type", delivery.envelope.type),
              log::field("id", delivery.id)});
}

// A message on "requests": notification only (requests do not enter the report).
asio::awaitable<void> notify_only(ServiceRuntime& runtime, EventCache& events,
                                  const bus::Delivery& delivery) {
  auto info = co_await event_of(runtime, events, delivery.envelope);
  co_await notify(runtime.redis(0), *info, delivery);
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
  auto report_handler = [&](const bus::Delivery& d) {
    return ledger_service::notify_and_refresh(runtime, events, rates_text, d);
  };
  // One consumer (group "ledger") per topic; each handler does everything the ledger does
  // with that topic's messages.
  runtime.consume("meetings", report_handler);
  runtime.consume(std::string(ledger_store::kTopic), report_handler);
  runtime.consume("requests", [&](const bus::Delivery& d) {
    return ledger_service::notify_only(runtime, events, d);
  });
  return runtime.run();
}
