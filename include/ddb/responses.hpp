// What DynamoDB operations return, as plain owning structs (Query and Scan: see ddb/page.hpp).
//
// Every struct mirrors the response's JSON with snake_case names; fields the response lacks stay at
// their defaults (empty, 0, std::nullopt). Unknown fields are ignored, so newer DynamoDB responses
// still parse. The parsers are in ddb/parse.hpp.
#pragma once

#include <ddb/value.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ddb {

/// Capacity units consumed by a table or an index (DynamoDB's `Capacity`).
struct capacity {
  double capacity_units = 0;       // CapacityUnits
  double read_capacity_units = 0;  // ReadCapacityUnits (0 when not reported)
  double write_capacity_units = 0; // WriteCapacityUnits (0 when not reported)
  friend bool operator==(const capacity&, const capacity&) = default;
};

/// `ConsumedCapacity` of one table, sent when the request asked for ReturnConsumedCapacity
/// TOTAL (totals only) or INDEXES (also per table and per index).
struct consumed_capacity {
  std::string table_name;                                                // TableName
  double capacity_units = 0;                                             // CapacityUnits
  double read_capacity_units = 0;                                        // ReadCapacityUnits
  double write_capacity_units = 0;                                       // WriteCapacityUnits
  std::optional<capacity> table;                                         // Table (INDEXES)
  std::map<std::string, capacity, std::less<>> global_secondary_indexes; // by index name (INDEXES)
  std::map<std::string, capacity, std::less<>> local_secondary_indexes;  // by index name (INDEXES)
  friend bool operator==(const consumed_capacity&, const consumed_capacity&) = default;
};

/// CapacityUnits of a response's ConsumedCapacity (absent: 0; several tables: their sum).
inline double capacity_units(const std::optional<consumed_capacity>& c) noexcept {
  return c ? c->capacity_units : 0;
}
inline double capacity_units(const std::vector<consumed_capacity>& cs) noexcept {
  double sum = 0;
  for (auto& c : cs) sum += c.capacity_units;
  return sum;
}

/// `ItemCollectionMetrics` (ReturnItemCollectionMetrics=SIZE on tables with local indexes).
struct item_collection_metrics {
  ddb::item item_collection_key;              // ItemCollectionKey: the partition key
  std::vector<double> size_estimate_range_gb; // SizeEstimateRangeGB: [low, high]
  friend bool operator==(const item_collection_metrics&, const item_collection_metrics&) = default;
};

/// GetItem.
struct get_item_response {
  std::optional<ddb::item> item; // nullopt when no item has the key
  std::optional<ddb::consumed_capacity> consumed_capacity;
};

/// PutItem, UpdateItem and DeleteItem.
struct write_item_response {
  std::optional<ddb::item> attributes; // Attributes, as ReturnValues asked
  std::optional<ddb::consumed_capacity> consumed_capacity;
  std::optional<ddb::item_collection_metrics> item_collection_metrics;
};
using put_item_response = write_item_response;
using update_item_response = write_item_response;
using delete_item_response = write_item_response;

/// Keys of one table, with the options they were requested with (BatchGetItem's
/// `KeysAndAttributes`); the unprocessed ones can be sent again as they are.
struct keys_and_attributes {
  std::vector<ddb::item> keys;                                                // Keys
  std::string projection_expression;                                          // ProjectionExpression
  std::map<std::string, std::string, std::less<>> expression_attribute_names; // ExpressionAttributeNames
  std::optional<bool> consistent_read;                                        // ConsistentRead
  std::vector<std::string> attributes_to_get;                                 // AttributesToGet (legacy)
  friend bool operator==(const keys_and_attributes&, const keys_and_attributes&) = default;
};

/// BatchGetItem.
struct batch_get_item_response {
  /// Responses: the items found, by table name, in no particular order.
  std::map<std::string, std::vector<ddb::item>, std::less<>> responses;
  /// UnprocessedKeys: what to ask for again (after a back-off), by table name.
  std::map<std::string, keys_and_attributes, std::less<>> unprocessed_keys;
  std::vector<ddb::consumed_capacity> consumed_capacity;
};

/// One BatchWriteItem request: put an item, or delete the item with a key.
struct put_request {
  ddb::item item; // PutRequest.Item
  friend bool operator==(const put_request&, const put_request&) = default;
};
struct delete_request {
  ddb::item key; // DeleteRequest.Key
  friend bool operator==(const delete_request&, const delete_request&) = default;
};
using write_request = std::variant<put_request, delete_request>;

/// BatchWriteItem.
struct batch_write_item_response {
  /// UnprocessedItems: the requests to send again (after a back-off), by table name.
  std::map<std::string, std::vector<write_request>, std::less<>> unprocessed_items;
  std::map<std::string, std::vector<ddb::item_collection_metrics>, std::less<>> item_collection_metrics;
  std::vector<ddb::consumed_capacity> consumed_capacity;
};

/// TransactGetItems.
struct transact_get_items_response {
  /// Responses: one entry per requested Get, in request order; nullopt where no item matched.
  std::vector<std::optional<ddb::item>> responses;
  std::vector<ddb::consumed_capacity> consumed_capacity;
};

/// TransactWriteItems.
struct transact_write_items_response {
  std::map<std::string, std::vector<ddb::item_collection_metrics>, std::less<>> item_collection_metrics;
  std::vector<ddb::consumed_capacity> consumed_capacity;
};

/// The error of one BatchExecuteStatement statement (`BatchStatementError`).
struct batch_statement_error {
  std::string code;              // Code, e.g. "ConditionalCheckFailed", "ThrottlingError"
  std::string message;           // Message
  std::optional<ddb::item> item; // Item (ReturnValuesOnConditionCheckFailure ALL_OLD)
  friend bool operator==(const batch_statement_error&, const batch_statement_error&) = default;
};

/// One statement's result in a BatchExecuteStatement (`BatchStatementResponse`).
struct batch_statement_response {
  std::string table_name;                     // TableName
  std::optional<ddb::item> item;              // Item (a SELECT that found one)
  std::optional<batch_statement_error> error; // Error: this statement failed, the others may not
  friend bool operator==(const batch_statement_response&, const batch_statement_response&) = default;
};

/// BatchExecuteStatement: one entry per statement, in request order. Statements fail one by one:
/// check each entry's `error` (failed() says whether any did).
struct batch_execute_statement_response {
  std::vector<batch_statement_response> responses; // Responses
  std::vector<ddb::consumed_capacity> consumed_capacity;
  bool failed() const noexcept {
    for (auto& r : responses)
      if (r.error) return true;
    return false;
  }
};

/// ExecuteTransaction: for reads, one entry per statement in request order (nullopt where no
/// item matched); for writes, no entries.
struct execute_transaction_response {
  std::vector<std::optional<ddb::item>> responses; // Responses[].Item
  std::vector<ddb::consumed_capacity> consumed_capacity;
};

/// `KeySchemaElement`.
struct key_schema_element {
  std::string attribute_name; // AttributeName
  std::string key_type;       // KeyType: "HASH" or "RANGE"
  friend bool operator==(const key_schema_element&, const key_schema_element&) = default;
};

/// `AttributeDefinition`.
struct attribute_definition {
  std::string attribute_name; // AttributeName
  std::string attribute_type; // AttributeType: "S", "N" or "B"
  friend bool operator==(const attribute_definition&, const attribute_definition&) = default;
};

/// `Projection` of an index.
struct projection {
  std::string projection_type;                 // ProjectionType: "ALL", "KEYS_ONLY" or "INCLUDE"
  std::vector<std::string> non_key_attributes; // NonKeyAttributes (INCLUDE)
  friend bool operator==(const projection&, const projection&) = default;
};

/// `ProvisionedThroughputDescription` (all zero for on-demand tables).
struct provisioned_throughput_description {
  std::uint64_t read_capacity_units = 0;       // ReadCapacityUnits
  std::uint64_t write_capacity_units = 0;      // WriteCapacityUnits
  std::uint64_t number_of_decreases_today = 0; // NumberOfDecreasesToday
  double last_increase_date_time = 0;          // LastIncreaseDateTime, seconds since the epoch
  double last_decrease_date_time = 0;          // LastDecreaseDateTime, seconds since the epoch
  friend bool operator==(const provisioned_throughput_description&,
                         const provisioned_throughput_description&) = default;
};

/// A global or local secondary index of a table description.
struct index_description {
  std::string index_name;                     // IndexName
  std::vector<key_schema_element> key_schema; // KeySchema
  ddb::projection projection;                 // Projection
  std::string index_status;                   // IndexStatus (global indexes only): "ACTIVE", ...
  std::optional<bool> backfilling;            // Backfilling (global indexes being created)
  std::uint64_t item_count = 0;               // ItemCount
  std::uint64_t index_size_bytes = 0;         // IndexSizeBytes
  std::string index_arn;                      // IndexArn
  std::optional<provisioned_throughput_description> provisioned_throughput; // global only
  friend bool operator==(const index_description&, const index_description&) = default;
};

/// A table description's `StreamSpecification`.
struct stream_description {
  bool stream_enabled = false; // StreamEnabled
  std::string view_type;       // StreamViewType: "KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"
  friend bool operator==(const stream_description&, const stream_description&) = default;
};

/// `SSEDescription`: server-side encryption with a KMS key.
struct sse_description {
  std::string status;             // Status: "ENABLED", "UPDATING", ...
  std::string sse_type;           // SSEType: "KMS"
  std::string kms_master_key_arn; // KMSMasterKeyArn
  friend bool operator==(const sse_description&, const sse_description&) = default;
};

/// `TableDescription` (CreateTable, DeleteTable, UpdateTable) or `Table` (DescribeTable).
struct table_description {
  std::string table_name;                                  // TableName
  std::string table_status;                                // TableStatus: "CREATING", "ACTIVE", ...
  std::string table_arn;                                   // TableArn
  std::string table_id;                                    // TableId
  std::vector<attribute_definition> attribute_definitions; // AttributeDefinitions
  std::vector<key_schema_element> key_schema;              // KeySchema
  std::vector<index_description> global_secondary_indexes; // GlobalSecondaryIndexes
  std::vector<index_description> local_secondary_indexes;  // LocalSecondaryIndexes
  std::uint64_t item_count = 0;                            // ItemCount (updated about every 6 hours)
  std::uint64_t table_size_bytes = 0;                      // TableSizeBytes
  double creation_date_time = 0;                           // CreationDateTime, seconds since the epoch
  /// BillingModeSummary.BillingMode: "PAY_PER_REQUEST" or "PROVISIONED"; empty when the summary
  /// is absent (tables created as PROVISIONED may not have one).
  std::string billing_mode;
  std::optional<provisioned_throughput_description> provisioned_throughput; // ProvisionedThroughput
  std::optional<bool> deletion_protection_enabled;                          // DeletionProtectionEnabled
  std::string latest_stream_arn;                                            // LatestStreamArn
  std::string latest_stream_label;                                          // LatestStreamLabel
  std::optional<stream_description> stream_specification;                   // StreamSpecification
  /// TableClassSummary.TableClass: "STANDARD" or "STANDARD_INFREQUENT_ACCESS"; empty when absent.
  std::string table_class;
  std::optional<ddb::sse_description> sse_description; // SSEDescription (absent: AWS owned key)
  friend bool operator==(const table_description&, const table_description&) = default;
};

/// UpdateTimeToLive's `TimeToLiveSpecification`.
struct time_to_live_specification {
  std::string attribute_name; // AttributeName
  bool enabled = false;       // Enabled
  friend bool operator==(const time_to_live_specification&, const time_to_live_specification&) = default;
};

/// DescribeTimeToLive's `TimeToLiveDescription`.
struct time_to_live_description {
  std::string time_to_live_status; // TimeToLiveStatus: "ENABLING", "ENABLED", "DISABLING", "DISABLED"
  std::string attribute_name;      // AttributeName (absent while DISABLED)
  friend bool operator==(const time_to_live_description&, const time_to_live_description&) = default;
};

/// DescribeLimits: the account's and each table's capacity quotas in this region.
struct describe_limits_response {
  std::uint64_t account_max_read_capacity_units = 0;  // AccountMaxReadCapacityUnits
  std::uint64_t account_max_write_capacity_units = 0; // AccountMaxWriteCapacityUnits
  std::uint64_t table_max_read_capacity_units = 0;    // TableMaxReadCapacityUnits
  std::uint64_t table_max_write_capacity_units = 0;   // TableMaxWriteCapacityUnits
  friend bool operator==(const describe_limits_response&, const describe_limits_response&) = default;
};

/// A resource tag (TagResource, ListTagsOfResource, CreateTable's Tags).
struct tag {
  std::string key;   // Key: 1 to 128 characters
  std::string value; // Value: up to 256 characters
  friend bool operator==(const tag&, const tag&) = default;
};

/// TagResource and UntagResource: an empty body on success.
struct tag_resource_response {};
struct untag_resource_response {};

/// ListTagsOfResource: one page of tags.
struct list_tags_of_resource_response {
  std::vector<ddb::tag> tags;            // Tags
  std::optional<std::string> next_token; // NextToken: more to list
};

/// ListTables.
struct list_tables_response {
  std::vector<std::string> table_names;                 // TableNames
  std::optional<std::string> last_evaluated_table_name; // LastEvaluatedTableName: more to list
};

} // namespace ddb
