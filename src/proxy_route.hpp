// How one connection reaches its server, directly or through an HTTP proxy: the one place that
// turns a target and a proxy into what the socket layer and the request line need (the client's
// pool and the credential chain's small HTTP client both use it).
#pragma once

#include <ddb/aws_config.hpp>
#include <ddb/proxy.hpp>

#include <optional>
#include <string>

namespace ddb::detail {

struct proxy_route {
  std::string dial_host, dial_port; // the proxy's when there is one, else the target's
  std::string tunnel;               // TLS through a proxy: "host:port" to CONNECT to
  std::string target_prefix;        // plain HTTP through a proxy: "http://host[:port]" (absolute form)
  std::string authorization;        // Proxy-Authorization, for the CONNECT or for each request
  /// Whether each request carries Proxy-Authorization (plain HTTP through a proxy with a user).
  bool per_request_auth() const noexcept { return !target_prefix.empty() && !authorization.empty(); }
};

inline proxy_route make_proxy_route(const endpoint_url& target, const std::optional<proxy_url>& proxy) {
  proxy_route r;
  if (!proxy) {
    r.dial_host = target.host;
    r.dial_port = std::to_string(target.port);
    return r;
  }
  r.dial_host = proxy->host;
  r.dial_port = std::to_string(proxy->port);
  r.authorization = proxy->authorization();
  if (target.tls())
    r.tunnel = target.authority();
  else
    r.target_prefix = "http://" + target.host_header();
  return r;
}

} // namespace ddb::detail
