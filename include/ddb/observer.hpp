// Per-operation figures for metrics: what a client reports when each operation ends.
#pragma once

#include <ddb/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

namespace ddb {

/// The logical call a request belongs to. Pagers, the table layer's streams, batches and
/// transactions send several requests for one call; each request's operation_event names the
/// call and carries its id, the same for all of them and unique in the process.
struct call_info {
  std::string_view name; // "query_pages", "scan_pages", "table.query", "batch_get", "batch_write",
                         // "transact_write", "transact_get"; a string literal (static storage)
  std::uint64_t id = 0;  // 0: a request on its own

  /// A new call named `name` (a string literal) with a fresh id.
  static call_info make(std::string_view name) noexcept;
};

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
  /// The logical call this request belongs to (empty name and id 0 for a request on its own).
  call_info call;
};

/// Called on the client's thread as each operation ends; the event's views live only during the
/// call. Keep it cheap (it is on the request path) and do not throw.
using operation_observer = std::function<void(const operation_event&)>;

} // namespace ddb
