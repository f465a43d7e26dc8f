// One HTTP/1.1 keep-alive connection (plain TCP or TLS) with one request in flight at a time.
// This and the pool are the only parts of ddb that touch sockets.
#pragma once

#include "http_response.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ddb::detail {

/// Where to connect. TLS when `tls` is set.
struct connect_target {
  std::string host;                                       // for SNI and verification
  boost::asio::ip::tcp::resolver::results_type endpoints; // the server's, or the proxy's
  boost::asio::ssl::context* tls = nullptr;
  /// Through an HTTP proxy, "host:port" to CONNECT to before TLS: `endpoints` are the proxy's.
  std::string tunnel;
  /// The Proxy-Authorization value for the CONNECT ("Basic ..."), or empty.
  std::string proxy_authorization;
};

class http_connection {
public:
  using clock = std::chrono::steady_clock;

  explicit http_connection(boost::asio::any_io_executor ex) : ex_(std::move(ex)) {}

  bool is_open() const noexcept { return open_; }
  /// How many requests this connection has completed: 0 means fresh.
  std::uint64_t uses() const noexcept { return uses_; }
  clock::time_point last_used() const noexcept { return last_used_; }

  /// Opens the TCP connection, through `target.tunnel` (an HTTP CONNECT) when set, and, with TLS,
  /// does the handshake (SNI, certificate and host name verification as the context says).
  /// Reuses the TLS session of `session` when given. A proxy that answers the CONNECT with 407
  /// gives client_errc::proxy_auth_required, any other non-2xx client_errc::proxy_refused
  /// (proxy_status() has its status).
  boost::asio::awaitable<boost::system::error_code>
  connect(const connect_target& target, std::chrono::milliseconds timeout, SSL_SESSION* session);

  /// Writes `head` then `body` and reads one response into `out`, skipping interim `1xx`
  /// responses. Any error leaves the connection closed: a half-read response can never be
  /// mistaken for the next one; so does any byte left after the response (a second response,
  /// garbage), which would otherwise answer the next request. `body_limit` bounds the body.
  /// progress() then says how far it got.
  boost::asio::awaitable<boost::system::error_code> exchange(std::string_view head, std::string_view body,
                                                             http_response& out,
                                                             std::chrono::milliseconds timeout,
                                                             std::uint64_t body_limit = max_response_body);

  /// How far the last exchange() got: what decides whether a failed request may be resent
  /// unnoticed (nothing was written) or may have reached the server.
  struct exchange_progress {
    std::size_t bytes_written = 0;
    bool response_started = false; // some byte of a response arrived
    unsigned status = 0;           // the final response's status, once its head was read
  };
  const exchange_progress& progress() const noexcept { return progress_; }

  /// Whether an idle connection can carry a request: open, no byte is waiting on it (a stray or
  /// late response, or an alert) and the peer has not closed it. With `peek`, a non-blocking
  /// recv() asks the socket; without it, only what this object knows. A connection that fails
  /// it is closed, and a request can go on a fresh one, unnoticed.
  bool check_idle(bool peek) noexcept;

  void close() noexcept;

  /// The status the proxy answered the last CONNECT with; 0 when none was read.
  unsigned proxy_status() const noexcept { return proxy_status_; }

private:
  boost::asio::awaitable<boost::system::error_code> open_tunnel(const connect_target& target);

  boost::beast::tcp_stream& tcp() noexcept { return tls_ ? tls_->next_layer() : *tcp_; }

  boost::asio::any_io_executor ex_;
  // Beast streams cannot be reassigned or reused after close: emplace a new one per connect.
  std::optional<boost::beast::tcp_stream> tcp_;
  std::optional<boost::asio::ssl::stream<boost::beast::tcp_stream>> tls_;
  boost::beast::flat_buffer read_buffer_;
  bool open_ = false;
  exchange_progress progress_;
  std::uint64_t uses_ = 0;
  clock::time_point last_used_{};
  unsigned proxy_status_ = 0;
};

} // namespace ddb::detail
