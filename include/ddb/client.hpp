// ddb::client: DynamoDB over a pool of keep-alive HTTP/1.1 connections, for C++20 coroutines.
#pragma once

#include <ddb/client_options.hpp>
#include <ddb/diagnostics.hpp>
#include <ddb/error_code.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace ddb {

/// Connection pool figures, for metrics.
struct pool_stats {
  std::size_t open = 0;    // connected, busy or idle
  std::size_t idle = 0;    // connected and free
  std::size_t opening = 0; // connecting
  std::size_t waiting = 0; // callers waiting for a connection
};

/// A DynamoDB client.
///
/// Threading: a client belongs to one executor and must be used from that executor's single
/// thread (an io_context run by one thread, or a strand). For several threads, make one client
/// per thread (one io_context per core), which is how ddb reaches its throughput: no locks on
/// the request path. Credentials providers may be shared between clients.
///
/// Lifetime: operations keep the client's internals alive, so destroying the client while
/// operations are in flight is safe (they finish or fail), but requests passed by reference
/// must live until the operation completes: name them, or pass temporaries inside the
/// co_await expression.
///
/// Cancellation: every operation honours the cancellation slot of the awaiting coroutine
/// (terminal cancellation, e.g. from `awaitable_operators ||` with a timer): it completes with
/// `boost::asio::error::operation_aborted`; a connection with a request in flight is closed,
/// never reused, so the pool stays healthy.
class client {
public:
  client(boost::asio::any_io_executor ex, client_options options);
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;
  client(client&&) noexcept;
  client& operator=(client&&) noexcept;

  /// Sends `body` as DynamoDB operation `operation` ("GetItem", ...), with retries.
  /// On success `response` holds the response body (its old buffer is recycled). On failure
  /// `ec` is set and `diag` says what the service said.
  boost::asio::awaitable<void> invoke(std::string_view operation, std::string_view body,
                                      std::string& response, error_code& ec, diagnostics& diag);

  const client_options& options() const noexcept;
  pool_stats stats() const noexcept;
  boost::asio::any_io_executor get_executor() const noexcept;

  struct impl;

private:
  std::shared_ptr<impl> impl_;
};

} // namespace ddb
