// Waiters: the pure decisions (waiters.hpp) and the client's polling loop over them.
#include <ddb/client.hpp>
#include <ddb/error.hpp>
#include <ddb/waiters.hpp>

#include "random.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cmath>

namespace ddb {

using std::chrono::milliseconds;

error_code waiter_options::validate() const noexcept {
  if (min_delay_.count() <= 0 || max_delay_ < min_delay_ || max_wait_.count() <= 0)
    return client_errc::invalid_argument;
  return {};
}

milliseconds waiter_delay(const waiter_options& o, unsigned attempt, milliseconds elapsed,
                          double random_unit) noexcept {
  const double min = static_cast<double>(o.min_delay().count());
  const double max = static_cast<double>(o.max_delay().count());
  // Smithy: past the attempt ceiling the delay is max_delay, before it min_delay * 2^(attempt-1).
  const double ceiling = std::log(max / min) / std::log(2.0) + 1.0;
  double upper = attempt > ceiling ? max : min * std::pow(2.0, static_cast<double>(attempt) - 1.0);
  upper = std::min(upper, max);
  double delay = min + (upper - min) * std::clamp(random_unit, 0.0, 1.0);
  // Never sleep past the deadline: the last attempt comes at least min_delay before it.
  const double remaining = static_cast<double>((o.max_wait() - elapsed).count());
  if (remaining < min) return milliseconds(-1);
  if (remaining - delay <= min) delay = remaining - min;
  return milliseconds(static_cast<milliseconds::rep>(delay));
}

namespace {

waiter_decision retry_or_timeout(const waiter_options& o, unsigned attempt, milliseconds elapsed,
                                 double random_unit, std::string state) {
  waiter_decision d;
  d.state = std::move(state);
  d.delay = waiter_delay(o, attempt, elapsed, random_unit);
  d.what = d.delay.count() < 0 ? waiter_decision::action::timed_out : waiter_decision::action::retry;
  if (d.delay.count() < 0) d.delay = milliseconds(0);
  return d;
}

bool not_found(const error_code& ec) { return ec == service_errc::resource_not_found; }

} // namespace

waiter_decision table_exists_decision(const waiter_options& o, const error_code& ec,
                                      const table_description& t, unsigned attempt, milliseconds elapsed,
                                      double random_unit) {
  if (ec && !not_found(ec)) return {waiter_decision::action::failed, milliseconds(0), {}};
  if (ec) return retry_or_timeout(o, attempt, elapsed, random_unit, "not found");
  if (t.table_status != "ACTIVE") return retry_or_timeout(o, attempt, elapsed, random_unit, t.table_status);
  if (o.indexes())
    for (auto& i : t.global_secondary_indexes)
      if (i.index_status != "ACTIVE")
        return retry_or_timeout(o, attempt, elapsed, random_unit,
                                "ACTIVE, GSI " + i.index_name + " " + i.index_status);
  return {waiter_decision::action::done, milliseconds(0), "ACTIVE"};
}

waiter_decision table_not_exists_decision(const waiter_options& o, const error_code& ec,
                                          const table_description& t, unsigned attempt, milliseconds elapsed,
                                          double random_unit) {
  if (not_found(ec)) return {waiter_decision::action::done, milliseconds(0), "not found"};
  if (ec) return {waiter_decision::action::failed, milliseconds(0), {}};
  return retry_or_timeout(o, attempt, elapsed, random_unit, t.table_status);
}

// ---------------------------------------------------------------------------------------------
// The loop

namespace {

using decide_fn = waiter_decision (*)(const waiter_options&, const error_code&, const table_description&,
                                      unsigned, milliseconds, double);

// Polls until `decide` says done (returns the last description), failed or timed out (ec, diag).
boost::asio::awaitable<table_description> wait_loop(client& c, const std::string& table,
                                                    const waiter_options& o, decide_fn decide,
                                                    const char* goal, error_code& ec, diagnostics& diag) {
  ec = o.validate();
  diag.clear();
  if (ec) {
    diag.message = "waiter_options: need 0 < min_delay <= max_delay and max_wait > 0";
    co_return table_description{};
  }
  const auto start = std::chrono::steady_clock::now();
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  auto request = describe_table_request(table);
  for (unsigned attempt = 1;; ++attempt) {
    error_code attempt_ec;
    diagnostics attempt_diag;
    table_description t = co_await c.execute(request, attempt_ec, attempt_diag);
    if (attempt_ec == boost::asio::error::operation_aborted) {
      ec = attempt_ec;
      diag = std::move(attempt_diag);
      co_return table_description{};
    }
    auto elapsed = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
    waiter_decision d = decide(o, attempt_ec, t, attempt, elapsed, detail::random_unit());
    switch (d.what) {
    case waiter_decision::action::done:
      co_return t;
    case waiter_decision::action::failed:
      ec = attempt_ec;
      diag = std::move(attempt_diag);
      co_return table_description{};
    case waiter_decision::action::timed_out:
      ec = client_errc::wait_timeout;
      diag = std::move(attempt_diag);
      diag.attempts = attempt;
      diag.message = "table '" + table + "' not " + goal + " after " + std::to_string(elapsed.count()) +
                     " ms (" + std::to_string(attempt) + " DescribeTable calls); last status: " + d.state;
      co_return table_description{};
    case waiter_decision::action::retry:
      break;
    }
    timer.expires_after(d.delay);
    auto [wait_ec] = co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    if (wait_ec) { // cancelled
      ec = wait_ec;
      diag.message = "waiting for table '" + table + "' cancelled; last status: " + d.state;
      co_return table_description{};
    }
  }
}

} // namespace

boost::asio::awaitable<table_description> client::wait_until_table_exists(std::string table,
                                                                          waiter_options options,
                                                                          error_code& ec, diagnostics& diag) {
  co_return co_await wait_loop(*this, table, options, &table_exists_decision, "ACTIVE", ec, diag);
}

boost::asio::awaitable<table_description> client::wait_until_table_exists(std::string table,
                                                                          waiter_options options) {
  error_code ec;
  diagnostics diag;
  auto t = co_await wait_loop(*this, table, options, &table_exists_decision, "ACTIVE", ec, diag);
  throw_if(ec, diag);
  co_return t;
}

boost::asio::awaitable<void> client::wait_until_table_not_exists(std::string table, waiter_options options,
                                                                 error_code& ec, diagnostics& diag) {
  co_await wait_loop(*this, table, options, &table_not_exists_decision, "deleted", ec, diag);
}

boost::asio::awaitable<void> client::wait_until_table_not_exists(std::string table, waiter_options options) {
  error_code ec;
  diagnostics diag;
  co_await wait_loop(*this, table, options, &table_not_exists_decision, "deleted", ec, diag);
  throw_if(ec, diag);
}

} // namespace ddb
