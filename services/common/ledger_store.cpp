#include "services/common/ledger_store.hpp"

#include "matching/error.hpp"
#include "matching/event/event.hpp"
#include "matching/ledger/records_json.hpp"
#include "matching/ledger/report.hpp"
#include "services/common/json.hpp"
#include "services/common/keys.hpp"
#include "services/common/meeting_store.hpp"
#include "services/common/tokens.hpp"

namespace sangdam::ledger_store {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kRecordIdHexChars = 24;  // 96 bits: ids collide only by construction

// KEYS[1] records hash, KEYS[2] bus stream. ARGV[1] id, ARGV[2] record JSON, ARGV[3..] the
// XADD arguments after the stream key. Returns {1, json} when stored, {0, stored json} when
// the id was already there (a replay: no second bus event).
const redis::Script kRecordScript(R"lua(
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old then return {0, old} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('XADD', KEYS[2], unpack(ARGV, 3))
return {1, ARGV[2]}
)lua");

// KEYS[1] deal versions list, KEYS[2] deal key hash, KEYS[3] deal index set, KEYS[4] bus
// stream. ARGV[1] version, ARGV[2] DealChange JSON, ARGV[3] deal id, ARGV[4] idempotency key
// (may be empty), ARGV[5..] XADD arguments. Returns {1, json} appended, {0, json} replay of
// that version or key, {-1, versions stored} when another change came first.
const redis::Script kDealScript(R"lua(
local version = tonumber(ARGV[1])
if ARGV[4] ~= '' then
  local known = redis.call('HGET', KEYS[2], ARGV[4])
  if known then return {0, redis.call('LINDEX', KEYS[1], tonumber(known) - 1)} end
end
local count = redis.call('LLEN', KEYS[1])
if version == 1 and count >= 1 then return {0, redis.call('LINDEX', KEYS[1], 0)} end
if count ~= version - 1 then return {-1, tostring(count)} end
redis.call('RPUSH', KEYS[1], ARGV[2])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[2], ARGV[4], ARGV[1]) end
redis.call('SADD', KEYS[3], ARGV[3])
redis.call('XADD', KEYS[4], unpack(ARGV, 5))
return {1, ARGV[2]}
)lua");

template <typename Record>
Record parse_trusted(const std::string& text) {
  auto doc = json::parse(text);
  Record record;
  ledger::read_json(doc, record, ledger::JsonSource::kTrusted);
  return record;
}

// The XADD arguments after the stream key, for the scripts' unpack().
std::vector<std::string> xadd_tail(const bus::Topology& topology, const std::string& event_id,
                                   std::string type, std::string key, std::string payload) {
  bus::Envelope envelope{std::move(type), 1, event_id, std::move(key), "", std::move(payload)};
  auto command = bus::publish_command(topology, kTopic, std::move(envelope));
  return {command.begin() + 2, command.end()};  // drop "XADD" and the stream
}

template <typename Record>
asio::awaitable<Stored<Record>> store_record(redis::Client& redis, const bus::Topology& topology,
                                             const std::string& event_id, std::string hash_key,
                                             std::string type, const Record& record) {
  std::string text = ledger::to_json(record);
  std::vector<std::string> args{record.id, text};
  for (auto& a : xadd_tail(topology, event_id, std::move(type), record.id, text)) {
    args.push_back(std::move(a));
  }
  std::vector<std::string> keys{std::move(hash_key), bus::stream_for(topology, kTopic, event_id)};
  auto reply =
      redis::expect_ok(co_await redis.eval(kRecordScript, std::move(keys), std::move(args)),
                       "storing a ledger record");
  bool created = reply.elements.at(0).as_integer() == 1;
  co_return Stored<Record>{parse_trusted<Record>(reply.elements.at(1).as_string()), created};
}

std::string member_text(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject() || !object.HasMember(name) || !object[name].IsString()) return {};
  return {object[name].GetString(), object[name].GetStringLength()};
}

// The participant as the report groups it, from the stored full profile JSON.
ledger::ParticipantRecord participant_record(const std::string& id, bool is_buyer,
                                             const std::string& profile_json) {
  auto doc = json::parse(profile_json);
  ledger::ParticipantRecord p;
  p.id = id;
  p.is_buyer = is_buyer;
  if (is_buyer) {
    p.name = member_text(doc, "organisation");
    p.country = member_text(doc, "country");
  } else {
    p.name = member_text(doc, "name_en");
    if (p.name.empty()) p.name = member_text(doc, "name_ko");
    if (doc.HasMember("categories") && doc["categories"].IsArray() && !doc["categories"].Empty() &&
        doc["categories"][0].IsString()) {
      p.category = doc["categories"][0].GetString();
    }
  }
  return p;
}

constexpr bool kRoles[] = {true, false};  // is_buyer: buyers, then companies
constexpr const char* kReportSources[] = {"meetings", "outcomes"};  // topics the report reads

// {"<participant id>": {"meetings","checked_in","late","no_shows"}, ...}: what the organizer
// sees of each participant's attendance beside the report's totals.
std::string attendance_json(const ledger::LedgerState& state) {
  auto all = ledger::attendance(state);
  std::string out = "{";
  for (const auto& [id, a] : all) {
    if (out.size() > 1) out += ',';
    out += json::quote(id) + ":{\"meetings\":" + std::to_string(a.meetings) +
           ",\"checked_in\":" + std::to_string(a.checked_in) +
           ",\"late\":" + std::to_string(a.late) + ",\"no_shows\":" + std::to_string(a.no_shows) +
           "}";
  }
  return out + "}";
}

std::string iso_date(const date::year_month_day& day) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(day.year()),
                static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()));
  return text;
}

}  // namespace

std::string record_id(std::string_view prefix, const std::vector<std::string>& parts) {
  std::string joined;
  for (const auto& part : parts) {
    joined += std::to_string(part.size());  // length-prefixed: ("ab","c") != ("a","bc")
    joined += ':';
    joined += part;
  }
  return std::string(prefix) + "_" + tokens::sha256_hex(joined).substr(0, kRecordIdHexChars);
}

asio::awaitable<Stored<ledger::CheckIn>> record_check_in(redis::Client& redis,
                                                         const bus::Topology& topology,
                                                         const std::string& event_id,
                                                         const ledger::CheckIn& check_in) {
  ledger::validate(check_in);
  co_return co_await store_record(redis, topology, event_id, keys::check_ins(event_id),
                                  "checkin.recorded", check_in);
}

asio::awaitable<Stored<ledger::OutcomeReport>> record_outcome(redis::Client& redis,
                                                              const bus::Topology& topology,
                                                              const std::string& event_id,
                                                              const ledger::OutcomeReport& report) {
  ledger::validate(report);
  co_return co_await store_record(redis, topology, event_id, keys::outcomes(event_id),
                                  "outcome.reported", report);
}

asio::awaitable<Stored<ledger::DealChange>> append_deal_change(redis::Client& redis,
                                                               const bus::Topology& topology,
                                                               const std::string& event_id,
                                                               const ledger::DealChange& change,
                                                               const std::string& idempotency_key) {
  ledger::validate(change);
  const std::string& deal_id = change.deal.id;
  std::string text = ledger::to_json(change);
  std::vector<std::string> args{std::to_string(change.version), text, deal_id, idempotency_key};
  std::string bus_key = deal_id + ":v" + std::to_string(change.version);
  for (auto& a : xadd_tail(topology, event_id, "deal.changed", bus_key, text)) {
    args.push_back(std::move(a));
  }
  std::vector<std::string> keys{keys::deal(event_id, deal_id), keys::deal_keys(event_id, deal_id),
                                keys::deals(event_id), bus::stream_for(topology, kTopic, event_id)};
  auto reply = redis::expect_ok(co_await redis.eval(kDealScript, std::move(keys), std::move(args)),
                                "appending a deal version");
  auto status = reply.elements.at(0).as_integer();
  if (status < 0) {
    throw Error(ErrorCode::kConflict, "deal_version_conflict",
                "deal " + deal_id + " changed meanwhile (now " + reply.elements.at(1).as_string() +
                    " versions); read it and try again");
  }
  co_return Stored<ledger::DealChange>{
      parse_trusted<ledger::DealChange>(reply.elements.at(1).as_string()), status == 1};
}

asio::awaitable<std::optional<std::int64_t>> version_of_key(redis::Client& redis,
                                                            const std::string& event_id,
                                                            const std::string& deal_id,
                                                            const std::string& key) {
  redis::Command read{"HGET", keys::deal_keys(event_id, deal_id), key};
  auto reply = redis::expect_ok(co_await redis.call(std::move(read)), "reading a deal key");
  if (reply.is_nil()) co_return std::nullopt;
  co_return reply.as_integer();
}

asio::awaitable<std::vector<ledger::DealChange>> deal_history(redis::Client& redis,
                                                              const std::string& event_id,
                                                              const std::string& deal_id) {
  redis::Command read{"LRANGE", keys::deal(event_id, deal_id), "0", "-1"};
  auto reply = redis::expect_ok(co_await redis.call(std::move(read)), "reading a deal");
  std::vector<ledger::DealChange> history;
  for (const auto& item : reply.elements) {
    history.push_back(parse_trusted<ledger::DealChange>(item.as_string()));
  }
  co_return history;
}

asio::awaitable<ledger::LedgerState> load_records(redis::Client& redis,
                                                  const std::string& event_id) {
  // Deals first: their ids name the lists to read in the same MULTI as the other records.
  redis::Command members{"SMEMBERS", keys::deals(event_id)};
  auto deal_ids = redis::expect_ok(co_await redis.call(std::move(members)), "listing deals");
  std::vector<redis::Command> batch{
      {"MULTI"}, {"HVALS", keys::check_ins(event_id)}, {"HVALS", keys::outcomes(event_id)}};
  for (const auto& id : deal_ids.elements) {
    batch.push_back({"LRANGE", keys::deal(event_id, id.as_string()), "0", "-1"});
  }
  batch.push_back({"EXEC"});
  auto replies = co_await redis.pipeline(std::move(batch));
  const auto& results = redis::expect_ok(replies.back(), "reading ledger records");
  ledger::LedgerState state;
  for (const auto& item : results.elements.at(0).elements) {
    auto record = parse_trusted<ledger::CheckIn>(item.as_string());
    state.check_ins[record.id] = record;
  }
  for (const auto& item : results.elements.at(1).elements) {
    auto record = parse_trusted<ledger::OutcomeReport>(item.as_string());
    state.outcomes[record.id] = record;
  }
  for (std::size_t i = 2; i < results.elements.size(); ++i) {
    for (const auto& item : results.elements[i].elements) {
      auto change = parse_trusted<ledger::DealChange>(item.as_string());
      state.deals[change.deal.id].push_back(change);
    }
  }
  co_return state;
}

asio::awaitable<ledger::LedgerState> load_state(redis::Client& redis, const EventInfo& event) {
  auto state = co_await load_records(redis, event.id);
  for (bool is_buyer : kRoles) {
    redis::Command members{"SMEMBERS", keys::role_index(event.id, is_buyer)};
    auto ids = redis::expect_ok(co_await redis.call(std::move(members)), "listing participants");
    std::vector<redis::Command> reads;
    for (const auto& id : ids.elements) {
      reads.push_back({"HGET", keys::participant(event.id, id.as_string()), "profile"});
    }
    auto profiles = co_await redis.pipeline(std::move(reads));
    for (std::size_t i = 0; i < profiles.size(); ++i) {
      if (profiles[i].is_nil() || profiles[i].is_error()) continue;  // removed meanwhile
      const auto& id = ids.elements[i].as_string();
      state.participants[id] = participant_record(id, is_buyer, profiles[i].as_string());
    }
  }
  auto slots = event::derive_slots(event.event);
  auto all = co_await meetings::list(redis, event.id, true);
  for (const auto& m : all) {
    ledger::MeetingRecord record;
    record.id = m.id;
    record.version = m.version;
    record.buyer_id = m.buyer_id;
    record.company_id = m.company_id;
    if (auto b = state.participants.find(m.buyer_id); b != state.participants.end()) {
      record.buyer_country = b->second.country;
    }
    if (auto c = state.participants.find(m.company_id); c != state.participants.end()) {
      record.company_name = c->second.name;
      record.category = c->second.category;
    }
    if (m.slot >= 0 && static_cast<std::size_t>(m.slot) < slots.size()) {
      auto day = static_cast<std::size_t>(slots[static_cast<std::size_t>(m.slot)].day);
      record.day = iso_date(event.event.days.at(day).date);
    }
    record.venue = m.venue;
    record.status = m.status == "cancelled" ? ledger::MeetingStatus::kCancelled
                                            : ledger::MeetingStatus::kScheduled;
    state.meetings[record.id] = record;
  }
  co_return state;
}

asio::awaitable<std::string> source_marks(redis::Client& redis, const bus::Topology& topology,
                                          const std::string& event_id) {
  std::vector<redis::Command> reads;
  for (const char* topic : kReportSources) {
    reads.push_back(
        {"XREVRANGE", bus::stream_for(topology, topic, event_id), "+", "-", "COUNT", "1"});
  }
  auto replies = co_await redis.pipeline(std::move(reads));
  std::string marks;
  for (const auto& reply : replies) {
    redis::expect_ok(reply, "reading stream heads");
    marks += reply.elements.empty() ? "-" : reply.elements[0].elements.at(0).as_string();
    marks += ' ';
  }
  co_return marks;
}

asio::awaitable<std::string> compute_report_json(redis::Client& redis, const EventInfo& event,
                                                 const ledger::Rates& rates, bool csv) {
  auto state = co_await load_state(redis, event);
  auto report = ledger::compute_report(state, rates);
  if (csv) co_return ledger::to_csv(report);
  std::string text = ledger::to_json(report);
  text.pop_back();  // the closing brace: attendance joins the report's object
  co_return text + ",\"attendance\":" + attendance_json(state) + "}";
}

asio::awaitable<void> refresh_report(redis::Client& redis, const bus::Topology& topology,
                                     const EventInfo& event, const ledger::Rates& rates) {
  auto marks = co_await source_marks(redis, topology, event.id);
  // A burst of messages (a schedule publish emits one per meeting) needs one recomputation:
  // the first one read every change already, so the others find the marks unchanged.
  redis::Command stored{"HGET", keys::report_meta(event.id), "marks"};
  auto stored_marks = co_await redis.call(std::move(stored));
  if (!stored_marks.is_nil() && !stored_marks.is_error() && stored_marks.str == marks) co_return;
  auto report = co_await compute_report_json(redis, event, rates);
  std::vector<redis::Command> write{
      {"MULTI"},
      {"SET", keys::report(event.id), report},
      {"HSET", keys::report_meta(event.id), "marks", marks, "computed_at", bus::utc_now_rfc3339()},
      {"EXEC"}};
  auto replies = co_await redis.pipeline(std::move(write));
  redis::expect_ok(replies.back(), "storing the report");
}

asio::awaitable<std::optional<std::string>> current_report(redis::Client& redis,
                                                           const bus::Topology& topology,
                                                           const std::string& event_id) {
  auto marks = co_await source_marks(redis, topology, event_id);
  std::vector<redis::Command> reads{{"MULTI"},
                                    {"HGET", keys::report_meta(event_id), "marks"},
                                    {"GET", keys::report(event_id)},
                                    {"EXEC"}};
  auto replies = co_await redis.pipeline(std::move(reads));
  const auto& both = redis::expect_ok(replies.back(), "reading the stored report");
  const auto& stored_marks = both.elements.at(0);
  const auto& report = both.elements.at(1);
  if (stored_marks.is_nil() || report.is_nil() || stored_marks.as_string() != marks) {
    co_return std::nullopt;
  }
  co_return report.as_string();
}

}  // namespace sangdam::ledger_store
