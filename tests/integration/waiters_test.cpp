// Waiters and ensure_table against the fixture's server: DynamoDB Local (tables ACTIVE at once)
// or dynalite (DDB_TEST_SERVER=dynalite: CREATING and DELETING for 500 ms, as AWS does).
#include "ddblocal_env.hpp"

#include <ddb/table/ensure_table.hpp>
#include <ddb/table/table.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace asio = boost::asio;
using namespace ddb_test;
using namespace ddb;
using namespace std::chrono_literals;
namespace dt = ddb::table;

namespace {

using Ensured = dt::named_entity<"Ensured">;

std::string describe(const error_code& ec, const diagnostics& d) {
  return ec.to_string() + " " + d.error_type + ": " + d.message + " (HTTP " + std::to_string(d.http_status) +
         ")";
}

} // namespace

TEST(Waiters, CreateThenExistsDeleteThenNotExists) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    std::string t = unique_table("wait_life");
    auto create = dt::make_create_table_request(t, dt::table_schema().inverse_index());
    table_description created = co_await c.create_table(create);
    // dynalite, like AWS, answers CREATING; DynamoDB Local ACTIVE.
    std::string expected = on_dynalite() ? "CREATING" : "ACTIVE";
    EXPECT_EQ(created.table_status, expected) << test_server();

    table_description d = co_await c.wait_until_table_exists(t, test_waiter());
    EXPECT_EQ(d.table_name, t);
    EXPECT_EQ(d.table_status, "ACTIVE");
    CO_ASSERT_EQ(d.global_secondary_indexes.size(), 1u);
    EXPECT_EQ(d.global_secondary_indexes[0].index_status, "ACTIVE");
    auto put = put_item_request(t, item{{"PK", "a"}, {"SK", "b"}});
    co_await c.put_item(put); // the table takes writes now

    auto del = delete_table_request(t);
    co_await c.delete_table(del);
    co_await c.wait_until_table_not_exists(t, test_waiter());
    error_code ec;
    diagnostics diag;
    auto again = describe_table_request(t);
    co_await c.execute(again, ec, diag);
    EXPECT_EQ(ec, service_errc::resource_not_found) << describe(ec, diag);
  });
}

TEST(Waiters, DeadlineNamesTableAndLastStatus) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    std::string t = unique_table("wait_never");
    auto o = waiter_options().min_delay(50ms).max_delay(100ms).max_wait(400ms);
    error_code ec;
    diagnostics diag;
    auto start = std::chrono::steady_clock::now();
    co_await c.wait_until_table_exists(t, o, ec, diag);
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(ec, client_errc::wait_timeout) << describe(ec, diag);
    EXPECT_NE(diag.message.find("'" + t + "'"), std::string::npos) << diag.message;
    EXPECT_NE(diag.message.find("last status: not found"), std::string::npos) << diag.message;
    EXPECT_GE(diag.attempts, 2u) << diag.message;
    EXPECT_LT(took, 5s);

    // The throwing form throws ddb::error with that code.
    bool threw = false;
    try {
      co_await c.wait_until_table_exists(t, o);
    } catch (const ddb::error& e) {
      threw = true;
      EXPECT_EQ(e.code(), client_errc::wait_timeout) << e.what();
    }
    EXPECT_TRUE(threw);

    // An existing table is never "not exists".
    auto create = dt::make_create_table_request(t, dt::table_schema());
    co_await ddb_test::create_table(c, create);
    co_await c.wait_until_table_not_exists(t, o, ec, diag);
    EXPECT_EQ(ec, client_errc::wait_timeout) << describe(ec, diag);
    EXPECT_NE(diag.message.find("last status: ACTIVE"), std::string::npos) << diag.message;
  });
}

TEST(Waiters, CancelledByTheAwaitingCoroutine) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    using namespace asio::experimental::awaitable_operators;
    client c(io.get_executor(), local_options());
    std::string t = unique_table("wait_cancel");
    auto o = waiter_options(); // the SDKs' 20 s delays: only cancellation ends this soon
    asio::steady_timer timer(io, 200ms);
    auto start = std::chrono::steady_clock::now();
    auto wait = c.wait_until_table_exists(t, o);
    auto timeout = timer.async_wait(asio::use_awaitable);
    bool threw = false;
    try {
      auto r = co_await (std::move(wait) || std::move(timeout));
      EXPECT_EQ(r.index(), 1u) << "the waiter should still be waiting";
    } catch (const boost::system::system_error& e) {
      threw = true;
      ADD_FAILURE() << "the timer lost: " << e.code().to_string();
    }
    EXPECT_FALSE(threw);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);

    // The async_* form with a callback, cancelled through its slot while it sleeps.
    asio::cancellation_signal sig;
    error_code got;
    bool done = false;
    auto handler = [&](error_code ec, table_description) {
      got = ec;
      done = true;
    };
    c.async_wait_until_table_exists(t, o, asio::bind_cancellation_slot(sig.slot(), handler));
    asio::steady_timer later(io, 300ms);
    co_await later.async_wait(asio::use_awaitable);
    EXPECT_FALSE(done) << got.to_string();
    sig.emit(asio::cancellation_type::terminal);
    later.expires_after(300ms);
    co_await later.async_wait(asio::use_awaitable);
    EXPECT_TRUE(done);
    EXPECT_EQ(got, asio::error::operation_aborted) << got.to_string();
  });
}

TEST(Waiters, BadOptionsAreRefusedBeforeSending) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    error_code ec;
    diagnostics diag;
    co_await c.wait_until_table_exists("any_table", waiter_options().min_delay(0ms), ec, diag);
    EXPECT_EQ(ec, client_errc::invalid_argument) << describe(ec, diag);
    EXPECT_EQ(diag.attempts, 0u);
  });
}

TEST(EnsureTable, CreatesWaitsAndIsIdempotent) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    std::string name = unique_table("ensure_new");
    auto schema = dt::table_schema().inverse_index().gsi1();
    table_description d = co_await dt::ensure_table(c, name, schema, test_waiter());
    EXPECT_EQ(d.table_status, "ACTIVE");
    EXPECT_EQ(d.global_secondary_indexes.size(), 2u);
    for (auto& i : d.global_secondary_indexes) EXPECT_EQ(i.index_status, "ACTIVE") << i.index_name;
    EXPECT_TRUE(dt::schema_differences(d, schema).empty()) << dt::schema_differences(d, schema);

    // At once usable through the table layer.
    dt::table t(c, name, schema);
    dt::partition_key<Ensured> pk("a");
    dt::sort_key<Ensured> sk("1");
    item attrs{{"v", 1}};
    co_await t.put(pk, sk, attrs);
    auto back = co_await t.get(pk, sk);
    EXPECT_TRUE(back.has_value());

    // Again: nothing to create, the same table, its item still there.
    table_description again = co_await dt::ensure_table(t, test_waiter());
    EXPECT_EQ(again.table_arn, d.table_arn);
    EXPECT_TRUE((co_await t.get(pk, sk)).has_value());

    // The async form, as a tuple.
    auto op = dt::async_ensure_table(c, name, schema, test_waiter(), asio::as_tuple(asio::use_awaitable));
    std::tuple<error_code, table_description> third = co_await std::move(op);
    EXPECT_FALSE(std::get<0>(third)) << std::get<0>(third).to_string();
    EXPECT_EQ(std::get<1>(third).table_name, name);
  });
}

TEST(EnsureTable, ReportsAnotherKeySchema) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    std::string name = unique_table("ensure_other");
    auto create =
        create_table_request(name, key_schema("id")).attribute("id", value_type::number).pay_per_request();
    co_await ddb_test::create_table(c, create);
    error_code ec;
    diagnostics diag;
    co_await dt::ensure_table(c, name, dt::table_schema().inverse_index(), test_waiter(), ec, diag);
    EXPECT_EQ(ec, client_errc::table_schema_mismatch) << describe(ec, diag);
    EXPECT_NE(diag.message.find("key schema is HASH id, expected HASH PK, RANGE SK"), std::string::npos)
        << diag.message;
    EXPECT_NE(diag.message.find("GSI GSI_1 is missing"), std::string::npos) << diag.message;

    // The layer's keys but not its index.
    std::string plain = unique_table("ensure_nogsi");
    auto no_gsi = dt::make_create_table_request(plain, dt::table_schema());
    co_await ddb_test::create_table(c, no_gsi);
    bool threw = false;
    try {
      co_await dt::ensure_table(c, plain, dt::table_schema().inverse_index(), test_waiter());
    } catch (const ddb::error& e) {
      threw = true;
      EXPECT_EQ(e.code(), client_errc::table_schema_mismatch) << e.what();
      EXPECT_NE(std::string(e.what()).find("GSI GSI_1 is missing (expected HASH SK, RANGE PK)"),
                std::string::npos)
          << e.what();
    }
    EXPECT_TRUE(threw);
  });
}
