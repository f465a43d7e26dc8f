#include <ddb/error.hpp>
#include <ddb/page.hpp>
#include <ddb/parse.hpp>
#include <ddb/table/entity.hpp>
#include <ddb/table/index.hpp>
#include <ddb/table/keys.hpp>
#include <ddb/table/strip.hpp>
#include <ddb/table/table_name.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <type_traits>

namespace dt = ddb::table;

namespace {

struct User {
  static constexpr std::string_view entity_name = "User";
};
struct Group {
  static constexpr std::string_view entity_name = "Group";
};
using Order = dt::named_entity<"Order">;
struct Tenant {
  static constexpr std::string_view entity_name = "Tenant", key_name = "T";
};

template <class F>
ddb::error_code error_of(F&& f) {
  try {
    f();
  } catch (const ddb::error& e) {
    return e.code();
  }
  return {};
}

} // namespace

// The seed's walk-through (Dokklib-DB "Getting started"), printed as it prints them.
TEST(TableKeys, SeedWalkThrough) {
  dt::partition_key<User> pk_alice("alice");
  dt::sort_key<Group> sk_group_1("1");
  dt::prefix_sort_key<Group> group_prefix;
  dt::partition_key<Group> pk_group_2("2");
  dt::prefix_sort_key<User> user_prefix;
  std::cout << pk_alice.str() << '\n'
            << sk_group_1.str() << '\n'
            << group_prefix.str() << '\n'
            << pk_group_2.str() << '\n'
            << user_prefix.str() << '\n';
  EXPECT_EQ(pk_alice.str(), "USER#alice");
  EXPECT_EQ(sk_group_1.str(), "GROUP#1");
  EXPECT_EQ(group_prefix.str(), "GROUP#");
  EXPECT_EQ(pk_group_2.str(), "GROUP#2");
  EXPECT_EQ(user_prefix.str(), "USER#");

  // Alice's groups: PK = USER#alice and begins_with(SK, GROUP#) on the primary index; group 2's
  // members: the same shape on the inverse index, where the partition key is compared with SK.
  auto inverse = dt::table_index::inverse();
  EXPECT_EQ(inverse.name(), "GSI_1");
  EXPECT_EQ(inverse.partition_key(), "SK");
  EXPECT_EQ(inverse.sort_key(), "PK");
}

TEST(TableKeys, Accessors) {
  dt::partition_key<User> pk("alice");
  EXPECT_EQ(pk.value(), "alice");
  EXPECT_EQ(pk.prefix(), "USER#");
  EXPECT_EQ(pk.to_value(), ddb::value("USER#alice"));
  EXPECT_EQ(dt::entity_key_name<Order>(), "ORDER");
  EXPECT_EQ(dt::partition_key<Order>("9").str(), "ORDER#9");
  EXPECT_EQ(dt::sort_key<Tenant>("acme").str(), "T#acme");
  EXPECT_EQ(pk, dt::partition_key<User>("alice"));
  EXPECT_FALSE(pk == dt::partition_key<User>("bob"));

  dt::prefix_sort_key<Group> partial("ad");
  EXPECT_EQ(partial.str(), "GROUP#ad");
  EXPECT_EQ(partial.value(), "ad");
  EXPECT_FALSE(partial.exact());
}

TEST(TableKeys, TypesDoNotConvert) {
  // The compile-fail tests check calls; these check the traits behind them.
  static_assert(!std::is_convertible_v<dt::prefix_sort_key<Group>, dt::sort_key<Group>>);
  static_assert(!std::is_constructible_v<dt::sort_key<Group>, dt::prefix_sort_key<Group>>);
  static_assert(!std::is_convertible_v<dt::partition_key<Group>, dt::sort_key<Group>>);
  static_assert(!std::is_constructible_v<dt::sort_key<Group>, dt::partition_key<Group>>);
  static_assert(!std::is_convertible_v<dt::partition_key<User>, dt::partition_key<Group>>);
  static_assert(!std::is_constructible_v<dt::partition_key<Group>, dt::partition_key<User>>);
  static_assert(!std::is_convertible_v<const char*, dt::partition_key<User>>);
  static_assert(dt::any_partition_key<dt::partition_key<User>> && !dt::any_partition_key<dt::sort_key<User>>);
  static_assert(dt::any_sort_key<const dt::sort_key<User>&> && !dt::any_sort_key<dt::prefix_sort_key<User>>);
  static_assert(dt::any_prefix_key<dt::prefix_sort_key<User>>);
  static_assert(dt::entity<User> && dt::entity<Order> && !dt::entity<int> && !dt::entity<std::string>);
  static_assert(!std::is_same_v<dt::named_entity<"A">, dt::named_entity<"B">>);
  SUCCEED();
}

TEST(TableKeys, KeyItemUsesConfiguredNames) {
  auto key = dt::key_item(dt::partition_key<User>("alice"), dt::sort_key<Group>("1"));
  EXPECT_EQ(key, (ddb::item{{"PK", "USER#alice"}, {"SK", "GROUP#1"}}));
  auto cfg = dt::key_config().partition_key("pk").sort_key("sk").delimiter('|');
  auto custom = dt::key_item(dt::partition_key<User>("alice", cfg), dt::sort_key<Group>("1", cfg), cfg);
  EXPECT_EQ(custom, (ddb::item{{"pk", "USER|alice"}, {"sk", "GROUP|1"}}));
}

TEST(TableKeys, EscapingRoundTrips) {
  for (std::string raw :
       {"a#b", "a\\b", "\\#", "##", "\\\\#\\", "plain", "trailing\\", "#", "\\", "日本#語"}) {
    std::string enc = dt::escape_key_value(raw);
    EXPECT_EQ(dt::unescape_key_value(enc), raw) << enc;
    dt::sort_key<Group> sk(raw);
    EXPECT_EQ(sk.value(), raw);
    EXPECT_EQ(sk.str(), "GROUP#" + enc);
    EXPECT_EQ(dt::sort_key<Group>::parse(sk.str()), sk);
    EXPECT_EQ(dt::strip_key_prefix(sk.str()), raw);
  }
  EXPECT_EQ(dt::escape_key_value("a#b\\c"), "a\\#b\\\\c");
  EXPECT_EQ(dt::partition_key<User>("a#b").str(), "USER#a\\#b");
  // Another delimiter escapes that delimiter, and leaves '#' alone.
  auto cfg = dt::key_config().delimiter('|');
  EXPECT_EQ(dt::partition_key<User>("a|b#c", cfg).str(), "USER|a\\|b#c");
  EXPECT_EQ(dt::partition_key<User>::parse("USER|a\\|b#c", cfg).value(), "a|b#c");
}

TEST(TableKeys, UnescapeRejectsWhatEscapeNeverWrites) {
  ddb::error_code ec;
  for (std::string bad : {"a#b", "a\\", "a\\x", "\\"}) {
    EXPECT_FALSE(dt::unescape_key_value(bad, '#', ec)) << bad;
    EXPECT_EQ(ec, ddb::client_errc::invalid_argument);
  }
}

TEST(TableKeys, EscapingKeepsPrefixes) {
  // begins_with on escaped text agrees with begins_with on raw values.
  std::string values[] = {"a", "a#", "a#b", "a\\", "a\\#", "ab", "#", "\\", ""};
  for (auto& p : values)
    for (auto& v : values) {
      bool raw = v.starts_with(p);
      bool enc = dt::escape_key_value(v).starts_with(dt::escape_key_value(p));
      EXPECT_EQ(raw, enc) << p << " / " << v;
    }
}

TEST(TableKeys, ExactSegmentPrefix) {
  dt::prefix_sort_key<Order> loose("1");
  dt::prefix_sort_key<Order> exact("1", dt::exact_segment);
  EXPECT_EQ(loose.str(), "ORDER#1");
  EXPECT_EQ(exact.str(), "ORDER#1#");
  EXPECT_EQ(exact.value(), "1");
  EXPECT_TRUE(exact.exact());
  std::string order_10 = dt::sort_key<Order>("10").str();
  std::string order_1_item = "ORDER#1#ITEM#3";
  EXPECT_TRUE(order_10.starts_with(loose.str()));  // the trap
  EXPECT_FALSE(order_10.starts_with(exact.str())); // avoided
  EXPECT_TRUE(order_1_item.starts_with(exact.str()));
  // A value holding the delimiter stays one segment: "1#" is not the segment "1".
  EXPECT_EQ(dt::prefix_sort_key<Order>("1#", dt::exact_segment).str(), "ORDER#1\\##");
  EXPECT_EQ(error_of([] { dt::prefix_sort_key<Order>("", dt::exact_segment); }),
            ddb::client_errc::invalid_argument);
}

TEST(TableKeys, EmptyValues) {
  EXPECT_EQ(error_of([] { dt::partition_key<User>(""); }), ddb::client_errc::invalid_argument);
  EXPECT_EQ(error_of([] { dt::sort_key<User>(""); }), ddb::client_errc::invalid_argument);
  EXPECT_EQ(dt::prefix_sort_key<User>("").str(), "USER#");
  ddb::error_code ec;
  EXPECT_FALSE(dt::partition_key<User>::make("", ec));
  EXPECT_EQ(ec, ddb::client_errc::invalid_argument);
  auto ok = dt::partition_key<User>::make("bob", ec);
  ASSERT_TRUE(ok);
  EXPECT_FALSE(ec);
  EXPECT_EQ(ok->str(), "USER#bob");
}

TEST(TableKeys, SizeLimits) {
  // USER# is 5 bytes: 2043 bytes of value make exactly 2048.
  EXPECT_EQ(dt::partition_key<User>(std::string(2043, 'x')).str().size(), 2048u);
  EXPECT_EQ(error_of([] { dt::partition_key<User>(std::string(2044, 'x')); }),
            ddb::client_errc::invalid_argument);
  // GROUP# is 6 bytes: 1018 make 1024; escaping counts (each '#' becomes two bytes).
  EXPECT_EQ(dt::sort_key<Group>(std::string(1018, 'x')).str().size(), 1024u);
  EXPECT_EQ(error_of([] { dt::sort_key<Group>(std::string(1019, 'x')); }),
            ddb::client_errc::invalid_argument);
  EXPECT_EQ(error_of([] { dt::sort_key<Group>(std::string(600, '#')); }), ddb::client_errc::invalid_argument);
  EXPECT_EQ(error_of([] { dt::prefix_sort_key<Group>(std::string(1019, 'x')); }),
            ddb::client_errc::invalid_argument);
  // Limits are bytes of UTF-8, not characters: 3 bytes each.
  std::string jp;
  for (int i = 0; i < 339; ++i) jp += "語"; // 6 + 1017 bytes
  EXPECT_NO_THROW(dt::sort_key<Group>{jp});
  EXPECT_EQ(error_of([&] { dt::sort_key<Group>(jp + "語"); }), ddb::client_errc::invalid_argument);
}

TEST(TableKeys, InvalidUtf8AndConfig) {
  EXPECT_EQ(error_of([] { dt::partition_key<User>("\xff"); }), ddb::client_errc::invalid_utf8);
  EXPECT_EQ(error_of([] { dt::partition_key<User>("\xc0\x80"); }),
            ddb::client_errc::invalid_utf8); // overlong
  EXPECT_EQ(error_of([] { dt::partition_key<User>("\xed\xa0\x80"); }),
            ddb::client_errc::invalid_utf8); // surrogate
  EXPECT_TRUE(dt::is_valid_utf8("h\xc3\xa9llo \xf0\x9f\x98\x80"));
  EXPECT_EQ(error_of([] { dt::partition_key<User>("a", dt::key_config().delimiter('\\')); }),
            ddb::client_errc::invalid_argument);
  EXPECT_EQ(error_of([] { dt::partition_key<User>("a", dt::key_config().delimiter(' ')); }),
            ddb::client_errc::invalid_argument);
  // An entity name holding the delimiter could not be read back.
  using Weird = dt::named_entity<"A-B">;
  EXPECT_NO_THROW(dt::partition_key<Weird>("x"));
  EXPECT_EQ(error_of([] { dt::partition_key<Weird>("x", dt::key_config().delimiter('-')); }),
            ddb::client_errc::invalid_argument);
}

TEST(TableKeys, ParseChecksTheEntity) {
  EXPECT_EQ(dt::partition_key<User>::parse("USER#alice").value(), "alice");
  EXPECT_EQ(error_of([] { dt::partition_key<User>::parse("GROUP#1"); }), ddb::client_errc::wrong_type);
  EXPECT_EQ(error_of([] { dt::partition_key<User>::parse("USERX#1"); }), ddb::client_errc::wrong_type);
  EXPECT_EQ(error_of([] { dt::partition_key<User>::parse("USER#"); }), ddb::client_errc::invalid_argument);
  EXPECT_EQ(error_of([] { dt::partition_key<User>::parse("USER#a#b"); }), ddb::client_errc::invalid_argument);
  ddb::error_code ec;
  EXPECT_FALSE(dt::sort_key<Group>::parse("USER#alice", ec));
  EXPECT_EQ(ec, ddb::client_errc::wrong_type);
}

TEST(TableIndex, CreateTableRequest) {
  auto schema = dt::table_schema().inverse_index().gsi1();
  EXPECT_EQ(schema.key_attributes(), (std::vector<std::string>{"PK", "SK", "GSI1PK"}));
  ASSERT_NE(schema.find("GSI1"), nullptr);
  EXPECT_EQ(*schema.find("GSI1"), dt::table_index("GSI1", "GSI1PK", "SK"));
  EXPECT_EQ(schema.find("nope"), nullptr);
  EXPECT_TRUE(schema.primary().is_primary());

  auto req = dt::make_create_table_request("app-table", schema);
  EXPECT_EQ(req.table(), "app-table");
  EXPECT_EQ(req.key().partition_key(), "PK");
  EXPECT_EQ(req.key().sort_key(), "SK");
  EXPECT_EQ(req.billing(), ddb::billing_mode::pay_per_request);
  EXPECT_FALSE(req.provisioned_throughput());
  ASSERT_EQ(req.attributes().size(), 3u);
  for (auto& a : req.attributes()) EXPECT_EQ(a.attribute_type, "S") << a.attribute_name;
  ASSERT_EQ(req.global_secondary_indexes().size(), 2u);
  auto& inv = req.global_secondary_indexes()[0];
  EXPECT_EQ(inv.name(), "GSI_1");
  EXPECT_EQ(inv.key().partition_key(), "SK");
  EXPECT_EQ(inv.key().sort_key(), "PK");
  EXPECT_EQ(inv.projection().type(), ddb::projection_type::all);
  auto& g1 = req.global_secondary_indexes()[1];
  EXPECT_EQ(g1.name(), "GSI1");
  EXPECT_EQ(g1.key().partition_key(), "GSI1PK");
  EXPECT_EQ(g1.key().sort_key(), "SK");
  EXPECT_EQ(g1.projection().type(), ddb::projection_type::all);

  auto custom = dt::table_schema(dt::key_config().partition_key("pk").sort_key("sk")).inverse_index("by_sk");
  auto creq = dt::make_create_table_request("t-1", custom);
  EXPECT_EQ(creq.global_secondary_indexes()[0].key().partition_key(), "sk");
  EXPECT_EQ(creq.global_secondary_indexes()[0].name(), "by_sk");
}

TEST(TableStrip, OnlyKeyAttributes) {
  ddb::item item{{"PK", "USER#alice"},
                 {"SK", "GROUP#a\\#b"},
                 {"GSI1PK", "T#acme#I#7#Integrations"},
                 {"note", "NOTE#1 is data, not a key"},
                 {"count", 3}};
  auto schema = dt::table_schema().gsi1();
  auto out = dt::stripped(item, schema);
  EXPECT_EQ(out.at("PK").as_string(), "alice");
  EXPECT_EQ(out.at("SK").as_string(), "a#b");                         // unescaped
  EXPECT_EQ(out.at("GSI1PK").as_string(), "acme#I#7#Integrations");   // composite: verbatim rest
  EXPECT_EQ(out.at("note").as_string(), "NOTE#1 is data, not a key"); // Dokklib would strip this
  EXPECT_EQ(out.at("count"), ddb::value(3));
  // Without the GSI in the schema, GSI1PK is not a key attribute.
  EXPECT_EQ(dt::stripped(item).at("GSI1PK").as_string(), "T#acme#I#7#Integrations");
}

TEST(TableStrip, EdgeCases) {
  EXPECT_EQ(dt::strip_key_prefix("alice"), "alice"); // no delimiter
  EXPECT_EQ(dt::strip_key_prefix("USER#"), "USER#"); // nothing after it (as Dokklib)
  EXPECT_EQ(dt::strip_key_prefix("#x"), "#x");       // no entity segment
  EXPECT_EQ(dt::strip_key_prefix("a\\#b#c"), "a\\#b#c");
  EXPECT_EQ(dt::strip_key_prefix("USER|x", '|'), "x");
}

TEST(TableStrip, FromAPageItemView) {
  std::string body = R"({"Items":[{"PK":{"S":"GROUP#2"},"SK":{"S":"USER#alice"},"n":{"N":"1"}},)"
                     R"({"PK":{"S":"GROUP#2"},"SK":{"S":"USER#bob"}}],"Count":2,"ScannedCount":2})";
  ddb::page page;
  ddb::diagnostics diag;
  ASSERT_FALSE(ddb::parse_query(body, page, diag));
  ASSERT_EQ(page.size(), 2u);
  auto a = dt::stripped(page[0]);
  EXPECT_EQ(a.at("PK").as_string(), "2");
  EXPECT_EQ(a.at("SK").as_string(), "alice");
  EXPECT_EQ(a.at("n"), ddb::value(1));
  EXPECT_EQ(dt::stripped(page[1]).at("SK").as_string(), "bob");
}

TEST(TableName, Resolution) {
  ::unsetenv("DB_TABLE_NAME");
  ddb::error_code ec;
  EXPECT_EQ(dt::resolve_table_name(ec), "");
  EXPECT_EQ(ec, ddb::client_errc::invalid_config);
  EXPECT_EQ(error_of([] { dt::resolve_table_name(); }), ddb::client_errc::invalid_config);
  EXPECT_EQ(dt::resolve_table_name({}, "configured"), "configured");

  ::setenv("DB_TABLE_NAME", "from-env", 1);
  EXPECT_EQ(dt::resolve_table_name(), "from-env");
  EXPECT_EQ(dt::resolve_table_name({}, "configured"), "configured");
  {
    dt::table_name_scope outer("scoped");
    EXPECT_EQ(dt::resolve_table_name({}, "configured"), "scoped");
    {
      dt::table_name_scope inner("inner");
      EXPECT_EQ(dt::resolve_table_name(), "inner");
      EXPECT_EQ(dt::resolve_table_name("per-call"), "per-call");
    }
    EXPECT_EQ(dt::resolve_table_name(), "scoped");
  }
  EXPECT_EQ(dt::resolve_table_name(), "from-env");
  EXPECT_EQ(dt::table_name_scope::current(), nullptr);
  EXPECT_EQ(error_of([] { dt::table_name_scope bad("x"); }), ddb::client_errc::invalid_argument);
  EXPECT_EQ(error_of([] { dt::resolve_table_name("bad name!"); }), ddb::client_errc::invalid_config);
  ::unsetenv("DB_TABLE_NAME");
}
