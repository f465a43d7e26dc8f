// Any Asio completion token for ddb's operations: how the async_* forms are made.
//
// Each async_* operation runs ddb's compiled coroutine core through co_spawn on the client's
// executor and completes its handler with (error_code, result...): a callback, use_future,
// deferred, as_tuple(use_awaitable), or any other token. The handler's associated
// executor, allocator and cancellation slot are honoured (co_spawn connects the slot to the
// coroutine, so a cancelled operation completes with operation_aborted).
#pragma once

#include <ddb/diagnostics.hpp>
#include <ddb/error.hpp>
#include <ddb/error_code.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associator.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>

#include <exception>
#include <tuple>
#include <type_traits>
#include <utility>

namespace ddb {

/// The completion token async_* operations use when given none: `co_await c.async_get_item(r)`
/// in an asio::awaitable, or `c.async_get_item(r)(handler)` later. (Boost 1.81 has no default
/// token of its own.)
using default_token = boost::asio::deferred_t;

namespace detail {

/// co_spawn's handler: (exception_ptr, tuple<error_code, T...>) becomes (error_code, T...). The
/// cores report failures as error codes; an exception here is a bug (or bad_alloc), rethrown from
/// the handler as co_spawn would, out of io_context::run().
template <class Handler>
struct spawned_handler {
  Handler handler;

  template <class... T>
  void operator()(std::exception_ptr e, std::tuple<error_code, T...> result) {
    if (e) std::rethrow_exception(e);
    std::apply(std::move(handler), std::move(result));
  }
};

struct spawn_initiation {
  boost::asio::any_io_executor ex;

  // `make` returns the awaitable: called here, at initiation (for deferred, when launched).
  template <class Handler, class Make>
  void operator()(Handler&& handler, Make make) const {
    boost::asio::co_spawn(ex, make(), spawned_handler<std::decay_t<Handler>>{std::forward<Handler>(handler)});
  }
};

/// Completes `token` with void(error_code, T...) from the awaitable<tuple<error_code, T...>>
/// that `make()` returns, run on `ex`.
template <class... T, class Token, class Make>
auto async_run(boost::asio::any_io_executor ex, Token&& token, Make make) {
  return boost::asio::async_initiate<Token, void(error_code, T...)>(spawn_initiation{std::move(ex)}, token,
                                                                    std::move(make));
}

/// The outcome of a throwing awaitable as codes: ddb::error (or any system_error, e.g. an
/// operation_aborted) becomes its error_code, with its diagnostics copied into *diag. Other
/// exceptions (bad_alloc, bugs) propagate. `T{}` is the result on failure.
template <class T>
boost::asio::awaitable<std::tuple<error_code, T>> outcome_of(boost::asio::awaitable<T> op,
                                                             diagnostics* diag) {
  error_code ec;
  try {
    T value = co_await std::move(op);
    co_return std::tuple<error_code, T>(error_code(), std::move(value));
  } catch (const ddb::error& e) {
    ec = e.code();
    if (diag) *diag = e.diag();
  } catch (const boost::system::system_error& e) {
    ec = e.code();
  }
  co_return std::tuple<error_code, T>(ec, T());
}
inline boost::asio::awaitable<std::tuple<error_code>> outcome_of(boost::asio::awaitable<void> op,
                                                                 diagnostics* diag) {
  error_code ec;
  try {
    co_await std::move(op);
  } catch (const ddb::error& e) {
    ec = e.code();
    if (diag) *diag = e.diag();
  } catch (const boost::system::system_error& e) {
    ec = e.code();
  }
  co_return std::tuple<error_code>(ec);
}

/// The completion signature of an async_* form whose co_await form gives T.
template <class T>
struct completion_of {
  using type = void(error_code, T);
};
template <>
struct completion_of<void> {
  using type = void(error_code);
};

template <class T, class Token>
auto async_await_impl(boost::asio::any_io_executor ex, boost::asio::awaitable<T> op, diagnostics* diag,
                      Token&& token) {
  auto make = [op = std::move(op), diag]() mutable { return outcome_of(std::move(op), diag); };
  if constexpr (std::is_void_v<T>)
    return async_run<>(std::move(ex), std::forward<Token>(token), std::move(make));
  else
    return async_run<T>(std::move(ex), std::forward<Token>(token), std::move(make));
}

/// The async_* form of a co_await form that throws ddb::error: `op` (not yet started; it holds
/// its arguments) runs on `ex` when the operation is initiated (for deferred: launched) and
/// completes `token` with (error_code[, T]). The two shapes every such form takes after its own
/// arguments: `(token)` and `(diagnostics&, token)`; the token defaults to default_token.
template <class T, BOOST_ASIO_COMPLETION_TOKEN_FOR(typename completion_of<T>::type) Token = default_token>
auto async_await(boost::asio::any_io_executor ex, boost::asio::awaitable<T> op, Token&& token = {}) {
  return async_await_impl(std::move(ex), std::move(op), nullptr, std::forward<Token>(token));
}
template <class T, BOOST_ASIO_COMPLETION_TOKEN_FOR(typename completion_of<T>::type) Token = default_token>
auto async_await(boost::asio::any_io_executor ex, boost::asio::awaitable<T> op, diagnostics& diag,
                 Token&& token = {}) {
  return async_await_impl(std::move(ex), std::move(op), &diag, std::forward<Token>(token));
}

} // namespace detail
} // namespace ddb

// The wrapper is invisible to Asio: it has its handler's executor, allocator and cancellation slot.
/// \cond INTERNAL
template <template <class, class> class Associator, class Handler, class Default>
struct boost::asio::associator<Associator, ddb::detail::spawned_handler<Handler>, Default> {
  using type = typename Associator<Handler, Default>::type;

  static type get(const ddb::detail::spawned_handler<Handler>& h) noexcept {
    return Associator<Handler, Default>::get(h.handler);
  }
  static auto get(const ddb::detail::spawned_handler<Handler>& h, const Default& d) noexcept
      -> decltype(Associator<Handler, Default>::get(h.handler, d)) {
    return Associator<Handler, Default>::get(h.handler, d);
  }
};
/// \endcond
