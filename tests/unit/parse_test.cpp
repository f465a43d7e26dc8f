// Response parsing: DynamoDB Local's real bodies (tests/unit/data/responses, captured by
// capture_responses.sh), hand-written shapes it cannot produce (synthetic_*), error bodies, and
// malformed input.
#include <ddb/error.hpp>
#include <ddb/parse.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

using namespace ddb;

namespace {

const std::filesystem::path responses = std::filesystem::path(DDB_TEST_DATA_DIR) / "responses";

std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  EXPECT_TRUE(f) << p;
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string response(const std::string& name) { return slurp(responses / (name + ".json")); }
unsigned status_of(const std::string& name) { return std::stoul(slurp(responses / (name + ".status"))); }

template <class Out, class F>
Out parse_ok(const std::string& name, F f) {
  Out out{};
  diagnostics d;
  response_parser p;
  auto ec = (p.*f)(response(name), out, d);
  EXPECT_FALSE(ec) << name << ": " << ec.message() << ": " << d.message;
  return out;
}

// Every parse function, by name, on any body: for the "never crashes" sweeps.
std::vector<std::pair<std::string, std::function<error_code(response_parser&, const std::string&)>>>
all_parsers() {
  return {
      {"query",
       [](response_parser& p, const std::string& b) {
         page o;
         diagnostics d;
         return p.parse_query(b, o, d);
       }},
      {"get_item",
       [](response_parser& p, const std::string& b) {
         get_item_response o;
         diagnostics d;
         return p.parse_get_item(b, o, d);
       }},
      {"write_item",
       [](response_parser& p, const std::string& b) {
         write_item_response o;
         diagnostics d;
         return p.parse_write_item(b, o, d);
       }},
      {"batch_get",
       [](response_parser& p, const std::string& b) {
         batch_get_item_response o;
         diagnostics d;
         return p.parse_batch_get_item(b, o, d);
       }},
      {"batch_write",
       [](response_parser& p, const std::string& b) {
         batch_write_item_response o;
         diagnostics d;
         return p.parse_batch_write_item(b, o, d);
       }},
      {"transact_get",
       [](response_parser& p, const std::string& b) {
         transact_get_items_response o;
         diagnostics d;
         return p.parse_transact_get_items(b, o, d);
       }},
      {"transact_write",
       [](response_parser& p, const std::string& b) {
         transact_write_items_response o;
         diagnostics d;
         return p.parse_transact_write_items(b, o, d);
       }},
      {"table",
       [](response_parser& p, const std::string& b) {
         table_description o;
         diagnostics d;
         return p.parse_table_description(b, o, d);
       }},
      {"update_ttl",
       [](response_parser& p, const std::string& b) {
         time_to_live_specification o;
         diagnostics d;
         return p.parse_update_time_to_live(b, o, d);
       }},
      {"describe_ttl",
       [](response_parser& p, const std::string& b) {
         time_to_live_description o;
         diagnostics d;
         return p.parse_describe_time_to_live(b, o, d);
       }},
      {"list_tables",
       [](response_parser& p, const std::string& b) {
         list_tables_response o;
         diagnostics d;
         return p.parse_list_tables(b, o, d);
       }},
      {"batch_execute_statement",
       [](response_parser& p, const std::string& b) {
         batch_execute_statement_response o;
         diagnostics d;
         return p.parse_batch_execute_statement(b, o, d);
       }},
      {"execute_transaction",
       [](response_parser& p, const std::string& b) {
         execute_transaction_response o;
         diagnostics d;
         return p.parse_execute_transaction(b, o, d);
       }},
  };
}

const item q1{
    {"score", 10},    {"hist", list{1, "h"}}, {"GSI1PK", "G"}, {"GSI1SK", 2},
    {"SK", "item#1"}, {"name", "name 1"},     {"PK", "Q"},     {"attrs", item{{"i", 1}, {"odd", true}}}};
const item q2{
    {"score", 20},    {"hist", list{2, "h"}}, {"GSI1PK", "G"}, {"GSI1SK", 3},
    {"SK", "item#2"}, {"name", "name 2"},     {"PK", "Q"},     {"attrs", item{{"i", 2}, {"odd", false}}}};

consumed_capacity total(std::string table, double units) {
  consumed_capacity c;
  c.table_name = std::move(table);
  c.capacity_units = units;
  return c;
}

} // namespace

// --- Items -----------------------------------------------------------------------------------

TEST(ParseGetItem, Found) {
  auto r = parse_ok<get_item_response>("get_item_found", &response_parser::parse_get_item);
  ASSERT_TRUE(r.item);
  EXPECT_EQ(r.item->size(), 20u);
  EXPECT_EQ(r.item->at("PK"), value("TYPES"));
  EXPECT_EQ(r.item->at("n").as_number(), number(-12500));
  EXPECT_EQ(r.item->at("s").as_string(),
            "h\u00e9llo \"quoted\" back\\\\slash\nnewline\ttab \u65e5\u672c\u8a9e \U0001F600 ctl\x01 slash/");
  EXPECT_EQ(r.item->at("bs").as_binary_set(), (binary_set{to_bytes("\x01"), to_bytes("\x02\x03")}));
  EXPECT_EQ(r.item->at("m").as_map().at("inner").as_map().at("n"), value(number("0.5")));
  ASSERT_TRUE(r.consumed_capacity);
  EXPECT_EQ(*r.consumed_capacity, total("ddb_test", 0.5));
}

TEST(ParseGetItem, NotFound) {
  auto r = parse_ok<get_item_response>("get_item_not_found", &response_parser::parse_get_item);
  EXPECT_FALSE(r.item);
  EXPECT_FALSE(r.consumed_capacity);
}

TEST(ParseWriteItem, PutWithoutReturnValues) {
  auto r = parse_ok<write_item_response>("put_item", &response_parser::parse_put_item);
  EXPECT_FALSE(r.attributes);
  EXPECT_FALSE(r.consumed_capacity);
  EXPECT_FALSE(r.item_collection_metrics);
}

TEST(ParseWriteItem, PutAllOldIsTheStoredItem) {
  auto put = parse_ok<write_item_response>("put_item_all_old", &response_parser::parse_put_item);
  auto get = parse_ok<get_item_response>("get_item_found", &response_parser::parse_get_item);
  ASSERT_TRUE(put.attributes);
  EXPECT_EQ(*put.attributes, *get.item);
  ASSERT_TRUE(put.consumed_capacity);
  EXPECT_EQ(put.consumed_capacity->capacity_units, 1.0);
}

TEST(ParseWriteItem, IndexesCapacity) {
  auto r = parse_ok<write_item_response>("put_item_collection_metrics", &response_parser::parse_put_item);
  ASSERT_TRUE(r.consumed_capacity);
  auto& c = *r.consumed_capacity;
  EXPECT_EQ(c.table_name, "ddb_test");
  EXPECT_EQ(c.capacity_units, 2.0);
  EXPECT_EQ(c.table, capacity{1.0});
  EXPECT_EQ(c.local_secondary_indexes, (std::map<std::string, capacity, std::less<>>{{"LSI1", {1.0}}}));
  EXPECT_TRUE(c.global_secondary_indexes.empty());
}

TEST(ParseWriteItem, UpdateAllNew) {
  auto r = parse_ok<update_item_response>("update_item_all_new", &response_parser::parse_update_item);
  ASSERT_TRUE(r.attributes);
  EXPECT_EQ(*r.attributes, (item{{"hits", 1},
                                 {"SK", "2"},
                                 {"count", 1},
                                 {"score", 3},
                                 {"PK", "TYPES"},
                                 {"tags", string_set{"x", "y"}}}));
  ASSERT_TRUE(r.consumed_capacity);
  EXPECT_EQ(r.consumed_capacity->table, capacity{1.0});
}

TEST(ParseWriteItem, DeleteAllOld) {
  auto r = parse_ok<delete_item_response>("delete_item_all_old", &response_parser::parse_delete_item);
  ASSERT_TRUE(r.attributes);
  EXPECT_EQ(r.attributes->at("tags"), value(string_set{"x", "y"}));
  EXPECT_FALSE(r.consumed_capacity);
}

TEST(ParseWriteItem, ItemCollectionMetrics) {
  auto r = parse_ok<write_item_response>("synthetic_put_item_collection_metrics",
                                         &response_parser::parse_put_item);
  ASSERT_TRUE(r.item_collection_metrics);
  EXPECT_EQ(*r.item_collection_metrics,
            (item_collection_metrics{{{"ForumName", "Amazon DynamoDB"}}, {0.0, 1.0}}));
  EXPECT_EQ(r.consumed_capacity->write_capacity_units, 1.0);
  EXPECT_EQ(r.attributes->at("LastPostedBy"), value("alice@example.com"));
}

// --- Query and Scan --------------------------------------------------------------------------

TEST(ParseQuery, FirstPage) {
  auto p = parse_ok<page>("query_page1", &response_parser::parse_query);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p.to_items(), (std::vector<item>{q1, q2}));
  EXPECT_EQ(p.count(), 2u);
  EXPECT_EQ(p.scanned_count(), 2u);
  EXPECT_EQ(p.last_evaluated_key(), (item{{"SK", "item#2"}, {"PK", "Q"}}));
  ASSERT_TRUE(p.consumed_capacity());
  EXPECT_EQ(*p.consumed_capacity(), total("ddb_test", 0.5));
}

TEST(ParseQuery, MiddleAndLastPages) {
  auto p2 = parse_ok<page>("query_page2", &response_parser::parse_query);
  EXPECT_EQ(p2.size(), 2u);
  EXPECT_EQ(p2[0].at("SK").as_string(), "item#3");
  EXPECT_EQ(p2.last_evaluated_key(), (item{{"SK", "item#4"}, {"PK", "Q"}}));
  EXPECT_FALSE(p2.consumed_capacity());
  auto last = parse_ok<page>("query_last", &response_parser::parse_query);
  EXPECT_EQ(last.size(), 1u);
  EXPECT_FALSE(last.has_more());
  ASSERT_TRUE(last.consumed_capacity());
  EXPECT_EQ(last.consumed_capacity()->table, capacity{0.5});
}

TEST(ParseQuery, GlobalIndexPage) {
  auto p = parse_ok<page>("query_gsi", &response_parser::parse_query);
  EXPECT_EQ(p.size(), 3u);
  EXPECT_EQ(p.last_evaluated_key()->size(), 4u);
  auto& c = *p.consumed_capacity();
  EXPECT_EQ(c.table, capacity{0.0});
  EXPECT_EQ(c.global_secondary_indexes.at("GSI1"), capacity{0.5});
}

TEST(ParseQuery, SelectCount) {
  auto p = parse_ok<page>("query_count", &response_parser::parse_query);
  EXPECT_TRUE(p.empty());
  EXPECT_EQ(p.count(), 5u);
  EXPECT_EQ(p.scanned_count(), 5u);
  EXPECT_FALSE(p.has_more());
}

TEST(ParseScan, PagesAndFilters) {
  auto s = parse_ok<page>("scan_page", &response_parser::parse_scan);
  EXPECT_EQ(s.size(), 3u);
  EXPECT_EQ(s.last_evaluated_key(), (item{{"SK", "item#3"}, {"PK", "Q"}}));
  auto f = parse_ok<page>("scan_filtered", &response_parser::parse_scan);
  EXPECT_EQ(f.count(), 3u);
  EXPECT_EQ(f.scanned_count(), 6u);
  EXPECT_EQ(f[2].to_item(), (item{{"SK", "item#5"}, {"score", 50}, {"PK", "Q"}}));
}

TEST(ParseQuery, UnknownFieldsAndAnyOrder) {
  page p;
  diagnostics d;
  response_parser parser;
  ASSERT_FALSE(parser.parse_query(
      R"({"Future":{"x":[1,2.5,{"y":null,"z":[true,"s"]}]},"Count":1,"LastEvaluatedKey":{"k":{"S":"v"}},
          "Items":[{"a":{"S":"b"}}],"Other":-1.5e3,"ScannedCount":7,"ConsumedCapacity":{"TableName":"t","New":{}}})",
      p, d));
  EXPECT_EQ(p.size(), 1u);
  EXPECT_EQ(p.count(), 1u);
  EXPECT_EQ(p.scanned_count(), 7u);
  EXPECT_EQ(p.last_evaluated_key(), (item{{"k", "v"}}));
  EXPECT_EQ(p.consumed_capacity()->table_name, "t");
  // Unknown attribute value fields are not unknown fields: an unknown type tag is an error.
  EXPECT_EQ(parser.parse_query(R"({"Items":[{"a":{"X":"b"}}]})", p, d), client_errc::malformed_response);
}

// --- Batches and transactions ----------------------------------------------------------------

TEST(ParseBatchGetItem, ResponsesPerTable) {
  auto r = parse_ok<batch_get_item_response>("batch_get_item", &response_parser::parse_batch_get_item);
  ASSERT_EQ(r.responses.size(), 2u);
  EXPECT_EQ(r.responses.at("ddb_other"), (std::vector<item>{{{"v", 1}, {"id", "o1"}}}));
  auto& t = r.responses.at("ddb_test");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0], (item{{"SK", "item#3"}, {"name", "name 3"}, {"PK", "Q"}}));
  EXPECT_TRUE(r.unprocessed_keys.empty());
  ASSERT_EQ(r.consumed_capacity.size(), 2u);
  EXPECT_EQ(r.consumed_capacity[1], total("ddb_test", 2.0));
}

TEST(ParseBatchGetItem, UnprocessedKeysCanBeResent) {
  auto r = parse_ok<batch_get_item_response>("synthetic_batch_get_item_unprocessed",
                                             &response_parser::parse_batch_get_item);
  ASSERT_EQ(r.unprocessed_keys.size(), 2u);
  auto& forum = r.unprocessed_keys.at("Forum");
  EXPECT_EQ(forum.keys, (std::vector<item>{{{"Name", "Amazon S3"}}, {{"Name", "Amazon RDS"}}}));
  EXPECT_EQ(forum.projection_expression, "#n, Threads");
  EXPECT_EQ(forum.expression_attribute_names.at("#n"), "Name");
  EXPECT_EQ(forum.consistent_read, true);
  auto& thread = r.unprocessed_keys.at("Thread");
  EXPECT_EQ(thread.keys.size(), 1u);
  EXPECT_FALSE(thread.consistent_read);
  EXPECT_EQ(thread.attributes_to_get, (std::vector<std::string>{"Tags", "Message"}));
  EXPECT_EQ(r.consumed_capacity.at(0).read_capacity_units, 1.5);
}

TEST(ParseBatchWriteItem, Processed) {
  auto r = parse_ok<batch_write_item_response>("batch_write_item", &response_parser::parse_batch_write_item);
  EXPECT_TRUE(r.unprocessed_items.empty());
  ASSERT_EQ(r.consumed_capacity.size(), 2u);
  auto& t = r.consumed_capacity[1];
  EXPECT_EQ(t.table_name, "ddb_test");
  EXPECT_EQ(t.capacity_units, 4.0);
  EXPECT_EQ(t.global_secondary_indexes.at("GSI1"), capacity{1.0});
  EXPECT_EQ(t.local_secondary_indexes.at("LSI1"), capacity{1.0});
}

TEST(ParseBatchWriteItem, UnprocessedItemsCanBeResent) {
  auto r = parse_ok<batch_write_item_response>("synthetic_batch_write_item_unprocessed",
                                               &response_parser::parse_batch_write_item);
  ASSERT_EQ(r.unprocessed_items.size(), 2u);
  auto& forum = r.unprocessed_items.at("Forum");
  ASSERT_EQ(forum.size(), 2u);
  EXPECT_EQ(forum[0], write_request(put_request{
                          {{"Name", "Amazon ElastiCache"}, {"Category", "Amazon Web Services"}}}));
  EXPECT_EQ(forum[1], write_request(delete_request{{{"Name", "Amazon S3"}}}));
  EXPECT_TRUE(std::holds_alternative<delete_request>(r.unprocessed_items.at("Thread").at(0)));
  EXPECT_EQ(r.item_collection_metrics.at("Forum").at(0).size_estimate_range_gb,
            (std::vector<double>{0.0, 1.0}));
  EXPECT_EQ(r.consumed_capacity.at(0).write_capacity_units, 3.0);
}

TEST(ParseBatchWriteItem, RequestsNeedExactlyOneKind) {
  batch_write_item_response r;
  diagnostics d;
  response_parser p;
  for (const char* body :
       {R"({"UnprocessedItems":{"t":[{}]}})", R"({"UnprocessedItems":{"t":[{"PutRequest":{}}]}})",
        R"({"UnprocessedItems":{"t":[{"DeleteRequest":{"Item":{}}}]}})",
        R"({"UnprocessedItems":{"t":[{"PutRequest":{"Item":{}},"DeleteRequest":{"Key":{}}}]}})",
        R"({"UnprocessedItems":{"t":{}}})"}) {
    SCOPED_TRACE(body);
    EXPECT_EQ(p.parse_batch_write_item(body, r, d), client_errc::malformed_response);
  }
}

TEST(ParseTransactGetItems, ResponsesInRequestOrder) {
  auto r =
      parse_ok<transact_get_items_response>("transact_get_items", &response_parser::parse_transact_get_items);
  ASSERT_EQ(r.responses.size(), 3u);
  EXPECT_EQ(r.responses[0], q1);
  EXPECT_FALSE(r.responses[1]);
  EXPECT_EQ(r.responses[2], (item{{"id", "o1"}}));
  ASSERT_EQ(r.consumed_capacity.size(), 2u);
  EXPECT_EQ(r.consumed_capacity[0].capacity_units, 2.0);
}

TEST(ParseTransactWriteItems, CapacityAndMetrics) {
  auto r = parse_ok<transact_write_items_response>("transact_write_items",
                                                   &response_parser::parse_transact_write_items);
  ASSERT_EQ(r.consumed_capacity.size(), 2u);
  EXPECT_EQ(r.consumed_capacity[1].local_secondary_indexes.at("LSI1"), capacity{2.0});
  EXPECT_TRUE(r.item_collection_metrics.empty());
  auto s = parse_ok<transact_write_items_response>("synthetic_transact_write_items_metrics",
                                                   &response_parser::parse_transact_write_items);
  ASSERT_EQ(s.item_collection_metrics.at("Thread").size(), 2u);
  EXPECT_EQ(s.item_collection_metrics.at("Thread")[1].item_collection_key,
            (item{{"ForumName", "Amazon S3"}}));
  EXPECT_EQ(s.consumed_capacity.at(0).table, (capacity{2, 0, 2}));
}

// --- Tables ----------------------------------------------------------------------------------

// --- PartiQL (bodies captured from DynamoDB Local) ----------------------------------------------

TEST(ParsePartiQL, ExecuteStatementPageHasItsNextToken) {
  auto p = parse_ok<page>("execute_statement_page", &response_parser::parse_execute_statement);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].to_item(), q1);
  EXPECT_EQ(p[1].to_item(), q2);
  ASSERT_TRUE(p.next_token());
  EXPECT_EQ(p.next_token()->substr(0, 8), "eyJjcmVh");
  EXPECT_FALSE(p.last_evaluated_key());
  EXPECT_TRUE(p.has_more());

  auto insert = parse_ok<page>("execute_statement_insert", &response_parser::parse_execute_statement);
  EXPECT_TRUE(insert.empty());
  EXPECT_FALSE(insert.next_token());
  EXPECT_FALSE(insert.has_more());
  // Parsing a Query page into the same object drops the token.
  response_parser parser;
  diagnostics d;
  ASSERT_FALSE(parser.parse_execute_statement(response("execute_statement_page"), p, d));
  ASSERT_FALSE(parser.parse_query(response("query_last"), p, d));
  EXPECT_FALSE(p.next_token());
}

TEST(ParsePartiQL, BatchStatementsCarryTheirOwnErrors) {
  auto r = parse_ok<batch_execute_statement_response>("batch_execute_statement",
                                                      &response_parser::parse_batch_execute_statement);
  ASSERT_EQ(r.responses.size(), 3u);
  EXPECT_EQ(r.responses[0].table_name, "ddb_test");
  EXPECT_EQ(r.responses[0].item, q1);
  EXPECT_FALSE(r.responses[0].error);
  EXPECT_EQ(r.responses[1], (batch_statement_response{"ddb_test", std::nullopt, std::nullopt}));
  ASSERT_TRUE(r.responses[2].error);
  EXPECT_EQ(r.responses[2].error->code, "ResourceNotFound");
  EXPECT_EQ(r.responses[2].error->message, "Cannot do operations on a non-existent table");
  EXPECT_TRUE(r.failed());

  auto w = parse_ok<batch_execute_statement_response>("batch_execute_statement_writes",
                                                      &response_parser::parse_batch_execute_statement);
  ASSERT_EQ(w.responses.size(), 3u);
  EXPECT_EQ(w.responses[0].error,
            (batch_statement_error{"DuplicateItem", "Duplicate primary key exists in table", std::nullopt}));
  EXPECT_FALSE(w.responses[1].error);
  ASSERT_TRUE(w.responses[2].error);
  EXPECT_EQ(w.responses[2].error->code, "ConditionalCheckFailed");
  EXPECT_EQ(w.responses[2].error->item, q1) << "ReturnValuesOnConditionCheckFailure ALL_OLD";
}

TEST(ParsePartiQL, TransactionResponsesInRequestOrder) {
  auto r = parse_ok<execute_transaction_response>("execute_transaction_reads",
                                                  &response_parser::parse_execute_transaction);
  ASSERT_EQ(r.responses.size(), 2u);
  EXPECT_EQ(r.responses[0], q1);
  EXPECT_FALSE(r.responses[1]);
  auto w = parse_ok<execute_transaction_response>("execute_transaction_writes",
                                                  &response_parser::parse_execute_transaction);
  EXPECT_TRUE(w.responses.empty());
}

TEST(ParseTable, CreateTableWithIndexes) {
  auto t = parse_ok<table_description>("create_table", &response_parser::parse_create_table);
  EXPECT_EQ(t.table_name, "ddb_test");
  EXPECT_EQ(t.table_status, "ACTIVE");
  EXPECT_EQ(t.table_arn, "arn:aws:dynamodb:ddblocal:000000000000:table/ddb_test");
  EXPECT_EQ(t.key_schema, (std::vector<key_schema_element>{{"PK", "HASH"}, {"SK", "RANGE"}}));
  EXPECT_EQ(t.attribute_definitions.size(), 5u);
  EXPECT_EQ(t.attribute_definitions[3], (attribute_definition{"GSI1SK", "N"}));
  EXPECT_EQ(t.billing_mode, "PAY_PER_REQUEST");
  EXPECT_EQ(t.item_count, 0u);
  EXPECT_EQ(t.table_size_bytes, 0u);
  EXPECT_GT(t.creation_date_time, 1.7e9); // seconds since the epoch, with milliseconds
  EXPECT_EQ(t.deletion_protection_enabled, false);
  ASSERT_EQ(t.global_secondary_indexes.size(), 1u);
  auto& g = t.global_secondary_indexes[0];
  EXPECT_EQ(g.index_name, "GSI1");
  EXPECT_EQ(g.index_status, "ACTIVE");
  EXPECT_EQ(g.key_schema, (std::vector<key_schema_element>{{"GSI1PK", "HASH"}, {"GSI1SK", "RANGE"}}));
  EXPECT_EQ(g.projection, (projection{"INCLUDE", {"name", "score"}}));
  EXPECT_EQ(g.index_arn, "arn:aws:dynamodb:ddblocal:000000000000:table/ddb_test/index/GSI1");
  ASSERT_EQ(t.local_secondary_indexes.size(), 1u);
  EXPECT_EQ(t.local_secondary_indexes[0].projection.projection_type, "KEYS_ONLY");
  EXPECT_TRUE(t.local_secondary_indexes[0].index_status.empty());
}

TEST(ParseTable, DescribeTableEqualsCreateTable) {
  auto created = parse_ok<table_description>("create_table", &response_parser::parse_create_table);
  auto described = parse_ok<table_description>("describe_table", &response_parser::parse_describe_table);
  EXPECT_EQ(created, described);
}

TEST(ParseTable, ProvisionedAndDeleted) {
  auto t = parse_ok<table_description>("describe_table_provisioned", &response_parser::parse_describe_table);
  EXPECT_TRUE(t.billing_mode.empty());
  ASSERT_TRUE(t.provisioned_throughput);
  EXPECT_EQ(t.provisioned_throughput->read_capacity_units, 5u);
  EXPECT_EQ(t.provisioned_throughput->write_capacity_units, 7u);
  auto d = parse_ok<table_description>("delete_table", &response_parser::parse_delete_table);
  EXPECT_EQ(d.table_name, "ddb_other");
  EXPECT_EQ(d.item_count, 2u);
  EXPECT_EQ(d.table_size_bytes, 11u);
}

TEST(ParseTable, NoDescriptionIsMalformed) {
  table_description t;
  diagnostics d;
  response_parser p;
  EXPECT_EQ(p.parse_table_description("{}", t, d), client_errc::malformed_response);
  EXPECT_NE(d.message.find("TableDescription"), std::string::npos);
}

TEST(ParseTimeToLive, UpdateAndDescribe) {
  auto u = parse_ok<time_to_live_specification>("update_time_to_live",
                                                &response_parser::parse_update_time_to_live);
  EXPECT_EQ(u, (time_to_live_specification{"expires", true}));
  auto d = parse_ok<time_to_live_description>("describe_time_to_live",
                                              &response_parser::parse_describe_time_to_live);
  EXPECT_EQ(d, (time_to_live_description{"ENABLED", "expires"}));
}

TEST(ParseListTables, AllAndPaged) {
  auto all = parse_ok<list_tables_response>("list_tables", &response_parser::parse_list_tables);
  EXPECT_EQ(all.table_names, (std::vector<std::string>{"ddb_other", "ddb_test"}));
  EXPECT_FALSE(all.last_evaluated_table_name);
  auto paged = parse_ok<list_tables_response>("list_tables_page", &response_parser::parse_list_tables);
  EXPECT_EQ(paged.table_names, (std::vector<std::string>{"ddb_other"}));
  EXPECT_EQ(paged.last_evaluated_table_name, "ddb_other");
}

// --- Errors ----------------------------------------------------------------------------------

namespace {
struct parsed_error {
  error_code ec;
  diagnostics diag;
};
parsed_error error_from(const std::string& name) {
  parsed_error e;
  e.diag.request_id = "kept";
  e.ec = parse_error(status_of(name), response(name), e.diag);
  return e;
}
} // namespace

TEST(ParseError, ConditionalCheckFailedWithItem) {
  auto e = error_from("error_conditional_check_failed");
  EXPECT_EQ(e.ec, service_errc::conditional_check_failed);
  EXPECT_EQ(e.diag.http_status, 400u);
  EXPECT_EQ(e.diag.error_type, "ConditionalCheckFailedException");
  EXPECT_EQ(e.diag.message, "The conditional request failed");
  EXPECT_EQ(e.diag.item, q1);
  EXPECT_EQ(e.diag.request_id, "kept"); // from a header: left alone
  EXPECT_FALSE(is_retryable(e.ec, 400));
}

TEST(ParseError, ConditionalCheckFailedWithoutItem) {
  auto e = error_from("error_conditional_check_failed_no_item");
  EXPECT_EQ(e.ec, service_errc::conditional_check_failed);
  EXPECT_FALSE(e.diag.item);
}

TEST(ParseError, TransactionCanceledReasonsInOrder) {
  auto e = error_from("error_transaction_canceled");
  EXPECT_EQ(e.ec, service_errc::transaction_canceled);
  EXPECT_EQ(e.diag.error_type, "TransactionCanceledException");
  EXPECT_NE(e.diag.message.find("[None, ConditionalCheckFailed, ConditionalCheckFailed]"), std::string::npos);
  ASSERT_EQ(e.diag.cancellation_reasons.size(), 3u);
  auto& r = e.diag.cancellation_reasons;
  EXPECT_EQ(r[0], (cancellation_reason{"None", "", std::nullopt}));
  EXPECT_FALSE(r[0].failed());
  EXPECT_EQ(r[1].code, "ConditionalCheckFailed");
  EXPECT_EQ(r[1].message, "The conditional request failed.");
  EXPECT_EQ(r[1].item, q2);
  EXPECT_TRUE(r[1].failed());
  EXPECT_EQ(r[2],
            (cancellation_reason{"ConditionalCheckFailed", "The conditional request failed", std::nullopt}));
  EXPECT_FALSE(e.diag.item);
}

TEST(ParsePartiQL, Errors) {
  auto dup = error_from("error_duplicate_item");
  EXPECT_EQ(dup.ec, service_errc::duplicate_item);
  EXPECT_EQ(dup.diag.message, "Duplicate primary key exists in table");
  EXPECT_EQ(service_errc_from_type("com.amazonaws.dynamodb.v20120810#DuplicateItemException"),
            service_errc::duplicate_item)
      << "AWS's spelling";
  auto tx = error_from("error_execute_transaction_canceled");
  EXPECT_EQ(tx.ec, service_errc::transaction_canceled);
  ASSERT_EQ(tx.diag.cancellation_reasons.size(), 2u);
  EXPECT_FALSE(tx.diag.cancellation_reasons[0].failed());
  EXPECT_EQ(tx.diag.cancellation_reasons[1].code, "ConditionalCheckFailed");
  EXPECT_EQ(tx.diag.cancellation_reasons[1].item, q1);
}

TEST(ParseError, ValidationAndResourceErrors) {
  auto v = error_from("error_validation");
  EXPECT_EQ(v.ec, service_errc::validation);
  EXPECT_EQ(v.diag.error_type, "ValidationException"); // com.amazon.coral.validate# stripped
  EXPECT_EQ(v.diag.message, "The number of conditions on the keys is invalid");
  auto nf = error_from("error_resource_not_found");
  EXPECT_EQ(nf.ec, service_errc::resource_not_found);
  EXPECT_EQ(nf.diag.message, "Cannot do operations on a non-existent table");
  EXPECT_EQ(error_from("error_table_exists").ec, service_errc::resource_in_use);
}

TEST(ParseError, UnknownTypeKeepsItsName) {
  auto e = error_from("error_unknown_operation");
  EXPECT_EQ(e.ec, service_errc::unknown);
  EXPECT_EQ(e.diag.error_type, "UnknownOperationException");
  EXPECT_EQ(e.diag.message, "An unknown operation was requested.");
}

TEST(ParseError, InternalFailureIsRetryable) {
  auto e = error_from("error_validation_bad_json");
  EXPECT_EQ(e.diag.http_status, 500u);
  EXPECT_EQ(e.ec, service_errc::internal_server_error);
  EXPECT_EQ(e.diag.error_type, "InternalFailure");
  EXPECT_TRUE(is_retryable(e.ec, 500));
}

TEST(ParseError, LowercaseMessageAndThrottling) {
  auto e = error_from("synthetic_error_throughput_exceeded");
  EXPECT_EQ(e.ec, service_errc::provisioned_throughput_exceeded);
  EXPECT_EQ(e.diag.message, "The level of configured provisioned throughput for the table was exceeded.");
  EXPECT_EQ(classify(e.ec), retry_class::throttling);
}

TEST(ParseError, TypeSuffixAndNoNamespace) {
  diagnostics d;
  EXPECT_EQ(
      parse_error(
          400, R"({"__type":"ThrottlingException:http://internal.amazon.com/coral/","message":"slow"})", d),
      service_errc::throttling);
  EXPECT_EQ(d.error_type, "ThrottlingException");
  EXPECT_EQ(parse_error(400, R"({"__type":"ValidationException"})", d), service_errc::validation);
  EXPECT_EQ(d.message, "");
}

TEST(ParseError, NonJsonBodies) {
  diagnostics d;
  EXPECT_EQ(parse_error(500, "", d), service_errc::internal_server_error);
  EXPECT_EQ(d.http_status, 500u);
  EXPECT_EQ(d.message, "HTTP 500");
  EXPECT_EQ(parse_error(502, "<html><body>Bad Gateway</body></html>", d),
            service_errc::internal_server_error);
  EXPECT_EQ(d.message, "HTTP 502: <html><body>Bad Gateway</body></html>");
  EXPECT_TRUE(d.error_type.empty());
  EXPECT_EQ(parse_error(503, "Service Unavailable\r\n", d), service_errc::service_unavailable);
  EXPECT_EQ(d.message, "HTTP 503: Service Unavailable  ");
  EXPECT_EQ(parse_error(413, "<html>Request Entity Too Large</html>", d), service_errc::unknown);
  EXPECT_EQ(d.http_status, 413u);
  EXPECT_FALSE(is_retryable(service_errc::unknown, 413));
  EXPECT_EQ(parse_error(400, "{}", d), service_errc::unknown);
  EXPECT_EQ(parse_error(400, "[1,2]", d), service_errc::unknown);
  EXPECT_EQ(parse_error(400, R"({"message":"no type"})", d), service_errc::unknown);
  EXPECT_EQ(d.message, "no type");
  std::string long_body(10000, 'x');
  long_body[255] = '\xc3'; // a two-byte sequence cut by the limit is dropped whole
  long_body[256] = '\xa9';
  EXPECT_EQ(parse_error(504, long_body, d), service_errc::internal_server_error);
  EXPECT_EQ(d.message, "HTTP 504: " + std::string(255, 'x') + "...");
}

TEST(ParseError, MalformedPartKeepsWhatWasRead) {
  diagnostics d;
  d.item = item{{"stale", 1}};
  d.cancellation_reasons.push_back({});
  EXPECT_EQ(
      parse_error(
          400, R"({"__type":"x#ConditionalCheckFailedException","Message":"m","Item":{"a":{"X":"1"}}})", d),
      service_errc::conditional_check_failed);
  EXPECT_EQ(d.message, "m");
  EXPECT_FALSE(d.item); // reset, and the malformed one is not kept
  EXPECT_TRUE(d.cancellation_reasons.empty());
  // A truncated body is not JSON at all: its text is kept instead.
  EXPECT_EQ(parse_error(400, R"({"__type":"x#ValidationException","Message":"m)", d), service_errc::unknown);
  EXPECT_EQ(d.message, R"(HTTP 400: {"__type":"x#ValidationException","Message":"m)");
}

// --- Malformed bodies ------------------------------------------------------------------------

TEST(ParseMalformed, BadJsonAndWrongShapes) {
  const char* bodies[] = {
      "",
      " ",
      "null",
      "[]",
      "42",
      "\"str\"",
      "{",
      "}",
      "{\"Items\":",
      "{\"Items\":[}",
      "{\"Items\":{}}",
      "{\"Items\":[1]}",
      "{\"Items\":[{\"a\":1}]}",
      "{\"Items\":[{\"a\":{}}]}",
      "{\"Items\":[{\"a\":{\"S\":\"x\",\"N\":\"1\"}}]}",
      "{\"Items\":[{\"a\":{\"S\":1}}]}",
      "{\"Items\":[{\"a\":{\"N\":\"1x\"}}]}",
      "{\"Items\":[{\"a\":{\"N\":\"\"}}]}",
      "{\"Items\":[{\"a\":{\"N\":\"1E126\"}}]}",
      "{\"Items\":[{\"a\":{\"N\":\"123456789012345678901234567890123456789\"}}]}",
      "{\"Items\":[{\"a\":{\"NS\":[\"1\",\"x\"]}}]}",
      "{\"Items\":[{\"a\":{\"B\":\"not base64!\"}}]}",
      "{\"Items\":[{\"a\":{\"B\":\"AAE\"}}]}",
      "{\"Items\":[{\"a\":{\"BS\":[1]}}]}",
      "{\"Items\":[{\"a\":{\"BOOL\":\"true\"}}]}",
      "{\"Items\":[{\"a\":{\"NULL\":false}}]}",
      "{\"Items\":[{\"a\":{\"L\":{}}}]}",
      "{\"Items\":[{\"a\":{\"L\":[1]}}]}",
      "{\"Items\":[{\"a\":{\"M\":[]}}]}",
      "{\"Items\":[{\"a\":{\"SS\":\"x\"}}]}",
      "{\"Items\":[{\"a\":{\"s\":\"x\"}}]}",
      "{\"Items\":[{\"a\":{\"\\u0053\":\"x\"}}]}",
      "{\"Items\":[{\"a\":{\"S\":\"\\ud800\"}}]}",
      "{\"Items\":[{\"a\":{\"S\":\"\xff\"}}]}",
      "{\"Items\":[{\"a\":{\"S\":\"tab\there\"}}]}",
      "{\"Count\":-1}",
      "{\"Count\":\"1\"}",
      "{\"Count\":1.5}",
      "{\"Count\":18446744073709551616}",
      "{\"LastEvaluatedKey\":[]}",
      "{\"ConsumedCapacity\":{\"CapacityUnits\":\"1\"}}",
      "{} x",
      "{}{}",
      "{}]",
      "{\"Items\":[]},",
  };
  response_parser parser;
  for (const char* body : bodies) {
    SCOPED_TRACE(body);
    page p;
    diagnostics d;
    EXPECT_EQ(parser.parse_query(body, p, d), client_errc::malformed_response);
    EXPECT_EQ(d.message.rfind("malformed Query/Scan response: ", 0), 0u) << d.message;
  }
}

TEST(ParseMalformed, NestingIsBounded) {
  std::string deep_ok, deep_bad;
  auto nest = [](int levels) {
    std::string s = R"({"Items":[{"a":)";
    for (int i = 0; i < levels; ++i) s += R"({"L":[)";
    s += R"({"S":"x"})";
    for (int i = 0; i < levels; ++i) s += "]}";
    return s + "}]}";
  };
  page p;
  diagnostics d;
  response_parser parser;
  EXPECT_FALSE(parser.parse_query(nest(32), p, d)); // DynamoDB's limit
  EXPECT_EQ(parser.parse_query(nest(100), p, d), client_errc::malformed_response);
  EXPECT_EQ(parser.parse_query(nest(5000), p, d), client_errc::malformed_response);
  EXPECT_EQ(parser.parse_query(std::string(100000, '[') + std::string(100000, ']'), p, d),
            client_errc::malformed_response);
}

TEST(ParseMalformed, DiagnosticsSayWhere) {
  page p;
  diagnostics d;
  response_parser parser;
  ASSERT_EQ(parser.parse_query(R"({"Items":[{"a":{"N":"x"}}]})", p, d), client_errc::malformed_response);
  EXPECT_NE(d.message.find("at byte"), std::string::npos) << d.message;
  get_item_response g;
  ASSERT_EQ(parser.parse_get_item("{\"Item\":5}", g, d), client_errc::malformed_response);
  EXPECT_EQ(d.message.rfind("malformed GetItem response", 0), 0u) << d.message;
}

TEST(ParseMalformed, EveryParserOnEveryCapturedBodyNeverCrashes) {
  // Wrong-operation bodies either parse (unknown fields are skipped) or are malformed; truncated
  // bodies are always malformed.
  response_parser parser;
  int bodies = 0;
  for (auto& entry : std::filesystem::directory_iterator(responses)) {
    if (entry.path().extension() != ".json") continue;
    ++bodies;
    std::string body = slurp(entry.path());
    for (auto& [name, f] : all_parsers()) {
      SCOPED_TRACE(entry.path().filename().string() + " " + name);
      auto ec = f(parser, body);
      EXPECT_TRUE(!ec || ec == client_errc::malformed_response);
      for (std::size_t cut : {body.size() / 3, body.size() / 2, body.size() - 1})
        if (cut > 0 && cut < body.size()) {
          EXPECT_EQ(f(parser, body.substr(0, cut)), client_errc::malformed_response);
        }
    }
    diagnostics d;
    EXPECT_TRUE(parse_error(400, body, d)); // never success
  }
  EXPECT_GE(bodies, 40);
}

// --- Bodies in place and copied --------------------------------------------------------------

TEST(ParseBody, StringIsParsedInPlaceAndLeftUnchanged) {
  std::string body = response("query_page1");
  body.shrink_to_fit(); // no padding yet: the parser grows the capacity once
  std::string original = body;
  page p;
  diagnostics d;
  response_parser parser;
  ASSERT_FALSE(parser.parse_query(body, p, d));
  EXPECT_EQ(body, original);
  EXPECT_GE(body.capacity(), body.size() + json_padding);
  const char* data = body.data();
  ASSERT_FALSE(parser.parse_query(body, p, d)); // now in place: no reallocation
  EXPECT_EQ(body.data(), data);
  EXPECT_EQ(body, original);
  EXPECT_EQ(p.to_items(), (std::vector<item>{q1, q2}));
}

TEST(ParseBody, AllBodyKindsAgree) {
  const std::string body = response("query_page1");
  std::string mutable_body = body;
  std::vector<char> padded(body.begin(), body.end());
  padded.resize(body.size() + json_padding, ' ');
  response_parser parser;
  diagnostics d;
  page a, b, c, e, f;
  ASSERT_FALSE(parser.parse_query(body, a, d));                   // const std::string&: copied
  ASSERT_FALSE(parser.parse_query(std::string_view(body), b, d)); // copied
  ASSERT_FALSE(parser.parse_query(mutable_body, c, d));           // in place
  ASSERT_FALSE(parser.parse_query(json_body::padded(padded.data(), body.size()), e, d)); // in place
  ASSERT_FALSE(parse_query(body, f, d));                                                 // thread's parser
  for (page* x : {&b, &c, &e, &f}) {
    EXPECT_EQ(x->to_items(), a.to_items());
    EXPECT_EQ(x->last_evaluated_key(), a.last_evaluated_key());
  }
  get_item_response g;
  ASSERT_FALSE(parser.parse_get_item(R"({"Item":{"k":{"S":"v"}}})", g, d)); // a literal
  EXPECT_EQ(g.item, (item{{"k", "v"}}));
}

TEST(ParseBody, OutputsAreResetFirst) {
  response_parser parser;
  diagnostics d;
  get_item_response g;
  ASSERT_FALSE(parser.parse_get_item(response("get_item_found"), g, d));
  ASSERT_FALSE(parser.parse_get_item(response("get_item_not_found"), g, d));
  EXPECT_FALSE(g.item);
  EXPECT_FALSE(g.consumed_capacity);
  batch_get_item_response bg;
  ASSERT_FALSE(parser.parse_batch_get_item(response("batch_get_item"), bg, d));
  ASSERT_FALSE(parser.parse_batch_get_item("{}", bg, d));
  EXPECT_TRUE(bg.responses.empty());
  EXPECT_TRUE(bg.consumed_capacity.empty());
}

TEST(ParseBody, ParserIsMovable) {
  response_parser a;
  response_parser b = std::move(a);
  list_tables_response r;
  diagnostics d;
  ASSERT_FALSE(b.parse_list_tables(response("list_tables"), r, d));
  EXPECT_EQ(r.table_names.size(), 2u);
  a = std::move(b);
  ASSERT_FALSE(a.parse_list_tables(response("list_tables_page"), r, d));
  EXPECT_EQ(r.table_names.size(), 1u);
}
