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
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include <array>

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
  if (target.tls) tls_.emplace(ex_, *target.tls);
  else tcp_.emplace(ex_);

  tcp().expires_after(timeout);
  auto [ec, ep] = co_await tcp().async_connect(target.endpoints, tuple_awaitable);
  if (ec) co_return normalize(ec);
  tcp().socket().set_option(asio::ip::tcp::no_delay(true), ec);

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

asio::awaitable<error_code> http_connection::exchange(std::string_view head, std::string_view body,
                                                      http_response& out,
                                                      std::chrono::milliseconds timeout) {
  std::array<asio::const_buffer, 2> request{asio::buffer(head), asio::buffer(body)};
  tcp().expires_after(timeout);
  error_code ec;
  if (tls_) std::tie(ec, std::ignore) = co_await asio::async_write(*tls_, request, tuple_awaitable);
  else std::tie(ec, std::ignore) = co_await asio::async_write(*tcp_, request, tuple_awaitable);
  if (ec) {
    close();
    co_return normalize(ec);
  }

  http::response_parser<padded_body> parser(std::piecewise_construct, std::make_tuple(std::move(out.body)));
  parser.body_limit(max_response_body);
  if (tls_) std::tie(ec, std::ignore) = co_await http::async_read(*tls_, read_buffer_, parser, tuple_awaitable);
  else std::tie(ec, std::ignore) = co_await http::async_read(*tcp_, read_buffer_, parser, tuple_awaitable);
  auto& res = parser.get();
  out.body = std::move(res.body()); // keep the buffer's capacity, even after an error
  if (ec) {
    close();
    // The server closed before any byte of the response: the usual fate of a reused
    // keep-alive connection. Report it as a lost connection, which is retryable.
    if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == http::error::partial_message)
      ec = client_errc::connection_lost;
    co_return normalize(ec);
  }
  tcp().expires_never();
  read_head(res, out);
  ++uses_;
  last_used_ = clock::now();
  if (!out.keep_alive) close();
  co_return error_code{};
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
