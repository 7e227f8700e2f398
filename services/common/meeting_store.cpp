#include "services/common/meeting_store.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>

#include "matching/error.hpp"
#include "services/common/json.hpp"
#include "services/common/keys.hpp"
#include "services/common/tokens.hpp"

namespace sangdam::meetings {

namespace asio = boost::asio;

namespace {

// Helpers shared by every script below. The occupancy hash is reached through an "o" object
// so that booking/cancelling (straight on Redis) and publishing (on a Lua table, written at
// the end) use the SAME occupy/release/pick_table code.
const std::string kLuaCommon = R"lua(
local function f_busy(p, slot) return 'p:' .. p .. ':' .. slot end
local function f_where(b, slot) return 'v:' .. b .. ':' .. slot end
local function f_holder(venue, slot, label) return 't:' .. venue .. ':' .. slot .. ':' .. label end
local function f_seated(venue, slot, label) return 'n:' .. venue .. ':' .. slot .. ':' .. label end
local function f_interpreters(pool, slot) return 'i:' .. pool .. ':' .. slot end
local function f_daily(p, day) return 'd:' .. p .. ':' .. day end
local function f_pair(b, c) return 'pair:' .. b .. ':' .. c end
local function agenda_member(p, slot, id)
  return p .. '|' .. string.format('%05d', slot) .. '|' .. id
end

local function redis_occupancy(key)
  return {
    get = function(f) return redis.call('HGET', key, f) end,
    add = function(f, d)
      if redis.call('HINCRBY', key, f, d) <= 0 then redis.call('HDEL', key, f) end
    end,
    set = function(f, v) redis.call('HSET', key, f, v) end,
    del = function(f) redis.call('HDEL', key, f) end,
  }
end
local function memory_occupancy(t)
  return {
    get = function(f) local v = t[f]; if v == nil then return false end; return v end,
    add = function(f, d)
      local v = (tonumber(t[f]) or 0) + d
      if v <= 0 then t[f] = nil else t[f] = v end
    end,
    set = function(f, v) t[f] = v end,
    del = function(f) t[f] = nil end,
  }
end
local function count(o, f) return tonumber(o.get(f) or 0) end

-- The company's own table unless another company holds it in that slot; without an own
-- table, the first label of the venue nobody holds.
local function pick_table(o, venue, slot, company, own, labels)
  if own ~= '' then
    local holder = o.get(f_holder(venue, slot, own))
    if holder and holder ~= company then return nil end
    return own
  end
  for _, label in ipairs(labels) do
    if not o.get(f_holder(venue, slot, label)) then return label end
  end
  return nil
end

local function occupy(o, m)
  o.add(f_busy(m.buyer_id, m.slot), 1)
  o.add(f_busy(m.company_id, m.slot), 1)
  o.set(f_where(m.buyer_id, m.slot), m.venue)
  o.set(f_holder(m.venue, m.slot, m.table), m.company_id)
  o.add(f_seated(m.venue, m.slot, m.table), 1)
  if m.interpreter ~= '' then o.add(f_interpreters(m.interpreter, m.slot), 1) end
  o.add(f_daily(m.buyer_id, m.day), 1)
  o.add(f_daily(m.company_id, m.day), 1)
  o.set(f_pair(m.buyer_id, m.company_id), m.id)
end

local function release(o, m)
  o.add(f_busy(m.buyer_id, m.slot), -1)
  o.add(f_busy(m.company_id, m.slot), -1)
  o.del(f_where(m.buyer_id, m.slot))
  local seated = f_seated(m.venue, m.slot, m.table)
  if count(o, seated) <= 1 then
    o.del(seated)
    o.del(f_holder(m.venue, m.slot, m.table))
  else
    o.add(seated, -1)
  end
  if m.interpreter ~= '' then o.add(f_interpreters(m.interpreter, m.slot), -1) end
  o.add(f_daily(m.buyer_id, m.day), -1)
  o.add(f_daily(m.company_id, m.day), -1)
  if o.get(f_pair(m.buyer_id, m.company_id)) == m.id then o.del(f_pair(m.buyer_id, m.company_id)) end
end

local function emit(stream, maxlen, event_id, now, kind, m, json)
  redis.call('XADD', stream, 'MAXLEN', '~', maxlen, '*', 'type', kind, 'schema', '1',
             'event', event_id, 'key', m.id .. ':' .. m.version, 'time', now, 'payload', json)
end
)lua";

// BOOK
// KEYS: meetings, agenda, occupancy, booking key, stream, buyer hash, company hash
// ARGV: 1 meeting id, 2 buyer, 3 company, 4 slot, 5 day, 6 venue, 7 own table ("" none),
//       8 company seats, 9 max meetings per day, 10 buyer unavailable (1/0),
//       11 company unavailable, 12 buyer profile version, 13 company profile version,
//       14 interpreter needed (1/0), 15 source, 16 request id, 17 now, 18 event id,
//       19 stream max len, 20 key ttl seconds, 21 idempotent (1/0),
//       then: n pools, n x (pool id, interpreters on duty in the slot);
//             n travel, n x (slot, ",venue,venue," the buyer cannot come from/go to in time);
//             n labels, the venue's table labels (only without an own table)
// Returns {'ok', json} | {'replay', json} | {'conflict', reason, detail} | {'stale'}
const redis::Script kBookScript(kLuaCommon + R"lua(
local meetings, agenda, occ_key, key_key, stream = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local id, buyer, company = ARGV[1], ARGV[2], ARGV[3]
local slot, day = tonumber(ARGV[4]), tonumber(ARGV[5])
local venue, own, seats, max_per_day = ARGV[6], ARGV[7], tonumber(ARGV[8]), tonumber(ARGV[9])
local idempotent = ARGV[21] == '1'
local i = 22
local function take() local v = ARGV[i]; i = i + 1; return v end
local pools = {}
for _ = 1, tonumber(take()) do
  local pool_id = take()
  pools[#pools + 1] = {id = pool_id, count = tonumber(take())}
end
local travel = {}
for _ = 1, tonumber(take()) do
  local t = take()
  travel[#travel + 1] = {slot = t, venues = take()}
end
local labels = {}
for _ = 1, tonumber(take()) do labels[#labels + 1] = take() end

if idempotent then
  local existing = redis.call('GET', key_key)
  if existing then return {'replay', redis.call('HGET', meetings, existing) or ''} end
end
if redis.call('HGET', KEYS[6], 'version') ~= ARGV[12] or
   redis.call('HGET', KEYS[7], 'version') ~= ARGV[13] then
  return {'stale'}
end
local o = redis_occupancy(occ_key)
if o.get(f_pair(buyer, company)) then return {'conflict', 'pair_already_meets', ''} end
if ARGV[10] == '1' then return {'conflict', 'participant_unavailable', buyer} end
if ARGV[11] == '1' then return {'conflict', 'participant_unavailable', company} end
if count(o, f_busy(buyer, slot)) >= 1 then return {'conflict', 'buyer_busy', buyer} end
if count(o, f_busy(company, slot)) >= seats then return {'conflict', 'company_busy', company} end
if count(o, f_daily(buyer, day)) >= max_per_day then return {'conflict', 'daily_limit', buyer} end
if count(o, f_daily(company, day)) >= max_per_day then
  return {'conflict', 'daily_limit', company}
end
for _, t in ipairs(travel) do
  local at = o.get(f_where(buyer, t.slot))
  if at and string.find(t.venues, ',' .. at .. ',', 1, true) then
    return {'conflict', 'travel_time', 'slot ' .. t.slot .. ' at ' .. at}
  end
end
local table_label = pick_table(o, venue, slot, company, own, labels)
if not table_label then return {'conflict', 'no_table', venue} end
local interpreter = ''
if ARGV[14] == '1' then
  for _, pool in ipairs(pools) do
    if count(o, f_interpreters(pool.id, slot)) < pool.count then
      interpreter = pool.id
      break
    end
  end
  if interpreter == '' then return {'conflict', 'no_interpreter', ''} end
end

local m = {id = id, buyer_id = buyer, company_id = company, slot = slot, day = day,
           venue = venue, table = table_label, interpreter = interpreter,
           status = 'scheduled', source = ARGV[15], request_id = ARGV[16], version = 1,
           created_at = ARGV[17], updated_at = ARGV[17]}
local json = cjson.encode(m)
redis.call('HSET', meetings, id, json)
redis.call('ZADD', agenda, 0, agenda_member(buyer, slot, id), 0, agenda_member(company, slot, id))
occupy(o, m)
if idempotent then redis.call('SET', key_key, id, 'EX', ARGV[20]) end
emit(stream, ARGV[19], ARGV[18], ARGV[17], 'meeting.placed', m, json)
return {'ok', json}
)lua");

// CANCEL
// KEYS: meetings, occupancy, stream. ARGV: meeting id, by, now, event id, stream max len
// Returns {'ok', json} | {'already', json} | {'not_found'}
const redis::Script kCancelScript(kLuaCommon + R"lua(
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return {'not_found'} end
local m = cjson.decode(raw)
if m.status == 'cancelled' then return {'already', raw} end
release(redis_occupancy(KEYS[2]), m)
m.status = 'cancelled'
m.version = m.version + 1
m.updated_at = ARGV[3]
m.cancelled_by = ARGV[2]
local json = cjson.encode(m)
redis.call('HSET', KEYS[1], ARGV[1], json)
emit(KEYS[3], ARGV[5], ARGV[4], ARGV[3], 'meeting.cancelled', m, json)
return {'ok', json}
)lua");

// AGENDA (read only): KEYS: agenda, meetings. ARGV: participant id. Returns meeting JSONs.
const redis::Script kAgendaScript(R"lua(
local members = redis.call('ZRANGEBYLEX', KEYS[1], '[' .. ARGV[1] .. '|', '(' .. ARGV[1] .. '}')
local out = {}
for _, member in ipairs(members) do
  local id = string.match(member, '|([^|]+)$')
  local raw = redis.call('HGET', KEYS[2], id)
  if raw then out[#out + 1] = raw end
end
return out
)lua");

// PUBLISH
// KEYS: meetings, agenda, occupancy, schedule meta, stream
// ARGV: 1 run id, 2 now, 3 event id, 4 stream max len, 5 day of every slot ("0,0,1,..."),
//   then n companies x (id, venue, own table, seats); n venues x (id, n labels, labels...);
//   n pools x (id, count, slots on duty: "*" or ",0,3,"); n placements x (buyer, company,
//   slot, interpreter, fresh meeting id)
// Everything is computed on Lua tables first; Redis is written only when all placements fit.
// Returns {'ok', placed, moved, cancelled, kept, skipped, version, (type, json)...} |
//         {'infeasible', reason, detail}
const redis::Script kPublishScript(kLuaCommon + R"lua(
local meetings, agenda, occ_key, meta, stream = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local run_id, now, event_id, maxlen = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local days = {}
for d in string.gmatch(ARGV[5], '[^,]+') do days[#days + 1] = tonumber(d) end
local i = 6
local function take() local v = ARGV[i]; i = i + 1; return v end
local companies = {}
for _ = 1, tonumber(take()) do
  local id = take()
  local venue = take()
  local own = take()
  companies[id] = {venue = venue, own = own, seats = tonumber(take())}
end
local venues = {}
for _ = 1, tonumber(take()) do
  local id = take()
  local labels = {}
  for _ = 1, tonumber(take()) do labels[#labels + 1] = take() end
  venues[id] = labels
end
local pools = {}
for _ = 1, tonumber(take()) do
  local id = take()
  local n = tonumber(take())
  pools[id] = {count = n, on_duty = take()}
end
local placements = {}
for _ = 1, tonumber(take()) do
  local buyer = take()
  local company = take()
  local slot = tonumber(take())
  local interpreter = take()
  placements[#placements + 1] = {buyer = buyer, company = company, slot = slot,
                                 interpreter = interpreter, id = take()}
end

local state = {}
local o = memory_occupancy(state)
local kept_pairs, previous = {}, {}
local placed, moved, cancelled, kept, skipped = 0, 0, 0, 0, 0
for _, raw in ipairs(redis.call('HVALS', meetings)) do
  local m = cjson.decode(raw)
  if m.status == 'scheduled' then
    local pair = m.buyer_id .. '|' .. m.company_id
    if m.source == 'schedule' then
      previous[pair] = m
    else
      kept_pairs[pair] = true
      occupy(o, m)
      kept = kept + 1
    end
  end
end

local changes = {}  -- {kind, meeting, slot before}
local placed_pairs = {}
for _, p in ipairs(placements) do
  local pair = p.buyer .. '|' .. p.company
  local where = p.buyer .. ' with ' .. p.company .. ' in slot ' .. p.slot
  if kept_pairs[pair] then
    skipped = skipped + 1
  else
    if placed_pairs[pair] then return {'infeasible', 'pair_twice', where} end
    placed_pairs[pair] = true
    local c = companies[p.company]
    local day = days[p.slot + 1]
    if count(o, f_busy(p.buyer, p.slot)) >= 1 then return {'infeasible', 'buyer_busy', where} end
    if count(o, f_busy(p.company, p.slot)) >= c.seats then
      return {'infeasible', 'company_busy', where}
    end
    if p.interpreter ~= '' then
      local pool = pools[p.interpreter]
      if not pool or (pool.on_duty ~= '*' and
                      not string.find(pool.on_duty, ',' .. p.slot .. ',', 1, true)) or
         count(o, f_interpreters(p.interpreter, p.slot)) >= pool.count then
        return {'infeasible', 'no_interpreter', where}
      end
    end
    local prev = previous[pair]
    local label
    if prev and prev.slot == p.slot and prev.venue == c.venue and c.own == '' and
       not o.get(f_holder(c.venue, p.slot, prev.table)) then
      label = prev.table  -- an unmoved meeting keeps its table
    else
      label = pick_table(o, c.venue, p.slot, p.company, c.own, venues[c.venue] or {})
    end
    if not label then return {'infeasible', 'no_table', where} end
    if prev then
      previous[pair] = nil
      local before = prev.slot
      if prev.slot ~= p.slot or prev.venue ~= c.venue or prev.table ~= label or
         prev.interpreter ~= p.interpreter then
        prev.slot, prev.day, prev.venue, prev.table = p.slot, day, c.venue, label
        prev.interpreter = p.interpreter
        prev.version = prev.version + 1
        prev.updated_at = now
        prev.run_id = run_id
        changes[#changes + 1] = {'meeting.moved', prev, before}
        moved = moved + 1
      end
      occupy(o, prev)
    else
      local m = {id = p.id, buyer_id = p.buyer, company_id = p.company, slot = p.slot, day = day,
                 venue = c.venue, table = label, interpreter = p.interpreter,
                 status = 'scheduled', source = 'schedule', request_id = '', run_id = run_id,
                 version = 1, created_at = now, updated_at = now}
      occupy(o, m)
      changes[#changes + 1] = {'meeting.placed', m, p.slot}
      placed = placed + 1
    end
  end
end
local dropped = {}
for _, m in pairs(previous) do dropped[#dropped + 1] = m end
table.sort(dropped, function(a, b) return a.id < b.id end)
for _, m in ipairs(dropped) do
  m.status = 'cancelled'
  m.version = m.version + 1
  m.updated_at = now
  m.cancelled_by = 'schedule:' .. run_id
  changes[#changes + 1] = {'meeting.cancelled', m, m.slot}
  cancelled = cancelled + 1
end

-- Everything fits: write.
redis.call('DEL', occ_key)
local batch = {}
for f, v in pairs(state) do
  batch[#batch + 1] = f
  batch[#batch + 1] = v
  if #batch >= 1000 then
    redis.call('HSET', occ_key, unpack(batch))
    batch = {}
  end
end
if #batch > 0 then redis.call('HSET', occ_key, unpack(batch)) end
local version = redis.call('HINCRBY', meta, 'version', 1)
local reply = {'ok', placed, moved, cancelled, kept, skipped, tostring(version)}
for _, change in ipairs(changes) do
  local kind, m, before = change[1], change[2], change[3]
  local json = cjson.encode(m)
  redis.call('HSET', meetings, m.id, json)
  if kind == 'meeting.moved' then
    redis.call('ZREM', agenda, agenda_member(m.buyer_id, before, m.id),
               agenda_member(m.company_id, before, m.id))
  end
  if kind ~= 'meeting.cancelled' then
    redis.call('ZADD', agenda, 0, agenda_member(m.buyer_id, m.slot, m.id),
               0, agenda_member(m.company_id, m.slot, m.id))
  end
  emit(stream, maxlen, event_id, now, kind, m, json)
  reply[#reply + 1] = kind
  reply[#reply + 1] = json
end
redis.call('HSET', meta, 'run_id', run_id, 'published_at', now)
local summary = cjson.encode({schedule_version = tostring(version), run_id = run_id,
                              placed = placed, moved = moved, cancelled = cancelled,
                              kept = kept, skipped = skipped})
redis.call('XADD', stream, 'MAXLEN', '~', maxlen, '*', 'type', 'schedule.published',
           'schema', '1', 'event', event_id, 'key', 'schedule:' .. version, 'time', now,
           'payload', summary)
return reply
)lua");

// What booking needs to know about an event, derived once per event (events do not change
// after they are created) and shared between threads.
struct EventFacts {
  std::vector<event::Slot> slots;
  int max_travel_minutes = 0;
};

constexpr std::size_t kMaxCachedEvents = 1024;  // facts are small; drop all when over

std::shared_ptr<const EventFacts> facts_of(const EventInfo& info) {
  static std::mutex mutex;
  static std::unordered_map<std::string, std::shared_ptr<const EventFacts>> cache;
  {
    std::lock_guard lock(mutex);
    auto it = cache.find(info.id);
    if (it != cache.end()) return it->second;
  }
  auto facts = std::make_shared<EventFacts>();
  facts->slots = event::derive_slots(info.event);
  for (const auto& travel : info.event.travel) {
    facts->max_travel_minutes = std::max(facts->max_travel_minutes, travel.minutes);
  }
  std::lock_guard lock(mutex);
  if (cache.size() >= kMaxCachedEvents) cache.clear();
  cache.emplace(info.id, facts);
  return facts;
}

// The fields of a stored profile that booking looks at.
struct ProfileFacts {
  std::string version;
  std::vector<std::string> languages;
  std::set<int> unavailable;
  std::string venue, table;  // company
  int seats = 1;             // company
};

bool safe_id(std::string_view id, std::size_t max_bytes) {
  if (id.empty() || id.size() > max_bytes) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.' || c == ':';
  });
}

constexpr std::size_t kMaxIdBytes = 64;

void check_id(std::string_view id, const std::string& field) {
  if (!safe_id(id, kMaxIdBytes)) {
    throw_invalid(
        "invalid_id",
        field + " must be 1.." + std::to_string(kMaxIdBytes) + " of A-Z a-z 0-9 _ - . :", field);
  }
}

void check_slot(const EventFacts& facts, int slot, const std::string& field) {
  if (slot < 0 || slot >= static_cast<int>(facts.slots.size())) {
    throw_invalid("invalid_slot",
                  field + " must be a slot index of the event, 0.." +
                      std::to_string(static_cast<int>(facts.slots.size()) - 1),
                  field);
  }
}

// Reads HMGET role, profile, version of one participant; throws kNotFound / wrong_role.
ProfileFacts profile_facts(const redis::Reply& reply, Role role, const std::string& id,
                           const std::string& field) {
  if (reply.is_error() || reply.elements.size() != 3 || reply.elements[0].is_nil()) {
    throw Error(ErrorCode::kNotFound, "participant_not_found", "no participant " + id, field);
  }
  std::string want = role == Role::kBuyer ? "buyer" : "company";
  if (reply.elements[0].as_string() != want) {
    throw_invalid("wrong_role", id + " is not a " + want, field);
  }
  ProfileFacts facts;
  facts.version = reply.elements[2].as_string();
  auto doc = json::parse(reply.elements[1].as_string());
  if (doc.HasMember("languages") && doc["languages"].IsArray()) {
    for (const auto& l : doc["languages"].GetArray()) {
      if (l.IsString()) facts.languages.emplace_back(l.GetString(), l.GetStringLength());
    }
  }
  if (doc.HasMember("unavailable_slots") && doc["unavailable_slots"].IsArray()) {
    for (const auto& s : doc["unavailable_slots"].GetArray()) {
      if (s.IsInt()) facts.unavailable.insert(s.GetInt());
    }
  }
  auto text = [&doc](const char* name) {
    return doc.HasMember(name) && doc[name].IsString()
               ? std::string(doc[name].GetString(), doc[name].GetStringLength())
               : std::string();
  };
  facts.venue = text("venue");
  facts.table = text("table");
  if (doc.HasMember("seats") && doc["seats"].IsInt()) facts.seats = doc["seats"].GetInt();
  return facts;
}

redis::Command profile_read(const std::string& event_id, const std::string& participant_id) {
  return {"HMGET", keys::participant(event_id, participant_id), "role", "profile", "version"};
}

bool shares_language(const ProfileFacts& a, const ProfileFacts& b) {
  return std::any_of(a.languages.begin(), a.languages.end(), [&b](const std::string& l) {
    return std::find(b.languages.begin(), b.languages.end(), l) != b.languages.end();
  });
}

bool on_duty(const event::InterpreterPool& pool, int slot) {
  return !pool.available_slots ||
         std::find(pool.available_slots->begin(), pool.available_slots->end(), slot) !=
             pool.available_slots->end();
}

// Pools that can interpret between the buyer's and the company's languages, with their
// count in the slot (0 when off duty), in event order.
std::vector<std::pair<std::string, int>> interpreter_pools(const event::Event& ev,
                                                           const ProfileFacts& buyer,
                                                           const ProfileFacts& company, int slot) {
  auto speaks = [](const ProfileFacts& p, const std::string& l) {
    return std::find(p.languages.begin(), p.languages.end(), l) != p.languages.end();
  };
  std::vector<std::pair<std::string, int>> pools;
  for (const auto& pool : ev.interpreters) {
    const auto& a = pool.languages.at(0);
    const auto& b = pool.languages.at(1);
    bool fits =
        (speaks(buyer, a) && speaks(company, b)) || (speaks(buyer, b) && speaks(company, a));
    if (fits && on_duty(pool, slot) && pool.count > 0) pools.emplace_back(pool.id, pool.count);
  }
  return pools;
}

// Slots whose buyer meeting at one of the listed venues leaves too little time to travel to
// `venue` for `slot` (or from it to them): {slot, ",v1,v2,"}. Slots are in time order, so the
// scan stops once the gap exceeds the longest travel time of the event.
std::vector<std::pair<int, std::string>> travel_conflicts(const event::Event& ev,
                                                          const EventFacts& facts, int slot,
                                                          const std::string& venue) {
  std::vector<std::pair<int, std::string>> out;
  if (facts.max_travel_minutes == 0) return out;
  const auto& here = facts.slots[static_cast<std::size_t>(slot)];
  auto gap_to = [&](const event::Slot& other) {
    auto gap = other.start_utc >= here.end_utc ? other.start_utc - here.end_utc
                                               : here.start_utc - other.end_utc;
    return std::chrono::duration_cast<std::chrono::minutes>(gap).count();
  };
  auto add = [&](const event::Slot& other) {
    std::string venues = ",";
    for (const auto& v : ev.venues) {
      if (v.id == venue) continue;
      auto minutes = ev.travel_minutes(venue, v.id);
      if (minutes && gap_to(other) < *minutes) venues += v.id + ",";
    }
    if (venues.size() > 1) out.emplace_back(other.index, venues);
  };
  for (int t = slot - 1; t >= 0 && gap_to(facts.slots[t]) < facts.max_travel_minutes; --t) {
    add(facts.slots[t]);
  }
  for (int t = slot + 1; t < static_cast<int>(facts.slots.size()) &&
                         gap_to(facts.slots[t]) < facts.max_travel_minutes;
       ++t) {
    add(facts.slots[t]);
  }
  return out;
}

[[noreturn]] void store_failed(const redis::Reply& reply, std::string_view what) {
  throw Error(ErrorCode::kUnavailable, "store_failed",
              std::string(what) + " failed: " + (reply.is_error() ? reply.str : "bad reply"));
}

std::string conflict_message(const std::string& reason, const std::string& detail) {
  static const std::map<std::string, std::string> kMessages{
      {"pair_already_meets", "this buyer and company already have a meeting"},
      {"participant_unavailable", "a participant marked this slot unavailable"},
      {"buyer_busy", "the buyer already has a meeting in this slot"},
      {"company_busy", "every seat of the company is taken in this slot"},
      {"daily_limit", "a participant reached the event's maximum of meetings that day"},
      {"travel_time", "the buyer cannot reach the company's venue in time"},
      {"no_table", "no table is free at the company's venue in this slot"},
      {"no_interpreter", "the pair shares no language and no interpreter is free in this slot"},
  };
  auto it = kMessages.find(reason);
  std::string message = it == kMessages.end() ? reason : it->second;
  return detail.empty() ? message : message + " (" + detail + ")";
}

std::vector<Meeting> parse_all(const redis::Reply& reply, bool include_cancelled) {
  std::vector<Meeting> out;
  for (const auto& item : reply.elements) {
    if (item.is_nil()) continue;
    Meeting m = parse_meeting(item.as_string());
    if (include_cancelled || m.status == "scheduled") out.push_back(std::move(m));
  }
  return out;
}

}  // namespace

std::string to_json(const Meeting& m) {
  return "{\"id\":" + json::quote(m.id) + ",\"buyer_id\":" + json::quote(m.buyer_id) +
         ",\"company_id\":" + json::quote(m.company_id) + ",\"slot\":" + std::to_string(m.slot) +
         ",\"venue\":" + json::quote(m.venue) + ",\"table\":" + json::quote(m.table) +
         ",\"interpreter\":" + json::quote(m.interpreter) + ",\"status\":" + json::quote(m.status) +
         ",\"source\":" + json::quote(m.source) + ",\"request_id\":" + json::quote(m.request_id) +
         ",\"version\":" + std::to_string(m.version) +
         ",\"updated_at\":" + json::quote(m.updated_at) + "}";
}

Meeting parse_meeting(std::string_view text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    throw_invalid("malformed_meeting", "a stored meeting is not a JSON object");
  }
  Meeting m;
  auto text_of = [&doc](const char* name, std::string& out) {
    if (doc.HasMember(name) && doc[name].IsString()) {
      out.assign(doc[name].GetString(), doc[name].GetStringLength());
    }
  };
  text_of("id", m.id);
  text_of("buyer_id", m.buyer_id);
  text_of("company_id", m.company_id);
  text_of("venue", m.venue);
  text_of("table", m.table);
  text_of("interpreter", m.interpreter);
  text_of("status", m.status);
  text_of("source", m.source);
  text_of("request_id", m.request_id);
  text_of("updated_at", m.updated_at);
  // Lua's cjson writes whole numbers without a fraction, but accept 3.0 as 3 too.
  auto number = [&doc](const char* name) -> std::optional<long long> {
    if (!doc.HasMember(name) || !doc[name].IsNumber()) return std::nullopt;
    return doc[name].IsInt64() ? doc[name].GetInt64()
                               : static_cast<long long>(doc[name].GetDouble());
  };
  auto slot = number("slot");
  auto version = number("version");
  if (m.id.empty() || !slot || !version) {
    throw_invalid("malformed_meeting", "a stored meeting lacks id, slot or version");
  }
  m.slot = static_cast<int>(*slot);
  m.version = *version;
  return m;
}

asio::awaitable<Meeting> book(redis::Client& redis, const bus::Topology& topology,
                              const EventInfo& info, const BookingRequest& r) {
  // Arguments are checked before anything is read or written.
  check_id(r.buyer_id, "buyer_id");
  check_id(r.company_id, "company_id");
  auto facts = facts_of(info);
  check_slot(*facts, r.slot, "slot");
  if (!r.idempotency_key.empty() && !safe_id(r.idempotency_key, kMaxIdempotencyKeyBytes)) {
    throw_invalid("invalid_idempotency_key",
                  "an idempotency key is 1..128 of A-Z a-z 0-9 _ - . :", "idempotency_key");
  }
  if (r.source != "booking" && r.source != "schedule" && r.source != "organizer") {
    throw_invalid("invalid_source", "source must be booking, schedule or organizer", "source");
  }
  if (r.request_id.size() > kMaxRequestIdBytes) {
    throw_invalid("too_long", "request_id is at most 128 bytes", "request_id");
  }
  const event::Event& ev = info.event;
  const auto& slot = facts->slots[static_cast<std::size_t>(r.slot)];

  for (int attempt = 1;; ++attempt) {
    std::vector<redis::Command> reads{profile_read(info.id, r.buyer_id),
                                      profile_read(info.id, r.company_id)};
    auto profiles = co_await redis.pipeline(std::move(reads));
    auto buyer = profile_facts(profiles.at(0), Role::kBuyer, r.buyer_id, "buyer_id");
    auto company = profile_facts(profiles.at(1), Role::kCompany, r.company_id, "company_id");

    const event::Venue* venue = ev.find_venue(company.venue);
    bool needs_interpreter = !shares_language(buyer, company);
    auto pools = needs_interpreter ? interpreter_pools(ev, buyer, company, r.slot)
                                   : std::vector<std::pair<std::string, int>>{};
    auto travel = travel_conflicts(ev, *facts, r.slot, company.venue);

    std::vector<std::string> script_keys{keys::meetings(info.id),
                                         keys::agenda(info.id),
                                         keys::occupancy(info.id),
                                         keys::booking_key(info.id, r.idempotency_key),
                                         bus::stream_for(topology, "meetings", info.id),
                                         keys::participant(info.id, r.buyer_id),
                                         keys::participant(info.id, r.company_id)};
    std::string now = bus::utc_now_rfc3339();
    std::vector<std::string> args{tokens::random_id("m", 8),
                                  r.buyer_id,
                                  r.company_id,
                                  std::to_string(r.slot),
                                  std::to_string(slot.day),
                                  company.venue,
                                  company.table,
                                  std::to_string(company.seats),
                                  std::to_string(ev.policies.max_meetings_per_day),
                                  buyer.unavailable.count(r.slot) ? "1" : "0",
                                  company.unavailable.count(r.slot) ? "1" : "0",
                                  buyer.version,
                                  company.version,
                                  needs_interpreter ? "1" : "0",
                                  r.source,
                                  r.request_id,
                                  now,
                                  info.id,
                                  std::to_string(topology.max_len),
                                  std::to_string(kIdempotencyTtlSeconds),
                                  r.idempotency_key.empty() ? "0" : "1"};
    args.push_back(std::to_string(pools.size()));
    for (const auto& [id, n] : pools) {
      args.push_back(id);
      args.push_back(std::to_string(n));
    }
    args.push_back(std::to_string(travel.size()));
    for (const auto& [t, venues] : travel) {
      args.push_back(std::to_string(t));
      args.push_back(venues);
    }
    // The free-table scan needs the venue's labels only when the company has no own table;
    // an unknown venue leaves the list empty, so the script answers no_table.
    bool floating = company.table.empty() && venue != nullptr;
    args.push_back(std::to_string(floating ? venue->tables.size() : 0));
    if (floating) args.insert(args.end(), venue->tables.begin(), venue->tables.end());

    auto reply = co_await redis.eval(kBookScript, std::move(script_keys), std::move(args));
    if (reply.is_error() || reply.elements.empty()) store_failed(reply, "booking");
    const std::string& status = reply.elements[0].as_string();
    if (status == "ok") co_return parse_meeting(reply.elements.at(1).as_string());
    if (status == "replay") {
      Meeting m = parse_meeting(reply.elements.at(1).as_string());
      if (m.buyer_id != r.buyer_id || m.company_id != r.company_id || m.slot != r.slot) {
        throw Error(ErrorCode::kUnprocessable, "idempotency_key_reused",
                    "this idempotency key was used for another booking", "idempotency_key");
      }
      co_return m;
    }
    if (status == "conflict") {
      const std::string& reason = reply.elements.at(1).as_string();
      throw Error(ErrorCode::kConflict, reason,
                  conflict_message(reason, reply.elements.at(2).as_string()), "slot");
    }
    if (status != "stale") store_failed(reply, "booking");
    if (attempt == kStaleProfileAttempts) {
      throw Error(ErrorCode::kConflict, "profile_changed",
                  "a participant's profile kept changing during the booking; try again");
    }
  }
}

asio::awaitable<Meeting> cancel(redis::Client& redis, const bus::Topology& topology,
                                const std::string& event_id, const std::string& meeting_id,
                                const std::string& by) {
  check_id(meeting_id, "meeting_id");
  std::vector<std::string> script_keys{keys::meetings(event_id), keys::occupancy(event_id),
                                       bus::stream_for(topology, "meetings", event_id)};
  std::vector<std::string> args{meeting_id, by, bus::utc_now_rfc3339(), event_id,
                                std::to_string(topology.max_len)};
  auto reply = co_await redis.eval(kCancelScript, std::move(script_keys), std::move(args));
  if (reply.is_error() || reply.elements.empty()) store_failed(reply, "cancelling");
  if (reply.elements[0].as_string() == "not_found") {
    throw Error(ErrorCode::kNotFound, "meeting_not_found", "no meeting " + meeting_id);
  }
  co_return parse_meeting(reply.elements.at(1).as_string());
}

asio::awaitable<std::vector<Meeting>> list(redis::Client& redis, const std::string& event_id,
                                           bool include_cancelled) {
  // One HVALS is one consistent snapshot: a publish replaces the timetable atomically.
  redis::Command read{"HVALS", keys::meetings(event_id)};
  auto reply = co_await redis.call(std::move(read));
  if (reply.is_error()) store_failed(reply, "reading the schedule");
  auto out = parse_all(reply, include_cancelled);
  std::sort(out.begin(), out.end(), [](const Meeting& a, const Meeting& b) {
    return std::tie(a.slot, a.venue, a.table, a.id) < std::tie(b.slot, b.venue, b.table, b.id);
  });
  co_return out;
}

asio::awaitable<std::vector<Meeting>> agenda(redis::Client& redis, const std::string& event_id,
                                             const std::string& participant_id,
                                             bool include_cancelled) {
  check_id(participant_id, "participant_id");
  std::vector<std::string> script_keys{keys::agenda(event_id), keys::meetings(event_id)};
  std::vector<std::string> args{participant_id};
  auto reply = co_await redis.eval(kAgendaScript, std::move(script_keys), std::move(args));
  if (reply.is_error()) store_failed(reply, "reading an agenda");
  co_return parse_all(reply, include_cancelled);  // the agenda index is in slot order
}

asio::awaitable<Meeting> get(redis::Client& redis, const std::string& event_id,
                             const std::string& meeting_id) {
  check_id(meeting_id, "meeting_id");
  redis::Command read{"HGET", keys::meetings(event_id), meeting_id};
  auto reply = co_await redis.call(std::move(read));
  if (reply.is_error()) store_failed(reply, "reading a meeting");
  if (reply.is_nil()) {
    throw Error(ErrorCode::kNotFound, "meeting_not_found", "no meeting " + meeting_id);
  }
  co_return parse_meeting(reply.as_string());
}

asio::awaitable<PublishResult> publish(redis::Client& redis, const bus::Topology& topology,
                                       const EventInfo& info,
                                       const std::vector<Meeting>& placements,
                                       const std::string& run_id) {
  auto facts = facts_of(info);
  check_id(run_id, "run_id");
  std::set<std::string> buyer_ids, company_ids;
  for (std::size_t i = 0; i < placements.size(); ++i) {
    std::string at = "placements[" + std::to_string(i) + "]";
    const auto& p = placements[i];
    check_id(p.buyer_id, at + ".buyer_id");
    check_id(p.company_id, at + ".company_id");
    check_slot(*facts, p.slot, at + ".slot");
    if (!p.interpreter.empty()) check_id(p.interpreter, at + ".interpreter");
    buyer_ids.insert(p.buyer_id);
    company_ids.insert(p.company_id);
  }

  // Every participant must exist with its role; companies give venue, table and seats.
  std::vector<redis::Command> reads;
  std::vector<std::pair<std::string, Role>> who;
  for (const auto& id : buyer_ids) who.emplace_back(id, Role::kBuyer);
  for (const auto& id : company_ids) who.emplace_back(id, Role::kCompany);
  for (const auto& [id, role] : who) reads.push_back(profile_read(info.id, id));
  std::vector<redis::Reply> replies;
  if (!reads.empty()) replies = co_await redis.pipeline(std::move(reads));
  std::vector<std::string> args{run_id, bus::utc_now_rfc3339(), info.id,
                                std::to_string(topology.max_len)};
  std::string days;
  for (const auto& s : facts->slots) days += std::to_string(s.day) + ",";
  args.push_back(days);
  args.push_back(std::to_string(company_ids.size()));
  std::set<std::string> venues_used;
  for (std::size_t i = 0; i < who.size(); ++i) {
    auto profile = profile_facts(replies[i], who[i].second, who[i].first, "placements");
    if (who[i].second != Role::kCompany) continue;
    args.insert(args.end(),
                {who[i].first, profile.venue, profile.table, std::to_string(profile.seats)});
    venues_used.insert(profile.venue);
  }
  std::vector<const event::Venue*> venues;
  for (const auto& id : venues_used) {
    if (const auto* v = info.event.find_venue(id)) venues.push_back(v);
  }
  args.push_back(std::to_string(venues.size()));
  for (const auto* v : venues) {
    args.push_back(v->id);
    args.push_back(std::to_string(v->tables.size()));
    args.insert(args.end(), v->tables.begin(), v->tables.end());
  }
  args.push_back(std::to_string(info.event.interpreters.size()));
  for (const auto& pool : info.event.interpreters) {
    std::string on_duty = "*";
    if (pool.available_slots) {
      on_duty = ",";
      for (int s : *pool.available_slots) on_duty += std::to_string(s) + ",";
    }
    args.insert(args.end(), {pool.id, std::to_string(pool.count), on_duty});
  }
  args.push_back(std::to_string(placements.size()));
  for (const auto& p : placements) {
    args.insert(args.end(), {p.buyer_id, p.company_id, std::to_string(p.slot), p.interpreter,
                             tokens::random_id("m", 8)});
  }

  std::vector<std::string> script_keys{keys::meetings(info.id), keys::agenda(info.id),
                                       keys::occupancy(info.id), keys::schedule_meta(info.id),
                                       bus::stream_for(topology, "meetings", info.id)};
  auto reply = co_await redis.eval(kPublishScript, std::move(script_keys), std::move(args));
  if (reply.is_error() || reply.elements.empty()) store_failed(reply, "publishing the schedule");
  const auto& e = reply.elements;
  if (e[0].as_string() == "infeasible") {
    throw Error(ErrorCode::kConflict, "schedule_infeasible",
                "the schedule does not fit: " + e.at(1).as_string() + " (" + e.at(2).as_string() +
                    "); nothing was changed",
                "placements");
  }
  if (e[0].as_string() != "ok" || e.size() < 7 || (e.size() - 7) % 2 != 0) {
    store_failed(reply, "publishing the schedule");
  }
  PublishResult result;
  result.placed = static_cast<int>(e[1].as_integer());
  result.moved = static_cast<int>(e[2].as_integer());
  result.cancelled = static_cast<int>(e[3].as_integer());
  result.kept = static_cast<int>(e[4].as_integer());
  result.skipped = static_cast<int>(e[5].as_integer());
  result.schedule_version = e[6].as_string();
  for (std::size_t i = 7; i + 1 < e.size(); i += 2) {
    result.changes.push_back({e[i].as_string(), parse_meeting(e[i + 1].as_string())});
  }
  co_return result;
}

}  // namespace sangdam::meetings
