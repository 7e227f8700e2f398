// bench_bus: messages per second through the stream bus (publish -> consume -> ack), beside
// redis-benchmark's raw XADD rate on the same private redis-server in the same run.
//   bench_bus [--quick] [--messages N] [--publishers N]
// Last line: one-line summary.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>

#include "services/common/bus.hpp"
#include "services/common/log.hpp"
#include "tests/support/redis_server.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr long long kFullMessages = 200000;
constexpr long long kQuickMessages = 20000;
constexpr int kDefaultPublishers =
    16;  // concurrent publish coroutines: commands in flight, as -P 16
constexpr int kConsumerBatch = 64;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// redis-benchmark -q prints "XADD bench * f v: 312500.00 requests per second, p50=...".
double raw_xadd_rate(int port, long long messages) {
  std::string command = "redis-benchmark -p " + std::to_string(port) + " -n " +
                        std::to_string(messages) + " -P 16 -q XADD bench '*' f v 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run redis-benchmark");
  std::string output;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  ::pclose(pipe);
  auto marker = output.rfind(" requests per second");
  auto colon = output.rfind(": ", marker);
  if (marker == std::string::npos || colon == std::string::npos) {
    throw std::runtime_error("unexpected redis-benchmark output: " + output);
  }
  return std::stod(output.substr(colon + 2, marker - colon - 2));
}

struct BusFigures {
  double publish_rate;     // messages/s of the publishing side alone
  double end_to_end_rate;  // messages/s until the last one was consumed and acknowledged
};

BusFigures bus_rate(int port, long long messages, int publishers) {
  boost::asio::io_context io;
  sangdam::redis::Options options;
  options.port = port;
  options.command_timeout = 10s;
  auto publisher = sangdam::redis::connect(io.get_executor(), options);
  auto blocking = sangdam::redis::connect(io.get_executor(), options);
  sangdam::bus::Topology topology{.prefix = "bench", .partitions = 1, .max_len = 1000000};

  sangdam::bus::ConsumerOptions consumer_options;
  consumer_options.topic = "meetings";
  consumer_options.group = "ledger";
  consumer_options.consumer = "bench-1";
  consumer_options.batch = kConsumerBatch;
  consumer_options.block = 100ms;
  sangdam::bus::Consumer consumer(blocking, topology, consumer_options);

  long long consumed = 0;
  bool consumer_done = false;
  std::exception_ptr failure;
  boost::asio::co_spawn(
      io, consumer.run([&](const sangdam::bus::Delivery&) -> boost::asio::awaitable<void> {
        if (++consumed == messages) consumer.stop();
        co_return;
      }),
      [&](std::exception_ptr e) {
        failure = e;
        consumer_done = true;
      });

  auto start = Clock::now();
  long long published = 0;
  double publish_seconds = 0;
  int publishers_left = publishers;
  for (int p = 0; p < publishers; ++p) {
    boost::asio::co_spawn(
        io,
        [&, p]() -> boost::asio::awaitable<void> {
          for (long long i = p; i < messages; i += publishers) {
            sangdam::bus::Envelope envelope{
                .type = "meeting.placed",
                .event_id = "seongnam-2023",
                .idempotency_key = "m-" + std::to_string(i),
                .payload = R"({"buyer":"b-7","company":"c-12","table":"A3","slot":"09:30"})"};
            co_await sangdam::bus::publish(*publisher, topology, "meetings", std::move(envelope));
            ++published;
          }
          if (--publishers_left == 0) publish_seconds = seconds_since(start);
        },
        [&](std::exception_ptr e) {
          if (e) failure = e;
        });
  }
  while (!consumer_done && !failure) io.run_one();
  if (failure) std::rethrow_exception(failure);
  double total_seconds = seconds_since(start);
  if (published != messages || consumed != messages) {
    throw std::runtime_error("lost messages: published " + std::to_string(published) +
                             ", consumed " + std::to_string(consumed));
  }
  publisher->close();
  blocking->close();
  return {messages / publish_seconds, messages / total_seconds};
}

}  // namespace

int main(int argc, char** argv) {
  long long messages = kFullMessages;
  int publishers = kDefaultPublishers;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--quick") {
      messages = kQuickMessages;
    } else if (arg == "--messages" && i + 1 < argc) {
      messages = std::atoll(argv[++i]);
    } else if (arg == "--publishers" && i + 1 < argc) {
      publishers = std::atoi(argv[++i]);
    } else {
      std::cerr << "usage: bench_bus [--quick] [--messages N] [--publishers N]\n";
      return 2;
    }
  }
  if (messages < 1 || publishers < 1) {
    std::cerr << "--messages and --publishers must be >= 1\n";
    return 2;
  }
  sangdam::log::init("bench_bus", sangdam::log::Level::kWarn);
  try {
    sangdam::testing::RedisServer server;
    double raw = raw_xadd_rate(server.port(), messages);
    auto bus = bus_rate(server.port(), messages, publishers);
    double ratio = bus.end_to_end_rate / raw;
    std::printf("messages: %lld (payload ~60 B, 1 partition, %d publishers, batch %d)\n", messages,
                publishers, kConsumerBatch);
    std::printf("redis-benchmark XADD -P 16 (raw, no consumer): %.0f req/s\n", raw);
    std::printf("bus publishing (consumer running meanwhile):  %.0f msg/s\n", bus.publish_rate);
    std::printf("bus publish -> consume -> ack (end to end):    %.0f msg/s\n", bus.end_to_end_rate);
    std::printf("ratio end-to-end / raw XADD:                   %.3f\n", ratio);
    std::printf(
        "bench_bus: %.0f msg/s publish->consume->ack, %.0f req/s raw XADD, ratio %.3f "
        "(%lld messages)\n",
        bus.end_to_end_rate, raw, ratio, messages);
  } catch (const std::exception& e) {
    std::printf("bench_bus: FAILED: %s\n", e.what());
    return 1;
  }
  return 0;
}
