// JSON for the ledger's records: one format for the HTTP bodies clients send, the bus payloads
// and the raw records the ledger service stores in Redis (so a stored record reads back as the
// very record that was applied). Field names and enum texts are those of records.cpp.
//
//   participant: {"id","role":"buyer|company","name","country","category"}
//   meeting:     {"id","version","buyer_id","company_id","buyer_country","company_name",
//                 "category","day":"2023-09-13","venue","status":"scheduled|cancelled"}
//   check-in:    {"id","meeting_id","arrived":"buyer|company","recorded_by","at","late_minutes"}
//   outcome:     {"id","meeting_id","reporter","outcome":"held|no_show",
//                 "absent":"unknown|buyer|company|both","rating":"no_real_interest|...",
//                 "value":{"amount":"1800000.00","currency":"USD"},"notes","follow_up",
//                 "reported_at":"2023-09-13T10:30:00+09:00"}
//   deal change: {"version","changed_by","changed_at","deal":{"id","kind":"mou|contract",
//                 "buyer_id","company_id","value":{...},"signed_on","status",
//                 "meeting_ids":[...],"on_site"}}
#pragma once

#include <rapidjson/document.h>

#include <string>

#include "matching/ledger/records.hpp"

namespace sangdam::ledger {

// Who wrote the JSON. A client (HTTP body) may not set what the server decides: ids, the
// reporter / recorder, times and versions ("field_not_allowed"); the service sets those on
// the record before reading the body into it. kTrusted (bus, Redis) may set everything.
enum class JsonSource { kClient, kTrusted };

// Each read_json overwrites the fields present in object and keeps the others; unknown fields,
// wrong types and bad enum texts throw Error(kInvalidArgument, reason, message, field) before
// the record is touched. Records are not validated as a whole here: Ledger::apply and
// validate() do that once every field is set.
void read_json(const rapidjson::Value& object, ParticipantRecord& into, JsonSource source);
void read_json(const rapidjson::Value& object, MeetingRecord& into, JsonSource source);
void read_json(const rapidjson::Value& object, CheckIn& into, JsonSource source);
void read_json(const rapidjson::Value& object, OutcomeReport& into, JsonSource source);
void read_json(const rapidjson::Value& object, DealChange& into, JsonSource source);

// Every field, compact. read_json(to_json(r), copy, kTrusted) gives copy == r.
std::string to_json(const ParticipantRecord& record);
std::string to_json(const MeetingRecord& record);
std::string to_json(const CheckIn& record);
std::string to_json(const OutcomeReport& record);
std::string to_json(const DealChange& record);

}  // namespace sangdam::ledger
