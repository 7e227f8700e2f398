#include "tests/support/sangdam_stack.hpp"

#include <fstream>
#include <sstream>

namespace sangdam::testing {

SangdamStack::SangdamStack(const std::vector<std::string>& services,
                           std::map<std::string, std::string> extra_env) {
  env_ = std::move(extra_env);
  env_["SANGDAM_REDIS_PORT"] = std::to_string(redis_.port());
  env_["SANGDAM_ADMIN_TOKEN"] = kAdminToken;
  env_.emplace("SANGDAM_LOG_LEVEL", "warn");
  env_.emplace("SANGDAM_BUS_BLOCK_MS", "200");
  for (const auto& name : services) {
    services_[name] = std::make_unique<ServiceProcess>(name, env_);
  }
}

JsonAnswer call(const std::string& url, const std::string& token, const std::string& method,
                const std::string& target, const std::string& body,
                const std::string& content_type) {
  HttpCall http(url, token, std::chrono::seconds(30));
  auto answer = http.send(method, target, body, content_type);
  JsonAnswer out;
  out.status = answer.status;
  out.body = answer.body;
  if (answer.content_type.rfind("application/json", 0) == 0 && !answer.body.empty()) {
    out.json.Parse(answer.body.c_str(), answer.body.size());
    if (out.json.HasParseError()) out.json.SetNull();
  }
  return out;
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string sample_path(const std::string& file) {
  return std::string(SANGDAM_SOURCE_DIR) + "/config/samples/seongnam-2023/" + file;
}

}  // namespace sangdam::testing
