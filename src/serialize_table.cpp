// Request bodies of the table and control-plane operations (CreateTable, UpdateTable, tags,
// backups, ...), written with the body_writer of serialize.cpp.

#include "body_writer.hpp"

#include <ddb/serialize.hpp>

#include <array>
#include <cstddef>
#include <string_view>
#include <vector>

namespace ddb {
namespace {

using namespace detail;

void write_key_schema(body_writer& b, const key_schema& k) {
  auto& w = b.json();
  b.require(!k.partition_key().empty());
  w.raw_key("KeySchema");
  w.begin_array();
  w.begin_object();
  w.raw_key("AttributeName");
  w.string(k.partition_key());
  w.raw_key("KeyType");
  w.raw_string("HASH");
  w.end_object();
  if (!k.sort_key().empty()) {
    w.begin_object();
    w.raw_key("AttributeName");
    w.string(k.sort_key());
    w.raw_key("KeyType");
    w.raw_string("RANGE");
    w.end_object();
  }
  w.end_array();
}

void write_projection(body_writer& b, const index_projection& p) {
  auto& w = b.json();
  auto name = name_of(p.type());
  b.require(!name.empty());
  b.require((p.type() == projection_type::include) == !p.non_key_attributes().empty());
  w.raw_key("Projection");
  w.begin_object();
  w.raw_key("ProjectionType");
  w.raw_string(name);
  if (!p.non_key_attributes().empty()) {
    w.raw_key("NonKeyAttributes");
    w.begin_array();
    for (auto& a : p.non_key_attributes()) {
      b.require(!a.empty());
      w.string(a);
    }
    w.end_array();
  }
  w.end_object();
}

void write_throughput(body_writer& b, const throughput& t) {
  auto& w = b.json();
  b.require(t.read_capacity_units() >= 1 && t.write_capacity_units() >= 1);
  w.raw_key("ProvisionedThroughput");
  w.begin_object();
  w.raw_key("ReadCapacityUnits");
  w.integer(t.read_capacity_units());
  w.raw_key("WriteCapacityUnits");
  w.integer(t.write_capacity_units());
  w.end_object();
}

std::string_view name_of(stream_view_type v) noexcept {
  static constexpr std::array<std::string_view, 4> names = {"KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE",
                                                            "NEW_AND_OLD_IMAGES"};
  return enum_name(v, names);
}
std::string_view name_of(table_class v) noexcept {
  static constexpr std::array<std::string_view, 2> names = {"STANDARD", "STANDARD_INFREQUENT_ACCESS"};
  return enum_name(v, names);
}

template <class R>
bool defines(const R& r, const std::string& attribute) {
  if (attribute.empty()) return true;
  for (auto& a : r.attributes())
    if (a.attribute_name == attribute) return true;
  return false;
}
template <class R>
bool defines_keys(const R& r, const key_schema& k) {
  return defines(r, k.partition_key()) && defines(r, k.sort_key());
}

void write_attribute_definitions(body_writer& b, const std::vector<attribute_definition>& attributes) {
  auto& w = b.json();
  w.raw_key("AttributeDefinitions");
  w.begin_array();
  for (auto& a : attributes) {
    const auto& t = a.attribute_type;
    b.require(!a.attribute_name.empty() && (t == "S" || t == "N" || t == "B"),
              "an AttributeDefinition without a name or of a type other than S, N or B");
    w.begin_object();
    w.raw_key("AttributeName");
    w.string(a.attribute_name);
    w.raw_key("AttributeType");
    w.string(t);
    w.end_object();
  }
  w.end_array();
}

// One global secondary index to create: CreateTable's GlobalSecondaryIndexes entries and
// UpdateTable's Create.
template <class R>
void write_new_index(body_writer& b, const R& r, const global_secondary_index& gsi, bool provisioned) {
  auto& w = b.json();
  b.require(valid_index_name(gsi.name()), "an index name not of 3 to 255 of a-z A-Z 0-9 _ - .");
  b.require(defines_keys(r, gsi.key()), "an index key attribute without an AttributeDefinition");
  // Provisioned tables need each GSI's capacity; on-demand tables reject it.
  b.require(provisioned == gsi.provisioned_throughput().has_value(),
            "an index's ProvisionedThroughput must be given exactly when the table is provisioned");
  w.begin_object();
  w.raw_key("IndexName");
  w.string(gsi.name());
  write_key_schema(b, gsi.key());
  write_projection(b, gsi.projection());
  if (gsi.provisioned_throughput()) write_throughput(b, *gsi.provisioned_throughput());
  w.end_object();
}

void write_stream(body_writer& b, const std::optional<stream_specification>& s) {
  if (!s) return;
  auto& w = b.json();
  w.raw_key("StreamSpecification");
  w.begin_object();
  w.raw_key("StreamEnabled");
  w.boolean(s->stream_enabled());
  if (auto view = s->view_type()) {
    auto name = name_of(*view);
    b.require(!name.empty(), "an unknown StreamViewType");
    w.raw_key("StreamViewType");
    w.raw_string(name);
  }
  w.end_object();
}

void write_sse(body_writer& b, const std::optional<sse_specification>& s) {
  if (!s) return;
  auto& w = b.json();
  b.require(s->enabled() || s->kms_master_key_id().empty(), "a KMSMasterKeyId for a key DynamoDB owns");
  w.raw_key("SSESpecification");
  w.begin_object();
  w.raw_key("Enabled");
  w.boolean(s->enabled());
  if (s->enabled()) {
    w.raw_key("SSEType");
    w.raw_string("KMS");
  }
  b.string_field("KMSMasterKeyId", s->kms_master_key_id());
  w.end_object();
}

void write_table_class(body_writer& b, std::optional<table_class> c) {
  if (!c) return;
  auto name = name_of(*c);
  b.require(!name.empty(), "an unknown TableClass");
  b.json().raw_key("TableClass");
  b.json().raw_string(name);
}

void write_deletion_protection(body_writer& b, std::optional<bool> on) {
  if (!on) return;
  b.json().raw_key("DeletionProtectionEnabled");
  b.json().boolean(*on);
}

// Tags: 1 to 50, keys of 1 to 128 bytes and unique, values up to 256 (DynamoDB counts
// characters; bytes are never fewer, so a valid tag is never refused here).
void write_tags(body_writer& b, const std::vector<tag>& tags, bool required) {
  if (tags.empty() && !required) return;
  b.require(!tags.empty() && tags.size() <= 50, "Tags must have 1 to 50 entries");
  auto& w = b.json();
  w.raw_key("Tags");
  w.begin_array();
  for (std::size_t i = 0; i < tags.size(); ++i) {
    auto& t = tags[i];
    b.require(!t.key.empty() && t.key.size() <= 128 * 4, "a tag key that is empty or over 128 characters");
    b.require(t.value.size() <= 256 * 4, "a tag value over 256 characters");
    for (std::size_t j = 0; j < i; ++j) b.require(tags[j].key != t.key, "one tag key twice");
    w.begin_object();
    w.raw_key("Key");
    w.string(t.key);
    w.raw_key("Value");
    w.string(t.value);
    w.end_object();
  }
  w.end_array();
}

void resource_arn_field(body_writer& b, const std::string& arn) {
  b.require(arn.size() >= 1 && arn.size() <= 1283 && arn.substr(0, 4) == "arn:",
            "a ResourceArn that is not an ARN (arn:...) of at most 1283 bytes");
  b.json().raw_key("ResourceArn");
  b.json().string(arn);
}

} // namespace

// ---- tables ----

error_code serialize(const create_table_request& r, std::string& out) {
  body o(out);
  auto& b = o.b;
  auto& w = b.json();
  b.table_name(r.table());

  b.require(!r.attributes().empty(), "no AttributeDefinitions");
  write_attribute_definitions(b, r.attributes());
  b.require(defines_keys(r, r.key()), "a key attribute without an AttributeDefinition");
  write_key_schema(b, r.key());

  const bool provisioned = r.billing() == billing_mode::provisioned;
  b.require(provisioned == r.provisioned_throughput().has_value());
  auto billing = name_of(r.billing());
  b.require(!billing.empty());
  w.raw_key("BillingMode");
  w.raw_string(billing);
  if (r.provisioned_throughput()) write_throughput(b, *r.provisioned_throughput());

  if (!r.global_secondary_indexes().empty()) {
    w.raw_key("GlobalSecondaryIndexes");
    w.begin_array();
    for (auto& gsi : r.global_secondary_indexes()) write_new_index(b, r, gsi, provisioned);
    w.end_array();
  }
  if (!r.local_secondary_indexes().empty()) {
    w.raw_key("LocalSecondaryIndexes");
    w.begin_array();
    for (auto& lsi : r.local_secondary_indexes()) {
      b.require(valid_index_name(lsi.name()), "an index name not of 3 to 255 of a-z A-Z 0-9 _ - .");
      b.require(defines_keys(r, lsi.key()), "an index key attribute without an AttributeDefinition");
      w.begin_object();
      w.raw_key("IndexName");
      w.string(lsi.name());
      write_key_schema(b, lsi.key());
      write_projection(b, lsi.projection());
      w.end_object();
    }
    w.end_array();
  }
  write_stream(b, r.stream());
  write_sse(b, r.sse());
  write_tags(b, r.tags(), false);
  write_table_class(b, r.table_class());
  write_deletion_protection(b, r.deletion_protection());
  return o.finish();
}

error_code serialize(const update_table_request& r, std::string& out) {
  body o(out);
  auto& b = o.b;
  auto& w = b.json();
  b.table_name(r.table());
  if (!r.attributes().empty()) write_attribute_definitions(b, r.attributes());
  if (auto billing = r.billing()) {
    auto name = name_of(*billing);
    b.require(!name.empty());
    w.raw_key("BillingMode");
    w.raw_string(name);
  }
  if (r.provisioned_throughput()) write_throughput(b, *r.provisioned_throughput());

  // DynamoDB: "Subscriber limit exceeded: Only 1 online index can be created or deleted
  // simultaneously per table" (and per call); capacity updates may go with it.
  const auto changes = r.created_indexes().size() + r.deleted_indexes().size();
  b.require(changes <= 1, "more than one index created or deleted in one UpdateTable");
  if (changes + r.updated_indexes().size() > 0) {
    w.raw_key("GlobalSecondaryIndexUpdates");
    w.begin_array();
    for (auto& gsi : r.created_indexes()) {
      b.require(!r.attributes().empty(), "an index created without AttributeDefinitions for its key");
      w.begin_object();
      w.raw_key("Create");
      // A new index needs capacity when the table is (or becomes) provisioned; ddb cannot know a
      // table's current mode, so it checks only what this request says.
      write_new_index(b, r, gsi, gsi.provisioned_throughput().has_value());
      w.end_object();
    }
    for (auto& u : r.updated_indexes()) {
      b.require(valid_index_name(u.index_name), "an index name not of 3 to 255 of a-z A-Z 0-9 _ - .");
      w.begin_object();
      w.raw_key("Update");
      w.begin_object();
      w.raw_key("IndexName");
      w.string(u.index_name);
      write_throughput(b, u.throughput);
      w.end_object();
      w.end_object();
    }
    for (auto& name : r.deleted_indexes()) {
      b.require(valid_index_name(name), "an index name not of 3 to 255 of a-z A-Z 0-9 _ - .");
      w.begin_object();
      w.raw_key("Delete");
      w.begin_object();
      w.raw_key("IndexName");
      w.string(name);
      w.end_object();
      w.end_object();
    }
    w.end_array();
  }
  write_stream(b, r.stream());
  write_sse(b, r.sse());
  write_table_class(b, r.table_class());
  write_deletion_protection(b, r.deletion_protection());
  b.require(r.billing() || r.provisioned_throughput() || changes || !r.updated_indexes().empty() ||
                r.stream() || r.sse() || r.table_class() || r.deletion_protection(),
            "an UpdateTable that changes nothing");
  b.require(r.attributes().empty() || !r.created_indexes().empty(),
            "AttributeDefinitions without an index to create");
  return o.finish();
}

error_code serialize(const describe_table_request& r, std::string& out) {
  body o(out);
  o.b.table_name(r.table());
  return o.finish();
}

error_code serialize(const delete_table_request& r, std::string& out) {
  body o(out);
  o.b.table_name(r.table());
  return o.finish();
}

error_code serialize(const update_time_to_live_request& r, std::string& out) {
  body o(out);
  auto& b = o.b;
  auto& w = b.json();
  b.table_name(r.table());
  w.raw_key("TimeToLiveSpecification");
  w.begin_object();
  b.required_string_field("AttributeName", r.attribute());
  w.raw_key("Enabled");
  w.boolean(r.enabled());
  w.end_object();
  return o.finish();
}

error_code serialize(const list_tables_request& r, std::string& out) {
  body o(out);
  auto& b = o.b;
  b.string_field("ExclusiveStartTableName", r.exclusive_start_table_name());
  b.limit_field(r.limit(), 100);
  return o.finish();
}

error_code serialize(const describe_time_to_live_request& r, std::string& out) {
  body o(out);
  o.b.table_name(r.table());
  return o.finish();
}

error_code serialize(const describe_limits_request&, std::string& out) {
  body o(out);
  return o.finish();
}

error_code serialize(const tag_resource_request& r, std::string& out) {
  body o(out);
  resource_arn_field(o.b, r.resource_arn());
  write_tags(o.b, r.tags(), true);
  return o.finish();
}

error_code serialize(const untag_resource_request& r, std::string& out) {
  body o(out);
  auto& b = o.b;
  auto& w = b.json();
  resource_arn_field(b, r.resource_arn());
  b.require(!r.keys().empty() && r.keys().size() <= 50, "TagKeys must have 1 to 50 entries");
  w.raw_key("TagKeys");
  w.begin_array();
  for (auto& k : r.keys()) {
    b.require(!k.empty() && k.size() <= 128 * 4, "a tag key that is empty or over 128 characters");
    w.string(k);
  }
  w.end_array();
  return o.finish();
}

error_code serialize(const list_tags_of_resource_request& r, std::string& out) {
  body o(out);
  resource_arn_field(o.b, r.resource_arn());
  o.b.string_field("NextToken", r.next_token());
  return o.finish();
}

} // namespace ddb
