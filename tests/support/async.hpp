// Running one coroutine to completion from a plain test body.
//   boost::asio::io_context io;
//   auto value = sangdam::testing::run_sync(io, client->call({"PING"}));
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <type_traits>

namespace sangdam::testing {

// Runs io until the coroutine finishes (other work on io, e.g. a consumer, runs meanwhile),
// rethrows its exception, returns its value. Throws std::runtime_error after the limit.
template <class T>
T run_sync(boost::asio::io_context& io, boost::asio::awaitable<T> work,
           std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  // Shared, so a coroutine that finishes after we gave up does not write to a dead frame.
  struct Outcome {
    bool done = false;
    std::exception_ptr failure;
    std::optional<std::conditional_t<std::is_void_v<T>, bool, T>> value;
  };
  auto outcome = std::make_shared<Outcome>();
  if constexpr (std::is_void_v<T>) {
    boost::asio::co_spawn(io, std::move(work), [outcome](std::exception_ptr e) {
      outcome->failure = e;
      outcome->done = true;
    });
  } else {
    boost::asio::co_spawn(io, std::move(work), [outcome](std::exception_ptr e, T result) {
      outcome->failure = e;
      if (!e) outcome->value.emplace(std::move(result));
      outcome->done = true;
    });
  }
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!outcome->done) {
    if (io.stopped()) io.restart();
    auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) {
      throw std::runtime_error("run_sync: the coroutine did not finish in time");
    }
    io.run_one_for(left);
  }
  if (outcome->failure) std::rethrow_exception(outcome->failure);
  if constexpr (!std::is_void_v<T>) return std::move(*outcome->value);
}

// Runs io until done() holds (checked between handlers) or the limit passes; returns done().
template <class Predicate>
bool run_until(boost::asio::io_context& io, Predicate done,
               std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) return false;
    if (io.stopped()) io.restart();
    io.run_one_for(
        std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(50)));
  }
  return true;
}

// Runs io for a while (lets background coroutines make progress).
inline void run_for(boost::asio::io_context& io, std::chrono::milliseconds how_long) {
  if (io.stopped()) io.restart();
  io.run_for(how_long);
}

}  // namespace sangdam::testing
