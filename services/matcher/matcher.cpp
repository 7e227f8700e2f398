#include "services/matcher/matcher.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "matching/error.hpp"
#include "matching/intake/participant.hpp"
#include "services/common/json.hpp"
#include "services/common/keys.hpp"
#include "services/common/log.hpp"
#include "services/matcher/match_list.hpp"

namespace sangdam::matcher {

namespace asio = boost::asio;
using scoring::Side;

namespace {

// KEYS[1] matches generation, KEYS[2] matches stream, KEYS[3..] list keys.
// ARGV: generation, advance ("1"/"0"), stream max len, event id, matches.changed payload
//       ("" = none), idempotency key, time, then one JSON per list key.
// Returns 0 (nothing written) when the stored lists already reflect a newer generation: lists
// never go back in time, even if an older write is retried late.
const redis::Script kWriteListsScript(R"lua(
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) < current then return 0 end
for i = 3, #KEYS do redis.call('SET', KEYS[i], ARGV[i + 5]) end
if ARGV[2] == '1' then
  redis.call('SET', KEYS[1], ARGV[1])
  if ARGV[5] ~= '' then
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'type', 'matches.changed',
               'schema', '1', 'event', ARGV[4], 'key', ARGV[6], 'time', ARGV[7],
               'payload', ARGV[5])
  end
end
return 1
)lua");

[[noreturn]] void malformed(const std::string& field, const std::string& message) {
  throw_invalid("malformed_payload", message, field);
}

scoring::InterpreterPairs interpreters_of(const event::Event& event) {
  scoring::InterpreterPairs pairs;
  for (const auto& pool : event.interpreters) {
    if (pool.languages.size() == 2 && pool.count > 0) {
      pairs.add(pool.languages[0] + "-" + pool.languages[1]);
    }
  }
  return pairs;
}

// {"generation": g, "participants": [ids]} or, after a rebuild, {"generation": g, "scope": "all"}.
std::string changed_payload(long long generation, const std::vector<std::string>* participants) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("generation");
  w.Int64(generation);
  if (participants) {
    w.Key("participants");
    w.StartArray();
    for (const auto& id : *participants) w.String(id);
    w.EndArray();
  } else {
    w.Key("scope");
    w.String("all");
  }
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

// Logging and command building live in plain functions: g++ 12 destroys initializer-list
// temporaries twice in some coroutine bodies, so the coroutines here take no braced lists.
void log_built(const std::string& event_id, std::size_t buyers, std::size_t companies,
               long long generation) {
  log::info("match index built",
            {log::field("event", event_id), log::field("buyers", static_cast<long long>(buyers)),
             log::field("companies", static_cast<long long>(companies)),
             log::field("generation", generation)});
}

void log_skipped(const std::string& event_id, const std::string& participant, const Error& error) {
  // Stored profiles were validated when stored; one that no longer parses (reference data
  // changed) stays out of matching rather than stopping the whole event.
  log::warn("stored profile skipped",
            {log::field("event", event_id), log::field("participant", participant),
             log::field("reason", error.reason())});
}

void log_refused(const std::string& event_id, long long generation) {
  log::warn("match lists not written: a newer generation is stored",
            {log::field("event", event_id), log::field("generation", generation)});
}

redis::Command read_role(const std::string& e, bool buyer) {
  return redis::Command{"SORT",
                        keys::role_index(e, buyer),
                        "ALPHA",
                        "GET",
                        "#",
                        "GET",
                        keys::tag(e) + ":participant:*->profile",
                        "GET",
                        keys::tag(e) + ":participant:*->version"};
}

// The generation is read first: every change it counts is in the profiles read after it.
std::vector<redis::Command> rebuild_reads(const std::string& e) {
  return {redis::Command{"GET", keys::profiles_generation(e)}, read_role(e, true),
          read_role(e, false)};
}

// The profile, and the event's generation to see how many changes wait behind this one.
std::vector<redis::Command> profile_read(const std::string& e, const std::string& participant) {
  return {redis::Command{"HMGET", keys::participant(e, participant), "role", "profile", "version"},
          redis::Command{"GET", keys::profiles_generation(e)}};
}

struct ScriptCall {
  std::vector<std::string> keys;
  std::vector<std::string> args;
};

ScriptCall list_write_call(const bus::Topology& topology, const std::string& e,
                           std::vector<std::pair<std::string, std::string>> lists,
                           long long generation, bool advance, const std::string& payload) {
  std::string now = bus::utc_now_rfc3339();
  ScriptCall call;
  call.keys = {keys::matches_generation(e), bus::stream_for(topology, "matches", e)};
  call.args = {std::to_string(generation), advance ? "1" : "0", std::to_string(topology.max_len), e,
               payload,
               // Unique per write: a recompute at the same generation is a new message.
               "matches:" + e + ":" + std::to_string(generation) + ":" + now, now};
  for (auto& [key, json_text] : lists) {
    call.keys.push_back(std::move(key));
    call.args.push_back(std::move(json_text));
  }
  return call;
}

}  // namespace

struct Matcher::EventState {
  std::shared_ptr<const EventInfo> info;
  scoring::MatchContext context;
  std::optional<scoring::MatchIndex> index;             // empty: rebuild on the next message
  std::unordered_map<std::string, long long> versions;  // profile version the index holds
  long long applied = 0;       // profile generation the stored lists reflect
  std::size_t built_size = 0;  // participants when the index was built
  std::size_t joined = 0;      // participants added by upserts since
  ListWriter lists;            // list JSON, with explained pairs cached
};

ProfileChange parse_profile_change(std::string_view payload) {
  auto doc = json::parse(payload);
  ProfileChange change;
  auto id = doc.FindMember("participant_id");
  if (id == doc.MemberEnd() || !id->value.IsString() || id->value.GetStringLength() == 0) {
    malformed("participant_id", "profile.changed needs a participant_id");
  }
  change.participant_id = id->value.GetString();
  auto role = doc.FindMember("role");
  if (role == doc.MemberEnd() || !role->value.IsString() ||
      (std::string_view(role->value.GetString()) != "buyer" &&
       std::string_view(role->value.GetString()) != "company")) {
    malformed("role", "profile.changed needs role buyer or company");
  }
  change.buyer = std::string_view(role->value.GetString()) == "buyer";
  auto version = doc.FindMember("version");
  if (version == doc.MemberEnd() || !version->value.IsInt64() || version->value.GetInt64() < 1) {
    malformed("version", "profile.changed needs a version >= 1");
  }
  change.version = version->value.GetInt64();
  auto kind = doc.FindMember("change");
  change.created = kind != doc.MemberEnd() && kind->value.IsString() &&
                   std::string_view(kind->value.GetString()) == "created";
  auto generation = doc.FindMember("generation");
  if (generation != doc.MemberEnd()) {
    if (!generation->value.IsInt64() || generation->value.GetInt64() < 1) {
      malformed("generation", "generation must be a whole number >= 1");
    }
    change.generation = generation->value.GetInt64();
  }
  return change;
}

Matcher::Matcher(redis::Client& redis, bus::Topology topology, const Catalogs& catalogs,
                 scoring::MatchConfig config, MatcherOptions options)
    : redis_(redis),
      topology_(std::move(topology)),
      catalogs_(catalogs),
      config_(std::move(config)),
      options_(options),
      events_(catalogs.taxonomy) {}

Matcher::~Matcher() = default;

asio::awaitable<Matcher::EventState*> Matcher::state_for(const std::string& event_id) {
  if (auto it = states_.find(event_id); it != states_.end()) co_return it->second.get();
  std::shared_ptr<const EventInfo> info;
  try {
    info = co_await events_.get(redis_, event_id);
  } catch (const Error& e) {
    // No such event: retrying cannot help, so the message goes to the dead-letter stream.
    if (e.code() != ErrorCode::kNotFound) throw;
    throw Error(ErrorCode::kUnprocessable, "event_not_found", e.what(), "event");
  }
  auto state = std::make_unique<EventState>();
  state->info = info;
  state->context = scoring::MatchContext{catalogs_.taxonomy, catalogs_.markets,
                                         interpreters_of(info->event), config_};
  auto* raw = state.get();
  states_.emplace(event_id, std::move(state));
  co_return raw;
}

asio::awaitable<void> Matcher::handle(const bus::Delivery& delivery) {
  const auto& env = delivery.envelope;
  bool recompute = env.type == "matches.recompute";
  if (!recompute && env.type != "profile.changed") co_return;
  if (env.event_id.empty()) {
    throw Error(ErrorCode::kInvalidArgument, "missing_event", "message has no event", "event");
  }
  std::optional<ProfileChange> change;
  if (!recompute) change = parse_profile_change(env.payload);
  EventState* state = co_await state_for(env.event_id);
  try {
    if (recompute || !state->index) {
      // A first message builds the index from everything stored, this change included: the
      // store script bumped the generation before the message existed.
      co_await rebuild(*state);
    } else if (change->generation != 0 && change->generation <= state->applied) {
      // Redelivered, or already covered by a rebuild: nothing to do.
    } else if (change->generation == 0 || change->generation > state->applied + 1 ||
               rebuild_due(*state, *change)) {
      // A gap (a message still pending retry, or trimmed) or a much grown event: read it all.
      co_await rebuild(*state);
    } else {
      co_await apply(*state, *change);
    }
  } catch (...) {
    // The index may hold a change whose lists were not stored: start again from Redis.
    state->index.reset();
    throw;
  }
}

bool Matcher::rebuild_due(const EventState& state, const ProfileChange& change) const {
  if (!change.created || state.versions.count(change.participant_id)) return false;
  auto threshold =
      std::max<double>(static_cast<double>(options_.rebuild_min_joined),
                       options_.rebuild_growth * static_cast<double>(state.built_size));
  return static_cast<double>(state.joined + 1) > threshold;
}

Matcher::ListWrite Matcher::list_of(EventState& state, Side side, std::size_t index) {
  const auto& id =
      side == Side::kBuyer ? state.index->buyer(index).id : state.index->company(index).id;
  auto version = state.versions.find(id);
  return {
      keys::matches(state.info->id, id),
      state.lists.list_json(*state.index, side, index,
                            version == state.versions.end() ? 0 : version->second, state.applied)};
}

asio::awaitable<void> Matcher::rebuild(EventState& state) {
  const std::string& e = state.info->id;
  auto reads = rebuild_reads(e);
  auto replies = co_await redis_.pipeline(std::move(reads));
  for (const auto& r : replies) redis::expect_ok(r, "matcher rebuild read");
  long long generation = replies[0].is_nil() ? 0 : replies[0].as_integer();

  std::vector<Buyer> buyers;
  std::vector<Company> companies;
  std::unordered_map<std::string, long long> versions;
  for (int role = 1; role <= 2; ++role) {
    const auto& rows = replies[role].elements;
    for (std::size_t i = 0; i + 2 < rows.size(); i += 3) {
      if (rows[i + 1].is_nil() || rows[i + 2].is_nil()) continue;  // index without a profile
      const std::string& id = rows[i].as_string();
      try {
        auto doc = json::parse(rows[i + 1].as_string());
        if (role == 1) {
          buyers.push_back(intake::parse_buyer(doc, state.info->context));
          buyers.back().id = id;
        } else {
          companies.push_back(intake::parse_company(doc, state.info->context));
          companies.back().id = id;
        }
        versions[id] = rows[i + 2].as_integer();
      } catch (const Error& err) {
        log_skipped(e, id, err);
      }
    }
  }

  state.index.reset();
  state.lists.clear();
  scoring::MatchIndex index(state.context, std::move(buyers), std::move(companies),
                            options_.recompute_threads);
  index.full_recompute(options_.recompute_threads);
  state.index.emplace(std::move(index));
  state.versions = std::move(versions);
  state.built_size = state.index->buyer_count() + state.index->company_count();
  state.joined = 0;
  state.applied = generation;

  // Every list, in chunks; the generation advances with the last chunk, so a reader never sees
  // the new generation before every list reflects it.
  std::vector<std::pair<Side, std::size_t>> all;
  for (std::size_t b = 0; b < state.index->buyer_count(); ++b) all.emplace_back(Side::kBuyer, b);
  for (std::size_t c = 0; c < state.index->company_count(); ++c) {
    all.emplace_back(Side::kCompany, c);
  }
  std::size_t chunk = std::max<std::size_t>(1, options_.lists_per_write);
  for (std::size_t start = 0;; start += chunk) {
    std::size_t end = std::min(all.size(), start + chunk);
    std::vector<ListWrite> lists;
    for (std::size_t i = start; i < end; ++i) {
      lists.push_back(list_of(state, all[i].first, all[i].second));
    }
    bool last = end == all.size();
    std::string payload = last ? changed_payload(generation, nullptr) : std::string();
    co_await write_lists(state, std::move(lists), generation, last, payload);
    if (last) break;
  }
  log_built(e, state.index->buyer_count(), state.index->company_count(), generation);
}

asio::awaitable<void> Matcher::apply(EventState& state, const ProfileChange& change) {
  const std::string& e = state.info->id;
  auto read = profile_read(e, change.participant_id);
  auto replies = co_await redis_.pipeline(std::move(read));
  for (const auto& r : replies) redis::expect_ok(r, "matcher profile read");
  long long backlog = (replies[1].is_nil() ? 0 : replies[1].as_integer()) - change.generation;
  if (backlog >
      std::max(options_.rebuild_min_backlog, static_cast<long long>(state.built_size) /
                                                 std::max(1LL, options_.rebuild_backlog_divisor))) {
    co_await rebuild(state);
    co_return;
  }
  const auto& reply = replies[0];
  bool stored = reply.elements.size() == 3 && !reply.elements[1].is_nil();
  long long version = stored ? reply.elements[2].as_integer() : 0;
  auto held = state.versions.find(change.participant_id);
  if (!stored || (held != state.versions.end() && version <= held->second)) {
    // The index already holds this version (or a newer one): only the generation moves.
    state.applied = change.generation;
    std::vector<ListWrite> none;
    std::string no_payload;
    co_await write_lists(state, std::move(none), change.generation, true, no_payload);
    co_return;
  }

  auto doc = json::parse(reply.elements[1].as_string());
  bool buyer = reply.elements[0].as_string() == "buyer";
  scoring::RescoreResult result;
  if (buyer) {
    Buyer profile = intake::parse_buyer(doc, state.info->context);
    profile.id = change.participant_id;
    result = state.index->upsert_buyer(std::move(profile));
  } else {
    Company profile = intake::parse_company(doc, state.info->context);
    profile.id = change.participant_id;
    result = state.index->upsert_company(std::move(profile));
  }
  if (held == state.versions.end()) ++state.joined;
  state.versions[change.participant_id] = version;
  state.applied = change.generation;

  Side own_side = buyer ? Side::kBuyer : Side::kCompany;
  Side other_side = buyer ? Side::kCompany : Side::kBuyer;
  auto own = buyer ? state.index->find_buyer(change.participant_id)
                   : state.index->find_company(change.participant_id);
  if (!own) throw Error(ErrorCode::kInternal, "index_lost_profile", "upserted profile not found");
  state.lists.touch(own_side, *own);
  std::vector<ListWrite> lists;
  lists.push_back(list_of(state, own_side, *own));
  std::vector<std::string> changed;
  changed.push_back(change.participant_id);
  for (auto counterpart : result.changed_counterparts) {
    lists.push_back(list_of(state, other_side, counterpart));
    changed.push_back(other_side == Side::kBuyer ? state.index->buyer(counterpart).id
                                                 : state.index->company(counterpart).id);
  }
  std::string payload = changed_payload(change.generation, &changed);
  co_await write_lists(state, std::move(lists), change.generation, true, payload);
}

asio::awaitable<void> Matcher::write_lists(const EventState& state, std::vector<ListWrite> lists,
                                           long long generation, bool advance,
                                           const std::string& changed_payload) {
  const std::string& e = state.info->id;
  auto call = list_write_call(topology_, e, std::move(lists), generation, advance, changed_payload);
  auto reply = co_await redis_.eval(kWriteListsScript, std::move(call.keys), std::move(call.args));
  redis::expect_ok(reply, "matcher list write");
  if (reply.integer == 0) log_refused(e, generation);
}

}  // namespace sangdam::matcher
