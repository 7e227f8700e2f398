// A whole sangdam stack for end-to-end tests: a private redis-server and the services as
// processes, configured through SANGDAM_* variables, plus HTTP helpers that parse answers.
#pragma once

#include <rapidjson/document.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "services/common/http_call.hpp"
#include "services/common/redis.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/service_process.hpp"

namespace sangdam::testing {

inline constexpr const char* kAdminToken = "sda_e2e_admin_token_0123456789abcdef";

class SangdamStack {
 public:
  // services: which ones to start, e.g. {"gateway", "registry"}.
  explicit SangdamStack(const std::vector<std::string>& services,
                        std::map<std::string, std::string> extra_env = {});

  RedisServer& redis() { return redis_; }
  ServiceProcess& service(const std::string& name) { return *services_.at(name); }
  std::string gateway_url() { return service("gateway").url(); }
  const std::map<std::string, std::string>& env() const { return env_; }

 private:
  RedisServer redis_;
  std::map<std::string, std::string> env_;
  std::map<std::string, std::unique_ptr<ServiceProcess>> services_;
};

struct JsonAnswer {
  unsigned status = 0;
  std::string body;
  rapidjson::Document json;  // null when the body is not JSON
};

// One request with a token ("" for none); the body is parsed when it is JSON.
JsonAnswer call(const std::string& url, const std::string& token, const std::string& method,
                const std::string& target, const std::string& body = {},
                const std::string& content_type = "application/json");

// The code and field of a JSON error answer; when the answer is no error, a text that says so
// and quotes the body, so that a failed CHECK shows what came instead.
std::string error_code(const JsonAnswer& answer);
std::string error_field(const JsonAnswer& answer);
// A string member of the answer's top-level object; "" when absent or not a string.
std::string json_text(const JsonAnswer& answer, const char* name);

// One command on a fresh connection to the redis-server on `port` (tests look at what the
// services stored and published).
redis::Reply redis_call(int port, redis::Command command);

std::string read_text_file(const std::string& path);
std::string sample_path(const std::string& file);  // config/samples/seongnam-2023/<file>

}  // namespace sangdam::testing
