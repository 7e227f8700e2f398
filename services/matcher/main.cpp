// matcher: keeps every trade event's match lists in step with its profiles. Consumes the
// "profiles" topic (profile.changed, matches.recompute), stores ranked lists per participant,
// publishes matches.changed on the "matches" topic. See README.md.
#include <memory>

#include "matching/scoring/config.hpp"
#include "services/common/config.hpp"
#include "services/common/event_cache.hpp"
#include "services/common/log.hpp"
#include "services/common/service.hpp"
#include "services/matcher/matcher.hpp"

int main(int argc, char** argv) {
  using namespace sangdam;
  ServiceRuntime runtime("matcher", argc, argv);
  std::unique_ptr<Catalogs> catalogs;
  scoring::MatchConfig match_config;
  try {
    catalogs = std::make_unique<Catalogs>(load_catalogs(runtime.config().files));
    auto file = runtime.config().files.find("matching");
    if (file == runtime.config().files.end()) throw ConfigError("config: files.matching: missing");
    match_config = scoring::parse_match_config(read_file(file->second));
  } catch (const std::exception& e) {
    log::error("cannot load reference data", {log::field("error", e.what())});
    return 2;
  }
  // The consumer runs on worker 0, whose pipelined connection the matcher uses; the
  // connection exists once run() has started the workers, hence the lazy construction.
  std::unique_ptr<matcher::Matcher> matcher;
  runtime.consume("profiles", [&](const bus::Delivery& d) -> boost::asio::awaitable<void> {
    if (!matcher) {
      matcher = std::make_unique<matcher::Matcher>(runtime.redis(0), runtime.topology(), *catalogs,
                                                   match_config);
    }
    co_await matcher->handle(d);
  });
  return runtime.run();
}
