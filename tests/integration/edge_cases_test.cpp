// What a production client must get exactly right: exact round trips of unicode, binary and
// 38-digit numbers, items near the 400 KB limit, and a server that goes away mid-run.
#include "ddblocal_env.hpp"

#include <ddb/client.hpp>
#include <ddb/error.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <cstdlib>
#include <filesystem>

namespace asio = boost::asio;
using namespace ddb_test;
using namespace ddb;

namespace {

asio::awaitable<std::string> make_table(client& c, const std::string& base) {
  std::string name = unique_table(base);
  auto req = create_table_request(name, key_schema("PK", "SK"))
                 .attribute("PK", value_type::string)
                 .attribute("SK", value_type::string)
                 .pay_per_request();
  co_await ddb_test::create_table(c, req);
  co_return name;
}

} // namespace

TEST(EdgeCases, UnicodeBinaryAndNumbersRoundTripExactly) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    std::string t = co_await make_table(c, "edge_exact");
    std::string all_bytes;
    for (int b = 0; b < 256; ++b) all_bytes.push_back(static_cast<char>(b));
    item it{
        {"PK", "USER#æøå-日本語-🙂"},
        {"SK", "quote\" backslash\\ tab\t newline\n nul-free \x01"},
        {"big", number("12345678901234567890123456789012345678")},
        {"neg", number("-0.00000000000000000000000000000000000012345678901234567890123456789012345678")},
        {"tiny", number("1e-130")},
        {"huge", number("9.9999999999999999999999999999999999999E+125")},
        {"bin", to_bytes(all_bytes)},
        {"bins", binary_set{to_bytes(std::string_view("\0", 1)), to_bytes("\xff\xfe")}},
        {"nums", number_set{number("1.5"), number("-2"), number("99999999999999999999999999999999999999")}},
        {"nested", item{{"l", list{null, true, number("0.1"), string_set{"𝄞", "x"}}}}}};
    co_await c.put_item(put_item_request(t, it));
    item key{{"PK", it.at("PK")}, {"SK", it.at("SK")}};
    auto got = co_await c.get_item(get_item_request(t, key).consistent_read());
    CO_ASSERT_TRUE(got.item.has_value());
    EXPECT_EQ(*got.item, it);
    // Number text: DynamoDB normalizes, but every digit survives.
    EXPECT_EQ(got.item->at("big").as_number().text(), "12345678901234567890123456789012345678");
    EXPECT_EQ(got.item->at("bin").as_binary(), to_bytes(all_bytes));
    // The same through a Query page (flat views, no owning copies).
    auto q = query_request(t).key_condition("PK = :pk").value(":pk", it.at("PK"));
    page p = co_await c.query(q);
    CO_ASSERT_EQ(p.size(), 1u);
    EXPECT_EQ(p[0].to_item(), it);
  });
}

TEST(EdgeCases, ItemsNearTheSizeLimit) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    std::string t = co_await make_table(c, "edge_size");
    // 400 KB counts attribute names and values; leave room for the keys and names.
    item big{{"PK", "BIG"}, {"SK", "1"}, {"blob", std::string(399 * 1024, 'x')}};
    co_await c.put_item(put_item_request(t, big));
    item key{{"PK", "BIG"}, {"SK", "1"}};
    auto got = co_await c.get_item(get_item_request(t, key));
    CO_ASSERT_TRUE(got.item.has_value());
    EXPECT_EQ(got.item->at("blob").as_string().size(), 399u * 1024u);

    item too_big{{"PK", "BIG"}, {"SK", "2"}, {"blob", std::string(401 * 1024, 'x')}};
    error_code ec;
    diagnostics diag;
    co_await c.execute(put_item_request(t, too_big), ec, diag);
    EXPECT_EQ(ec, service_errc::validation) << diag.message;
    EXPECT_FALSE(is_retryable(ec, diag.http_status));
  });
}

// A DynamoDB Local of the test's own, stopped while the client holds a keep-alive connection.
TEST(EdgeCases, ServerGoesAwayMidRun) {
  std::string jar_dir = read_state("DDB_LOCAL_STATE", "jar_dir");
  auto state = std::filesystem::temp_directory_path() / ("ddb_gone_" + std::to_string(::getpid()));
  std::string script = DDB_LOCAL_SCRIPT;
  auto start = "'" + script + "' start '" + state.string() + "' '" + jar_dir + "' > /dev/null";
  auto stop = "'" + script + "' stop '" + state.string() + "'";
  ASSERT_EQ(std::system(start.c_str()), 0);
  std::string port;
  {
    std::ifstream in(state / "port");
    in >> port;
  }
  run([&](asio::io_context& io) -> asio::awaitable<void> {
    auto opts = local_options();
    opts.endpoint = "http://127.0.0.1:" + port;
    // Room for a freshly started, cold DynamoDB Local on a loaded machine (3 s timed out once
    // in CI); the refused requests at the end fail fast anyway.
    opts.operation_timeout = std::chrono::milliseconds(15000);
    client c(io.get_executor(), opts);
    std::string t = co_await make_table(c, "edge_gone");
    item it{{"PK", "a"}, {"SK", "b"}};
    co_await c.put_item(put_item_request(t, it)); // a keep-alive connection is now open

    EXPECT_EQ(std::system(stop.c_str()), 0); // the server goes away
    error_code ec;
    diagnostics diag;
    co_await c.execute(put_item_request(t, it), ec, diag);
    EXPECT_TRUE(ec);
    // A typed transport error, retried until the deadline, never a hang or a crash.
    EXPECT_TRUE(ec == asio::error::connection_refused || ec == client_errc::connection_lost ||
                ec == asio::error::connection_reset)
        << ec.message();
    EXPECT_EQ(diag.http_status, 0u);
    EXPECT_EQ(c.stats().waiting, 0u);
    EXPECT_EQ(c.stats().open, 0u);
  });
  std::system(stop.c_str());
  std::filesystem::remove_all(state);
}
