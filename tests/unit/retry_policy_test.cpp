#include <ddb/retry_policy.hpp>

#include <boost/asio/error.hpp>
#include <gtest/gtest.h>

#include <cmath>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using ddb::client_errc;
using ddb::retry_options;
using ddb::retry_quota;
using ddb::retry_state;
using ddb::retry_stop;
using ddb::service_errc;

namespace {

using clock_type = retry_state::clock;
const clock_type::time_point t0 = clock_type::time_point(1000s);
constexpr auto no_deadline = clock_type::time_point::max();
const ddb::error_code throttled = service_errc::provisioned_throughput_exceeded;
const ddb::error_code unavailable = service_errc::service_unavailable;

// The delay for one failure with the given random value and no hint.
std::optional<std::chrono::nanoseconds> fail(retry_state& s, ddb::error_code ec, double r = 0.5,
                                             unsigned status = 0) {
  return s.next_delay(ec, status, -1, r, t0, no_deadline);
}

} // namespace

TEST(RetryPolicy, DefaultsAreDocumented) {
  retry_options o;
  EXPECT_EQ(o.max_attempts, 4u);
  EXPECT_EQ(o.base_delay, 25ms);
  EXPECT_EQ(o.throttling_base_delay, 500ms);
  EXPECT_EQ(o.max_backoff, 20s);
  EXPECT_EQ(o.quota_capacity, 500u);
  EXPECT_EQ(o.retry_cost, 5u);
  EXPECT_EQ(o.timeout_retry_cost, 10u);
  EXPECT_EQ(retry_quota(o).capacity(), 500u);
}

TEST(RetryPolicy, CapsAttempts) {
  retry_options o;
  o.max_attempts = 3;
  retry_state s(o);
  EXPECT_EQ(s.attempt(), 1u);
  EXPECT_TRUE(fail(s, unavailable));
  EXPECT_EQ(s.attempt(), 2u);
  EXPECT_TRUE(fail(s, unavailable));
  EXPECT_EQ(s.attempt(), 3u);
  EXPECT_FALSE(fail(s, unavailable));
  EXPECT_EQ(s.stop_reason(), retry_stop::max_attempts);
}

TEST(RetryPolicy, OneAttemptMeansNoRetries) {
  retry_options o;
  o.max_attempts = 1;
  retry_state s(o);
  EXPECT_FALSE(fail(s, unavailable));
  EXPECT_EQ(s.stop_reason(), retry_stop::max_attempts);
}

TEST(RetryPolicy, NonRetryableErrorsStop) {
  for (ddb::error_code ec :
       {ddb::error_code(service_errc::validation), ddb::error_code(service_errc::conditional_check_failed),
        ddb::error_code(client_errc::invalid_argument),
        ddb::error_code(boost::asio::error::operation_aborted), ddb::error_code()}) {
    retry_state s(retry_options{});
    EXPECT_FALSE(fail(s, ec, 0.5, 400)) << ec.message();
    EXPECT_EQ(s.stop_reason(), retry_stop::not_retryable);
    EXPECT_EQ(s.attempt(), 1u);
  }
}

TEST(RetryPolicy, UnknownServiceErrorRetriedOnlyFor5xx) {
  retry_state a(retry_options{});
  EXPECT_FALSE(fail(a, service_errc::unknown, 0.5, 400));
  retry_state b(retry_options{});
  EXPECT_TRUE(fail(b, service_errc::unknown, 0.5, 502));
}

TEST(RetryPolicy, BackoffDoublesUntilTheCap) {
  retry_options o;
  o.max_attempts = 100;
  o.base_delay = 100ms;
  o.max_backoff = 1s;
  retry_state s(o);
  // With random01 just under 1, the delay is (nearly) the whole backoff window.
  std::vector<std::chrono::milliseconds> expect = {100ms, 200ms, 400ms, 800ms, 1000ms, 1000ms, 1000ms};
  for (auto want : expect) {
    auto d = fail(s, unavailable, 0.999999);
    ASSERT_TRUE(d);
    EXPECT_NEAR(std::chrono::duration<double>(*d).count(), std::chrono::duration<double>(want).count(), 1e-5);
  }
  // Many retries later the exponent must not overflow.
  for (int i = 0; i < 80; ++i) ASSERT_TRUE(fail(s, unavailable, 0.999999));
  EXPECT_LE(*fail(s, unavailable, 0.999999), 1s);
  // Nor may a huge cap overflow the nanosecond result.
  o.max_backoff = std::chrono::milliseconds::max();
  retry_state huge(o);
  for (int i = 0; i < 90; ++i) ASSERT_GE(*fail(huge, unavailable, 0.999999), 0ns);
}

TEST(RetryPolicy, FullJitterBounds) {
  retry_options o;
  o.base_delay = 100ms;
  for (double r : {0.0, 0.25, 0.5, 0.75, 0.999}) {
    retry_state s(o);
    auto d = fail(s, unavailable, r);
    ASSERT_TRUE(d);
    EXPECT_EQ(*d,
              std::chrono::duration_cast<std::chrono::nanoseconds>(r * std::chrono::duration<double>(0.1)));
  }
  // Out-of-range random values are clamped rather than trusted.
  retry_state neg(o);
  EXPECT_EQ(*fail(neg, unavailable, -3.0), 0ns);
  retry_state nan(o);
  EXPECT_EQ(*fail(nan, unavailable, std::nan("")), 0ns);
  retry_state big(o);
  EXPECT_EQ(*fail(big, unavailable, 7.0), 100ms);
}

TEST(RetryPolicy, ThrottlingUsesTheLongerBase) {
  retry_state a(retry_options{});
  retry_state b(retry_options{});
  EXPECT_EQ(*fail(a, unavailable, 0.5), 12500us); // 0.5 * 25 ms
  EXPECT_EQ(*fail(b, throttled, 0.5), 250ms);     // 0.5 * 500 ms
  EXPECT_EQ(*fail(b, throttled, 0.5), 500ms);     // 0.5 * 1 s
}

TEST(RetryPolicy, RetryAfterHintLengthensWithinLimit) {
  retry_options o;
  o.base_delay = 100ms;
  // A hint longer than the backoff wins...
  retry_state a(o);
  EXPECT_EQ(*a.next_delay(unavailable, 503, 2.0, 0.5, t0, no_deadline), 2s);
  // ...but only up to backoff + 5 s,
  retry_state b(o);
  EXPECT_EQ(*b.next_delay(unavailable, 503, 60.0, 0.5, t0, no_deadline), 5050ms);
  // a shorter hint never shortens the backoff,
  retry_state c(o);
  EXPECT_EQ(*c.next_delay(unavailable, 503, 0.001, 0.5, t0, no_deadline), 50ms);
  // and a negative hint means "absent".
  retry_state d(o);
  EXPECT_EQ(*d.next_delay(unavailable, 503, -1, 0.5, t0, no_deadline), 50ms);
  // The hint does not make a non-retryable error retryable.
  retry_state e(o);
  EXPECT_FALSE(e.next_delay(service_errc::validation, 400, 1.0, 0.5, t0, no_deadline));
}

TEST(RetryPolicy, DeadlineStopsRetriesThatWouldEndLate) {
  retry_options o;
  o.base_delay = 100ms;
  retry_quota q(500);
  retry_state s(o, &q);
  // 50 ms delay: fits in 60 ms, not in 40 ms.
  EXPECT_FALSE(s.next_delay(unavailable, 503, -1, 0.5, t0, t0 + 40ms));
  EXPECT_EQ(s.stop_reason(), retry_stop::deadline);
  EXPECT_EQ(q.available(), 500u) << "a refused retry must not cost quota";
  EXPECT_EQ(s.attempt(), 1u);
  retry_state s2(o, &q);
  EXPECT_TRUE(s2.next_delay(unavailable, 503, -1, 0.5, t0, t0 + 60ms));
  // A deadline already passed stops even a zero delay.
  retry_state s3(o);
  EXPECT_FALSE(s3.next_delay(unavailable, 503, -1, 0.0, t0, t0));
  // A retry-after hint that overshoots the deadline stops too.
  retry_state s4(o);
  EXPECT_FALSE(s4.next_delay(unavailable, 503, 2.0, 0.5, t0, t0 + 1s));
}

TEST(RetryPolicy, QuotaCostsAndExhaustion) {
  retry_options o;
  o.max_attempts = 1000;
  retry_quota q(20);
  retry_state s(o, &q);
  EXPECT_TRUE(fail(s, unavailable)); // 5
  EXPECT_EQ(q.available(), 15u);
  EXPECT_TRUE(fail(s, client_errc::timeout)); // 10
  EXPECT_EQ(q.available(), 5u);
  EXPECT_FALSE(fail(s, client_errc::connection_lost)); // 10 > 5
  EXPECT_EQ(s.stop_reason(), retry_stop::quota_exhausted);
  EXPECT_EQ(q.available(), 5u);
  EXPECT_TRUE(fail(s, throttled)); // 5 still fits
  EXPECT_EQ(q.available(), 0u);
  retry_state other(o, &q);
  EXPECT_FALSE(fail(other, unavailable));
  EXPECT_EQ(other.stop_reason(), retry_stop::quota_exhausted);
}

TEST(RetryPolicy, TransportErrorsCostTheTimeoutPrice) {
  retry_quota q(500);
  retry_state s(retry_options{}, &q);
  EXPECT_TRUE(fail(s, boost::asio::error::connection_reset));
  EXPECT_EQ(q.available(), 490u);
  EXPECT_TRUE(fail(s, client_errc::crc32_mismatch)); // a whole response arrived: ordinary cost
  EXPECT_EQ(q.available(), 485u);
}

TEST(RetryPolicy, SuccessRefillsTheQuota) {
  retry_quota q(500);
  {
    retry_state s(retry_options{}, &q);
    ASSERT_TRUE(fail(s, unavailable));
    ASSERT_TRUE(fail(s, client_errc::timeout));
    EXPECT_EQ(q.available(), 485u);
    s.on_success(); // refunds the last retry's cost only
    EXPECT_EQ(q.available(), 495u);
  }
  {
    retry_state s(retry_options{}, &q);
    s.on_success(); // first-attempt success: +1
    EXPECT_EQ(q.available(), 496u);
  }
  for (int i = 0; i < 10; ++i) retry_state(retry_options{}, &q).on_success();
  EXPECT_EQ(q.available(), 500u) << "never past the capacity";
}

TEST(RetryPolicy, DrainedQuotaRecoversWithSuccesses) {
  retry_options o;
  retry_quota q(10);
  retry_state a(o, &q);
  ASSERT_TRUE(fail(a, unavailable));
  retry_state b(o, &q);
  ASSERT_TRUE(fail(b, unavailable));
  retry_state c(o, &q);
  EXPECT_FALSE(fail(c, unavailable));
  for (int i = 0; i < 5; ++i) retry_state(o, &q).on_success(); // +1 each
  EXPECT_EQ(q.available(), 5u);
  retry_state d(o, &q);
  EXPECT_TRUE(fail(d, unavailable));
}

TEST(RetryPolicy, WithoutQuotaOnlyAttemptsLimit) {
  retry_options o;
  o.max_attempts = 50;
  retry_state s(o);
  for (int i = 0; i < 49; ++i) ASSERT_TRUE(fail(s, client_errc::timeout));
  EXPECT_FALSE(fail(s, client_errc::timeout));
  EXPECT_EQ(s.stop_reason(), retry_stop::max_attempts);
  s.on_success(); // harmless without a quota
}

TEST(RetryQuota, ConcurrentUseKeepsCount) {
  retry_quota q(100000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        ASSERT_TRUE(q.try_acquire(2));
        q.release(1);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(q.available(), 100000u - 4 * 10000);
  EXPECT_FALSE(q.try_acquire(100000));
  q.release(1000000);
  EXPECT_EQ(q.available(), q.capacity());
}
