// Every DynamoDB operation through ddb::client against DynamoDB Local, with typed results and
// typed errors; Query and Scan pagers across many pages, prefetch, early stop and resume.
#include "ddblocal_env.hpp"

#include <ddb/client.hpp>
#include <ddb/error.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <iostream>
#include <set>

namespace asio = boost::asio;
using namespace ddb_test;
using namespace ddb;

namespace {

// A PK/SK table with the inverse index GSI_1 (SK, PK).
asio::awaitable<std::string> make_table(client& c, const std::string& base) {
  std::string name = unique_table(base);
  auto req = create_table_request(name, key_schema("PK", "SK"))
                 .attribute("PK", value_type::string)
                 .attribute("SK", value_type::string)
                 .pay_per_request()
                 .global_secondary_index(
                     ddb::global_secondary_index("GSI_1", key_schema("SK", "PK"), index_projection::all()));
  table_description d = co_await c.create_table(req);
  EXPECT_EQ(d.table_name, name);
  co_await c.wait_until_table_exists(name, test_waiter());
  co_return name;
}

item key(std::string pk, std::string sk) { return item{{"PK", std::move(pk)}, {"SK", std::move(sk)}}; }

} // namespace

TEST(Operations, ItemLifecycle) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    std::string t = co_await make_table(c, "ops_items");
    item alice{{"PK", "USER#alice"},           {"SK", "GROUP#1"},
               {"n", number("12.50")},         {"blob", to_bytes(std::string_view("\0\1\2", 3))},
               {"tags", string_set{"a", "b"}}, {"m", item{{"deep", list{1, "two", true, null}}}}};
    auto put = put_item_request(t, alice).condition("attribute_not_exists(PK)");
    co_await c.put_item(put);

    // Inserting again fails the condition: a typed error with the old item.
    error_code ec;
    diagnostics diag;
    auto again = put_item_request(t, alice)
                     .condition("attribute_not_exists(PK)")
                     .return_values_on_condition_check_failure(return_value::all_old);
    co_await c.execute(again, ec, diag);
    EXPECT_EQ(ec, service_errc::conditional_check_failed) << ec.to_string() << " " << diag.message;
    if (on_dynalite()) {
      // dynalite lacks ReturnValuesOnConditionCheckFailure (2023): no old item comes back.
      std::cout << "[ dynalite ] no ReturnValuesOnConditionCheckFailure: old item not checked\n";
      EXPECT_FALSE(diag.item.has_value());
    } else {
      CO_ASSERT_TRUE(diag.item.has_value());
      EXPECT_EQ(*diag.item, alice);
    }

    auto got = co_await c.get_item(get_item_request(t, key("USER#alice", "GROUP#1")).consistent_read());
    CO_ASSERT_TRUE(got.item);
    EXPECT_EQ(*got.item, alice); // numbers compare numerically, binary stays binary
    EXPECT_EQ(got.item->at("blob").as_binary().size(), 3u);

    auto upd = update_item_request(t, key("USER#alice", "GROUP#1"))
                   .update("SET #n = #n + :d")
                   .name("#n", "n")
                   .value(":d", number("0.005"))
                   .return_values(return_value::all_new);
    auto updated = co_await c.update_item(upd);
    CO_ASSERT_TRUE(updated.attributes);
    EXPECT_EQ(updated.attributes->at("n").as_number(), number("12.505"));

    auto del = delete_item_request(t, key("USER#alice", "GROUP#1")).return_values(return_value::all_old);
    auto deleted = co_await c.delete_item(del);
    CO_ASSERT_TRUE(deleted.attributes);
    auto gone = co_await c.get_item(get_item_request(t, key("USER#alice", "GROUP#1")));
    EXPECT_FALSE(gone.item); // not found is a value, not an error

    // Exceptions for those who want them.
    try {
      co_await c.get_item(get_item_request("no_such_table_x", key("a", "b")));
      ADD_FAILURE() << "no exception";
    } catch (const ddb::error& e) {
      EXPECT_EQ(e.code(), service_errc::resource_not_found);
      EXPECT_EQ(e.diag().http_status, 400u);
    }
  });
}

TEST(Operations, InvalidRequestsFailBeforeSending) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    error_code ec;
    diagnostics diag;
    item bad{{"PK", std::string("\xff\xfe")}, {"SK", "x"}};
    co_await c.execute(put_item_request("some_table", bad), ec, diag);
    EXPECT_EQ(ec, client_errc::invalid_utf8);
    EXPECT_EQ(diag.http_status, 0u); // nothing was sent
    item empty_set{{"PK", "a"}, {"SK", "b"}, {"s", string_set{}}};
    co_await c.execute(put_item_request("some_table", empty_set), ec, diag);
    EXPECT_EQ(ec, client_errc::empty_set);
    EXPECT_EQ(c.stats().open, 0u);
  });
}

TEST(Operations, BatchesAndTransactions) {
  DDB_SKIP_ON_DYNALITE("transactions (TransactWriteItems, TransactGetItems)");
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    std::string t = co_await make_table(c, "ops_batch");
    batch_write_request bw;
    for (int i = 0; i < 25; ++i) {
      item it{{"PK", "USER#" + std::to_string(i)}, {"SK", "GROUP#1"}, {"i", i}};
      bw.put_request(t, std::move(it));
    }
    auto written = co_await c.batch_write_item(bw);
    EXPECT_TRUE(written.unprocessed_items.empty());

    batch_get_request bg;
    for (int i = 0; i < 25; ++i) bg.key(t, key("USER#" + std::to_string(i), "GROUP#1"));
    auto read = co_await c.batch_get_item(bg);
    CO_ASSERT_EQ(read.responses.count(t), 1u);
    EXPECT_EQ(read.responses.at(t).size(), 25u);

    auto tw =
        transact_write_request()
            .add(transact_put(t, key("USER#x", "GROUP#2")).condition("attribute_not_exists(PK)"))
            .add(transact_update(t, key("USER#1", "GROUP#1")).update("SET i = i + :one").value(":one", 1))
            .add(transact_delete(t, key("USER#2", "GROUP#1")))
            .add(transact_condition_check(t, key("USER#3", "GROUP#1"), "i = :three").value(":three", 3))
            .client_request_token("token-1");
    co_await c.transact_write_items(tw);

    auto tg = transact_get_request()
                  .add(transact_get(t, key("USER#1", "GROUP#1")))
                  .add(transact_get(t, key("USER#2", "GROUP#1")))
                  .add(transact_get(t, key("USER#x", "GROUP#2")));
    auto got = co_await c.transact_get_items(tg);
    CO_ASSERT_EQ(got.responses.size(), 3u);
    CO_ASSERT_TRUE(got.responses[0]);
    EXPECT_EQ(got.responses[0]->at("i").as_number().to<int>(), 2);
    EXPECT_FALSE(got.responses[1]); // deleted
    EXPECT_TRUE(got.responses[2]);

    // A failed condition cancels the transaction, with reasons in action order.
    error_code ec;
    diagnostics diag;
    auto failing =
        transact_write_request()
            .add(transact_put(t, key("USER#y", "GROUP#2")))
            .add(transact_condition_check(t, key("USER#3", "GROUP#1"), "i = :four").value(":four", 4));
    co_await c.execute(failing, ec, diag);
    EXPECT_EQ(ec, service_errc::transaction_canceled);
    CO_ASSERT_EQ(diag.cancellation_reasons.size(), 2u);
    EXPECT_FALSE(diag.cancellation_reasons[0].failed());
    EXPECT_EQ(diag.cancellation_reasons[1].code, "ConditionalCheckFailed");
  });
}

TEST(Operations, TableAdministration) {
  DDB_SKIP_ON_DYNALITE("TTL (UpdateTimeToLive)");
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    std::string t = co_await make_table(c, "ops_admin");
    auto d = co_await c.describe_table(describe_table_request(t));
    EXPECT_EQ(d.table_status, "ACTIVE");
    CO_ASSERT_EQ(d.global_secondary_indexes.size(), 1u);
    EXPECT_EQ(d.global_secondary_indexes[0].index_name, "GSI_1");
    auto ttl = co_await c.update_time_to_live(update_time_to_live_request(t, "expires", true));
    EXPECT_TRUE(ttl.enabled);
    auto tables = co_await c.list_tables(list_tables_request());
    EXPECT_NE(std::find(tables.table_names.begin(), tables.table_names.end(), t), tables.table_names.end());
    co_await c.delete_table(delete_table_request(t));
    error_code ec;
    diagnostics diag;
    co_await c.execute(describe_table_request(t), ec, diag);
    EXPECT_EQ(ec, service_errc::resource_not_found);
  });
}

TEST(Operations, PagersFollowEveryPage) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    std::string t = co_await make_table(c, "ops_pages");
    constexpr int n = 1200;
    std::string filler(900, 'x'); // ~1 KB items: more than one 1 MB page
    for (int i = 0; i < n; i += 25) {
      batch_write_request bw;
      for (int j = i; j < i + 25; ++j) {
        char sk[32];
        std::snprintf(sk, sizeof sk, "ITEM#%05d", j);
        item it{{"PK", "LIST#1"}, {"SK", sk}, {"j", j}, {"pad", filler}};
        bw.put_request(t, std::move(it));
      }
      co_await c.batch_write_item(bw);
    }
    auto q = query_request(t)
                 .key_condition("PK = :pk AND begins_with(SK, :p)")
                 .value(":pk", "LIST#1")
                 .value(":p", "ITEM#");
    for (unsigned prefetch : {0u, 1u}) {
      pager_options po;
      po.prefetch = prefetch;
      auto pages = c.query_pages(q, po);
      int seen = 0, page_count = 0;
      while (const page* p = co_await pages.next()) {
        ++page_count;
        for (item_view it : p->items()) {
          EXPECT_EQ(it.at("j").to_number().to<int>(), seen);
          ++seen;
        }
      }
      EXPECT_EQ(seen, n);
      EXPECT_GE(page_count, 2); // LastEvaluatedKey was followed past the 1 MB page limit
      EXPECT_FALSE(pages.resume_key());
    }

    // Small pages, an early stop, and a resume from the cursor: nothing lost, nothing twice.
    auto small = query_request(t).key_condition("PK = :pk").value(":pk", "LIST#1").limit(100);
    std::set<int> got;
    std::optional<item> cursor;
    {
      auto pages = c.query_pages(small);
      for (int k = 0; k < 3; ++k) {
        const page* p = co_await pages.next();
        for (item_view it : p->items()) got.insert(it.at("j").to_number().to<int>());
      }
      cursor = pages.resume_key(); // the prefetch in flight is cancelled with the pager
    }
    CO_ASSERT_TRUE(cursor);
    auto rest = c.query_pages(query_request(small).exclusive_start_key(*cursor));
    while (const page* p = co_await rest.next())
      for (item_view it : p->items()) EXPECT_TRUE(got.insert(it.at("j").to_number().to<int>()).second);
    EXPECT_EQ(got.size(), std::size_t(n));

    // Parallel scan: every item exactly once across the segments.
    auto segments = c.scan_segments(scan_request(t).projection("j"), 3);
    std::multiset<int> scanned;
    for (auto& s : segments)
      while (const page* p = co_await s.next())
        for (item_view it : p->items()) scanned.insert(it.at("j").to_number().to<int>());
    EXPECT_EQ(scanned.size(), std::size_t(n));
    EXPECT_EQ(std::set<int>(scanned.begin(), scanned.end()).size(), std::size_t(n));
    EXPECT_EQ(c.stats().waiting, 0u);
  });
}

TEST(Operations, PagerErrorsSurfaceAtIteration) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    auto pages = c.query_pages(query_request("no_such_table_y").key_condition("PK = :pk").value(":pk", "x"));
    error_code ec;
    diagnostics diag;
    EXPECT_EQ(co_await pages.next(ec, diag), nullptr);
    EXPECT_EQ(ec, service_errc::resource_not_found);
    EXPECT_TRUE(pages.done());
  });
}
