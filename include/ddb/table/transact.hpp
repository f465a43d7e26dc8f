// Transactions of the single-table layer (Dokklib's transact_write_items with InsertArg, PutArg,
// UpdateArg, DeleteArg and ConditionCheckArg), over typed keys.
//
//     using namespace ddb::table;
//     auto tx = transaction()                                             // name it first (GCC 12)
//                   .add(delete_arg(alice, group_1)).add(insert_arg(alice, group_2))   // a "move"
//                   .add(update_arg(group_2_pk, meta, "ADD members :one").value(":one", 1))
//                   .add(condition_check_arg(alice, profile, "attribute_exists(#pk)").name("#pk", "PK"));
//     auto opts = transact_options().timeout(std::chrono::seconds(5));
//     auto r = co_await transact_write(c, "app", tx, schema, opts);
//     r.client_request_token;   // generated (UUID v4) unless given
//
// The arguments after the table are, in any order: actions (the five *_arg types), a `transaction`
// or `std::vector<transact_arg>` of them, a table_schema, a transact_options. A call is not a
// coroutine itself: it checks nothing until awaited. GCC 12 fails to compile ("array used as
// initializer") builder chains with string literals written inside the co_await expression, so
// build the actions (or the transaction) in named variables first, as above.
//
// - Before sending: no actions, more than 100, or two actions on one item (DynamoDB rejects all
//   three) throw ddb::error(client_errc::invalid_argument); nothing is sent.
// - ClientRequestToken: transact_options::client_request_token, or a random UUID v4. Every attempt
//   of the call sends the same token, so a retry after a lost response cannot apply twice.
// - TransactionConflict, and TransactionCanceled whose every failed reason is TransactionConflict,
//   are sent again (same token) with exponential backoff and full jitter until the timeout.
// - Other cancellations throw transaction_error: a ddb::error whose failures() tie each failed
//   CancellationReason to its action's index and key (ConditionalCheckFailed, ...). Other errors
//   throw ddb::error.
//
// transact_get(c, table, keys) reads up to 100 items as one snapshot: a vector of optional items
// in the order of `keys` (prefixes stripped; duplicate keys are read once).
#pragma once

#include <ddb/async.hpp>
#include <ddb/client.hpp>
#include <ddb/error.hpp>
#include <ddb/expr/render.hpp>
#include <ddb/requests.hpp>
#include <ddb/retry_policy.hpp>
#include <ddb/table/index.hpp>
#include <ddb/table/item_key.hpp>
#include <ddb/table/model.hpp>
#include <ddb/table/update_expression.hpp>
#include <ddb/value.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace ddb::table {

namespace detail {

/// What every action has: its item's key, a condition, names and values, and whether a failed
/// condition returns the old item (in failed_action::item).
template <class Derived>
class arg_common {
public:
  /// ConditionExpression (for insert_arg: ANDed with attribute_not_exists).
  Derived& condition(std::string expression) {
    condition_ = std::move(expression);
    return self();
  }
  /// ConditionExpression from a builder (expr/condition.hpp), its placeholders added.
  Derived& condition(const expr::condition& c) {
    std::string why;
    if (expr::render(c, condition_, names_, values_, why)) keep_error(std::move(why));
    return self();
  }
  /// ExpressionAttributeNames entry `#n` -> attribute.
  Derived& name(std::string placeholder, std::string attribute) {
    names_.insert_or_assign(std::move(placeholder), std::move(attribute));
    return self();
  }
  /// ExpressionAttributeValues entry `:v` -> value.
  Derived& value(std::string placeholder, ddb::value v) {
    values_.insert_or_assign(std::move(placeholder), std::move(v));
    return self();
  }
  /// ReturnValuesOnConditionCheckFailure=ALL_OLD: a failed condition reports the item.
  Derived& return_old_on_failure(bool on = true) {
    return_old_ = on;
    return self();
  }

  const item_key& key() const noexcept { return key_; }
  const std::string& condition() const noexcept { return condition_; }
  const expression_names& names() const noexcept { return names_; }
  const ddb::item& values() const noexcept { return values_; }
  bool return_old_on_failure() const noexcept { return return_old_; }
  /// Why a builder given to this action is malformed ("" when none is): transact_write then
  /// throws ddb::error(client_errc::invalid_expression) before anything is sent.
  const std::string& expression_error() const noexcept { return expression_error_; }

protected:
  explicit arg_common(item_key key) : key_(std::move(key)) {}
  void keep_error(std::string why) {
    if (expression_error_.empty()) expression_error_ = std::move(why);
  }
  expression_names& names_ref() noexcept { return names_; }
  ddb::item& values_ref() noexcept { return values_; }

private:
  Derived& self() { return static_cast<Derived&>(*this); }
  item_key key_;
  std::string condition_;
  expression_names names_;
  ddb::item values_;
  bool return_old_ = false;
  std::string expression_error_;
};

} // namespace detail

/// Put that fails (ConditionalCheckFailed) if the item exists: `attribute_not_exists(PK)`.
class insert_arg : public detail::arg_common<insert_arg> {
public:
  template <any_partition_key P, any_sort_key S>
  insert_arg(const P& pk, const S& sk, ddb::item attributes = ddb::item())
      : insert_arg(item_key(pk, sk), std::move(attributes)) {}
  explicit insert_arg(item_key key, ddb::item attributes = ddb::item())
      : arg_common(std::move(key)), attributes_(std::move(attributes)) {}
  /// A model (model.hpp): its key, members and GSI1PK. Throws ddb::error for an unusable key.
  template <model T>
  explicit insert_arg(const T& m, const model_options& o = {})
      : insert_arg(model_key(m, o.keys()), model_attributes(m, o)) {}
  /// The attributes besides the key.
  const ddb::item& attributes() const noexcept { return attributes_; }

private:
  ddb::item attributes_;
};

/// Put (create or replace).
class put_arg : public detail::arg_common<put_arg> {
public:
  template <any_partition_key P, any_sort_key S>
  put_arg(const P& pk, const S& sk, ddb::item attributes = ddb::item())
      : put_arg(item_key(pk, sk), std::move(attributes)) {}
  explicit put_arg(item_key key, ddb::item attributes = ddb::item())
      : arg_common(std::move(key)), attributes_(std::move(attributes)) {}
  template <model T>
  explicit put_arg(const T& m, const model_options& o = {})
      : put_arg(model_key(m, o.keys()), model_attributes(m, o)) {}
  const ddb::item& attributes() const noexcept { return attributes_; }

private:
  ddb::item attributes_;
};

/// Update with an UpdateExpression (`"SET #n = :v"`, with name()/value()). Any update builder with
/// `expression()`, `names()` and `values()` may be passed instead of the string.
class update_arg : public detail::arg_common<update_arg> {
public:
  template <any_partition_key P, any_sort_key S>
  update_arg(const P& pk, const S& sk, std::string update_expression)
      : update_arg(item_key(pk, sk), std::move(update_expression)) {}
  update_arg(item_key key, std::string update_expression)
      : arg_common(std::move(key)), update_(std::move(update_expression)) {}
  /// The model whose key fields `probe` holds.
  template <model T>
  update_arg(const T& probe, std::string update_expression, const key_config& cfg = {})
      : update_arg(model_key(probe, cfg), std::move(update_expression)) {}

  template <any_partition_key P, any_sort_key S, class Builder>
    requires requires(const Builder& b) {
      { b.expression() } -> std::convertible_to<std::string>;
      b.names();
      b.values();
    }
  update_arg(const P& pk, const S& sk, const Builder& update)
      : update_arg(item_key(pk, sk), std::string(update.expression())) {
    for (auto& [p, a] : update.names()) name(p, a);
    for (auto& [p, v] : update.values()) value(p, v);
  }

  /// The table layer's builder (`ddb::table::update()`): its actions, its conditions and
  /// condition_exists(). return_new() has no meaning in a transaction: transact_write refuses it.
  template <any_partition_key P, any_sort_key S>
  update_arg(const P& pk, const S& sk, const update_expression& u) : update_arg(item_key(pk, sk), u) {}
  update_arg(item_key key, const update_expression& u) : arg_common(std::move(key)) {
    std::string why;
    if (expr::render(u.actions(), update_, names_ref(), values_ref(), why)) keep_error(std::move(why));
    if (!u.when().empty()) condition(u.when());
    must_exist_ = u.must_exist();
    if (u.returns_new()) keep_error("return_new() in a transaction (TransactWriteItems returns no items)");
  }
  template <model T>
  update_arg(const T& probe, const update_expression& u, const key_config& cfg = {})
      : update_arg(model_key(probe, cfg), u) {}
  /// Actions alone (expr/update.hpp).
  template <any_partition_key P, any_sort_key S>
  update_arg(const P& pk, const S& sk, const expr::update_actions& u)
      : update_arg(item_key(pk, sk), update_expression(u)) {}

  const std::string& update() const noexcept { return update_; }
  /// update_expression::condition_exists(): the item must exist (attribute_exists on its key).
  bool must_exist() const noexcept { return must_exist_; }

private:
  std::string update_;
  bool must_exist_ = false;
};

/// Delete (with an optional condition).
class delete_arg : public detail::arg_common<delete_arg> {
public:
  template <any_partition_key P, any_sort_key S>
  delete_arg(const P& pk, const S& sk) : delete_arg(item_key(pk, sk)) {}
  explicit delete_arg(item_key key) : arg_common(std::move(key)) {}
  /// The model whose key fields `probe` holds.
  template <model T>
  explicit delete_arg(const T& probe, const key_config& cfg = {}) : delete_arg(model_key(probe, cfg)) {}
};

/// ConditionCheck: the transaction fails unless `condition` holds on the item.
class condition_check_arg : public detail::arg_common<condition_check_arg> {
public:
  template <any_partition_key P, any_sort_key S>
  condition_check_arg(const P& pk, const S& sk, std::string condition)
      : condition_check_arg(item_key(pk, sk), std::move(condition)) {}
  condition_check_arg(item_key key, std::string condition_expression) : arg_common(std::move(key)) {
    condition(std::move(condition_expression));
  }
  /// The model whose key fields `probe` holds.
  template <model T>
  condition_check_arg(const T& probe, std::string condition_expression, const key_config& cfg = {})
      : condition_check_arg(model_key(probe, cfg), std::move(condition_expression)) {}
  /// The condition from a builder (expr/condition.hpp).
  template <any_partition_key P, any_sort_key S>
  condition_check_arg(const P& pk, const S& sk, const expr::condition& c)
      : condition_check_arg(item_key(pk, sk), c) {}
  condition_check_arg(item_key key, const expr::condition& c) : arg_common(std::move(key)) { condition(c); }
  template <model T>
  condition_check_arg(const T& probe, const expr::condition& c, const key_config& cfg = {})
      : condition_check_arg(model_key(probe, cfg), c) {}
};

using transact_arg = std::variant<insert_arg, put_arg, update_arg, delete_arg, condition_check_arg>;

/// The key of an action.
inline const item_key& key_of(const transact_arg& a) {
  return std::visit([](const auto& x) -> const item_key& { return x.key(); }, a);
}

/// Actions in order (a builder: `transaction().add(insert_arg(...)).add(delete_arg(...))`).
class transaction {
public:
  transaction() = default;
  transaction& add(transact_arg a) {
    args_.push_back(std::move(a));
    return *this;
  }
  const std::vector<transact_arg>& args() const noexcept { return args_; }
  std::size_t size() const noexcept { return args_.size(); }

private:
  std::vector<transact_arg> args_;
};

/// Options of transact_write and transact_get.
class transact_options {
public:
  transact_options() = default;

  /// ClientRequestToken (1 to 36 characters); a UUID v4 is generated when not given.
  transact_options& client_request_token(std::string token) {
    token_ = std::move(token);
    return *this;
  }
  /// How long to keep retrying transaction conflicts (default 10 s).
  transact_options& timeout(std::chrono::milliseconds t) {
    timeout_ = t;
    return *this;
  }
  /// Backoff between conflict retries: full jitter over min(max, base * 2^n).
  transact_options& backoff(std::chrono::milliseconds base, std::chrono::milliseconds max) {
    base_delay_ = base;
    max_backoff_ = max;
    return *this;
  }

  const std::string& client_request_token() const noexcept { return token_; }
  std::chrono::milliseconds timeout() const noexcept { return timeout_; }
  std::chrono::milliseconds base_delay() const noexcept { return base_delay_; }
  std::chrono::milliseconds max_backoff() const noexcept { return max_backoff_; }

private:
  std::string token_;
  std::chrono::milliseconds timeout_{10'000};
  std::chrono::milliseconds base_delay_{25};
  std::chrono::milliseconds max_backoff_{2'000};
};

/// One action that made a transaction fail.
struct failed_action {
  std::size_t index;             // position of the action in the transaction
  item_key key;                  // its item
  std::string code;              // CancellationReason Code: "ConditionalCheckFailed", ...
  std::string message;           // may be empty
  std::optional<ddb::item> item; // the old item, with return_old_on_failure()
};

/// A canceled transaction (service_errc::transaction_canceled), with the failed actions.
class transaction_error : public ddb::error {
public:
  transaction_error(error_code ec, diagnostics diag, std::vector<failed_action> failures)
      : ddb::error(ec, std::move(diag)), failures_(std::move(failures)) {}
  /// The actions whose CancellationReason was not "None", in transaction order.
  const std::vector<failed_action>& failures() const noexcept { return failures_; }

private:
  std::vector<failed_action> failures_;
};

/// What a successful transact_write used.
struct transact_write_result {
  std::string client_request_token;
  unsigned attempts = 1;        // requests by this layer (each may have had the client's own retries)
  double consumed_capacity = 0; // CapacityUnits of every attempt DynamoDB reported
};

namespace detail {

// ---- pure logic, unit-tested -----------------------------------------------------------------

/// Throws ddb::error(client_errc::invalid_argument): no actions, over `max_actions`, two actions
/// on one item, an update without expression or a condition check without condition, a key
/// check_key() rejects; validate_item()'s code for a put/insert item it rejects.
void validate(const transaction& tx, std::size_t max_actions = transact_write_request::max_actions);
/// The TransactWriteItems request (after validate()).
transact_write_request make_transact_write_request(const std::string& table, const transaction& tx,
                                                   const key_config& cfg, std::string token);
/// Each failed reason tied to its action.
std::vector<failed_action> failed_actions(const transaction& tx,
                                          const std::vector<cancellation_reason>& reasons);
/// True when some reason failed and every failed one is TransactionConflict (worth retrying).
bool conflict_only(const std::vector<cancellation_reason>& reasons) noexcept;
/// Retry options for conflicts (no attempt limit: the deadline ends it).
retry_options conflict_retry_options(const transact_options& options);
/// A UUID v4 from 128 random bits (version and variant bits set): `xxxxxxxx-xxxx-4xxx-[89ab]xxx-...`.
std::string make_uuid_v4(std::uint64_t high, std::uint64_t low);
std::string random_uuid_v4();

boost::asio::awaitable<transact_write_result> transact_write_stored(ddb::client& c, std::string table,
                                                                    transaction tx, table_schema schema,
                                                                    transact_options options);
boost::asio::awaitable<std::vector<std::optional<ddb::item>>>
transact_get_stored(ddb::client& c, std::string table, std::vector<item_key> keys, table_schema schema,
                    transact_options options);

template <class T>
void add_transact_part(transaction& tx, table_schema& schema, transact_options& options, T&& part) {
  using U = std::remove_cvref_t<T>;
  if constexpr (std::is_same_v<U, table_schema>)
    schema = std::forward<T>(part);
  else if constexpr (std::is_same_v<U, transact_options>)
    options = std::forward<T>(part);
  else if constexpr (std::is_same_v<U, transaction>) {
    for (auto& a : part.args()) tx.add(a);
  } else if constexpr (std::is_same_v<U, std::vector<transact_arg>>) {
    for (auto& a : part) tx.add(a);
  } else {
    static_assert(std::is_constructible_v<transact_arg, T&&>,
                  "transact_write takes *_arg actions, a transaction, a table_schema and transact_options");
    tx.add(transact_arg(std::forward<T>(part)));
  }
}

} // namespace detail

/// TransactWriteItems of the actions among `parts` (see the top of this file).
template <class... Parts>
  requires(sizeof...(Parts) > 0)
boost::asio::awaitable<transact_write_result> transact_write(ddb::client& c, std::string table,
                                                             Parts&&... parts) {
  transaction tx;
  table_schema schema;
  transact_options options;
  (detail::add_transact_part(tx, schema, options, std::forward<Parts>(parts)), ...);
  return detail::transact_write_stored(c, std::move(table), std::move(tx), std::move(schema),
                                       std::move(options));
}

/// TransactGetItems: the items of `keys` in order (nullopt where none), prefixes stripped.
template <typed_item_key Key>
boost::asio::awaitable<std::vector<std::optional<ddb::item>>>
transact_get(ddb::client& c, std::string table, const std::vector<Key>& keys,
             table_schema schema = table_schema(), transact_options options = transact_options()) {
  std::vector<item_key> stored;
  stored.reserve(keys.size());
  for (auto& k : keys) stored.push_back(to_item_key(k));
  return detail::transact_get_stored(c, std::move(table), std::move(stored), std::move(schema),
                                     std::move(options));
}

/// transact_write and transact_get for any completion token: the transaction (or keys),
/// schema and options, then optionally `diagnostics&`, then the token.
/// `void(error_code, transact_write_result)` / `void(error_code, std::vector<std::optional<item>>)`.
/// A canceled transaction completes with service_errc::transaction_canceled and
/// `diag.cancellation_reasons` in the order of the actions (what transaction_error::failures()
/// tells the co_await form). The client (and `diag`) must live until the handler runs.
template <class... A>
auto async_transact_write(ddb::client& c, std::string table, transaction tx, table_schema schema,
                          transact_options options, A&&... a) {
  return ddb::detail::async_await(c.get_executor(),
                                  detail::transact_write_stored(c, std::move(table), std::move(tx),
                                                                std::move(schema), std::move(options)),
                                  std::forward<A>(a)...);
}
template <typed_item_key Key, class... A>
auto async_transact_get(ddb::client& c, std::string table, const std::vector<Key>& keys, table_schema schema,
                        transact_options options, A&&... a) {
  return ddb::detail::async_await(
      c.get_executor(), transact_get(c, std::move(table), keys, std::move(schema), std::move(options)),
      std::forward<A>(a)...);
}

} // namespace ddb::table
