// Bad input is rejected before anything is sent (docs/bad-input.md): a client whose endpoint is a
// loopback port where nothing listens gets the validation code for each bad request, never a
// connection error, while a good request (the control) does get the connection error.
#include "ddblocal_env.hpp"

#include <ddb/client.hpp>
#include <ddb/error.hpp>
#include <ddb/requests.hpp>
#include <ddb/table/batch.hpp>
#include <ddb/table/table.hpp>
#include <ddb/table/transact.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>

#include <string>
#include <vector>

namespace asio = boost::asio;
namespace dt = ddb::table;
using namespace ddb;

namespace {

using User = dt::named_entity<"User">;
using Group = dt::named_entity<"Group">;

/// A loopback port nothing listens on: bound by the OS, then released.
unsigned short free_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor a(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  auto port = a.local_endpoint().port();
  a.close();
  return port;
}

client_options nowhere_options() {
  client_options o;
  o.endpoint = "http://127.0.0.1:" + std::to_string(free_port());
  o.region = "us-east-1";
  o.credentials = make_static_credentials_provider({"AKIDLOCAL", "secret", "", std::nullopt});
  o.retry.max_attempts = 1;
  o.connect_timeout = std::chrono::milliseconds(2000);
  return o;
}

/// True when `ec` comes from the transport (Asio, or ddb's timeout/connection codes), not from
/// validation.
bool transport_error(const error_code& ec) {
  return ec && ec != client_errc::invalid_argument && ec != client_errc::invalid_utf8 &&
         ec != client_errc::empty_set && ec.category() != service_category();
}

item pk(value v) { return item{{"PK", std::move(v)}}; }

} // namespace

TEST(BadInputSent, RequestLayerRejectsBeforeSending) {
  ddb_test::run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), nowhere_options());
    error_code ec;
    diagnostics diag;

    // The control: a good request reaches the transport and fails there.
    auto good = get_item_request("orders", pk("a"));
    co_await c.execute(good, ec, diag);
    CO_ASSERT_TRUE(transport_error(ec));
    EXPECT_EQ(diag.http_status, 0u);

    auto expect_rejected = [&](const error_code& want, const char* what) {
      EXPECT_EQ(ec, want) << what << ": " << ec.message();
      EXPECT_FALSE(transport_error(ec)) << what;
      EXPECT_EQ(diag.http_status, 0u) << what;
      EXPECT_NE(diag.message.find("invalid request"), std::string::npos) << what << ": " << diag.message;
    };

    auto empty_key = get_item_request("orders", pk(""));
    co_await c.execute(empty_key, ec, diag);
    expect_rejected(client_errc::invalid_argument, "empty key value");

    auto long_key = delete_item_request("orders", pk(std::string(2049, 'k')));
    co_await c.execute(long_key, ec, diag);
    expect_rejected(client_errc::invalid_argument, "key over 2048 bytes");

    auto unbound = update_item_request("orders", pk("a")).update("SET n = :n");
    co_await c.execute(unbound, ec, diag);
    expect_rejected(client_errc::invalid_argument, "unbound :value");

    auto unused = update_item_request("orders", pk("a")).update("SET n = :n").value(":n", 1).value(":x", 2);
    co_await c.execute(unused, ec, diag);
    expect_rejected(client_errc::invalid_argument, "unused :value");

    auto dup_get = batch_get_request().key("orders", pk("a")).key("orders", pk("a"));
    co_await c.execute(dup_get, ec, diag);
    expect_rejected(client_errc::invalid_argument, "duplicate BatchGetItem key");

    auto one_item = transact_write_request()
                        .add(transact_delete("orders", pk("a")))
                        .add(transact_condition_check("orders", pk("a"), "attribute_exists(PK)"));
    co_await c.execute(one_item, ec, diag);
    expect_rejected(client_errc::invalid_argument, "two actions on one item");

    auto empty = put_item_request("orders", item{{"PK", "a"}, {"tags", string_set{}}});
    co_await c.execute(empty, ec, diag);
    expect_rejected(client_errc::empty_set, "empty SS");

    auto utf8 = put_item_request("orders", item{{"PK", "a"}, {"n\xff", 1}});
    co_await c.execute(utf8, ec, diag);
    expect_rejected(client_errc::invalid_utf8, "invalid UTF-8 name");

    auto limit = scan_request("orders").limit(0);
    co_await c.execute(limit, ec, diag);
    expect_rejected(client_errc::invalid_argument, "Limit 0");

    auto long_table = scan_request(std::string(256, 't'));
    co_await c.execute(long_table, ec, diag);
    expect_rejected(client_errc::invalid_argument, "table name over 255");

    EXPECT_EQ(c.stats().open, 0u); // no connection was ever opened
  });
}

TEST(BadInputSent, TableLayerRejectsBeforeSending) {
  ddb_test::run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), nowhere_options());
    dt::table t(c, "bad_input_table", dt::table_schema().inverse_index());
    dt::partition_key<User> alice("alice");
    dt::sort_key<Group> g1("1");
    error_code ec;
    diagnostics diag;

    // The control.
    dt::get_options plain;
    auto got = co_await t.get(alice, g1, plain, ec, diag);
    EXPECT_FALSE(got);
    CO_ASSERT_TRUE(transport_error(ec));

    auto expect_rejected = [&](const error_code& want, const char* what) {
      EXPECT_EQ(ec, want) << what << ": " << ec.message();
      EXPECT_EQ(diag.http_status, 0u) << what;
      EXPECT_FALSE(diag.message.empty()) << what;
    };

    item big{{"blob", std::string(401 * 1024, 'x')}};
    co_await t.put(alice, g1, big, true, ec, diag);
    expect_rejected(client_errc::invalid_argument, "item over 400 KB");

    item has_key{{"SK", "GROUP#2"}};
    co_await t.insert(alice, g1, has_key, ec, diag);
    expect_rejected(client_errc::invalid_argument, "attributes hold a key attribute");

    auto twice = dt::update().set("n", 1).remove("n");
    co_await t.update(alice, g1, twice, ec, diag);
    expect_rejected(client_errc::invalid_expression, "an attribute in two update clauses");

    auto nothing = dt::update();
    co_await t.update(alice, g1, nothing, ec, diag);
    expect_rejected(client_errc::invalid_argument, "an empty update");

    auto empty_set = dt::update().add("tags", string_set{});
    co_await t.update(alice, g1, empty_set, ec, diag);
    expect_rejected(client_errc::empty_set, "ADD of an empty set");

    auto opts = dt::query_options().page_size(-1);
    dt::prefix_sort_key<Group> groups;
    auto stream = t.query_prefix(alice, groups, opts);
    auto first = co_await stream.next(ec, diag);
    EXPECT_FALSE(first);
    expect_rejected(client_errc::invalid_argument, "negative page size");

    // Batches and transactions throw ddb::error.
    auto thrown = [](const std::exception_ptr& p) -> error_code {
      try {
        if (p) std::rethrow_exception(p);
      } catch (const ddb::error& e) {
        EXPECT_EQ(e.diag().http_status, 0u);
        return e.code();
      }
      return {};
    };
    std::exception_ptr caught;
    std::vector<dt::item_key> keys{dt::item_key(alice, g1)};
    try {
      co_await dt::batch_get(c, "ab", keys); // table name under 3 characters
    } catch (...) {
      caught = std::current_exception();
    }
    EXPECT_EQ(thrown(caught), client_errc::invalid_argument);

    caught = nullptr;
    auto tx = dt::transaction().add(dt::delete_arg(alice, g1));
    auto long_token = dt::transact_options().client_request_token(std::string(37, 't'));
    try {
      co_await dt::transact_write(c, "bad_input_table", tx, long_token);
    } catch (...) {
      caught = std::current_exception();
    }
    EXPECT_EQ(thrown(caught), client_errc::invalid_argument);

    caught = nullptr;
    std::vector<dt::item_key> bad_keys{dt::item_key::stored("USER#alice", "")};
    try {
      co_await dt::batch_get(c, "bad_input_table", bad_keys);
    } catch (...) {
      caught = std::current_exception();
    }
    EXPECT_EQ(thrown(caught), client_errc::invalid_argument);

    caught = nullptr;
    std::vector<dt::item_key> many;
    for (int i = 0; i < 101; ++i) many.emplace_back(alice, dt::sort_key<Group>(std::to_string(i)));
    try {
      co_await dt::transact_get(c, "bad_input_table", many);
    } catch (...) {
      caught = std::current_exception();
    }
    EXPECT_EQ(thrown(caught), client_errc::invalid_argument);

    EXPECT_EQ(c.stats().open, 0u);
  });
}
