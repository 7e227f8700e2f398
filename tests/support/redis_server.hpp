// A private redis-server for integration tests and benchmarks: its own free port on 127.0.0.1
// and its own temp folder (mkdtemp). No Catch2 dependency, so bench programs can use it too.
//
//   sangdam::testing::RedisServer redis;                 // started, PING answered
//   options.port = redis.port();
//   redis.kill(); redis.restart();                      // crash and come back on the same port
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace sangdam::testing {

struct RedisServerOptions {
  bool aof = false;                     // appendonly yes (appendfsync always) instead of no
  std::string password;                 // requirepass, when not empty
  std::vector<std::string> extra_args;  // more "--name value" words for redis-server
};

class RedisServer {
 public:
  // Starts redis-server (/usr/bin/redis-server) and waits until it answers PING; throws
  // std::runtime_error (with the server's log) if it does not within 10 s.
  explicit RedisServer(RedisServerOptions options = {});
  ~RedisServer();  // kills the server and removes its folder
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  bool running() const { return pid_ > 0; }

  void kill();     // SIGKILL and reap: a crash (no AOF rewrite, no goodbye)
  void stop();     // SIGTERM and reap: a clean shutdown
  void restart();  // start again on the same port and folder (AOF data comes back)

 private:
  void start();
  bool answers_ping() const;
  void signal_and_reap(int signal);

  RedisServerOptions options_;
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace sangdam::testing
