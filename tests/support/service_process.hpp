// Runs sangdam services as real processes for end-to-end tests: each one on a free port, with
// its configuration in SANGDAM_* environment variables, its log in a temp file. stop() sends
// SIGTERM and returns the exit status, so tests can assert a clean shutdown.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>

namespace sangdam::testing {

// A free TCP port on 127.0.0.1 (bound and released; good enough for tests on one machine).
int free_port();

class ServiceProcess {
 public:
  // name: "gateway", "registry", ... (the binary under SANGDAM_BINARY_DIR/services).
  // env: extra variables; SANGDAM_SERVICES_<NAME>_PORT is set to port(). Waits until
  // GET /readyz answers 200; throws std::runtime_error with the log tail if it does not.
  ServiceProcess(std::string name, std::map<std::string, std::string> env);
  ~ServiceProcess();
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string log() const;  // what the service wrote so far

  // SIGTERM, wait (up to 15 s, then SIGKILL). Returns the exit status, or -signal if killed.
  int stop();

 private:
  std::string name_;
  std::string log_path_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace sangdam::testing
