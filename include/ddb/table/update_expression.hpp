// The single-table layer's update builder: UpdateItem's actions on document paths and the
// conditions of the same call, for table::update() and update_arg in transactions.
#pragma once

#include <ddb/expr/condition.hpp>
#include <ddb/expr/update.hpp>
#include <ddb/value.hpp>

#include <string_view>
#include <utility>

namespace ddb::table {

/// An UpdateExpression (and optional ConditionExpression) built from calls, on document paths
/// (expr/path.hpp: `"address.city"`, `"tags[2]"`; path::name() for a name holding a dot); every
/// name and value becomes a placeholder, so reserved words (`name`, `size`) are fine.
///
///     using ddb::expr::attr;
///     auto u = ddb::table::update().set("name", "Alice").remove("tmp").add("visits", 1)
///                  .append("log", log_entries).set_if_not_exists("created", "today")
///                  .set("address.city", "Paris").set("score", attr("score") - 5)
///                  .condition(attr("version") == 3 && ddb::expr::attribute_exists("address"))
///                  .return_new();
///
/// Conditions are ANDed; condition(expr::condition) takes any expr/condition.hpp condition.
class update_expression {
public:
  update_expression() = default;
  /// These actions, with no condition.
  explicit update_expression(expr::update_actions actions) : actions_(std::move(actions)) {}

  /// SET target = v (a value, a path, `attr("n") + 1`, if_not_exists, list_append).
  update_expression& set(expr::path target, expr::set_value v) {
    actions_.set(std::move(target), std::move(v));
    return *this;
  }
  /// REMOVE target.
  update_expression& remove(expr::path target) {
    actions_.remove(std::move(target));
    return *this;
  }
  /// ADD target v: adds to a number (creating it as v) or adds elements to a set.
  update_expression& add(expr::path target, ddb::value v) {
    actions_.add(std::move(target), std::move(v));
    return *this;
  }
  /// DELETE target v: removes elements from a set.
  update_expression& delete_elements(expr::path target, ddb::value v) {
    actions_.remove_elements(std::move(target), std::move(v));
    return *this;
  }
  /// SET target = list_append(if_not_exists(target, []), elements): appends to a list, creating it.
  update_expression& append(const expr::path& target, ddb::list elements) {
    return set(target, expr::list_append(expr::if_not_exists(target, ddb::list()), std::move(elements)));
  }
  /// SET target = if_not_exists(target, v).
  update_expression& set_if_not_exists(const expr::path& target, ddb::value v) {
    return set(target, expr::if_not_exists(target, std::move(v)));
  }

  /// Conditions, ANDed together. The item must exist:
  update_expression& condition_exists() {
    must_exist_ = true;
    return *this;
  }
  /// Any condition (expr/condition.hpp), ANDed with the others.
  update_expression& condition(expr::condition c) {
    when_ = std::move(when_) && std::move(c);
    return *this;
  }
  /// attribute_exists(p) / attribute_not_exists(p).
  update_expression& condition_attribute_exists(const expr::path& p) {
    return condition(expr::attribute_exists(p));
  }
  update_expression& condition_attribute_not_exists(const expr::path& p) {
    return condition(expr::attribute_not_exists(p));
  }
  /// p OP v, OP one of = <> < <= > >= (throws ddb::error(invalid_argument) for another).
  update_expression& condition(const expr::path& p, std::string_view op, ddb::value v);
  update_expression& condition_equals(const expr::path& p, ddb::value v) {
    return condition(p == expr::operand(std::move(v)));
  }

  /// Return the whole item as it is after the update (ReturnValues=ALL_NEW).
  update_expression& return_new(bool on = true) {
    return_new_ = on;
    return *this;
  }

  const expr::update_actions& actions() const noexcept { return actions_; }
  const expr::condition& when() const noexcept { return when_; }
  bool must_exist() const noexcept { return must_exist_; }
  bool returns_new() const noexcept { return return_new_; }

private:
  expr::update_actions actions_;
  expr::condition when_;
  bool must_exist_ = false;
  bool return_new_ = false;
};

/// A new update expression: `ddb::table::update().set("a", 1)`.
inline update_expression update() { return update_expression(); }

} // namespace ddb::table
