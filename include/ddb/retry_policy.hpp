// ddb retries: the AWS SDKs' "standard" retry mode, without I/O. Time and randomness come in as
// arguments, so every decision is a pure function of its inputs (and of the shared quota).
#pragma once

#include <ddb/error_code.hpp>

#include <atomic>
#include <chrono>
#include <optional>

namespace ddb {

/// Retry settings. The defaults are the AWS SDKs' standard mode as tuned for DynamoDB:
/// botocore (standard mode 2.1) and the Java SDK v2 use 4 attempts and a 25 ms base for DynamoDB;
/// the cross-SDK default of 3 attempts and 100 ms base is for other services.
struct retry_options {
  /// Attempts in all, the first one included; 1 turns retries off.
  unsigned max_attempts = 4;
  /// Backoff base for transient errors (5xx, lost connections, timeouts, CRC mismatches).
  std::chrono::milliseconds base_delay{25};
  /// Backoff base for throttling errors: the JS v3 and Java v2 SDKs' 500 ms (botocore 2.1 uses 1 s).
  std::chrono::milliseconds throttling_base_delay{500};
  /// The cap of the exponential backoff, 20 s in every SDK.
  std::chrono::milliseconds max_backoff{20'000};
  /// How far past the computed backoff an x-amz-retry-after hint may push a delay (botocore: 5 s).
  std::chrono::milliseconds max_retry_after_extra{5'000};
  /// The retry quota's size (see retry_quota), shared by all requests of one client.
  unsigned quota_capacity = 500;
  /// Quota tokens a retry costs; a retry after a timeout or a broken connection costs more.
  unsigned retry_cost = 5;
  unsigned timeout_retry_cost = 10;
  /// Tokens given back when a request succeeds at its first attempt.
  unsigned no_retry_increment = 1;
};

/// The retry quota: a token bucket shared by every request of a client, so that an outage does not
/// multiply traffic by max_attempts. Retries take tokens, successes give them back.
/// Thread-safe and lock-free (one atomic counter).
class retry_quota {
public:
  explicit retry_quota(unsigned capacity = 500) noexcept : capacity_(capacity), available_(capacity) {}
  explicit retry_quota(const retry_options& options) noexcept : retry_quota(options.quota_capacity) {}
  retry_quota(const retry_quota&) = delete;
  retry_quota& operator=(const retry_quota&) = delete;

  /// Takes `amount` tokens if that many are left.
  bool try_acquire(unsigned amount) noexcept;
  /// Gives tokens back, never past the capacity.
  void release(unsigned amount) noexcept;
  unsigned available() const noexcept { return available_.load(std::memory_order_relaxed); }
  unsigned capacity() const noexcept { return capacity_; }

private:
  const unsigned capacity_;
  std::atomic<unsigned> available_;
};

/// Why retry_state::next_delay said stop.
enum class retry_stop {
  none,            // it did not (yet)
  not_retryable,   // classify() says retrying cannot help
  max_attempts,    // retry_options::max_attempts reached
  quota_exhausted, // the shared retry quota is empty
  deadline,        // the delay would end past the request's deadline
};

/// The retry bookkeeping of one request (all its attempts). Not thread-safe; one per request.
class retry_state {
public:
  using clock = std::chrono::steady_clock;

  /// `quota` may be null (no quota); otherwise it must outlive this object.
  explicit retry_state(const retry_options& options, retry_quota* quota = nullptr) noexcept
      : options_(options), quota_(quota) {}

  /// Called after an attempt failed with `ec` (and `http_status`, 0 without a response). Returns how
  /// long to wait before the next attempt, or nullopt to give up (stop_reason() says why).
  ///  - `retry_after_seconds`: the x-amz-retry-after hint (the header is in milliseconds; pass
  ///    value / 1000), negative when absent. It may lengthen the delay by up to max_retry_after_extra.
  ///  - `random01`: a uniform random number in [0, 1) for the full jitter.
  ///  - `deadline`: no retry is scheduled whose delay would end after it (clock::time_point::max():
  ///    none). Checked before the quota is charged, so a refused retry costs no tokens.
  std::optional<std::chrono::nanoseconds> next_delay(const error_code& ec, unsigned http_status,
                                                     double retry_after_seconds, double random01,
                                                     clock::time_point now, clock::time_point deadline);

  /// Called once when an attempt succeeded: refunds the quota (the last retry's cost, or
  /// no_retry_increment for a first-attempt success).
  void on_success() noexcept;

  /// The number of the attempt in flight or just finished: 1 before any retry.
  unsigned attempt() const noexcept { return attempt_; }
  retry_stop stop_reason() const noexcept { return stop_; }

private:
  retry_options options_;
  retry_quota* quota_;
  unsigned attempt_ = 1;
  unsigned last_cost_ = 0; // tokens the last retry took, 0 before any
  retry_stop stop_ = retry_stop::none;
};

} // namespace ddb
