// The hiredis <-> Boost.Asio adapter: hiredis 0.14 asks for read/write interest through the
// context's ev hooks; we turn that interest into async_wait on a stream_descriptor over the
// context's socket and call redisAsyncHandleRead/Write when the socket is ready.
//
// Lifetimes (the classic bug is an Asio handler touching a context hiredis already freed):
// - attach() creates a link object that hiredis references through ac->ev.data; the link keeps
//   itself alive (self_) until hiredis calls the cleanup hook, which hiredis does exactly once,
//   inside redisAsyncFree or when it drops a broken connection.
// - every pending async_wait handler holds its own shared_ptr to the link, never to the
//   context; after cleanup the link's context pointer is null and handlers return at once.
// - cleanup RELEASES the descriptor (deregisters it from the reactor, cancels the waits) and
//   never closes it: the fd belongs to hiredis, which closes it right after cleanup.
#pragma once

#include <boost/asio/any_io_executor.hpp>

struct redisAsyncContext;

namespace sangdam::redis::detail {

// Call right after redisAsyncConnect succeeded and BEFORE redisAsyncSetConnectCallback (which
// asks for write interest to detect the finished connect).
void attach_asio(redisAsyncContext* context, boost::asio::any_io_executor executor);

}  // namespace sangdam::redis::detail
