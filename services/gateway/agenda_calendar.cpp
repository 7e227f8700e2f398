#include "services/gateway/agenda_calendar.hpp"

#include <rapidjson/document.h>

#include <map>

#include "matching/calendar/ics.hpp"
#include "matching/event/event.hpp"
#include "matching/ledger/time_text.hpp"
#include "services/common/keys.hpp"
#include "services/common/meeting_store.hpp"
#include "services/gateway/ledger_access.hpp"

namespace sangdam::gateway {

namespace asio = boost::asio;

namespace {

std::string member_text(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject() || !object.HasMember(name) || !object[name].IsString()) return {};
  return {object[name].GetString(), object[name].GetStringLength()};
}

// A counterpart's display name from its public profile: a buyer's organisation (and country),
// a company's English name, else its Korean one.
std::string display_name(const std::string& public_json) {
  rapidjson::Document doc;
  doc.Parse(public_json.c_str(), public_json.size());
  if (doc.HasParseError() || !doc.IsObject()) return {};
  if (auto organisation = member_text(doc, "organisation"); !organisation.empty()) {
    auto country = member_text(doc, "country");
    return country.empty() ? organisation : organisation + " (" + country + ")";
  }
  auto name = member_text(doc, "name_en");
  return name.empty() ? member_text(doc, "name_ko") : name;
}

// counterpart id -> the reasons' texts joined, from the participant's stored match list.
std::map<std::string, std::string> match_reasons(const std::string& matches_json) {
  std::map<std::string, std::string> out;
  rapidjson::Document doc;
  doc.Parse(matches_json.c_str(), matches_json.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("items") ||
      !doc["items"].IsArray()) {
    return out;
  }
  for (const auto& item : doc["items"].GetArray()) {
    auto id = member_text(item, "id");
    if (id.empty() || !item.HasMember("reasons") || !item["reasons"].IsArray()) continue;
    std::string joined;
    for (const auto& reason : item["reasons"].GetArray()) {
      auto text = member_text(reason, "text");
      if (text.empty()) continue;
      if (!joined.empty()) joined += "; ";
      joined += text;
    }
    if (!joined.empty()) out[id] = joined;
  }
  return out;
}

}  // namespace

bool wants_calendar(const http::Request& req) {
  constexpr std::string_view kSuffix = ".ics";
  bool ics_path = req.path.size() >= kSuffix.size() &&
                  req.path.compare(req.path.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0;
  return ics_path || req.header("Accept").find("text/calendar") != std::string_view::npos;
}

asio::awaitable<http::Response> agenda_ics(Gateway& gateway, const http::Request& req) {
  auto& redis = gateway.redis(req);
  auto info = co_await gateway.event(req, req.param("e"));
  const std::string& me = req.param("p");
  auto items = co_await meetings::agenda(redis, info->id, me, true);

  // Counterparts' public profiles and my match list, in one round trip.
  std::vector<redis::Command> reads{{"GET", keys::matches(info->id, me)}};
  for (const auto& m : items) {
    const std::string& other = m.buyer_id == me ? m.company_id : m.buyer_id;
    reads.push_back({"HGET", keys::participant(info->id, other), "public"});
  }
  auto replies = co_await redis.pipeline(std::move(reads));
  auto reasons = replies[0].is_nil() || replies[0].is_error()
                     ? std::map<std::string, std::string>{}
                     : match_reasons(replies[0].as_string());

  auto slots = event::derive_slots(info->event);
  calendar::AgendaCalendar cal;
  cal.name = info->event.name + ": my meetings";
  cal.time_zone = info->event.time_zone;
  cal.generated_at = now_seconds();
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& m = items[i];
    if (m.slot < 0 || static_cast<std::size_t>(m.slot) >= slots.size()) continue;
    const auto& slot = slots[static_cast<std::size_t>(m.slot)];
    const auto& reply = replies[i + 1];
    const std::string& other = m.buyer_id == me ? m.company_id : m.buyer_id;
    std::string name = reply.is_nil() || reply.is_error() ? "" : display_name(reply.as_string());
    if (name.empty()) name = other;
    const auto* venue = info->event.find_venue(m.venue);
    calendar::CalendarEntry entry;
    entry.uid = calendar::meeting_uid(m.id);
    entry.sequence = m.version;
    entry.start_utc = slot.start_utc;
    entry.end_utc = slot.end_utc;
    entry.summary = "Consultation: " + name;
    entry.location = (venue ? venue->name : m.venue) + ", table " + m.table;
    entry.description = "With " + name;
    if (auto why = reasons.find(other); why != reasons.end()) {
      entry.description += "\nWhy you match: " + why->second;
    }
    if (!m.interpreter.empty()) entry.description += "\nInterpreter: " + m.interpreter;
    entry.status = m.status == "cancelled" ? calendar::EntryStatus::kCancelled
                                           : calendar::EntryStatus::kConfirmed;
    entry.last_modified = ledger::parse_rfc3339(m.updated_at).value_or(cal.generated_at);
    cal.entries.push_back(std::move(entry));
  }
  co_return http::Response::text(200, "text/calendar; charset=utf-8", calendar::to_ics(cal));
}

}  // namespace sangdam::gateway
