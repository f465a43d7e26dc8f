// The control-plane operations a service needs beyond the data plane, against the server:
// UpdateTable (an index created, used and deleted; streams; capacity; deletion protection),
// CreateTable's extras, DescribeTimeToLive, tags and DescribeLimits.
#include "ddblocal_env.hpp"

#include <ddb/client.hpp>
#include <ddb/error.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <iostream>

namespace asio = boost::asio;
using namespace ddb_test;
using namespace ddb;

namespace {

std::string explain(const error_code& ec, const diagnostics& d) {
  return ec.to_string() + " [" + d.error_type + ": " + d.message + "]";
}

create_table_request pk_sk_table(const std::string& name) {
  return create_table_request(name, key_schema("PK", "SK"))
      .attribute("PK", value_type::string)
      .attribute("SK", value_type::string);
}

const index_description* find_index(const table_description& d, std::string_view name) {
  for (auto& i : d.global_secondary_indexes)
    if (i.index_name == name) return &i;
  return nullptr;
}

} // namespace

TEST(ControlPlane, CreateTableExtrasAreApplied) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    const std::string t = unique_table("cp_extras");
    auto req = pk_sk_table(t).tag("team", "storage").tag("env", "test");
    if (!on_dynalite())
      req.stream(stream_specification::enabled(stream_view_type::new_and_old_images))
          .table_class(table_class::standard_infrequent_access)
          .deletion_protection(true);
    auto created = co_await c.create_table(req);
    EXPECT_EQ(created.table_name, t);
    auto d = co_await c.wait_until_table_exists(t, test_waiter());
    if (on_dynalite()) {
      std::cout << "[ dynalite ] no streams, DeletionProtectionEnabled, TableClass: not checked\n";
    } else {
      CO_ASSERT_TRUE(d.stream_specification);
      EXPECT_TRUE(d.stream_specification->stream_enabled);
      EXPECT_EQ(d.stream_specification->view_type, "NEW_AND_OLD_IMAGES");
      EXPECT_FALSE(d.latest_stream_arn.empty());
      EXPECT_EQ(d.deletion_protection_enabled, std::optional<bool>(true));
      // DynamoDB Local takes TableClass but describes no TableClassSummary (parse_test reads
      // one in a body of AWS's shape).
      EXPECT_TRUE(d.table_class.empty() || d.table_class == "STANDARD_INFREQUENT_ACCESS") << d.table_class;

      // Deletion protection: DeleteTable is refused until UpdateTable turns it off.
      error_code ec;
      diagnostics diag;
      co_await c.execute(delete_table_request(t), ec, diag);
      EXPECT_EQ(ec, service_errc::validation) << explain(ec, diag);
      co_await c.update_table(update_table_request(t).deletion_protection(false));
      d = co_await c.wait_until_table_exists(t, test_waiter());
      EXPECT_EQ(d.deletion_protection_enabled, std::optional<bool>(false));
    }

    // CreateTable's Tags are sent, but neither server keeps them: DynamoDB Local has no tagging
    // ("Tagging is not currently supported") and dynalite drops them; TagResource is tested below.
    co_await c.delete_table(delete_table_request(t));
  });
}

TEST(ControlPlane, UpdateTableCreatesUsesAndDeletesAnIndex) {
  DDB_SKIP_ON_DYNALITE("on-demand indexes in UpdateTable (it asks for their ProvisionedThroughput)");
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    const std::string t = unique_table("cp_gsi");
    co_await create_table(c, pk_sk_table(t));
    const std::string by_email = "ByEmail";
    const auto put = put_item_request(t, item{{"PK", "USER#1"}, {"SK", "A"}, {"email", "a@example.com"}});
    co_await c.put_item(put);

    // An index added to a table that has items: CREATING (backfilled), then ACTIVE.
    const auto add_index =
        update_table_request(t)
            .attribute("email", value_type::string)
            .create_global_secondary_index(global_secondary_index(by_email, key_schema("email")));
    auto updated = co_await c.update_table(add_index);
    EXPECT_EQ(updated.table_name, t);
    auto d = co_await c.wait_until_table_exists(t, test_waiter());
    auto* gsi = find_index(d, by_email);
    CO_ASSERT_TRUE(gsi);
    EXPECT_EQ(gsi->index_status, "ACTIVE");

    auto q = query_request(t).index(by_email).key_condition("email = :e").value(":e", "a@example.com");
    auto found = co_await c.query(q);
    CO_ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].at("PK").as_string(), "USER#1");

    // Two index changes in one call are refused before anything is sent.
    error_code ec;
    diagnostics diag;
    const auto two_changes =
        update_table_request(t)
            .delete_global_secondary_index(by_email)
            .attribute("x", value_type::string)
            .create_global_secondary_index(global_secondary_index("ByX", key_schema("x")));
    co_await c.execute(two_changes, ec, diag);
    EXPECT_EQ(ec, client_errc::invalid_argument) << explain(ec, diag);

    const auto drop_index = update_table_request(t).delete_global_secondary_index(by_email);
    co_await c.update_table(drop_index);
    for (int i = 0; i < 200; ++i) { // the index goes DELETING, then away
      d = co_await c.describe_table(describe_table_request(t));
      if (!find_index(d, by_email)) break;
      asio::steady_timer wait(io, std::chrono::milliseconds(50));
      co_await wait.async_wait(asio::use_awaitable);
    }
    EXPECT_FALSE(find_index(d, by_email));
    co_await c.delete_table(delete_table_request(t));
  });
}

TEST(ControlPlane, UpdateTableStreamAndCapacity) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    const std::string t = unique_table("cp_stream");
    co_await create_table(c, pk_sk_table(t).provisioned_throughput(5, 5));

    table_description d;
    if (on_dynalite()) {
      std::cout << "[ dynalite ] no streams: StreamSpecification not checked\n";
    } else {
      const auto stream_on =
          update_table_request(t).stream(stream_specification::enabled(stream_view_type::keys_only));
      co_await c.update_table(stream_on);
      d = co_await c.wait_until_table_exists(t, test_waiter());
      CO_ASSERT_TRUE(d.stream_specification);
      EXPECT_TRUE(d.stream_specification->stream_enabled);
      EXPECT_EQ(d.stream_specification->view_type, "KEYS_ONLY");
      EXPECT_FALSE(d.latest_stream_arn.empty());
    }

    co_await c.update_table(update_table_request(t).provisioned_throughput(7, 9));
    d = co_await c.wait_until_table_exists(t, test_waiter());
    CO_ASSERT_TRUE(d.provisioned_throughput);
    EXPECT_EQ(d.provisioned_throughput->read_capacity_units, 7u);
    EXPECT_EQ(d.provisioned_throughput->write_capacity_units, 9u);

    // A change to nothing is refused here, not by the server.
    error_code ec;
    diagnostics diag;
    co_await c.execute(update_table_request(t), ec, diag);
    EXPECT_EQ(ec, client_errc::invalid_argument) << explain(ec, diag);
    co_await c.delete_table(delete_table_request(t));
  });
}

TEST(ControlPlane, TimeToLiveIsDescribed) {
  DDB_SKIP_ON_DYNALITE("TTL (UpdateTimeToLive, DescribeTimeToLive)");
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    const std::string t = unique_table("cp_ttl");
    co_await create_table(c, pk_sk_table(t));
    auto before = co_await c.describe_time_to_live(describe_time_to_live_request(t));
    EXPECT_EQ(before.time_to_live_status, "DISABLED");
    const auto enable = update_time_to_live_request(t, "expires_at");
    co_await c.update_time_to_live(enable);
    auto after = co_await c.describe_time_to_live(describe_time_to_live_request(t));
    EXPECT_EQ(after.time_to_live_status, "ENABLED");
    EXPECT_EQ(after.attribute_name, "expires_at");
    co_await c.delete_table(delete_table_request(t));
  });
}

TEST(ControlPlane, TagsAreAddedListedAndRemoved) {
  if (!on_dynalite())
    GTEST_SKIP() << "DynamoDB Local: \"Tagging is not currently supported\" (dynalite has it)";
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    const std::string t = unique_table("cp_tags");
    auto d = co_await create_table(c, pk_sk_table(t));
    CO_ASSERT_TRUE(!d.table_arn.empty());

    const auto add_tags = tag_resource_request(d.table_arn).tag("owner", "ddb").tag("cost", "42");
    co_await c.tag_resource(add_tags);
    auto listed = co_await c.list_tags_of_resource(list_tags_of_resource_request(d.table_arn));
    std::sort(listed.tags.begin(), listed.tags.end(), [](auto& a, auto& b) { return a.key < b.key; });
    EXPECT_EQ(listed.tags, (std::vector<tag>{{"cost", "42"}, {"owner", "ddb"}}));

    const auto remove_tag = untag_resource_request(d.table_arn).key("cost");
    co_await c.untag_resource(remove_tag);
    listed = co_await c.list_tags_of_resource(list_tags_of_resource_request(d.table_arn));
    EXPECT_EQ(listed.tags, (std::vector<tag>{{"owner", "ddb"}}));

    // Bad input is typed and unsent: not an ARN, no tags, one key twice.
    for (auto bad : {tag_resource_request(t).tag("a", "b"), tag_resource_request(d.table_arn),
                     tag_resource_request(d.table_arn).tag("k", "1").tag("k", "2")}) {
      error_code ec;
      diagnostics diag;
      co_await c.execute(bad, ec, diag);
      EXPECT_EQ(ec, client_errc::invalid_argument) << explain(ec, diag);
    }
    co_await c.delete_table(delete_table_request(t));
  });
}

TEST(ControlPlane, DescribeLimits) {
  DDB_SKIP_ON_DYNALITE("DescribeLimits");
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    auto limits = co_await c.describe_limits();
    EXPECT_GT(limits.account_max_read_capacity_units, 0u);
    EXPECT_GT(limits.account_max_write_capacity_units, 0u);
    EXPECT_GT(limits.table_max_read_capacity_units, 0u);
    EXPECT_GT(limits.table_max_write_capacity_units, 0u);
    EXPECT_LE(limits.table_max_read_capacity_units, limits.account_max_read_capacity_units);
  });
}
