// Batches: BatchGetItem and BatchWriteItem.
#pragma once

#include <ddb/request_common.hpp>
#include <ddb/responses.hpp> // write_request and keys_and_attributes, shared with the responses

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ddb {

/// The keys to read from one table in a BatchGetItem, with that table's read options.
class batch_get_table : public detail::with_names<batch_get_table> {
public:
  explicit batch_get_table(std::string table) : table_(std::move(table)) {}

  /// Adds the primary key of an item to read.
  batch_get_table& key(ddb::item key) {
    keys_.push_back(std::move(key));
    return *this;
  }
  batch_get_table& projection(std::string expression) {
    projection_ = std::move(expression);
    return *this;
  }
  batch_get_table& consistent_read(bool on = true) {
    consistent_read_ = on;
    return *this;
  }

  const std::string& table() const noexcept { return table_; }
  const std::vector<ddb::item>& keys() const noexcept { return keys_; }
  const std::string& projection() const noexcept { return projection_; }
  bool consistent_read() const noexcept { return consistent_read_; }

private:
  std::string table_;
  std::vector<ddb::item> keys_;
  std::string projection_;
  bool consistent_read_ = false;
};

/// BatchGetItem: up to 100 items from one or more tables.
///
///     ddb::batch_get_request().key("users", k1).key("users", k2)
///         .add(ddb::batch_get_table("orders").key(k3).projection("amount"))
class batch_get_request {
public:
  static constexpr std::string_view operation = "BatchGetItem";
  static constexpr std::size_t max_keys = 100;

  batch_get_request() = default;
  /// A request for the UnprocessedKeys of a batch_get_item_response, to send again.
  explicit batch_get_request(
      const std::map<std::string, keys_and_attributes, std::less<>>& unprocessed_keys) {
    for (auto& [table, k] : unprocessed_keys) {
      auto& t = tables_.emplace_back(table);
      for (auto& key : k.keys) t.key(key);
      t.projection(k.projection_expression);
      for (auto& [placeholder, name] : k.expression_attribute_names) t.name(placeholder, name);
      t.consistent_read(k.consistent_read.value_or(false));
    }
  }

  /// Adds a table with its keys and options (each table may appear once).
  batch_get_request& add(batch_get_table table) {
    tables_.push_back(std::move(table));
    return *this;
  }
  /// Adds one key to read from `table`, to that table's entry if it has one.
  batch_get_request& key(std::string_view table, ddb::item key) {
    for (auto& t : tables_)
      if (t.table() == table) {
        t.key(std::move(key));
        return *this;
      }
    tables_.emplace_back(std::string(table)).key(std::move(key));
    return *this;
  }
  batch_get_request& return_consumed_capacity(return_capacity c) {
    consumed_capacity_ = c;
    return *this;
  }

  const std::vector<batch_get_table>& tables() const noexcept { return tables_; }
  std::optional<return_capacity> return_consumed_capacity() const noexcept { return consumed_capacity_; }

private:
  std::vector<batch_get_table> tables_;
  std::optional<return_capacity> consumed_capacity_;
};

/// The writes to one table in a BatchWriteItem: each a ddb::put_request (an item) or a
/// ddb::delete_request (a key), see ddb/responses.hpp.
class batch_write_table {
public:
  explicit batch_write_table(std::string table) : table_(std::move(table)) {}

  batch_write_table& add(write_request r) {
    requests_.push_back(std::move(r));
    return *this;
  }

  const std::string& table() const noexcept { return table_; }
  const std::vector<write_request>& requests() const noexcept { return requests_; }

private:
  std::string table_;
  std::vector<write_request> requests_;
};

/// BatchWriteItem: up to 25 puts and deletes across tables (not atomic; no conditions).
///
///     ddb::batch_write_request().put_request("users", alice).delete_request("users", bob_key)
class batch_write_request {
public:
  static constexpr std::string_view operation = "BatchWriteItem";
  static constexpr std::size_t max_requests = 25;

  batch_write_request() = default;
  /// A request for the UnprocessedItems of a batch_write_item_response, to send again.
  explicit batch_write_request(
      std::map<std::string, std::vector<write_request>, std::less<>> unprocessed_items) {
    for (auto& [table, requests] : unprocessed_items)
      for (auto& r : requests) add(table, std::move(r));
  }

  /// Adds a PutRequest for `item` to `table`.
  batch_write_request& put_request(std::string_view table, ddb::item item) {
    return add(table, ddb::put_request{std::move(item)});
  }
  /// Adds a DeleteRequest for `key` to `table`.
  batch_write_request& delete_request(std::string_view table, ddb::item key) {
    return add(table, ddb::delete_request{std::move(key)});
  }
  /// Adds a request to `table`'s entry, creating the entry if needed.
  batch_write_request& add(std::string_view table, write_request r) {
    for (auto& t : tables_)
      if (t.table() == table) {
        t.add(std::move(r));
        return *this;
      }
    tables_.emplace_back(std::string(table)).add(std::move(r));
    return *this;
  }
  batch_write_request& return_consumed_capacity(return_capacity c) {
    consumed_capacity_ = c;
    return *this;
  }
  batch_write_request& return_item_collection_metrics(return_collection_metrics m) {
    item_collection_metrics_ = m;
    return *this;
  }

  /// The tables in the order they were first named, each with its requests in order.
  const std::vector<batch_write_table>& tables() const noexcept { return tables_; }
  std::optional<return_capacity> return_consumed_capacity() const noexcept { return consumed_capacity_; }
  std::optional<return_collection_metrics> return_item_collection_metrics() const noexcept {
    return item_collection_metrics_;
  }

private:
  std::vector<batch_write_table> tables_;
  std::optional<return_capacity> consumed_capacity_;
  std::optional<return_collection_metrics> item_collection_metrics_;
};

} // namespace ddb
