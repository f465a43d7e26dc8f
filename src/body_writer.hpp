// The request-body writer shared by the serializers (serialize.cpp: items, queries, batches and
// transactions; serialize_table.cpp: tables and the control plane): DynamoDB's limits, the enum
// names, and body_writer, whose first error wins and empties the output.
#pragma once

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
#include <string>
#include <string_view>

namespace ddb::detail {

// DynamoDB allows documents nested 32 levels deep.
inline constexpr int max_depth = 32;
// DynamoDB's limits (Constraints in the developer guide, and the API reference).
inline constexpr std::size_t max_key_value_bytes = 2048;  // a partition key; sort keys 1024, unknown here
inline constexpr std::size_t max_name_bytes = 65535;      // attribute names, 64 KB
inline constexpr std::size_t max_expression_bytes = 4096; // any one expression, 4 KB
inline constexpr std::size_t max_table_name = 255;        // a plain name (an ARN may have 1024)
inline constexpr std::size_t max_table_arn = 1024;

// Why the last serialize() on this thread failed; static strings only (no allocation).
extern thread_local const char* last_serialize_reason;

inline bool placeholder_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/// True when `token` (`#n`, `:v`) occurs in `expression` as a whole placeholder.
inline bool uses(std::string_view expression, std::string_view token) noexcept {
  for (auto at = expression.find(token); at != std::string_view::npos; at = expression.find(token, at + 1)) {
    auto end = at + token.size();
    if (end == expression.size() || !placeholder_char(expression[end])) return true;
  }
  return false;
}

/// IndexName: 3 to 255 of a-z A-Z 0-9 _ - .
inline bool valid_index_name(std::string_view name) noexcept {
  if (name.size() < 3 || name.size() > 255) return false;
  for (char c : name)
    if (!placeholder_char(c) && c != '-' && c != '.') return false;
  return true;
}

template <class E, std::size_t N>
inline std::string_view enum_name(E e, const std::array<std::string_view, N>& names) noexcept {
  auto i = static_cast<std::size_t>(e);
  return i < N ? names[i] : std::string_view{};
}

inline std::string_view name_of(return_value v) noexcept {
  static constexpr std::array<std::string_view, 5> names = {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW",
                                                            "UPDATED_NEW"};
  return enum_name(v, names);
}
inline std::string_view name_of(return_capacity v) noexcept {
  static constexpr std::array<std::string_view, 3> names = {"NONE", "TOTAL", "INDEXES"};
  return enum_name(v, names);
}
inline std::string_view name_of(return_collection_metrics v) noexcept {
  static constexpr std::array<std::string_view, 2> names = {"NONE", "SIZE"};
  return enum_name(v, names);
}
inline std::string_view name_of(select_attributes v) noexcept {
  static constexpr std::array<std::string_view, 4> names = {"ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES",
                                                            "SPECIFIC_ATTRIBUTES", "COUNT"};
  return enum_name(v, names);
}
inline std::string_view name_of(projection_type v) noexcept {
  static constexpr std::array<std::string_view, 3> names = {"ALL", "KEYS_ONLY", "INCLUDE"};
  return enum_name(v, names);
}
inline std::string_view name_of(billing_mode v) noexcept {
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
      last_serialize_reason = why_;
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

} // namespace ddb::detail
