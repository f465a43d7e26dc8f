// Every bad input of docs/bad-input.md that pure code catches: one TEST per row, named as in the
// table's test column. The rows that need a client (the single-table operations and
// client::execute) are in tests/integration/bad_input_test.cpp.
#include <ddb/error.hpp>
#include <ddb/requests.hpp>
#include <ddb/serialize.hpp>
#include <ddb/table/batch.hpp>
#include <ddb/table/keys.hpp>
#include <ddb/table/model.hpp>
#include <ddb/table/table.hpp>
#include <ddb/table/table_name.hpp>
#include <ddb/table/transact.hpp>

#include <boost/describe/class.hpp>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

using namespace ddb;
namespace dt = ddb::table;

namespace {

const error_code invalid_argument = client_errc::invalid_argument;
const error_code invalid_utf8 = client_errc::invalid_utf8;
const error_code empty_set = client_errc::empty_set;
const error_code invalid_number = client_errc::invalid_number;
const error_code out_of_range = client_errc::number_out_of_range;

/// The code serialize() gives; on failure the body is empty and a reason is given.
template <class R>
error_code code(const R& r) {
  std::string out = "stale";
  auto ec = serialize(r, out);
  if (ec) {
    EXPECT_TRUE(out.empty()) << out;
    EXPECT_STRNE(serialize_error_reason(), "") << "no reason for " << ec.message();
  }
  return ec;
}

/// The code of the ddb::error `f` throws (none: a failure).
error_code thrown(const std::function<void()>& f) {
  try {
    f();
  } catch (const ddb::error& e) {
    return e.code();
  }
  ADD_FAILURE() << "nothing thrown";
  return {};
}

item pk(value v) { return item{{"PK", std::move(v)}}; }
item pk_sk(std::string p, std::string s) { return item{{"PK", std::move(p)}, {"SK", std::move(s)}}; }

// The good twin of most requests below: it must serialize, or the bad ones prove nothing.
get_item_request get(item key) { return get_item_request("orders", std::move(key)); }

using User = dt::named_entity<"User">;
using Group = dt::named_entity<"Group">;
using Hashy = dt::named_entity<"A#B">; // the delimiter inside the entity name

struct Reading {
  std::string sensor;
  std::string at;
  double celsius = 0;
  static constexpr std::string_view entity_name = "Reading";
  static constexpr dt::key_fields<1> partition_fields{"sensor"};
  static constexpr dt::key_fields<1> sort_fields{"at"};
};
BOOST_DESCRIBE_STRUCT(Reading, (), (sensor, at, celsius))

dt::item_key user_key(const std::string& u, const std::string& g = "1") {
  return dt::item_key(dt::partition_key<User>(u), dt::sort_key<Group>(g));
}

} // namespace

// ================================================================ the request layer (serialize)

TEST(BadInput, key_empty_string) {
  EXPECT_FALSE(code(get(pk("a"))));
  EXPECT_EQ(code(get(pk(""))), invalid_argument);
  EXPECT_EQ(code(get(pk_sk("a", ""))), invalid_argument);
  EXPECT_EQ(code(delete_item_request("orders", pk(""))), invalid_argument);
  EXPECT_EQ(code(batch_write_request().delete_request("orders", pk(""))), invalid_argument);
  EXPECT_EQ(code(transact_write_request().add(transact_delete("orders", pk_sk("", "x")))), invalid_argument);
}

TEST(BadInput, key_empty_binary) {
  EXPECT_FALSE(code(get(pk(to_bytes("\x01")))));
  EXPECT_EQ(code(get(pk(bytes{}))), invalid_argument);
  EXPECT_EQ(code(batch_get_request().key("orders", pk(bytes{}))), invalid_argument);
}

TEST(BadInput, key_over_2048_bytes) {
  EXPECT_FALSE(code(get(pk(std::string(2048, 'k')))));
  EXPECT_EQ(code(get(pk(std::string(2049, 'k')))), invalid_argument);
  EXPECT_EQ(code(get(pk(bytes(2049, std::byte{1})))), invalid_argument);
  EXPECT_EQ(code(transact_get_request().add(transact_get("orders", pk(std::string(5000, 'k'))))),
            invalid_argument);
}

TEST(BadInput, key_not_a_key_type_or_shape) {
  EXPECT_FALSE(code(get(pk(42))));
  EXPECT_EQ(code(get(pk(true))), invalid_argument);
  EXPECT_EQ(code(get(pk(list{"a"}))), invalid_argument);
  EXPECT_EQ(code(get(pk(string_set{"a"}))), invalid_argument);
  EXPECT_EQ(code(get(item{{"PK", "a"}, {"SK", "b"}, {"X", "c"}})), invalid_argument); // three attributes
  EXPECT_EQ(code(get(item{})), invalid_argument);                                     // none
}

TEST(BadInput, item_over_400kb_table_layer) {
  std::string why;
  item ok{{"PK", "a"}, {"blob", std::string(399 * 1024, 'x')}};
  EXPECT_FALSE(dt::validate_item(ok, why)) << why;
  item big{{"PK", "a"}, {"blob", std::string(400 * 1024, 'x')}};
  EXPECT_EQ(dt::validate_item(big, why), invalid_argument);
  EXPECT_NE(why.find("400 KB"), std::string::npos) << why;
  // Names count too.
  item names{{std::string(200 * 1024, 'n'), std::string(200 * 1024, 'v')}};
  EXPECT_EQ(dt::validate_item(names, why), invalid_argument);
}

TEST(BadInput, attribute_name_empty) {
  EXPECT_EQ(code(put_item_request("orders", item{{"PK", "a"}, {"", 1}})), invalid_argument);
  EXPECT_EQ(code(put_item_request("orders", item{{"PK", "a"}, {"m", item{{"", 1}}}})), invalid_argument);
  EXPECT_EQ(code(get(pk("a")).projection("#n").name("#n", "")), invalid_argument);
  std::string why;
  EXPECT_EQ(dt::validate_item(item{{"", 1}}, why), invalid_argument);
}

TEST(BadInput, attribute_name_over_64kb) {
  const std::string max(65535, 'n'), over(65536, 'n');
  EXPECT_FALSE(code(put_item_request("orders", item{{"PK", "a"}, {max, 1}})));
  EXPECT_EQ(code(put_item_request("orders", item{{"PK", "a"}, {over, 1}})), invalid_argument);
  EXPECT_EQ(code(get(pk("a")).projection("#n").name("#n", over)), invalid_argument);
  std::string why;
  EXPECT_EQ(dt::validate_item(item{{over, 1}}, why), invalid_argument);
}

TEST(BadInput, invalid_utf8_string_value) {
  EXPECT_EQ(code(put_item_request("orders", item{{"PK", "a"}, {"s", "ok\xc3"}})), invalid_utf8);
  EXPECT_EQ(code(put_item_request("orders", item{{"PK", "a"}, {"l", list{"\xed\xa0\x80"}}})), invalid_utf8);
  EXPECT_EQ(code(scan_request("orders").filter("a = :v").value(":v", "\xff")), invalid_utf8);
  std::string why;
  EXPECT_EQ(dt::validate_item(item{{"s", string_set{"\xc0\xaf"}}}, why), invalid_utf8);
}

TEST(BadInput, invalid_utf8_attribute_name) {
  EXPECT_EQ(code(put_item_request("orders", item{{"PK", "a"}, {"n\xff", 1}})), invalid_utf8);
  EXPECT_EQ(code(get(item{{"P\x80K", "a"}})), invalid_utf8);
  EXPECT_EQ(code(get(pk("a")).projection("#n").name("#n", "\xf4\x90\x80\x80")), invalid_utf8);
  std::string why;
  EXPECT_EQ(dt::validate_item(item{{"n\xff", 1}}, why), invalid_utf8);
}

TEST(BadInput, non_finite_double) {
  EXPECT_NO_THROW(value(1.5));
  EXPECT_EQ(thrown([] { value v(std::numeric_limits<double>::quiet_NaN()); }), invalid_number);
  EXPECT_EQ(thrown([] { value v(std::numeric_limits<double>::infinity()); }), invalid_number);
  EXPECT_EQ(thrown([] { number::from_double(-std::numeric_limits<double>::infinity()); }), invalid_number);
  // A finite double DynamoDB cannot hold.
  EXPECT_EQ(thrown([] { value v(1e300); }), out_of_range);
}

TEST(BadInput, number_39_significant_digits) {
  const std::string d38 = "12345678901234567890123456789012345678";
  EXPECT_NO_THROW(number{d38});
  EXPECT_EQ(thrown([&] { number n(d38 + "9"); }), out_of_range);
  EXPECT_EQ(thrown([&] { number n("0." + d38 + "9"); }), out_of_range);
  error_code ec;
  number::parse(d38 + "9", ec);
  EXPECT_EQ(ec, out_of_range);
  // Trailing zeros are not significant.
  EXPECT_NO_THROW(number{d38 + "000"});
}

TEST(BadInput, number_exponent_out_of_range) {
  EXPECT_NO_THROW(number("9.9999999999999999999999999999999999999E+125"));
  EXPECT_NO_THROW(number("1E-130"));
  EXPECT_EQ(thrown([] { number n("1E+126"); }), out_of_range);
  EXPECT_EQ(thrown([] { number n("-1E+126"); }), out_of_range);
  EXPECT_EQ(thrown([] { number n("1E-131"); }), out_of_range);
}

TEST(BadInput, number_not_decimal) {
  for (const char* bad : {"", "abc", "1e", "--1", "0x10", "1.2.3", " 1", "NaN", "Infinity"}) {
    SCOPED_TRACE(bad);
    error_code ec;
    number::parse(bad, ec);
    EXPECT_EQ(ec, invalid_number);
  }
  EXPECT_EQ(validate_number("12.5e3"), error_code{});
}

TEST(BadInput, empty_sets) {
  EXPECT_EQ(code(put_item_request("orders", item{{"PK", "a"}, {"s", string_set{}}})), empty_set);
  EXPECT_EQ(code(put_item_request("orders", item{{"PK", "a"}, {"s", number_set{}}})), empty_set);
  EXPECT_EQ(code(put_item_request("orders", item{{"PK", "a"}, {"s", binary_set{}}})), empty_set);
  EXPECT_EQ(code(update_item_request("orders", pk("a")).update("ADD s :s").value(":s", string_set{})),
            empty_set);
  std::string why;
  EXPECT_EQ(dt::validate_item(item{{"m", item{{"s", number_set{}}}}}, why), empty_set);
}

TEST(BadInput, duplicate_set_members_are_merged) {
  // The set types cannot hold a duplicate, so DynamoDB's "Input collection contains duplicates"
  // cannot happen: numbers compare by value.
  string_set ss{"a", "a", "b"};
  EXPECT_EQ(ss.size(), 2u);
  number_set ns{number("1"), number("1.0"), number("10E-1")};
  EXPECT_EQ(ns.size(), 1u);
  std::string out;
  ASSERT_FALSE(serialize(put_item_request("orders", item{{"PK", "a"}, {"n", ns}}), out));
  EXPECT_NE(out.find(R"("NS":["1"])"), std::string::npos) << out;
}

TEST(BadInput, expression_unbound_name) {
  EXPECT_FALSE(code(get(pk("a")).projection("#n").name("#n", "name")));
  EXPECT_EQ(code(get(pk("a")).projection("#n, #m").name("#n", "name")), invalid_argument);
  EXPECT_EQ(code(put_item_request("orders", pk("a")).condition("attribute_not_exists(#pk)")),
            invalid_argument);
  EXPECT_EQ(code(query_request("orders").key_condition("#k = :k").value(":k", 1)), invalid_argument);
  EXPECT_EQ(code(transact_write_request().add(
                transact_condition_check("orders", pk("a"), "#x = :x").value(":x", 1))),
            invalid_argument);
}

TEST(BadInput, expression_unbound_value) {
  EXPECT_FALSE(code(update_item_request("orders", pk("a")).update("SET b = :b").value(":b", 1)));
  EXPECT_EQ(code(update_item_request("orders", pk("a")).update("SET b = :b")), invalid_argument);
  EXPECT_EQ(code(update_item_request("orders", pk("a")).update("SET b = :b1").value(":b", 1)),
            invalid_argument);
  EXPECT_EQ(code(scan_request("orders").filter("a > :min AND a < :max").value(":min", 1)), invalid_argument);
  EXPECT_EQ(code(transact_write_request().add(transact_update("orders", pk("a")).update("SET n = :n"))),
            invalid_argument);
}

TEST(BadInput, expression_unused_name_or_value) {
  EXPECT_EQ(code(get(pk("a")).projection("#n").name("#n", "name").name("#unused", "x")), invalid_argument);
  EXPECT_EQ(
      code(update_item_request("orders", pk("a")).update("SET b = :b").value(":b", 1).value(":spare", 2)),
      invalid_argument);
  // Used in the condition rather than the update: fine.
  EXPECT_FALSE(code(update_item_request("orders", pk("a"))
                        .update("SET b = :b")
                        .condition("#c = :c")
                        .name("#c", "c")
                        .value(":b", 1)
                        .value(":c", 2)));
  // ":b" does not use ":b1".
  EXPECT_EQ(code(update_item_request("orders", pk("a")).update("SET b = :b").value(":b", 1).value(":b1", 2)),
            invalid_argument);
}

TEST(BadInput, expression_over_4kb) {
  std::string ok = "attribute_exists(a)" + std::string(4096 - 19, ' ');
  EXPECT_FALSE(code(delete_item_request("orders", pk("a")).condition(ok)));
  EXPECT_EQ(code(delete_item_request("orders", pk("a")).condition(ok + " ")), invalid_argument);
}

TEST(BadInput, limit_zero_or_negative) {
  EXPECT_FALSE(code(scan_request("orders").limit(1)));
  EXPECT_EQ(code(scan_request("orders").limit(0)), invalid_argument);
  EXPECT_EQ(code(scan_request("orders").limit(-5)), invalid_argument);
  EXPECT_EQ(code(query_request("orders").key_condition("PK = :p").value(":p", 1).limit(-1)),
            invalid_argument);
  EXPECT_EQ(code(list_tables_request().limit(101)), invalid_argument);
}

TEST(BadInput, segment_not_below_total_segments) {
  EXPECT_FALSE(code(scan_request("orders").segment(3, 4)));
  EXPECT_EQ(code(scan_request("orders").segment(4, 4)), invalid_argument);
  EXPECT_EQ(code(scan_request("orders").segment(-1, 4)), invalid_argument);
  EXPECT_EQ(code(scan_request("orders").segment(0, 0)), invalid_argument);
  EXPECT_EQ(code(scan_request("orders").segment(0)), invalid_argument); // TotalSegments missing
}

TEST(BadInput, table_name_empty_or_too_long) {
  EXPECT_FALSE(code(get_item_request(std::string(255, 't'), pk("a"))));
  EXPECT_EQ(code(get_item_request("", pk("a"))), invalid_argument);
  EXPECT_EQ(code(get_item_request(std::string(256, 't'), pk("a"))), invalid_argument);
  EXPECT_EQ(code(batch_get_request().key(std::string(256, 't'), pk("a"))), invalid_argument);
  // An ARN may be longer (up to 1024).
  const std::string arn = "arn:aws:dynamodb:us-east-1:123456789012:table/" + std::string(300, 't');
  EXPECT_FALSE(code(get_item_request(arn, pk("a"))));
  EXPECT_EQ(code(get_item_request(arn + std::string(1024, 't'), pk("a"))), invalid_argument);
}

TEST(BadInput, table_name_short_or_bad_characters_table_layer) {
  EXPECT_TRUE(dt::is_valid_table_name("app"));
  for (const std::string& bad :
       std::vector<std::string>{"ab", "my table", "t/1", "caf\xc3\xa9", std::string(256, 't')}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(dt::is_valid_table_name(bad));
    EXPECT_EQ(thrown([&] { dt::table_name_scope s(bad); }), invalid_argument);
    error_code ec;
    EXPECT_EQ(dt::resolve_table_name(ec, bad), "");
    EXPECT_EQ(ec, client_errc::invalid_config);
    EXPECT_EQ(thrown([&] { dt::detail::check_table(bad, "batch_get"); }), invalid_argument);
  }
  EXPECT_NO_THROW(dt::detail::check_table("app.v2-x_y", "batch_get"));
}

TEST(BadInput, index_name_invalid) {
  auto q = [](std::string index) {
    return query_request("orders").index(std::move(index)).key_condition("PK = :p").value(":p", 1);
  };
  EXPECT_FALSE(code(q("GSI_1")));
  EXPECT_EQ(code(q("G1")), invalid_argument);
  EXPECT_EQ(code(q("by day")), invalid_argument);
  EXPECT_EQ(code(scan_request("orders").index(std::string(256, 'i'))), invalid_argument);
  auto ct = create_table_request("orders", key_schema("PK"))
                .attribute("PK", value_type::string)
                .global_secondary_index(global_secondary_index("g#1", key_schema("PK")));
  EXPECT_EQ(code(ct), invalid_argument);
}

TEST(BadInput, client_request_token_over_36) {
  auto tx = [](std::string token) {
    return transact_write_request()
        .add(transact_delete("orders", pk("a")))
        .client_request_token(std::move(token));
  };
  EXPECT_FALSE(code(tx(std::string(36, 'x'))));
  EXPECT_EQ(code(tx(std::string(37, 'x'))), invalid_argument);
  // The single-table layer's token goes into the same request.
  auto req = dt::detail::make_transact_write_request(
      "orders", dt::transaction().add(dt::delete_arg(user_key("a"))), {}, std::string(40, 'x'));
  EXPECT_EQ(code(req), invalid_argument);
}

TEST(BadInput, nesting_over_32_levels) {
  auto nested = [](int levels) {
    value v = "leaf";
    for (int i = 0; i < levels; ++i) v = value(list{std::move(v)});
    return put_item_request("orders", item{{"PK", "a"}, {"deep", std::move(v)}});
  };
  EXPECT_FALSE(code(nested(32)));
  EXPECT_EQ(code(nested(33)), invalid_argument);
}

TEST(BadInput, return_values_not_allowed) {
  EXPECT_FALSE(code(put_item_request("orders", pk("a")).return_values(return_value::all_old)));
  EXPECT_EQ(code(put_item_request("orders", pk("a")).return_values(return_value::all_new)), invalid_argument);
  EXPECT_EQ(code(delete_item_request("orders", pk("a")).return_values(return_value::updated_old)),
            invalid_argument);
}

// ---- counts and duplicates ----

TEST(BadInput, transaction_101_actions) {
  transact_write_request w;
  for (int i = 0; i < 100; ++i) w.add(transact_delete("orders", pk(i)));
  EXPECT_FALSE(code(w));
  w.add(transact_delete("orders", pk(100)));
  EXPECT_EQ(code(w), invalid_argument);
  transact_get_request g;
  for (int i = 0; i < 101; ++i) g.add(transact_get("orders", pk(i)));
  EXPECT_EQ(code(g), invalid_argument);
  // The single-table layer.
  dt::transaction tx;
  for (int i = 0; i < 101; ++i) tx.add(dt::delete_arg(user_key(std::to_string(i))));
  EXPECT_EQ(thrown([&] { dt::detail::validate(tx); }), invalid_argument);
}

TEST(BadInput, transaction_0_actions) {
  EXPECT_EQ(code(transact_write_request()), invalid_argument);
  EXPECT_EQ(code(transact_get_request()), invalid_argument);
  EXPECT_EQ(thrown([] { dt::detail::validate(dt::transaction()); }), invalid_argument);
}

TEST(BadInput, transaction_two_actions_on_one_item) {
  auto two = [](transact_write_action a, transact_write_action b) {
    return transact_write_request().add(std::move(a)).add(std::move(b));
  };
  EXPECT_FALSE(code(two(transact_delete("orders", pk("a")), transact_delete("orders", pk("b")))));
  EXPECT_FALSE(code(two(transact_delete("orders", pk("a")), transact_delete("users", pk("a")))));
  EXPECT_EQ(code(two(transact_delete("orders", pk("a")), transact_delete("orders", pk("a")))),
            invalid_argument);
  // A put's item holds its key.
  EXPECT_EQ(code(two(transact_put("orders", item{{"PK", "a"}, {"n", 1}}),
                     transact_condition_check("orders", pk("a"), "attribute_exists(PK)"))),
            invalid_argument);
  // Numbers compare by value.
  EXPECT_EQ(code(two(transact_update("orders", pk(number("1.0"))).update("REMOVE x"),
                     transact_delete("orders", pk(number("1"))))),
            invalid_argument);
  // The single-table layer.
  auto tx = dt::transaction().add(dt::insert_arg(user_key("a"))).add(dt::delete_arg(user_key("a")));
  EXPECT_EQ(thrown([&] { dt::detail::validate(tx); }), invalid_argument);
}

TEST(BadInput, batch_get_over_100_keys) {
  batch_get_request r;
  for (int i = 0; i < 100; ++i) r.key("orders", pk(i));
  EXPECT_FALSE(code(r));
  r.key("users", pk(0));
  EXPECT_EQ(code(r), invalid_argument);
}

TEST(BadInput, batch_write_over_25_writes) {
  batch_write_request r;
  for (int i = 0; i < 25; ++i) r.delete_request("orders", pk(i));
  EXPECT_FALSE(code(r));
  r.put_request("users", pk(0));
  EXPECT_EQ(code(r), invalid_argument);
}

TEST(BadInput, batch_get_duplicate_keys) {
  EXPECT_FALSE(code(batch_get_request().key("orders", pk("a")).key("users", pk("a"))));
  EXPECT_EQ(code(batch_get_request().key("orders", pk("a")).key("orders", pk("b")).key("orders", pk("a"))),
            invalid_argument);
  EXPECT_EQ(code(batch_get_request().key("orders", pk(number("5"))).key("orders", pk(number("5.00")))),
            invalid_argument);
}

TEST(BadInput, batch_write_duplicate_keys) {
  EXPECT_FALSE(
      code(batch_write_request().delete_request("orders", pk("a")).delete_request("orders", pk("b"))));
  EXPECT_EQ(code(batch_write_request().delete_request("orders", pk("a")).delete_request("orders", pk("a"))),
            invalid_argument);
  EXPECT_EQ(code(batch_write_request()
                     .put_request("orders", item{{"PK", "a"}, {"n", 1}})
                     .delete_request("orders", pk("a"))),
            invalid_argument);
  EXPECT_EQ(code(batch_write_request()
                     .put_request("orders", item{{"PK", "a"}, {"n", 1}})
                     .put_request("orders", item{{"PK", "a"}, {"n", 1}})),
            invalid_argument);
}

TEST(BadInput, batch_duplicates_merged_table_layer) {
  // The single-table layer merges what the request layer rejects, as batch.hpp documents.
  std::vector<dt::item_key> keys{user_key("a"), user_key("b"), user_key("a")};
  dt::detail::batch_get_plan get(keys);
  EXPECT_EQ(get.keys().unique.size(), 2u);
  EXPECT_FALSE(code(get.next_request("orders", dt::batch_options())));

  std::vector<item> puts{user_key("a").to_item(), user_key("a").to_item()};
  std::vector<dt::item_key> deletes{user_key("b"), user_key("b")};
  dt::detail::batch_write_plan write(puts, deletes);
  EXPECT_EQ(write.size(), 2u);
  EXPECT_FALSE(code(write.next_request("orders")));
  // A put and a delete of one key cannot be merged.
  std::vector<dt::item_key> conflict{user_key("a")};
  EXPECT_EQ(thrown([&] { dt::detail::batch_write_plan p(puts, conflict); }), invalid_argument);
}

TEST(BadInput, batch_bad_items_and_keys_table_layer) {
  std::vector<item> big{user_key("a").to_item()};
  big[0].emplace("blob", std::string(401 * 1024, 'x'));
  EXPECT_EQ(thrown([&] { dt::detail::batch_write_plan p(big, {}); }), invalid_argument);
  std::vector<item> empty{user_key("a").to_item()};
  empty[0].emplace("s", string_set{});
  EXPECT_EQ(thrown([&] { dt::detail::batch_write_plan p(empty, {}); }), empty_set);
  // Stored (unchecked) keys are checked before any request.
  std::vector<dt::item_key> keys{dt::item_key::stored("USER#a", "")};
  EXPECT_EQ(thrown([&] { dt::detail::batch_get_plan p(keys); }), invalid_argument);
  std::vector<dt::item_key> long_sort{dt::item_key::stored("USER#a", std::string(1025, 's'))};
  EXPECT_EQ(thrown([&] { dt::detail::batch_write_plan p({}, long_sort); }), invalid_argument);
  std::vector<dt::item_key> bad_utf8{dt::item_key::stored("USER#\xff", "GROUP#1")};
  EXPECT_EQ(thrown([&] { dt::detail::batch_get_plan p(bad_utf8); }), invalid_utf8);
}

TEST(BadInput, transaction_bad_items_table_layer) {
  auto big =
      dt::transaction().add(dt::insert_arg(user_key("a"), item{{"blob", std::string(401 * 1024, 'x')}}));
  EXPECT_EQ(thrown([&] { dt::detail::validate(big); }), invalid_argument);
  auto bad = dt::transaction().add(dt::put_arg(user_key("a"), item{{"s", "\xff"}}));
  EXPECT_EQ(thrown([&] { dt::detail::validate(bad); }), invalid_utf8);
  auto stored = dt::transaction().add(dt::delete_arg(dt::item_key::stored("", "GROUP#1")));
  EXPECT_EQ(thrown([&] { dt::detail::validate(stored); }), invalid_argument);
  auto fine = dt::transaction().add(dt::put_arg(user_key("a"), item{{"n", 1}}));
  EXPECT_NO_THROW(dt::detail::validate(fine));
}

// ================================================================ the single-table layer (pure)

TEST(BadInput, entity_key_empty_value) {
  EXPECT_NO_THROW(dt::partition_key<User>("a"));
  EXPECT_EQ(thrown([] { dt::partition_key<User> k(""); }), invalid_argument);
  EXPECT_EQ(thrown([] { dt::sort_key<Group> k(""); }), invalid_argument);
  EXPECT_EQ(thrown([] { dt::prefix_sort_key<Group> k("", dt::exact_segment); }), invalid_argument);
  error_code ec;
  EXPECT_FALSE(dt::partition_key<User>::make("", ec));
  EXPECT_EQ(ec, invalid_argument);
  EXPECT_NO_THROW(dt::prefix_sort_key<Group>()); // "GROUP#": a prefix may be empty
}

TEST(BadInput, entity_key_over_limit) {
  // USER# is 5 bytes, GROUP# 6.
  EXPECT_NO_THROW(dt::partition_key<User>(std::string(2043, 'x')));
  EXPECT_EQ(thrown([] { dt::partition_key<User> k(std::string(2044, 'x')); }), invalid_argument);
  EXPECT_NO_THROW(dt::sort_key<Group>(std::string(1018, 'x')));
  EXPECT_EQ(thrown([] { dt::sort_key<Group> k(std::string(1019, 'x')); }), invalid_argument);
  // Escaping counts: 600 '#' become 1200 bytes.
  EXPECT_EQ(thrown([] { dt::sort_key<Group> k(std::string(600, '#')); }), invalid_argument);
  EXPECT_EQ(thrown([] { dt::prefix_sort_key<Group> k(std::string(1019, 'x')); }), invalid_argument);
}

TEST(BadInput, entity_key_invalid_utf8) {
  EXPECT_EQ(thrown([] { dt::partition_key<User> k("al\xffice"); }), invalid_utf8);
  EXPECT_EQ(thrown([] { dt::sort_key<Group> k("\xc3"); }), invalid_utf8);
  EXPECT_EQ(thrown([] { dt::sort_key<Group>::parse("GROUP#\xff"); }), invalid_utf8);
}

TEST(BadInput, entity_name_with_delimiter) {
  EXPECT_EQ(thrown([] { dt::partition_key<Hashy> k("x"); }), invalid_argument);
  // With another delimiter the same entity is fine.
  EXPECT_NO_THROW(dt::partition_key<Hashy>("x", dt::key_config().delimiter('|')));
  // Unusable delimiters and key names.
  EXPECT_EQ(dt::key_config().delimiter('\\').validate(), invalid_argument);
  EXPECT_EQ(dt::key_config().delimiter(' ').validate(), invalid_argument);
  EXPECT_EQ(dt::key_config().sort_key("PK").validate(), invalid_argument);
  EXPECT_EQ(thrown([] { dt::partition_key<User> k("a", dt::key_config().partition_key("")); }),
            invalid_argument);
}

TEST(BadInput, entity_key_of_another_entity) {
  EXPECT_EQ(thrown([] { dt::sort_key<Group>::parse("USER#a"); }), client_errc::wrong_type);
  EXPECT_EQ(thrown([] { dt::sort_key<Group>::parse("GROUP#a#b"); }), invalid_argument); // not one segment
}

TEST(BadInput, model_bad_key_field_or_member) {
  EXPECT_NO_THROW(dt::to_item(Reading{"s1", "2024", 21.5}));
  EXPECT_EQ(thrown([] { dt::to_item(Reading{"", "2024", 1}); }), invalid_argument);
  EXPECT_EQ(thrown([] { dt::to_item(Reading{"s1", "\xff", 1}); }), invalid_utf8);
  EXPECT_EQ(thrown([] { dt::to_item(Reading{std::string(3000, 's'), "2024", 1}); }), invalid_argument);
  EXPECT_EQ(thrown([] { dt::to_item(Reading{"s1", "2024", std::nan("")}); }), invalid_number);
  EXPECT_EQ(thrown([] { dt::to_item(Reading{"s1", "2024", HUGE_VAL}); }), invalid_number);
}

TEST(BadInput, update_builder_bad_condition_operator) {
  EXPECT_NO_THROW(dt::update().condition("n", ">=", 1));
  EXPECT_EQ(thrown([] { dt::update().condition("n", "LIKE", 1); }), invalid_argument);
  EXPECT_EQ(thrown([] { dt::update().condition("n", "= 1 OR n", 1); }), invalid_argument);
}

TEST(BadInput, cursor_not_a_cursor) {
  error_code ec;
  EXPECT_TRUE(dt::cursor::parse(dt::cursor(item{{"PK", "USER#a"}}).str(), ec));
  for (std::string bad : {"", "garbage", "c1.", "c1.!!!", "c1.AAAAAQ=="}) {
    SCOPED_TRACE(bad);
    auto c = dt::cursor::parse(bad, ec);
    if (bad == "c1.") { // an empty cursor is "from the beginning"
      EXPECT_TRUE(c && c->empty());
      continue;
    }
    EXPECT_FALSE(c);
    EXPECT_EQ(ec, invalid_argument);
  }
  EXPECT_EQ(thrown([] { dt::cursor(item{{"PK", 1}}).str(); }), invalid_argument); // keys are strings
}

TEST(BadInput, partiql_statement_empty_or_too_long) {
  EXPECT_EQ(code(execute_statement_request("")), invalid_argument);
  std::string longest = "SELECT * FROM \"t\" WHERE PK = ?";
  longest.append(execute_statement_request::max_statement - longest.size(), ' ');
  EXPECT_FALSE(code(execute_statement_request(longest).parameter("a")));
  EXPECT_EQ(code(execute_statement_request(longest + " ").parameter("a")), invalid_argument);
  EXPECT_EQ(code(batch_execute_statement_request().add(partiql_statement(""))), invalid_argument);
  EXPECT_EQ(code(execute_transaction_request().add(partiql_statement(longest + " "))), invalid_argument);
  // Parameters are values like any other: an empty set is refused.
  EXPECT_EQ(code(execute_statement_request("SELECT * FROM \"t\" WHERE PK = ?").parameter(string_set{})),
            empty_set);
}

TEST(BadInput, partiql_statement_counts_and_options) {
  const partiql_statement s("UPDATE \"t\" SET n = 1 WHERE PK = ?");
  EXPECT_EQ(code(batch_execute_statement_request()), invalid_argument);
  EXPECT_EQ(code(execute_transaction_request()), invalid_argument);
  batch_execute_statement_request batch;
  for (std::size_t i = 0; i < batch_execute_statement_request::max_statements; ++i) batch.add(s);
  EXPECT_FALSE(code(batch));
  EXPECT_EQ(code(batch.add(s)), invalid_argument);
  execute_transaction_request tx;
  for (std::size_t i = 0; i < execute_transaction_request::max_statements; ++i) tx.add(s);
  EXPECT_FALSE(code(tx));
  EXPECT_EQ(code(tx.add(s)), invalid_argument);

  auto consistent = partiql_statement(s).consistent_read();
  EXPECT_FALSE(code(batch_execute_statement_request().add(consistent)));
  EXPECT_EQ(code(execute_transaction_request().add(consistent)), invalid_argument);
  auto all_new = partiql_statement(s).return_values_on_condition_check_failure(return_value::all_new);
  EXPECT_EQ(code(batch_execute_statement_request().add(all_new)), invalid_argument);
  EXPECT_EQ(code(execute_statement_request(s.statement())
                     .return_values_on_condition_check_failure(return_value::updated_old)),
            invalid_argument);
  EXPECT_FALSE(code(execute_transaction_request().add(s).client_request_token(std::string(36, 'x'))));
  EXPECT_EQ(code(execute_transaction_request().add(s).client_request_token(std::string(37, 'x'))),
            invalid_argument);
  EXPECT_EQ(code(execute_statement_request(s.statement()).limit(0)), invalid_argument);
}
