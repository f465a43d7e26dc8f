#include "http_connection.hpp"

#include <ddb/error_code.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include <array>

#include <cerrno>
#include <sys/socket.h>

namespace ddb::detail {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;

namespace {
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);
// Beast reports its own timeout; callers see one code for "took too long".
error_code normalize(error_code ec) {
  if (ec == boost::beast::error::timeout) return client_errc::timeout;
  return ec;
}
} // namespace

asio::awaitable<error_code> http_connection::connect(const connect_target& target,
                                                     std::chrono::milliseconds timeout,
                                                     SSL_SESSION* session) {
  close();
  tcp_.reset();
  tls_.reset();
  if (target.tls)
    tls_.emplace(ex_, *target.tls);
  else
    tcp_.emplace(ex_);

  tcp().expires_after(timeout);
  auto [ec, ep] = co_await tcp().async_connect(target.endpoints, tuple_awaitable);
  if (ec) co_return normalize(ec);
  tcp().socket().set_option(asio::ip::tcp::no_delay(true), ec);
  proxy_status_ = 0;
  if (!target.tunnel.empty()) {
    if (auto tec = co_await open_tunnel(target)) {
      tcp().close();
      co_return tec;
    }
  }

  if (tls_) {
    SSL* ssl = tls_->native_handle();
    // SNI (RFC 6066: host names only, never an IP address), and the name or address the
    // certificate must carry.
    error_code not_ip;
    asio::ip::make_address(target.host, not_ip);
    if (not_ip && !SSL_set_tlsext_host_name(ssl, target.host.c_str()))
      co_return error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
    tls_->set_verify_callback(asio::ssl::host_name_verification(target.host));
    if (session) SSL_set_session(ssl, session);
    auto [hec] = co_await tls_->async_handshake(asio::ssl::stream_base::client, tuple_awaitable);
    if (hec) {
      tcp().close();
      co_return normalize(hec);
    }
  }
  tcp().expires_never();
  read_buffer_.clear();
  // Beast reads at most the buffer's free space (512 bytes minimum): without room, a 1 MB Query
  // page would arrive in 2,000 reads. 64 KB lets each read take what the socket has.
  read_buffer_.reserve(64 * 1024);
  open_ = true;
  uses_ = 0;
  last_used_ = clock::now();
  co_return error_code{};
}

// RFC 9110 9.3.6: a 2xx answer to CONNECT turns the connection into a tunnel to the target; the
// connect timeout set before covers it.
asio::awaitable<error_code> http_connection::open_tunnel(const connect_target& target) {
  std::string req;
  req.append("CONNECT ").append(target.tunnel).append(" HTTP/1.1\r\nHost: ").append(target.tunnel);
  if (!target.proxy_authorization.empty())
    req.append("\r\nProxy-Authorization: ").append(target.proxy_authorization);
  req.append("\r\n\r\n");
  auto [wec, written] = co_await asio::async_write(tcp(), asio::buffer(req), tuple_awaitable);
  if (wec) co_return normalize(wec);
  http::response_parser<http::empty_body> parser;
  parser.skip(true); // a 2xx answer to CONNECT has no body, whatever its headers say
  parser.header_limit(max_response_head);
  boost::beast::flat_buffer buffer;
  auto [rec, read] = co_await http::async_read_header(tcp(), buffer, parser, tuple_awaitable);
  if (rec) {
    if (rec == http::error::end_of_stream || rec == asio::error::eof || rec == http::error::partial_message)
      co_return client_errc::proxy_refused; // the proxy hung up instead of answering
    co_return normalize(rec);
  }
  proxy_status_ = parser.get().result_int();
  // 407, or 401 from proxies that answer so (tinyproxy): the target was never reached.
  if (proxy_status_ == 407 || proxy_status_ == 401) co_return client_errc::proxy_auth_required;
  if (proxy_status_ / 100 != 2) co_return client_errc::proxy_refused;
  // The server speaks only after our ClientHello: bytes now would be the proxy's, not TLS.
  if (buffer.size() != 0) co_return client_errc::proxy_refused;
  co_return error_code{};
}

asio::awaitable<error_code> http_connection::exchange(std::string_view head, std::string_view body,
                                                      http_response& out, std::chrono::milliseconds timeout,
                                                      std::uint64_t body_limit) {
  progress_ = {};
  std::array<asio::const_buffer, 2> request{asio::buffer(head), asio::buffer(body)};
  tcp().expires_after(timeout); // one deadline for the write and every read below
  error_code ec;
  if (tls_)
    std::tie(ec, progress_.bytes_written) = co_await asio::async_write(*tls_, request, tuple_awaitable);
  else
    std::tie(ec, progress_.bytes_written) = co_await asio::async_write(*tcp_, request, tuple_awaitable);
  if (ec) {
    close();
    co_return normalize(ec);
  }

  std::size_t buffered = read_buffer_.size(); // 0: check_idle() and the end of the last exchange saw to it
  for (;;) {
    http::response_parser<padded_body> parser(std::piecewise_construct, std::make_tuple(std::move(out.body)));
    parser.body_limit(body_limit);
    parser.header_limit(max_response_head);
    std::size_t n = 0;
    if (tls_)
      std::tie(ec, n) = co_await http::async_read(*tls_, read_buffer_, parser, tuple_awaitable);
    else
      std::tie(ec, n) = co_await http::async_read(*tcp_, read_buffer_, parser, tuple_awaitable);
    if (n > 0 || read_buffer_.size() > buffered) progress_.response_started = true;
    auto& res = parser.get();
    if (parser.is_header_done()) progress_.status = res.result_int();
    out.body = std::move(res.body()); // keep the buffer's capacity, even after an error
    if (ec) {
      close();
      if (ec == http::error::body_limit || ec == http::error::header_limit ||
          ec == http::error::buffer_overflow)
        co_return client_errc::response_too_large;
      // The server closed before a whole response arrived (before any byte of it: the usual fate
      // of a reused keep-alive connection). Retryable, but progress() says if it began.
      if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == http::error::partial_message)
        ec = client_errc::connection_lost;
      co_return normalize(ec);
    }
    // 100 Continue, 102 Processing, 103 Early Hints: interim, the final response follows. (101
    // would switch protocols, which a request of ours never asks for: treat it as final.)
    if (res.result_int() >= 100 && res.result_int() < 200 && res.result_int() != 101) {
      buffered = 0;
      continue;
    }
    tcp().expires_never();
    read_head(res, out);
    break;
  }
  ++uses_;
  last_used_ = clock::now();
  // Bytes after the response belong to no request of ours: never let them answer the next one.
  if (!out.keep_alive || read_buffer_.size() != 0) close();
  // A buffer that grew for one huge answer goes back to its usual size.
  if (read_buffer_.capacity() > read_buffer_keep) {
    read_buffer_ = boost::beast::flat_buffer();
    if (open_) read_buffer_.reserve(64 * 1024);
  }
  co_return error_code{};
}

bool http_connection::check_idle(bool peek) noexcept {
  if (!open_) return false;
  if (read_buffer_.size() != 0) {
    close();
    return false;
  }
  if (!peek) return true;
  char byte;
  ssize_t n = ::recv(tcp().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return true;
  close(); // n == 0: the peer closed; n > 0: unsolicited bytes; n < 0: a socket error
  return false;
}

void http_connection::close() noexcept {
  if (!open_) return;
  open_ = false;
  error_code ignored;
  // No TLS close_notify round trip: DynamoDB does not need it, and it could block on a dead peer.
  if (tcp_ || tls_) {
    tcp().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    tcp().socket().close(ignored);
  }
}

} // namespace ddb::detail
