// Multi-item reads: Query and Scan.
#pragma once

#include <ddb/request_common.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ddb {
namespace detail {

/// The options Query and Scan share.
template <class Derived>
class paged_read_options : public with_names_and_values<Derived> {
public:
  /// IndexName: read a secondary index instead of the table.
  Derived& index(std::string name) {
    index_ = std::move(name);
    return self();
  }
  /// FilterExpression, applied after the read (it does not reduce consumed capacity).
  Derived& filter(std::string expression) {
    filter_ = std::move(expression);
    return self();
  }
  /// FilterExpression from a builder (expr/condition.hpp), its placeholders added.
  Derived& filter(const expr::condition& c) {
    this->render_into(filter_, c);
    return self();
  }
  /// ProjectionExpression, e.g. "#n, age".
  Derived& projection(std::string expression) {
    projection_ = std::move(expression);
    return self();
  }
  Derived& select(select_attributes s) {
    select_ = s;
    return self();
  }
  /// Limit: the most items to evaluate per page (at least 1).
  Derived& limit(std::int32_t n) {
    limit_ = n;
    return self();
  }
  Derived& consistent_read(bool on = true) {
    consistent_read_ = on;
    return self();
  }
  /// ExclusiveStartKey: continue after this key (the previous page's LastEvaluatedKey).
  /// An empty item starts from the beginning.
  Derived& exclusive_start_key(ddb::item key) {
    exclusive_start_key_ = std::move(key);
    return self();
  }
  Derived& return_consumed_capacity(return_capacity c) {
    consumed_capacity_ = c;
    return self();
  }

  const std::string& index() const noexcept { return index_; }
  const std::string& filter() const noexcept { return filter_; }
  const std::string& projection() const noexcept { return projection_; }
  std::optional<select_attributes> select() const noexcept { return select_; }
  std::optional<std::int32_t> limit() const noexcept { return limit_; }
  bool consistent_read() const noexcept { return consistent_read_; }
  const ddb::item& exclusive_start_key() const noexcept { return exclusive_start_key_; }
  std::optional<return_capacity> return_consumed_capacity() const noexcept { return consumed_capacity_; }

private:
  Derived& self() noexcept { return static_cast<Derived&>(*this); }

  std::string index_;
  std::string filter_;
  std::string projection_;
  std::optional<select_attributes> select_;
  std::optional<std::int32_t> limit_;
  bool consistent_read_ = false;
  ddb::item exclusive_start_key_;
  std::optional<return_capacity> consumed_capacity_;
};

} // namespace detail

/// Query: the items of one partition, in sort key order.
///
///     ddb::query_request("orders").key_condition("PK = :pk AND begins_with(SK, :p)")
///         .value(":pk", "USER#alice").value(":p", "ORDER#").limit(10).scan_index_forward(false)
class query_request : public detail::paged_read_options<query_request> {
public:
  static constexpr std::string_view operation = "Query";

  explicit query_request(std::string table) : table_(std::move(table)) {}

  /// KeyConditionExpression (required), e.g. "PK = :pk AND SK > :sk".
  query_request& key_condition(std::string expression) {
    key_condition_ = std::move(expression);
    return *this;
  }
  /// KeyConditionExpression from a builder: `attr("PK") == pk && begins_with("SK", prefix)`
  /// (DynamoDB accepts only =, <, <=, >, >=, between and begins_with on the keys, ANDed).
  query_request& key_condition(const expr::condition& c) {
    render_into(key_condition_, c);
    return *this;
  }
  /// ScanIndexForward: false reads in descending sort key order.
  query_request& scan_index_forward(bool forward) {
    scan_index_forward_ = forward;
    return *this;
  }

  const std::string& table() const noexcept { return table_; }
  const std::string& key_condition() const noexcept { return key_condition_; }
  bool scan_index_forward() const noexcept { return scan_index_forward_; }

private:
  std::string table_;
  std::string key_condition_;
  bool scan_index_forward_ = true;
};

/// Scan: every item of a table or index, optionally one segment of a parallel scan.
///
///     ddb::scan_request("orders").filter("amount > :min").value(":min", 100).segment(0, 4)
class scan_request : public detail::paged_read_options<scan_request> {
public:
  static constexpr std::string_view operation = "Scan";

  explicit scan_request(std::string table) : table_(std::move(table)) {}

  /// Segment and TotalSegments together: this request reads segment `segment` of `total`.
  scan_request& segment(std::int32_t segment, std::int32_t total) {
    segment_ = segment;
    total_segments_ = total;
    return *this;
  }
  /// Segment alone (TotalSegments must be set too).
  scan_request& segment(std::int32_t segment) {
    segment_ = segment;
    return *this;
  }
  /// TotalSegments alone (Segment must be set too).
  scan_request& total_segments(std::int32_t total) {
    total_segments_ = total;
    return *this;
  }

  const std::string& table() const noexcept { return table_; }
  std::optional<std::int32_t> segment() const noexcept { return segment_; }
  std::optional<std::int32_t> total_segments() const noexcept { return total_segments_; }

private:
  std::string table_;
  std::optional<std::int32_t> segment_;
  std::optional<std::int32_t> total_segments_;
};

} // namespace ddb
