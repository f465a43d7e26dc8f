// ddb::pager: Query, Scan and ExecuteStatement results as an async generator of pages.
#pragma once

#include <ddb/async.hpp>
#include <ddb/diagnostics.hpp>
#include <ddb/error_code.hpp>
#include <ddb/page.hpp>

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <tuple>

namespace ddb {

struct pager_options {
  /// Pages fetched ahead while the caller works on the current one: 0 or 1.
  /// Memory stays bounded: a pager holds at most 1 + prefetch pages.
  unsigned prefetch = 1;
  /// When set, the page after `p` is fetched ahead only if prefetch_after(p) is true (it is
  /// still fetched when asked for). A caller that will stop within `p`, e.g. at an item limit,
  /// thus sends no request whose answer it would drop.
  std::function<bool(const page& p)> prefetch_after;
  /// The logical call its requests' operation_events name (a string literal; empty: the
  /// client's "query_pages" / "scan_pages"). Each pager is one call with its own id.
  std::string_view call;
};

/// Where a page starts: the first page (both empty), an ExclusiveStartKey (Query, Scan) or a
/// NextToken (ExecuteStatement).
struct page_cursor {
  std::optional<item> key;
  std::optional<std::string> token;
  bool first() const noexcept { return !key && !token; }
};

/// Pages of a Query, Scan or ExecuteStatement, fetched lazily: nothing is sent before the first next().
///
///     auto pages = client.query_pages(ddb::query_request("t").key_condition(...)...);
///     while (const ddb::page* p = co_await pages.next())
///       for (ddb::item_view item : p->items()) ...
///
/// Each page stays valid until the next call to next(). With prefetch 1, the request for the
/// following page is in flight while the caller works on this one. Destroying the pager (for
/// example by breaking out of the loop) cancels a request in flight; resume_key() then tells
/// where to start again. Errors surface from next(). Not thread-safe: use it from the client's
/// executor.
class pager {
public:
  /// Fetches one page starting at `start` into `out`.
  using fetch_fn = std::function<boost::asio::awaitable<error_code>(const page_cursor& start, page& out,
                                                                    diagnostics& diag)>;

  pager(boost::asio::any_io_executor ex, fetch_fn fetch, pager_options options = {}, page_cursor start = {});
  pager(pager&&) noexcept;
  pager& operator=(pager&&) noexcept;
  ~pager();

  /// The next page, or nullptr after the last one. Throws ddb::error.
  boost::asio::awaitable<const page*> next();
  /// The next page, or nullptr after the last one or on error (`ec` says which).
  boost::asio::awaitable<const page*> next(error_code& ec, diagnostics& diag);

  /// next() for any completion token, `void(error_code, const page*)` (nullptr at the end or on
  /// error). The pager, and `diag`, must live until the handler runs; one call at a time.
  template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, const page*)) Token = default_token>
  auto async_next(diagnostics& diag, Token&& token = {}) {
    return detail::async_run<const page*>(get_executor(), std::forward<Token>(token),
                                          [this, d = &diag] { return next_tuple(d); });
  }
  template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, const page*)) Token = default_token>
  auto async_next(Token&& token = {}) {
    return detail::async_run<const page*>(get_executor(), std::forward<Token>(token),
                                          [this] { return next_tuple(nullptr); });
  }

  /// The client's executor, where the pages are fetched.
  boost::asio::any_io_executor get_executor() const noexcept;

  /// Where a new pager would continue after the pages returned so far: the ExclusiveStartKey of
  /// the next page, or nullopt when the results are exhausted.
  std::optional<item> resume_key() const;
  /// The same for ExecuteStatement pages: the NextToken of the next page, or nullopt.
  std::optional<std::string> resume_token() const;
  /// True once next() has returned nullptr.
  bool done() const noexcept;
  /// CapacityUnits of every page fetched so far (a prefetched one included), as DynamoDB
  /// reported them (ask with client_options::report_consumed_capacity or the request's
  /// return_consumed_capacity). A failed next() also puts it in diag.consumed_capacity.
  double consumed_capacity() const noexcept;

  struct state;

private:
  boost::asio::awaitable<std::tuple<error_code, const page*>> next_tuple(diagnostics* diag);

  std::shared_ptr<state> s_;
};

} // namespace ddb
