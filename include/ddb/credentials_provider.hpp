// Where a client gets the credentials it signs with.
#pragma once

#include <ddb/credentials.hpp>
#include <ddb/error_code.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>

namespace ddb {

/// A source of credentials, shared by the clients that use it.
///
/// `cached()` is the fast path, called for every request: it returns credentials that are valid
/// for a while yet (not close to `expiration`), or null when `fetch()` must be awaited.
/// Implementations must be safe to call from several threads, and keep at most one refresh in
/// flight at a time. `fetch()` should honour the awaiting coroutine's cancellation: the client
/// cancels it at the operation's deadline.
class credentials_provider {
public:
  virtual ~credentials_provider() = default;

  virtual std::shared_ptr<const credentials> cached(std::chrono::system_clock::time_point now) = 0;

  /// Gets fresh credentials (from a file, the environment, a metadata endpoint...).
  /// On failure returns null and sets `ec` (client_errc::credentials_not_found, a transport
  /// error...).
  virtual boost::asio::awaitable<std::shared_ptr<const credentials>> fetch(error_code& ec) = 0;

  /// The service refused `used` (ExpiredTokenException, UnrecognizedClientException): forget
  /// them if they are still the cached ones, so that the next fetch() gets new ones. Returns
  /// true when a fetch may give other credentials (the client then retries once), false when
  /// they can never change, as with static keys (the default).
  virtual bool invalidate(const std::shared_ptr<const credentials>& used) {
    (void)used;
    return false;
  }
};

/// Credentials that never change: an access key given in code or a test.
std::shared_ptr<credentials_provider> make_static_credentials_provider(credentials c);

} // namespace ddb
