// What the DynamoDB requests share: the option enums and the expression names/values part.
#pragma once

#include <ddb/expr/render.hpp>
#include <ddb/value.hpp>

#include <map>
#include <string>
#include <string_view>

namespace ddb {

/// ReturnValues: which item attributes a write returns. PutItem and DeleteItem accept only
/// `none` and `all_old`; ReturnValuesOnConditionCheckFailure accepts only `none` and `all_old`.
enum class return_value {
  none,        // NONE
  all_old,     // ALL_OLD
  updated_old, // UPDATED_OLD
  all_new,     // ALL_NEW
  updated_new, // UPDATED_NEW
};

/// ReturnConsumedCapacity: how much ConsumedCapacity detail a response carries.
enum class return_capacity {
  none,    // NONE
  total,   // TOTAL
  indexes, // INDEXES
};

/// ReturnItemCollectionMetrics: whether a write returns ItemCollectionMetrics.
enum class return_collection_metrics {
  none, // NONE
  size, // SIZE
};

/// Select (Query and Scan).
enum class select_attributes {
  all_attributes,           // ALL_ATTRIBUTES
  all_projected_attributes, // ALL_PROJECTED_ATTRIBUTES
  specific_attributes,      // SPECIFIC_ATTRIBUTES
  count,                    // COUNT
};

namespace detail {

/// ExpressionAttributeNames for requests whose expressions can only name attributes
/// (projections). Setters return the request itself, for chaining.
template <class Derived>
class with_names {
public:
  /// Maps the placeholder `#n` to the attribute name `attribute` (replacing an earlier mapping).
  Derived& name(std::string placeholder, std::string attribute) {
    names_.insert_or_assign(std::move(placeholder), std::move(attribute));
    return static_cast<Derived&>(*this);
  }
  const expression_names& names() const noexcept { return names_; }
  /// Why an expression builder given to this request is malformed ("" when none is): the request
  /// then fails with client_errc::invalid_expression before anything is sent.
  const std::string& expression_error() const noexcept { return expression_error_; }

protected:
  void keep_error(std::string why) {
    if (expression_error_.empty()) expression_error_ = std::move(why);
  }

  expression_names names_;
  std::string expression_error_;
};

/// ExpressionAttributeNames and ExpressionAttributeValues.
template <class Derived>
class with_names_and_values : public with_names<Derived> {
public:
  /// Binds the placeholder `:v` to a value (replacing an earlier binding).
  Derived& value(std::string placeholder, ddb::value v) {
    values_.insert_or_assign(std::move(placeholder), std::move(v));
    return static_cast<Derived&>(*this);
  }
  /// The placeholders and their values (an item keyed by placeholder).
  const ddb::item& values() const noexcept { return values_; }

protected:
  /// Renders a condition or update builder into `slot` with its placeholders.
  template <class Builder>
  void render_into(std::string& slot, const Builder& builder) {
    std::string why;
    if (expr::render(builder, slot, this->names_, values_, why)) this->keep_error(std::move(why));
  }

  ddb::item values_;
};

} // namespace detail
} // namespace ddb
