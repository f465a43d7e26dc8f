#include <ddb/error.hpp>
#include <ddb/page.hpp>
#include <ddb/parse.hpp>
#include <ddb/table/model.hpp>

#include <boost/describe/class.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dt = ddb::table;

namespace {

struct Schedule {
  std::string cron;
  std::vector<int> days;
};
BOOST_DESCRIBE_STRUCT(Schedule, (), (cron, days))

// The single-table-orm wiki's example row.
struct Integration {
  std::string tenant_name;
  std::string integration_id;
  bool locked = false;
  std::optional<std::string> last_seen_run;
  bool enabled = false;
  std::string notebook_path;
  std::int64_t created_on = 0;
  std::vector<std::string> static_files;
  ddb::string_set labels;
  double score = 0;
  std::optional<Schedule> schedule;
  std::vector<Schedule> history;

  static constexpr std::string_view entity_name = "Integrations";
  static constexpr dt::key_fields partition_fields{"tenant_name"};
  static constexpr dt::key_fields sort_fields{"integration_id"};
};
BOOST_DESCRIBE_STRUCT(Integration, (),
                      (tenant_name, integration_id, locked, last_seen_run, enabled, notebook_path, created_on,
                       static_files, labels, score, schedule, history))

// The wiki's composite rule: A#<apple>#B#<banana>#C#<coconut>#Fruit.
struct Fruit {
  std::string apple, banana, coconut, date;
  static constexpr std::string_view entity_name = "Fruit";
  static constexpr dt::key_fields partition_fields{"apple", "banana", "coconut"};
  static constexpr dt::key_fields sort_fields{"date"};
};
BOOST_DESCRIBE_STRUCT(Fruit, (), (apple, banana, coconut, date))

struct RedFruit {
  std::string apple;
  int seq = 0;
  std::optional<std::string> region; // GSI1 (sparse)
  static constexpr std::string_view entity_name = "Fruit";
  static constexpr std::string_view key_suffix = "RedFruit";
  static constexpr dt::key_fields partition_fields{"apple"};
  static constexpr dt::key_fields sort_fields{dt::key_field("seq", "SEQ")};
  static constexpr dt::key_fields gsi1_fields{"region"};
};
BOOST_DESCRIBE_STRUCT(RedFruit, (), (apple, seq, region))

struct NoSuffix {
  std::string id;
  static constexpr std::string_view entity_name = "X";
  static constexpr std::string_view key_suffix = "";
  static constexpr dt::key_fields partition_fields{"id"};
  static constexpr dt::key_fields sort_fields{"id"};
};
BOOST_DESCRIBE_STRUCT(NoSuffix, (), (id))

Integration sample() {
  Integration i;
  i.tenant_name = "tenant-2";
  i.integration_id = "INT0001";
  i.locked = true;
  i.last_seen_run = "run_21901";
  i.enabled = true;
  i.notebook_path = "s3://bucketname/notebooks/x";
  i.created_on = 17000000;
  i.static_files = {"a.csv", "b.csv"};
  i.labels = {"prod"};
  i.score = 0.1;
  i.schedule = Schedule{"0 * * * *", {1, 3, 5}};
  i.history = {Schedule{"@daily", {}}};
  return i;
}

template <class F>
ddb::error_code error_of(F&& f) {
  try {
    f();
  } catch (const ddb::error& e) {
    return e.code();
  }
  return {};
}

bool same(const Integration& a, const Integration& b) {
  auto sched = [](const Schedule& x, const Schedule& y) { return x.cron == y.cron && x.days == y.days; };
  if (a.history.size() != b.history.size()) return false;
  for (std::size_t i = 0; i < a.history.size(); ++i)
    if (!sched(a.history[i], b.history[i])) return false;
  return a.tenant_name == b.tenant_name && a.integration_id == b.integration_id && a.locked == b.locked &&
         a.last_seen_run == b.last_seen_run && a.enabled == b.enabled && a.notebook_path == b.notebook_path &&
         a.created_on == b.created_on && a.static_files == b.static_files && a.labels == b.labels &&
         a.score == b.score && a.schedule.has_value() == b.schedule.has_value() &&
         (!a.schedule || sched(*a.schedule, *b.schedule));
}

} // namespace

TEST(TableModel, WikiRowKeys) {
  auto i = sample();
  EXPECT_EQ(dt::model_partition_key(i), "T#tenant-2#Integrations");
  EXPECT_EQ(dt::model_sort_key(i), "I#INT0001");
  EXPECT_EQ(dt::model_gsi1_partition_key(i), std::nullopt);
}

TEST(TableModel, CompositeAndSuffixRules) {
  Fruit f{"red", "yellow", "brown", "2024"};
  EXPECT_EQ(dt::model_partition_key(f), "A#red#B#yellow#C#brown#Fruit");
  EXPECT_EQ(dt::model_sort_key(f), "D#2024");
  RedFruit r{"red", 7, std::nullopt};
  EXPECT_EQ(dt::model_partition_key(r), "A#red#RedFruit"); // Meta.suffix
  EXPECT_EQ(dt::model_sort_key(r), "SEQ#7");               // explicit identifier, integer value
  EXPECT_EQ(dt::model_partition_key(NoSuffix{"1"}), "I#1");
  // Values are escaped, so a value cannot forge extra segments.
  Fruit forged{"red#B#x", "yellow", "brown", "d"};
  EXPECT_EQ(dt::model_partition_key(forged), "A#red\\#B\\#x#B#yellow#C#brown#Fruit");
}

TEST(TableModel, Gsi1IsSparse) {
  RedFruit r{"red", 7, std::nullopt};
  auto item = dt::to_item(r);
  EXPECT_FALSE(item.contains("GSI1PK"));
  EXPECT_FALSE(item.contains("region"));
  r.region = "eu";
  item = dt::to_item(r);
  EXPECT_EQ(item.at("GSI1PK").as_string(), "R#eu#RedFruit");
  EXPECT_EQ(item.at("SK").as_string(), "SEQ#7");
  auto custom =
      dt::to_item(r, dt::model_options().gsi1_partition_key("G1").keys(dt::key_config().delimiter('|')));
  EXPECT_EQ(custom.at("G1").as_string(), "R|eu|RedFruit");
  EXPECT_EQ(custom.at("PK").as_string(), "A|red|RedFruit");
}

TEST(TableModel, BadKeyValues) {
  EXPECT_EQ(error_of([] {
              dt::model_partition_key(Fruit{"", "b", "c", "d"});
            }),
            ddb::client_errc::invalid_argument);
  EXPECT_EQ(error_of([] {
              dt::model_sort_key(Fruit{"a", "b", "c", ""});
            }),
            ddb::client_errc::invalid_argument);
  EXPECT_EQ(error_of([] {
              dt::model_sort_key(Fruit{"a", "b", "c", "\xff"});
            }),
            ddb::client_errc::invalid_utf8);
  EXPECT_EQ(error_of([] {
              dt::model_partition_key(Fruit{std::string(2100, 'x'), "b", "c", "d"});
            }),
            ddb::client_errc::invalid_argument);
}

TEST(TableModel, ItemShapeAndRoundTrip) {
  auto i = sample();
  auto item = dt::to_item(i);
  EXPECT_EQ(item.at("PK").as_string(), "T#tenant-2#Integrations");
  EXPECT_EQ(item.at("SK").as_string(), "I#INT0001");
  EXPECT_EQ(item.at("tenant_name").as_string(), "tenant-2");
  EXPECT_EQ(item.at("locked"), ddb::value(true));
  EXPECT_EQ(item.at("created_on"), ddb::value(17000000));
  EXPECT_EQ(item.at("score").as_number().text(), "0.1");
  EXPECT_EQ(item.at("static_files"), ddb::value(ddb::list{"a.csv", "b.csv"}));
  EXPECT_EQ(item.at("labels"), ddb::value(ddb::string_set{"prod"}));
  EXPECT_EQ(item.at("schedule").as_map().at("days"), ddb::value(ddb::list{1, 3, 5}));
  EXPECT_EQ(item.at("history").as_list().at(0).as_map().at("cron").as_string(), "@daily");

  auto back = dt::from_item<Integration>(item);
  EXPECT_TRUE(same(i, back));

  // Optional and set members: absent when unset or empty, and read back so.
  i.last_seen_run.reset();
  i.schedule.reset();
  i.labels.clear();
  item = dt::to_item(i);
  EXPECT_FALSE(item.contains("last_seen_run"));
  EXPECT_FALSE(item.contains("schedule"));
  EXPECT_FALSE(item.contains("labels"));
  EXPECT_TRUE(same(i, dt::from_item<Integration>(item)));
  // NULL reads as nullopt too.
  item["last_seen_run"] = ddb::null;
  EXPECT_FALSE(dt::from_item<Integration>(item).last_seen_run);
}

TEST(TableModel, ListsAndSetsReadEitherWay) {
  auto item = dt::to_item(sample());
  item["static_files"] = ddb::string_set{"x", "y"};
  item["labels"] = ddb::list{"p", "q"};
  auto back = dt::from_item<Integration>(item);
  EXPECT_EQ(back.static_files, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(back.labels, (ddb::string_set{"p", "q"}));
}

TEST(TableModel, FromAPageItemView) {
  auto item = dt::to_item(sample());
  // The JSON DynamoDB would send for this item.
  std::string body =
      R"({"Items":[{"PK":{"S":"T#tenant-2#Integrations"},"SK":{"S":"I#INT0001"},"tenant_name":{"S":"tenant-2"},)"
      R"("integration_id":{"S":"INT0001"},"locked":{"BOOL":true},"last_seen_run":{"S":"run_21901"},)"
      R"("enabled":{"BOOL":true},"notebook_path":{"S":"s3://bucketname/notebooks/x"},"created_on":{"N":"17000000"},)"
      R"("static_files":{"L":[{"S":"a.csv"},{"S":"b.csv"}]},"labels":{"SS":["prod"]},"score":{"N":"0.1"},)"
      R"("schedule":{"M":{"cron":{"S":"0 * * * *"},"days":{"L":[{"N":"1"},{"N":"3"},{"N":"5"}]}}},)"
      R"("history":{"L":[{"M":{"cron":{"S":"@daily"},"days":{"L":[]}}}]}}],"Count":1,"ScannedCount":1})";
  ddb::page page;
  ddb::diagnostics diag;
  ASSERT_FALSE(ddb::parse_query(body, page, diag)) << diag.message;
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].to_item(), item);
  auto from_view = dt::from_item<Integration>(page[0]);
  EXPECT_TRUE(same(sample(), from_view));
}

TEST(TableModel, ConversionErrorsAreTyped) {
  auto item = dt::to_item(sample());
  auto wrong = item;
  wrong["locked"] = "yes";
  EXPECT_EQ(error_of([&] { dt::from_item<Integration>(wrong); }), ddb::client_errc::wrong_type);
  try {
    wrong = item;
    wrong["schedule"] = ddb::item{{"cron", "x"}, {"days", ddb::list{1, "two"}}};
    dt::from_item<Integration>(wrong);
    ADD_FAILURE();
  } catch (const ddb::error& e) {
    EXPECT_EQ(e.code(), ddb::client_errc::wrong_type);
    EXPECT_NE(std::string(e.what()).find("schedule.days[1]"), std::string::npos) << e.what();
  }
  auto missing = item;
  missing.erase("notebook_path");
  EXPECT_EQ(error_of([&] { dt::from_item<Integration>(missing); }), ddb::client_errc::wrong_type);
  auto null = item;
  null["enabled"] = ddb::null;
  EXPECT_EQ(error_of([&] { dt::from_item<Integration>(null); }), ddb::client_errc::wrong_type);

  auto fraction = item;
  fraction["created_on"] = ddb::number("1.5");
  EXPECT_EQ(error_of([&] { dt::from_item<Integration>(fraction); }), ddb::client_errc::precision_loss);
  RedFruit r{"a", 1, std::nullopt};
  auto big = dt::to_item(r);
  big["seq"] = ddb::number("99999999999");
  EXPECT_EQ(error_of([&] { dt::from_item<RedFruit>(big); }), ddb::client_errc::number_out_of_range);

  ddb::error_code ec;
  Integration out;
  EXPECT_FALSE(dt::from_item(wrong, out, ec));
  EXPECT_EQ(ec, ddb::client_errc::wrong_type);
  EXPECT_TRUE(dt::from_item(item, out, ec));
  EXPECT_FALSE(ec);
}

TEST(TableModel, ToAttributesHasNoKeys) {
  auto attrs = dt::to_attributes(Schedule{"c", {2}});
  EXPECT_EQ(attrs, (ddb::item{{"cron", "c"}, {"days", ddb::list{2}}}));
}
