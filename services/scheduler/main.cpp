// scheduler: see README.md. Consumes "schedule.run" on the "schedule" topic (runs queued by the
// gateway), builds the problem from the event's state, solves or repairs it on a worker
// thread, publishes the timetable atomically through the meeting store.
#include <memory>

#include "services/common/log.hpp"
#include "services/common/service.hpp"
#include "services/common/worker_pool.hpp"
#include "services/scheduler/schedule_run.hpp"

namespace {
// One solve at a time per instance: a run already uses the time limit it was given, and the
// io_context threads stay free for the bus and health checks.
constexpr unsigned kSolverThreads = 1;
}  // namespace

int main(int argc, char** argv) {
  using namespace sangdam;
  ServiceRuntime runtime("scheduler", argc, argv);
  std::unique_ptr<Catalogs> catalogs;
  try {
    catalogs = std::make_unique<Catalogs>(load_catalogs(runtime.config().files));
  } catch (const std::exception& e) {
    log::error("cannot load reference data", {log::field("error", e.what())});
    return 2;
  }
  worker::WorkerPool pool(kSolverThreads);
  // The consumer runs on worker 0, whose pipelined connection exists once run() started it,
  // hence the lazy construction.
  std::unique_ptr<scheduler::ScheduleRunner> runner;
  runtime.consume("schedule", [&](const bus::Delivery& d) -> boost::asio::awaitable<void> {
    if (!runner) {
      runner = std::make_unique<scheduler::ScheduleRunner>(runtime.redis(0), runtime.topology(),
                                                           *catalogs, pool);
    }
    co_await runner->handle(d);
  });
  int code = runtime.run();
  pool.join();
  return code;
}
