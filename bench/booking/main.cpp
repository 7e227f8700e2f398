// bench_booking: self-bookings per second and latency through the gateway
// (POST /v1/events/{e}/bookings over keep-alive HTTP, concurrent clients), beside the same
// atomic booking script called directly through our own Redis client (meetings::book: one
// pipelined profile read + EVALSHA) in the same run, on the same private redis-server.
//   bench_booking [--quick] [--requests N] [--clients N]
// Both sides replay the same random request sequence on a fresh event of the same shape, so the
// mix of 201s and 409s (the timetable fills up) is the same. Last line: one-line summary.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rapidjson/document.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "matching/error.hpp"
#include "matching/event/event.hpp"
#include "services/common/http_call.hpp"
#include "services/common/keys.hpp"
#include "services/common/log.hpp"
#include "services/common/meeting_store.hpp"
#include "tests/support/redis_server.hpp"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kFullRequests = 20000;
constexpr int kQuickRequests = 3000;
constexpr int kDefaultClients = 16;  // concurrent keep-alive connections / coroutines
constexpr int kBuyers = 120;
constexpr int kCompanies = 60;
constexpr const char* kAdminToken = "sda_bench_admin_token_0123456789abcdef";
constexpr auto kGatewayStartLimit = std::chrono::seconds(20);
constexpr auto kHttpTimeout = std::chrono::seconds(30);

// Three days of 12 slots, three venues with travel, two interpreter pools, eight a day.
const char* kEventJson = R"({"name":"bench","time_zone":"Asia/Seoul","slot_minutes":30,
"days":[{"date":"2023-09-13","sessions":[{"name":"m","start":"09:00","end":"12:00","breaks":[]},
                                         {"name":"a","start":"13:00","end":"16:00","breaks":[]}]},
        {"date":"2023-09-14","sessions":[{"name":"m","start":"09:00","end":"12:00","breaks":[]},
                                         {"name":"a","start":"13:00","end":"16:00","breaks":[]}]},
        {"date":"2023-09-15","sessions":[{"name":"m","start":"09:00","end":"12:00","breaks":[]},
                                         {"name":"a","start":"13:00","end":"16:00","breaks":[]}]}],
"venues":[{"id":"gravity","name":"Pangyo Gravity Hotel","tables":34},
          {"id":"bhip","name":"Bundang Healthcare Innovation Park","tables":10},
          {"id":"kins","name":"Kins Tower","tables":6}],
"travel":[{"from":"gravity","to":"bhip","minutes":20},{"from":"gravity","to":"kins","minutes":15},
          {"from":"bhip","to":"kins","minutes":25}],
"interpreters":[{"languages":["vi","ko"],"count":3},{"languages":["th","ko"],"count":2}],
"policies":{"max_meetings_per_day":8,"self_booking":true}})";

struct Figures {
  double seconds = 0;
  std::size_t requests = 0, created = 0, conflicts = 0, errors = 0;
  std::vector<double> latencies_ms;
  double rate() const { return seconds > 0 ? static_cast<double>(requests) / seconds : 0; }
  double percentile(double p) {
    if (latencies_ms.empty()) return 0;
    std::sort(latencies_ms.begin(), latencies_ms.end());
    auto at = static_cast<std::size_t>(p * static_cast<double>(latencies_ms.size() - 1));
    return latencies_ms[at];
  }
};

// The gateway of the same build, as a process of its own on a free port.
class Gateway {
 public:
  Gateway(const fs::path& build_dir, const fs::path& source_dir, int redis_port) {
    fs::path binary = build_dir / "services" / "gateway";
    if (!fs::exists(binary)) {
      std::string command = "cmake --build '" + build_dir.string() + "' --target gateway -j2";
      if (std::system(command.c_str()) != 0) throw std::runtime_error("cannot build the gateway");
    }
    port_ = 20000 + static_cast<int>(::getpid() % 20000);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setenv("SANGDAM_CONFIG", (source_dir / "config" / "default.json").c_str(), 1);
      ::setenv("SANGDAM_REDIS_PORT", std::to_string(redis_port).c_str(), 1);
      ::setenv("SANGDAM_GATEWAY_PORT", std::to_string(port_).c_str(), 1);
      ::setenv("SANGDAM_ADMIN_TOKEN", kAdminToken, 1);
      ::setenv("SANGDAM_LOG_LEVEL", "error", 1);
      ::execl(binary.c_str(), binary.c_str(), static_cast<char*>(nullptr));
      std::_Exit(127);
    }
    auto deadline = Clock::now() + kGatewayStartLimit;
    while (Clock::now() < deadline) {
      try {
        sangdam::HttpCall probe(url(), "", std::chrono::seconds(2));
        if (probe.send("GET", "/readyz").status == 200) return;
      } catch (const std::exception&) {
        // not listening yet
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("the gateway did not become ready");
  }
  ~Gateway() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

rapidjson::Document send_json(sangdam::HttpCall& http, const std::string& method,
                              const std::string& target, const std::string& body,
                              unsigned expected) {
  auto answer = http.send(method, target, body);
  if (answer.status != expected) {
    throw std::runtime_error(method + " " + target + ": " + std::to_string(answer.status) + " " +
                             answer.body);
  }
  rapidjson::Document doc;
  doc.Parse(answer.body.c_str(), answer.body.size());
  return doc;
}

struct BenchEvent {
  std::string id, organizer_token;
  std::vector<std::string> buyers, companies, tokens;  // tokens: buyers' then companies'
};

// An event of kBuyers buyers and kCompanies companies spread over the venues and languages.
BenchEvent create_event(const std::string& url) {
  sangdam::HttpCall admin(url, kAdminToken, kHttpTimeout);
  auto created = send_json(admin, "POST", "/v1/events", kEventJson, 201);
  BenchEvent ev{created["id"].GetString(), created["organizer_token"].GetString(), {}, {}, {}};
  sangdam::HttpCall organizer(url, ev.organizer_token, kHttpTimeout);
  std::string base = "/v1/events/" + ev.id + "/participants";
  const char* buyer_languages[] = {R"(["en"])", R"(["vi"])", R"(["th","en"])", R"(["vi","en"])"};
  for (int i = 0; i < kBuyers; ++i) {
    std::string body = R"({"role":"buyer","external_id":"B-)" + std::to_string(i) +
                       R"(","organisation":"Buyer","country":"VN","buyer_type":"hospital",
"categories":["hospital_equipment.respiratory"],"languages":)" +
                       buyer_languages[i % 4] + "}";
    auto doc = send_json(organizer, "POST", base, body, 201);
    ev.buyers.emplace_back(doc["id"].GetString());
    ev.tokens.emplace_back(doc["token"].GetString());
  }
  const char* venues[] = {"gravity", "gravity", "gravity", "bhip", "kins"};
  for (int i = 0; i < kCompanies; ++i) {
    std::string extra =
        i % 10 == 0 ? R"(,"table":"Booth-)" + std::to_string(i) + R"(","seats":2)" : "";
    std::string body = R"({"role":"company","external_id":"C-)" + std::to_string(i) +
                       R"(","name_en":"Company","categories":["hospital_equipment.respiratory"],
"languages":)" + (i % 3 == 0 ? R"(["ko"])" : R"(["ko","en"])") +
                       R"(,"venue":")" + venues[i % 5] + "\"" + extra + "}";
    auto doc = send_json(organizer, "POST", base, body, 201);
    ev.companies.emplace_back(doc["id"].GetString());
    ev.tokens.emplace_back(doc["token"].GetString());
  }
  return ev;
}

struct Request {
  int buyer, company, slot;
};

std::vector<Request> request_sequence(int count, int slots) {
  std::mt19937 rng(20230913);
  std::vector<Request> out;
  for (int i = 0; i < count; ++i) {
    out.push_back({static_cast<int>(rng() % kBuyers), static_cast<int>(rng() % kCompanies),
                   static_cast<int>(rng() % static_cast<unsigned>(slots))});
  }
  return out;
}

std::string booking_body(const BenchEvent& ev, const Request& r) {
  return R"({"buyer_id":")" + ev.buyers[static_cast<std::size_t>(r.buyer)] + R"(","company_id":")" +
         ev.companies[static_cast<std::size_t>(r.company)] + R"(","slot":)" +
         std::to_string(r.slot) + "}";
}

// Clients take the next request of the shared sequence, each on its own keep-alive
// connection with the buyer's token.
Figures http_load(const std::string& url, const BenchEvent& ev,
                  const std::vector<Request>& requests, int clients) {
  Figures f;
  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  std::vector<std::thread> threads;
  auto start = Clock::now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      std::vector<std::unique_ptr<sangdam::HttpCall>> connections(ev.buyers.size());
      Figures mine;
      for (std::size_t i = next++; i < requests.size(); i = next++) {
        const auto& r = requests[i];
        auto& http = connections[static_cast<std::size_t>(r.buyer)];
        if (!http) {
          http = std::make_unique<sangdam::HttpCall>(
              url, ev.tokens[static_cast<std::size_t>(r.buyer)], kHttpTimeout);
        }
        auto t0 = Clock::now();
        auto answer = http->send("POST", "/v1/events/" + ev.id + "/bookings", booking_body(ev, r));
        mine.latencies_ms.push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        ++mine.requests;
        if (answer.status == 201) {
          ++mine.created;
        } else if (answer.status == 409) {
          ++mine.conflicts;
        } else {
          ++mine.errors;
        }
      }
      std::lock_guard lock(mutex);
      f.requests += mine.requests;
      f.created += mine.created;
      f.conflicts += mine.conflicts;
      f.errors += mine.errors;
      f.latencies_ms.insert(f.latencies_ms.end(), mine.latencies_ms.begin(),
                            mine.latencies_ms.end());
    });
  }
  for (auto& t : threads) t.join();
  f.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return f;
}

// The same sequence through meetings::book on one io_context: `clients` coroutines share one
// pipelined connection, as a gateway worker does.
Figures direct_load(int redis_port, const BenchEvent& ev, const std::vector<Request>& requests,
                    int clients) {
  boost::asio::io_context io;
  sangdam::redis::Options options;
  options.port = redis_port;
  auto client = sangdam::redis::connect(io.get_executor(), options);
  sangdam::EventInfo info;
  info.id = ev.id;
  info.event = sangdam::event::parse_event(kEventJson);
  sangdam::bus::Topology topology;
  Figures f;
  std::size_t next = 0;
  int running = clients;
  auto start = Clock::now();
  for (int c = 0; c < clients; ++c) {
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
          for (std::size_t i = next++; i < requests.size(); i = next++) {
            const auto& r = requests[i];
            sangdam::meetings::BookingRequest b;
            b.buyer_id = ev.buyers[static_cast<std::size_t>(r.buyer)];
            b.company_id = ev.companies[static_cast<std::size_t>(r.company)];
            b.slot = r.slot;
            auto t0 = Clock::now();
            try {
              co_await sangdam::meetings::book(*client, topology, info, b);
              ++f.created;
            } catch (const sangdam::Error& e) {
              if (e.code() == sangdam::ErrorCode::kConflict) {
                ++f.conflicts;
              } else {
                ++f.errors;
              }
            }
            f.latencies_ms.push_back(
                std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
            ++f.requests;
          }
          --running;
        },
        boost::asio::detached);
  }
  while (running > 0) io.run_one();
  f.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  client->close();
  io.run_for(std::chrono::milliseconds(50));
  return f;
}

void print(const std::string& name, Figures& f) {
  std::printf(
      "%-28s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  (%zu requests: %zu created, "
      "%zu conflicts, %zu errors)\n",
      name.c_str(), f.rate(), f.percentile(0.50), f.percentile(0.99), f.requests, f.created,
      f.conflicts, f.errors);
}

}  // namespace

int main(int argc, char** argv) {
  int requests = kFullRequests;
  int clients = kDefaultClients;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--quick") {
      requests = kQuickRequests;
    } else if (arg == "--requests" && i + 1 < argc) {
      requests = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--clients" && i + 1 < argc) {
      clients = std::max(1, std::atoi(argv[++i]));
    } else {
      std::cerr << "usage: bench_booking [--quick] [--requests N] [--clients N]\n";
      return 2;
    }
  }
  try {
    sangdam::log::init("bench_booking", sangdam::log::Level::kError);
    fs::path build_dir = fs::canonical("/proc/self/exe").parent_path().parent_path();
    const char* root = std::getenv("SANGDAM_ROOT");
    fs::path source_dir = root != nullptr ? fs::path(root) : fs::current_path();
    sangdam::testing::RedisServer redis;
    Gateway gateway(build_dir, source_dir, redis.port());
    int slots = static_cast<int>(
        sangdam::event::derive_slots(sangdam::event::parse_event(kEventJson)).size());
    auto sequence = request_sequence(requests, slots);
    std::printf("bench_booking: %d requests, %d clients, %d buyers x %d companies x %d slots\n",
                requests, clients, kBuyers, kCompanies, slots);

    auto http_event = create_event(gateway.url());
    auto direct_event = create_event(gateway.url());
    auto http = http_load(gateway.url(), http_event, sequence, clients);
    auto direct = direct_load(redis.port(), direct_event, sequence, clients);
    print("gateway POST /bookings", http);
    print("store script, own client", direct);
    double ratio = direct.rate() > 0 ? http.rate() / direct.rate() : 0;
    std::printf("gateway/direct rate ratio %.2f\n", ratio);
    std::printf(
        "booking: gateway %.0f req/s p99 %.2f ms | script direct %.0f req/s p99 %.2f ms "
        "| ratio %.2f | %zu/%zu created\n",
        http.rate(), http.percentile(0.99), direct.rate(), direct.percentile(0.99), ratio,
        http.created, http.requests);
    return http.errors + direct.errors == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "bench_booking: " << e.what() << "\n";
    return 1;
  }
}
