// Waiters: poll DescribeTable until a table exists (ACTIVE, with its GSIs) or is gone.
//
// AWS creates and deletes tables asynchronously (CREATING -> ACTIVE, DELETING -> gone); a put
// right after CreateTable fails with ResourceNotFoundException until the table is ACTIVE. The
// decisions here are pure (the answer of one DescribeTable, the attempt number, the time spent,
// a random draw -> done / retry after a delay / failed / timed out), as the AWS SDKs' waiters:
//   - TableExists: success when TableStatus is ACTIVE (and, with indexes(true), every GSI's
//     IndexStatus); retry on ResourceNotFoundException or another status; other errors fail.
//   - TableNotExists: success on ResourceNotFoundException; retry while DescribeTable answers.
//   - Delays follow the Smithy waiter spec (AWS SDKs v2/v3): exponential from min_delay up to
//     max_delay with jitter, the last one shortened so that max_wait is never passed.
// The I/O loop is ddb::client::wait_until_table_exists / wait_until_table_not_exists.
#pragma once

#include <ddb/error_code.hpp>
#include <ddb/responses.hpp>

#include <chrono>
#include <string>

namespace ddb {

/// How long a waiter polls. Defaults as the AWS SDKs: 20 s minimum and 120 s maximum delay,
/// and 500 s in all (botocore's 25 attempts 20 s apart). Tests make them short.
class waiter_options {
public:
  using duration = std::chrono::milliseconds;

  waiter_options() = default;

  /// The first delay, and the least of any delay (Smithy minDelay).
  waiter_options& min_delay(duration d) {
    min_delay_ = d;
    return *this;
  }
  /// The longest delay between two attempts (Smithy maxDelay).
  waiter_options& max_delay(duration d) {
    max_delay_ = d;
    return *this;
  }
  /// The deadline, from the first attempt: past it the waiter fails with client_errc::wait_timeout.
  waiter_options& max_wait(duration d) {
    max_wait_ = d;
    return *this;
  }
  /// TableExists only: also wait for every global secondary index to be ACTIVE (the default).
  waiter_options& indexes(bool wait_for_indexes) {
    indexes_ = wait_for_indexes;
    return *this;
  }

  duration min_delay() const noexcept { return min_delay_; }
  duration max_delay() const noexcept { return max_delay_; }
  duration max_wait() const noexcept { return max_wait_; }
  bool indexes() const noexcept { return indexes_; }

  /// client_errc::invalid_argument unless 0 < min_delay <= max_delay and max_wait > 0.
  error_code validate() const noexcept;

private:
  duration min_delay_ = std::chrono::seconds(20);
  duration max_delay_ = std::chrono::seconds(120);
  duration max_wait_ = std::chrono::seconds(500);
  bool indexes_ = true;
};

/// What a waiter does after one DescribeTable.
struct waiter_decision {
  enum class action {
    done,     // the table is in the state waited for
    retry,    // ask again after `delay`
    failed,   // an error that waiting cannot cure (the error code is the attempt's)
    timed_out // no time left for another attempt: client_errc::wait_timeout
  };
  action what = action::retry;
  std::chrono::milliseconds delay{0};
  /// For retry and timed_out: what the table was doing ("CREATING", "GSI GSI1 CREATING",
  /// "not found", "DELETING"), for the timeout message.
  std::string state;
};

/// The delay before attempt `attempt + 1` (attempts count from 1), `elapsed` after the first
/// began, `random_unit` in [0, 1): Smithy's exponential backoff with jitter, between min_delay and
/// min(max_delay, min_delay * 2^(attempt-1)), cut so the next attempt starts before max_wait.
/// Negative when there is no time left for another attempt.
std::chrono::milliseconds waiter_delay(const waiter_options& o, unsigned attempt,
                                       std::chrono::milliseconds elapsed, double random_unit) noexcept;

/// TableExists after attempt `attempt`: `ec` is DescribeTable's outcome, `d` its answer (when !ec).
waiter_decision table_exists_decision(const waiter_options& o, const error_code& ec,
                                      const table_description& d, unsigned attempt,
                                      std::chrono::milliseconds elapsed, double random_unit);
/// TableNotExists after attempt `attempt`.
waiter_decision table_not_exists_decision(const waiter_options& o, const error_code& ec,
                                          const table_description& d, unsigned attempt,
                                          std::chrono::milliseconds elapsed, double random_unit);

} // namespace ddb
