// ddb/aws_config.hpp: what the AWS SDKs read from the environment and the shared config files
// (region, endpoint, which credential provider applies), and parsers for the answers of the
// credential endpoints. No I/O: the environment and the files come in as functions, times as
// arguments.
#pragma once

#include <ddb/credentials.hpp>
#include <ddb/error_code.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ddb {

/// Reads an environment variable; nullopt when unset. Empty values count as unset everywhere here.
using env_lookup = std::function<std::optional<std::string>(std::string_view name)>;
/// The process environment (std::getenv; as with getenv, do not race it with setenv).
env_lookup system_env();

/// Reads a whole file; nullopt when it is missing or unreadable (a missing file is no error).
using file_loader = std::function<std::optional<std::string>(const std::string& path)>;
/// Reads from the file system.
file_loader system_files();

// ---------------------------------------------------------------------------------------------
// Shared config and credentials files

/// The settings of one profile (or other section), the two files merged.
using profile_settings = std::map<std::string, std::string, std::less<>>;

/// The shared `config` and `credentials` files, parsed, and which profile is active.
///
/// Syntax as the SDKs read it (the Java SDK v2's reader, the most precise, is the model):
/// `[default]` and `[profile NAME]` in the config file (`[profile default]` beats `[default]`;
/// other bare names are ignored), `[NAME]` in the credentials file; `key = value`; comments
/// start with `#` or `;` at the start of a line, or after whitespace at the end of a property
/// line; indented lines continue a value or, under `key =` with no value, are sub-properties
/// stored as "key.sub" (as in `[services NAME]` sections). A key in the credentials file wins
/// over the same key of the same profile in the config file.
struct shared_config {
  /// AWS_PROFILE, else "default".
  std::string profile_name = "default";
  /// Profiles by their bare name; config-file sections of other types as "services NAME" and
  /// "sso-session NAME" (profile names cannot contain spaces).
  std::map<std::string, profile_settings, std::less<>> sections;

  /// The active profile; nullptr when neither file has it.
  const profile_settings* profile() const;
  /// A non-empty setting of the active profile.
  std::optional<std::string_view> get(std::string_view key) const;
};

/// Parses the two files' text (either may be empty) into `out.sections`. On a syntax error returns
/// client_errc::invalid_argument and, if `why` is given, says which file and line.
error_code parse_shared_config(std::string_view config_text, std::string_view credentials_text,
                               shared_config& out, std::string* why = nullptr);

/// Loads the files the SDKs would: AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, else
/// $HOME/.aws/config and $HOME/.aws/credentials (a leading "~/" is expanded); missing files are
/// empty. Sets profile_name from AWS_PROFILE.
shared_config load_shared_config(const env_lookup& env, const file_loader& files, error_code& ec,
                                 std::string* why = nullptr);

// ---------------------------------------------------------------------------------------------
// Region and endpoint

/// AWS_REGION, then AWS_DEFAULT_REGION, then the active profile's `region`; nullopt when none says.
std::optional<std::string> resolve_region(const env_lookup& env, const shared_config& cfg);
/// The same, loading the files first (errors are the files' syntax errors).
std::optional<std::string> resolve_region(const env_lookup& env, const file_loader& files, error_code& ec);

/// The DynamoDB endpoint URL, in the order of the SDKs' service-specific endpoints feature:
/// AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL, the `dynamodb.endpoint_url` of the
/// `[services NAME]` section the profile's `services` names, the profile's `endpoint_url`, else
/// the endpoint DynamoDB's endpoint rules derive (ddb/endpoints.hpp: dynamodb_endpoint with
/// resolve_endpoint_params' FIPS, dual-stack and account-ID settings, `account_id` from the
/// credentials). AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true (or the profile's
/// ignore_configured_endpoint_urls = true) skips all but the derived one. Configured URLs are
/// returned as written (check them with parse_endpoint_url); FIPS or dual-stack together with a
/// configured URL is client_errc::invalid_config, as in the SDKs. `why` says what is wrong.
std::string resolve_endpoint(const env_lookup& env, const shared_config& cfg, std::string_view region,
                             error_code& ec, std::string_view account_id = {}, std::string* why = nullptr);
std::string resolve_endpoint(const env_lookup& env, const file_loader& files, std::string_view region,
                             error_code& ec);

/// "https://SERVICE.REGION.SUFFIX" with the DNS suffix of the region's partition (amazonaws.com,
/// amazonaws.com.cn, c2s.ic.gov...: ddb/endpoints.hpp's partition_of).
/// client_errc::invalid_argument when the region is empty or not made of [a-z0-9-].
std::string default_endpoint(std::string_view service, std::string_view region, error_code& ec);

/// An endpoint URL split for connecting and signing.
struct endpoint_url {
  std::string scheme;     ///< "http" or "https"
  std::string host;       ///< lower case; an IPv6 address without its brackets
  std::uint16_t port = 0; ///< 80 or 443 when the URL has none
  std::string path = "/"; ///< "/" when the URL has none

  bool tls() const noexcept { return scheme == "https"; }
  /// The Host header: the host (bracketed if IPv6), with ":port" unless it is the scheme's default.
  std::string host_header() const;
  /// "host:port" (bracketed if IPv6), the port always: a CONNECT's target.
  std::string authority() const;
};

/// Splits `scheme://host[:port][/path]` strictly: http or https only; no user info, query or
/// fragment. client_errc::invalid_argument otherwise.
endpoint_url parse_endpoint_url(std::string_view url, error_code& ec);

// ---------------------------------------------------------------------------------------------
// Credential provider chain

enum class credential_provider {
  none,         ///< nothing applies (only when IMDS is disabled)
  static_keys,  ///< `keys` is ready to use
  web_identity, ///< AssumeRoleWithWebIdentity at STS with the token read from a file
  container,    ///< GET `endpoint` (ECS/EKS container credentials)
  imds,         ///< EC2 instance metadata, IMDSv2, at `endpoint`
  process,      ///< run `credential_process` and read its JSON (parse_process_credentials)
  sso,          ///< IAM Identity Center: GetRoleCredentials with the token of the SSO token cache
};

/// One STS AssumeRole call of a role chain: the credentials got so far sign it, its answer
/// replaces them.
struct assume_role_step {
  /// Where the role is configured, for messages: "profile NAME".
  std::string origin;
  std::string role_arn;
  /// Empty: use default_role_session_name().
  std::string role_session_name;
  /// Empty: none sent.
  std::string external_id;
  /// 0: none sent (STS's default, one hour); else 900..43200, checked when resolving.
  int duration_seconds = 0;
};

/// Which provider of the default chain applies, and what it needs.
struct credential_source {
  credential_provider provider = credential_provider::none;
  /// Where the decision came from, for messages: "environment", "profile NAME", ...
  std::string origin;
  /// static_keys: the keys.
  credentials keys;
  /// web_identity: the role, the token file (read it at each refresh: it rotates) and the
  /// session name (empty: use default_role_session_name()).
  std::string role_arn;
  std::string web_identity_token_file;
  std::string role_session_name;
  /// container: the full credentials URL; imds: the base URL, without a trailing '/'.
  std::string endpoint;
  /// container: the Authorization header, or a file holding it (read at each fetch; it wins).
  std::string authorization_token;
  std::string authorization_token_file;
  /// process: the command, run with /bin/sh -c.
  std::string credential_process;
  /// sso: the sso-session's name (empty for a legacy profile, with sso_start_url in the profile
  /// itself), its start URL and region (from the `[sso-session NAME]` section or the profile),
  /// and the profile's account and role. The token cache file is named after the SHA-1 of
  /// sso_session, or of sso_start_url when that is empty.
  std::string sso_session;
  std::string sso_start_url;
  std::string sso_region;
  std::string sso_account_id;
  std::string sso_role_name;
  /// Roles to assume in turn with the credentials of the source above (role_arn with
  /// source_profile or credential_source); the last one's credentials are the result.
  std::vector<assume_role_step> assume_roles;
};

/// The default chain's decision, in the order of the Java v2 and PHP SDKs (the JS, Python and
/// Rust SDKs differ only in where environment web identity sits relative to the profile):
///  1. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN); one without the other is
///     an error.
///  2. AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (+ AWS_ROLE_SESSION_NAME).
///  3. The active profile, in botocore's order: role_arn + web_identity_token_file
///     (+ role_session_name); role_arn with source_profile or credential_source (one of the two):
///     AssumeRole with the source's credentials, see below; SSO (any of sso_session,
///     sso_start_url, sso_region, sso_account_id, sso_role_name; see below);
///     credential_process; aws_access_key_id + aws_secret_access_key (+ aws_session_token). A
///     profile named by AWS_PROFILE that neither file has is an error.
///     SSO: `sso_session = NAME` takes sso_start_url and sso_region from `[sso-session NAME]`
///     (the profile may repeat them, with the same values), a legacy profile has them itself;
///     sso_account_id and sso_role_name are the profile's. A missing key, an unknown sso-session
///     or a value that differs from the sso-session's is an error naming the profile and the key.
///     A source_profile gives its static keys when it has them (so a profile may name itself),
///     else its own role (role_arn + web_identity_token_file, or role_arn + source_profile /
///     credential_source: chained, a cycle is an error), else its SSO settings, else its
///     credential_process.
///     credential_source is Environment (step 1's keys), Ec2InstanceMetadata (step 5) or
///     EcsContainer (step 4). Each role's role_session_name, external_id and duration_seconds
///     (900..43200) come from the profile naming the role; mfa_serial there is
///     client_errc::credentials_mfa_required (ddb has no terminal to ask for a code).
///  4. AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (http://169.254.170.2 + it) or
///     AWS_CONTAINER_CREDENTIALS_FULL_URI (https, or http to a loopback address or the ECS/EKS
///     agent addresses), with AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or
///     AWS_CONTAINER_AUTHORIZATION_TOKEN.
///  5. IMDSv2 unless AWS_EC2_METADATA_DISABLED=true: AWS_EC2_METADATA_SERVICE_ENDPOINT, the
///     profile's ec2_metadata_service_endpoint, else http://169.254.169.254 (http://[fd00:ec2::254]
///     with endpoint mode IPv6 from AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE or the profile).
/// Errors: client_errc::invalid_argument or credentials_mfa_required, with the reason in `why`
/// if given.
credential_source resolve_credential_source(const env_lookup& env, const shared_config& cfg, error_code& ec,
                                            std::string* why = nullptr);

// ---------------------------------------------------------------------------------------------
// Credential endpoint answers

/// An ISO-8601 UTC time as AWS writes them: 2024-05-01T12:00:00Z, with an optional fraction and
/// `Z` or a `+hh:mm` offset. nullopt when malformed or outside system_clock's range.
std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text);

/// The JSON of the container and IMDS credential endpoints: AccessKeyId, SecretAccessKey, Token,
/// Expiration (IMDS adds "Code": "Success"; anything else there is an error). Unknown keys are
/// ignored. client_errc::malformed_response when not JSON or a key is missing or invalid.
credentials parse_credentials_json(std::string_view json, error_code& ec);

/// The form body of STS AssumeRoleWithWebIdentity (Content-Type
/// application/x-www-form-urlencoded), values percent-encoded.
std::string assume_role_with_web_identity_body(std::string_view role_arn, std::string_view role_session_name,
                                               std::string_view web_identity_token);

/// The form body of STS AssumeRole: RoleArn, RoleSessionName, and ExternalId and DurationSeconds
/// when the step has them.
std::string assume_role_body(const assume_role_step& step, std::string_view role_session_name);

/// The `<Credentials>` of an AssumeRole response, as for AssumeRoleWithWebIdentity.
credentials parse_assume_role_response(std::string_view xml, error_code& ec);

/// What a `credential_process` prints: `{"Version": 1, "AccessKeyId": ..., "SecretAccessKey": ...,
/// "SessionToken": ..., "Expiration": "2024-05-01T12:00:00Z"}`; SessionToken and Expiration are
/// optional (no Expiration: the credentials never expire), unknown keys are ignored.
/// client_errc::malformed_response otherwise, with the reason in `why` if given.
credentials parse_process_credentials(std::string_view json, error_code& ec, std::string* why = nullptr);

/// A session name when none is configured: "ddb-session-" and the time in milliseconds.
std::string default_role_session_name(std::chrono::system_clock::time_point now);

/// The `<Credentials>` of an AssumeRoleWithWebIdentity response (AccessKeyId, SecretAccessKey,
/// SessionToken, Expiration). client_errc::malformed_response when any is missing or invalid.
credentials parse_assume_role_with_web_identity_response(std::string_view xml, error_code& ec);

/// The `<Error>` of an STS error response.
struct sts_error {
  std::string code; ///< e.g. "InvalidIdentityToken", "IDPCommunicationError" (retryable)
  std::string message;
};
std::optional<sts_error> parse_sts_error(std::string_view xml);

// ---------------------------------------------------------------------------------------------
// Refresh

enum class refresh_action {
  none, ///< the credentials are good for a while (or never expire)
  soon, ///< fetch new ones in the background; keep using these meanwhile
  now,  ///< too close to expiry: wait for new ones
};

struct refresh_options {
  /// Start refreshing when less than prefetch + random01 * jitter is left. The jitter spreads the
  /// refreshes of many clients that got credentials at the same time.
  std::chrono::seconds prefetch{300};
  std::chrono::seconds jitter{60};
  /// Below this, the credentials are not used any more (a request signed now may arrive later).
  std::chrono::seconds stale{60};
};

/// What to do with `c` at `now`. Draw `random01` (uniform in [0, 1)) once per fetched credentials
/// and pass the same value at every call, so the refresh point stays put.
refresh_action refresh_decision(const credentials& c, std::chrono::system_clock::time_point now,
                                double random01, const refresh_options& options = {});

} // namespace ddb
