// Fixed threads for CPU-heavy work (scoring, scheduling) so that an io_context thread never
// blocks on it. A coroutine hands a function to the pool and resumes on its own executor:
//   auto ranked = co_await pool.run<std::vector<Match>>([&] { return rank(buyer); });
// Exceptions thrown by the function are rethrown in the awaiting coroutine.
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <exception>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

namespace sangdam::worker {

namespace asio = boost::asio;

class WorkerPool {
 public:
  // threads: 0 = hardware concurrency (at least one).
  explicit WorkerPool(unsigned threads = 0);
  ~WorkerPool();  // waits for queued work to finish
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  unsigned threads() const { return threads_; }
  // Functions queued or running right now (a gauge for back-pressure decisions).
  std::size_t pending() const { return pending_.load(std::memory_order_relaxed); }

  template <typename T>
  asio::awaitable<T> run(std::function<T()> fn);

  // Stops taking work and joins the threads; queued work still runs.
  void join();

 private:
  // Outcome of one function: the value (absent for void or on failure) or the exception.
  template <typename T>
  using Outcome = std::conditional_t<std::is_void_v<T>, std::monostate, std::optional<T>>;

  unsigned threads_;
  std::atomic<std::size_t> pending_{0};
  asio::thread_pool pool_;
};

template <typename T>
asio::awaitable<T> WorkerPool::run(std::function<T()> fn) {
  using Value = Outcome<T>;
  auto initiate = [this, fn = std::move(fn)](auto handler) mutable {
    // The guard keeps the caller's io_context alive while the work is away on the pool.
    auto work = asio::make_work_guard(asio::get_associated_executor(handler));
    pending_.fetch_add(1, std::memory_order_relaxed);
    asio::post(pool_, [this, fn = std::move(fn), handler = std::move(handler),
                       work = std::move(work)]() mutable {
      std::exception_ptr error;
      Value value{};
      try {
        if constexpr (std::is_void_v<T>) {
          fn();
        } else {
          value.emplace(fn());
        }
      } catch (...) {
        error = std::current_exception();
      }
      pending_.fetch_sub(1, std::memory_order_relaxed);
      auto executor = work.get_executor();
      asio::post(executor,
                 [handler = std::move(handler), error, value = std::move(value)]() mutable {
                   std::move(handler)(error, std::move(value));
                 });
    });
  };
  Value value =
      co_await asio::async_initiate<decltype(asio::use_awaitable), void(std::exception_ptr, Value)>(
          std::move(initiate), asio::use_awaitable);
  if constexpr (!std::is_void_v<T>) co_return std::move(*value);
}

}  // namespace sangdam::worker
