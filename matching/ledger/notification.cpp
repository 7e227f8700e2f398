#include "matching/ledger/notification.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <initializer_list>

#include "matching/error.hpp"
#include "matching/ledger/json_object.hpp"

namespace sangdam::ledger {

namespace {

using Writer = JsonWriter;

enum class Family { kNone, kRequest, kMeeting, kSchedule, kCheckIn, kOutcome, kDeal };

Family family_of(std::string_view type) {
  static constexpr std::array<std::pair<std::string_view, Family>, 12> kTypes{{
      {"request.created", Family::kRequest},
      {"request.accepted", Family::kRequest},
      {"request.declined", Family::kRequest},
      {"request.withdrawn", Family::kRequest},
      {"request.expired", Family::kRequest},
      {"meeting.placed", Family::kMeeting},
      {"meeting.moved", Family::kMeeting},
      {"meeting.cancelled", Family::kMeeting},
      {"schedule.published", Family::kSchedule},
      {"checkin.recorded", Family::kCheckIn},
      {"outcome.reported", Family::kOutcome},
      {"deal.changed", Family::kDeal},
  }};
  for (const auto& [name, family] : kTypes) {
    if (name == type) return family;
  }
  return Family::kNone;
}

[[noreturn]] void malformed(std::string message, std::string field) {
  throw Error(ErrorCode::kInvalidArgument, "malformed_payload", std::move(message),
              std::move(field));
}

rapidjson::Document parse_object(std::string_view text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsObject()) malformed("payload is not a JSON object", "payload");
  return doc;
}

// A participant or record id the notification is routed by: a non-empty string without ','
// (the audience separator).
std::string required_id(const rapidjson::Value& object, const char* name) {
  auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsString() || it->value.GetStringLength() == 0) {
    malformed(std::string("payload lacks ") + name, name);
  }
  std::string id(it->value.GetString(), it->value.GetStringLength());
  if (id.find(',') != std::string::npos) malformed(std::string(name) + " contains ','", name);
  return id;
}

// Copies the listed members that exist, under the same names (or renamed: "from>to").
void copy_members(Writer& w, const rapidjson::Value& object,
                  std::initializer_list<std::string_view> names) {
  for (std::string_view spec : names) {
    auto arrow = spec.find('>');
    std::string from(spec.substr(0, arrow));
    std::string_view to = arrow == std::string_view::npos ? spec : spec.substr(arrow + 1);
    auto it = object.FindMember(from.c_str());
    if (it == object.MemberEnd()) continue;
    w.Key(to.data(), static_cast<rapidjson::SizeType>(to.size()));
    it->value.Accept(w);
  }
}

void write_text(Writer& w, std::string_view key, std::string_view value) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

// The Lua side (cjson) may write whole numbers as numbers or strings; both are read.
std::optional<long long> whole_number(const rapidjson::Value& object, const char* name) {
  auto it = object.FindMember(name);
  if (it == object.MemberEnd()) return std::nullopt;
  const auto& v = it->value;
  if (v.IsInt64()) return v.GetInt64();
  if (v.IsDouble() && v.GetDouble() == static_cast<double>(static_cast<long long>(v.GetDouble()))) {
    return static_cast<long long>(v.GetDouble());
  }
  if (v.IsString()) {
    std::string text(v.GetString(), v.GetStringLength());
    if (!text.empty() && text.size() < 19 &&
        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::stoll(text);
    }
  }
  return std::nullopt;
}

std::vector<std::string> pair_audience(std::string first, std::string second) {
  std::vector<std::string> audience{std::move(first)};
  if (second != audience.front()) audience.push_back(std::move(second));
  return audience;
}

Notification request_notification(std::string_view type, const rapidjson::Value& p) {
  std::string sender = required_id(p, "sender_id");
  std::string receiver = required_id(p, "receiver_id");
  required_id(p, "request_id");
  std::string payload = write_object([&](Writer& w) {
    copy_members(w, p,
                 {"request_id", "sender_id", "receiver_id", "buyer_id", "company_id", "status"});
  });
  return {std::string(type), pair_audience(std::move(sender), std::move(receiver)),
          std::move(payload)};
}

Notification meeting_notification(std::string_view type, const rapidjson::Value& m,
                                  const NotificationContext& context) {
  std::string buyer = required_id(m, "buyer_id");
  std::string company = required_id(m, "company_id");
  required_id(m, "id");
  auto slot = whole_number(m, "slot");
  const event::Slot* times = nullptr;
  if (slot && context.slots && *slot >= 0 &&
      *slot < static_cast<long long>(context.slots->size())) {
    times = &(*context.slots)[static_cast<std::size_t>(*slot)];
  }
  std::string payload = write_object([&](Writer& w) {
    copy_members(w, m,
                 {"id>meeting_id", "buyer_id", "company_id", "status", "slot", "venue", "table",
                  "interpreter", "version", "source", "request_id"});
    if (times) {
      // Local times with the zone's offset when the event is known, else UTC.
      auto text = [&](std::chrono::sys_seconds at) {
        if (context.event) return event::format_local(at, context.event->time_zone);
        return event::format_local(at, "UTC");
      };
      write_text(w, "start", text(times->start_utc));
      write_text(w, "end", text(times->end_utc));
    }
  });
  return {std::string(type), pair_audience(std::move(buyer), std::move(company)),
          std::move(payload)};
}

Notification schedule_notification(std::string_view type, const rapidjson::Value& s) {
  std::string payload = write_object([&](Writer& w) {
    copy_members(w, s, {"schedule_version", "run_id", "placed", "moved", "cancelled", "kept"});
  });
  return {std::string(type), {std::string(kEveryone)}, std::move(payload)};
}

Notification meeting_record_notification(std::string_view type, const rapidjson::Value& r,
                                         const NotificationContext& context, bool outcome) {
  std::string meeting_id = required_id(r, "meeting_id");
  if (!context.parties) {
    throw Error(ErrorCode::kInvalidArgument, "missing_parties",
                "the parties of meeting " + meeting_id + " are unknown", "meeting_id");
  }
  const MeetingParties& parties = *context.parties;
  std::string payload = write_object([&](Writer& w) {
    if (outcome) {
      copy_members(w, r, {"meeting_id", "reporter", "outcome", "reported_at"});
    } else {
      copy_members(w, r, {"meeting_id", "arrived", "recorded_by", "at", "late_minutes"});
    }
    write_text(w, "buyer_id", parties.buyer_id);
    write_text(w, "company_id", parties.company_id);
  });
  return {std::string(type), pair_audience(parties.buyer_id, parties.company_id),
          std::move(payload)};
}

Notification deal_notification(std::string_view type, const rapidjson::Value& change) {
  auto deal = change.FindMember("deal");
  if (deal == change.MemberEnd() || !deal->value.IsObject())
    malformed("payload lacks deal", "deal");
  const auto& d = deal->value;
  std::string buyer = required_id(d, "buyer_id");
  std::string company = required_id(d, "company_id");
  required_id(d, "id");
  std::string payload = write_object([&](Writer& w) {
    copy_members(w, d,
                 {"id>deal_id", "kind", "status", "buyer_id", "company_id", "value", "signed_on",
                  "meeting_ids"});
    copy_members(w, change, {"version", "changed_at"});
  });
  return {std::string(type), pair_audience(std::move(buyer), std::move(company)),
          std::move(payload)};
}

}  // namespace

bool is_notified(std::string_view type) {
  return family_of(type) != Family::kNone;
}

std::string meeting_of(std::string_view type, std::string_view payload_json) {
  auto family = family_of(type);
  if (family != Family::kCheckIn && family != Family::kOutcome) return {};
  return required_id(parse_object(payload_json), "meeting_id");
}

std::optional<Notification> notification_for(std::string_view type, std::string_view payload_json,
                                             const NotificationContext& context) {
  auto family = family_of(type);
  if (family == Family::kNone) return std::nullopt;
  auto doc = parse_object(payload_json);
  switch (family) {
    case Family::kRequest:
      return request_notification(type, doc);
    case Family::kMeeting:
      return meeting_notification(type, doc, context);
    case Family::kSchedule:
      return schedule_notification(type, doc);
    case Family::kCheckIn:
      return meeting_record_notification(type, doc, context, false);
    case Family::kOutcome:
      return meeting_record_notification(type, doc, context, true);
    case Family::kDeal:
      return deal_notification(type, doc);
    case Family::kNone:
      break;
  }
  return std::nullopt;
}

std::string join_audience(const std::vector<std::string>& audience) {
  std::string text;
  for (const auto& id : audience) {
    if (!text.empty()) text += ',';
    text += id;
  }
  return text;
}

bool concerns(std::string_view audience_text, std::string_view participant_id) {
  if (participant_id.empty()) return false;
  while (!audience_text.empty()) {
    auto comma = audience_text.find(',');
    std::string_view id = audience_text.substr(0, comma);
    if (id == participant_id || id == kEveryone) return true;
    if (comma == std::string_view::npos) break;
    audience_text.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace sangdam::ledger
