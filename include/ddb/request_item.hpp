// Single-item requests: GetItem, PutItem, UpdateItem, DeleteItem.
#pragma once

#include <ddb/request_common.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace ddb {

/// GetItem: one item by its primary key.
///
///     ddb::get_item_request("users", {{"PK", "USER#alice"}})
///         .projection("#n, age").name("#n", "name").consistent_read()
class get_item_request : public detail::with_names<get_item_request> {
public:
  static constexpr std::string_view operation = "GetItem";

  get_item_request(std::string table, ddb::item key) : table_(std::move(table)), key_(std::move(key)) {}

  /// ProjectionExpression, e.g. "#n, age".
  get_item_request& projection(std::string expression) {
    projection_ = std::move(expression);
    return *this;
  }
  get_item_request& consistent_read(bool on = true) {
    consistent_read_ = on;
    return *this;
  }
  get_item_request& return_consumed_capacity(return_capacity c) {
    consumed_capacity_ = c;
    return *this;
  }

  const std::string& table() const noexcept { return table_; }
  const ddb::item& key() const noexcept { return key_; }
  const std::string& projection() const noexcept { return projection_; }
  bool consistent_read() const noexcept { return consistent_read_; }
  std::optional<return_capacity> return_consumed_capacity() const noexcept { return consumed_capacity_; }

private:
  std::string table_;
  ddb::item key_;
  std::string projection_;
  bool consistent_read_ = false;
  std::optional<return_capacity> consumed_capacity_;
};

namespace detail {

/// The options every single-item write shares (PutItem, UpdateItem, DeleteItem).
template <class Derived>
class item_write_options : public with_names_and_values<Derived> {
public:
  /// ConditionExpression, e.g. "attribute_not_exists(PK)".
  Derived& condition(std::string expression) {
    condition_ = std::move(expression);
    return self();
  }
  /// ConditionExpression from a builder (expr/condition.hpp), its placeholders added.
  Derived& condition(const expr::condition& c) {
    this->render_into(condition_, c);
    return self();
  }
  /// ReturnValues. PutItem and DeleteItem accept only none and all_old.
  Derived& return_values(return_value v) {
    return_values_ = v;
    return self();
  }
  Derived& return_consumed_capacity(return_capacity c) {
    consumed_capacity_ = c;
    return self();
  }
  Derived& return_item_collection_metrics(return_collection_metrics m) {
    item_collection_metrics_ = m;
    return self();
  }
  /// ReturnValuesOnConditionCheckFailure: none or all_old.
  Derived& return_values_on_condition_check_failure(return_value v) {
    on_condition_failure_ = v;
    return self();
  }

  const std::string& condition() const noexcept { return condition_; }
  std::optional<return_value> return_values() const noexcept { return return_values_; }
  std::optional<return_capacity> return_consumed_capacity() const noexcept { return consumed_capacity_; }
  std::optional<return_collection_metrics> return_item_collection_metrics() const noexcept {
    return item_collection_metrics_;
  }
  std::optional<return_value> return_values_on_condition_check_failure() const noexcept {
    return on_condition_failure_;
  }

private:
  Derived& self() noexcept { return static_cast<Derived&>(*this); }

  std::string condition_;
  std::optional<return_value> return_values_;
  std::optional<return_capacity> consumed_capacity_;
  std::optional<return_collection_metrics> item_collection_metrics_;
  std::optional<return_value> on_condition_failure_;
};

} // namespace detail

/// PutItem: creates or replaces a whole item.
///
///     ddb::put_item_request("users", user).condition("attribute_not_exists(PK)")
class put_item_request : public detail::item_write_options<put_item_request> {
public:
  static constexpr std::string_view operation = "PutItem";

  put_item_request(std::string table, ddb::item item) : table_(std::move(table)), item_(std::move(item)) {}

  const std::string& table() const noexcept { return table_; }
  const ddb::item& item() const noexcept { return item_; }

private:
  std::string table_;
  ddb::item item_;
};

/// UpdateItem: edits (or creates) one item's attributes.
///
///     ddb::update_item_request("users", {{"PK", "USER#alice"}})
///         .update("SET #n = :n ADD visits :one").name("#n", "name")
///         .value(":n", "Alice").value(":one", 1).return_values(ddb::return_value::all_new)
class update_item_request : public detail::item_write_options<update_item_request> {
public:
  static constexpr std::string_view operation = "UpdateItem";

  update_item_request(std::string table, ddb::item key) : table_(std::move(table)), key_(std::move(key)) {}

  /// UpdateExpression, e.g. "SET a = :a REMOVE b".
  update_item_request& update(std::string expression) {
    update_ = std::move(expression);
    return *this;
  }
  /// UpdateExpression from a builder (expr/update.hpp), its placeholders added.
  update_item_request& update(const expr::update_actions& u) {
    render_into(update_, u);
    return *this;
  }

  const std::string& table() const noexcept { return table_; }
  const ddb::item& key() const noexcept { return key_; }
  const std::string& update() const noexcept { return update_; }

private:
  std::string table_;
  ddb::item key_;
  std::string update_;
};

/// DeleteItem: deletes one item by its primary key.
///
///     ddb::delete_item_request("users", {{"PK", "USER#alice"}}).condition("attribute_exists(PK)")
class delete_item_request : public detail::item_write_options<delete_item_request> {
public:
  static constexpr std::string_view operation = "DeleteItem";

  delete_item_request(std::string table, ddb::item key) : table_(std::move(table)), key_(std::move(key)) {}

  const std::string& table() const noexcept { return table_; }
  const ddb::item& key() const noexcept { return key_; }

private:
  std::string table_;
  ddb::item key_;
};

} // namespace ddb
