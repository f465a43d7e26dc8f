// Conditions: ConditionExpression, FilterExpression (and KeyConditionExpression) built from C++
// operators, with every name and value a placeholder.
//
//     using namespace ddb::expr;
//     condition c = attr("address.city") == "Paris" && between(attr("age"), 18, 65);
//     condition d = (attr("age") >= 18 || attribute_exists("guardian")) && !contains("tags", "banned")
//                   && size("tags[0]") < 10 && in(attr("status"), {"new", "paid"})
//                   && attribute_type("n", type::number) && begins_with("SK", "ORDER#");
//
// Operands are paths (attr(), or a path), values (anything a ddb::value is made from: a string
// literal is a value, never a path) and size(path). The operators keep C++'s precedence, which is
// DynamoDB's (NOT, then AND, then OR); rendering adds the parentheses. An empty condition means "no
// condition": `empty && c` is `c`. Conditions are immutable values, cheap to copy (shared nodes).
// A mistake the types cannot catch (an empty IN list, over 100 candidates, a malformed path, NOT
// of an empty condition) fails the operation that renders it with client_errc::invalid_expression.
#pragma once

#include <ddb/expr/path.hpp>
#include <ddb/value.hpp>

#include <concepts>
#include <initializer_list>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace ddb::expr {

/// A condition's operand: a path, a value, or size(path).
class operand {
public:
  operand(path p) : kind_(kind::path), path_(std::move(p)) {}
  operand(const char* text) : kind_(kind::value), value_(text) {} // a string value
  template <class T>
    requires std::constructible_from<ddb::value, T&&> && (!std::same_as<std::remove_cvref_t<T>, path>)
  operand(T&& v) : kind_(kind::value), value_(std::forward<T>(v)) {}

  /// size(p): the length of a string or binary, the elements of a set, list or map.
  static operand size_of(path p) {
    operand o(std::move(p));
    o.kind_ = kind::size;
    return o;
  }

  enum class kind { path, value, size };
  kind what() const noexcept { return kind_; }
  const expr::path& target() const noexcept { return path_; } // path and size
  const ddb::value& value() const noexcept { return value_; }

private:
  kind kind_;
  expr::path path_ = path::name("");
  ddb::value value_;
};

/// attribute_type's types, DynamoDB's S, SS, N, NS, B, BS, BOOL, NULL, L, M.
enum class type { string, string_set, number, number_set, binary, binary_set, boolean, null, list, map };

enum class comparison { equal, not_equal, less, less_equal, greater, greater_equal };

class condition {
public:
  struct node; // defined where conditions are rendered (src/expression.cpp)

  /// No condition.
  condition() = default;
  bool empty() const noexcept { return !root_; }

  friend condition operator&&(condition a, condition b);
  friend condition operator||(condition a, condition b);
  friend condition operator!(condition a);

  const std::shared_ptr<const node>& root() const noexcept { return root_; }
  explicit condition(std::shared_ptr<const node> root) noexcept : root_(std::move(root)) {}

private:
  std::shared_ptr<const node> root_;
};

condition compare(const operand& a, comparison op, const operand& b);
/// low <= x <= high.
condition between(const operand& x, const operand& low, const operand& high);
/// x equals one of 1 to 100 candidates.
condition in(const operand& x, std::vector<operand> candidates);
condition attribute_exists(const path& p);
condition attribute_not_exists(const path& p);
condition attribute_type(const path& p, type t);
/// A string (or binary) attribute that starts with `prefix`.
condition begins_with(const path& p, const operand& prefix);
/// A string that contains a substring, or a set or list that contains an element.
condition contains(const path& p, const operand& element);
/// size(p), an operand: `size("tags") > 3`.
inline operand size(path p) { return operand::size_of(std::move(p)); }

namespace detail {
/// A comparison needs a path or size() on one side at least; other operands convert.
template <class T>
concept expr_side =
    std::same_as<std::remove_cvref_t<T>, path> || std::same_as<std::remove_cvref_t<T>, operand>;
template <class L, class R>
concept comparable = (expr_side<L> || expr_side<R>)&&std::convertible_to<const L&, operand> &&
                     std::convertible_to<const R&, operand>;
} // namespace detail

template <class L, class R>
  requires detail::comparable<L, R>
condition operator==(const L& a, const R& b) {
  return compare(operand(a), comparison::equal, operand(b));
}
template <class L, class R>
  requires detail::comparable<L, R>
condition operator!=(const L& a, const R& b) {
  return compare(operand(a), comparison::not_equal, operand(b));
}
template <class L, class R>
  requires detail::comparable<L, R>
condition operator<(const L& a, const R& b) {
  return compare(operand(a), comparison::less, operand(b));
}
template <class L, class R>
  requires detail::comparable<L, R>
condition operator<=(const L& a, const R& b) {
  return compare(operand(a), comparison::less_equal, operand(b));
}
template <class L, class R>
  requires detail::comparable<L, R>
condition operator>(const L& a, const R& b) {
  return compare(operand(a), comparison::greater, operand(b));
}
template <class L, class R>
  requires detail::comparable<L, R>
condition operator>=(const L& a, const R& b) {
  return compare(operand(a), comparison::greater_equal, operand(b));
}

} // namespace ddb::expr
