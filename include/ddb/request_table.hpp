// Table administration: CreateTable, DescribeTable, DeleteTable, UpdateTimeToLive, ListTables.
#pragma once

#include <ddb/responses.hpp> // attribute_definition, shared with table descriptions
#include <ddb/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ddb {

/// A table's or index's primary key: a partition (HASH) key and an optional sort (RANGE) key.
class key_schema {
public:
  explicit key_schema(std::string partition_key, std::string sort_key = {})
      : partition_key_(std::move(partition_key)), sort_key_(std::move(sort_key)) {}

  const std::string& partition_key() const noexcept { return partition_key_; }
  /// Empty when the key has no sort key.
  const std::string& sort_key() const noexcept { return sort_key_; }

private:
  std::string partition_key_;
  std::string sort_key_;
};

/// ProvisionedThroughput: read and write capacity units (each at least 1).
class throughput {
public:
  throughput(std::int64_t read_capacity_units, std::int64_t write_capacity_units) noexcept
      : read_(read_capacity_units), write_(write_capacity_units) {}

  std::int64_t read_capacity_units() const noexcept { return read_; }
  std::int64_t write_capacity_units() const noexcept { return write_; }

private:
  std::int64_t read_;
  std::int64_t write_;
};

/// ProjectionType of a secondary index.
enum class projection_type {
  all,       // ALL
  keys_only, // KEYS_ONLY
  include,   // INCLUDE (with NonKeyAttributes)
};

/// Which attributes a secondary index copies from the table.
class index_projection {
public:
  static index_projection all() { return index_projection(projection_type::all, {}); }
  static index_projection keys_only() { return index_projection(projection_type::keys_only, {}); }
  /// The keys plus these attributes (at least one).
  static index_projection include(std::vector<std::string> non_key_attributes) {
    return index_projection(projection_type::include, std::move(non_key_attributes));
  }

  projection_type type() const noexcept { return type_; }
  const std::vector<std::string>& non_key_attributes() const noexcept { return non_key_attributes_; }

private:
  index_projection(projection_type t, std::vector<std::string> attributes)
      : type_(t), non_key_attributes_(std::move(attributes)) {}

  projection_type type_;
  std::vector<std::string> non_key_attributes_;
};

/// A global secondary index of a new table.
class global_secondary_index {
public:
  global_secondary_index(std::string name, ddb::key_schema key,
                         index_projection projection = index_projection::all())
      : name_(std::move(name)), key_(std::move(key)), projection_(std::move(projection)) {}

  /// The index's own capacity; required when the table uses provisioned billing.
  global_secondary_index& provisioned_throughput(std::int64_t read_units, std::int64_t write_units) {
    throughput_.emplace(read_units, write_units);
    return *this;
  }

  const std::string& name() const noexcept { return name_; }
  const ddb::key_schema& key() const noexcept { return key_; }
  const index_projection& projection() const noexcept { return projection_; }
  const std::optional<throughput>& provisioned_throughput() const noexcept { return throughput_; }

private:
  std::string name_;
  ddb::key_schema key_;
  index_projection projection_;
  std::optional<throughput> throughput_;
};

/// A local secondary index of a new table (same partition key, another sort key).
class local_secondary_index {
public:
  local_secondary_index(std::string name, ddb::key_schema key,
                        index_projection projection = index_projection::all())
      : name_(std::move(name)), key_(std::move(key)), projection_(std::move(projection)) {}

  const std::string& name() const noexcept { return name_; }
  const ddb::key_schema& key() const noexcept { return key_; }
  const index_projection& projection() const noexcept { return projection_; }

private:
  std::string name_;
  ddb::key_schema key_;
  index_projection projection_;
};

/// BillingMode.
enum class billing_mode {
  pay_per_request, // PAY_PER_REQUEST (on demand)
  provisioned,     // PROVISIONED, with ProvisionedThroughput
};

/// CreateTable. Every key attribute (of the table and of its indexes) needs an attribute
/// definition. Billing is on demand unless provisioned_throughput() is given.
///
///     ddb::create_table_request("orders", ddb::key_schema("PK", "SK"))
///         .attribute("PK", ddb::value_type::string).attribute("SK", ddb::value_type::string)
///         .attribute("GSI1PK", ddb::value_type::string)
///         .global_secondary_index(ddb::global_secondary_index("GSI1", ddb::key_schema("GSI1PK"),
///                                                             ddb::index_projection::keys_only()))
class create_table_request {
public:
  static constexpr std::string_view operation = "CreateTable";

  create_table_request(std::string table, ddb::key_schema key)
      : table_(std::move(table)), key_(std::move(key)) {}

  /// Adds an AttributeDefinition: `type` is value_type::string, number or binary.
  create_table_request& attribute(std::string name, value_type type) {
    attributes_.push_back(attribute_definition{std::move(name), std::string(type_tag(type))});
    return *this;
  }
  /// BillingMode PAY_PER_REQUEST (the default).
  create_table_request& pay_per_request() {
    billing_ = billing_mode::pay_per_request;
    throughput_.reset();
    return *this;
  }
  /// BillingMode PROVISIONED with this capacity.
  create_table_request& provisioned_throughput(std::int64_t read_units, std::int64_t write_units) {
    billing_ = billing_mode::provisioned;
    throughput_.emplace(read_units, write_units);
    return *this;
  }
  create_table_request& global_secondary_index(ddb::global_secondary_index index) {
    global_indexes_.push_back(std::move(index));
    return *this;
  }
  create_table_request& local_secondary_index(ddb::local_secondary_index index) {
    local_indexes_.push_back(std::move(index));
    return *this;
  }

  const std::string& table() const noexcept { return table_; }
  const ddb::key_schema& key() const noexcept { return key_; }
  const std::vector<attribute_definition>& attributes() const noexcept { return attributes_; }
  billing_mode billing() const noexcept { return billing_; }
  const std::optional<throughput>& provisioned_throughput() const noexcept { return throughput_; }
  const std::vector<ddb::global_secondary_index>& global_secondary_indexes() const noexcept {
    return global_indexes_;
  }
  const std::vector<ddb::local_secondary_index>& local_secondary_indexes() const noexcept {
    return local_indexes_;
  }

private:
  std::string table_;
  ddb::key_schema key_;
  std::vector<attribute_definition> attributes_;
  billing_mode billing_ = billing_mode::pay_per_request;
  std::optional<throughput> throughput_;
  std::vector<ddb::global_secondary_index> global_indexes_;
  std::vector<ddb::local_secondary_index> local_indexes_;
};

/// DescribeTable.
class describe_table_request {
public:
  static constexpr std::string_view operation = "DescribeTable";

  explicit describe_table_request(std::string table) : table_(std::move(table)) {}
  const std::string& table() const noexcept { return table_; }

private:
  std::string table_;
};

/// DeleteTable.
class delete_table_request {
public:
  static constexpr std::string_view operation = "DeleteTable";

  explicit delete_table_request(std::string table) : table_(std::move(table)) {}
  const std::string& table() const noexcept { return table_; }

private:
  std::string table_;
};

/// UpdateTimeToLive: enables (or disables) expiry by the epoch-seconds number in `attribute`.
class update_time_to_live_request {
public:
  static constexpr std::string_view operation = "UpdateTimeToLive";

  update_time_to_live_request(std::string table, std::string attribute, bool enabled = true)
      : table_(std::move(table)), attribute_(std::move(attribute)), enabled_(enabled) {}

  const std::string& table() const noexcept { return table_; }
  const std::string& attribute() const noexcept { return attribute_; }
  bool enabled() const noexcept { return enabled_; }

private:
  std::string table_;
  std::string attribute_;
  bool enabled_;
};

/// ListTables: one page of table names.
class list_tables_request {
public:
  static constexpr std::string_view operation = "ListTables";

  list_tables_request() = default;

  /// Limit: 1 to 100 names per page.
  list_tables_request& limit(std::int32_t n) {
    limit_ = n;
    return *this;
  }
  /// ExclusiveStartTableName: the previous page's LastEvaluatedTableName.
  list_tables_request& exclusive_start_table_name(std::string name) {
    start_ = std::move(name);
    return *this;
  }

  std::optional<std::int32_t> limit() const noexcept { return limit_; }
  const std::string& exclusive_start_table_name() const noexcept { return start_; }

private:
  std::optional<std::int32_t> limit_;
  std::string start_;
};

} // namespace ddb
