#include "services/common/worker_pool.hpp"

#include <algorithm>
#include <thread>

namespace sangdam::worker {

namespace {
unsigned pool_size(unsigned threads) {
  if (threads > 0) return threads;
  return std::max(1u, std::thread::hardware_concurrency());
}
}  // namespace

WorkerPool::WorkerPool(unsigned threads) : threads_(pool_size(threads)), pool_(threads_) {}

WorkerPool::~WorkerPool() {
  join();
}

void WorkerPool::join() {
  pool_.join();
}

}  // namespace sangdam::worker
