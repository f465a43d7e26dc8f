// Update actions: an UpdateExpression's SET, REMOVE, ADD and DELETE clauses on document paths,
// with every name and value a placeholder.
//
//     using namespace ddb::expr;
//     update_actions u = update_actions()
//                    .set("address.city", "Paris")                      // a value
//                    .set("visits", attr("visits") + 1)                 // arithmetic on paths
//                    .set("log", list_append(attr("log"), ddb::list{"login"}))
//                    .set("created", if_not_exists("created", "2026-12-07"))
//                    .remove("tags[2]")
//                    .add("score", 10)                                   // number or set
//                    .remove_elements("colors", ddb::string_set{"red"}); // DELETE from a set
//
// The right side of SET (set_value) is a value, a path, `a + b` / `a - b` of those, if_not_exists
// and list_append; size() and conditions do not convert to it (a compile error), nor does a
// set_value to a condition operand. Two actions on overlapping paths (`a` and `a.b`), an update
// with no action, `(a + b) + c` and malformed paths fail the operation that renders the update with
// client_errc::invalid_expression, as DynamoDB would reject them, before anything is sent.
#pragma once

#include <ddb/expr/path.hpp>
#include <ddb/value.hpp>

#include <concepts>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace ddb::expr {

/// The right side of `SET path = ...`.
class set_value {
public:
  struct node; // defined where updates are rendered (src/expression.cpp)

  set_value(path p);
  set_value(const char* text) : set_value(ddb::value(text)) {} // a string value
  set_value(ddb::value v);
  template <class T>
    requires std::constructible_from<ddb::value, T&&> && (!std::same_as<std::remove_cvref_t<T>, path> &&
                                                          !std::same_as<std::remove_cvref_t<T>, ddb::value>)
  set_value(T&& v) : set_value(ddb::value(std::forward<T>(v))) {}

  const std::shared_ptr<const node>& root() const noexcept { return root_; }
  explicit set_value(std::shared_ptr<const node> root) noexcept : root_(std::move(root)) {}

private:
  std::shared_ptr<const node> root_;
};

set_value plus(set_value a, set_value b);
set_value minus(set_value a, set_value b);
/// The attribute at `p`, or `fallback` when it does not exist.
set_value if_not_exists(const path& p, set_value fallback);
/// The list `a` followed by the list `b` (either a path or a ddb::list value).
set_value list_append(set_value a, set_value b);

namespace detail {
template <class T>
concept set_side =
    std::same_as<std::remove_cvref_t<T>, path> || std::same_as<std::remove_cvref_t<T>, set_value>;
template <class L, class R>
concept arithmetic = (set_side<L> || set_side<R>)&&std::convertible_to<const L&, set_value> &&
                     std::convertible_to<const R&, set_value>;
} // namespace detail

template <class L, class R>
  requires detail::arithmetic<L, R>
set_value operator+(const L& a, const R& b) {
  return plus(set_value(a), set_value(b));
}
template <class L, class R>
  requires detail::arithmetic<L, R>
set_value operator-(const L& a, const R& b) {
  return minus(set_value(a), set_value(b));
}

/// The actions of an UpdateExpression, in the order given (rendered grouped: SET, REMOVE, ADD,
/// DELETE).
class update_actions {
public:
  enum class kind { set, remove, add, remove_elements };
  struct action {
    kind what;
    expr::path target;
    std::shared_ptr<const set_value::node> v; // set: the right side; add, remove_elements: a value
  };

  update_actions() = default;

  /// SET target = v.
  update_actions& set(path target, set_value v) { return push(kind::set, std::move(target), v.root()); }
  /// REMOVE target (an attribute, a map key or a list element).
  update_actions& remove(path target) { return push(kind::remove, std::move(target), {}); }
  /// ADD target v: adds to a number (a missing one counts as 0) or adds elements to a set.
  update_actions& add(path target, ddb::value v) {
    return push(kind::add, std::move(target), set_value(std::move(v)).root());
  }
  /// DELETE target v: removes the elements of the set v from a set.
  update_actions& remove_elements(path target, ddb::value v) {
    return push(kind::remove_elements, std::move(target), set_value(std::move(v)).root());
  }

  bool empty() const noexcept { return actions_.empty(); }
  const std::vector<action>& actions() const noexcept { return actions_; }

private:
  update_actions& push(kind k, path target, std::shared_ptr<const set_value::node> v) {
    actions_.push_back(action{k, std::move(target), std::move(v)});
    return *this;
  }

  std::vector<action> actions_;
};

} // namespace ddb::expr
