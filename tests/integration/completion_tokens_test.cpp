// The async_* forms with Asio completion tokens against DynamoDB Local: plain callbacks,
// use_future from another thread, deferred (lazy until launched), as_tuple(use_awaitable) with
// typed errors and diagnostics, pagers and item streams, and per-operation cancellation through
// a bound cancellation slot (Boost 1.81 has no cancel_after) against a server that never answers.
#include "ddblocal_env.hpp"

#include <ddb/client.hpp>
#include <ddb/table/batch.hpp>
#include <ddb/table/table.hpp>
#include <ddb/table/transact.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <functional>
#include <future>
#include <thread>

namespace asio = boost::asio;
namespace dt = ddb::table;
using namespace ddb_test;
using namespace ddb;
using namespace std::chrono_literals;

// TSan false positive: use_future hands the operation's exception to the waiting thread through a
// std::exception_ptr, whose reference count lives in libstdc++ (not instrumented), so TSan sees the
// io thread free the exception while the main thread reads it, without the atomic that orders them.
extern "C" const char* __tsan_default_suppressions();
extern "C" const char* __tsan_default_suppressions() {
  return "race:std::__exception_ptr::exception_ptr::_M_release\n";
}

namespace {

using Thing = dt::named_entity<"Thing">;
using User = dt::named_entity<"User">;
using Group = dt::named_entity<"Group">;

std::string explain(const error_code& ec, const diagnostics& d) {
  return ec.to_string() + " [" + d.error_type + ": " + d.message + "] attempts " + std::to_string(d.attempts);
}

// A PK/SK table (with the inverse index when `schema` has it), made with callbacks only.
std::string make_table_with_callbacks(asio::io_context& io, client& c, const std::string& base,
                                      const dt::table_schema& schema = dt::table_schema()) {
  std::string name = unique_table(base);
  auto req = dt::make_create_table_request(name, schema);
  bool done = false;
  c.async_create_table(std::move(req), [&](error_code ec, table_description d) {
    EXPECT_FALSE(ec) << ec.to_string();
    EXPECT_EQ(d.table_name, name);
    done = true;
  });
  io.run();
  io.restart();
  EXPECT_TRUE(done);
  done = false; // and waited for with a callback too
  c.async_wait_until_table_exists(name, test_waiter(), [&](error_code ec, table_description d) {
    EXPECT_FALSE(ec) << ec.to_string();
    EXPECT_EQ(d.table_status, "ACTIVE");
    done = true;
  });
  io.run();
  io.restart();
  EXPECT_TRUE(done);
  return name;
}

item key(std::string pk, std::string sk) { return item{{"PK", std::move(pk)}, {"SK", std::move(sk)}}; }

} // namespace

// Callbacks, chained: each handler starts the next operation; no coroutine of the caller's.
TEST(CompletionTokens, Callbacks) {
  asio::io_context io;
  client c(io.get_executor(), local_options());
  const std::string t = make_table_with_callbacks(io, c, "tokens_cb");
  std::string seen;
  bool finished = false;
  std::thread::id handler_thread;
  c.async_put_item(
      put_item_request(t, item{{"PK", "a"}, {"SK", "1"}, {"n", 7}}), [&](error_code ec, put_item_response) {
        ASSERT_FALSE(ec) << ec.to_string();
        c.async_get_item(get_item_request(t, key("a", "1")), [&](error_code ec, get_item_response r) {
          ASSERT_FALSE(ec) << ec.to_string();
          ASSERT_TRUE(r.item);
          seen = r.item->at("n").as_number().str();
          handler_thread = std::this_thread::get_id();
          c.async_delete_table(delete_table_request(t), [&](error_code ec, table_description) {
            EXPECT_FALSE(ec) << ec.to_string();
            finished = true;
          });
        });
      });
  EXPECT_EQ(seen, "") << "a handler ran inside its initiating call";
  io.run();
  EXPECT_EQ(seen, "7");
  EXPECT_EQ(handler_thread, std::this_thread::get_id()); // the client's executor, run here
  EXPECT_TRUE(finished);
}

// use_future from a thread that does not run the io_context: the operation runs on the client's
// executor, the future gets the response, and a service error arrives as a system_error.
TEST(CompletionTokens, UseFutureFromAnotherThread) {
  asio::io_context io;
  client c(io.get_executor(), local_options());
  const std::string t = make_table_with_callbacks(io, c, "tokens_future");
  auto work = asio::make_work_guard(io);
  std::thread runner([&] { io.run(); });

  auto put = c.async_put_item(put_item_request(t, item{{"PK", "f"}, {"SK", "1"}, {"s", "future"}}),
                              asio::use_future);
  put.get();
  get_item_response got = c.async_get_item(get_item_request(t, key("f", "1")), asio::use_future).get();
  ASSERT_TRUE(got.item);
  EXPECT_EQ(got.item->at("s").as_string(), "future");

  auto missing = c.async_get_item(get_item_request(t + "_missing", key("f", "1")), asio::use_future);
  try {
    missing.get();
    ADD_FAILURE() << "GetItem on a missing table succeeded";
  } catch (const boost::system::system_error& e) {
    EXPECT_EQ(e.code(), service_errc::resource_not_found) << e.code().to_string();
  }
  c.async_delete_table(delete_table_request(t), asio::use_future).get();
  work.reset();
  runner.join();
}

// deferred (the default token): nothing is sent until the operation is launched, and a
// deferred operation can be awaited like any other.
TEST(CompletionTokens, DeferredIsLazyUntilLaunched) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    std::string t = unique_table("tokens_deferred");
    auto create = create_table_request(t, key_schema("PK", "SK"))
                      .attribute("PK", value_type::string)
                      .attribute("SK", value_type::string)
                      .pay_per_request();
    co_await c.async_create_table(std::move(create)); // deferred, awaited: throws on error
    co_await c.async_wait_until_table_exists(t, test_waiter());

    auto put = c.async_put_item(put_item_request(t, item{{"PK", "d"}, {"SK", "1"}}));
    auto before = co_await c.async_get_item(get_item_request(t, key("d", "1")), asio::use_awaitable);
    EXPECT_FALSE(before.item) << "the deferred PutItem ran before it was launched";
    auto [ec, r] = co_await std::move(put)(asio::as_tuple(asio::use_awaitable));
    EXPECT_FALSE(ec) << ec.to_string();
    auto after = co_await c.async_get_item(get_item_request(t, key("d", "1")));
    EXPECT_TRUE(after.item);
    co_await c.async_delete_table(delete_table_request(t));
  });
}

// as_tuple(use_awaitable): errors as values, typed, with the diagnostics of the overload that
// takes them; bad input is refused before sending (zero attempts).
TEST(CompletionTokens, AsTupleGivesTypedErrorsAndDiagnostics) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    diagnostics diag;
    auto [ec, r] = co_await c.async_get_item(get_item_request(unique_table("tokens_none"), key("x", "1")),
                                             diag, asio::as_tuple(asio::use_awaitable));
    EXPECT_EQ(ec, service_errc::resource_not_found) << explain(ec, diag);
    EXPECT_FALSE(r.item);
    EXPECT_EQ(diag.http_status, 400u) << explain(ec, diag);
    EXPECT_FALSE(diag.request_id.empty()) << explain(ec, diag);
    EXPECT_EQ(diag.attempts, 1u);

    diagnostics bad_diag;
    auto [bad, _] = co_await c.async_execute(get_item_request("", key("x", "1")), bad_diag,
                                             asio::as_tuple(asio::use_awaitable));
    EXPECT_EQ(bad, client_errc::invalid_argument) << explain(bad, bad_diag);
    EXPECT_EQ(bad_diag.attempts, 0u);

    auto [lec, tables] =
        co_await c.async_list_tables(list_tables_request(), asio::as_tuple(asio::use_awaitable));
    EXPECT_FALSE(lec) << lec.to_string();
  });
}

// Pages and item streams with callbacks: async_next until the end.
TEST(CompletionTokens, PagersAndItemStreams) {
  asio::io_context io;
  client c(io.get_executor(), local_options());
  const std::string t = make_table_with_callbacks(io, c, "tokens_pages");
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        for (int i = 0; i < 7; ++i) {
          auto put =
              put_item_request(t, item{{"PK", "THING#p"}, {"SK", "THING#" + std::to_string(i)}, {"i", i}});
          co_await c.put_item(put);
        }
      },
      asio::use_future);
  io.run();
  io.restart();

  auto pages = c.query_pages(query_request(t).key_condition("PK = :pk").value(":pk", "THING#p").limit(3),
                             pager_options());
  int page_count = 0, items = 0;
  std::function<void(error_code, const page*)> on_page = [&](error_code ec, const page* p) {
    ASSERT_FALSE(ec) << ec.to_string();
    if (!p) return;
    ++page_count;
    items += static_cast<int>(p->size());
    pages.async_next(on_page);
  };
  pages.async_next(on_page);
  io.run();
  io.restart();
  EXPECT_EQ(items, 7);
  EXPECT_GE(page_count, 3);

  dt::table tbl(c, t, dt::table_schema());
  auto stream = tbl.query_prefix(dt::partition_key<Thing>("p"), dt::prefix_sort_key<Thing>(),
                                 dt::query_options().page_size(2));
  int streamed = 0;
  std::function<void(error_code, std::optional<item>)> on_item = [&](error_code ec, std::optional<item> it) {
    ASSERT_FALSE(ec) << ec.to_string();
    if (!it) return;
    EXPECT_EQ(it->at("i").as_number().to<int>(), streamed);
    ++streamed;
    stream.async_next(on_item);
  };
  stream.async_next(on_item);
  io.run();
  io.restart();
  EXPECT_EQ(streamed, 7);
  EXPECT_EQ(stream.count(), 7u);

  c.async_delete_table(delete_table_request(t),
                       [](error_code ec, table_description) { EXPECT_FALSE(ec) << ec.to_string(); });
  io.run();
}

// A cancellation signal bound to a callback: a request to a server that accepts and never
// answers completes with operation_aborted when the signal fires, long before its timeout,
// and the client goes on working.
TEST(CompletionTokens, BoundCancellationSlotAbortsTheOperation) {
  asio::io_context io;
  asio::ip::tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});
  asio::ip::tcp::socket held(io);
  silent.async_accept(held, [](error_code) {});
  auto o = local_options();
  o.endpoint = "http://127.0.0.1:" + std::to_string(silent.local_endpoint().port());
  o.request_timeout = 20s;
  o.operation_timeout = 30s;
  client c(io.get_executor(), o);

  asio::cancellation_signal cancel;
  error_code got;
  bool completed = false;
  diagnostics diag;
  const auto start = std::chrono::steady_clock::now();
  c.async_get_item(get_item_request("silent_table", key("a", "1")), diag,
                   asio::bind_cancellation_slot(cancel.slot(), [&](error_code ec, get_item_response) {
                     got = ec;
                     completed = true;
                   }));
  asio::steady_timer fire(io, 200ms);
  fire.async_wait([&](error_code) { cancel.emit(asio::cancellation_type::terminal); });
  io.run_for(5s);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(completed) << "not completed 5 s after a cancellation at 200 ms";
  EXPECT_EQ(got, asio::error::operation_aborted) << explain(got, diag);
  EXPECT_LT(took, 3s);
  EXPECT_EQ(c.stats().open, 0u) << "the connection with a request in flight was kept";
}

// The table layer with callbacks, chained: insert, a second insert that fails typed (with
// diagnostics), get, update, query, remove, get again.
TEST(CompletionTokens, TableOperationsWithCallbacks) {
  asio::io_context io;
  client c(io.get_executor(), local_options());
  auto schema = dt::table_schema().inverse_index();
  const std::string name = make_table_with_callbacks(io, c, "tokens_table", schema);
  dt::table t(c, name, schema);
  const dt::partition_key<User> alice("alice");
  const dt::sort_key<Group> g1("1");
  diagnostics diag;
  std::vector<std::string> steps;
  auto step = [&](std::string what, error_code ec) {
    steps.push_back(what + (ec ? ":" + ec.to_string() : ""));
    return !ec;
  };
  t.async_insert(alice, g1, item{{"n", 1}}, [&](error_code ec) {
    if (!step("insert", ec)) return;
    t.async_insert(alice, g1, item{{"n", 9}}, diag, [&](error_code ec) {
      EXPECT_EQ(ec, service_errc::conditional_check_failed) << explain(ec, diag);
      EXPECT_EQ(diag.http_status, 400) << explain(ec, diag);
      EXPECT_FALSE(diag.request_id.empty());
      step("insert again", {});
      t.async_get(alice, g1, {}, [&](error_code ec, std::optional<item> it) {
        if (!step("get", ec)) return;
        EXPECT_TRUE(it && it->at("n").as_number().to<int>() == 1);
        auto u = dt::update().add("n", 1).return_new();
        t.async_update(alice, g1, std::move(u), [&](error_code ec, std::optional<item> after) {
          if (!step("update", ec)) return;
          EXPECT_TRUE(after && after->at("n").as_number().to<int>() == 2);
          t.async_query(alice, dt::begins_with(dt::prefix_sort_key<Group>()), {},
                        [&](error_code ec, std::vector<item> found) {
                          if (!step("query", ec)) return;
                          EXPECT_EQ(found.size(), 1u);
                          t.async_remove(alice, g1, [&](error_code ec) {
                            if (!step("remove", ec)) return;
                            t.async_get(alice, g1, {}, [&](error_code ec, std::optional<item> it) {
                              step(it ? "get: still there" : "gone", ec);
                            });
                          });
                        });
        });
      });
    });
  });
  io.run();
  io.restart();
  const std::vector<std::string> want = {"insert", "insert again", "get", "update",
                                         "query",  "remove",       "gone"};
  EXPECT_EQ(steps, want);

  c.async_delete_table(delete_table_request(name),
                       [](error_code ec, table_description) { EXPECT_FALSE(ec) << ec.to_string(); });
  io.run();
}

// Batches and transactions with use_future from the test's thread while another thread runs the
// client; a deferred put is not sent until launched; a canceled transaction completes with
// transaction_canceled and its reasons in the diagnostics.
TEST(CompletionTokens, BatchesTransactionsAndDeferredTableOperations) {
  DDB_SKIP_ON_DYNALITE("transactions (TransactWriteItems, TransactGetItems)");
  asio::io_context io;
  client c(io.get_executor(), local_options());
  auto schema = dt::table_schema().inverse_index();
  const std::string name = make_table_with_callbacks(io, c, "tokens_batch", schema);
  io.restart();
  auto work = asio::make_work_guard(io);
  std::thread runner([&] { io.run(); });
  dt::table t(c, name, schema);

  using key = std::pair<dt::partition_key<User>, dt::sort_key<Group>>;
  std::vector<std::pair<key, item>> puts;
  std::vector<key> keys;
  for (int i = 0; i < 30; ++i) {
    key k{dt::partition_key<User>("u" + std::to_string(i)), dt::sort_key<Group>("g")};
    puts.emplace_back(k, item{{"i", i}});
    keys.push_back(k);
  }
  auto written =
      dt::async_batch_write(c, name, puts, std::vector<key>(), schema, dt::batch_options(), asio::use_future)
          .get();
  EXPECT_TRUE(written.complete());
  auto got = dt::async_batch_get(c, name, keys, schema, dt::batch_options(), asio::use_future).get();
  EXPECT_EQ(got.found(), 30u);
  ASSERT_NE(got.find(keys[7]), nullptr);
  EXPECT_EQ((*got.find(keys[7]))->at("i").as_number().to<int>(), 7);

  // A transaction that inserts an item that exists: canceled, nothing applied.
  const dt::sort_key<Group> fresh("fresh");
  auto tx = dt::transaction()
                .add(dt::insert_arg(keys[0].first, fresh))
                .add(dt::insert_arg(keys[1].first, keys[1].second));
  diagnostics diag;
  auto canceled =
      dt::async_transact_write(c, name, tx, schema, dt::transact_options(), diag, asio::use_future);
  try {
    canceled.get();
    ADD_FAILURE() << "the transaction was not canceled";
  } catch (const boost::system::system_error& e) {
    EXPECT_EQ(e.code(), service_errc::transaction_canceled) << explain(e.code(), diag);
    ASSERT_EQ(diag.cancellation_reasons.size(), 2u) << explain(e.code(), diag);
    EXPECT_EQ(diag.cancellation_reasons[1].code, "ConditionalCheckFailed");
  }
  auto snapshot = dt::async_transact_get(c, name, std::vector<key>{{keys[0].first, fresh}, keys[1]}, schema,
                                         dt::transact_options(), asio::use_future)
                      .get();
  ASSERT_EQ(snapshot.size(), 2u);
  EXPECT_FALSE(snapshot[0]) << "a canceled transaction applied its insert";
  EXPECT_TRUE(snapshot[1]);

  // Deferred: nothing is sent until the operation is launched.
  const dt::partition_key<User> bob("bob");
  auto lazy = t.async_put(bob, fresh, item{{"lazy", true}}, asio::deferred);
  EXPECT_FALSE(t.async_get(bob, fresh, {}, asio::use_future).get()) << "a deferred put ran before launch";
  std::promise<error_code> launched;
  std::move(lazy)([&](error_code ec) { launched.set_value(ec); });
  EXPECT_FALSE(launched.get_future().get());
  auto after = t.async_get(bob, fresh, {}, asio::use_future).get();
  EXPECT_TRUE(after && after->at("lazy").as_bool());

  c.async_delete_table(delete_table_request(name), asio::use_future).get();
  work.reset();
  runner.join();
}
