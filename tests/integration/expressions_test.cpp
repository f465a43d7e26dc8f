// Expression builders against DynamoDB Local: conditions, filters and update actions on nested
// paths and reserved words, through the plain requests, the table layer (conditional put, update,
// remove, filtered queries and streams, models) and every transaction argument. DynamoDB Local
// parses and applies what the builders render; a malformed builder is refused before sending.
#include "ddblocal_env.hpp"

#include <ddb/expr/render.hpp>
#include <ddb/table/model.hpp>
#include <ddb/table/table.hpp>
#include <ddb/table/transact.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/describe/class.hpp>

#include <string>
#include <vector>

namespace asio = boost::asio;
namespace dt = ddb::table;
using namespace ddb_test;
using namespace ddb;
using namespace ddb::expr;

namespace {

using User = dt::named_entity<"User">;
using Group = dt::named_entity<"Group">;

std::string explain(const error_code& ec, const diagnostics& d) {
  return ec.to_string() + " [" + d.error_type + ": " + d.message + "] attempts " + std::to_string(d.attempts);
}

asio::awaitable<std::string> make_table(client& c, const std::string& base) {
  std::string name = unique_table(base);
  auto create = dt::make_create_table_request(name, dt::table_schema());
  co_await ddb_test::create_table(c, create);
  co_return name;
}

struct Account {
  std::string owner;
  std::string id;
  std::int64_t balance = 0;
  int version = 0;
  static constexpr std::string_view entity_name = "Account";
  static constexpr dt::key_fields partition_fields{"owner"};
  static constexpr dt::key_fields sort_fields{"id"};
};
BOOST_DESCRIBE_STRUCT(Account, (), (owner, id, balance, version))

} // namespace

TEST(Expressions, RequestsWithNestedPathsAndReservedWords) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    const std::string t = co_await make_table(c, "expr_requests");
    const item key{{"PK", "p"}, {"SK", "1"}};
    item stored = key;
    stored.emplace("address", item{{"city", "Lyon"}, {"zip", "69001"}});
    stored.emplace("tags", list{"a", "b", "c"});
    stored.emplace("visits", 1);
    stored.emplace("colors", string_set{"red", "blue"});
    stored.emplace("name", "xavier"); // reserved words as attribute names
    stored.emplace("size", 5);
    stored.emplace("status", "new");
    stored.emplace("a.b", "a dotted name");

    auto first = put_item_request(t, stored).condition(attribute_not_exists("PK"));
    co_await c.put_item(first);
    error_code ec;
    diagnostics diag;
    co_await c.execute(first, ec, diag);
    EXPECT_EQ(ec, service_errc::conditional_check_failed) << explain(ec, diag);

    // Every condition function at once, then every kind of action.
    auto when = attr("address.city") == "Lyon" && size("tags") == 3 && contains("colors", "red") &&
                attribute_type("visits", type::number) && in(attr("status"), {"new", "paid"}) &&
                between(attr("visits"), 0, 10) && begins_with("name", "xav") &&
                !attribute_exists("deleted") && (attr("size") > 100 || attr("size") == 5) &&
                attr("visits") > 0 && path::name("a.b") != "x" && attr("tags[1]") == "b";
    auto actions = update_actions()
                       .set("address.city", "Paris")
                       .set("visits", attr("visits") + 1)
                       .set("left", attr("size") - 2)
                       .set("log", list_append(if_not_exists("log", list()), list{"login"}))
                       .set("first", if_not_exists("first", "yes"))
                       .set(path::name("a.b"), "renamed")
                       .remove("tags[0]")
                       .add("score", 10)
                       .remove_elements("colors", string_set{"red"});
    auto update =
        update_item_request(t, key).update(actions).condition(when).return_values(return_value::all_new);
    auto r = co_await c.execute(update, ec, diag);
    CO_ASSERT_TRUE(!ec);
    CO_ASSERT_TRUE(r.attributes.has_value());
    auto& a = *r.attributes;
    EXPECT_EQ(a.at("address").as_map().at("city").as_string(), "Paris");
    EXPECT_EQ(a.at("address").as_map().at("zip").as_string(), "69001");
    EXPECT_EQ(a.at("visits").as_number().to<int>(), 2);
    EXPECT_EQ(a.at("left").as_number().to<int>(), 3);
    EXPECT_EQ(a.at("log").as_list().size(), 1u);
    EXPECT_EQ(a.at("first").as_string(), "yes");
    EXPECT_EQ(a.at("a.b").as_string(), "renamed");
    EXPECT_FALSE(a.count("a")) << "path::name(\"a.b\") made a nested attribute";
    CO_ASSERT_EQ(a.at("tags").as_list().size(), 2u);
    EXPECT_EQ(a.at("tags").as_list()[0].as_string(), "b");
    EXPECT_EQ(a.at("score").as_number().to<int>(), 10);
    EXPECT_EQ(a.at("colors").as_string_set(), (string_set{"blue"}));

    // The same condition no longer holds: the city is Paris now.
    auto again = update_item_request(t, key).update(actions).condition(when);
    co_await c.execute(again, ec, diag);
    EXPECT_EQ(ec, service_errc::conditional_check_failed) << explain(ec, diag);

    // Precedence: (a OR b) AND false is false; without the parentheses it would be true.
    auto grouped = (attr("size") == 5 || attr("size") == 6) && attr("status") == "zzz";
    auto guarded = delete_item_request(t, key).condition(grouped);
    co_await c.execute(guarded, ec, diag);
    EXPECT_EQ(ec, service_errc::conditional_check_failed)
        << "a condition lost its parentheses: " << guarded.condition();

    // Delete with a condition on a nested path.
    auto keep = delete_item_request(t, key).condition(attr("address.city") == "Lyon");
    co_await c.execute(keep, ec, diag);
    EXPECT_EQ(ec, service_errc::conditional_check_failed) << explain(ec, diag);

    // Query: key condition and filter from builders.
    for (int i = 0; i < 6; ++i) {
      auto put =
          put_item_request(t, item{{"PK", "q"}, {"SK", "O#" + std::to_string(i)}, {"meta", item{{"n", i}}}});
      co_await c.put_item(put);
    }
    auto q = query_request(t)
                 .key_condition(attr("PK") == "q" && begins_with("SK", "O#"))
                 .filter(attr("meta.n") >= 3);
    auto page = co_await c.query(q);
    EXPECT_EQ(page.count(), 3u);
    auto s = scan_request(t).filter(attr("meta.n") < 2 || attr("status") == "new");
    auto scanned = co_await c.scan(s);
    EXPECT_EQ(scanned.count(), 3u) << "two with meta.n < 2 and the first item";

    // A malformed builder: refused before anything is sent.
    auto bad = update_item_request(t, key).update(update_actions().set("a", 1).set("a.b", 2));
    co_await c.execute(bad, ec, diag);
    EXPECT_EQ(ec, client_errc::invalid_expression) << explain(ec, diag);
    EXPECT_EQ(diag.attempts, 0u);
    EXPECT_NE(diag.message.find("overlapping"), std::string::npos) << diag.message;

    auto drop = delete_table_request(t);
    co_await c.delete_table(drop);
  });
}

TEST(Expressions, TableLayerConditionsFiltersAndTransactions) {
  DDB_SKIP_ON_DYNALITE("transactions (TransactWriteItems)");
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    const std::string name = co_await make_table(c, "expr_table");
    dt::table t(c, name, dt::table_schema());
    const dt::partition_key<User> alice("alice");
    const dt::sort_key<Group> g1("1"), g2("2"), missing("404");
    error_code ec;
    diagnostics diag;

    item profile{{"profile", item{{"name", "A"}}}, {"visits", 0}, {"tags", list{"x", "y", "z"}}};
    co_await t.insert(alice, g1, profile);
    auto u = dt::update()
                 .set("profile.city", "Paris")
                 .set("visits", attr("visits") + 2)
                 .remove("tags[1]")
                 .condition(attr("profile.name") == "A" && size("tags") == 3)
                 .condition_exists()
                 .return_new();
    auto after = co_await t.update(alice, g1, u);
    CO_ASSERT_TRUE(after.has_value());
    EXPECT_EQ(after->at("profile").as_map().at("city").as_string(), "Paris");
    EXPECT_EQ(after->at("visits").as_number().to<int>(), 2);
    EXPECT_EQ(after->at("tags").as_list().size(), 2u);
    // condition_exists() still holds with a builder condition: a missing item is not created.
    co_await t.update(alice, missing, u, ec, diag);
    EXPECT_EQ(ec, service_errc::conditional_check_failed) << explain(ec, diag);
    auto key_change = dt::update().set("PK.x", 1);
    co_await t.update(alice, g1, key_change, ec, diag);
    EXPECT_EQ(ec, client_errc::invalid_argument) << explain(ec, diag);

    // Conditional put and remove.
    // (GCC 12: conditions with string literals are named before the co_await.)
    item replaced{{"visits", 100}};
    auto is_99 = attr("visits") == 99, is_2 = attr("visits") == 2, below = attr("visits") < 100,
         is_100 = attr("visits") == 100;
    co_await t.put(alice, g1, replaced, is_99, ec, diag);
    EXPECT_EQ(ec, service_errc::conditional_check_failed) << explain(ec, diag);
    co_await t.put(alice, g1, replaced, is_2);
    co_await t.remove(alice, g1, below, ec, diag);
    EXPECT_EQ(ec, service_errc::conditional_check_failed) << explain(ec, diag);
    co_await t.remove(alice, g1, is_100);
    auto gone = co_await t.get(alice, g1);
    EXPECT_FALSE(gone.has_value());

    // Filtered queries and streams.
    for (int i = 0; i < 8; ++i) {
      const dt::sort_key<Group> g("f" + std::to_string(i));
      item it{{"n", i}, {"kind", i % 2 ? "odd" : "even"}};
      co_await t.insert(alice, g, it);
    }
    auto filtered = dt::query_options().filter(attr("n") >= 5);
    auto items = co_await t.query(alice, {}, filtered);
    EXPECT_EQ(items.size(), 3u);
    auto evens = dt::query_options().filter(attr("kind") == "even").page_size(2).limit(3);
    const dt::prefix_sort_key<Group> groups;
    auto stream = t.query_prefix(alice, groups, evens);
    std::vector<int> seen;
    while (auto it = co_await stream.next()) {
      const ddb::value& n = it->at("n");
      seen.push_back(n.as_number().to<int>());
    }
    EXPECT_EQ(seen, (std::vector<int>{0, 2, 4})) << "limit counts the items that pass the filter";

    // Every transaction argument with builders.
    item group{{"members", 1}, {"open", true}};
    co_await t.insert(alice, g2, group);
    auto tx =
        dt::transaction()
            .add(dt::update_arg(
                alice, g2, dt::update().add("members", 1).condition(attr("open") == true).condition_exists()))
            .add(dt::condition_check_arg(alice, dt::sort_key<Group>("f1"), attr("kind") == "odd"))
            .add(dt::put_arg(alice, dt::sort_key<Group>("f2"), item{{"n", 20}}).condition(attr("n") == 2))
            .add(dt::delete_arg(alice, dt::sort_key<Group>("f3")).condition(attribute_exists("kind")))
            .add(dt::update_arg(alice, dt::sort_key<Group>("f4"), update_actions().set("n", attr("n") - 4)));
    co_await dt::transact_write(c, name, tx, dt::table_schema());
    auto g2_after = co_await t.get(alice, g2);
    CO_ASSERT_TRUE(g2_after.has_value());
    EXPECT_EQ(g2_after->at("members").as_number().to<int>(), 2);
    const dt::sort_key<Group> f4_key("f4"), f3_key("f3");
    auto f4 = co_await t.get(alice, f4_key);
    CO_ASSERT_TRUE(f4.has_value());
    EXPECT_EQ(f4->at("n").as_number().to<int>(), 0);
    auto f3 = co_await t.get(alice, f3_key);
    EXPECT_FALSE(f3.has_value());

    // update_arg's condition_exists() on a missing item cancels the transaction.
    auto absent = dt::transaction().add(
        dt::update_arg(alice, missing, dt::update().add("members", 1).condition_exists()));
    try {
      co_await dt::transact_write(c, name, absent, dt::table_schema());
      ADD_FAILURE() << "an update of a missing item with condition_exists() applied";
    } catch (const dt::transaction_error& e) {
      CO_ASSERT_EQ(e.failures().size(), 1u);
      EXPECT_EQ(e.failures()[0].code, "ConditionalCheckFailed");
    }
    auto created = co_await t.get(alice, missing);
    EXPECT_FALSE(created.has_value());

    // Models with a condition.
    Account acct;
    acct.owner = "alice";
    acct.id = "checking";
    acct.balance = 10;
    co_await t.put(acct);
    acct.balance = 5;
    acct.version = 1;
    auto stale = dt::field<&Account::version>() == 7,
         fresh = dt::field<&Account::version>() == 0 && dt::field<&Account::balance>() >= 5;
    co_await t.put(acct, stale, ec, diag);
    EXPECT_EQ(ec, service_errc::conditional_check_failed) << explain(ec, diag);
    co_await t.put(acct, fresh);
    auto back = co_await t.get(acct);
    CO_ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->balance, 5);

    auto drop = delete_table_request(name);
    co_await c.delete_table(drop);
  });
}
