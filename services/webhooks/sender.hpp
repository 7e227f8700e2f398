// One webhook attempt on the wire: an HTTP/1.1 POST (plain or TLS with certificate and host
// name checks) with a deadline over the whole exchange, resolve included. Redirects are not
// followed and the answer's body is read only up to a small limit: a receiver's status is all
// that counts.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "matching/webhook/delivery.hpp"

namespace sangdam::webhooks {

struct Attempt {
  unsigned status = 0;  // HTTP status, 0 when no answer came
  std::string error;    // why there was no answer (timeout, refused, TLS), empty otherwise
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// Never throws for network trouble: that is an Attempt with error set. Unless allow_internal,
// a host that resolves to an internal address (webhook::is_internal_address: loopback,
// private, link-local...) is not connected to: the attempt fails with that reason.
// tls: from tls_client(), used from one thread at a time.
boost::asio::awaitable<Attempt> post(const webhook::Url& url, const std::string& body,
                                     const Headers& headers, std::chrono::milliseconds timeout,
                                     boost::asio::ssl::context& tls, bool allow_internal = false);

// The TLS client side of attempts: the system's trust store plus, when ca_file is given, the
// certificates in it (receivers behind a private CA); peers must prove who they are, host
// name included. Throws Error(kInvalidArgument, "invalid_ca_file") when the file cannot be
// read.
std::unique_ptr<boost::asio::ssl::context> tls_client(const std::string& ca_file);

}  // namespace sangdam::webhooks
