// The single-table batches and transactions against DynamoDB Local: chunking, merging, typed
// results, validation before sending, cancellation reasons tied to actions, idempotent tokens.
#include "ddblocal_env.hpp"

#include <ddb/client.hpp>
#include <ddb/error.hpp>
#include <ddb/table/batch.hpp>
#include <ddb/table/index.hpp>
#include <ddb/table/table.hpp>
#include <ddb/table/transact.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace asio = boost::asio;
using namespace ddb_test;
using namespace ddb;
using namespace ddb::table;

namespace {

using User = named_entity<"User">;
using Group = named_entity<"Group">;
using key = std::pair<partition_key<User>, sort_key<Group>>;

table_schema schema() { return table_schema().inverse_index(); }

asio::awaitable<std::string> make_table(client& c, const std::string& base) {
  std::string name = unique_table(base);
  auto req = make_create_table_request(name, schema());
  co_await ddb_test::create_table(c, req);
  co_return name;
}

key user_key(int i, const std::string& group = "1") {
  return key(partition_key<User>("u" + std::to_string(i)), sort_key<Group>(group));
}

/// A client whose endpoint refuses connections: any request it sent would fail with a transport
/// error, so invalid_argument with http_status 0 proves nothing was sent.
client_options unreachable_options() {
  auto o = local_options();
  o.endpoint = "http://127.0.0.1:1";
  return o;
}

} // namespace

TEST(TableBatch, WriteChunksMergesAndGetMapsBack) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    std::string t = co_await make_table(c, "tb_batch");

    // 250 distinct puts (10 requests of 25) plus a later put of u0 that wins.
    std::vector<std::pair<key, item>> puts;
    for (int i = 0; i < 250; ++i) puts.emplace_back(user_key(i), item{{"n", i}});
    puts.emplace_back(user_key(0), item{{"n", 999}});
    std::vector<key> no_deletes;
    auto s = schema();
    auto w = co_await batch_write(c, t, puts, no_deletes, s);
    EXPECT_TRUE(w.complete());

    // 150 keys: 140 stored, 10 missing, and duplicates of 5 of them.
    std::vector<key> keys;
    for (int i = 0; i < 140; ++i) keys.push_back(user_key(i));
    for (int i = 1000; i < 1010; ++i) keys.push_back(user_key(i));
    for (int i = 0; i < 5; ++i) keys.push_back(user_key(i));
    auto opts = batch_options().consistent_read();
    auto got = co_await batch_get(c, t, keys, s, opts);
    EXPECT_TRUE(got.complete());
    EXPECT_EQ(got.items().size(), 150u);
    EXPECT_EQ(got.found(), 140u);
    auto* u0 = got.find(user_key(0));
    CO_ASSERT_TRUE(u0 && *u0);
    EXPECT_EQ((*u0)->at("n"), value(999));
    EXPECT_EQ((*u0)->at("PK"), value("u0")); // prefixes stripped from key attributes
    EXPECT_EQ((*u0)->at("SK"), value("1"));
    auto* u139 = got.find(user_key(139));
    CO_ASSERT_TRUE(u139 && *u139);
    EXPECT_EQ((*u139)->at("n"), value(139));
    auto* missing = got.find(user_key(1005));
    CO_ASSERT_TRUE(missing);
    EXPECT_FALSE(*missing);
    EXPECT_EQ(got.find(user_key(200)), nullptr); // not requested

    // Projection keeps the keys so items still map back.
    std::vector<key> few{user_key(7), user_key(8)};
    auto projected = batch_options().attributes({"n"}).consistent_read();
    auto p = co_await batch_get(c, t, few, s, projected);
    EXPECT_EQ(p.found(), 2u);

    // Deleting everything (duplicate deletes merged) through the untyped overload.
    std::vector<item> no_puts;
    std::vector<item_key> deletes;
    for (int i = 0; i < 250; ++i) deletes.push_back(to_item_key(user_key(i)));
    deletes.push_back(to_item_key(user_key(3)));
    auto d = co_await batch_write(c, t, no_puts, deletes, s);
    EXPECT_TRUE(d.complete());
    auto after = co_await batch_get(c, t, keys, s, opts);
    EXPECT_EQ(after.found(), 0u);
  });
}

// Chunks go out in parallel (batch_options::parallelism): several connections are used, every
// write lands, and a chunk that DynamoDB rejects fails the call without losing what was
// acknowledged.
TEST(TableBatch, ParallelChunks) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    std::string t = co_await make_table(c, "tb_parallel");
    std::vector<std::pair<key, item>> puts;
    std::vector<key> keys;
    for (int i = 0; i < 300; ++i) {
      puts.emplace_back(user_key(i), item{{"n", i}});
      keys.push_back(user_key(i));
    }
    std::vector<key> no_deletes;
    auto s = schema();
    auto four = batch_options().parallelism(4);
    auto w = co_await batch_write(c, t, puts, no_deletes, s, four);
    EXPECT_TRUE(w.complete());
    EXPECT_GE(c.stats().open, 2u) << "12 chunks with parallelism 4 used one connection";
    auto got = co_await batch_get(c, t, keys, s, four.consistent_read());
    EXPECT_EQ(got.found(), 300u);

    client one_at_a_time(io.get_executor(), local_options());
    auto serial = batch_options().parallelism(1).consistent_read();
    auto again = co_await batch_get(one_at_a_time, t, keys, s, serial);
    EXPECT_EQ(again.found(), 300u);
    EXPECT_EQ(one_at_a_time.stats().open, 1u);

    // A GSI key of the wrong type in chunk 3 of 4: DynamoDB rejects that request.
    auto gsi1_schema = table_schema().gsi1();
    std::string t2 = unique_table("tb_parallel_bad");
    auto create = make_create_table_request(t2, gsi1_schema);
    co_await ddb_test::create_table(c, create);
    std::vector<item> whole;
    std::vector<item_key> stored_keys;
    for (int i = 0; i < 100; ++i) {
      auto k = to_item_key(user_key(i));
      auto it = k.to_item();
      it.emplace("GSI1PK", i == 60 ? value(number("7")) : value("G#" + std::to_string(i)));
      whole.push_back(std::move(it));
      stored_keys.push_back(k);
    }
    std::vector<item_key> none;
    error_code failed;
    try {
      co_await batch_write(c, t2, whole, none, gsi1_schema, four);
    } catch (const ddb::error& e) {
      failed = e.code();
      EXPECT_EQ(e.diag().http_status, 400u) << e.what();
    }
    EXPECT_EQ(failed, service_errc::validation) << failed.to_string();
    auto written = co_await batch_get(c, t2, stored_keys, gsi1_schema, serial);
    EXPECT_EQ(written.found() % 25, 0u) << "a chunk was written in part";
    EXPECT_LE(written.found(), 75u);
    auto* rejected = written.find(stored_keys[60]);
    CO_ASSERT_TRUE(rejected);
    EXPECT_FALSE(*rejected);
  });
}

// Capacity and cost per logical call: batches, transactions, streams and pagers sum the
// CapacityUnits of all their requests (a failed call reports what it used before failing), and
// each request's operation_event names its call with one id per call.
TEST(TableBatch, CapacityPerLogicalCall) {
  DDB_SKIP_ON_DYNALITE("transactions (TransactWriteItems)");
  struct seen {
    std::string operation, call;
    std::uint64_t id;
    double units;
  };
  std::vector<seen> events;
  run([&events](asio::io_context& io) -> asio::awaitable<void> {
    auto o = local_options();
    o.report_consumed_capacity = true;
    o.on_operation = [&events](const operation_event& e) {
      events.push_back(
          seen{std::string(e.operation), std::string(e.call.name), e.call.id, e.consumed_capacity});
    };
    client c(io.get_executor(), o);
    std::string t = co_await make_table(c, "tb_capacity");
    auto s = schema();
    // Sums the events of one call; all of them must share its name and id.
    auto of_call = [&events](const std::string& name, std::size_t from, std::size_t& requests) {
      double units = 0;
      requests = 0;
      std::uint64_t id = 0;
      for (std::size_t i = from; i < events.size(); ++i) {
        if (events[i].call != name) continue;
        if (id == 0) id = events[i].id;
        EXPECT_EQ(events[i].id, id) << "two ids in one " << name << " call";
        units += events[i].units;
        ++requests;
      }
      EXPECT_NE(id, 0u) << name;
      return units;
    };
    std::size_t requests = 0;

    std::vector<std::pair<key, item>> puts;
    std::vector<key> keys;
    for (int i = 0; i < 60; ++i) {
      key k(partition_key<User>("p"), sort_key<Group>("g" + std::to_string(100 + i)));
      puts.emplace_back(k, item{{"n", i}});
      keys.push_back(k);
    }
    std::vector<key> no_deletes;
    auto serial = batch_options().parallelism(1);
    std::size_t mark = events.size();
    auto w = co_await batch_write(c, t, puts, no_deletes, s, serial);
    double units = of_call("batch_write", mark, requests);
    EXPECT_EQ(requests, 3u);
    EXPECT_GT(w.consumed_capacity(), 0) << "DynamoDB reported no capacity for BatchWriteItem";
    EXPECT_DOUBLE_EQ(w.consumed_capacity(), units);

    mark = events.size();
    auto got = co_await batch_get(c, t, keys, s, serial);
    units = of_call("batch_get", mark, requests);
    EXPECT_EQ(requests, 1u);
    EXPECT_GT(got.consumed_capacity(), 0);
    EXPECT_DOUBLE_EQ(got.consumed_capacity(), units);

    mark = events.size();
    auto tx =
        transaction().add(insert_arg(to_item_key(user_key(900)))).add(insert_arg(to_item_key(user_key(901))));
    auto r = co_await transact_write(c, t, tx, s);
    units = of_call("transact_write", mark, requests);
    EXPECT_EQ(requests, 1u);
    EXPECT_GT(r.consumed_capacity, 0);
    EXPECT_DOUBLE_EQ(r.consumed_capacity, units);

    ddb::table::table tbl(c, t, s);
    mark = events.size();
    auto small_pages = query_options().page_size(25);
    auto stream = tbl.query_prefix(partition_key<User>("p"), prefix_sort_key<Group>(), small_pages);
    std::size_t streamed = 0;
    while (auto it = co_await stream.next()) ++streamed;
    EXPECT_EQ(streamed, 60u);
    units = of_call("table.query", mark, requests);
    EXPECT_GE(requests, 3u);
    EXPECT_GT(stream.consumed_capacity(), 0);
    EXPECT_DOUBLE_EQ(stream.consumed_capacity(), units);

    mark = events.size();
    auto q = query_request(t).key_condition("PK = :pk").value(":pk", "USER#p").limit(40);
    auto pages = c.query_pages(q);
    while (co_await pages.next()) {
    }
    units = of_call("query_pages", mark, requests);
    EXPECT_EQ(requests, 2u);
    EXPECT_DOUBLE_EQ(pages.consumed_capacity(), units);

    // A failed batch reports the capacity its earlier requests used: chunk 3 of 3 is rejected.
    auto gsi1_schema = table_schema().gsi1();
    std::string t2 = unique_table("tb_capacity_bad");
    auto create = make_create_table_request(t2, gsi1_schema);
    co_await ddb_test::create_table(c, create);
    std::vector<item> whole;
    for (int i = 0; i < 75; ++i) {
      auto it = to_item_key(user_key(i)).to_item();
      it.emplace("GSI1PK", i == 60 ? value(number("7")) : value("G#" + std::to_string(i)));
      whole.push_back(std::move(it));
    }
    std::vector<item_key> none;
    mark = events.size();
    double failed_units = -1;
    try {
      co_await batch_write(c, t2, whole, none, gsi1_schema, serial);
      ADD_FAILURE() << "the rejected chunk did not fail the call";
    } catch (const ddb::error& e) {
      failed_units = e.diag().consumed_capacity;
    }
    units = of_call("batch_write", mark, requests);
    EXPECT_EQ(requests, 3u);
    EXPECT_GT(failed_units, 0);
    EXPECT_DOUBLE_EQ(failed_units, units);
  });
}

TEST(TableBatch, RejectedBeforeSending) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), unreachable_options());
    auto s = schema();

    std::vector<std::pair<key, item>> puts{{user_key(1), item{{"n", 1}}}};
    std::vector<key> deletes{user_key(1)};
    bool thrown = false;
    try {
      co_await batch_write(c, "no_such_table", puts, deletes, s);
    } catch (const ddb::error& e) {
      thrown = true;
      EXPECT_EQ(e.code(), client_errc::invalid_argument);
      EXPECT_EQ(e.diag().http_status, 0u);
    }
    EXPECT_TRUE(thrown);

    transaction big;
    for (int i = 0; i < 101; ++i) big.add(delete_arg(user_key(i).first, user_key(i).second));
    thrown = false;
    try {
      co_await transact_write(c, "no_such_table", big, s);
    } catch (const ddb::error& e) {
      thrown = true;
      EXPECT_EQ(e.code(), client_errc::invalid_argument);
      EXPECT_EQ(e.diag().http_status, 0u);
    }
    EXPECT_TRUE(thrown);

    auto k = user_key(1);
    thrown = false;
    try {
      auto twice = transaction()
                       .add(insert_arg(k.first, k.second))
                       .add(update_arg(k.first, k.second, "SET n = :n").value(":n", 1));
      co_await transact_write(c, "no_such_table", twice, s);
    } catch (const ddb::error& e) {
      thrown = true;
      EXPECT_EQ(e.code(), client_errc::invalid_argument);
      EXPECT_EQ(e.diag().http_status, 0u);
    }
    EXPECT_TRUE(thrown);
  });
}

TEST(TableBatch, TransactWriteEveryArgKind) {
  DDB_SKIP_ON_DYNALITE("transactions (TransactWriteItems)");
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    std::string t = co_await make_table(c, "tb_tx");
    auto s = schema();
    auto a = user_key(1), b = user_key(2), d = user_key(3), check = user_key(4), fresh = user_key(5);
    std::vector<std::pair<key, item>> puts{
        {a, item{{"n", 1}}}, {b, item{{"n", 2}}}, {d, item{{"n", 3}}}, {check, item{{"n", 4}}}};
    std::vector<key> none;
    co_await batch_write(c, t, puts, none, s);

    // GCC 12: build the actions before co_await (no literals into builder chains inside it).
    auto tx = transaction()
                  .add(insert_arg(fresh.first, fresh.second, item{{"n", 5}}))
                  .add(put_arg(a.first, a.second, item{{"n", 10}}).condition("attribute_exists(PK)"))
                  .add(update_arg(b.first, b.second, "ADD #n :d").name("#n", "n").value(":d", 40))
                  .add(delete_arg(d.first, d.second))
                  .add(condition_check_arg(check.first, check.second, "n = :four").value(":four", 4));
    auto r = co_await transact_write(c, t, tx, s);
    EXPECT_EQ(r.client_request_token.size(), 36u);
    EXPECT_EQ(r.attempts, 1u);

    std::vector<key> keys{a, b, d, check, fresh, a};
    auto got = co_await ddb::table::transact_get(c, t, keys, s);
    CO_ASSERT_EQ(got.size(), 6u);
    CO_ASSERT_TRUE(got[0] && got[1] && got[3] && got[4] && got[5]);
    EXPECT_EQ(got[0]->at("n"), value(10));
    EXPECT_EQ(got[0]->at("PK"), value("u1"));
    EXPECT_EQ(got[1]->at("n"), value(42));
    EXPECT_FALSE(got[2]);
    EXPECT_EQ(got[3]->at("n"), value(4));
    EXPECT_EQ(got[4]->at("n"), value(5));
    EXPECT_EQ(got[5], got[0]);
  });
}

TEST(TableBatch, FailedConditionTiedToItsAction) {
  DDB_SKIP_ON_DYNALITE("transactions (TransactWriteItems)");
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    std::string t = co_await make_table(c, "tb_txfail");
    auto s = schema();
    auto existing = user_key(1), other = user_key(2), third = user_key(3);
    std::vector<std::pair<key, item>> puts{{existing, item{{"n", 1}}}};
    std::vector<key> none;
    co_await batch_write(c, t, puts, none, s);

    bool thrown = false;
    try {
      auto tx = transaction()
                    .add(put_arg(other.first, other.second, item{{"n", 2}}))
                    .add(delete_arg(third.first, third.second))
                    .add(insert_arg(existing.first, existing.second).return_old_on_failure());
      co_await transact_write(c, t, tx, s);
    } catch (const transaction_error& e) {
      thrown = true;
      EXPECT_EQ(e.code(), service_errc::transaction_canceled);
      CO_ASSERT_EQ(e.failures().size(), 1u);
      auto& f = e.failures()[0];
      EXPECT_EQ(f.index, 2u);
      EXPECT_EQ(f.key, to_item_key(existing));
      EXPECT_EQ(f.code, "ConditionalCheckFailed");
      if (f.item) { // ALL_OLD, when the server sends it
        EXPECT_EQ(f.item->at("n"), value(1));
      }
    }
    EXPECT_TRUE(thrown);
    // All or nothing: the put did not happen.
    std::vector<key> keys{other};
    auto got = co_await ddb::table::transact_get(c, t, keys, s);
    CO_ASSERT_EQ(got.size(), 1u);
    EXPECT_FALSE(got[0]);
  });
}

TEST(TableBatch, SameTokenWritesOnce) {
  DDB_SKIP_ON_DYNALITE("transactions (TransactWriteItems)");
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    std::string t = co_await make_table(c, "tb_idem");
    auto s = schema();
    auto k = user_key(1);
    auto opts = transact_options().client_request_token("ddb-test-token-0001");
    auto add_one = update_arg(k.first, k.second, "ADD n :one").value(":one", 1);
    for (int i = 0; i < 2; ++i) {
      auto r = co_await transact_write(c, t, add_one, s, opts);
      EXPECT_EQ(r.client_request_token, "ddb-test-token-0001");
    }
    std::vector<key> keys{k};
    auto got = co_await ddb::table::transact_get(c, t, keys, s);
    CO_ASSERT_EQ(got.size(), 1u);
    CO_ASSERT_TRUE(got[0]);
    EXPECT_EQ(got[0]->at("n"), value(1));

    // Without a token each call is its own transaction.
    for (int i = 0; i < 2; ++i) co_await transact_write(c, t, add_one, s);
    got = co_await ddb::table::transact_get(c, t, keys, s);
    CO_ASSERT_TRUE(got.size() == 1 && got[0]);
    EXPECT_EQ(got[0]->at("n"), value(3));
  });
}
