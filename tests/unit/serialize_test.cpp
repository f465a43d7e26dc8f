// Request bodies: golden files for every operation, escaping, UTF-8 validation, error cases.
#include <ddb/requests.hpp>
#include <ddb/serialize.hpp>

#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <sstream>
#include <string>

using namespace ddb;
using namespace std::string_literals;

// The request types are not aggregates (GCC 12 coroutine bug) and all satisfy serializable_request.
static_assert(!std::is_aggregate_v<get_item_request> && !std::is_aggregate_v<list_tables_request> &&
              !std::is_aggregate_v<batch_get_request> && !std::is_aggregate_v<transact_write_request> &&
              !std::is_aggregate_v<key_schema> && !std::is_aggregate_v<throughput>);
static_assert(serializable_request<get_item_request> && serializable_request<put_item_request> &&
              serializable_request<update_item_request> && serializable_request<delete_item_request> &&
              serializable_request<query_request> && serializable_request<scan_request> &&
              serializable_request<batch_get_request> && serializable_request<batch_write_request> &&
              serializable_request<transact_get_request> && serializable_request<transact_write_request> &&
              serializable_request<create_table_request> && serializable_request<describe_table_request> &&
              serializable_request<delete_table_request> &&
              serializable_request<update_time_to_live_request> && serializable_request<list_tables_request>);
static_assert(get_item_request::operation == "GetItem" && put_item_request::operation == "PutItem" &&
              update_item_request::operation == "UpdateItem" &&
              delete_item_request::operation == "DeleteItem" && query_request::operation == "Query" &&
              scan_request::operation == "Scan" && batch_get_request::operation == "BatchGetItem" &&
              batch_write_request::operation == "BatchWriteItem" &&
              transact_get_request::operation == "TransactGetItems" &&
              transact_write_request::operation == "TransactWriteItems" &&
              create_table_request::operation == "CreateTable" &&
              describe_table_request::operation == "DescribeTable" &&
              delete_table_request::operation == "DeleteTable" &&
              update_time_to_live_request::operation == "UpdateTimeToLive" &&
              list_tables_request::operation == "ListTables");

namespace {

// The golden bodies live in tests/unit/data/requests. DDB_TEST_DATA_DIR should point at
// tests/unit/data; the directory of this file is the fallback.
std::string golden(const std::string& name) {
  const std::string file = "/requests/" + name + ".json";
  std::ifstream in(std::string(DDB_TEST_DATA_DIR) + file, std::ios::binary);
  if (!in) {
    std::string here = __FILE__;
    in.open(here.substr(0, here.find_last_of('/')) + "/data" + file, std::ios::binary);
  }
  EXPECT_TRUE(in) << "missing golden file " << name;
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  if (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

bool parses_as_json(const std::string& s) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  return parser.parse(s).get(doc) == simdjson::SUCCESS;
}

template <class R>
std::string body(const R& r) {
  std::string out;
  auto ec = serialize(r, out);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_TRUE(parses_as_json(out)) << out;
  return out;
}

/// Serializes into a string holding stale text: on error the result must be empty.
template <class R>
error_code failure(const R& r) {
  std::string out = "stale";
  auto ec = serialize(r, out);
  EXPECT_TRUE(out.empty()) << out;
  return ec;
}

item key(std::string pk) { return item{{"PK", std::move(pk)}}; }

item profile() {
  return item{
      {"PK", "USER#alice"},
      {"SK", "PROFILE"},
      {"address", item{{"city", "Oslo"}, {"zip", "0150"}}},
      {"admin", true},
      {"age", 42},
      {"avatar", to_bytes("\x00\x01\x02"s)},
      {"balance", number("12.50")},
      {"blobs", binary_set{to_bytes("hi"), to_bytes("\xff")}},
      {"deleted", null},
      {"history", list{1, "two", list{false}}},
      {"scores", number_set{number(1), number("2.5")}},
      {"tags", string_set{"b", "a"}},
  };
}

const error_code invalid_argument = client_errc::invalid_argument;
const error_code invalid_utf8 = client_errc::invalid_utf8;
const error_code empty_set = client_errc::empty_set;

} // namespace

// ---------------------------------------------------------------- golden bodies

TEST(serialize_golden, get_item) {
  auto r = get_item_request("users", {{"PK", "USER#alice"}, {"SK", "PROFILE"}})
               .projection("#n, age")
               .name("#n", "name")
               .consistent_read()
               .return_consumed_capacity(return_capacity::total);
  EXPECT_EQ(body(r), golden("get_item"));
}

TEST(serialize_golden, get_item_minimal) {
  EXPECT_EQ(body(get_item_request("users", key("a"))), golden("get_item_minimal"));
}

TEST(serialize_golden, put_item_all_types) {
  auto r = put_item_request("users", profile())
               .condition("attribute_not_exists(PK)")
               .return_values(return_value::all_old)
               .return_consumed_capacity(return_capacity::indexes)
               .return_item_collection_metrics(return_collection_metrics::size)
               .return_values_on_condition_check_failure(return_value::all_old);
  EXPECT_EQ(body(r), golden("put_item"));
}

TEST(serialize_golden, update_item) {
  auto r = update_item_request("users", key("USER#alice"))
               .update("SET #n = :n ADD visits :one")
               .condition("attribute_exists(PK)")
               .name("#n", "name")
               .value(":n", "Alice")
               .value(":one", 1)
               .return_values(return_value::updated_new)
               .return_consumed_capacity(return_capacity::none);
  EXPECT_EQ(body(r), golden("update_item"));
}

TEST(serialize_golden, delete_item) {
  auto r = delete_item_request("users", {{"PK", "USER#bob"}, {"SK", 7}})
               .condition("#s = :s")
               .name("#s", "status")
               .value(":s", "inactive")
               .return_values(return_value::all_old)
               .return_values_on_condition_check_failure(return_value::none);
  EXPECT_EQ(body(r), golden("delete_item"));
}

TEST(serialize_golden, query) {
  auto r = query_request("orders")
               .index("GSI1")
               .key_condition("GSI1PK = :pk AND begins_with(GSI1SK, :p)")
               .filter("amount > :min")
               .projection("#id, amount")
               .name("#id", "id")
               .value(":pk", "USER#alice")
               .value(":p", "ORDER#")
               .value(":min", 100)
               .select(select_attributes::specific_attributes)
               .limit(10)
               .consistent_read(false)
               .scan_index_forward(false)
               .exclusive_start_key(
                   {{"GSI1PK", "USER#alice"}, {"GSI1SK", "ORDER#0005"}, {"PK", "ORDER#5"}, {"SK", "ORDER#5"}})
               .return_consumed_capacity(return_capacity::indexes);
  EXPECT_EQ(body(r), golden("query"));
}

TEST(serialize_golden, query_minimal) {
  EXPECT_EQ(body(query_request("orders").key_condition("PK = :pk").value(":pk", "A")),
            golden("query_minimal"));
}

TEST(serialize_golden, scan) {
  auto r = scan_request("orders")
               .filter("attribute_exists(#t)")
               .name("#t", "total")
               .select(select_attributes::count)
               .limit(500)
               .consistent_read()
               .segment(1, 4)
               .return_consumed_capacity(return_capacity::total);
  EXPECT_EQ(body(r), golden("scan"));
}

TEST(serialize_golden, scan_minimal) { EXPECT_EQ(body(scan_request("orders")), golden("scan_minimal")); }

TEST(serialize_golden, batch_get_item) {
  auto r = batch_get_request()
               .key("users", key("USER#alice"))
               .key("users", key("USER#bob"))
               .add(batch_get_table("orders")
                        .key({{"PK", "ORDER#1"}, {"SK", "ORDER#1"}})
                        .projection("#a, PK")
                        .name("#a", "amount")
                        .consistent_read())
               .return_consumed_capacity(return_capacity::total);
  EXPECT_EQ(body(r), golden("batch_get_item"));
}

TEST(serialize_golden, batch_write_item) {
  auto r = batch_write_request()
               .put_request("users", {{"PK", "USER#carol"}, {"name", "Carol"}})
               .delete_request("users", key("USER#dave"))
               .put_request("orders", {{"PK", "ORDER#9"}, {"amount", number("19.99")}})
               .return_consumed_capacity(return_capacity::total)
               .return_item_collection_metrics(return_collection_metrics::size);
  EXPECT_EQ(body(r), golden("batch_write_item"));
}

TEST(serialize_golden, transact_get_items) {
  auto r = transact_get_request()
               .add(transact_get("users", key("USER#alice")).projection("#n").name("#n", "name"))
               .add(transact_get("orders", {{"PK", "ORDER#1"}, {"SK", "ORDER#1"}}))
               .return_consumed_capacity(return_capacity::total);
  EXPECT_EQ(body(r), golden("transact_get_items"));
}

TEST(serialize_golden, execute_statement) {
  auto r = execute_statement_request(R"(SELECT * FROM "users" WHERE PK = ? AND age > ?)")
               .parameter("USER#alice")
               .parameter(18)
               .parameter(item{{"city", "Oslo"}})
               .consistent_read()
               .limit(10)
               .next_token("abc")
               .return_consumed_capacity(return_capacity::total)
               .return_values_on_condition_check_failure(return_value::all_old);
  EXPECT_EQ(body(r), golden("execute_statement"));
  EXPECT_EQ(body(execute_statement_request(R"(SELECT * FROM "users")")), golden("execute_statement_minimal"))
      << "no empty Parameters list";
}

TEST(serialize_golden, batch_execute_statement) {
  auto r = batch_execute_statement_request()
               .add(partiql_statement(R"(SELECT * FROM "users" WHERE PK = ?)")
                        .parameter("USER#alice")
                        .consistent_read())
               .add(partiql_statement(R"(SELECT * FROM "users" WHERE PK = 'USER#bob')")
                        .return_values_on_condition_check_failure(return_value::none))
               .return_consumed_capacity(return_capacity::indexes);
  EXPECT_EQ(body(r), golden("batch_execute_statement"));
}

TEST(serialize_golden, execute_transaction) {
  auto r = execute_transaction_request()
               .add(partiql_statement(R"(UPDATE "users" SET n = n + ? WHERE PK = ?)")
                        .parameter(1)
                        .parameter("USER#alice")
                        .return_values_on_condition_check_failure(return_value::all_old))
               .add(partiql_statement(R"(DELETE FROM "orders" WHERE PK = ?)").parameter("ORDER#1"))
               .client_request_token("tx-1")
               .return_consumed_capacity(return_capacity::total);
  EXPECT_EQ(body(r), golden("execute_transaction"));
}

TEST(serialize_golden, transact_write_items) {
  auto r =
      transact_write_request()
          .add(transact_put("orders", {{"PK", "ORDER#2"}, {"amount", 5}})
                   .condition("attribute_not_exists(PK)")
                   .return_values_on_condition_check_failure(return_value::all_old))
          .add(transact_update("users", key("USER#alice"))
                   .update("ADD #o :one")
                   .condition("attribute_exists(PK)")
                   .name("#o", "orders")
                   .value(":one", 1))
          .add(transact_delete("carts", key("CART#alice")))
          .add(transact_condition_check("limits", key("LIMIT#alice"), "remaining > :zero").value(":zero", 0))
          .client_request_token("c0ffee-0001")
          .return_consumed_capacity(return_capacity::total)
          .return_item_collection_metrics(return_collection_metrics::size);
  EXPECT_EQ(body(r), golden("transact_write_items"));
}

TEST(serialize_golden, create_table_on_demand_with_indexes) {
  auto r = create_table_request("orders", key_schema("PK", "SK"))
               .attribute("PK", value_type::string)
               .attribute("SK", value_type::string)
               .attribute("GSI1PK", value_type::string)
               .attribute("amount", value_type::number)
               .global_secondary_index(global_secondary_index("GSI1", key_schema("GSI1PK", "SK"),
                                                              index_projection::include({"status", "total"})))
               .local_secondary_index(
                   local_secondary_index("LSI1", key_schema("PK", "amount"), index_projection::keys_only()));
  EXPECT_EQ(r.billing(), billing_mode::pay_per_request);
  EXPECT_EQ(body(r), golden("create_table"));
}

TEST(serialize_golden, create_table_provisioned) {
  auto r = create_table_request("events", key_schema("id"))
               .attribute("id", value_type::number)
               .attribute("day", value_type::string)
               .provisioned_throughput(5, 10)
               .global_secondary_index(
                   global_secondary_index("by_day", key_schema("day")).provisioned_throughput(2, 3));
  EXPECT_EQ(r.billing(), billing_mode::provisioned);
  EXPECT_EQ(body(r), golden("create_table_provisioned"));
}

TEST(serialize_golden, describe_table) {
  EXPECT_EQ(body(describe_table_request("orders")), golden("describe_table"));
}

TEST(serialize_golden, delete_table) {
  EXPECT_EQ(body(delete_table_request("orders")), golden("delete_table"));
}

TEST(serialize_golden, update_time_to_live) {
  EXPECT_EQ(body(update_time_to_live_request("sessions", "expires_at")), golden("update_time_to_live"));
  EXPECT_EQ(
      body(update_time_to_live_request("sessions", "expires_at", false)),
      R"({"TableName":"sessions","TimeToLiveSpecification":{"AttributeName":"expires_at","Enabled":false}})");
}

TEST(serialize_golden, list_tables) {
  EXPECT_EQ(body(list_tables_request().limit(50).exclusive_start_table_name("orders")),
            golden("list_tables"));
  EXPECT_EQ(body(list_tables_request()), golden("list_tables_empty"));
}

// ---------------------------------------------------------------- options

TEST(serialize_options, every_enum_value_is_spelled_as_on_the_wire) {
  auto rv = [](return_value v) {
    return body(update_item_request("t", key("a")).update("SET b = :b").value(":b", 1).return_values(v));
  };
  EXPECT_NE(rv(return_value::none).find(R"("ReturnValues":"NONE")"), std::string::npos);
  EXPECT_NE(rv(return_value::all_old).find(R"("ReturnValues":"ALL_OLD")"), std::string::npos);
  EXPECT_NE(rv(return_value::updated_old).find(R"("ReturnValues":"UPDATED_OLD")"), std::string::npos);
  EXPECT_NE(rv(return_value::all_new).find(R"("ReturnValues":"ALL_NEW")"), std::string::npos);
  EXPECT_NE(rv(return_value::updated_new).find(R"("ReturnValues":"UPDATED_NEW")"), std::string::npos);

  auto sel = [](select_attributes s) { return body(scan_request("t").select(s)); };
  EXPECT_NE(sel(select_attributes::all_attributes).find(R"("Select":"ALL_ATTRIBUTES")"), std::string::npos);
  EXPECT_NE(sel(select_attributes::all_projected_attributes).find(R"("Select":"ALL_PROJECTED_ATTRIBUTES")"),
            std::string::npos);
  EXPECT_NE(sel(select_attributes::specific_attributes).find(R"("Select":"SPECIFIC_ATTRIBUTES")"),
            std::string::npos);
  EXPECT_NE(sel(select_attributes::count).find(R"("Select":"COUNT")"), std::string::npos);

  EXPECT_NE(body(scan_request("t").return_consumed_capacity(return_capacity::none))
                .find(R"("ReturnConsumedCapacity":"NONE")"),
            std::string::npos);
  EXPECT_NE(
      body(put_item_request("t", key("a")).return_item_collection_metrics(return_collection_metrics::none))
          .find(R"("ReturnItemCollectionMetrics":"NONE")"),
      std::string::npos);
}

TEST(serialize_options, defaults_are_left_out) {
  // ConsistentRead=false and ScanIndexForward=true are DynamoDB's defaults: not written.
  EXPECT_EQ(
      body(query_request("t")
               .key_condition("PK = :p")
               .value(":p", 1)
               .consistent_read(false)
               .scan_index_forward(true)),
      R"({"TableName":"t","KeyConditionExpression":"PK = :p","ExpressionAttributeValues":{":p":{"N":"1"}}})");
  // An empty ExclusiveStartKey means "from the start".
  EXPECT_EQ(body(scan_request("t").exclusive_start_key({})), R"({"TableName":"t"})");
}

TEST(serialize_options, setters_replace_and_placeholders_are_sorted) {
  auto r = get_item_request("t", key("a")).name("#b", "x").name("#a", "y").name("#b", "z");
  EXPECT_EQ(body(r),
            R"({"TableName":"t","Key":{"PK":{"S":"a"}},"ExpressionAttributeNames":{"#a":"y","#b":"z"}})");
  EXPECT_EQ(r.names().size(), 2u);
}

TEST(serialize_options, getters) {
  auto q = query_request("t").key_condition("PK = :p").limit(5).index("i");
  EXPECT_EQ(q.table(), "t");
  EXPECT_EQ(q.key_condition(), "PK = :p");
  EXPECT_EQ(q.limit(), 5);
  EXPECT_EQ(q.index(), "i");
  EXPECT_FALSE(q.select().has_value());
  EXPECT_TRUE(q.scan_index_forward());

  auto bw = batch_write_request()
                .put_request("a", key("1"))
                .put_request("b", key("2"))
                .delete_request("a", key("3"));
  ASSERT_EQ(bw.tables().size(), 2u);
  EXPECT_EQ(bw.tables()[0].table(), "a");
  ASSERT_EQ(bw.tables()[0].requests().size(), 2u);
  EXPECT_EQ(bw.tables()[0].requests()[1], write_request(delete_request{key("3")}));

  auto ct = create_table_request("t", key_schema("PK")).attribute("PK", value_type::number);
  ASSERT_EQ(ct.attributes().size(), 1u);
  EXPECT_EQ(ct.attributes()[0], (attribute_definition{"PK", "N"}));

  auto c = transact_condition_check("t", key("a"), "attribute_exists(PK)");
  EXPECT_EQ(c.condition(), "attribute_exists(PK)");
  EXPECT_EQ(c.table(), "t");
}

// The UnprocessedKeys / UnprocessedItems of a batch response make the next request as they are.
TEST(serialize_options, batch_requests_from_unprocessed_parts) {
  batch_get_item_response got;
  got.unprocessed_keys["orders"].keys = {key("ORDER#1")};
  got.unprocessed_keys["orders"].projection_expression = "#a";
  got.unprocessed_keys["orders"].expression_attribute_names = {{"#a", "amount"}};
  got.unprocessed_keys["orders"].consistent_read = true;
  got.unprocessed_keys["users"].keys = {key("USER#alice"), key("USER#bob")};
  EXPECT_EQ(body(batch_get_request(got.unprocessed_keys)),
            R"({"RequestItems":{"orders":{"Keys":[{"PK":{"S":"ORDER#1"}}],"ProjectionExpression":"#a",)"
            R"("ExpressionAttributeNames":{"#a":"amount"},"ConsistentRead":true},)"
            R"("users":{"Keys":[{"PK":{"S":"USER#alice"}},{"PK":{"S":"USER#bob"}}]}}})");

  batch_write_item_response wrote;
  wrote.unprocessed_items["users"] = {put_request{key("USER#carol")}, delete_request{key("USER#dave")}};
  EXPECT_EQ(body(batch_write_request(std::move(wrote.unprocessed_items))),
            R"({"RequestItems":{"users":[{"PutRequest":{"Item":{"PK":{"S":"USER#carol"}}}},)"
            R"({"DeleteRequest":{"Key":{"PK":{"S":"USER#dave"}}}}]}})");
}

// ---------------------------------------------------------------- escaping and UTF-8

TEST(serialize_escaping, strings_are_escaped) {
  auto r = put_item_request("t", {{"PK", "say \"hi\" \\ back\nslash\t\x01\x1f"s + '\0' + "end"}});
  EXPECT_EQ(
      body(r),
      R"({"TableName":"t","Item":{"PK":{"S":"say \"hi\" \\ back\u000aslash\u0009\u0001\u001f\u0000end"}}})");
}

TEST(serialize_escaping, names_placeholders_and_expressions_are_escaped) {
  auto r = update_item_request("t", {{"a\"b", 1}})
               .update("SET #q = :q")
               .condition("x <> \"\\\"")
               .name("#q", "quo\"te")
               .value(":q", "\x02");
  EXPECT_EQ(body(r), R"({"TableName":"t","Key":{"a\"b":{"N":"1"}},"UpdateExpression":"SET #q = :q",)"
                     R"("ConditionExpression":"x <> \"\\\"","ExpressionAttributeNames":{"#q":"quo\"te"},)"
                     R"("ExpressionAttributeValues":{":q":{"S":"\u0002"}}})");
}

TEST(serialize_escaping, utf8_is_written_as_is) {
  const std::string s =
      "Zo\xc3\xab \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80 \xef\xbf\xbf"; // 2, 3, 4 bytes, U+FFFF
  auto r = put_item_request("t\xc3\xa9", {{"PK", s}, {"n\xc3\xa4me", string_set{s}}});
  EXPECT_EQ(body(r), "{\"TableName\":\"t\xc3\xa9\",\"Item\":{\"PK\":{\"S\":\"" + s +
                         "\"},\"n\xc3\xa4me\":{\"SS\":[\"" + s + "\"]}}}");
}

TEST(serialize_escaping, invalid_utf8_anywhere_is_rejected) {
  const std::string bad[] = {
      "\xff",             // never valid
      "abc\xc3",          // truncated at the end of the string
      "\x80xyz",          // lone continuation byte
      "\xc0\xaf",         // overlong '/'
      "\xed\xa0\x80",     // UTF-16 surrogate
      "\xf4\x90\x80\x80", // above U+10FFFF
  };
  for (auto& b : bad) {
    SCOPED_TRACE(testing::PrintToString(b));
    // In a string value, top-level and nested.
    EXPECT_EQ(failure(put_item_request("t", {{"PK", b}})), invalid_utf8);
    EXPECT_EQ(failure(put_item_request("t", {{"PK", "a"}, {"m", item{{"x", list{b}}}}})), invalid_utf8);
    EXPECT_EQ(failure(put_item_request("t", {{"PK", "a"}, {"s", string_set{"ok", b}}})), invalid_utf8);
    // In an attribute name.
    EXPECT_EQ(failure(put_item_request("t", {{"PK", "a"}, {b, 1}})), invalid_utf8);
    EXPECT_EQ(failure(get_item_request("t", {{b, "a"}})), invalid_utf8);
    // In expression texts, names and values.
    EXPECT_EQ(failure(query_request("t").key_condition("PK = :p" + b).value(":p", 1)), invalid_utf8);
    EXPECT_EQ(failure(get_item_request("t", key("a")).projection(b)), invalid_utf8);
    EXPECT_EQ(failure(get_item_request("t", key("a")).projection("#n").name("#n", b)), invalid_utf8);
    EXPECT_EQ(failure(scan_request("t").filter("a = :v").value(":v", b)), invalid_utf8);
    EXPECT_EQ(failure(scan_request("t").filter("a = :v").value(":v" + b, 1)), invalid_utf8);
    // In a table name, a token, a key schema.
    EXPECT_EQ(failure(describe_table_request(b)), invalid_utf8);
    EXPECT_EQ(failure(transact_write_request().add(transact_delete("t", key("a"))).client_request_token(b)),
              invalid_utf8);
    EXPECT_EQ(failure(create_table_request("t", key_schema(b)).attribute(b, value_type::string)),
              invalid_utf8);
  }
}

// ---------------------------------------------------------------- error cases

TEST(serialize_errors, empty_sets) {
  EXPECT_EQ(failure(put_item_request("t", {{"PK", "a"}, {"s", string_set{}}})), empty_set);
  EXPECT_EQ(failure(put_item_request("t", {{"PK", "a"}, {"s", number_set{}}})), empty_set);
  EXPECT_EQ(failure(put_item_request("t", {{"PK", "a"}, {"s", binary_set{}}})), empty_set);
  EXPECT_EQ(failure(put_item_request("t", {{"PK", "a"}, {"m", item{{"l", list{string_set{}}}}}})), empty_set);
  EXPECT_EQ(failure(update_item_request("t", key("a")).update("ADD s :s").value(":s", string_set{})),
            empty_set);
  // Empty lists, maps and strings are fine.
  EXPECT_EQ(body(put_item_request("t", {{"PK", "a"}, {"l", list{}}, {"m", item{}}, {"s", ""}})),
            R"({"TableName":"t","Item":{"PK":{"S":"a"},"l":{"L":[]},"m":{"M":{}},"s":{"S":""}}})");
}

TEST(serialize_errors, missing_table_or_key) {
  EXPECT_EQ(failure(get_item_request("", key("a"))), invalid_argument);
  EXPECT_EQ(failure(get_item_request("t", {})), invalid_argument);
  EXPECT_EQ(failure(put_item_request("", key("a"))), invalid_argument);
  EXPECT_EQ(failure(put_item_request("t", {})), invalid_argument);
  EXPECT_EQ(failure(update_item_request("t", {}).update("SET a = :a").value(":a", 1)), invalid_argument);
  EXPECT_EQ(failure(delete_item_request("t", {})), invalid_argument);
  EXPECT_EQ(failure(query_request("").key_condition("PK = :p").value(":p", 1)), invalid_argument);
  EXPECT_EQ(failure(scan_request("")), invalid_argument);
  EXPECT_EQ(failure(describe_table_request("")), invalid_argument);
  EXPECT_EQ(failure(delete_table_request("")), invalid_argument);
  EXPECT_EQ(failure(update_time_to_live_request("", "ttl")), invalid_argument);
  EXPECT_EQ(failure(update_time_to_live_request("t", "")), invalid_argument);
  EXPECT_EQ(failure(put_item_request("t", {{"PK", "a"}, {"", 1}})), invalid_argument); // empty attribute name
}

TEST(serialize_errors, client_request_token_length) {
  auto r = [](std::string token) {
    return transact_write_request()
        .add(transact_delete("t", key("a")))
        .client_request_token(std::move(token));
  };
  EXPECT_FALSE(body(r(std::string(36, 'x'))).empty());
  EXPECT_EQ(failure(r(std::string(37, 'x'))), invalid_argument);
}

TEST(serialize_errors, required_expressions) {
  EXPECT_EQ(failure(query_request("t")), invalid_argument);
  EXPECT_EQ(failure(transact_write_request().add(transact_update("t", key("a")))), invalid_argument);
  EXPECT_EQ(failure(transact_write_request().add(transact_condition_check("t", key("a"), ""))),
            invalid_argument);
}

TEST(serialize_errors, placeholders) {
  EXPECT_EQ(failure(get_item_request("t", key("a")).projection("n").name("n", "name")), invalid_argument);
  EXPECT_EQ(failure(get_item_request("t", key("a")).projection("#").name("#", "name")), invalid_argument);
  EXPECT_EQ(failure(get_item_request("t", key("a")).projection("#n").name("#n", "")), invalid_argument);
  EXPECT_EQ(failure(scan_request("t").filter("a = v").value("v", 1)), invalid_argument);
  EXPECT_EQ(failure(scan_request("t").filter("a = :").value(":", 1)), invalid_argument);
}

TEST(serialize_errors, limits) {
  EXPECT_EQ(failure(query_request("t").key_condition("PK = :p").value(":p", 1).limit(0)), invalid_argument);
  EXPECT_EQ(failure(scan_request("t").limit(-1)), invalid_argument);
  EXPECT_EQ(failure(list_tables_request().limit(0)), invalid_argument);
  EXPECT_EQ(failure(list_tables_request().limit(101)), invalid_argument);
  EXPECT_FALSE(body(scan_request("t").limit(1)).empty());
  EXPECT_FALSE(body(list_tables_request().limit(100)).empty());
}

TEST(serialize_errors, segments) {
  EXPECT_EQ(failure(scan_request("t").total_segments(4)), invalid_argument);
  EXPECT_EQ(failure(scan_request("t").segment(0)), invalid_argument);
  EXPECT_EQ(failure(scan_request("t").segment(4, 4)), invalid_argument);
  EXPECT_EQ(failure(scan_request("t").segment(5, 4)), invalid_argument);
  EXPECT_EQ(failure(scan_request("t").segment(-1, 4)), invalid_argument);
  EXPECT_EQ(failure(scan_request("t").segment(0, 0)), invalid_argument);
  EXPECT_EQ(failure(scan_request("t").segment(0, 1000001)), invalid_argument);
  EXPECT_EQ(body(scan_request("t").segment(3).total_segments(4)),
            R"({"TableName":"t","Segment":3,"TotalSegments":4})");
  EXPECT_EQ(body(scan_request("t").segment(0, 1)), R"({"TableName":"t","Segment":0,"TotalSegments":1})");
}

TEST(serialize_errors, return_values_restrictions) {
  EXPECT_EQ(failure(put_item_request("t", key("a")).return_values(return_value::all_new)), invalid_argument);
  EXPECT_EQ(failure(put_item_request("t", key("a")).return_values(return_value::updated_old)),
            invalid_argument);
  EXPECT_EQ(failure(delete_item_request("t", key("a")).return_values(return_value::updated_new)),
            invalid_argument);
  EXPECT_EQ(failure(update_item_request("t", key("a"))
                        .update("SET b = :b")
                        .value(":b", 1)
                        .return_values_on_condition_check_failure(return_value::all_new)),
            invalid_argument);
  EXPECT_EQ(failure(transact_write_request().add(
                transact_delete("t", key("a"))
                    .return_values_on_condition_check_failure(return_value::updated_old))),
            invalid_argument);
  // Out-of-range enum values never reach the wire.
  EXPECT_EQ(failure(scan_request("t").select(static_cast<select_attributes>(42))), invalid_argument);
  EXPECT_EQ(
      failure(get_item_request("t", key("a")).return_consumed_capacity(static_cast<return_capacity>(9))),
      invalid_argument);
}

TEST(serialize_errors, nesting_depth) {
  auto nested = [](int levels) {
    value v = "leaf";
    for (int i = 0; i < levels; ++i)
      v = (i % 2) ? value(list{std::move(v)}) : value(item{{"m", std::move(v)}});
    return put_item_request("t", {{"PK", "a"}, {"deep", std::move(v)}});
  };
  EXPECT_FALSE(body(nested(32)).empty());
  EXPECT_EQ(failure(nested(33)), invalid_argument);
}

TEST(serialize_errors, transact_get_counts) {
  transact_get_request r;
  EXPECT_EQ(failure(r), invalid_argument); // no actions
  for (int i = 0; i < 100; ++i) r.add(transact_get("t", {{"PK", i}}));
  EXPECT_FALSE(body(r).empty());
  r.add(transact_get("t", {{"PK", 100}}));
  EXPECT_EQ(failure(r), invalid_argument);
  EXPECT_EQ(failure(transact_get_request().add(transact_get("", key("a")))), invalid_argument);
  EXPECT_EQ(failure(transact_get_request().add(transact_get("t", {}))), invalid_argument);
}

TEST(serialize_errors, transact_write_counts) {
  transact_write_request r;
  EXPECT_EQ(failure(r), invalid_argument); // no actions
  for (int i = 0; i < 100; ++i) r.add(transact_delete("t", {{"PK", i}}));
  EXPECT_FALSE(body(r).empty());
  r.add(transact_put("t", {{"PK", 100}}));
  EXPECT_EQ(failure(r), invalid_argument);
  EXPECT_EQ(failure(transact_write_request().add(transact_put("t", {}))), invalid_argument);
}

TEST(serialize_errors, batch_get_counts) {
  batch_get_request r;
  EXPECT_EQ(failure(r), invalid_argument); // no tables
  for (int i = 0; i < 60; ++i) r.key("a", {{"PK", i}});
  for (int i = 0; i < 40; ++i) r.key("b", {{"PK", i}});
  EXPECT_FALSE(body(r).empty());
  r.key("c", key("x")); // 101 keys over three tables
  EXPECT_EQ(failure(r), invalid_argument);

  EXPECT_EQ(failure(batch_get_request().add(batch_get_table("t"))), invalid_argument); // a table without keys
  EXPECT_EQ(failure(batch_get_request().key("t", {})), invalid_argument);
  EXPECT_EQ(failure(batch_get_request().key("", key("a"))), invalid_argument);
  EXPECT_EQ(failure(batch_get_request().key("t", key("a")).add(batch_get_table("t").key(key("b")))),
            invalid_argument); // the same table twice
}

TEST(serialize_errors, batch_write_counts) {
  batch_write_request r;
  EXPECT_EQ(failure(r), invalid_argument); // no requests
  for (int i = 0; i < 25; ++i) r.put_request(i % 2 ? "a" : "b", {{"PK", i}});
  EXPECT_FALSE(body(r).empty());
  r.delete_request("c", key("x"));
  EXPECT_EQ(failure(r), invalid_argument);
  EXPECT_EQ(failure(batch_write_request().put_request("t", {})), invalid_argument);
  EXPECT_EQ(failure(batch_write_request().delete_request("t", {})), invalid_argument);
  EXPECT_EQ(failure(batch_write_request().put_request("", key("a"))), invalid_argument);
}

TEST(serialize_errors, create_table) {
  auto base = [] { return create_table_request("t", key_schema("PK")).attribute("PK", value_type::string); };
  EXPECT_FALSE(body(base()).empty());
  EXPECT_EQ(failure(create_table_request("t", key_schema("PK"))), invalid_argument); // no definitions
  EXPECT_EQ(failure(create_table_request("t", key_schema("")).attribute("PK", value_type::string)),
            invalid_argument);
  EXPECT_EQ(failure(create_table_request("t", key_schema("PK", "SK")).attribute("PK", value_type::string)),
            invalid_argument); // SK undefined
  EXPECT_EQ(failure(create_table_request("t", key_schema("PK")).attribute("PK", value_type::boolean)),
            invalid_argument); // keys are S, N or B
  EXPECT_EQ(failure(base().provisioned_throughput(0, 5)), invalid_argument);
  EXPECT_EQ(failure(base().global_secondary_index(global_secondary_index("g", key_schema("X")))),
            invalid_argument); // X undefined
  EXPECT_EQ(failure(base().global_secondary_index(
                global_secondary_index("g", key_schema("PK"), index_projection::include({})))),
            invalid_argument);
  EXPECT_EQ(failure(base().global_secondary_index(global_secondary_index("", key_schema("PK")))),
            invalid_argument);
  // On-demand tables reject index capacity; provisioned tables need it.
  EXPECT_EQ(failure(base().global_secondary_index(
                global_secondary_index("g", key_schema("PK")).provisioned_throughput(1, 1))),
            invalid_argument);
  EXPECT_EQ(failure(base().provisioned_throughput(1, 1).global_secondary_index(
                global_secondary_index("g", key_schema("PK")))),
            invalid_argument);
  EXPECT_EQ(failure(base().local_secondary_index(local_secondary_index("l", key_schema("PK", "Y")))),
            invalid_argument); // Y undefined
  // pay_per_request() undoes provisioned_throughput().
  EXPECT_EQ(body(base().provisioned_throughput(1, 1).pay_per_request()),
            R"({"TableName":"t","AttributeDefinitions":[{"AttributeName":"PK","AttributeType":"S"}],)"
            R"("KeySchema":[{"AttributeName":"PK","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"})");
}

// ---------------------------------------------------------------- buffer reuse

TEST(serialize_buffer, output_is_cleared_and_capacity_reused) {
  auto big = put_item_request("users", profile());
  auto small = get_item_request("users", key("a"));
  std::string out = "left over";
  ASSERT_FALSE(serialize(big, out));
  EXPECT_EQ(out, body(big));
  const auto capacity = out.capacity();
  const auto* data = out.data();

  ASSERT_FALSE(serialize(small, out));
  EXPECT_EQ(out, golden("get_item_minimal"));
  ASSERT_FALSE(serialize(big, out));
  EXPECT_EQ(out, body(big));
  ASSERT_FALSE(serialize(big, out));
  EXPECT_EQ(out, body(big));
  EXPECT_EQ(out.capacity(), capacity);
  EXPECT_EQ(out.data(), data); // no reallocation once warm
}

TEST(serialize_buffer, an_error_leaves_nothing_behind) {
  std::string out;
  ASSERT_FALSE(serialize(put_item_request("users", profile()), out));
  ASSERT_FALSE(out.empty());
  // The invalid string comes late in the body: the first part must not survive.
  auto bad = put_item_request("users", profile()).condition("attribute_not_exists(PK)\xff");
  EXPECT_EQ(serialize(bad, out), invalid_utf8);
  EXPECT_TRUE(out.empty());
  ASSERT_FALSE(serialize(get_item_request("users", key("a")), out));
  EXPECT_EQ(out, golden("get_item_minimal"));
}

// ---------------------------------------------------------------- AttributeValue JSON for logs

TEST(write_json, values) {
  auto json = [](const value& v) {
    std::string s;
    write_value_json(v, s);
    return s;
  };
  EXPECT_EQ(json("a\"b"), R"({"S":"a\"b"})");
  EXPECT_EQ(json(number("12.50")), R"({"N":"12.50"})");
  EXPECT_EQ(json(to_bytes("\x00\x01\x02"s)), R"({"B":"AAEC"})");
  EXPECT_EQ(json(bytes{}), R"({"B":""})");
  EXPECT_EQ(json(true), R"({"BOOL":true})");
  EXPECT_EQ(json(null), R"({"NULL":true})");
  EXPECT_EQ(json(list{1, "x"}), R"({"L":[{"N":"1"},{"S":"x"}]})");
  EXPECT_EQ(json(item{{"k", false}}), R"({"M":{"k":{"BOOL":false}}})");
  EXPECT_EQ(json(string_set{"b", "a"}), R"({"SS":["a","b"]})");
  EXPECT_EQ(json(number_set{number(10), number(9)}), R"({"NS":["9","10"]})");
  EXPECT_EQ(json(binary_set{to_bytes("hi")}), R"({"BS":["aGk="]})");
  EXPECT_EQ(json(string_set{}), R"({"SS":[]})"); // logs show what is there
}

TEST(write_json, item_appends_and_matches_the_request_body) {
  std::string s = "item=";
  write_item_json(profile(), s);
  EXPECT_EQ(R"({"TableName":"users","Item":)" + s.substr(5) + "}",
            body(put_item_request("users", profile())));
  EXPECT_EQ(s.substr(0, 5), "item=");
  std::string empty;
  write_item_json(item{}, empty);
  EXPECT_EQ(empty, "{}");
}
