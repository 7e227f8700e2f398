// Work over many independent items on a few threads, with errors that do not depend on
// scheduling. Pure computation helper: no I/O.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace sangdam {

// Runs work(worker, i) for i in [0, count) on `threads` threads (worker in [0, threads), the
// calling thread being worker 0), handing items out in chunks of `chunk`. An exception of an
// item is rethrown after all items have run: the first in item order, whatever the thread count.
template <class Work>
void for_each_index(std::size_t count, unsigned threads, std::size_t chunk, Work&& work) {
  threads = std::max(1u, threads);
  chunk = std::max<std::size_t>(1, chunk);
  std::vector<std::exception_ptr> errors(count);
  std::atomic<std::size_t> next{0};
  auto run = [&](unsigned worker) {
    for (;;) {
      const std::size_t first = next.fetch_add(chunk);
      if (first >= count) return;
      for (std::size_t i = first; i < std::min(count, first + chunk); ++i) {
        try {
          work(worker, i);
        } catch (...) {
          errors[i] = std::current_exception();
        }
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(run, t);
  run(0);
  for (auto& thread : pool) thread.join();
  for (const auto& error : errors) {
    if (error) std::rethrow_exception(error);
  }
}

// Runs `one` and `other`, which share nothing they write, side by side when threads > 1 (other
// on a thread of its own), else one after the other. An exception of `one` is rethrown first.
template <class One, class Other>
void run_side_by_side(unsigned threads, One&& one, Other&& other) {
  if (threads <= 1) {
    one();
    other();
    return;
  }
  std::exception_ptr other_error;
  std::thread beside([&] {
    try {
      other();
    } catch (...) {
      other_error = std::current_exception();
    }
  });
  std::exception_ptr one_error;
  try {
    one();
  } catch (...) {
    one_error = std::current_exception();
  }
  beside.join();
  if (one_error) std::rethrow_exception(one_error);
  if (other_error) std::rethrow_exception(other_error);
}

}  // namespace sangdam
