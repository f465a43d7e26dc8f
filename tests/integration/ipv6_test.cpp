// An IPv6 literal endpoint: the client connects to [::1], where a byte relay of this test passes
// the connection on to DynamoDB Local (which listens on 127.0.0.1 only).
#include "ddblocal_env.hpp"

#include <ddb/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <atomic>
#include <memory>
#include <string>

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace ddb_test;

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

asio::awaitable<void> pump(std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to) {
  std::array<char, 16384> buf;
  for (;;) {
    auto [ec, n] = co_await from->async_read_some(asio::buffer(buf), tuple_awaitable);
    if (ec) break;
    auto [wec, w] = co_await asio::async_write(*to, asio::buffer(buf.data(), n), tuple_awaitable);
    if (wec) break;
  }
  boost::system::error_code ignored;
  to->shutdown(tcp::socket::shutdown_send, ignored);
}

// Accepts on [::1] and relays each connection to 127.0.0.1:`port`; counts the connections.
asio::awaitable<void> relay(tcp::acceptor& a, unsigned short port, std::atomic<int>& accepted) {
  for (;;) {
    auto [ec, s] = co_await a.async_accept(tuple_awaitable);
    if (ec) co_return;
    ++accepted;
    auto client = std::make_shared<tcp::socket>(std::move(s));
    auto upstream = std::make_shared<tcp::socket>(a.get_executor());
    auto [cec] =
        co_await upstream->async_connect({asio::ip::make_address("127.0.0.1"), port}, tuple_awaitable);
    if (cec) continue;
    asio::co_spawn(a.get_executor(), pump(client, upstream), asio::detached);
    asio::co_spawn(a.get_executor(), pump(upstream, client), asio::detached);
  }
}

} // namespace

TEST(Ipv6, LiteralEndpointConnectsToTheV6Address) {
  asio::io_context io;
  boost::system::error_code ec;
  tcp::acceptor a(io);
  a.open(tcp::v6(), ec);
  if (!ec) a.bind({asio::ip::make_address("::1"), 0}, ec);
  if (ec) GTEST_SKIP() << "no IPv6 loopback on this machine: " << ec.message();
  a.listen();
  const auto ddb_port = static_cast<unsigned short>(std::stoi(read_state("DDB_LOCAL_STATE", "port")));
  std::atomic<int> accepted{0};
  asio::co_spawn(io, relay(a, ddb_port, accepted), asio::detached);

  auto opts = local_options();
  opts.endpoint = "http://[::1]:" + std::to_string(a.local_endpoint().port());
  std::string out;
  ddb::error_code rec;
  ddb::diagnostics diag;
  auto done = asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        ddb::client c(io.get_executor(), opts);
        co_await c.invoke("ListTables", "{}", out, rec, diag);
        a.close();
      },
      asio::use_future);
  io.run();
  done.get();
  EXPECT_FALSE(rec) << rec.message() << ": " << diag.message;
  EXPECT_NE(out.find("\"TableNames\""), std::string::npos) << out;
  EXPECT_EQ(accepted.load(), 1); // it went through [::1]
}
