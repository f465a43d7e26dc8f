// Models all the way, against DynamoDB Local: the single-table-orm wiki's models (composite keys,
// a sparse GSI1, the table name from DB_TABLE_NAME) through table.put/insert/get/query/remove,
// model streams with a conversion error tied to the item's key, transactions of model actions,
// and batches of models.
#include "ddblocal_env.hpp"

#include <ddb/table/batch.hpp>
#include <ddb/table/model.hpp>
#include <ddb/table/table.hpp>
#include <ddb/table/transact.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/describe/class.hpp>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace dt = ddb::table;
using namespace ddb_test;
using namespace ddb;

namespace {

// The wiki's example row, with `owner` as a sparse GSI1 key.
struct Integration {
  std::string tenant_name;
  std::string integration_id;
  bool locked = false;
  std::optional<std::string> last_seen_run;
  bool enabled = false;
  std::string notebook_path;
  std::int64_t created_on = 0;
  std::vector<std::string> static_files;
  std::vector<std::string> dynamic_files;
  std::optional<std::string> owner;

  static constexpr std::string_view entity_name = "Integrations";
  static constexpr dt::key_fields partition_fields{"tenant_name"};
  static constexpr dt::key_fields sort_fields{"integration_id"};
  static constexpr dt::key_fields gsi1_fields{"owner"};

  friend bool operator==(const Integration&, const Integration&) = default;
};
BOOST_DESCRIBE_STRUCT(Integration, (),
                      (tenant_name, integration_id, locked, last_seen_run, enabled, notebook_path, created_on,
                       static_files, dynamic_files, owner))

// The wiki's composite rule: A#<apple>#B#<banana>#C#<coconut>#Fruit.
struct Fruit {
  std::string apple, banana, coconut, date;
  int weight = 0;
  static constexpr std::string_view entity_name = "Fruit";
  static constexpr dt::key_fields partition_fields{"apple", "banana", "coconut"};
  static constexpr dt::key_fields sort_fields{"date"};
};
BOOST_DESCRIBE_STRUCT(Fruit, (), (apple, banana, coconut, date, weight))

Integration integration(std::string id, std::optional<std::string> owner = std::nullopt) {
  Integration m;
  m.tenant_name = "tenant-2";
  m.integration_id = std::move(id);
  m.enabled = true;
  m.last_seen_run = "run_21901";
  m.notebook_path = "s3://bucket/notebooks/" + m.integration_id;
  m.created_on = 17000000;
  m.static_files = {"a.csv", "b.csv"};
  m.owner = std::move(owner);
  return m;
}

Integration probe(std::string id) {
  Integration p;
  p.tenant_name = "tenant-2";
  p.integration_id = std::move(id);
  return p;
}

std::string explain(const error_code& ec, const diagnostics& d) {
  return ec.to_string() + " [" + d.error_type + ": " + d.message + "] attempts " + std::to_string(d.attempts);
}

// DB_TABLE_NAME for the duration of a test.
struct table_name_env {
  explicit table_name_env(const std::string& name) { ::setenv("DB_TABLE_NAME", name.c_str(), 1); }
  ~table_name_env() { ::unsetenv("DB_TABLE_NAME"); }
};

} // namespace

TEST(TableModels, PutGetQueryRemoveAndConversionErrors) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    auto schema = dt::table_schema().gsi1();
    const std::string name = unique_table("models");
    auto create = dt::make_create_table_request(name, schema);
    co_await ddb_test::create_table(c, create);
    table_name_env env(name);
    dt::table t(c, schema); // the name from DB_TABLE_NAME, as single-table-orm reads it
    EXPECT_EQ(t.name(), name);

    for (const char* id : {"INT0001", "INT0002", "INT0003"}) {
      auto m = integration(id, std::string(id) == "INT0002" ? std::optional<std::string>("squidward")
                                                            : std::nullopt);
      co_await t.insert(m);
    }
    // The stored item: the wiki's keys, GSI1PK only where owner is set.
    auto raw_key = dt::model_key(probe("INT0002")).to_item();
    auto raw_get = get_item_request(name, raw_key);
    auto raw = co_await c.get_item(raw_get);
    CO_ASSERT_TRUE(raw.item.has_value());
    EXPECT_EQ(raw.item->at("PK").as_string(), "T#tenant-2#Integrations");
    EXPECT_EQ(raw.item->at("SK").as_string(), "I#INT0002");
    EXPECT_EQ(raw.item->at("GSI1PK").as_string(), "O#squidward#Integrations");
    auto raw1_get = get_item_request(name, dt::model_key(probe("INT0001")).to_item());
    auto raw1 = co_await c.get_item(raw1_get);
    EXPECT_FALSE(raw1.item && raw1.item->count("GSI1PK")) << "a sparse GSI1 key was written while unset";

    // insert of an existing model fails typed; put replaces it.
    error_code ec;
    diagnostics diag;
    auto again = integration("INT0001");
    co_await t.put(again, false, ec, diag);
    EXPECT_EQ(ec, service_errc::conditional_check_failed) << explain(ec, diag);
    again.locked = true;
    co_await t.put(again);

    const auto p1 = probe("INT0001"), p3 = probe("INT0003"), p999 = probe("INT0999"), tenant = probe("");
    auto got = co_await t.get(p1);
    CO_ASSERT_TRUE(got.has_value());
    EXPECT_EQ(*got, again);
    const auto key3 = dt::model_key(p3);
    auto by_key = co_await t.get<Integration>(key3);
    CO_ASSERT_TRUE(by_key.has_value());
    EXPECT_EQ(*by_key, integration("INT0003"));
    auto missing = co_await t.get(p999);
    EXPECT_FALSE(missing.has_value());

    // Every model of the partition, in sort key order; the GSI1 partition of an owner.
    auto all = co_await t.query(tenant);
    CO_ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].integration_id, "INT0001");
    EXPECT_EQ(all[2].integration_id, "INT0003");
    Integration owned;
    owned.owner = "squidward";
    auto on_gsi1 = dt::query_options().index(dt::table_index::gsi1());
    auto by_owner = co_await t.query(owned, dt::sort_condition(), on_gsi1);
    CO_ASSERT_EQ(by_owner.size(), 1u);
    EXPECT_EQ(by_owner[0].integration_id, "INT0002");
    auto after_first = dt::sort_condition(dt::sort_condition::op::greater, "I#INT0001");
    auto some = co_await t.query(tenant, after_first);
    EXPECT_EQ(some.size(), 2u);

    // An item of another shape in the partition: that next() fails with the item's key, the next
    // one goes on.
    item bad = dt::to_item(integration("BAD"));
    bad.insert_or_assign("enabled", ddb::value("yes"));
    auto put_bad = put_item_request(name, bad);
    co_await c.put_item(put_bad);
    auto stream = t.query_stream(tenant);
    auto first = co_await stream.next(ec, diag);
    EXPECT_EQ(ec, client_errc::wrong_type) << explain(ec, diag);
    EXPECT_FALSE(first.has_value());
    EXPECT_NE(diag.message.find("SK=I#BAD"), std::string::npos) << diag.message;
    EXPECT_NE(diag.message.find("enabled"), std::string::npos)
        << "the attribute is not named: " << diag.message;
    CO_ASSERT_TRUE(diag.conversion_key.has_value());
    EXPECT_EQ(diag.conversion_key->at("SK").as_string(), "I#BAD");
    auto second = co_await stream.next(ec, diag);
    EXPECT_FALSE(ec) << explain(ec, diag);
    CO_ASSERT_TRUE(second.has_value());
    EXPECT_EQ(second->integration_id, "INT0001");
    try {
      co_await t.query(tenant);
      ADD_FAILURE() << "query() read an item of another shape";
    } catch (const ddb::error& e) {
      EXPECT_EQ(e.code(), client_errc::wrong_type);
      EXPECT_TRUE(e.diag().conversion_key.has_value());
    }

    // A model without its key fields fails before anything is sent.
    Integration keyless;
    co_await t.put(keyless, true, ec, diag);
    EXPECT_EQ(ec, client_errc::invalid_argument) << explain(ec, diag);
    EXPECT_EQ(diag.attempts, 0u);
    auto nothing = co_await t.get(keyless, dt::get_options(), ec, diag);
    EXPECT_EQ(ec, client_errc::invalid_argument) << explain(ec, diag);
    EXPECT_FALSE(nothing.has_value());
    auto no_stream = t.query_stream(keyless);
    co_await no_stream.next(ec, diag);
    EXPECT_EQ(ec, client_errc::invalid_argument) << explain(ec, diag);

    co_await t.remove(p3);
    auto removed = co_await t.get(p3);
    EXPECT_FALSE(removed.has_value());

    // The wiki's composite partition key.
    Fruit f;
    f.apple = "a";
    f.banana = "b";
    f.coconut = "c";
    f.date = "2024-01-01";
    f.weight = 120;
    co_await t.put(f);
    auto fruit_key = dt::model_key(f).to_item();
    auto fruit_get = get_item_request(name, fruit_key);
    auto fruit_raw = co_await c.get_item(fruit_get);
    CO_ASSERT_TRUE(fruit_raw.item.has_value());
    EXPECT_EQ(fruit_raw.item->at("PK").as_string(), "A#a#B#b#C#c#Fruit");
    auto fruit = co_await t.get(f);
    CO_ASSERT_TRUE(fruit.has_value());
    EXPECT_EQ(fruit->weight, 120);

    auto drop = delete_table_request(name);
    co_await c.delete_table(drop);
  });
}

TEST(TableModels, TransactionsAndBatchesOfModels) {
  DDB_SKIP_ON_DYNALITE("transactions (TransactWriteItems, TransactGetItems)");
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    auto schema = dt::table_schema().gsi1();
    const std::string name = unique_table("models_tx");
    auto create = dt::make_create_table_request(name, schema);
    co_await ddb_test::create_table(c, create);
    dt::table t(c, name, schema);

    std::vector<Integration> models;
    for (int i = 0; i < 30; ++i)
      models.push_back(integration("B" + std::to_string(100 + i),
                                   i % 10 == 0 ? std::optional<std::string>("patrick") : std::nullopt));
    auto written = co_await dt::batch_write(c, name, models, std::vector<dt::item_key>(), schema);
    EXPECT_TRUE(written.complete());
    std::vector<dt::item_key> keys;
    for (auto& m : models) keys.push_back(dt::model_key(m));
    auto got = co_await dt::batch_get(c, name, keys, schema);
    EXPECT_EQ(got.found(), 30u);
    auto* seventh = got.find(keys[7]);
    CO_ASSERT_TRUE(seventh && *seventh);
    EXPECT_EQ(dt::from_item<Integration>(**seventh), models[7]);
    Integration patrick;
    patrick.owner = "patrick";
    auto on_gsi1 = dt::query_options().index(dt::table_index::gsi1());
    auto owned = co_await t.query(patrick, dt::sort_condition(), on_gsi1);
    EXPECT_EQ(owned.size(), 3u) << "GSI1PK from batch_write of models";

    // A transaction of model actions: insert a new one, delete one, check a third, update a fourth.
    auto fresh = integration("NEW1", std::string("patrick"));
    auto tx = dt::transaction()
                  .add(dt::insert_arg(fresh))
                  .add(dt::delete_arg(probe("B101")))
                  .add(dt::condition_check_arg(probe("B102"), "attribute_exists(PK)"))
                  .add(dt::update_arg(probe("B103"), "SET locked = :t").value(":t", true));
    co_await dt::transact_write(c, name, tx, schema);
    const auto new1 = probe("NEW1"), b101 = probe("B101"), b103 = probe("B103"), b104 = probe("B104");
    auto now_there = co_await t.get(new1);
    CO_ASSERT_TRUE(now_there.has_value());
    EXPECT_EQ(*now_there, fresh);
    auto gone = co_await t.get(b101);
    EXPECT_FALSE(gone.has_value());
    auto updated = co_await t.get(b103);
    CO_ASSERT_TRUE(updated.has_value());
    EXPECT_TRUE(updated->locked);
    auto owned_after = co_await t.query(patrick, dt::sort_condition(), on_gsi1);
    EXPECT_EQ(owned_after.size(), 4u) << "GSI1PK from insert_arg of a model";

    // Inserting an existing model cancels the transaction, tied to its action.
    auto dup = dt::transaction().add(dt::insert_arg(models[0])).add(dt::delete_arg(probe("B104")));
    try {
      co_await dt::transact_write(c, name, dup, schema);
      ADD_FAILURE() << "inserting an existing model did not cancel the transaction";
    } catch (const dt::transaction_error& e) {
      CO_ASSERT_EQ(e.failures().size(), 1u);
      EXPECT_EQ(e.failures()[0].index, 0u);
      EXPECT_EQ(e.failures()[0].key, dt::model_key(models[0]));
    }
    auto kept = co_await t.get(b104);
    EXPECT_TRUE(kept.has_value()) << "a canceled transaction deleted an item";

    auto drop = delete_table_request(name);
    co_await c.delete_table(drop);
  });
}
