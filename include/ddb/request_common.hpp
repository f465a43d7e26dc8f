// What the DynamoDB requests share: the option enums and the expression names/values part.
#pragma once

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

/// ExpressionAttributeNames: placeholders ("#n") to attribute names, in a stable order.
using expression_names = std::map<std::string, std::string, std::less<>>;

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

protected:
  expression_names names_;
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
  ddb::item values_;
};

} // namespace detail
} // namespace ddb
