#include "services/ledger/live_notifier.hpp"

#include <optional>

#include "matching/error.hpp"
#include "matching/ledger/notification.hpp"
#include "services/common/keys.hpp"
#include "services/common/meeting_store.hpp"

namespace sangdam::ledger_service {

namespace asio = boost::asio;

namespace {

asio::awaitable<ledger::MeetingParties> parties_of(redis::Client& redis,
                                                   const std::string& event_id,
                                                   const std::string& meeting_id) {
  redis::Command read{"HGET", keys::meetings(event_id), meeting_id};
  auto reply = redis::expect_ok(co_await redis.call(std::move(read)), "reading a meeting");
  if (reply.is_nil()) {
    throw Error(ErrorCode::kUnprocessable, "meeting_not_found",
                "no meeting " + meeting_id + " in event " + event_id, "meeting_id");
  }
  auto meeting = meetings::parse_meeting(reply.as_string());
  co_return ledger::MeetingParties{meeting.buyer_id, meeting.company_id};
}

}  // namespace

asio::awaitable<bool> notify(redis::Client& redis, const EventInfo& event,
                             const bus::Delivery& delivery) {
  const auto& env = delivery.envelope;
  if (!ledger::is_notified(env.type)) co_return false;
  std::optional<ledger::MeetingParties> parties;
  std::string meeting_id = ledger::meeting_of(env.type, env.payload);
  if (!meeting_id.empty()) parties = co_await parties_of(redis, event.id, meeting_id);

  auto slots = event::derive_slots(event.event);
  ledger::NotificationContext context{&event.event, &slots, parties ? &*parties : nullptr};
  auto notification = ledger::notification_for(env.type, env.payload, context);
  if (!notification) co_return false;

  // The bus key names the logical message (a meeting version, a request version, a record id),
  // so two deliveries of it, or the same change published twice, notify once.
  const std::string& source = env.idempotency_key.empty() ? delivery.id : env.idempotency_key;
  std::string time = env.time.empty() ? bus::utc_now_rfc3339() : env.time;
  std::vector<redis::Command> effect{
      {"XADD", keys::live(event.id), "MAXLEN", "~", std::to_string(kLiveStreamMaxLen), "*", "type",
       notification->type, "audience", ledger::join_audience(notification->audience), "source",
       source, "time", time, "payload", notification->payload}};
  bool added = co_await bus::apply_once(redis, keys::live_done(event.id, env.type + ":" + source),
                                        std::move(effect), kLiveDoneTtl);
  co_return added;
}

}  // namespace sangdam::ledger_service
