#include "tests/support/service_process.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "services/common/http_call.hpp"

namespace sangdam::testing {

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("no free port");
  }
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

ServiceProcess::ServiceProcess(std::string name, std::map<std::string, std::string> env)
    : name_(std::move(name)), port_(free_port()) {
  std::string upper;
  for (char c : name_) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  env["SANGDAM_SERVICES_" + upper + "_PORT"] = std::to_string(port_);
  env.emplace("SANGDAM_CONFIG", std::string(SANGDAM_SOURCE_DIR) + "/config/default.json");
  log_path_ = "/tmp/sangdam-test-" + name_ + "-" + std::to_string(::getpid()) + "-" +
              std::to_string(port_) + ".log";
  std::string binary = std::string(SANGDAM_BINARY_DIR) + "/services/" + name_;

  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::FILE* log = std::fopen(log_path_.c_str(), "w");
    if (log) {
      ::dup2(::fileno(log), STDOUT_FILENO);
      ::dup2(::fileno(log), STDERR_FILENO);
    }
    ::execl(binary.c_str(), binary.c_str(), static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error(name_ + " exited at start: " + log());
    }
    try {
      HttpCall probe(url(), "", std::chrono::seconds(2));
      if (probe.send("GET", "/readyz").status == 200) return;
    } catch (const std::exception&) {
      // not listening yet
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  stop();
  throw std::runtime_error(name_ + " did not become ready: " + log());
}

ServiceProcess::~ServiceProcess() {
  if (pid_ > 0) stop();
  ::unlink(log_path_.c_str());
}

std::string ServiceProcess::log() const {
  std::ifstream in(log_path_);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

int ServiceProcess::stop() {
  if (pid_ <= 0) return 0;
  ::kill(pid_, SIGTERM);
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pid_ = -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return -WTERMSIG(status);
}

}  // namespace sangdam::testing
