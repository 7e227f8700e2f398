#include "tests/support/sangdam_stack.hpp"

#include <boost/asio/io_context.hpp>

#include <fstream>
#include <sstream>

#include "tests/support/async.hpp"

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

std::string error_code(const JsonAnswer& answer) {
  if (!answer.json.IsObject() || !answer.json.HasMember("error")) {
    return "<no error: " + answer.body + ">";
  }
  return answer.json["error"]["code"].GetString();
}

std::string error_field(const JsonAnswer& answer) {
  if (!answer.json.IsObject() || !answer.json.HasMember("error") ||
      !answer.json["error"].HasMember("field")) {
    return "<no field: " + answer.body + ">";
  }
  return answer.json["error"]["field"].GetString();
}

std::string json_text(const JsonAnswer& answer, const char* name) {
  const auto& json = answer.json;
  return json.IsObject() && json.HasMember(name) && json[name].IsString() ? json[name].GetString()
                                                                          : "";
}

redis::Reply redis_call(int port, redis::Command command) {
  boost::asio::io_context io;
  redis::Options options;
  options.port = port;
  auto client = redis::connect(io.get_executor(), options);
  auto reply = run_sync(io, client->call(std::move(command)));
  client->close();
  return reply;
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
