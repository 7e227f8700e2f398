// The metrics registry and the worker pool, without sockets.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <catch2/catch.hpp>
#include <thread>

#include "matching/error.hpp"
#include "services/common/metrics.hpp"
#include "services/common/worker_pool.hpp"

using namespace sangdam;
namespace asio = boost::asio;

TEST_CASE("a series is created once and updated from many threads") {
  metrics::Registry registry;
  auto& counter = registry.counter("sangdam_test_total", {{"b", "2"}, {"a", "1"}}, "help text");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i)
        registry.counter("sangdam_test_total", {{"a", "1"}, {"b", "2"}}).inc();
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(counter.value() == 4000);
  auto text = registry.render();
  CHECK(text.find("# HELP sangdam_test_total help text\n# TYPE sangdam_test_total counter\n"
                  "sangdam_test_total{a=\"1\",b=\"2\"} 4000\n") != std::string::npos);
  CHECK_THROWS_AS(registry.gauge("sangdam_test_total"), Error);
  CHECK_THROWS_AS(registry.counter("bad name"), Error);
}

TEST_CASE("histograms render cumulative buckets, sum and count, label values are escaped") {
  metrics::Registry registry;
  auto& h = registry.histogram("sangdam_latency_seconds", {{"route", "a\"b"}}, {0.1, 1});
  h.observe(0.05);
  h.observe(0.5);
  h.observe(5);
  auto text = registry.render();
  CHECK(text.find("sangdam_latency_seconds_bucket{route=\"a\\\"b\",le=\"0.1\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("sangdam_latency_seconds_bucket{route=\"a\\\"b\",le=\"1\"} 2\n") !=
        std::string::npos);
  CHECK(text.find("sangdam_latency_seconds_bucket{route=\"a\\\"b\",le=\"+Inf\"} 3\n") !=
        std::string::npos);
  CHECK(text.find("sangdam_latency_seconds_sum{route=\"a\\\"b\"} 5.55\n") != std::string::npos);
  CHECK(text.find("sangdam_latency_seconds_count{route=\"a\\\"b\"} 3\n") != std::string::npos);
}

TEST_CASE("the worker pool runs work on its threads and resumes on the caller's executor") {
  worker::WorkerPool pool(2);
  asio::io_context context;
  auto caller = std::this_thread::get_id();
  std::thread::id worker_thread;
  auto future = asio::co_spawn(
      context,
      [&]() -> asio::awaitable<std::thread::id> {
        int sum = co_await pool.run<int>([&] {
          worker_thread = std::this_thread::get_id();
          int total = 0;
          for (int i = 1; i <= 100; ++i) total += i;
          return total;
        });
        CHECK(sum == 5050);
        co_await pool.run<void>([] {});
        bool threw = false;
        try {
          co_await pool.run<int>(
              []() -> int { throw_invalid("bad_slot", "no such slot", "slot"); });
        } catch (const Error& e) {
          threw = e.reason() == "bad_slot";
        }
        CHECK(threw);
        co_return std::this_thread::get_id();
      },
      asio::use_future);
  context.run();
  CHECK(future.get() == caller);
  CHECK(worker_thread != caller);
  CHECK(pool.pending() == 0);
}
