// ddb::client: DynamoDB over a pool of keep-alive HTTP/1.1 connections, for C++20 coroutines.
#pragma once

#include <ddb/async.hpp>
#include <ddb/client_options.hpp>
#include <ddb/diagnostics.hpp>
#include <ddb/error_code.hpp>
#include <ddb/observer.hpp>
#include <ddb/operations.hpp>
#include <ddb/pager.hpp>
#include <ddb/waiters.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <tuple>

namespace ddb {

/// Connection pool figures, for metrics.
struct pool_stats {
  std::size_t open = 0;    // connected, busy or idle
  std::size_t idle = 0;    // connected and free
  std::size_t opening = 0; // connecting
  std::size_t waiting = 0; // callers waiting for a connection
};

/// A DynamoDB client.
///
/// Threading: a client belongs to one executor and must be used from that executor's single
/// thread (an io_context run by one thread, or a strand). For several threads, make one client
/// per thread (one io_context per core), which is how ddb reaches its throughput: no locks on
/// the request path. Credentials providers may be shared between clients.
///
/// Lifetime: operations keep the client's internals alive, so destroying the client while
/// operations are in flight is safe (they finish or fail), but requests passed by reference
/// must live until the operation completes: name them, or pass temporaries inside the
/// co_await expression.
///
/// Cancellation: every operation honours the cancellation slot of the awaiting coroutine
/// (terminal cancellation, e.g. from `awaitable_operators ||` with a timer), or of the completion
/// handler of an async_* form: it completes with `boost::asio::error::operation_aborted`; a
/// connection with a request in flight is closed, never reused, so the pool stays healthy.
///
/// Two spellings of each operation: `co_await c.get_item(r)` (an asio::awaitable; throws
/// ddb::error) and `c.async_get_item(r, token)` for any completion token, with signature
/// `void(error_code, response)`.
class client {
public:
  client(boost::asio::any_io_executor ex, client_options options);
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;
  client(client&&) noexcept;
  client& operator=(client&&) noexcept;

  /// Sends `body` as DynamoDB operation `operation` ("GetItem", ...), with retries.
  /// On success `response` holds the response body (its old buffer is recycled). On failure
  /// `ec` is set and `diag` says what the service said.
  boost::asio::awaitable<void> invoke(std::string_view operation, std::string_view body,
                                      std::string& response, error_code& ec, diagnostics& diag);

  /// Runs any operation: `co_await c.execute(ddb::get_item_request("t", key))`. Retries as the
  /// options say. Throws ddb::error (with diagnostics) when it finally fails.
  template <operation_request Request>
  boost::asio::awaitable<response_t<Request>> execute(const Request& r);
  /// The same without exceptions: on failure `ec` is set, `diag` tells more, and the result is
  /// empty.
  template <operation_request Request>
  boost::asio::awaitable<response_t<Request>> execute(const Request& r, error_code& ec, diagnostics& diag);
  /// The same, as one request of a logical call (a batch, a transaction, a stream): its
  /// operation_event names `call` (observer.hpp).
  template <operation_request Request>
  boost::asio::awaitable<response_t<Request>> execute(const Request& r, error_code& ec, diagnostics& diag,
                                                      call_info call);

  // The operations by name (each is execute() with that request type).
  boost::asio::awaitable<get_item_response> get_item(const get_item_request& r) { return execute(r); }
  boost::asio::awaitable<put_item_response> put_item(const put_item_request& r) { return execute(r); }
  boost::asio::awaitable<update_item_response> update_item(const update_item_request& r) {
    return execute(r);
  }
  boost::asio::awaitable<delete_item_response> delete_item(const delete_item_request& r) {
    return execute(r);
  }
  /// One page; see query_pages() for all of them.
  boost::asio::awaitable<page> query(const query_request& r) { return execute(r); }
  boost::asio::awaitable<page> scan(const scan_request& r) { return execute(r); }
  boost::asio::awaitable<batch_get_item_response> batch_get_item(const batch_get_request& r) {
    return execute(r);
  }
  boost::asio::awaitable<batch_write_item_response> batch_write_item(const batch_write_request& r) {
    return execute(r);
  }
  boost::asio::awaitable<transact_get_items_response> transact_get_items(const transact_get_request& r) {
    return execute(r);
  }
  boost::asio::awaitable<transact_write_items_response>
  transact_write_items(const transact_write_request& r) {
    return execute(r);
  }
  boost::asio::awaitable<table_description> create_table(const create_table_request& r) { return execute(r); }
  boost::asio::awaitable<table_description> describe_table(const describe_table_request& r) {
    return execute(r);
  }
  boost::asio::awaitable<table_description> delete_table(const delete_table_request& r) { return execute(r); }
  boost::asio::awaitable<time_to_live_specification>
  update_time_to_live(const update_time_to_live_request& r) {
    return execute(r);
  }
  boost::asio::awaitable<list_tables_response> list_tables(const list_tables_request& r) {
    return execute(r);
  }
  boost::asio::awaitable<table_description> update_table(const update_table_request& r) { return execute(r); }
  boost::asio::awaitable<time_to_live_description>
  describe_time_to_live(const describe_time_to_live_request& r) {
    return execute(r);
  }
  boost::asio::awaitable<describe_limits_response> describe_limits(const describe_limits_request& r = {}) {
    return execute(r);
  }
  boost::asio::awaitable<tag_resource_response> tag_resource(const tag_resource_request& r) {
    return execute(r);
  }
  boost::asio::awaitable<untag_resource_response> untag_resource(const untag_resource_request& r) {
    return execute(r);
  }
  boost::asio::awaitable<list_tags_of_resource_response>
  list_tags_of_resource(const list_tags_of_resource_request& r) {
    return execute(r);
  }
  /// PartiQL (request_partiql.hpp). One page of a statement; see statement_pages() for all.
  boost::asio::awaitable<page> execute_statement(const execute_statement_request& r) { return execute(r); }
  boost::asio::awaitable<batch_execute_statement_response>
  batch_execute_statement(const batch_execute_statement_request& r) {
    return execute(r);
  }
  boost::asio::awaitable<execute_transaction_response>
  execute_transaction(const execute_transaction_request& r) {
    return execute(r);
  }

  /// Runs any operation and completes `token` with `void(error_code, response_t<Request>)`:
  /// a callback, `asio::use_future`, `asio::deferred` (the default), `as_tuple(use_awaitable)`,
  /// or any other token. The request is moved into the operation (pass an rvalue to
  /// avoid a copy); `diag` must live until the handler runs, and is filled on failure. The
  /// client object must exist when the operation is initiated (for deferred tokens: launched);
  /// after that the operation keeps what it needs alive. Runs on the client's executor; the
  /// handler runs on its own associated executor, the client's by default, never inside this call.
  /// Cancellation: the handler's cancellation slot, terminal cancellation, as for co_await.
  template <operation_request Request,
            BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, response_t<Request>)) Token = default_token>
  auto async_execute(Request r, diagnostics& diag, Token&& token = {}) {
    return async_run_owned(std::move(r), &diag, std::forward<Token>(token));
  }
  /// The same, the diagnostics dropped.
  template <operation_request Request,
            BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, response_t<Request>)) Token = default_token>
  auto async_execute(Request r, Token&& token = {}) {
    return async_run_owned(std::move(r), nullptr, std::forward<Token>(token));
  }

  // The async_* forms by name: (request, token) or (request, diag, token), as async_execute.
  template <class... A>
  auto async_get_item(get_item_request r, A&&... a) {
    return async_execute(std::move(r), std::forward<A>(a)...);
  }
  template <class... A>
  auto async_put_item(put_item_request r, A&&... a) {
    return async_execute(std::move(r), std::forward<A>(a)...);
  }
  template <class... A>
  auto async_update_item(update_item_request r, A&&... a) {
    return async_execute(std::move(r), std::forward<A>(a)...);
  }
  template <class... A>
  auto async_delete_item(delete_item_request r, A&&... a) {
    return async_execute(std::move(r), std::forward<A>(a)...);
  }
  template <class... A>
  auto async_query(query_request r, A&&... a) {
    return async_execute(std::move(r), std::forward<A>(a)...);
  }
  template <class... A>
  auto async_scan(scan_request r, A&&... a) {
    return async_execute(std::move(r), std::forward<A>(a)...);
  }
  template <class... A>
  auto async_batch_get_item(batch_get_request r, A&&... a) {
    return async_execute(std::move(r), std::forward<A>(a)...);
  }
  template <class... A>
  auto async_batch_write_item(batch_write_request r, A&&... a) {
    return async_execute(std::move(r), std::forward<A>(a)...);
  }
  template <class... A>
  auto async_transact_get_items(transact_get_request r, A&&... a) {
    return async_execute(std::move(r), std::forward<A>(a)...);
  }
  template <class... A>
  auto async_transact_write_items(transact_write_request r, A&&... a) {
    return async_execute(std::move(r), std::forward<A>(a)...);
  }
  template <class... A>
  auto async_create_table(create_table_request r, A&&... a) {
    return async_execute(std::move(r), std::forward<A>(a)...);
  }
  template <class... A>
  auto async_describe_table(describe_table_request r, A&&... a) {
    return async_execute(std::move(r), std::forward<A>(a)...);
  }
  template <class... A>
  auto async_delete_table(delete_table_request r, A&&... a) {
    return async_execute(std::move(r), std::forward<A>(a)...);
  }
  template <class... A>
  auto async_update_time_to_live(update_time_to_live_request r, A&&... a) {
    return async_execute(std::move(r), std::forward<A>(a)...);
  }
  template <class... A>
  auto async_list_tables(list_tables_request r, A&&... a) {
    return async_execute(std::move(r), std::forward<A>(a)...);
  }
  template <class... A>
  auto async_update_table(update_table_request r, A&&... a) {
    return async_execute(std::move(r), std::forward<A>(a)...);
  }
  template <class... A>
  auto async_describe_time_to_live(describe_time_to_live_request r, A&&... a) {
    return async_execute(std::move(r), std::forward<A>(a)...);
  }
  template <class... A>
  auto async_describe_limits(describe_limits_request r, A&&... a) {
    return async_execute(std::move(r), std::forward<A>(a)...);
  }
  template <class... A>
  auto async_tag_resource(tag_resource_request r, A&&... a) {
    return async_execute(std::move(r), std::forward<A>(a)...);
  }
  template <class... A>
  auto async_untag_resource(untag_resource_request r, A&&... a) {
    return async_execute(std::move(r), std::forward<A>(a)...);
  }
  template <class... A>
  auto async_list_tags_of_resource(list_tags_of_resource_request r, A&&... a) {
    return async_execute(std::move(r), std::forward<A>(a)...);
  }
  template <class... A>
  auto async_execute_statement(execute_statement_request r, A&&... a) {
    return async_execute(std::move(r), std::forward<A>(a)...);
  }
  template <class... A>
  auto async_batch_execute_statement(batch_execute_statement_request r, A&&... a) {
    return async_execute(std::move(r), std::forward<A>(a)...);
  }
  template <class... A>
  auto async_execute_transaction(execute_transaction_request r, A&&... a) {
    return async_execute(std::move(r), std::forward<A>(a)...);
  }

  /// Waiters (waiters.hpp): DescribeTable until the table is ACTIVE (with its GSIs unless
  /// options.indexes(false)), returning that description; or until it is gone. Delays as the AWS
  /// SDKs unless `options` says otherwise; past options.max_wait(): client_errc::wait_timeout,
  /// the message naming the table and its last status. Cancellable like any operation. The
  /// client must live until the wait completes (also for the async_* forms).
  boost::asio::awaitable<table_description> wait_until_table_exists(std::string table,
                                                                    waiter_options options = {});
  boost::asio::awaitable<table_description> wait_until_table_exists(std::string table, waiter_options options,
                                                                    error_code& ec, diagnostics& diag);
  boost::asio::awaitable<void> wait_until_table_not_exists(std::string table, waiter_options options = {});
  boost::asio::awaitable<void> wait_until_table_not_exists(std::string table, waiter_options options,
                                                           error_code& ec, diagnostics& diag);
  /// (table, options, [diag,] token): void(error_code, table_description) / void(error_code).
  template <class... A>
  auto async_wait_until_table_exists(std::string table, waiter_options options, A&&... a) {
    return detail::async_await(get_executor(), wait_until_table_exists(std::move(table), std::move(options)),
                               std::forward<A>(a)...);
  }
  template <class... A>
  auto async_wait_until_table_not_exists(std::string table, waiter_options options, A&&... a) {
    return detail::async_await(get_executor(),
                               wait_until_table_not_exists(std::move(table), std::move(options)),
                               std::forward<A>(a)...);
  }

  /// All pages of a Query, lazily, following LastEvaluatedKey (see ddb::pager). The request is
  /// copied; its ExclusiveStartKey, if any, is where the first page starts.
  pager query_pages(query_request r, pager_options options = {});
  /// All pages of a Scan (one segment when the request has Segment/TotalSegments).
  pager scan_pages(scan_request r, pager_options options = {});
  /// All pages of an ExecuteStatement (a SELECT), following NextToken; its next_token, if any,
  /// is where the first page starts. The pager's resume_token() says where to continue.
  pager statement_pages(execute_statement_request r, pager_options options = {});
  /// A parallel Scan: one pager per segment 0..total_segments-1, to consume concurrently.
  std::vector<pager> scan_segments(const scan_request& r, int total_segments, pager_options options = {});

  const client_options& options() const noexcept;
  pool_stats stats() const noexcept;
  boost::asio::any_io_executor get_executor() const noexcept;

  struct impl;

private:
  // The compiled core of async_execute: owns the request, reports errors as codes (into *diag
  // when given), never throws but bad_alloc.
  template <operation_request Request>
  static boost::asio::awaitable<std::tuple<error_code, response_t<Request>>>
  run_owned(std::shared_ptr<impl> self, Request r, diagnostics* diag);

  template <class Request, class Token>
  auto async_run_owned(Request r, diagnostics* diag, Token&& token) {
    return detail::async_run<response_t<Request>>(get_executor(), std::forward<Token>(token),
                                                  [self = impl_, r = std::move(r), diag]() mutable {
                                                    return run_owned(std::move(self), std::move(r), diag);
                                                  });
  }

  std::shared_ptr<impl> impl_;
};

} // namespace ddb
