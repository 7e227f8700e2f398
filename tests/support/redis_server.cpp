#include "tests/support/redis_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace sangdam::testing {

namespace {

constexpr const char* kRedisServer = "/usr/bin/redis-server";
constexpr auto kStartLimit = std::chrono::seconds(10);
constexpr auto kPollEvery = std::chrono::milliseconds(10);
constexpr int kPortAttempts = 5;  // another test may take "our" free port before redis binds it

// A port the kernel considers free right now (bind to 0, read it back, close).
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

RedisServer::RedisServer(RedisServerOptions options) : options_(std::move(options)) {
  char pattern[] = "/tmp/sangdam-redis-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  for (int attempt = 1;; ++attempt) {
    port_ = free_port();
    try {
      start();
      return;
    } catch (const std::exception&) {
      if (attempt == kPortAttempts) {
        std::filesystem::remove_all(dir_);
        throw;
      }
    }
  }
}

RedisServer::~RedisServer() {
  kill();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void RedisServer::start() {
  std::vector<std::string> words = {kRedisServer,
                                    "--port",
                                    std::to_string(port_),
                                    "--bind",
                                    "127.0.0.1",
                                    "--dir",
                                    dir_,
                                    "--save",
                                    "",
                                    "--appendonly",
                                    options_.aof ? "yes" : "no",
                                    "--appendfsync",
                                    "always",
                                    "--daemonize",
                                    "no",
                                    "--logfile",
                                    "",
                                    "--enable-debug-command",
                                    "local"};
  if (!options_.password.empty()) {
    words.insert(words.end(), {"--requirepass", options_.password});
  }
  words.insert(words.end(), options_.extra_args.begin(), options_.extra_args.end());
  std::vector<char*> argv;
  for (auto& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  std::string log_path = dir_ + "/redis.log";

  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // Child: die with the test process, even when it crashes; log to the folder.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) {
      ::dup2(log, STDOUT_FILENO);
      ::dup2(log, STDERR_FILENO);
    }
    ::execv(kRedisServer, argv.data());
    ::_exit(127);
  }
  pid_ = pid;

  auto deadline = std::chrono::steady_clock::now() + kStartLimit;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("redis-server exited at start (port " + std::to_string(port_) +
                               "):\n" + read_file(log_path));
    }
    if (answers_ping()) return;
    std::this_thread::sleep_for(kPollEvery);
  }
  kill();
  throw std::runtime_error("redis-server did not answer PING within 10 s:\n" + read_file(log_path));
}

bool RedisServer::answers_ping() const {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  timeval limit{0, 200 * 1000};  // a starting server must not hang the poll loop
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port_));
  bool ok = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::write(fd, "PING\r\n", 6) == 6) {
    char reply[64] = {};
    auto n = ::read(fd, reply, sizeof reply - 1);
    std::string_view text(reply, n > 0 ? static_cast<size_t>(n) : 0);
    // NOAUTH also proves the server is up and serving (a password is set).
    ok = text.starts_with("+PONG") || text.starts_with("-NOAUTH");
  }
  ::close(fd);
  return ok;
}

void RedisServer::signal_and_reap(int signal) {
  if (pid_ <= 0) return;
  ::kill(pid_, signal);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

void RedisServer::kill() {
  signal_and_reap(SIGKILL);
}

void RedisServer::stop() {
  signal_and_reap(SIGTERM);
}

void RedisServer::restart() {
  kill();
  start();
}

}  // namespace sangdam::testing
