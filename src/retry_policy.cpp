#include <ddb/retry_policy.hpp>

#include <algorithm>
#include <cmath>

namespace ddb {
namespace {

// Timeouts and broken connections cost more quota (botocore's and the JS SDK's TIMEOUT_RETRY_COST):
// the service may still be working on the request, so retrying them adds the most load.
bool is_timeout_or_connection(const error_code& ec) noexcept {
  if (ec.category() == client_category())
    return ec == client_errc::timeout || ec == client_errc::connection_lost;
  return ec.category() != service_category(); // a transport error from Asio/Beast/OpenSSL
}

} // namespace

bool retry_quota::try_acquire(unsigned amount) noexcept {
  unsigned have = available_.load(std::memory_order_relaxed);
  do {
    if (have < amount) return false;
  } while (!available_.compare_exchange_weak(have, have - amount, std::memory_order_relaxed));
  return true;
}

void retry_quota::release(unsigned amount) noexcept {
  unsigned have = available_.load(std::memory_order_relaxed);
  // At capacity (the common case: a healthy client) there is nothing to write.
  while (have < capacity_ &&
         !available_.compare_exchange_weak(have, have + std::min(amount, capacity_ - have),
                                           std::memory_order_relaxed)) {
  }
}

std::optional<std::chrono::nanoseconds> retry_state::next_delay(const error_code& ec, unsigned http_status,
                                                                double retry_after_seconds, double random01,
                                                                clock::time_point now,
                                                                clock::time_point deadline) {
  using seconds_d = std::chrono::duration<double>;
  const retry_class cls = classify(ec, http_status);
  if (cls == retry_class::no) {
    stop_ = retry_stop::not_retryable;
    return std::nullopt;
  }
  if (attempt_ >= options_.max_attempts) {
    stop_ = retry_stop::max_attempts;
    return std::nullopt;
  }

  // Full jitter: rand[0,1) * min(max_backoff, base * 2^retries), retries counted from 0.
  if (!(random01 >= 0.0)) random01 = 0.0; // also catches NaN
  random01 = std::min(random01, 1.0);
  const auto base = cls == retry_class::throttling ? options_.throttling_base_delay : options_.base_delay;
  const int exponent = static_cast<int>(std::min(attempt_ - 1, 62u)); // 2^62 ms is past any cap
  const double backoff =
      std::min(seconds_d(options_.max_backoff).count(), std::ldexp(seconds_d(base).count(), exponent));
  double delay = random01 * backoff;
  // The service's hint may lengthen the delay, within max_retry_after_extra (botocore's rule).
  if (retry_after_seconds >= 0.0 && std::isfinite(retry_after_seconds))
    delay = std::max(
        delay, std::min(retry_after_seconds, delay + seconds_d(options_.max_retry_after_extra).count()));
  delay = std::min(delay, 1e6); // about 11 days: keeps the cast below defined for any max_backoff
  const auto wait = std::chrono::duration_cast<std::chrono::nanoseconds>(seconds_d(delay));

  if (deadline != clock::time_point::max() && (deadline <= now || wait > deadline - now)) {
    stop_ = retry_stop::deadline;
    return std::nullopt;
  }
  const unsigned cost = is_timeout_or_connection(ec) ? options_.timeout_retry_cost : options_.retry_cost;
  if (quota_ && !quota_->try_acquire(cost)) {
    stop_ = retry_stop::quota_exhausted;
    return std::nullopt;
  }
  last_cost_ = quota_ ? cost : 0;
  ++attempt_;
  stop_ = retry_stop::none;
  return wait;
}

void retry_state::on_success() noexcept {
  if (quota_) quota_->release(attempt_ > 1 ? last_cost_ : options_.no_retry_increment);
}

} // namespace ddb
