// The waiters' pure decisions and ensure_table's schema comparison.
#include <ddb/table/ensure_table.hpp>
#include <ddb/waiters.hpp>

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using ddb::waiter_decision;
using ms = std::chrono::milliseconds;

namespace {

ddb::table_description table(std::string status) {
  ddb::table_description t;
  t.table_name = "t";
  t.table_status = std::move(status);
  return t;
}

ddb::index_description gsi(std::string name, std::string status) {
  ddb::index_description i;
  i.index_name = std::move(name);
  i.index_status = std::move(status);
  return i;
}

} // namespace

TEST(Waiters, DefaultsAreTheSdks) {
  ddb::waiter_options o;
  EXPECT_EQ(o.min_delay(), 20s);
  EXPECT_EQ(o.max_delay(), 120s);
  EXPECT_EQ(o.max_wait(), 500s);
  EXPECT_TRUE(o.indexes());
  EXPECT_FALSE(o.validate());
}

TEST(Waiters, InvalidOptions) {
  EXPECT_EQ(ddb::waiter_options().min_delay(0ms).validate(), ddb::client_errc::invalid_argument);
  EXPECT_EQ(ddb::waiter_options().min_delay(5s).max_delay(1s).validate(), ddb::client_errc::invalid_argument);
  EXPECT_EQ(ddb::waiter_options().max_wait(0ms).validate(), ddb::client_errc::invalid_argument);
}

TEST(Waiters, DelayIsExponentialWithJitterUpToMax) {
  ddb::waiter_options o; // 20 s .. 120 s, 500 s in all
  // Jitter 0: always min_delay. Jitter ~1: min * 2^(attempt-1), capped at max_delay.
  EXPECT_EQ(ddb::waiter_delay(o, 1, 0ms, 0.0), 20s);
  EXPECT_EQ(ddb::waiter_delay(o, 1, 0ms, 0.999999), 20s);
  EXPECT_EQ(ddb::waiter_delay(o, 2, 0ms, 0.0), 20s);
  EXPECT_NEAR(ddb::waiter_delay(o, 2, 0ms, 0.999999).count(), 40000, 1);
  EXPECT_NEAR(ddb::waiter_delay(o, 3, 0ms, 0.999999).count(), 80000, 1);
  EXPECT_NEAR(ddb::waiter_delay(o, 4, 0ms, 0.999999).count(), 120000, 1); // 160 s capped
  EXPECT_NEAR(ddb::waiter_delay(o, 30, 0ms, 0.999999).count(), 120000, 1);
  EXPECT_NEAR(ddb::waiter_delay(o, 3, 0ms, 0.5).count(), 50000, 1); // 20 + (80-20)/2
}

TEST(Waiters, DelayNeverPassesTheDeadline) {
  ddb::waiter_options o; // the last attempt comes at least min_delay before max_wait
  EXPECT_EQ(ddb::waiter_delay(o, 10, 400s, 0.999999), 80s);  // 100 s left: 120 s cut to 80 s
  EXPECT_EQ(ddb::waiter_delay(o, 10, 470s, 0.999999), 10s);  // 30 s left
  EXPECT_EQ(ddb::waiter_delay(o, 10, 480s, 0.0), 0s);        // exactly min_delay left
  EXPECT_LT(ddb::waiter_delay(o, 10, 481s, 0.0).count(), 0); // no time for another attempt
}

TEST(Waiters, TableExists) {
  auto o = ddb::waiter_options().min_delay(10ms).max_delay(40ms).max_wait(1s);
  ddb::error_code none;
  auto active = ddb::table_exists_decision(o, none, table("ACTIVE"), 1, 0ms, 0.0);
  EXPECT_EQ(active.what, waiter_decision::action::done);

  auto creating = ddb::table_exists_decision(o, none, table("CREATING"), 1, 0ms, 0.0);
  EXPECT_EQ(creating.what, waiter_decision::action::retry);
  EXPECT_EQ(creating.delay, 10ms);
  EXPECT_EQ(creating.state, "CREATING");

  auto missing = ddb::table_exists_decision(o, ddb::service_errc::resource_not_found,
                                            ddb::table_description{}, 2, 0ms, 0.0);
  EXPECT_EQ(missing.what, waiter_decision::action::retry);
  EXPECT_EQ(missing.state, "not found");

  auto denied =
      ddb::table_exists_decision(o, ddb::service_errc::access_denied, ddb::table_description{}, 1, 0ms, 0.0);
  EXPECT_EQ(denied.what, waiter_decision::action::failed);

  auto late = ddb::table_exists_decision(o, none, table("CREATING"), 40, 995ms, 0.0);
  EXPECT_EQ(late.what, waiter_decision::action::timed_out);
  EXPECT_EQ(late.state, "CREATING");
}

TEST(Waiters, TableExistsWaitsForIndexesUnlessTold) {
  auto o = ddb::waiter_options().min_delay(10ms).max_delay(40ms).max_wait(1s);
  auto t = table("ACTIVE");
  t.global_secondary_indexes = {gsi("GSI_1", "ACTIVE"), gsi("GSI1", "CREATING")};
  auto d = ddb::table_exists_decision(o, {}, t, 1, 0ms, 0.0);
  EXPECT_EQ(d.what, waiter_decision::action::retry);
  EXPECT_EQ(d.state, "ACTIVE, GSI GSI1 CREATING");
  EXPECT_EQ(ddb::table_exists_decision(o.indexes(false), {}, t, 1, 0ms, 0.0).what,
            waiter_decision::action::done);
}

TEST(Waiters, TableNotExists) {
  auto o = ddb::waiter_options().min_delay(10ms).max_delay(40ms).max_wait(1s);
  EXPECT_EQ(ddb::table_not_exists_decision(o, ddb::service_errc::resource_not_found, {}, 1, 0ms, 0.0).what,
            waiter_decision::action::done);
  auto deleting = ddb::table_not_exists_decision(o, {}, table("DELETING"), 1, 0ms, 0.0);
  EXPECT_EQ(deleting.what, waiter_decision::action::retry);
  EXPECT_EQ(deleting.state, "DELETING");
  EXPECT_EQ(ddb::table_not_exists_decision(o, ddb::service_errc::access_denied, {}, 1, 0ms, 0.0).what,
            waiter_decision::action::failed);
}

namespace {

ddb::table_description described(const ddb::table::table_schema& s) {
  // What DescribeTable answers for the table make_create_table_request makes.
  ddb::table_description t = table("ACTIVE");
  t.key_schema = {{s.keys().partition_key(), "HASH"}, {s.keys().sort_key(), "RANGE"}};
  for (auto& a : s.key_attributes()) t.attribute_definitions.push_back({a, "S"});
  for (auto& i : s.global_indexes()) {
    auto d = gsi(i.name(), "ACTIVE");
    d.key_schema = {{i.partition_key(), "HASH"}};
    if (!i.sort_key().empty()) d.key_schema.push_back({i.sort_key(), "RANGE"});
    d.projection.projection_type = "ALL";
    t.global_secondary_indexes.push_back(d);
  }
  return t;
}

} // namespace

TEST(EnsureTable, SameSchemaHasNoDifferences) {
  auto s = ddb::table::table_schema().inverse_index().gsi1();
  EXPECT_EQ(ddb::table::schema_differences(described(s), s), "");
  // Extra GSIs on the table are fine.
  EXPECT_EQ(ddb::table::schema_differences(described(s), ddb::table::table_schema().inverse_index()), "");
}

TEST(EnsureTable, DifferencesAreNamed) {
  auto s = ddb::table::table_schema().inverse_index();
  auto t = described(s);
  t.key_schema = {{"id", "HASH"}};
  t.attribute_definitions[0].attribute_type = "N";
  t.global_secondary_indexes[0].projection.projection_type = "KEYS_ONLY";
  EXPECT_EQ(ddb::table::schema_differences(t, s), "key schema is HASH id, expected HASH PK, RANGE SK\n"
                                                  "attribute PK has type N, expected S\n"
                                                  "GSI GSI_1 projects KEYS_ONLY, expected ALL");
  EXPECT_EQ(ddb::table::schema_differences(described(s), ddb::table::table_schema().inverse_index().gsi1()),
            "GSI GSI1 is missing (expected HASH GSI1PK, RANGE SK)");
  auto swapped = described(s);
  std::swap(swapped.global_secondary_indexes[0].key_schema[0].attribute_name,
            swapped.global_secondary_indexes[0].key_schema[1].attribute_name);
  EXPECT_EQ(ddb::table::schema_differences(swapped, s),
            "GSI GSI_1 key schema is HASH PK, RANGE SK, expected HASH SK, RANGE PK");
}
