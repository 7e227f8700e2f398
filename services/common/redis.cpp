// The single-connection Redis client: one hiredis async context at a time, a new one per
// connection attempt, commands queued while no connection is up. Lifetimes are described in
// README-redis.md; the short version:
// - hiredis calls back into AsioClient through ac->data; AsioClient frees the context in its
//   destructor, so the pointer is valid whenever hiredis can call.
// - each command's callback owns a ReplySlot (a shared_ptr to its Request); hiredis calls every
//   callback exactly once (with the reply, or with NULL when the context is freed), and the
//   callback deletes the slot.
// - timers and the resolver hold a weak_ptr to the client (a dropped client stops
//   reconnecting); a coroutine inside call() holds a shared_ptr (the client outlives the call).
#include "services/common/redis.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <iterator>
#include <random>

#include "matching/error.hpp"
#include "services/common/log.hpp"
#include "services/common/redis_asio_link.hpp"

namespace sangdam::redis {

namespace {

using std::chrono::milliseconds;

Reply convert(const redisReply& r) {
  Reply out;
  switch (r.type) {
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::kString;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::kStatus;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = Reply::Type::kError;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::kInteger;
      out.integer = r.integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      out.elements.reserve(r.elements);
      for (size_t i = 0; i < r.elements; ++i) out.elements.push_back(convert(*r.element[i]));
      break;
    default:
      out.type = Reply::Type::kNil;
  }
  return out;
}

// One call() or pipeline() in flight. The coroutine waits on done_signal: it expires at the
// deadline, and is cancelled early when the last reply lands or the connection fails.
struct Request {
  Request(boost::asio::any_io_executor executor, std::vector<Command> batch)
      : done_signal(std::move(executor)),
        commands(std::move(batch)),
        replies(commands.size()),
        outstanding(commands.size()) {}

  void finish() {
    done = true;
    done_signal.cancel();
  }
  void fail(std::string why) {
    if (done) return;
    failed = true;
    failure = std::move(why);
    finish();
  }

  boost::asio::steady_timer done_signal;
  std::vector<Command> commands;
  std::vector<Reply> replies;
  size_t outstanding;   // replies still to come
  bool sent = false;    // handed to hiredis (a timeout then leaves the connection unusable)
  bool done = false;    // replies complete, failed or abandoned; later callbacks are ignored
  bool failed = false;  // connection lost or closed before all replies
  std::string failure;
};

// What hiredis gets as privdata of one command; deleted by the callback.
struct ReplySlot {
  std::shared_ptr<Request> request;
  size_t index;
};

void on_reply(redisAsyncContext*, void* raw_reply, void* privdata) {
  std::unique_ptr<ReplySlot> slot(static_cast<ReplySlot*>(privdata));
  Request& request = *slot->request;
  if (raw_reply == nullptr) {  // context freed: connection lost, reset or closed
    request.fail("redis connection lost before the reply");
    return;
  }
  if (request.done) return;
  request.replies[slot->index] = convert(*static_cast<redisReply*>(raw_reply));
  if (--request.outstanding == 0) request.finish();
}

void validate(const Options& options) {
  if (options.host.empty()) throw_invalid("missing_redis_host", "redis host is empty", "host");
  if (options.port <= 0 || options.port > 65535) {
    throw_invalid("bad_redis_port", "redis port must be 1..65535", "port");
  }
  if (options.connect_timeout.count() <= 0 || options.command_timeout.count() <= 0) {
    throw_invalid("bad_redis_timeout", "redis timeouts must be positive", "timeout");
  }
  if (options.reconnect_min.count() <= 0 || options.reconnect_max < options.reconnect_min) {
    throw_invalid("bad_redis_backoff", "need 0 < reconnect_min <= reconnect_max", "reconnect_min");
  }
}

class AsioClient final : public Client, public std::enable_shared_from_this<AsioClient> {
 public:
  AsioClient(boost::asio::any_io_executor executor, Options options)
      : executor_(executor),
        options_(std::move(options)),
        resolver_(executor),
        connect_deadline_(executor),
        reconnect_timer_(executor),
        jitter_(std::random_device{}()) {}

  ~AsioClient() override { close(); }

  void start() { start_connect(); }

  boost::asio::awaitable<Reply> call(Command command) override {
    co_return co_await call(std::move(command), options_.command_timeout);
  }

  boost::asio::awaitable<Reply> call(Command command, milliseconds timeout) override {
    std::vector<Command> batch;
    batch.push_back(std::move(command));
    auto replies = co_await execute(std::move(batch), timeout);
    co_return std::move(replies.front());
  }

  boost::asio::awaitable<std::vector<Reply>> pipeline(std::vector<Command> commands) override {
    if (commands.empty()) co_return std::vector<Reply>{};
    co_return co_await execute(std::move(commands), options_.command_timeout);
  }

  boost::asio::awaitable<Reply> eval(const Script& script, std::vector<std::string> keys,
                                     std::vector<std::string> args) override {
    Command command{"EVALSHA", script.sha1(), std::to_string(keys.size())};
    command.insert(command.end(), std::make_move_iterator(keys.begin()),
                   std::make_move_iterator(keys.end()));
    command.insert(command.end(), std::make_move_iterator(args.begin()),
                   std::make_move_iterator(args.end()));
    Reply reply = co_await call(command);
    if (reply.is_error() && reply.str.starts_with("NOSCRIPT")) {
      command[0] = "EVAL";
      command[1] = script.source();
      reply = co_await call(std::move(command));
    }
    co_return reply;
  }

  boost::asio::awaitable<void> load(const Script& script) override {
    Command command{"SCRIPT", "LOAD", script.source()};
    Reply reply = co_await call(std::move(command));
    if (expect_ok(reply, "SCRIPT LOAD").as_string() != script.sha1()) {
      throw Error(ErrorCode::kInternal, "script_sha1_mismatch",
                  "redis computed another SHA1 for a script than we did");
    }
  }

  bool connected() const override { return state_ == State::kReady; }

  void close() override {
    if (closed_) return;
    closed_ = true;
    state_ = State::kDown;
    ++generation_;
    resolver_.cancel();
    connect_deadline_.cancel();
    reconnect_timer_.cancel();
    for (auto& request : std::exchange(queue_, {})) request->fail("redis client closed");
    if (context_ != nullptr) free_context();
  }

 private:
  enum class State { kDown, kConnecting, kReady };

  boost::asio::awaitable<std::vector<Reply>> execute(std::vector<Command> commands,
                                                     milliseconds timeout) {
    auto keep_alive = shared_from_this();  // *this outlives this suspended call
    if (timeout.count() <= 0) {
      throw_invalid("bad_redis_timeout", "command timeout must be positive", "timeout");
    }
    for (const auto& command : commands) {
      if (command.empty()) throw_invalid("empty_redis_command", "a redis command has no words");
    }
    if (closed_) throw Error(ErrorCode::kUnavailable, "redis_unavailable", "redis client closed");

    auto request = std::make_shared<Request>(executor_, std::move(commands));
    request->done_signal.expires_after(timeout);
    if (state_ == State::kReady) {
      send(request);
    } else {
      // Timed-out waiters are skipped by flush(); drop them here so an outage cannot grow the
      // queue beyond what arrives within one command timeout.
      std::erase_if(queue_, [](const auto& r) { return r->done; });
      queue_.push_back(request);
    }
    if (!request->done) {
      boost::system::error_code ec;  // cancelled = finished early; expired = deadline
      co_await request->done_signal.async_wait(
          boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }
    if (!request->done) {
      request->done = true;
      if (request->sent) reset_connection("command timed out");
      throw Error(ErrorCode::kUnavailable, "redis_timeout",
                  "redis " + request->commands.front().front() + " timed out after " +
                      std::to_string(timeout.count()) + " ms");
    }
    if (request->failed)
      throw Error(ErrorCode::kUnavailable, "redis_unavailable", request->failure);
    co_return std::move(request->replies);
  }

  void send(const std::shared_ptr<Request>& request) {
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    request->sent = true;
    for (size_t i = 0; i < request->commands.size(); ++i) {
      const Command& command = request->commands[i];
      argv.clear();
      lengths.clear();
      for (const auto& word : command) {
        argv.push_back(word.data());
        lengths.push_back(word.size());
      }
      auto* slot = new ReplySlot{request, i};
      if (redisAsyncCommandArgv(context_, &on_reply, slot, static_cast<int>(argv.size()),
                                argv.data(), lengths.data()) != REDIS_OK) {
        delete slot;  // not queued: hiredis will never call back for it
        request->fail("redis connection is closing");
        return;
      }
    }
  }

  void flush_queue() {
    for (auto& request : std::exchange(queue_, {})) {
      if (!request->done) send(request);
    }
  }

  // --- connection life cycle (see README-redis.md) ---

  void start_connect() {
    if (closed_) return;
    state_ = State::kConnecting;
    auto generation = ++generation_;
    std::weak_ptr<AsioClient> weak = weak_from_this();
    connect_deadline_.expires_after(options_.connect_timeout);
    connect_deadline_.async_wait([weak, generation](boost::system::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || self->generation_ != generation) return;
      if (self->state_ == State::kConnecting) self->connection_failed("connect timed out");
    });
    // hiredis' own connect would resolve with a blocking getaddrinfo; resolve here instead.
    resolver_.async_resolve(
        options_.host, std::to_string(options_.port),
        [weak, generation](boost::system::error_code ec,
                           boost::asio::ip::tcp::resolver::results_type results) {
          auto self = weak.lock();
          if (!self || self->generation_ != generation) return;
          if (ec || results.empty()) {
            self->connection_failed("cannot resolve " + self->options_.host + ": " + ec.message());
            return;
          }
          // Each attempt takes the next address, so a name resolving to an address the
          // server does not listen on (::1 before 127.0.0.1) cannot block reconnecting.
          auto pick =
              std::next(results.begin(),
                        static_cast<long>(static_cast<size_t>(self->failures_) % results.size()));
          self->open_context(pick->endpoint().address().to_string());
        });
  }

  void open_context(const std::string& address) {
    redisAsyncContext* context = redisAsyncConnect(address.c_str(), options_.port);
    if (context == nullptr) return connection_failed("hiredis could not allocate a context");
    if (context->err != 0) {
      std::string why = context->errstr;
      redisAsyncFree(context);
      return connection_failed(why);
    }
    context_ = context;
    context->data = this;
    detail::attach_asio(context, executor_);
    redisAsyncSetDisconnectCallback(context, [](const redisAsyncContext* c, int status) {
      static_cast<AsioClient*>(c->data)->on_disconnect(c, status);
    });
    redisAsyncSetConnectCallback(context, [](const redisAsyncContext* c, int status) {
      static_cast<AsioClient*>(c->data)->on_connect(c, status);
    });
  }

  // Runs inside hiredis (from redisAsyncHandleWrite).
  void on_connect(const redisAsyncContext* context, int status) {
    if (context != context_) return;
    if (status != REDIS_OK) {
      context_ = nullptr;  // hiredis frees it right after this callback
      return connection_failed(std::string("connect failed: ") + context->errstr);
    }
    if (options_.password.empty()) return on_ready();
    const char* argv[] = {"AUTH", options_.password.c_str()};
    const size_t lengths[] = {4, options_.password.size()};
    redisAsyncCommandArgv(
        context_,
        [](redisAsyncContext* c, void* raw_reply, void*) {
          auto* reply = static_cast<redisReply*>(raw_reply);
          if (reply == nullptr) return;  // connection gone; on_disconnect handles it
          auto* self = static_cast<AsioClient*>(c->data);
          if (reply->type == REDIS_REPLY_ERROR) {
            self->post_reset(std::string("AUTH refused: ") + reply->str);
          } else {
            self->on_ready();
          }
        },
        nullptr, 2, argv, lengths);
  }

  void on_ready() {
    connect_deadline_.cancel();
    state_ = State::kReady;
    failures_ = 0;
    log::info("redis connected", {log::field("host", options_.host),
                                  log::field("port", static_cast<long long>(options_.port))});
    flush_queue();
  }

  // Runs inside hiredis, after the reply callbacks got NULL and before the context is freed.
  void on_disconnect(const redisAsyncContext* context, int status) {
    if (context != context_) return;  // we freed it ourselves (reset, close)
    context_ = nullptr;
    state_ = State::kDown;
    log::warn("redis connection lost", {log::field("status", static_cast<long long>(status))});
    schedule_reconnect();
  }

  void connection_failed(const std::string& why) {
    ++generation_;  // stale resolver and deadline handlers of this attempt return at once
    resolver_.cancel();
    connect_deadline_.cancel();
    if (context_ != nullptr) free_context();
    state_ = State::kDown;
    log::warn("redis connect failed", {log::field("host", options_.host),
                                       log::field("port", static_cast<long long>(options_.port)),
                                       log::field("reason", why)});
    schedule_reconnect();
  }

  // Never free a context inside a hiredis callback: do it from the executor.
  void post_reset(std::string why) {
    boost::asio::post(executor_,
                      [weak = weak_from_this(), generation = generation_, why = std::move(why)] {
                        auto self = weak.lock();
                        if (self && self->generation_ == generation) self->connection_failed(why);
                      });
  }

  void reset_connection(const std::string& why) {
    if (context_ == nullptr || closed_) return;
    log::warn("redis connection reset", {log::field("reason", why)});
    ++generation_;
    free_context();  // pending commands fail with redis_unavailable
    state_ = State::kDown;
    schedule_reconnect();
  }

  void free_context() { redisAsyncFree(std::exchange(context_, nullptr)); }

  void schedule_reconnect() {
    if (closed_) return;
    // Exponential backoff with jitter in [delay/2, delay], so that many clients cut off by one
    // server restart do not reconnect in lockstep.
    auto exponent = std::min(failures_++, 20);
    auto delay =
        std::min<milliseconds>(options_.reconnect_max, options_.reconnect_min * (1 << exponent));
    std::uniform_int_distribution<long long> spread(delay.count() / 2, delay.count());
    reconnect_timer_.expires_after(milliseconds(spread(jitter_)));
    reconnect_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      auto self = weak.lock();
      if (!ec && self) self->start_connect();
    });
  }

  boost::asio::any_io_executor executor_;
  Options options_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer connect_deadline_;  // bounds resolve + connect (+ AUTH)
  boost::asio::steady_timer reconnect_timer_;   // backoff between attempts
  std::minstd_rand jitter_;
  redisAsyncContext* context_ = nullptr;  // the current connection, null when none
  State state_ = State::kDown;
  bool closed_ = false;
  int failures_ = 0;              // attempts since the last good connection (backoff exponent)
  unsigned long generation_ = 0;  // bumped per attempt; stale handlers compare and return
  std::vector<std::shared_ptr<Request>> queue_;  // waiting for a connection
};

}  // namespace

std::shared_ptr<Client> connect(boost::asio::any_io_executor executor, Options options) {
  validate(options);
  auto client = std::make_shared<AsioClient>(std::move(executor), std::move(options));
  client->start();
  return client;
}

}  // namespace sangdam::redis
