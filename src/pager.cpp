#include <ddb/error.hpp>
#include <ddb/pager.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace ddb {

namespace asio = boost::asio;

// Shared by the pager and its fetch in flight, so that dropping the pager mid-request is safe:
// the fetch is cancelled and finishes on its own copy of the state.
struct pager::state {
  state(asio::any_io_executor ex, fetch_fn f, pager_options o)
      : executor(ex), fetch(std::move(f)), options(o),
        ready_event(ex, asio::steady_timer::time_point::max()) {}

  asio::any_io_executor executor;
  fetch_fn fetch;
  pager_options options;

  page current;     // what next() returned last
  page ahead;       // the page being fetched (or fetched and not yet returned)
  page_cursor from; // where `ahead` starts
  bool in_flight = false, ready = false, exhausted = false, finished = false;
  error_code ahead_ec;
  diagnostics ahead_diag;
  double consumed = 0;            // CapacityUnits of the pages fetched
  asio::steady_timer ready_event; // cancelled when `ahead` is ready
  asio::cancellation_signal cancel;

  // Starts fetching `ahead` from `from` in the background.
  static void start(const std::shared_ptr<state>& s) {
    s->in_flight = true;
    s->ready = false;
    s->ready_event.expires_at(asio::steady_timer::time_point::max());
    asio::co_spawn(
        s->executor,
        [s]() -> asio::awaitable<void> {
          s->ahead_diag.clear();
          s->ahead_ec = co_await s->fetch(s->from, s->ahead, s->ahead_diag);
          if (!s->ahead_ec) s->consumed += capacity_units(s->ahead.consumed_capacity());
          s->in_flight = false;
          s->ready = true;
          s->ready_event.cancel();
        },
        asio::bind_cancellation_slot(s->cancel.slot(), [](std::exception_ptr e) {
          if (e) std::rethrow_exception(e); // only bad_alloc can get here
        }));
  }
};

pager::pager(asio::any_io_executor ex, fetch_fn fetch, pager_options options, page_cursor start)
    : s_(std::make_shared<state>(std::move(ex), std::move(fetch), options)) {
  s_->from = std::move(start);
}

pager::pager(pager&&) noexcept = default;
pager& pager::operator=(pager&&) noexcept = default;

pager::~pager() {
  if (s_ && s_->in_flight) s_->cancel.emit(asio::cancellation_type::terminal);
}

bool pager::done() const noexcept { return s_->finished; }

double pager::consumed_capacity() const noexcept { return s_->consumed; }

std::optional<item> pager::resume_key() const {
  if (s_->exhausted) return std::nullopt;
  return s_->from.key; // the start of the first page not yet returned
}

std::optional<std::string> pager::resume_token() const {
  if (s_->exhausted) return std::nullopt;
  return s_->from.token;
}

asio::awaitable<const page*> pager::next(error_code& ec, diagnostics& diag) {
  auto s = s_;
  ec.clear();
  if (s->finished) co_return nullptr;
  if (s->exhausted) {
    s->finished = true;
    co_return nullptr;
  }
  if (!s->in_flight && !s->ready) state::start(s);
  while (!s->ready) {
    auto [wait_ec] = co_await s->ready_event.async_wait(asio::as_tuple(asio::use_awaitable));
    if (!s->ready && wait_ec == asio::error::operation_aborted) {
      // The caller was cancelled: cancel the fetch too. resume_key() still says where to go on.
      asio::cancellation_state cs = co_await asio::this_coro::cancellation_state;
      if (cs.cancelled() != asio::cancellation_type::none) {
        s->cancel.emit(asio::cancellation_type::terminal);
        ec = asio::error::operation_aborted;
        s->finished = true;
        co_return nullptr;
      }
    }
  }
  s->ready = false;
  if (s->ahead_ec) {
    ec = s->ahead_ec;
    diag = std::move(s->ahead_diag);
    diag.consumed_capacity = s->consumed;
    s->finished = true;
    co_return nullptr;
  }
  std::swap(s->current, s->ahead); // `ahead` keeps the old page's memory for the next fetch
  // NextToken when there is one: an ExecuteStatement page can carry both.
  s->from.token = s->current.next_token();
  s->from.key = s->from.token ? std::nullopt : s->current.last_evaluated_key();
  if (s->from.first())
    s->exhausted = true;
  else if (s->options.prefetch > 0 && (!s->options.prefetch_after || s->options.prefetch_after(s->current)))
    state::start(s);
  co_return &s->current;
}

asio::awaitable<std::tuple<error_code, const page*>> pager::next_tuple(diagnostics* diag) {
  error_code ec;
  diagnostics local;
  const page* p = co_await next(ec, diag ? *diag : local);
  co_return std::tuple<error_code, const page*>(ec, p);
}

asio::any_io_executor pager::get_executor() const noexcept { return s_->executor; }

asio::awaitable<const page*> pager::next() {
  error_code ec;
  diagnostics diag;
  const page* p = co_await next(ec, diag);
  if (ec) throw ddb::error(ec, std::move(diag));
  co_return p;
}

} // namespace ddb
