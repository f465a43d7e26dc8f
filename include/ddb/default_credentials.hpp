// ddb/default_credentials.hpp: the AWS SDKs' default credential provider chain, with its I/O
// (credential_process, container endpoint, EC2 instance metadata IMDSv2, STS AssumeRole and
// AssumeRoleWithWebIdentity, SSO GetRoleCredentials).
#pragma once

#include <ddb/aws_config.hpp>
#include <ddb/credentials_provider.hpp>
#include <ddb/logger.hpp>
#include <ddb/proxy.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <memory>

namespace ddb {

/// Timeouts and refresh settings of the default chain. Short by default: on a machine without a
/// metadata endpoint, start-up must not wait long before credentials_not_found.
struct default_credentials_options {
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds read_timeout{1000};
  /// Extra attempts after a transport error or a 5xx answer.
  int retries = 1;
  /// The proxy to STS (AssumeRole, AssumeRoleWithWebIdentity) and the SSO portal
  /// (GetRoleCredentials), as client_options::proxy and
  /// no_proxy: unset reads HTTPS_PROXY/HTTP_PROXY/NO_PROXY (ddb/proxy.hpp). The container and
  /// instance metadata endpoints, link-local or loopback, are always reached directly.
  proxy_settings proxy;
  /// When to refresh expiring credentials (see refresh_decision).
  refresh_options refresh;
  /// When cached() sees credentials inside the prefetch window, start a refresh in the background
  /// (on the provider's executor) so that no request waits for it.
  bool background_refresh = true;
  /// Static stability, as the AWS SDKs do it: when the container endpoint or instance metadata
  /// cannot be reached to refresh, keep serving the last credentials, even expired, for this long
  /// plus a random part of as much again (then try again), with a warning in `logger`: an outage
  /// of the metadata service must not become an outage of the application.
  std::chrono::seconds stale_extension{300};
  /// A failed lookup (no credentials, an endpoint that does not answer, a command that fails) is
  /// answered from memory for this long: each operation does not probe IMDS or run the command
  /// again. 0 turns it off.
  std::chrono::milliseconds failure_cache{5000};
  /// How long a credential_process may run; then its process group is killed.
  std::chrono::milliseconds process_timeout{30000};
  /// Where the chain logs refresh failures (the client passes its own logger when it makes the
  /// default chain).
  ddb::logger logger;

  default_credentials_options() = default;
};

/// The default chain: resolve_credential_source (environment keys, web identity, the profile's
/// roles, SSO, credential_process or keys, container, IMDSv2) decides once, here; static keys without
/// a role give a static provider. The others fetch on the first `fetch()` and again when
/// refresh_decision says so, with at most one refresh in flight (concurrent callers, on any
/// thread or executor, wait for the same one). Token files (container authorization, web
/// identity) are read again at each refresh; a role chain is run again whole (source, then each
/// AssumeRole signed with the credentials before it).
///
/// STS is `https://sts.REGION.amazonaws.com` (the region as resolve_region finds it; the global
/// `https://sts.amazonaws.com`, signed as us-east-1, without one), or AWS_ENDPOINT_URL_STS.
/// The SSO portal is `https://portal.sso.SSO_REGION.amazonaws.com`, or AWS_ENDPOINT_URL_SSO; the
/// SSO token is read through `files` at each fetch from `HOME/.aws/sso/cache/<sha1>.json` (HOME
/// from `env`), so a test can point both at a folder of its own. ddb does not refresh the token.
///
/// Errors of `fetch()`: client_errc::credentials_not_found when no source applies, the metadata
/// endpoint does not answer or refuses, or the container endpoint answers with an error status;
/// credentials_process_failed (the command could not start, exited non-zero, was killed at
/// process_timeout or printed no credentials); credentials_sts_failed (STS answered an error);
/// credentials_sso_failed (the SSO token is missing, unreadable or expired: run `aws sso login`;
/// or the portal refused GetRoleCredentials);
/// client_errc::malformed_response for unreadable answers; transport errors (client_errc::timeout,
/// connection refused...) of the container endpoint and STS as they are. Each failure is logged
/// once through `options.logger` (error level), naming the source and why ("profile dev:
/// credential_process 'cmd' exited 3: <stderr>"), and repeated from memory for
/// options.failure_cache. When a refresh fails but the current credentials are not yet stale,
/// `fetch()` returns them without an error (and logs a warning).
///
/// Throws ddb::error(client_errc::invalid_config) when the configuration is invalid (see
/// resolve_credential_source) or the shared config files cannot be parsed, and
/// ddb::error(client_errc::credentials_mfa_required) for a role with mfa_serial.
std::shared_ptr<credentials_provider>
make_default_credentials_provider(boost::asio::any_io_executor ex, env_lookup env = system_env(),
                                  file_loader files = system_files(),
                                  default_credentials_options options = default_credentials_options());

} // namespace ddb
