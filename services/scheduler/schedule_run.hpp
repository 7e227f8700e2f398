// One schedule run, as the scheduler service executes a "schedule.run" message: take the run
// (queued -> running; a run already done or failed is a redelivery and is skipped), read the
// event's state, build the problem (problem_builder.hpp), solve or repair it on the worker
// pool (never on the io_context), check it independently, publish it through the meeting
// store in one atomic step, and store the outcome in the run record.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <string>

#include "services/common/bus.hpp"
#include "services/common/event_cache.hpp"
#include "services/common/redis.hpp"
#include "services/common/schedule_runs.hpp"
#include "services/common/worker_pool.hpp"
#include "services/scheduler/problem_builder.hpp"

namespace sangdam::scheduler {

// Limits of one run's output, so that a run record stays small.
inline constexpr std::size_t kMaxListedUnplaced = 200;
inline constexpr std::size_t kMaxListedMoves = 500;

class ScheduleRunner {
 public:
  ScheduleRunner(redis::Client& redis, bus::Topology topology, const Catalogs& catalogs,
                 worker::WorkerPool& pool)
      : redis_(redis), topology_(std::move(topology)), events_(catalogs.taxonomy), pool_(pool) {}

  // The bus handler of the "schedule" topic. Throws (-> retried) only when Redis fails; a run
  // that cannot be done (bad input, no feasible publish) ends "failed" with the reason.
  boost::asio::awaitable<void> handle(const bus::Delivery& delivery);

 private:
  boost::asio::awaitable<void> run(const std::string& event_id, const std::string& run_id);
  // The steps of a run; `stage` names the step under way for the failure message.
  boost::asio::awaitable<void> execute(const std::string& event_id, const std::string& run_id,
                                       const schedule_runs::RunRequest& request,
                                       std::string& stage);
  boost::asio::awaitable<RunInputs> read_inputs(const EventInfo& info, int top_matches);

  redis::Client& redis_;
  bus::Topology topology_;
  EventCache events_;
  worker::WorkerPool& pool_;
};

}  // namespace sangdam::scheduler
