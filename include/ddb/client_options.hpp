// ddb::client_options: everything a client is configured with, as one plain struct.
#pragma once

#include <ddb/credentials_provider.hpp>
#include <ddb/logger.hpp>
#include <ddb/observer.hpp>
#include <ddb/retry_policy.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace ddb {

struct client_options {
  /// "http://127.0.0.1:8000" or "https://dynamodb.eu-west-1.amazonaws.com" (a path is not
  /// allowed). Empty: resolved from AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL, the profile's
  /// endpoint_url, or the region's public endpoint.
  std::string endpoint;
  /// Empty: AWS_REGION, AWS_DEFAULT_REGION, then the profile's region.
  std::string region;
  /// Null: the default chain (environment, web identity, profile, container, EC2 metadata).
  std::shared_ptr<credentials_provider> credentials;

  /// The HTTP proxy to DynamoDB: nullopt reads https_proxy/HTTPS_PROXY (for an https endpoint)
  /// or http_proxy/HTTP_PROXY (http) and no_proxy/NO_PROXY, as curl and the AWS CLI do; "" connects
  /// directly; else "http://[user:password@]host:port". HTTPS goes through a CONNECT tunnel (TLS
  /// end to end, the certificate checked as without a proxy), plain HTTP as absolute-form
  /// requests; the user and password go as Proxy-Authorization: Basic. Rules in ddb/proxy.hpp.
  std::optional<std::string> proxy;
  /// Hosts that bypass the proxy, as NO_PROXY (`*`, names and their subdomains, IPs, CIDR
  /// ranges, `:port`); nullopt reads no_proxy/NO_PROXY.
  std::optional<std::string> no_proxy;

  /// Connections kept to the endpoint; one request is in flight on each at a time.
  std::size_t pool_size = 64;
  /// Callers that may wait for a free connection; one more fails at once with
  /// client_errc::pool_exhausted rather than queue without bound.
  std::size_t max_waiters = 100'000;
  /// Idle connections are not reused after this long (servers close theirs too; ours goes
  /// first, so a request never races the server's close). They are closed when next seen...
  std::chrono::milliseconds idle_timeout{20'000};
  /// ...or, with this on, by a background timer as soon as they expire. It is off by default
  /// because that timer is work for the io_context: `io.run()` would not return until the last
  /// idle connection expired. Long-running servers may turn it on to free sockets sooner.
  bool close_idle_in_background = false;
  /// A pooled connection idle at least this long is checked before it is reused (a non-blocking
  /// peek: has the server closed it, or sent bytes no request asked for?) and replaced, unnoticed,
  /// if so. One busy sooner skips the peek, a system call a request: servers close idle
  /// connections after seconds (Node 5 s, nginx 75 s), and bytes left after a response close the
  /// connection anyway. A close the peek missed costs a counted retry, never a silent resend.
  std::chrono::milliseconds idle_check_after{100};
  std::chrono::milliseconds connect_timeout{3'000};
  /// One attempt: write the request, read the whole response.
  std::chrono::milliseconds request_timeout{10'000};
  /// The whole operation, a hard deadline: credentials, waiting for a connection, DNS, connect,
  /// every attempt and the backoff between them all end by it.
  std::chrono::milliseconds operation_timeout{30'000};
  /// The largest response body accepted (client_errc::response_too_large past it, and the
  /// connection is closed). DynamoDB's largest answers (BatchGetItem) stay well under 16 MB.
  std::uint64_t max_response_body = 16u << 20;

  /// Retries: AWS "standard" mode (attempts, backoff with full jitter, retry quota).
  retry_options retry;

  /// TLS: verify the server's certificate chain and host name (never turn off outside tests).
  bool verify_tls = true;
  /// A PEM file of trusted CAs instead of the system store.
  std::string ca_file;
  /// Told of every operation as it ends (latency, attempts, status, bytes): metrics hooks.
  operation_observer on_operation;
  /// Asks DynamoDB for the capacity each operation consumed (ReturnConsumedCapacity TOTAL, unless
  /// a request sets its own), so that on_operation can report it.
  bool report_consumed_capacity = false;
  /// Where the client logs, and from which level on (connections: debug; retries: info; final
  /// failures: warn; credentials failures: error).
  ddb::logger logger;
  log_level min_log_level = log_level::info;
};

} // namespace ddb
