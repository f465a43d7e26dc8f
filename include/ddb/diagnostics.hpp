// What DynamoDB said about a failure, beyond the error code.
#pragma once

#include <ddb/value.hpp>

#include <optional>
#include <string>
#include <vector>

namespace ddb {

/// One entry of a TransactionCanceledException's CancellationReasons, in request order.
struct cancellation_reason {
  std::string code;              // "None" for actions that did not fail, "ConditionalCheckFailed", ...
  std::string message;           // may be empty
  std::optional<ddb::item> item; // with ReturnValuesOnConditionCheckFailure=ALL_OLD
  bool failed() const noexcept { return !code.empty() && code != "None"; }
  friend bool operator==(const cancellation_reason&, const cancellation_reason&) = default;
};

/// Details of the last failure of an operation. Cheap to keep around and reuse.
struct diagnostics {
  std::string error_type;   // AWS error type without its namespace, e.g. "ValidationException"
  std::string message;      // the service's (or ddb's) human-readable message
  std::string request_id;   // x-amzn-RequestId, for AWS support
  unsigned http_status = 0; // 0 when no response was received
  std::vector<cancellation_reason> cancellation_reasons; // TransactionCanceledException only
  std::optional<ddb::item> item;                         // ConditionalCheckFailedException with ALL_OLD
  double retry_after_seconds = -1;                       // x-amz-retry-after hint, -1 when absent
  /// A model that could not be read from an item (wrong_type, ...): that item's key attributes.
  std::optional<ddb::item> conversion_key;
  /// A pager, stream, batch or transaction that failed: the CapacityUnits its earlier requests
  /// consumed (what DynamoDB reported; ask with client_options::report_consumed_capacity).
  double consumed_capacity = 0;
  /// Attempts the operation made (0: rejected before sending).
  unsigned attempts = 0;
  /// Attempts that may have reached DynamoDB but whose outcome was lost (the connection broke or
  /// timed out after the request was written, a 5xx, a corrupted answer). When a write fails its
  /// condition after such an attempt, that attempt may have been the one that applied it: the
  /// message then says so (docs/errors.md shows how to tell).
  unsigned ambiguous_attempts = 0;
  /// True when ambiguous_attempts > 0 and the final error is a failed condition (of the item or
  /// of a transaction): "an earlier attempt may have been applied".
  bool earlier_attempt_may_have_applied = false;

  void clear() { *this = diagnostics{}; }
};

} // namespace ddb
