// ddb::table::table against DynamoDB Local: every single-table operation, every sort key
// condition, streams across pages with early stop, resume and cancellation, the inverse index,
// and validation before sending.
#include "ddblocal_env.hpp"

#include <ddb/client.hpp>
#include <ddb/error.hpp>
#include <ddb/table/table.hpp>
#include <ddb/table/table_name.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <cstdio>
#include <set>

namespace asio = boost::asio;
namespace dt = ddb::table;
using namespace ddb_test;
using namespace ddb;

namespace {

struct User {
  static constexpr std::string_view entity_name = "User";
};
using Group = dt::named_entity<"Group">;
using Item = dt::named_entity<"Item">;
using List = dt::named_entity<"List">;

asio::awaitable<std::string> make_table(client& c, const std::string& base, const dt::table_schema& schema) {
  std::string name = unique_table(base);
  auto req = dt::make_create_table_request(name, schema);
  co_await ddb_test::create_table(c, req);
  co_return name;
}

std::string item_key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%05d", i);
  return buf;
}

} // namespace

TEST(Table, ItemOperations) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    auto schema = dt::table_schema().inverse_index();
    std::string name = co_await make_table(c, "table_items", schema);
    dt::table t(c, name, schema);
    dt::partition_key<User> alice("alice");
    dt::sort_key<Group> g1("1");

    ddb::item attrs{{"name", "Alice"}, {"size", 3}};
    co_await t.insert(alice, g1, attrs);

    // A duplicate insert is a typed error, thrown or as a code.
    error_code ec;
    diagnostics diag;
    co_await t.insert(alice, g1, attrs, ec, diag);
    EXPECT_EQ(ec, service_errc::conditional_check_failed);
    EXPECT_EQ(diag.http_status, 400u);
    try {
      co_await t.insert(alice, g1);
      ADD_FAILURE() << "no exception";
    } catch (const ddb::error& e) {
      EXPECT_EQ(e.code(), service_errc::conditional_check_failed);
    }
    // put(overwrite = false) behaves like insert.
    co_await t.put(alice, g1, attrs, false, ec, diag);
    EXPECT_EQ(ec, service_errc::conditional_check_failed);

    // get: stripped keys; projections with reserved words; consistent reads; missing is nullopt.
    auto got = co_await t.get(alice, g1);
    CO_ASSERT_TRUE(got);
    EXPECT_EQ(got->at("PK").as_string(), "alice");
    EXPECT_EQ(got->at("SK").as_string(), "1");
    EXPECT_EQ(got->at("name").as_string(), "Alice");
    auto get_opts = dt::get_options().projection({"name", "size"}).consistent_read();
    auto projected = co_await t.get(alice, g1, get_opts);
    CO_ASSERT_TRUE(projected);
    EXPECT_EQ(projected->size(), 2u);
    EXPECT_EQ(projected->at("size").as_number().to<int>(), 3);
    auto missing = co_await t.get(alice, dt::sort_key<Group>("nope"));
    EXPECT_FALSE(missing);

    // put overwrites the whole item.
    ddb::item replaced{{"other", true}};
    co_await t.put(alice, g1, replaced);
    got = co_await t.get(alice, g1);
    CO_ASSERT_TRUE(got);
    EXPECT_FALSE(got->contains("name"));
    EXPECT_TRUE(got->at("other").as_bool());

    // update: every clause kind, reserved words, the new item back.
    ddb::list first{1, 2};
    auto u = dt::update()
                 .set("name", "Alice")
                 .remove("other")
                 .add("size", 5)
                 .append("list", first)
                 .set_if_not_exists("created", "day 1")
                 .return_new();
    auto updated = co_await t.update(alice, g1, u);
    CO_ASSERT_TRUE(updated);
    EXPECT_EQ(updated->at("PK").as_string(), "alice");
    EXPECT_EQ(updated->at("name").as_string(), "Alice");
    EXPECT_FALSE(updated->contains("other"));
    EXPECT_EQ(updated->at("size").as_number().to<int>(), 5);
    EXPECT_EQ(updated->at("list").as_list().size(), 2u);
    ddb::list more{3};
    auto u2 =
        dt::update().append("list", more).set_if_not_exists("created", "day 2").condition_equals("size", 5);
    auto nothing = co_await t.update(alice, g1, u2);
    EXPECT_FALSE(nothing); // no return_new
    got = co_await t.get(alice, g1);
    CO_ASSERT_TRUE(got);
    EXPECT_EQ(got->at("list").as_list().size(), 3u);
    EXPECT_EQ(got->at("created").as_string(), "day 1");
    // A failed condition.
    auto u3 = dt::update().set("name", "Bob").condition("size", ">", 100);
    co_await t.update(alice, g1, u3, ec, diag);
    EXPECT_EQ(ec, service_errc::conditional_check_failed);
    // condition_exists: no upsert.
    auto u4 = dt::update().set("name", "Ghost").condition_exists();
    co_await t.update(alice, dt::sort_key<Group>("ghost"), u4, ec, diag);
    EXPECT_EQ(ec, service_errc::conditional_check_failed);
    // Without it, update creates the item.
    auto u5 = dt::update().set("name", "Upserted");
    co_await t.update(alice, dt::sort_key<Group>("new"), u5);
    EXPECT_TRUE(co_await t.get(alice, dt::sort_key<Group>("new")));

    // remove is idempotent; remove_strict is not.
    co_await t.remove(alice, g1);
    co_await t.remove(alice, g1);
    EXPECT_FALSE(co_await t.get(alice, g1));
    co_await t.remove_strict(alice, g1, ec, diag);
    EXPECT_EQ(ec, service_errc::conditional_check_failed);
    co_await t.remove_strict(alice, dt::sort_key<Group>("new"), ec, diag);
    EXPECT_FALSE(ec);
  });
}

TEST(Table, Timestamps) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    auto schema = dt::table_schema().inverse_index();
    std::string name = co_await make_table(c, "table_ts", schema);
    auto fixed =
        std::chrono::system_clock::time_point(std::chrono::seconds(1581793778)); // 2020-02-15T19:09:38
    dt::table t(c, name, schema, dt::table_options().timestamps().clock([fixed] { return fixed; }));
    dt::partition_key<User> bob("bob");
    dt::sort_key<Group> g("2");
    co_await t.insert(bob, g);
    auto u = dt::update().set("x", 1);
    co_await t.update(bob, g, u);
    auto got = co_await t.get(bob, g);
    CO_ASSERT_TRUE(got);
    EXPECT_EQ(got->at("CreatedAt").as_string(), "2020-02-15T19:09:38");
    EXPECT_EQ(got->at("UpdatedAt").as_string(), "2020-02-15T19:09:38");
  });
}

TEST(Table, SortKeyConditions) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    auto schema = dt::table_schema().inverse_index();
    std::string name = co_await make_table(c, "table_sort", schema);
    dt::table t(c, name, schema);
    dt::partition_key<List> pk("1");
    for (int i = 1; i <= 10; ++i) {
      ddb::item a{{"i", i}};
      co_await t.insert(pk, dt::sort_key<Item>(item_key(i)), a);
    }
    ddb::item other{{"i", 0}};
    co_await t.insert(pk, dt::sort_key<Group>("x"), other); // another entity in the partition

    auto count = [&](dt::sort_condition cond) -> asio::awaitable<std::size_t> {
      auto items = co_await t.query(pk, std::move(cond));
      co_return items.size();
    };
    dt::sort_key<Item> k3(item_key(3)), k7(item_key(7));
    EXPECT_EQ(co_await count(dt::sort_condition()), 11u);
    EXPECT_EQ(co_await count(dt::begins_with(dt::prefix_sort_key<Item>())), 10u);
    EXPECT_EQ(co_await count(dt::begins_with(dt::prefix_sort_key<Item>("0000"))), 9u); // 00001..00009
    EXPECT_EQ(co_await count(dt::between(k3, k7)), 5u);
    EXPECT_EQ(co_await count(dt::equal(k3)), 1u);
    EXPECT_EQ(co_await count(dt::less(k3)), 3u); // GROUP#x sorts before ITEM#: 2 items + the group
    EXPECT_EQ(co_await count(dt::less_equal(k3)), 4u);
    EXPECT_EQ(co_await count(dt::greater(k7)), 3u);
    EXPECT_EQ(co_await count(dt::greater_equal(k7)), 4u);

    // Reverse order, projection, limit across small pages.
    auto desc =
        co_await t.query(pk, dt::begins_with(dt::prefix_sort_key<Item>()), dt::query_options().reverse());
    CO_ASSERT_EQ(desc.size(), 10u);
    EXPECT_EQ(desc.front().at("SK").as_string(), item_key(10));
    EXPECT_EQ(desc.back().at("SK").as_string(), item_key(1));
    auto opts = dt::query_options().projection({"i"}).limit(4).page_size(3);
    auto few = co_await t.query(pk, dt::begins_with(dt::prefix_sort_key<Item>()), opts);
    CO_ASSERT_EQ(few.size(), 4u);
    EXPECT_EQ(few[0].size(), 1u); // the key attributes read for the cursor are dropped
    EXPECT_EQ(few[3].at("i").as_number().to<int>(), 4);
    auto sk_only = co_await t.query(pk, dt::equal(k3), dt::query_options().project_sort_key());
    CO_ASSERT_EQ(sk_only.size(), 1u);
    EXPECT_EQ(sk_only[0], (ddb::item{{"SK", item_key(3)}}));
  });
}

TEST(Table, InverseIndexQueries) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    auto schema = dt::table_schema().inverse_index();
    std::string name = co_await make_table(c, "table_inverse", schema);
    dt::table t(c, name, schema);
    dt::partition_key<User> alice("alice"), bob("bob");
    co_await t.insert(alice, dt::sort_key<Group>("1"));
    co_await t.insert(alice, dt::sort_key<Group>("2"));
    co_await t.insert(bob, dt::sort_key<Group>("2"));

    auto opts = dt::query_options().index(dt::table_index::inverse()).project_sort_key();
    auto members =
        co_await t.query(dt::partition_key<Group>("2"), dt::begins_with(dt::prefix_sort_key<User>()), opts);
    CO_ASSERT_EQ(members.size(), 2u);
    EXPECT_EQ(members[0], (ddb::item{{"PK", "alice"}}));
    EXPECT_EQ(members[1], (ddb::item{{"PK", "bob"}}));
    // Comparisons on the inverse index compare PK.
    auto after_alice =
        co_await t.query(dt::partition_key<Group>("2"), dt::greater(dt::sort_key<User>("alice")),
                         dt::query_options().index(dt::table_index::inverse()));
    CO_ASSERT_EQ(after_alice.size(), 1u);
    EXPECT_EQ(after_alice[0].at("PK").as_string(), "bob");
    EXPECT_EQ(after_alice[0].at("SK").as_string(), "2");

    // Table name from a scope (held only around construction, never across co_await).
    std::optional<dt::table> scoped;
    {
      dt::table_name_scope use(name);
      scoped.emplace(c, schema);
    }
    EXPECT_EQ(scoped->name(), name);
    auto stream = scoped->query_prefix(alice, dt::prefix_sort_key<Group>());
    std::size_t n = 0;
    while (auto it = co_await stream.next()) ++n;
    EXPECT_EQ(n, 2u);
    EXPECT_FALSE(stream.cursor()); // nothing left
  });
}

TEST(Table, QueryPrefixAcrossPagesResumeAndCancel) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    auto schema = dt::table_schema().inverse_index();
    std::string name = co_await make_table(c, "table_pages", schema);
    dt::table t(c, name, schema);
    constexpr int n = 1200;
    std::string filler(900, 'x'); // ~1 KB items: more than one 1 MB page
    for (int i = 0; i < n; i += 25) {
      batch_write_request bw;
      for (int j = i; j < i + 25; ++j) {
        ddb::item it{{"PK", "LIST#1"}, {"SK", "ITEM#" + item_key(j)}, {"j", j}, {"pad", filler}};
        bw.put_request(name, std::move(it));
      }
      co_await c.batch_write_item(bw);
    }
    dt::partition_key<List> pk("1");
    dt::prefix_sort_key<Item> items;

    // Every item once, in order, across the 1 MB pages (Dokklib stopped after the first page).
    {
      auto stream = t.query_prefix(pk, items);
      int seen = 0;
      while (auto it = co_await stream.next()) {
        EXPECT_EQ(it->at("j").as_number().to<int>(), seen);
        EXPECT_EQ(it->at("SK").as_string(), item_key(seen));
        ++seen;
      }
      EXPECT_EQ(seen, n);
      EXPECT_FALSE(stream.cursor());
    }

    // Small pages, a stop in the middle of a page, a serialized cursor, a resume.
    std::set<int> got;
    std::string token;
    {
      auto stream = t.query_prefix(pk, items, dt::query_options().page_size(100).projection({"j"}));
      for (int k = 0; k < 250; ++k) {
        auto it = co_await stream.next();
        CO_ASSERT_TRUE(it);
        got.insert(it->at("j").as_number().to<int>());
      }
      auto where = stream.cursor();
      CO_ASSERT_TRUE(where);
      token = where->str();
    } // the prefetch in flight is cancelled here
    auto resumed_opts =
        dt::query_options().page_size(100).projection({"j"}).start_from(dt::cursor::parse(token));
    auto rest = t.query_prefix(pk, items, resumed_opts);
    while (auto it = co_await rest.next()) EXPECT_TRUE(got.insert(it->at("j").as_number().to<int>()).second);
    EXPECT_EQ(got.size(), std::size_t(n));

    // limit counts items across pages, and the cursor resumes after the last one.
    auto limited = t.query_prefix(pk, items, dt::query_options().page_size(7).limit(20));
    int k = 0;
    while (auto it = co_await limited.next()) EXPECT_EQ(it->at("j").as_number().to<int>(), k++);
    EXPECT_EQ(k, 20);
    // A stream that stops at its limit asks for no page past it: 200 items in pages of 100 are
    // two Query requests, not a third fetched ahead and dropped.
    {
      unsigned queries = 0;
      auto counting = local_options();
      counting.on_operation = [&](const operation_event& e) { queries += e.operation == "Query"; };
      client cc(io.get_executor(), counting);
      dt::table ct(cc, name, schema);
      auto stream = ct.query_prefix(pk, items, dt::query_options().page_size(100).limit(200));
      int got = 0;
      while (co_await stream.next()) ++got;
      EXPECT_EQ(got, 200);
      EXPECT_EQ(queries, 2u);
      EXPECT_TRUE(stream.cursor().has_value()); // more items remain
    }
    auto next_opts = dt::query_options().limit(1).start_from(*limited.cursor());
    auto one = co_await t.query(pk, dt::begins_with(items), next_opts);
    CO_ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(one[0].at("j").as_number().to<int>(), 20);

    // Reverse streams across pages too.
    auto rev = t.query_prefix(pk, items, dt::query_options().reverse().page_size(500).projection({"j"}));
    int expect = n - 1;
    while (auto it = co_await rev.next()) EXPECT_EQ(it->at("j").as_number().to<int>(), expect--);
    EXPECT_EQ(expect, -1);

    // Cancellation: a timer wins against a 1 MB page; the stream can be dropped, the client is fine.
    {
      using namespace asio::experimental::awaitable_operators;
      auto stream = t.query_prefix(pk, items);
      asio::steady_timer timer(io, std::chrono::milliseconds(1));
      auto result = co_await (stream.next() || timer.async_wait(asio::use_awaitable));
      EXPECT_EQ(result.index(), 1u);
      auto where = stream.cursor();
      CO_ASSERT_TRUE(where);
      EXPECT_TRUE(where->empty()); // nothing returned yet: from the beginning
    }
    auto still = co_await t.get(pk, dt::sort_key<Item>(item_key(5)));
    CO_ASSERT_TRUE(still);
    EXPECT_EQ(c.stats().waiting, 0u);
  });
}

TEST(Table, ValidationBeforeSending) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    dt::table t(c, "never_created_table", dt::table_schema().inverse_index());
    dt::partition_key<User> alice("alice");
    dt::sort_key<Group> g("1");
    error_code ec;
    diagnostics diag;

    ddb::item big{{"blob", std::string(410 * 1024, 'x')}};
    co_await t.put(alice, g, big, true, ec, diag);
    EXPECT_EQ(ec, client_errc::invalid_argument);
    EXPECT_EQ(diag.http_status, 0u);
    EXPECT_NE(diag.message.find("400 KB"), std::string::npos);

    ddb::item bad_utf8{{"s", std::string("\xff")}};
    co_await t.insert(alice, g, bad_utf8, ec, diag);
    EXPECT_EQ(ec, client_errc::invalid_utf8);
    ddb::item empty_set{{"s", ddb::string_set{}}};
    co_await t.insert(alice, g, empty_set, ec, diag);
    EXPECT_EQ(ec, client_errc::empty_set);
    ddb::item empty_name{{"", 1}};
    co_await t.insert(alice, g, empty_name, ec, diag);
    EXPECT_EQ(ec, client_errc::invalid_argument);
    ddb::item has_key{{"PK", "x"}};
    co_await t.insert(alice, g, has_key, ec, diag);
    EXPECT_EQ(ec, client_errc::invalid_argument);

    co_await t.put_raw("", "GROUP#1", ddb::item(), true, ec, diag);
    EXPECT_EQ(ec, client_errc::invalid_argument);
    co_await t.remove_raw("USER#a", "", false, ec, diag);
    EXPECT_EQ(ec, client_errc::invalid_argument);
    auto u = dt::update().set("SK", "moved");
    co_await t.update(alice, g, u, ec, diag);
    EXPECT_EQ(ec, client_errc::invalid_argument);
    auto empty_update = dt::update();
    co_await t.update(alice, g, empty_update, ec, diag);
    EXPECT_EQ(ec, client_errc::invalid_argument);
    auto huge_update = dt::update().set("blob", std::string(401 * 1024, 'y'));
    co_await t.update(alice, g, huge_update, ec, diag);
    EXPECT_EQ(ec, client_errc::invalid_argument);
    EXPECT_EQ(diag.http_status, 0u);

    // Queries report validation errors from the first next().
    auto bad_query = t.query_stream(alice, dt::between(dt::sort_key<Group>("a"), dt::sort_key<Group>("b")),
                                    dt::query_options().index(dt::table_index("noskidx", "X")));
    auto none = co_await bad_query.next(ec, diag);
    EXPECT_FALSE(none);
    EXPECT_EQ(ec, client_errc::invalid_argument);
    EXPECT_EQ(diag.http_status, 0u);

    // Keys refuse empty values when built; conditions refuse unknown operators.
    EXPECT_THROW(dt::partition_key<User>(""), ddb::error);
    EXPECT_THROW(dt::update().condition("a", "LIKE", 1), ddb::error);
    EXPECT_EQ(c.stats().open, 0u); // nothing was sent
  });
}

TEST(Table, SizesCursorsAndTimestamps) {
  EXPECT_EQ(dt::item_size(ddb::item{{"ab", "cde"}}), 5u);
  EXPECT_EQ(dt::item_size(ddb::item{{"n", 12345}}), 1u + 1 + 3);
  EXPECT_EQ(dt::item_size(ddb::item{{"b", true}, {"l", ddb::list{"x", 1}}}),
            1u + 1 + 1 + 3 + (1 + 1) + (1 + 2));
  dt::cursor cur(ddb::item{{"PK", "USER#a"}, {"SK", "GROUP#\xc3\xa9"}});
  EXPECT_EQ(dt::cursor::parse(cur.str()), cur);
  error_code ec;
  EXPECT_FALSE(dt::cursor::parse("garbage", ec));
  EXPECT_EQ(ec, client_errc::invalid_argument);
  EXPECT_EQ(dt::cursor::parse(dt::cursor().str()), dt::cursor());
  EXPECT_EQ(dt::format_timestamp(std::chrono::system_clock::time_point(std::chrono::seconds(1581793778))),
            "2020-02-15T19:09:38");
}
