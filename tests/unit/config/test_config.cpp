#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "services/common/config.hpp"

namespace {
const std::string kDefault = std::string(SANGDAM_SOURCE_DIR) + "/config/default.json";

std::string write_temp(const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / "sangdam-config-test.json";
  std::ofstream(path) << text;
  return path.string();
}
}  // namespace

TEST_CASE("the shipped configuration loads with the documented defaults") {
  auto c = sangdam::load_config(kDefault, {});
  CHECK(c.redis_port == 6379);
  CHECK(c.service("gateway").address == "127.0.0.1");
  CHECK(c.service("gateway").port == 8080);
  CHECK(c.intake_stream == "sangdam:intake");
  CHECK(c.files.at("taxonomy") == std::string(SANGDAM_SOURCE_DIR) + "/config/taxonomy.json");
  for (auto name : {"gateway", "registry", "matcher", "scheduler", "ledger"}) {
    CHECK(c.services.count(name) == 1);
  }
}

TEST_CASE("environment variables override leaves by their path") {
  auto c = sangdam::load_config(kDefault, {{"SANGDAM_REDIS_PORT", "7001"},
                                           {"SANGDAM_GATEWAY_PORT", "9090"},
                                           {"SANGDAM_ADMIN_TOKEN", "0123456789abcdef0123"},
                                           {"SANGDAM_SERVICES_LEDGER_THREADS", "3"}});
  CHECK(c.redis_port == 7001);
  CHECK(c.service("gateway").port == 9090);
  CHECK(c.admin_token == "0123456789abcdef0123");
  CHECK(c.service("ledger").threads == 3);
}

TEST_CASE("webhook secrets are sealed only when a key is configured") {
  CHECK_FALSE(sangdam::load_config(kDefault, {}).webhooks_secret_key.has_value());
  auto c = sangdam::load_config(kDefault,
                                {{"SANGDAM_WEBHOOKS_SECRET_KEY", std::string(62, '0') + "ff"}});
  REQUIRE(c.webhooks_secret_key.has_value());
  CHECK((*c.webhooks_secret_key)[31] == 0xff);
}

TEST_CASE("a bad value stops start-up with a message naming the key") {
  auto message_of = [](const std::string& path, std::map<std::string, std::string> env) {
    try {
      sangdam::load_config(path, env);
    } catch (const sangdam::ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(message_of(kDefault, {{"SANGDAM_REDIS_PORT", "70000"}}),
             Catch::Contains("redis.port"));
  CHECK_THAT(message_of(kDefault, {{"SANGDAM_GATEWAY_PORT", "http"}}),
             Catch::Contains("services.gateway.port"));
  CHECK_THAT(message_of(kDefault, {{"SANGDAM_LOG_LEVEL", "loud"}}), Catch::Contains("log_level"));
  CHECK_THAT(message_of(kDefault, {{"SANGDAM_ADMIN_TOKEN", "short"}}),
             Catch::Contains("admin_token"));
  CHECK_THAT(message_of(kDefault, {{"SANGDAM_WEBHOOKS_SECRET_KEY", "not-hex"}}),
             Catch::Contains("webhooks.secret_key"));
  CHECK_THAT(message_of(write_temp("{\"redis\": [1]}"), {}), Catch::Contains("redis"));
  CHECK_THAT(message_of(write_temp("{not json"), {}), Catch::Contains("not a JSON object"));
}
