// The client's transport against DynamoDB Local: pooled keep-alive connections, signed requests,
// typed service errors, concurrency and cancellation.
#include "ddblocal_env.hpp"

#include <ddb/error.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <unistd.h>

namespace asio = boost::asio;
using namespace ddb_test;

namespace {

// Runs a coroutine to completion on a fresh io_context; rethrows its exception.
std::string create_table_body(const std::string& table) {
  return R"({"TableName":")" + table +
         R"(","AttributeDefinitions":[{"AttributeName":"PK","AttributeType":"S"},{"AttributeName":"SK","AttributeType":"S"}],)"
         R"("KeySchema":[{"AttributeName":"PK","KeyType":"HASH"},{"AttributeName":"SK","KeyType":"RANGE"}],)"
         R"("BillingMode":"PAY_PER_REQUEST"})";
}

} // namespace

TEST(Client, RoundTripsSignedRequests) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    ddb::client c(io.get_executor(), local_options());
    std::string table = unique_table("client_rt"), out;
    ddb::error_code ec;
    ddb::diagnostics diag;
    co_await c.invoke("CreateTable", create_table_body(table), out, ec, diag);
    EXPECT_FALSE(ec) << ec.message() << " " << diag.message;
    EXPECT_NE(out.find("\"TableStatus\""), std::string::npos);
    co_await c.wait_until_table_exists(table, test_waiter());

    std::string put = R"({"TableName":")" + table +
                      R"(","Item":{"PK":{"S":"USER#alice"},"SK":{"S":"GROUP#1"},"n":{"N":"12.50"}}})";
    co_await c.invoke("PutItem", put, out, ec, diag);
    EXPECT_FALSE(ec) << diag.message;
    std::string get =
        R"({"TableName":")" + table + R"(","Key":{"PK":{"S":"USER#alice"},"SK":{"S":"GROUP#1"}}})";
    co_await c.invoke("GetItem", get, out, ec, diag);
    EXPECT_FALSE(ec) << diag.message;
    EXPECT_NE(out.find(R"("n":{"N":"12.5)"), std::string::npos) << out;
    EXPECT_EQ(diag.http_status, 200u);
    EXPECT_FALSE(diag.request_id.empty());
    // One connection served all of it: keep-alive works.
    EXPECT_EQ(c.stats().open, 1u);
    EXPECT_EQ(c.stats().idle, 1u);
  });
}

TEST(Client, ServiceErrorsAreTypedWithDiagnostics) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    ddb::client c(io.get_executor(), local_options());
    std::string out;
    ddb::error_code ec;
    ddb::diagnostics diag;
    co_await c.invoke("GetItem", R"({"TableName":"no_such_table","Key":{"PK":{"S":"x"}}})", out, ec, diag);
    EXPECT_EQ(ec, ddb::service_errc::resource_not_found);
    EXPECT_EQ(diag.error_type, "ResourceNotFoundException");
    EXPECT_EQ(diag.http_status, 400u);
    EXPECT_FALSE(diag.message.empty());
    co_await c.invoke("NoSuchOperation", "{}", out, ec, diag);
    EXPECT_TRUE(ec);
    EXPECT_FALSE(ddb::is_retryable(ec, diag.http_status)) << ec.message();
  });
}

TEST(Client, ManyCoroutinesShareABoundedPool) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    auto opts = local_options();
    opts.pool_size = 4;
    ddb::client c(io.get_executor(), opts);
    std::string table = unique_table("client_pool"), out;
    ddb::error_code ec;
    ddb::diagnostics diag;
    co_await c.invoke("CreateTable", create_table_body(table), out, ec, diag);
    EXPECT_FALSE(ec) << ec.to_string() << " " << diag.message;
    // Until the table is ACTIVE, puts fail with ResourceNotFoundException (AWS, dynalite).
    co_await c.wait_until_table_exists(table, test_waiter());
    int done = 0, failed = 0;
    std::size_t max_open = 0, max_waiting = 0;
    constexpr int n = 200;
    for (int i = 0; i < n; ++i) {
      asio::co_spawn(
          io,
          [&, i]() -> asio::awaitable<void> {
            std::string body = R"({"TableName":")" + table + R"(","Item":{"PK":{"S":"P"},"SK":{"S":")" +
                               std::to_string(i) + R"("}}})";
            std::string r;
            ddb::error_code e;
            ddb::diagnostics d;
            co_await c.invoke("PutItem", body, r, e, d);
            max_open = std::max(max_open, c.stats().open);
            max_waiting = std::max(max_waiting, c.stats().waiting);
            if (e)
              ADD_FAILURE() << "put " << i << ": " << e.to_string() << " " << d.error_type << ": "
                            << d.message << " (HTTP " << d.http_status << ", " << d.attempts << " attempts)";
            ++(e ? failed : done);
          },
          asio::detached);
    }
    asio::steady_timer t(io);
    while (done + failed < n) {
      t.expires_after(std::chrono::milliseconds(10));
      co_await t.async_wait(asio::use_awaitable);
    }
    EXPECT_EQ(failed, 0);
    EXPECT_LE(max_open, 4u);
    EXPECT_GT(max_waiting, 0u); // callers did queue for connections
    std::string scan = R"({"TableName":")" + table + R"(","Select":"COUNT"})";
    co_await c.invoke("Scan", scan, out, ec, diag);
    EXPECT_NE(out.find("\"Count\":200"), std::string::npos) << out;
  });
}

TEST(Client, CancellationLeavesThePoolHealthy) {
  using namespace asio::experimental::awaitable_operators;
  run([](asio::io_context& io) -> asio::awaitable<void> {
    auto opts = local_options();
    opts.pool_size = 2;
    ddb::client c(io.get_executor(), opts);
    std::string out;
    ddb::error_code ec;
    ddb::diagnostics diag;
    int cancelled = 0;
    // Cancel requests at every point of their life: waiting for a connection, connecting,
    // writing, reading.
    for (int delay_us : {0, 50, 200, 1000, 3000}) {
      for (int i = 0; i < 4; ++i) {
        asio::steady_timer timer(io, std::chrono::microseconds(delay_us));
        auto result =
            co_await (c.invoke("ListTables", "{}", out, ec, diag) || timer.async_wait(asio::use_awaitable));
        if (result.index() == 1) ++cancelled;
      }
    }
    EXPECT_GT(cancelled, 0);
    EXPECT_EQ(c.stats().waiting, 0u);
    EXPECT_LE(c.stats().open, 2u);
    // The pool still works afterwards.
    for (int i = 0; i < 5; ++i) {
      co_await c.invoke("ListTables", "{}", out, ec, diag);
      EXPECT_FALSE(ec) << ec.message();
    }
  });
}

TEST(Client, UnreachableEndpointFailsWithinTheDeadline) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    auto opts = local_options();
    opts.endpoint = "http://127.0.0.1:1"; // nothing listens there
    opts.operation_timeout = std::chrono::milliseconds(2000);
    ddb::client c(io.get_executor(), opts);
    std::string out;
    ddb::error_code ec;
    ddb::diagnostics diag;
    auto start = std::chrono::steady_clock::now();
    co_await c.invoke("ListTables", "{}", out, ec, diag);
    EXPECT_EQ(ec, asio::error::connection_refused);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
    EXPECT_EQ(c.stats().open, 0u);
  });
}

TEST(Client, BadEndpointsAreRejectedUpFront) {
  asio::io_context io;
  auto opts = local_options();
  for (auto url : {"ftp://x", "http://", "http://host/path", "localhost:8000"}) {
    opts.endpoint = url;
    EXPECT_THROW(ddb::client(io.get_executor(), opts), ddb::error) << url;
  }
}
