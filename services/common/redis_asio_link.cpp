#include "services/common/redis_asio_link.hpp"

#include <hiredis/async.h>

#include <boost/asio/posix/stream_descriptor.hpp>

#include <memory>

#include "services/common/log.hpp"

namespace sangdam::redis::detail {

namespace {

class AsioLink : public std::enable_shared_from_this<AsioLink> {
 public:
  AsioLink(redisAsyncContext* context, boost::asio::any_io_executor executor)
      : context_(context), descriptor_(executor, context->c.fd) {}

  static void attach(redisAsyncContext* context, boost::asio::any_io_executor executor) {
    auto link = std::make_shared<AsioLink>(context, std::move(executor));
    link->self_ = link;
    context->ev.data = link.get();
    context->ev.addRead = [](void* p) { static_cast<AsioLink*>(p)->want(kRead, true); };
    context->ev.delRead = [](void* p) { static_cast<AsioLink*>(p)->want(kRead, false); };
    context->ev.addWrite = [](void* p) { static_cast<AsioLink*>(p)->want(kWrite, true); };
    context->ev.delWrite = [](void* p) { static_cast<AsioLink*>(p)->want(kWrite, false); };
    context->ev.cleanup = [](void* p) { static_cast<AsioLink*>(p)->cleanup(); };
  }

 private:
  enum Kind { kRead = 0, kWrite = 1 };
  // Interest and in-flight wait of one direction.
  struct Direction {
    bool wanted = false;   // hiredis asked for it (add*) and has not withdrawn it (del*)
    bool waiting = false;  // an async_wait is outstanding; never start a second one
  };
  void want(Kind kind, bool on) {
    directions_[kind].wanted = on;
    if (on) arm(kind);
  }

  void arm(Kind direction) {
    Direction& d = directions_[direction];
    if (d.waiting || context_ == nullptr) return;
    d.waiting = true;
    auto kind = direction == kRead ? boost::asio::posix::stream_descriptor::wait_read
                                   : boost::asio::posix::stream_descriptor::wait_write;
    descriptor_.async_wait(kind,
                           [self = shared_from_this(), direction](boost::system::error_code ec) {
                             self->on_ready(direction, ec);
                           });
  }

  void on_ready(Kind direction, boost::system::error_code ec) {
    Direction& d = directions_[direction];
    d.waiting = false;
    if (context_ == nullptr || ec == boost::asio::error::operation_aborted) return;
    if (ec) {
      // Not expected for a poll on a live socket; the command timeouts reset the connection.
      log::warn("redis socket wait failed", {log::field("error", ec.message())});
      return;
    }
    if (!d.wanted) return;  // withdrawn (del*) while the wait was outstanding
    // hiredis may free the context inside these calls (connection lost); cleanup() then clears
    // context_, so nothing below touches a freed context.
    if (direction == kRead) {
      redisAsyncHandleRead(context_);
    } else {
      redisAsyncHandleWrite(context_);
    }
    if (context_ != nullptr && d.wanted) arm(direction);
  }

  void cleanup() {
    context_ = nullptr;
    directions_[kRead].wanted = directions_[kWrite].wanted = false;
    descriptor_.release();  // hiredis owns and closes the fd; outstanding waits are aborted
    auto last_reference_of_hiredis = std::move(self_);  // may destroy *this on return
  }

  redisAsyncContext* context_;  // null once hiredis has freed (or is freeing) the context
  boost::asio::posix::stream_descriptor descriptor_;
  Direction directions_[2];
  std::shared_ptr<AsioLink> self_;  // hiredis' reference, through ac->ev.data
};

}  // namespace

void attach_asio(redisAsyncContext* context, boost::asio::any_io_executor executor) {
  AsioLink::attach(context, std::move(executor));
}

}  // namespace sangdam::redis::detail
