// What DynamoDB said about a failure, beyond the error code.
#pragma once

#include <ddb/value.hpp>

#include <optional>
#include <string>
#include <vector>

namespace ddb {

/// One entry of a TransactionCanceledException's CancellationReasons, in request order.
struct cancellation_reason {
  std::string code;         // "None" for actions that did not fail, "ConditionalCheckFailed", ...
  std::string message;      // may be empty
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
  std::optional<ddb::item> item; // ConditionalCheckFailedException with ALL_OLD
  double retry_after_seconds = -1; // x-amz-retry-after hint, -1 when absent

  void clear() { *this = diagnostics{}; }
};

} // namespace ddb
