// Service configuration: config/default.json (or the file named by SANGDAM_CONFIG), then
// environment overrides, then validation. Any leaf key can be overridden by an environment
// variable named SANGDAM_ + the key path in upper case joined by '_':
//   redis.port               -> SANGDAM_REDIS_PORT
//   services.gateway.port    -> SANGDAM_SERVICES_GATEWAY_PORT (also SANGDAM_GATEWAY_PORT)
//   admin_token              -> SANGDAM_ADMIN_TOKEN
// A bad value stops the service at start-up with a message naming the key.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

#include "matching/webhook/secret_box.hpp"

namespace sangdam {

struct ServiceEndpoint {
  std::string address;  // listen address for /healthz, /readyz, /metrics (and the API)
  unsigned short port = 0;
  int threads = 1;  // io_contexts, one thread each
};

struct Config {
  std::string config_dir;  // folder of the config file: relative files resolve against it
  std::string log_level = "info";
  std::string admin_token;  // platform admin; empty disables admin access

  std::string redis_host = "127.0.0.1";
  int redis_port = 6379;
  std::string redis_password;
  std::chrono::milliseconds redis_connect_timeout{2000};
  std::chrono::milliseconds redis_command_timeout{2000};

  std::string bus_prefix = "sangdam";
  int bus_partitions = 1;
  long long bus_max_len = 100000;
  int bus_batch = 64;
  std::chrono::milliseconds bus_block{1000};
  int bus_max_deliveries = 5;
  std::chrono::milliseconds bus_claim_idle{30000};

  std::string intake_stream = "sangdam:intake";

  // Webhook deliveries (services/webhooks/README.md): backoff after a failed attempt
  // (base * 2^(n-1), capped), attempts before "failed", the bound of one attempt, how often an
  // idle sender looks for due deliveries, and how many attempts one process runs at once.
  std::chrono::milliseconds webhooks_backoff_base{1000};
  std::chrono::milliseconds webhooks_backoff_cap{300000};
  int webhooks_max_attempts = 8;
  std::chrono::milliseconds webhooks_attempt_timeout{5000};
  std::chrono::milliseconds webhooks_poll{250};
  int webhooks_max_in_flight = 16;
  // Deliveries to loopback, private, link-local (cloud metadata) and other internal addresses
  // are refused unless this is on: an organizer's URL must not reach into our network.
  bool webhooks_allow_internal = false;
  // webhooks.secret_key (64 hex digits): seals receivers' secrets at rest (secret_box.hpp);
  // none: they are stored as is.
  std::optional<webhook::SecretKey> webhooks_secret_key;
  std::string webhooks_ca_file;  // webhooks.ca_file: trusted besides the system's CAs; "" none

  std::map<std::string, ServiceEndpoint> services;  // "gateway", "registry", ...
  std::map<std::string, std::string> files;         // "taxonomy" -> absolute path

  const ServiceEndpoint& service(const std::string& name) const;
};

// The message names the key: "config: redis.port: must be an integer in 1..65535 (got 'x')".
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Loads path (or $SANGDAM_CONFIG, or <source>/config/default.json found from the executable's
// location) and applies the environment. env is injectable for tests.
Config load_config(const std::string& path, const std::map<std::string, std::string>& env);
Config load_config_from_environment();

// Reads a whole file; throws ConfigError naming it when it cannot.
std::string read_file(const std::string& path);

}  // namespace sangdam
