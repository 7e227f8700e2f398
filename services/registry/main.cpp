// registry: takes in participant profiles pushed by registration systems on the intake stream
// and stores them exactly as POST /v1/events/{e}/participants does. See README.md.
#include <variant>

#include "matching/error.hpp"
#include "services/common/event_cache.hpp"
#include "services/common/json.hpp"
#include "services/common/log.hpp"
#include "services/common/participant_store.hpp"
#include "services/common/service.hpp"

namespace sangdam::registry {

namespace asio = boost::asio;

namespace {

// One intake entry: fields type ("participant"), event, idempotency_key, payload (a profile in
// the API's JSON shape). Storing is idempotent by the participant's external id, so a
// redelivered entry finds the profile unchanged.
asio::awaitable<void> take_in(ServiceRuntime& runtime, EventCache& events,
                              const bus::Delivery& delivery) {
  const auto& env = delivery.envelope;
  if (env.event_id.empty()) {
    throw Error(ErrorCode::kInvalidArgument, "missing_event", "intake entry has no event", "event");
  }
  auto& redis = runtime.redis(0);
  std::shared_ptr<const EventInfo> info;
  try {
    info = co_await events.get(redis, env.event_id);
  } catch (const Error& e) {
    // No such event: retrying cannot help, so the entry goes to the dead-letter stream now.
    if (e.code() != ErrorCode::kNotFound) throw;
    throw Error(ErrorCode::kUnprocessable, "event_not_found", e.what(), "event");
  }
  auto doc = json::parse(env.payload);
  auto participant = intake::parse_participant(doc, info->context);
  participants::StoreRequest request;
  request.event_id = info->id;
  std::visit(
      [&](auto& profile) {
        using T = std::decay_t<decltype(profile)>;
        request.role = std::is_same_v<T, Buyer> ? Role::kBuyer : Role::kCompany;
        request.external_id = profile.external_id;
        request.participant_id =
            participants::participant_id(info->id, request.role, profile.external_id);
        profile.id = request.participant_id;
        request.full_json = intake::to_json(profile, intake::Visibility::kFull);
        request.public_json = intake::to_json(profile, intake::Visibility::kPublic);
      },
      participant);
  auto result = co_await participants::store(redis, runtime.topology(), request);
  log::debug("intake stored", {log::field("participant_id", request.participant_id),
                               log::field("status", participants::status_name(result.status))});
}

}  // namespace
}  // namespace sangdam::registry

int main(int argc, char** argv) {
  using namespace sangdam;
  ServiceRuntime runtime("registry", argc, argv);
  std::unique_ptr<Catalogs> catalogs;
  try {
    catalogs = std::make_unique<Catalogs>(load_catalogs(runtime.config().files));
  } catch (const std::exception& e) {
    log::error("cannot load reference data", {log::field("error", e.what())});
    return 2;
  }
  EventCache events(catalogs->taxonomy);
  runtime.consume(
      "intake", [&](const bus::Delivery& d) { return registry::take_in(runtime, events, d); },
      runtime.config().intake_stream);
  return runtime.run();
}
