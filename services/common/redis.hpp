// Redis client of the runtime: hiredis 0.14's async context driven by Boost.Asio, with C++20
// coroutines. See services/common/README-redis.md for the adapter, lifetimes, reconnect and
// timeouts.
//
// Threading: a Client lives on ONE executor that is run by one thread (the services run one
// io_context per core, single-threaded). Call it only from coroutines on that executor.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace sangdam::redis {

// A reply owned by C++ (copied out of hiredis' redisReply before hiredis frees it).
struct Reply {
  enum class Type { kNil, kString, kInteger, kArray, kStatus, kError };
  Type type = Type::kNil;
  std::string str;              // kString, kStatus, kError
  long long integer = 0;        // kInteger
  std::vector<Reply> elements;  // kArray

  bool is_nil() const { return type == Type::kNil; }
  bool is_error() const { return type == Type::kError; }
  // kString/kStatus, else throws sangdam::Error(kInternal, "redis_unexpected_reply").
  const std::string& as_string() const;
  // kInteger, or a kString holding a whole decimal number, else throws like as_string.
  long long as_integer() const;
};

using Command = std::vector<std::string>;

struct Options {
  std::string host = "127.0.0.1";  // a name is resolved before every connection attempt
  int port = 6379;
  std::string password;  // sent with AUTH before any queued command when not empty
  std::chrono::milliseconds connect_timeout{2000};  // resolve + TCP connect
  std::chrono::milliseconds command_timeout{2000};  // from call() to reply, waiting included
  std::chrono::milliseconds reconnect_min{50}, reconnect_max{2000};  // backoff bounds
};

// Lua source and its SHA1 (hex, lower case), as EVALSHA wants it.
class Script {
 public:
  explicit Script(std::string source);
  const std::string& source() const { return source_; }
  const std::string& sha1() const { return sha1_; }

 private:
  std::string source_;
  std::string sha1_;
};

// One interface for callers; a cluster-routing implementation (CLUSTER SLOTS, MOVED/ASK) can
// come later behind it.
class Client {
 public:
  virtual ~Client() = default;
  // Error replies come back as Reply{kError}. Connection loss, timeout, not connected within
  // the timeout, or a closed client throw sangdam::Error(kUnavailable, "redis_unavailable" |
  // "redis_timeout"). A timed-out command resets the connection (its reply would otherwise
  // arrive later, in front of the replies of the next commands' callers).
  virtual boost::asio::awaitable<Reply> call(Command command) = 0;
  // The same with its own timeout, for blocking commands (XREADGROUP ... BLOCK, BLPOP).
  virtual boost::asio::awaitable<Reply> call(Command command,
                                             std::chrono::milliseconds timeout) = 0;
  // Sent together in one write; replies in order. Not atomic (wrap in MULTI/EXEC for that).
  virtual boost::asio::awaitable<std::vector<Reply>> pipeline(std::vector<Command> commands) = 0;
  // EVALSHA; on NOSCRIPT falls back to EVAL (which also caches the script on the server).
  virtual boost::asio::awaitable<Reply> eval(const Script& script, std::vector<std::string> keys,
                                             std::vector<std::string> args) = 0;
  // SCRIPT LOAD, e.g. at start; throws kInternal if the server's SHA1 differs from ours.
  virtual boost::asio::awaitable<void> load(const Script& script) = 0;
  virtual bool connected() const = 0;
  // Stops reconnecting and drops the connection; pending and later commands fail with
  // kUnavailable "redis_unavailable". Idempotent.
  virtual void close() = 0;
};

// Starts connecting in the background and returns at once; commands issued before the
// connection is up wait for it (bounded by their timeout). Throws kInvalidArgument for bad
// options (empty host, port out of range, non-positive timeouts).
std::shared_ptr<Client> connect(boost::asio::any_io_executor executor, Options options);

// Throws sangdam::Error(kInternal, "redis_error_reply") with the server's text when reply is
// an error reply; returns it otherwise. For callers that treat any error reply as a bug.
const Reply& expect_ok(const Reply& reply, std::string_view what);

}  // namespace sangdam::redis
