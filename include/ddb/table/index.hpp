// Indexes of a single table, and the CreateTable request for them.
//
// The primary index is keyed (PK, SK). Dokklib's inverse index is a GSI keyed the other way
// round, (SK, PK), named `GSI_1`: with items `USER#alice | GROUP#1` it answers "who is in group 1"
// with the same items that answer "which groups is alice in". single-table-orm's `GSI1` is keyed
// (GSI1PK, SK): a second partitioning of the same sort keys.
//
//     auto schema = ddb::table::table_schema().inverse_index().gsi1();
//     auto req = ddb::table::make_create_table_request("app", schema);   // PAY_PER_REQUEST, ALL
#pragma once

#include <ddb/request_table.hpp>
#include <ddb/table/keys.hpp>

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ddb::table {

/// One index to query: the primary index (no name) or a global secondary index. Key attributes
/// are strings (the single-table keys are always S).
class table_index {
public:
  /// The table itself, keyed by the key_config's names (`PK`, `SK`).
  static table_index primary(const key_config& cfg = {}) {
    return table_index({}, cfg.partition_key(), cfg.sort_key());
  }
  /// Dokklib's inverse index: partition key SK, sort key PK, named `GSI_1` by default.
  static table_index inverse(const key_config& cfg = {}, std::string name = "GSI_1") {
    return table_index(std::move(name), cfg.sort_key(), cfg.partition_key());
  }
  /// single-table-orm's index: partition key `GSI1PK`, sort key the table's (`SK`), named `GSI1`.
  static table_index gsi1(const key_config& cfg = {}, std::string name = "GSI1",
                          std::string partition_attribute = "GSI1PK") {
    return table_index(std::move(name), std::move(partition_attribute), cfg.sort_key());
  }

  /// A custom global secondary index. `sort_key_attribute` may be empty (no sort key).
  table_index(std::string name, std::string partition_key_attribute, std::string sort_key_attribute = {})
      : name_(std::move(name)), partition_key_(std::move(partition_key_attribute)),
        sort_key_(std::move(sort_key_attribute)) {}

  /// IndexName of a Query; empty for the primary index.
  const std::string& name() const noexcept { return name_; }
  bool is_primary() const noexcept { return name_.empty(); }
  /// The attribute the partition_key<E> of a query is compared with.
  const std::string& partition_key() const noexcept { return partition_key_; }
  /// The attribute a sort_key<E> or prefix_sort_key<E> is compared with; may be empty.
  const std::string& sort_key() const noexcept { return sort_key_; }

  friend bool operator==(const table_index&, const table_index&) = default;

private:
  std::string name_;
  std::string partition_key_;
  std::string sort_key_;
};

/// A single table's layout: the key_config and the global secondary indexes.
class table_schema {
public:
  explicit table_schema(key_config keys = {}) : keys_(std::move(keys)) {}

  /// Adds Dokklib's inverse index (`GSI_1`: SK, PK).
  table_schema& inverse_index(std::string name = "GSI_1") {
    return global_index(table_index::inverse(keys_, std::move(name)));
  }
  /// Adds single-table-orm's `GSI1` (GSI1PK, SK).
  table_schema& gsi1(std::string name = "GSI1", std::string partition_attribute = "GSI1PK") {
    return global_index(table_index::gsi1(keys_, std::move(name), std::move(partition_attribute)));
  }
  /// Adds any global secondary index (not the primary index).
  table_schema& global_index(table_index index) {
    indexes_.push_back(std::move(index));
    return *this;
  }

  const key_config& keys() const noexcept { return keys_; }
  table_index primary() const { return table_index::primary(keys_); }
  const std::vector<table_index>& global_indexes() const noexcept { return indexes_; }
  /// The GSI called `name`, or nullptr.
  const table_index* find(std::string_view name) const noexcept {
    for (auto& i : indexes_)
      if (i.name() == name) return &i;
    return nullptr;
  }

  /// Every key attribute of the table and its indexes, each once, table keys first.
  std::vector<std::string> key_attributes() const {
    std::vector<std::string> out{keys_.partition_key(), keys_.sort_key()};
    auto add = [&](const std::string& a) {
      if (!a.empty() && std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
    };
    for (auto& i : indexes_) {
      add(i.partition_key());
      add(i.sort_key());
    }
    return out;
  }

private:
  key_config keys_;
  std::vector<table_index> indexes_;
};

/// CreateTable for a single table: every key attribute a string, billing PAY_PER_REQUEST, every
/// GSI projecting ALL attributes (so a query on an index returns whole items, as on the table).
inline ddb::create_table_request make_create_table_request(std::string table_name,
                                                           const table_schema& schema) {
  ddb::create_table_request req(std::move(table_name),
                                ddb::key_schema(schema.keys().partition_key(), schema.keys().sort_key()));
  for (auto& a : schema.key_attributes()) req.attribute(a, value_type::string);
  for (auto& i : schema.global_indexes())
    req.global_secondary_index(ddb::global_secondary_index(
        i.name(), ddb::key_schema(i.partition_key(), i.sort_key()), index_projection::all()));
  req.pay_per_request();
  return req;
}

} // namespace ddb::table
