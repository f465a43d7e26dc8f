// Per-operation figures for metrics: what a client reports when each operation ends.
#pragma once

#include <ddb/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <string_view>

namespace ddb {

/// One finished operation (success or final failure), retries included.
struct operation_event {
  std::string_view operation;                    // "GetItem", ...
  std::chrono::steady_clock::duration latency{}; // from the call to the result, backoff included
  unsigned attempts = 0;          // 0: rejected before sending (bad input); retries = attempts - 1
  unsigned http_status = 0;       // of the last attempt; 0 when no response came
  error_code ec;                  // the final outcome
  std::size_t request_bytes = 0;  // request bodies sent, summed over attempts
  std::size_t response_bytes = 0; // response bodies received, summed over attempts
  double consumed_capacity = 0;   // CapacityUnits DynamoDB reported, all tables summed
  std::string_view request_id;    // x-amzn-RequestId of the last response
  /// Requests sent again on a fresh connection because nothing of them had been written (the
  /// server had closed the pooled connection): no attempt, no quota, no backoff.
  unsigned resends = 0;
  /// Attempts that may have reached DynamoDB without a definite answer (diagnostics::ambiguous_attempts).
  unsigned ambiguous_attempts = 0;
};

/// Called on the client's thread as each operation ends; the event's views live only during the
/// call. Keep it cheap (it is on the request path) and do not throw.
using operation_observer = std::function<void(const operation_event&)>;

} // namespace ddb
