// Transactions: TransactGetItems and TransactWriteItems.
#pragma once

#include <ddb/request_common.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ddb {

/// One Get of a TransactGetItems.
class transact_get : public detail::with_names<transact_get> {
public:
  transact_get(std::string table, ddb::item key) : table_(std::move(table)), key_(std::move(key)) {}

  transact_get& projection(std::string expression) {
    projection_ = std::move(expression);
    return *this;
  }

  const std::string& table() const noexcept { return table_; }
  const ddb::item& key() const noexcept { return key_; }
  const std::string& projection() const noexcept { return projection_; }

private:
  std::string table_;
  ddb::item key_;
  std::string projection_;
};

/// TransactGetItems: up to 100 reads, one consistent snapshot.
///
///     ddb::transact_get_request().add(ddb::transact_get("users", k1)).add(ddb::transact_get("orders", k2))
class transact_get_request {
public:
  static constexpr std::string_view operation = "TransactGetItems";
  static constexpr std::size_t max_actions = 100;

  transact_get_request() = default;

  transact_get_request& add(transact_get get) {
    gets_.push_back(std::move(get));
    return *this;
  }
  transact_get_request& return_consumed_capacity(return_capacity c) {
    consumed_capacity_ = c;
    return *this;
  }

  const std::vector<transact_get>& gets() const noexcept { return gets_; }
  std::optional<return_capacity> return_consumed_capacity() const noexcept { return consumed_capacity_; }

private:
  std::vector<transact_get> gets_;
  std::optional<return_capacity> consumed_capacity_;
};

namespace detail {

/// What every TransactWriteItems action shares: table, condition, names/values and
/// ReturnValuesOnConditionCheckFailure.
template <class Derived>
class transact_write_options : public with_names_and_values<Derived> {
public:
  /// ConditionExpression.
  Derived& condition(std::string expression) {
    condition_ = std::move(expression);
    return static_cast<Derived&>(*this);
  }
  /// ConditionExpression from a builder (expr/condition.hpp), its placeholders added.
  Derived& condition(const expr::condition& c) {
    this->render_into(condition_, c);
    return static_cast<Derived&>(*this);
  }
  /// ReturnValuesOnConditionCheckFailure: none or all_old.
  Derived& return_values_on_condition_check_failure(return_value v) {
    on_condition_failure_ = v;
    return static_cast<Derived&>(*this);
  }

  const std::string& table() const noexcept { return table_; }
  const std::string& condition() const noexcept { return condition_; }
  std::optional<return_value> return_values_on_condition_check_failure() const noexcept {
    return on_condition_failure_;
  }

protected:
  explicit transact_write_options(std::string table) : table_(std::move(table)) {}

private:
  std::string table_;
  std::string condition_;
  std::optional<return_value> on_condition_failure_;
};

} // namespace detail

/// A Put action: writes a whole item.
class transact_put : public detail::transact_write_options<transact_put> {
public:
  transact_put(std::string table, ddb::item item)
      : transact_write_options(std::move(table)), item_(std::move(item)) {}
  const ddb::item& item() const noexcept { return item_; }

private:
  ddb::item item_;
};

/// An Update action: UpdateExpression (required) on the item with this key.
class transact_update : public detail::transact_write_options<transact_update> {
public:
  transact_update(std::string table, ddb::item key)
      : transact_write_options(std::move(table)), key_(std::move(key)) {}

  /// UpdateExpression (required).
  transact_update& update(std::string expression) {
    update_ = std::move(expression);
    return *this;
  }
  /// UpdateExpression from a builder (expr/update.hpp), its placeholders added.
  transact_update& update(const expr::update_actions& u) {
    render_into(update_, u);
    return *this;
  }

  const ddb::item& key() const noexcept { return key_; }
  const std::string& update() const noexcept { return update_; }

private:
  ddb::item key_;
  std::string update_;
};

/// A Delete action.
class transact_delete : public detail::transact_write_options<transact_delete> {
public:
  transact_delete(std::string table, ddb::item key)
      : transact_write_options(std::move(table)), key_(std::move(key)) {}
  const ddb::item& key() const noexcept { return key_; }

private:
  ddb::item key_;
};

/// A ConditionCheck action: the transaction fails unless the condition holds on this item.
class transact_condition_check : public detail::transact_write_options<transact_condition_check> {
public:
  transact_condition_check(std::string table, ddb::item key, std::string condition_expression)
      : transact_write_options(std::move(table)), key_(std::move(key)) {
    condition(std::move(condition_expression));
  }
  /// The condition from a builder (expr/condition.hpp).
  transact_condition_check(std::string table, ddb::item key, const expr::condition& c)
      : transact_write_options(std::move(table)), key_(std::move(key)) {
    condition(c);
  }
  const ddb::item& key() const noexcept { return key_; }

private:
  ddb::item key_;
};

using transact_write_action =
    std::variant<transact_put, transact_update, transact_delete, transact_condition_check>;

/// TransactWriteItems: up to 100 actions, all or nothing.
///
///     ddb::transact_write_request()
///         .add(ddb::transact_put("orders", order).condition("attribute_not_exists(PK)"))
///         .add(ddb::transact_update("users", user_key).update("ADD orders :one").value(":one", 1))
///         .client_request_token(token)
class transact_write_request {
public:
  static constexpr std::string_view operation = "TransactWriteItems";
  static constexpr std::size_t max_actions = 100;

  transact_write_request() = default;

  transact_write_request& add(transact_write_action action) {
    actions_.push_back(std::move(action));
    return *this;
  }
  /// ClientRequestToken (1 to 36 characters): makes retries of this transaction idempotent for
  /// 10 minutes. Without one, ddb::client sends a random token, the same for every retry.
  transact_write_request& client_request_token(std::string token) {
    client_request_token_ = std::move(token);
    return *this;
  }
  transact_write_request& return_consumed_capacity(return_capacity c) {
    consumed_capacity_ = c;
    return *this;
  }
  transact_write_request& return_item_collection_metrics(return_collection_metrics m) {
    item_collection_metrics_ = m;
    return *this;
  }

  const std::vector<transact_write_action>& actions() const noexcept { return actions_; }
  const std::string& client_request_token() const noexcept { return client_request_token_; }
  std::optional<return_capacity> return_consumed_capacity() const noexcept { return consumed_capacity_; }
  std::optional<return_collection_metrics> return_item_collection_metrics() const noexcept {
    return item_collection_metrics_;
  }

private:
  std::vector<transact_write_action> actions_;
  std::string client_request_token_;
  std::optional<return_capacity> consumed_capacity_;
  std::optional<return_collection_metrics> item_collection_metrics_;
};

} // namespace ddb
