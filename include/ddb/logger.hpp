// A logger hook: where a client says what it does (connections, retries, failures).
#pragma once

#include <functional>
#include <string_view>

namespace ddb {

enum class log_level { debug, info, warn, error, off };

/// Receives one line per event, on the client's thread. Lines never hold secrets: no access
/// keys, secret keys, session tokens, signatures or request bodies, only operation names, hosts,
/// error types and messages, request ids and timings.
using logger = std::function<void(log_level, std::string_view)>;

/// "debug", "info", "warn", "error", "off".
constexpr std::string_view to_string(log_level l) noexcept {
  constexpr std::string_view names[] = {"debug", "info", "warn", "error", "off"};
  return names[static_cast<int>(l)];
}

} // namespace ddb
