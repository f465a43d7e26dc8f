// Table administration: CreateTable, UpdateTable, DescribeTable, DeleteTable, UpdateTimeToLive,
// DescribeTimeToLive, ListTables, DescribeLimits, and tags (TagResource, UntagResource,
// ListTagsOfResource).
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

/// StreamViewType: what a DynamoDB Streams record holds of the modified item.
enum class stream_view_type {
  keys_only,          // KEYS_ONLY
  new_image,          // NEW_IMAGE
  old_image,          // OLD_IMAGE
  new_and_old_images, // NEW_AND_OLD_IMAGES
};

/// StreamSpecification: a stream on (with what it records) or off.
class stream_specification {
public:
  static stream_specification enabled(stream_view_type view) { return stream_specification(view); }
  static stream_specification disabled() { return stream_specification(std::nullopt); }

  bool stream_enabled() const noexcept { return view_.has_value(); }
  /// Set exactly when the stream is enabled.
  std::optional<stream_view_type> view_type() const noexcept { return view_; }

private:
  explicit stream_specification(std::optional<stream_view_type> v) : view_(v) {}
  std::optional<stream_view_type> view_;
};

/// TableClass.
enum class table_class {
  standard,                   // STANDARD
  standard_infrequent_access, // STANDARD_INFREQUENT_ACCESS
};

/// SSESpecification: which key encrypts the table at rest.
class sse_specification {
public:
  /// Enabled false: a key that DynamoDB owns (the default, free).
  static sse_specification aws_owned_key() { return sse_specification(false, {}); }
  /// Enabled true, SSEType KMS: the AWS managed key `aws/dynamodb`, or the customer managed key
  /// `kms_master_key_id` (a key id, ARN, alias name or alias ARN).
  static sse_specification kms(std::string kms_master_key_id = {}) {
    return sse_specification(true, std::move(kms_master_key_id));
  }

  bool enabled() const noexcept { return enabled_; }
  const std::string& kms_master_key_id() const noexcept { return key_; }

private:
  sse_specification(bool enabled, std::string key) : enabled_(enabled), key_(std::move(key)) {}
  bool enabled_;
  std::string key_;
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
  /// StreamSpecification.
  create_table_request& stream(stream_specification s) {
    stream_ = std::move(s);
    return *this;
  }
  /// SSESpecification (absent: a key DynamoDB owns).
  create_table_request& sse(sse_specification s) {
    sse_ = std::move(s);
    return *this;
  }
  /// Adds one of Tags (at most 50, keys unique).
  create_table_request& tag(std::string key, std::string value) {
    tags_.push_back(ddb::tag{std::move(key), std::move(value)});
    return *this;
  }
  /// TableClass (absent: STANDARD).
  create_table_request& table_class(ddb::table_class c) {
    class_ = c;
    return *this;
  }
  /// DeletionProtectionEnabled: DeleteTable fails until UpdateTable turns it off.
  create_table_request& deletion_protection(bool on) {
    deletion_protection_ = on;
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
  const std::optional<stream_specification>& stream() const noexcept { return stream_; }
  const std::optional<sse_specification>& sse() const noexcept { return sse_; }
  const std::vector<ddb::tag>& tags() const noexcept { return tags_; }
  std::optional<ddb::table_class> table_class() const noexcept { return class_; }
  std::optional<bool> deletion_protection() const noexcept { return deletion_protection_; }

private:
  std::string table_;
  ddb::key_schema key_;
  std::vector<attribute_definition> attributes_;
  billing_mode billing_ = billing_mode::pay_per_request;
  std::optional<throughput> throughput_;
  std::vector<ddb::global_secondary_index> global_indexes_;
  std::vector<ddb::local_secondary_index> local_indexes_;
  std::optional<stream_specification> stream_;
  std::optional<sse_specification> sse_;
  std::vector<ddb::tag> tags_;
  std::optional<ddb::table_class> class_;
  std::optional<bool> deletion_protection_;
};

/// UpdateTable: billing, capacity, one index created or deleted (DynamoDB takes one per call),
/// index capacity, the stream, encryption, table class, deletion protection. At least one change.
///
///     ddb::update_table_request("orders")
///         .attribute("GSI2PK", ddb::value_type::string)
///         .create_global_secondary_index(ddb::global_secondary_index("GSI2", ddb::key_schema("GSI2PK")))
///
/// The table goes UPDATING, and a new index CREATING then ACTIVE (backfilled): wait with
/// client::async_wait_until_table_exists and waiter_options::with_indexes.
class update_table_request {
public:
  static constexpr std::string_view operation = "UpdateTable";

  explicit update_table_request(std::string table) : table_(std::move(table)) {}

  /// Adds an AttributeDefinition for the key of an index created here.
  update_table_request& attribute(std::string name, value_type type) {
    attributes_.push_back(attribute_definition{std::move(name), std::string(type_tag(type))});
    return *this;
  }
  /// BillingMode PAY_PER_REQUEST.
  update_table_request& pay_per_request() {
    billing_ = billing_mode::pay_per_request;
    throughput_.reset();
    return *this;
  }
  /// ProvisionedThroughput (BillingMode PROVISIONED when switching from on demand).
  update_table_request& provisioned_throughput(std::int64_t read_units, std::int64_t write_units) {
    billing_ = billing_mode::provisioned;
    throughput_.emplace(read_units, write_units);
    return *this;
  }
  /// GlobalSecondaryIndexUpdates: Create.
  update_table_request& create_global_secondary_index(ddb::global_secondary_index index) {
    creates_.push_back(std::move(index));
    return *this;
  }
  /// GlobalSecondaryIndexUpdates: Update (the index's provisioned capacity).
  update_table_request& update_global_secondary_index(std::string name, std::int64_t read_units,
                                                      std::int64_t write_units) {
    updates_.push_back({std::move(name), throughput(read_units, write_units)});
    return *this;
  }
  /// GlobalSecondaryIndexUpdates: Delete.
  update_table_request& delete_global_secondary_index(std::string name) {
    deletes_.push_back(std::move(name));
    return *this;
  }
  update_table_request& stream(stream_specification s) {
    stream_ = std::move(s);
    return *this;
  }
  update_table_request& sse(sse_specification s) {
    sse_ = std::move(s);
    return *this;
  }
  update_table_request& table_class(ddb::table_class c) {
    class_ = c;
    return *this;
  }
  update_table_request& deletion_protection(bool on) {
    deletion_protection_ = on;
    return *this;
  }

  /// An index capacity change.
  struct index_throughput {
    std::string index_name;
    ddb::throughput throughput;
  };

  const std::string& table() const noexcept { return table_; }
  const std::vector<attribute_definition>& attributes() const noexcept { return attributes_; }
  std::optional<billing_mode> billing() const noexcept { return billing_; }
  const std::optional<throughput>& provisioned_throughput() const noexcept { return throughput_; }
  const std::vector<ddb::global_secondary_index>& created_indexes() const noexcept { return creates_; }
  const std::vector<index_throughput>& updated_indexes() const noexcept { return updates_; }
  const std::vector<std::string>& deleted_indexes() const noexcept { return deletes_; }
  const std::optional<stream_specification>& stream() const noexcept { return stream_; }
  const std::optional<sse_specification>& sse() const noexcept { return sse_; }
  std::optional<ddb::table_class> table_class() const noexcept { return class_; }
  std::optional<bool> deletion_protection() const noexcept { return deletion_protection_; }

private:
  std::string table_;
  std::vector<attribute_definition> attributes_;
  std::optional<billing_mode> billing_;
  std::optional<throughput> throughput_;
  std::vector<ddb::global_secondary_index> creates_;
  std::vector<index_throughput> updates_;
  std::vector<std::string> deletes_;
  std::optional<stream_specification> stream_;
  std::optional<sse_specification> sse_;
  std::optional<ddb::table_class> class_;
  std::optional<bool> deletion_protection_;
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

/// DescribeTimeToLive.
class describe_time_to_live_request {
public:
  static constexpr std::string_view operation = "DescribeTimeToLive";

  explicit describe_time_to_live_request(std::string table) : table_(std::move(table)) {}
  const std::string& table() const noexcept { return table_; }

private:
  std::string table_;
};

/// DescribeLimits: the region's capacity quotas for this account.
class describe_limits_request {
public:
  static constexpr std::string_view operation = "DescribeLimits";
};

/// TagResource: adds (or overwrites) tags on a table, index or stream, by ARN
/// (table_description::table_arn). At least one tag, at most 50, keys unique.
class tag_resource_request {
public:
  static constexpr std::string_view operation = "TagResource";

  explicit tag_resource_request(std::string resource_arn) : arn_(std::move(resource_arn)) {}
  tag_resource_request& tag(std::string key, std::string value) {
    tags_.push_back(ddb::tag{std::move(key), std::move(value)});
    return *this;
  }

  const std::string& resource_arn() const noexcept { return arn_; }
  const std::vector<ddb::tag>& tags() const noexcept { return tags_; }

private:
  std::string arn_;
  std::vector<ddb::tag> tags_;
};

/// UntagResource: removes the tags with these keys (at least one).
class untag_resource_request {
public:
  static constexpr std::string_view operation = "UntagResource";

  explicit untag_resource_request(std::string resource_arn) : arn_(std::move(resource_arn)) {}
  untag_resource_request& key(std::string tag_key) {
    keys_.push_back(std::move(tag_key));
    return *this;
  }

  const std::string& resource_arn() const noexcept { return arn_; }
  const std::vector<std::string>& keys() const noexcept { return keys_; }

private:
  std::string arn_;
  std::vector<std::string> keys_;
};

/// ListTagsOfResource: one page of a resource's tags.
class list_tags_of_resource_request {
public:
  static constexpr std::string_view operation = "ListTagsOfResource";

  explicit list_tags_of_resource_request(std::string resource_arn) : arn_(std::move(resource_arn)) {}
  /// NextToken: the previous page's next_token.
  list_tags_of_resource_request& next_token(std::string token) {
    token_ = std::move(token);
    return *this;
  }

  const std::string& resource_arn() const noexcept { return arn_; }
  const std::string& next_token() const noexcept { return token_; }

private:
  std::string arn_;
  std::string token_;
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
