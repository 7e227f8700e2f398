// GET /v1/events/{e}/live: WebSocket live updates. The ledger service writes one entry per
// notification to the event's live stream (keys::live: type, audience, source, time, payload);
// this route replays what a client missed and then pushes new entries as they come, each to the
// clients it concerns (the organizer sees all, a participant what names it).
//
// Reading: one LiveHub per gateway worker (io_context) owns ONE dedicated Redis connection that
// blocks in XREAD on the live streams of every event with a client on that worker, and fans
// each entry out to those clients. The worker's pipelined connection never blocks (it serves
// replays, which are plain XRANGE pages, and the wake-up below). Costs: one extra Redis
// connection per worker while any client is connected; per client, its WebSocket write queue
// (WebSocketLimits::queue_limit messages: a client that does not keep up is dropped and resumes
// with its last id) and, while it replays, at most kHeldLimit held live entries.
//
// No gaps, no duplicates: a client's cursor is the id of the last entry it was sent or skipped.
// It joins its event's feed first (live entries then queue up for it), replays the stream from
// its cursor up to where the feed had read at joining (XRANGE pages, paced by its write queue),
// then sends the held entries newer than its cursor and goes live. Every step only ever sends
// an entry whose id is above the cursor and moves the cursor to it.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "matching/error.hpp"
#include "matching/ledger/notification.hpp"
#include "services/common/keys.hpp"
#include "services/common/log.hpp"
#include "services/common/tokens.hpp"
#include "services/common/websocket.hpp"
#include "services/gateway/gateway.hpp"

namespace sangdam::gateway {

using boost::beast::http::verb;

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr int kReplayPage = 200;              // entries per XRANGE page of a replay
constexpr std::size_t kReplayQueueHigh = 64;  // a replay waits while more are queued to send
constexpr auto kReplayPace = 10ms;            // how often it looks at the queue meanwhile
constexpr std::size_t kHeldLimit = 10000;     // live entries held for a client still replaying
constexpr int kLiveReadCount = 500;           // XREAD COUNT per stream per read
constexpr auto kLiveReadBlock = 1000ms;       // XREAD BLOCK bound
constexpr auto kLiveReadMargin = 2000ms;      // + BLOCK = the XREAD call timeout
constexpr auto kOutagePause = 500ms;          // after a failed read, before the next one
constexpr std::size_t kMaxCursorBytes = 41;   // "<20 digits>-<20 digits>"

// A stream entry id "<ms>-<seq>", ordered as Redis orders them.
struct EntryId {
  std::uint64_t ms = 0;
  std::uint64_t seq = 0;
  auto operator<=>(const EntryId&) const = default;
  std::string text() const { return std::to_string(ms) + "-" + std::to_string(seq); }
};

std::optional<std::uint64_t> parse_number(std::string_view text) {
  std::uint64_t value = 0;
  if (text.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<EntryId> parse_entry_id(std::string_view text) {
  auto dash = text.find('-');
  if (text.size() > kMaxCursorBytes || dash == std::string_view::npos) return std::nullopt;
  auto ms = parse_number(text.substr(0, dash));
  auto seq = parse_number(text.substr(dash + 1));
  if (!ms || !seq) return std::nullopt;
  return EntryId{*ms, *seq};
}

// The client's resume cursor: ?after=<id>, else the Last-Event-ID header, else none (start
// from now). Throws kInvalidArgument "invalid_cursor".
std::optional<EntryId> requested_cursor(const http::Request& req) {
  std::string_view text;
  std::string field = "after";
  if (auto it = req.query.find("after"); it != req.query.end()) {
    text = it->second;
  } else if (auto header = req.header("Last-Event-ID"); !header.empty()) {
    text = header;
    field = "Last-Event-ID";
  } else {
    return std::nullopt;
  }
  auto id = parse_entry_id(text);
  if (!id) {
    throw Error(ErrorCode::kInvalidArgument, "invalid_cursor",
                "the cursor must be a live entry id as received (\"<ms>-<seq>\")", field);
  }
  return id;
}

// One live stream entry, as read from Redis.
struct Entry {
  EntryId id;
  std::string audience;
  std::string message;  // what a client receives: {"id","type","time","payload"}
};

std::string field_of(const redis::Reply& fields, std::string_view name) {
  for (std::size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
    if (fields.elements[i].str == name) return fields.elements[i + 1].str;
  }
  return {};
}

// [id, [field, value, ...]] -> Entry. nullopt for an entry not written by the ledger's notifier
// (it is skipped, not sent).
std::optional<Entry> entry_from(const redis::Reply& raw) {
  if (raw.elements.size() != 2) return std::nullopt;
  auto id = parse_entry_id(raw.elements[0].str);
  const auto& fields = raw.elements[1];
  std::string type = field_of(fields, "type");
  std::string payload = field_of(fields, "payload");
  if (!id || type.empty() || payload.empty()) return std::nullopt;
  std::string id_text = raw.elements[0].str;
  std::string time = field_of(fields, "time");
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("id");
  w.String(id_text.c_str(), static_cast<rapidjson::SizeType>(id_text.size()));
  w.Key("type");
  w.String(type.c_str(), static_cast<rapidjson::SizeType>(type.size()));
  w.Key("time");
  w.String(time.c_str(), static_cast<rapidjson::SizeType>(time.size()));
  w.Key("payload");
  w.RawValue(payload.c_str(), payload.size(), rapidjson::kObjectType);  // written by the ledger
  w.EndObject();
  return Entry{*id, field_of(fields, "audience"),
               std::string(buffer.GetString(), buffer.GetSize())};
}

std::string control_message(std::string_view type, const EntryId& id) {
  return R"({"type":")" + std::string(type) + R"(","id":")" + id.text() + R"("})";
}

// One connected client.
struct Listener {
  std::shared_ptr<http::WebSocketSession> session;
  std::string participant_id;  // empty: the organizer (or admin), who sees every entry
  EntryId cursor;              // last entry sent or skipped
  bool replaying = true;       // live entries are held, not sent, until the replay is done
  std::deque<Entry> held;
  bool held_overflow = false;  // more than kHeldLimit came: replay again up to the feed

  // Sends entry if it is newer than the cursor and concerns this client; moves the cursor.
  void offer(const Entry& entry) {
    if (entry.id <= cursor) return;
    cursor = entry.id;
    if (participant_id.empty() || ledger::concerns(entry.audience, participant_id)) {
      session->send(entry.message);
    }
  }
};

// The live stream of one event as one worker reads it.
struct Feed {
  EntryId read_to;  // last entry the hub read (and fanned out)
  std::list<std::shared_ptr<Listener>> listeners;
};

// Per worker: the dedicated XREAD connection and the feeds of the events with clients here.
// Lives on its worker's executor only, so it needs no locks.
class LiveHub : public std::enable_shared_from_this<LiveHub> {
 public:
  LiveHub(asio::any_io_executor executor, redis::Options options, redis::Client& pipelined)
      : executor_(std::move(executor)), options_(std::move(options)), pipelined_(pipelined) {}

  // Adds listener to the event's feed (a new feed starts after stream_end) and returns where
  // the feed has read to: the listener must replay up to there itself.
  EntryId join(const std::string& event_id, const std::shared_ptr<Listener>& listener,
               EntryId stream_end) {
    auto [it, created] = feeds_.try_emplace(event_id);
    if (created) it->second.read_to = stream_end;
    it->second.listeners.push_back(listener);
    if (!reading_) {
      reading_ = true;
      asio::co_spawn(executor_, read_loop(shared_from_this()), asio::detached);
    } else if (created) {
      wake();  // the blocked XREAD does not name this stream yet
    }
    return it->second.read_to;
  }

  EntryId read_to(const std::string& event_id) const { return feeds_.at(event_id).read_to; }

  void leave(const std::string& event_id, const std::shared_ptr<Listener>& listener) {
    auto it = feeds_.find(event_id);
    if (it == feeds_.end()) return;
    it->second.listeners.remove(listener);
    if (!it->second.listeners.empty()) return;
    feeds_.erase(it);
    if (feeds_.empty()) wake();  // lets the reader end and close its connection now
  }

 private:
  // Ends the reader's XREAD BLOCK early (it returns nil) so that it re-reads the feed list.
  void wake() {
    if (reader_client_id_.empty()) return;
    asio::co_spawn(
        executor_,
        [self = shared_from_this(), id = reader_client_id_]() -> asio::awaitable<void> {
          redis::Command unblock{"CLIENT", "UNBLOCK", id};
          try {
            co_await self->pipelined_.call(std::move(unblock));
          } catch (const std::exception&) {
            // Not fatal: the XREAD returns by itself within kLiveReadBlock.
          }
        },
        asio::detached);
  }

  static asio::awaitable<void> read_loop(std::shared_ptr<LiveHub> self) {
    auto reader = redis::connect(self->executor_, self->options_);
    asio::steady_timer pause(self->executor_);
    while (!self->feeds_.empty()) {
      bool failed = false;
      try {
        if (self->reader_client_id_.empty()) {
          redis::Command whoami{"CLIENT", "ID"};
          auto id = co_await reader->call(std::move(whoami));
          self->reader_client_id_ = std::to_string(id.as_integer());
        }
        auto read = self->read_command();
        auto reply = co_await reader->call(std::move(read), kLiveReadBlock + kLiveReadMargin);
        if (reply.is_error()) {
          log::warn("live read refused", {log::field("error", reply.str)});
          failed = true;
        } else {
          self->fan_out(reply);
        }
      } catch (const std::exception& e) {
        log::warn("live read failed", {log::field("error", e.what())});
        self->reader_client_id_.clear();  // a new connection has a new id
        failed = true;
      }
      if (failed) {
        pause.expires_after(kOutagePause);
        boost::system::error_code ec;
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
    }
    // No co_await between the emptiness check above and here: a join() now starts a new loop.
    self->reading_ = false;
    self->reader_client_id_.clear();
    reader->close();
  }

  // XREAD COUNT n BLOCK ms STREAMS <live of each event> <read_to of each>
  redis::Command read_command() const {
    redis::Command read{"XREAD",
                        "COUNT",
                        std::to_string(kLiveReadCount),
                        "BLOCK",
                        std::to_string(kLiveReadBlock.count()),
                        "STREAMS"};
    for (const auto& [event_id, feed] : feeds_) read.push_back(keys::live(event_id));
    for (const auto& [event_id, feed] : feeds_) read.push_back(feed.read_to.text());
    return read;
  }

  void fan_out(const redis::Reply& reply) {
    for (const auto& stream : reply.elements) {  // nil (timeout, wake) has none
      if (stream.elements.size() != 2) continue;
      auto event_id = event_of_key(stream.elements[0].str);
      auto it = feeds_.find(event_id);
      if (it == feeds_.end()) continue;  // every client left meanwhile
      Feed& feed = it->second;
      for (const auto& raw : stream.elements[1].elements) {
        auto id = raw.elements.empty() ? std::nullopt : parse_entry_id(raw.elements[0].str);
        if (!id || *id <= feed.read_to) continue;  // a feed re-created ahead of this read
        feed.read_to = *id;
        auto entry = entry_from(raw);
        if (!entry) continue;
        for (const auto& listener : feed.listeners) {
          if (!listener->replaying) {
            listener->offer(*entry);
          } else if (entry->id > listener->cursor && !listener->held_overflow) {
            if (listener->held.size() >= kHeldLimit) {
              listener->held.clear();
              listener->held_overflow = true;
            } else {
              listener->held.push_back(*entry);
            }
          }
        }
      }
    }
  }

  // "sangdam:{ev:E}:live" -> "E"
  static std::string event_of_key(const std::string& key) {
    const std::string prefix = keys::tag("");  // "sangdam:{ev:}"
    const std::string head = prefix.substr(0, prefix.size() - 1);
    const std::string tail = "}:live";
    if (key.size() < head.size() + tail.size() || key.compare(0, head.size(), head) != 0) return {};
    return key.substr(head.size(), key.size() - head.size() - tail.size());
  }

  asio::any_io_executor executor_;
  redis::Options options_;
  redis::Client& pipelined_;
  std::map<std::string, Feed> feeds_;  // event id -> feed
  bool reading_ = false;               // read_loop is running
  std::string reader_client_id_;       // CLIENT ID of the reader's connection ("" unknown)
};

// Where the event's live stream stands (XINFO STREAM; all zero when there is no stream yet).
struct StreamState {
  EntryId last;                 // last id ever added
  EntryId first;                // first entry still there (when length > 0)
  EntryId max_deleted;          // highest id removed by XDEL (Redis 7.0 does not count trims)
  long long length = 0;         // entries there now
  long long entries_added = 0;  // entries ever added

  // True when an entry newer than cursor may be gone, so a replay from it would have a gap.
  // MAXLEN trims from the head: what was trimmed is older than the first entry left. A client
  // whose cursor is exactly the last trimmed entry is asked to resync too (we cannot tell);
  // that costs it a reload, never a gap.
  bool gap_after(const EntryId& cursor) const {
    if (cursor < max_deleted || last < cursor) return true;
    if (entries_added <= length) return false;  // nothing ever removed
    return length == 0 ? cursor < last : cursor < first;
  }
};

asio::awaitable<StreamState> stream_state(redis::Client& redis, const std::string& event_id) {
  redis::Command info{"XINFO", "STREAM", keys::live(event_id)};
  auto reply = co_await redis.call(std::move(info));
  StreamState state;
  if (reply.is_error()) {
    if (reply.str.find("no such key") != std::string::npos) co_return state;
    redis::expect_ok(reply, "reading the live stream");
  }
  auto id_of = [](const redis::Reply& value) {
    return parse_entry_id(value.str).value_or(EntryId{});
  };
  for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
    const auto& name = reply.elements[i].str;
    const auto& value = reply.elements[i + 1];
    if (name == "last-generated-id") state.last = id_of(value);
    if (name == "max-deleted-entry-id") state.max_deleted = id_of(value);
    if (name == "length") state.length = value.integer;
    if (name == "entries-added") state.entries_added = value.integer;
    if (name == "first-entry" && !value.elements.empty()) state.first = id_of(value.elements[0]);
  }
  co_return state;
}

// Sends what the listener missed up to `until`, in XRANGE pages, never more than
// kReplayQueueHigh messages ahead of the client. Returns false when the client went away.
asio::awaitable<bool> replay(redis::Client& redis, const std::string& event_id, Listener& listener,
                             EntryId until) {
  asio::steady_timer pace(co_await asio::this_coro::executor);
  while (listener.cursor < until) {
    redis::Command page{
        "XRANGE", keys::live(event_id),       "(" + listener.cursor.text(), until.text(),
        "COUNT",  std::to_string(kReplayPage)};
    auto reply = redis::expect_ok(co_await redis.call(std::move(page)), "replaying live entries");
    if (reply.elements.empty()) break;  // trimmed meanwhile: nothing more below `until`
    for (const auto& raw : reply.elements) {
      if (auto entry = entry_from(raw)) {
        listener.offer(*entry);
      } else if (auto id = parse_entry_id(raw.elements.empty() ? "" : raw.elements[0].str)) {
        listener.cursor = std::max(listener.cursor, *id);
      }
    }
    while (listener.session->is_open() && listener.session->queued() > kReplayQueueHigh) {
      pace.expires_after(kReplayPace);
      co_await pace.async_wait(asio::use_awaitable);
    }
    if (!listener.session->is_open()) co_return false;
    if (static_cast<int>(reply.elements.size()) < kReplayPage) break;
  }
  co_return listener.session->is_open();
}

// A live ticket lets a browser, which cannot send an Authorization header on a WebSocket,
// connect with ?ticket=: it is asked for with a bearer token, names the same principal, is
// used once (GETDEL) and lapses after kTicketSeconds. Only its SHA-256 is stored.
constexpr int kTicketSeconds = 60;

asio::awaitable<void> redeem_ticket(Gateway& gateway, http::Request& req,
                                    const std::string& ticket) {
  const std::string event_id = req.param("e");
  if (ticket.empty() || ticket.size() > 256) {
    throw Error(ErrorCode::kUnauthenticated, "unauthenticated", "ticket not recognised", "ticket");
  }
  redis::Command take{"GETDEL", keys::live_ticket(event_id, tokens::sha256_hex(ticket))};
  auto reply = co_await gateway.redis(req).call(std::move(take));
  if (reply.is_nil() || reply.is_error()) {
    throw Error(ErrorCode::kUnauthenticated, "unauthenticated",
                "ticket not recognised: a live ticket is for one connection to its event, within " +
                    std::to_string(kTicketSeconds) + " s",
                "ticket");
  }
  set_principal(req, event_id, reply.as_string());
}

// Admission before the upgrade: the caller belongs to the event (a bearer token of the event
// or the admin's, or a live ticket), the event exists, the cursor parses.
asio::awaitable<void> admit(Gateway& gateway, http::Request& req) {
  if (auto ticket = req.query.find("ticket"); ticket != req.query.end()) {
    co_await redeem_ticket(gateway, req, ticket->second);
  } else {
    co_await authenticate(gateway, req);
  }
  requested_cursor(req);
  co_await gateway.event(req, req.param("e"));
}

// The principal text a ticket stores: what the token hash holds for the same caller.
std::string principal_text(const Principal& principal) {
  switch (principal.role) {
    case Principal::Role::kAdmin:
      return "admin";
    case Principal::Role::kOrganizer:
      return "organizer";
    case Principal::Role::kParticipant:
      return "participant:" + principal.participant_id;
    default:
      throw Error(ErrorCode::kUnauthenticated, "unauthenticated", "send a bearer token");
  }
}

}  // namespace

void add_live_routes(Gateway& gateway, http::Router& router) {
  auto& runtime = gateway.runtime();
  int workers = runtime.config().service(runtime.name()).threads;
  // One slot per worker, filled by that worker on its first client: no locks needed.
  auto hubs = std::make_shared<std::vector<std::shared_ptr<LiveHub>>>(
      static_cast<std::size_t>(std::max(workers, 1)));
  auto options = std::make_shared<const redis::Options>(redis_options(runtime.config()));

  // POST /v1/events/{e}/live/tickets: a single-use ticket for ?ticket= (see redeem_ticket).
  router.add(verb::post, "/v1/events/{e}/live/tickets",
             [&gateway](http::Request& req) -> asio::awaitable<http::Response> {
               const std::string event_id = req.param("e");
               co_await gateway.event(req, event_id);
               const std::string ticket = tokens::issue("sdl");
               redis::Command store{"SET", keys::live_ticket(event_id, tokens::sha256_hex(ticket)),
                                    principal_text(req.principal), "EX",
                                    std::to_string(kTicketSeconds)};
               co_await gateway.redis(req).call(std::move(store));
               rapidjson::StringBuffer body;
               rapidjson::Writer<rapidjson::StringBuffer> w(body);
               w.StartObject();
               w.Key("ticket");
               w.String(ticket.c_str());
               w.Key("expires_in");
               w.Int(kTicketSeconds);
               w.Key("url");
               const std::string url = "/v1/events/" + event_id + "/live?ticket=" + ticket;
               w.String(url.c_str());
               w.EndObject();
               co_return http::Response::json(201, std::string(body.GetString(), body.GetSize()));
             });

  http::RouteOptions route_options;
  // The upgrade authenticates in admit(): a bearer token, or a ticket for browsers.
  route_options.authenticate = false;
  route_options.admit = [&gateway](http::Request& req) { return admit(gateway, req); };
  router.add_websocket(
      "/v1/events/{e}/live",
      [&gateway, hubs, options](http::Request& req, std::shared_ptr<http::WebSocketSession> session)
          -> asio::awaitable<void> {
        session->on_message = [](std::string) {};  // clients only listen
        const std::string event_id = req.param("e");
        auto& redis = gateway.redis(req);
        auto& hub = hubs->at(static_cast<std::size_t>(req.worker));
        if (!hub) hub = std::make_shared<LiveHub>(session->executor(), *options, redis);

        auto listener = std::make_shared<Listener>();
        listener->session = session;
        if (req.principal.role == Principal::Role::kParticipant) {
          listener->participant_id = req.principal.participant_id;
        }
        auto requested = requested_cursor(req);
        auto state = co_await stream_state(redis, event_id);
        if (!requested) {
          listener->cursor = state.last;
        } else if (state.gap_after(*requested)) {
          // Entries after the cursor were trimmed away (or the cursor is from another stream):
          // a replay would have a gap. The client reloads its state and continues from here.
          listener->cursor = state.last;
          session->send(control_message("resync_required", state.last));
        } else {
          listener->cursor = *requested;
        }

        EntryId until = hub->join(event_id, listener, state.last);
        bool open = true;
        try {
          // Held entries overflowed: replay again, up to where the feed has read by now.
          do {
            listener->held_overflow = false;
            open = co_await replay(redis, event_id, *listener, until);
            until = hub->read_to(event_id);
          } while (open && listener->held_overflow);
        } catch (const std::exception& e) {
          log::warn("live replay failed",
                    {log::field("event", event_id), log::field("error", e.what())});
          open = false;
          session->close(boost::beast::websocket::close_code::try_again_later);
        }
        if (open) {
          // No co_await from here until live: the hub cannot add entries in between.
          for (const auto& entry : listener->held) listener->offer(entry);
          listener->held.clear();
          listener->replaying = false;
          session->send(control_message("ready", listener->cursor));
        }
        co_await session->closed();
        hub->leave(event_id, listener);
      },
      route_options);
}

}  // namespace sangdam::gateway
