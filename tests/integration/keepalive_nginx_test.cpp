// Keep-alive behaviour against a real nginx that closes idle connections after 1 s, and the
// client's own idle timeout.
#include "ddblocal_env.hpp"

#include <ddb/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

namespace asio = boost::asio;
using namespace ddb_test;
using namespace std::chrono_literals;

namespace {

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(asio::use_awaitable);
}

} // namespace

TEST(KeepAlive, ServerClosedConnectionIsReplacedUnnoticed) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    auto opts = local_options();
    opts.endpoint = "http://127.0.0.1:" + read_state("DDB_NGINX_STATE", "short_keepalive_port");
    opts.retry.max_attempts = 1; // the replacement must not count as a retry
    ddb::client c(io.get_executor(), opts);
    std::string out;
    ddb::error_code ec;
    ddb::diagnostics diag;
    for (int round = 0; round < 3; ++round) {
      co_await c.invoke("ListTables", "{}", out, ec, diag);
      EXPECT_FALSE(ec) << "round " << round << ": " << ec.message();
      EXPECT_EQ(c.stats().idle, 1u);
      co_await sleep_for(1500ms); // nginx closes the idle connection meanwhile
    }
  });
}

TEST(KeepAlive, IdleConnectionsCloseAfterTheIdleTimeout) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    auto opts = local_options();
    opts.idle_timeout = 300ms;
    opts.close_idle_in_background = true;
    ddb::client c(io.get_executor(), opts);
    std::string out;
    ddb::error_code ec;
    ddb::diagnostics diag;
    co_await c.invoke("ListTables", "{}", out, ec, diag);
    EXPECT_FALSE(ec);
    EXPECT_EQ(c.stats().open, 1u);
    co_await sleep_for(1000ms); // no request in between: the client's reaper closes it
    EXPECT_EQ(c.stats().open, 0u);
    co_await c.invoke("ListTables", "{}", out, ec, diag);
    EXPECT_FALSE(ec);
    EXPECT_EQ(c.stats().open, 1u);
  });
}
