// ddb/proxy.hpp: which HTTP proxy a connection goes through, read as curl, Python and the AWS
// CLI read it (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), and the proxy URL split for connecting. No I/O.
#pragma once

#include <ddb/aws_config.hpp>
#include <ddb/error_code.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ddb {

/// An HTTP proxy: `http://[user[:password]@]host[:port][/]`.
struct proxy_url {
  std::string host;        ///< lower case; an IPv6 address without its brackets
  std::uint16_t port = 80; ///< 80 when the URL has none
  std::string username;    ///< percent-decoded; empty: no proxy authentication
  std::string password;    ///< percent-decoded

  /// "host:port" (bracketed if IPv6), for messages.
  std::string authority() const;
  /// The Proxy-Authorization header's value, "Basic base64(user:password)"; empty without a user.
  std::string authorization() const;
};

/// Splits a proxy URL strictly. Only `http://` proxies: the connection to the proxy is plain TCP
/// (TLS to DynamoDB then goes through a CONNECT tunnel, end to end). `https://` proxy URLs, a
/// path other than "/", a query or a fragment are refused with client_errc::invalid_config and
/// the reason in `why`. A URL without a scheme ("proxy:3128") is taken as http, as curl does.
proxy_url parse_proxy_url(std::string_view url, error_code& ec, std::string* why = nullptr);

/// Whether NO_PROXY-style `list` exempts `host` (a name or an IP address, without brackets) at
/// `port`. Entries are separated by commas or spaces, case-insensitive:
///  - `*` exempts every host;
///  - a name (`example.com`, `.example.com`, `*.example.com`) exempts itself and its subdomains;
///  - an IP address exempts that address, a CIDR range (`10.0.0.0/8`, `fd00::/8`) its addresses;
///  - `:port` after an entry (`host:8000`, `[::1]:8000`) limits it to that port.
bool no_proxy_matches(std::string_view list, std::string_view host, std::uint16_t port);

/// The proxy settings of a client: `proxy` as client_options::proxy (nullopt: from the
/// environment; empty: no proxy; else a proxy URL), `no_proxy` likewise (nullopt: NO_PROXY).
struct proxy_settings {
  std::optional<std::string> proxy;
  std::optional<std::string> no_proxy;
};

/// Which proxy a connection to `target` uses, or nullopt for a direct connection:
///  1. settings.proxy when set (empty: none), else, from the environment, `https_proxy` then
///     `HTTPS_PROXY` for https targets, `http_proxy` then `HTTP_PROXY` for http targets
///     (`HTTP_PROXY` is ignored when REQUEST_METHOD is set, as Python does: in a CGI program it
///     can come from a request's `Proxy:` header);
///  2. no proxy when settings.no_proxy (else `no_proxy`, then `NO_PROXY`) matches the target's
///     host and port (no_proxy_matches). Loopback is not exempt unless listed.
/// A proxy URL that parse_proxy_url refuses is client_errc::invalid_config, `why` says which
/// setting.
std::optional<proxy_url> resolve_proxy(const env_lookup& env, const endpoint_url& target,
                                       const proxy_settings& settings, error_code& ec,
                                       std::string* why = nullptr);

} // namespace ddb
