// Request bodies for the DynamoDB JSON protocol, written straight into the caller's string.
//
// UTF-8 is checked once over the finished body rather than string by string: everything the
// serializer writes itself is ASCII and every user string sits between ASCII quotes, so the
// body is valid UTF-8 exactly when each string in it is.

#include "base64.hpp"
#include "json_writer.hpp"

#include <ddb/serialize.hpp>

#include <simdjson.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <variant>
#include <vector>

namespace ddb {
namespace {

using detail::json_writer;

// DynamoDB allows documents nested 32 levels deep.
constexpr int max_depth = 32;
// DynamoDB's limits (Constraints in the developer guide, and the API reference).
constexpr std::size_t max_key_value_bytes = 2048;  // a partition key; sort keys 1024, unknown here
constexpr std::size_t max_name_bytes = 65535;      // attribute names, 64 KB
constexpr std::size_t max_expression_bytes = 4096; // any one expression, 4 KB
constexpr std::size_t max_table_name = 255;        // a plain name (an ARN may have 1024)
constexpr std::size_t max_table_arn = 1024;

// Why the last serialize() on this thread failed; static strings only (no allocation).
thread_local const char* last_reason = "";

bool placeholder_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/// True when `token` (`#n`, `:v`) occurs in `expression` as a whole placeholder.
bool uses(std::string_view expression, std::string_view token) noexcept {
  for (auto at = expression.find(token); at != std::string_view::npos; at = expression.find(token, at + 1)) {
    auto end = at + token.size();
    if (end == expression.size() || !placeholder_char(expression[end])) return true;
  }
  return false;
}

/// IndexName: 3 to 255 of a-z A-Z 0-9 _ - .
bool valid_index_name(std::string_view name) noexcept {
  if (name.size() < 3 || name.size() > 255) return false;
  for (char c : name)
    if (!placeholder_char(c) && c != '-' && c != '.') return false;
  return true;
}

template <class E, std::size_t N>
std::string_view enum_name(E e, const std::array<std::string_view, N>& names) noexcept {
  auto i = static_cast<std::size_t>(e);
  return i < N ? names[i] : std::string_view{};
}

std::string_view name_of(return_value v) noexcept {
  static constexpr std::array<std::string_view, 5> names = {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW",
                                                            "UPDATED_NEW"};
  return enum_name(v, names);
}
std::string_view name_of(return_capacity v) noexcept {
  static constexpr std::array<std::string_view, 3> names = {"NONE", "TOTAL", "INDEXES"};
  return enum_name(v, names);
}
std::string_view name_of(return_collection_metrics v) noexcept {
  static constexpr std::array<std::string_view, 2> names = {"NONE", "SIZE"};
  return enum_name(v, names);
}
std::string_view name_of(select_attributes v) noexcept {
  static constexpr std::array<std::string_view, 4> names = {"ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES",
                                                            "SPECIFIC_ATTRIBUTES", "COUNT"};
  return enum_name(v, names);
}
std::string_view name_of(projection_type v) noexcept {
  static constexpr std::array<std::string_view, 3> names = {"ALL", "KEYS_ONLY", "INCLUDE"};
  return enum_name(v, names);
}
std::string_view name_of(billing_mode v) noexcept {
  static constexpr std::array<std::string_view, 2> names = {"PAY_PER_REQUEST", "PROVISIONED"};
  return enum_name(v, names);
}

/// Writes one request body. Errors are sticky (the first one wins) and writing goes on
/// regardless; finish() turns the result into an error_code and empties the output on error.
class body_writer {
public:
  explicit body_writer(std::string& out) noexcept : out_(out), w_(out) {}

  json_writer& json() noexcept { return w_; }
  void fail(client_errc e, const char* why) noexcept {
    if (ec_) return;
    ec_ = e;
    why_ = why;
  }
  void require(bool ok, const char* why = "a required field is missing or out of range") noexcept {
    if (!ok) [[unlikely]]
      fail(client_errc::invalid_argument, why);
  }
  /// An error reported only when the body is otherwise valid (UTF-8 included): placeholder
  /// checks read expressions that may themselves be the problem.
  /// An expression builder the request rendered was malformed (with_names::expression_error()).
  void builder_error(const std::string& why) noexcept {
    if (!why.empty()) fail(client_errc::invalid_expression, why.c_str());
  }
  void fail_late(const char* why) noexcept {
    if (!late_) late_ = why;
  }

  // ---- AttributeValues ----

  void value(const ddb::value& v, int depth) {
    // Scalars are written with their type wrapper in one piece: {"S":"...."}.
    const auto& raw = v.raw();
    switch (v.type()) {
    case value_type::string: {
      auto& out = w_.raw_begin();
      out.append(R"({"S":")", 6);
      detail::append_json_escaped(out, *std::get_if<std::string>(&raw));
      out.append(R"("})", 2);
      w_.raw_end();
      return;
    }
    case value_type::number: {
      auto& out = w_.raw_begin();
      out.append(R"({"N":")", 6);
      out.append(std::get_if<number>(&raw)->text());
      out.append(R"("})", 2);
      w_.raw_end();
      return;
    }
    case value_type::binary: {
      auto& b = *std::get_if<bytes>(&raw);
      auto& out = w_.raw_begin();
      out.append(R"({"B":")", 6);
      detail::base64_encode(b.data(), b.size(), out);
      out.append(R"("})", 2);
      w_.raw_end();
      return;
    }
    case value_type::boolean:
      w_.raw_begin().append(*std::get_if<bool>(&raw) ? R"({"BOOL":true})" : R"({"BOOL":false})");
      w_.raw_end();
      return;
    case value_type::null:
      w_.raw_begin().append(R"({"NULL":true})");
      w_.raw_end();
      return;
    default:
      break;
    }

    w_.begin_object();
    w_.raw_key(type_tag(v.type()));
    switch (v.type()) {
    case value_type::list:
      if (depth >= max_depth) fail(client_errc::invalid_argument, "a document nested over 32 levels");
      w_.begin_array();
      for (auto& e : *std::get_if<list>(&raw)) value(e, depth + 1);
      w_.end_array();
      break;
    case value_type::map:
      if (depth >= max_depth) fail(client_errc::invalid_argument, "a document nested over 32 levels");
      item(*std::get_if<ddb::item>(&raw), depth + 1);
      break;
    case value_type::string_set: {
      auto& s = *std::get_if<string_set>(&raw);
      if (s.empty()) fail(client_errc::empty_set, "an empty set (DynamoDB has no empty SS, NS or BS)");
      w_.begin_array();
      for (auto& e : s) w_.string(e);
      w_.end_array();
      break;
    }
    case value_type::number_set: {
      auto& s = *std::get_if<number_set>(&raw);
      if (s.empty()) fail(client_errc::empty_set, "an empty set (DynamoDB has no empty SS, NS or BS)");
      w_.begin_array();
      for (auto& e : s) w_.raw_string(e.text());
      w_.end_array();
      break;
    }
    case value_type::binary_set: {
      auto& s = *std::get_if<binary_set>(&raw);
      if (s.empty()) fail(client_errc::empty_set, "an empty set (DynamoDB has no empty SS, NS or BS)");
      w_.begin_array();
      for (auto& e : s) binary(e);
      w_.end_array();
      break;
    }
    default:
      break; // scalars are done above
    }
    w_.end_object();
  }

  /// An item (or M value) as an object of AttributeValues.
  void item(const ddb::item& i, int depth = 0) {
    w_.begin_object();
    for (auto& [name, v] : i) {
      require(!name.empty(), "an empty attribute name");
      require(name.size() <= max_name_bytes, "an attribute name over 64 KB");
      w_.key(name);
      value(v, depth);
    }
    w_.end_object();
  }

  // ---- fields ----

  void table_name(const std::string& table) {
    check_table_name(table);
    w_.raw_key("TableName");
    w_.string(table);
  }
  /// Empty or too long. (Characters and the 3-byte minimum are left to DynamoDB: a TableName
  /// may also be an ARN.)
  void check_table_name(std::string_view table) noexcept {
    require(!table.empty(), "an empty table name");
    const bool arn = table.substr(0, 4) == "arn:";
    require(table.size() <= (arn ? max_table_arn : max_table_name),
            "a table name over 255 bytes (an ARN over 1024)");
  }
  /// A primary key (Key, Keys, DeleteRequest): one or two attributes, each a non-empty S or B
  /// or an N, within the 2048-byte partition key limit.
  void key_field(std::string_view field, const ddb::item& k) {
    require(!k.empty(), "an empty key");
    require(k.size() <= 2, "a key with more than two attributes");
    for (auto& [name, v] : k) {
      const auto* s = v.if_<std::string>();
      const auto* b = v.if_<bytes>();
      require(s || b || v.type() == value_type::number, "a key attribute that is not S, N or B");
      std::size_t n = s ? s->size() : b ? b->size() : 1;
      require(n > 0, "an empty string or binary key value");
      require(n <= max_key_value_bytes, "a key value over 2048 bytes");
    }
    if (!field.empty()) w_.raw_key(field);
    item(k);
  }
  /// An expression field, left out when empty: at most 4 KB.
  void expression_field(std::string_view field, const std::string& s, bool required = false) {
    if (required) require(!s.empty(), "a required expression is missing");
    if (s.empty()) return;
    require(s.size() <= max_expression_bytes, "an expression over 4 KB");
    w_.raw_key(field);
    w_.string(s);
  }
  /// IndexName, left out when empty.
  void index_field(const std::string& index) {
    if (index.empty()) return;
    require(valid_index_name(index), "an index name not of 3 to 255 of a-z A-Z 0-9 _ - .");
    w_.raw_key("IndexName");
    w_.string(index);
  }
  /// Every #name and :value the expressions use must be defined, and every defined one used
  /// (DynamoDB rejects both).
  void placeholders(std::initializer_list<std::string_view> expressions, const expression_names& n,
                    const ddb::item* v) {
    for (auto e : expressions)
      for (std::size_t i = 0; i < e.size(); ++i) {
        if (e[i] != '#' && e[i] != ':') continue;
        std::size_t end = i + 1;
        while (end < e.size() && placeholder_char(e[end])) ++end;
        auto token = e.substr(i, end - i);
        if (token.size() == 1)
          fail_late("a lone '#' or ':' in an expression");
        else if (token[0] == '#' ? !n.contains(token) : (!v || !v->contains(token)))
          fail_late(token[0] == '#' ? "an expression uses a #name with no ExpressionAttributeNames entry"
                                    : "an expression uses a :value with no ExpressionAttributeValues entry");
        i = end - 1;
      }
    // Names or values without any expression are DynamoDB's to reject ("can only be specified
    // when using expressions"): serialize_test writes such bodies.
    bool any = false;
    for (auto e : expressions) any = any || !e.empty();
    if (!any) return;
    auto used = [&](std::string_view token) {
      for (auto e : expressions)
        if (uses(e, token)) return true;
      return false;
    };
    for (auto& [p, a] : n)
      if (!used(p)) fail_late("an ExpressionAttributeNames entry no expression uses");
    if (v)
      for (auto& [p, x] : *v)
        if (!used(p)) fail_late("an ExpressionAttributeValues entry no expression uses");
  }
  /// A required key or item: an object with at least one attribute.
  void item_field(std::string_view field, const ddb::item& i) {
    require(!i.empty(), "an empty item");
    w_.raw_key(field);
    item(i);
  }
  /// An optional key (ExclusiveStartKey): left out when empty.
  void optional_item_field(std::string_view field, const ddb::item& i) {
    if (i.empty()) return;
    w_.raw_key(field);
    item(i);
  }
  /// An optional string field (expressions, IndexName, ...): left out when empty.
  void string_field(std::string_view field, const std::string& s) {
    if (s.empty()) return;
    w_.raw_key(field);
    w_.string(s);
  }
  void required_string_field(std::string_view field, const std::string& s) {
    require(!s.empty(), "a required field is empty");
    w_.raw_key(field);
    w_.string(s);
  }
  template <class E>
  void enum_field(std::string_view field, std::optional<E> e) {
    if (!e) return;
    auto name = name_of(*e);
    require(!name.empty(), "an enum value out of range");
    w_.raw_key(field);
    w_.raw_string(name);
  }
  /// ReturnValues restricted to NONE and ALL_OLD (PutItem, DeleteItem and
  /// ReturnValuesOnConditionCheckFailure).
  void none_or_all_old_field(std::string_view field, std::optional<return_value> v) {
    require(!v || *v == return_value::none || *v == return_value::all_old,
            "ReturnValues other than NONE or ALL_OLD where only those are allowed");
    enum_field(field, v);
  }
  void names(const expression_names& n) {
    if (n.empty()) return;
    w_.raw_key("ExpressionAttributeNames");
    w_.begin_object();
    for (auto& [placeholder, attribute] : n) {
      require(placeholder.size() > 1 && placeholder[0] == '#', "a name placeholder not of the form #name");
      require(!attribute.empty() && attribute.size() <= max_name_bytes,
              "an ExpressionAttributeNames entry maps to an empty or over-64-KB name");
      w_.key(placeholder);
      w_.string(attribute);
    }
    w_.end_object();
  }
  void values(const ddb::item& vals) {
    if (vals.empty()) return;
    w_.raw_key("ExpressionAttributeValues");
    w_.begin_object();
    for (auto& [placeholder, v] : vals) {
      require(placeholder.size() > 1 && placeholder[0] == ':', "a value placeholder not of the form :value");
      w_.key(placeholder);
      value(v, 0);
    }
    w_.end_object();
  }
  void limit_field(std::optional<std::int32_t> limit,
                   std::int32_t max = std::numeric_limits<std::int32_t>::max()) {
    if (!limit) return;
    require(*limit > 0 && *limit <= max, "Limit must be at least 1 (ListTables: 1 to 100)");
    w_.raw_key("Limit");
    w_.integer(*limit);
  }

  error_code finish() {
    if (!ec_ && !simdjson::validate_utf8(out_.data(), out_.size()))
      fail(client_errc::invalid_utf8, "a string, name or expression is not valid UTF-8");
    if (!ec_ && late_) fail(client_errc::invalid_argument, late_);
    if (ec_) {
      out_.clear();
      last_reason = why_;
    }
    return ec_;
  }

private:
  void binary(const bytes& b) {
    auto& out = w_.raw_begin();
    out.push_back('"');
    detail::base64_encode(b.data(), b.size(), out);
    out.push_back('"');
    w_.raw_end();
  }

  std::string& out_;
  json_writer w_;
  error_code ec_;
  const char* why_ = "";
  const char* late_ = nullptr;
};

/// Starts a body: clears the output (keeping its capacity) and opens the top-level object.
struct body {
  body_writer b;
  explicit body(std::string& out) : b(out) {
    out.clear();
    b.json().begin_object();
  }
  error_code finish() {
    b.json().end_object();
    return b.finish();
  }
};

void consistent_read_field(body_writer& b, bool on) {
  if (!on) return;
  b.json().raw_key("ConsistentRead");
  b.json().boolean(true);
}

template <class R>
void write_paged_read_options(body_writer& b, const R& r) {
  b.expression_field("FilterExpression", r.filter());
  b.expression_field("ProjectionExpression", r.projection());
  b.names(r.names());
  b.builder_error(r.expression_error());
  b.values(r.values());
  b.enum_field("Select", r.select());
  b.limit_field(r.limit());
  consistent_read_field(b, r.consistent_read());
  b.optional_item_field("ExclusiveStartKey", r.exclusive_start_key());
}

template <class A>
void write_transact_action_tail(body_writer& b, const A& a) {
  b.names(a.names());
  b.builder_error(a.expression_error());
  b.values(a.values());
  b.none_or_all_old_field("ReturnValuesOnConditionCheckFailure",
                          a.return_values_on_condition_check_failure());
}

/// True when `key` names the item `item` (every key attribute in it with an equal value).
bool key_of_item(const ddb::item& key, const ddb::item& item) {
  for (auto& [name, v] : key) {
    auto it = item.find(name);
    if (it == item.end() || !(it->second == v)) return false;
  }
  return !key.empty();
}

/// What a write targets: a key (delete, update, condition check) or a whole item (put), whose
/// key attributes ddb does not know.
struct target {
  const std::string* table;
  const ddb::item* key;  // or nullptr
  const ddb::item* item; // or nullptr
};

/// True when two writes are surely on one item (two puts only when the items are equal).
bool same_item(const target& a, const target& b) {
  if (*a.table != *b.table) return false;
  if (a.key && b.key) return *a.key == *b.key;
  if (a.key) return key_of_item(*a.key, *b.item);
  if (b.key) return key_of_item(*b.key, *a.item);
  return *a.item == *b.item;
}

bool any_same_item(const std::vector<target>& targets) {
  for (std::size_t i = 0; i < targets.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (same_item(targets[i], targets[j])) return true;
  return false;
}

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

bool defines(const create_table_request& r, const std::string& attribute) {
  if (attribute.empty()) return true;
  for (auto& a : r.attributes())
    if (a.attribute_name == attribute) return true;
  return false;
}
bool defines_keys(const create_table_request& r, const key_schema& k) {
  return defines(r, k.partition_key()) && defines(r, k.sort_key());
}

} // namespace

// ---- single items ----

error_code serialize(const get_item_request& r, std::string& out) {
  body o(out);
  auto& b = o.b;
  b.table_name(r.table());
  b.key_field("Key", r.key());
  b.expression_field("ProjectionExpression", r.projection());
  b.names(r.names());
  b.builder_error(r.expression_error());
  b.placeholders({r.projection()}, r.names(), nullptr);
  consistent_read_field(b, r.consistent_read());
  b.enum_field("ReturnConsumedCapacity", r.return_consumed_capacity());
  return o.finish();
}

error_code serialize(const put_item_request& r, std::string& out) {
  body o(out);
  auto& b = o.b;
  b.table_name(r.table());
  b.item_field("Item", r.item());
  b.expression_field("ConditionExpression", r.condition());
  b.names(r.names());
  b.builder_error(r.expression_error());
  b.values(r.values());
  b.placeholders({r.condition()}, r.names(), &r.values());
  b.none_or_all_old_field("ReturnValues", r.return_values());
  b.enum_field("ReturnConsumedCapacity", r.return_consumed_capacity());
  b.enum_field("ReturnItemCollectionMetrics", r.return_item_collection_metrics());
  b.none_or_all_old_field("ReturnValuesOnConditionCheckFailure",
                          r.return_values_on_condition_check_failure());
  return o.finish();
}

error_code serialize(const update_item_request& r, std::string& out) {
  body o(out);
  auto& b = o.b;
  b.table_name(r.table());
  b.key_field("Key", r.key());
  b.expression_field("UpdateExpression", r.update());
  b.expression_field("ConditionExpression", r.condition());
  b.names(r.names());
  b.builder_error(r.expression_error());
  b.values(r.values());
  b.placeholders({r.update(), r.condition()}, r.names(), &r.values());
  b.enum_field("ReturnValues", r.return_values());
  b.enum_field("ReturnConsumedCapacity", r.return_consumed_capacity());
  b.enum_field("ReturnItemCollectionMetrics", r.return_item_collection_metrics());
  b.none_or_all_old_field("ReturnValuesOnConditionCheckFailure",
                          r.return_values_on_condition_check_failure());
  return o.finish();
}

error_code serialize(const delete_item_request& r, std::string& out) {
  body o(out);
  auto& b = o.b;
  b.table_name(r.table());
  b.key_field("Key", r.key());
  b.expression_field("ConditionExpression", r.condition());
  b.names(r.names());
  b.builder_error(r.expression_error());
  b.values(r.values());
  b.placeholders({r.condition()}, r.names(), &r.values());
  b.none_or_all_old_field("ReturnValues", r.return_values());
  b.enum_field("ReturnConsumedCapacity", r.return_consumed_capacity());
  b.enum_field("ReturnItemCollectionMetrics", r.return_item_collection_metrics());
  b.none_or_all_old_field("ReturnValuesOnConditionCheckFailure",
                          r.return_values_on_condition_check_failure());
  return o.finish();
}

// ---- query and scan ----

error_code serialize(const query_request& r, std::string& out) {
  body o(out);
  auto& b = o.b;
  b.table_name(r.table());
  b.index_field(r.index());
  b.expression_field("KeyConditionExpression", r.key_condition(), true);
  write_paged_read_options(b, r);
  b.placeholders({r.key_condition(), r.filter(), r.projection()}, r.names(), &r.values());
  if (!r.scan_index_forward()) {
    b.json().raw_key("ScanIndexForward");
    b.json().boolean(false);
  }
  b.enum_field("ReturnConsumedCapacity", r.return_consumed_capacity());
  return o.finish();
}

error_code serialize(const scan_request& r, std::string& out) {
  body o(out);
  auto& b = o.b;
  b.table_name(r.table());
  b.index_field(r.index());
  write_paged_read_options(b, r);
  b.placeholders({r.filter(), r.projection()}, r.names(), &r.values());
  auto segment = r.segment();
  auto total = r.total_segments();
  b.require(segment.has_value() == total.has_value(), "Segment and TotalSegments go together");
  if (segment && total) {
    b.require(*total >= 1 && *total <= 1000000 && *segment >= 0 && *segment < *total,
              "Segment must be in 0..TotalSegments-1, TotalSegments in 1..1000000");
    b.json().raw_key("Segment");
    b.json().integer(*segment);
    b.json().raw_key("TotalSegments");
    b.json().integer(*total);
  }
  b.enum_field("ReturnConsumedCapacity", r.return_consumed_capacity());
  return o.finish();
}

// ---- batches ----

error_code serialize(const batch_get_request& r, std::string& out) {
  body o(out);
  auto& b = o.b;
  auto& w = b.json();
  auto& tables = r.tables();
  b.require(!tables.empty(), "a batch without keys");
  std::size_t keys = 0;
  for (auto& t : tables) keys += t.keys().size();
  b.require(keys <= batch_get_request::max_keys, "over 100 keys in one BatchGetItem");
  w.raw_key("RequestItems");
  w.begin_object();
  for (auto t = tables.begin(); t != tables.end(); ++t) {
    b.check_table_name(t->table());
    b.require(!t->keys().empty(), "a batch table without keys");
    for (auto u = tables.begin(); u != t; ++u) b.require(u->table() != t->table(), "a table named twice");
    w.key(t->table());
    w.begin_object();
    w.raw_key("Keys");
    w.begin_array();
    auto& k = t->keys();
    for (std::size_t i = 0; i < k.size(); ++i) {
      b.key_field({}, k[i]);
      // DynamoDB: "Provided list of item keys contains duplicates" (the count is bounded above).
      if (keys <= batch_get_request::max_keys)
        for (std::size_t j = 0; j < i; ++j) b.require(!(k[i] == k[j]), "a key twice in one BatchGetItem");
    }
    w.end_array();
    b.expression_field("ProjectionExpression", t->projection());
    b.names(t->names());
    b.builder_error(t->expression_error());
    b.placeholders({t->projection()}, t->names(), nullptr);
    consistent_read_field(b, t->consistent_read());
    w.end_object();
  }
  w.end_object();
  b.enum_field("ReturnConsumedCapacity", r.return_consumed_capacity());
  return o.finish();
}

error_code serialize(const batch_write_request& r, std::string& out) {
  body o(out);
  auto& b = o.b;
  auto& w = b.json();
  auto& tables = r.tables();
  b.require(!tables.empty(), "a batch without writes");
  std::size_t count = 0;
  for (auto& t : tables) count += t.requests().size();
  b.require(count <= batch_write_request::max_requests, "over 25 writes in one BatchWriteItem");
  std::vector<target> targets;
  if (count <= batch_write_request::max_requests) targets.reserve(count);
  w.raw_key("RequestItems");
  w.begin_object();
  for (auto t = tables.begin(); t != tables.end(); ++t) {
    b.check_table_name(t->table());
    b.require(!t->requests().empty(), "a batch table without writes");
    for (auto u = tables.begin(); u != t; ++u) b.require(u->table() != t->table(), "a table named twice");
    w.key(t->table());
    w.begin_array();
    for (auto& req : t->requests()) {
      w.begin_object();
      if (auto put = std::get_if<put_request>(&req)) {
        w.raw_key("PutRequest");
        w.begin_object();
        b.item_field("Item", put->item);
        if (count <= batch_write_request::max_requests) targets.push_back({&t->table(), nullptr, &put->item});
      } else {
        auto& key = std::get<delete_request>(req).key;
        w.raw_key("DeleteRequest");
        w.begin_object();
        b.key_field("Key", key);
        if (count <= batch_write_request::max_requests) targets.push_back({&t->table(), &key, nullptr});
      }
      w.end_object();
      w.end_object();
    }
    w.end_array();
  }
  w.end_object();
  b.require(!any_same_item(targets), "two writes on one item in one BatchWriteItem");
  b.enum_field("ReturnConsumedCapacity", r.return_consumed_capacity());
  b.enum_field("ReturnItemCollectionMetrics", r.return_item_collection_metrics());
  return o.finish();
}

// ---- transactions ----

error_code serialize(const transact_get_request& r, std::string& out) {
  body o(out);
  auto& b = o.b;
  auto& w = b.json();
  b.require(!r.gets().empty(), "a transaction without actions");
  b.require(r.gets().size() <= transact_get_request::max_actions, "over 100 actions in one transaction");
  w.raw_key("TransactItems");
  w.begin_array();
  for (auto& g : r.gets()) {
    w.begin_object();
    w.raw_key("Get");
    w.begin_object();
    b.table_name(g.table());
    b.key_field("Key", g.key());
    b.expression_field("ProjectionExpression", g.projection());
    b.names(g.names());
    b.builder_error(g.expression_error());
    b.placeholders({g.projection()}, g.names(), nullptr);
    w.end_object();
    w.end_object();
  }
  w.end_array();
  b.enum_field("ReturnConsumedCapacity", r.return_consumed_capacity());
  return o.finish();
}

error_code serialize(const transact_write_request& r, std::string& out) {
  body o(out);
  auto& b = o.b;
  auto& w = b.json();
  const std::size_t n = r.actions().size();
  b.require(n > 0, "a transaction without actions");
  b.require(n <= transact_write_request::max_actions, "over 100 actions in one transaction");
  std::vector<target> targets;
  if (n <= transact_write_request::max_actions) targets.reserve(n);
  w.raw_key("TransactItems");
  w.begin_array();
  for (auto& action : r.actions()) {
    w.begin_object();
    if (auto p = std::get_if<transact_put>(&action)) {
      w.raw_key("Put");
      w.begin_object();
      b.table_name(p->table());
      b.item_field("Item", p->item());
      b.expression_field("ConditionExpression", p->condition());
      write_transact_action_tail(b, *p);
      b.placeholders({p->condition()}, p->names(), &p->values());
      targets.push_back({&p->table(), nullptr, &p->item()});
    } else if (auto u = std::get_if<transact_update>(&action)) {
      w.raw_key("Update");
      w.begin_object();
      b.table_name(u->table());
      b.key_field("Key", u->key());
      b.expression_field("UpdateExpression", u->update(), true);
      b.expression_field("ConditionExpression", u->condition());
      write_transact_action_tail(b, *u);
      b.placeholders({u->update(), u->condition()}, u->names(), &u->values());
      targets.push_back({&u->table(), &u->key(), nullptr});
    } else if (auto d = std::get_if<transact_delete>(&action)) {
      w.raw_key("Delete");
      w.begin_object();
      b.table_name(d->table());
      b.key_field("Key", d->key());
      b.expression_field("ConditionExpression", d->condition());
      write_transact_action_tail(b, *d);
      b.placeholders({d->condition()}, d->names(), &d->values());
      targets.push_back({&d->table(), &d->key(), nullptr});
    } else {
      auto& c = std::get<transact_condition_check>(action);
      w.raw_key("ConditionCheck");
      w.begin_object();
      b.table_name(c.table());
      b.key_field("Key", c.key());
      b.expression_field("ConditionExpression", c.condition(), true);
      write_transact_action_tail(b, c);
      b.placeholders({c.condition()}, c.names(), &c.values());
      targets.push_back({&c.table(), &c.key(), nullptr});
    }
    w.end_object();
    w.end_object();
  }
  w.end_array();
  // DynamoDB: "Transaction request cannot include multiple operations on one item".
  if (n <= transact_write_request::max_actions)
    b.require(!any_same_item(targets), "two actions on one item in one transaction");
  b.require(r.client_request_token().size() <= 36, "a ClientRequestToken over 36 characters");
  b.string_field("ClientRequestToken", r.client_request_token());
  b.enum_field("ReturnConsumedCapacity", r.return_consumed_capacity());
  b.enum_field("ReturnItemCollectionMetrics", r.return_item_collection_metrics());
  return o.finish();
}

// ---- tables ----

error_code serialize(const create_table_request& r, std::string& out) {
  body o(out);
  auto& b = o.b;
  auto& w = b.json();
  b.table_name(r.table());

  b.require(!r.attributes().empty());
  w.raw_key("AttributeDefinitions");
  w.begin_array();
  for (auto& a : r.attributes()) {
    const auto& t = a.attribute_type;
    b.require(!a.attribute_name.empty() && (t == "S" || t == "N" || t == "B"));
    w.begin_object();
    w.raw_key("AttributeName");
    w.string(a.attribute_name);
    w.raw_key("AttributeType");
    w.string(t);
    w.end_object();
  }
  w.end_array();

  b.require(defines_keys(r, r.key()));
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
    for (auto& gsi : r.global_secondary_indexes()) {
      b.require(valid_index_name(gsi.name()), "an index name not of 3 to 255 of a-z A-Z 0-9 _ - .");
      b.require(defines_keys(r, gsi.key()), "an index key attribute without an AttributeDefinition");
      // Provisioned tables need each GSI's capacity; on-demand tables reject it.
      b.require(provisioned == gsi.provisioned_throughput().has_value());
      w.begin_object();
      w.raw_key("IndexName");
      w.string(gsi.name());
      write_key_schema(b, gsi.key());
      write_projection(b, gsi.projection());
      if (gsi.provisioned_throughput()) write_throughput(b, *gsi.provisioned_throughput());
      w.end_object();
    }
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

const char* serialize_error_reason() noexcept { return last_reason; }

error_code serialize(const list_tables_request& r, std::string& out) {
  body o(out);
  auto& b = o.b;
  b.string_field("ExclusiveStartTableName", r.exclusive_start_table_name());
  b.limit_field(r.limit(), 100);
  return o.finish();
}

// ---- logging ----

void write_value_json(const value& v, std::string& out) {
  body_writer b(out);
  b.value(v, 0);
}

void write_item_json(const item& i, std::string& out) {
  body_writer b(out);
  b.item(i);
}

} // namespace ddb
