// Error codes: ddb's own client errors and the errors DynamoDB returns.
#pragma once

#include <boost/system/error_code.hpp>

#include <string_view>

namespace ddb {

using boost::system::error_code;

/// Errors found by ddb itself, most of them before anything is sent.
enum class client_errc {
  invalid_number = 1,    // not a decimal number
  number_out_of_range,   // over 38 significant digits, or magnitude outside 1E-130..1E+126
  precision_loss,        // a conversion would change the number
  wrong_type,            // value::as_X on another type
  invalid_utf8,          // a string attribute or name is not valid UTF-8
  empty_set,             // DynamoDB rejects empty SS/NS/BS
  invalid_argument,      // a request field is missing or out of its range
  crc32_mismatch,        // the body does not match x-amz-crc32 (retryable)
  malformed_response,    // the response is not what the DynamoDB protocol says
  connection_lost,       // the connection closed before a whole response arrived (retryable)
  timeout,               // a connect/request deadline passed (retryable)
  pool_exhausted,        // too many callers already wait for a connection
  credentials_not_found, // no source in the credential chain had credentials
  invalid_config,        // a configuration value (endpoint URL, file) is unusable
  response_too_large,    // a response's head or body is over client_options' limits
  invalid_credentials,   // credentials that cannot go in a header (control characters)
  invalid_expression,    // an expression builder is malformed (a bad path, an empty IN list, ...)
  proxy_refused,         // the HTTP proxy refused or failed the connection (CONNECT not 2xx, 5xx)
  proxy_auth_required,   // the HTTP proxy answered 407: no or wrong proxy credentials
  wait_timeout,          // a waiter's max_wait passed before the table reached the state
  table_schema_mismatch, // ensure_table: the existing table's keys or GSIs are not the schema's
  /// credential_process did not start, failed, timed out or printed no credentials
  credentials_process_failed,
  /// STS refused AssumeRole or AssumeRoleWithWebIdentity (or answered 5xx)
  credentials_sts_failed,
  /// an SSO profile's token is missing or expired, or the SSO portal refused GetRoleCredentials
  credentials_sso_failed,
  /// the profile's role needs an MFA code (mfa_serial): ddb has no terminal to ask for one
  credentials_mfa_required,
};

/// Errors DynamoDB returns, from the `__type` of the error body.
enum class service_errc {
  unknown = 1, // an error type ddb does not know; diagnostics has the text
  conditional_check_failed,
  transaction_canceled,
  transaction_conflict,
  transaction_in_progress,
  idempotent_parameter_mismatch,
  provisioned_throughput_exceeded,
  throttling,
  request_limit_exceeded,
  resource_not_found,
  resource_in_use,
  limit_exceeded,
  item_collection_size_limit_exceeded,
  validation,
  serialization,
  access_denied,
  unrecognized_client,
  incomplete_signature,
  invalid_signature,
  missing_authentication_token,
  expired_token,
  internal_server_error,
  service_unavailable,
  request_time_too_skewed,  // RequestTimeTooSkewed: the request's clock is off
  signature_does_not_match, // SignatureDoesNotMatch
  duplicate_item,           // DuplicateItemException: a PartiQL INSERT of a key that exists
};

const boost::system::error_category& client_category() noexcept;
const boost::system::error_category& service_category() noexcept;

inline error_code make_error_code(client_errc e) noexcept { return {static_cast<int>(e), client_category()}; }
inline error_code make_error_code(service_errc e) noexcept {
  return {static_cast<int>(e), service_category()};
}

/// Maps an AWS error type such as "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"
/// (the part after '#' is what counts) to a code; unknown types give service_errc::unknown.
service_errc service_errc_from_type(std::string_view aws_type) noexcept;

/// How a failed attempt may be retried, one classification for the whole library.
enum class retry_class {
  no,         // a caller error or a definite answer: retrying cannot help
  transient,  // 5xx, CRC mismatch, lost connection, timeout, transaction conflict
  throttling, // the service asks us to slow down: back off longer
};

/// Classifies an error code (ddb's, DynamoDB's or a transport one from Asio/Beast).
/// `http_status` helps with unknown service errors: any 5xx is transient.
retry_class classify(const error_code& ec, unsigned http_status = 0) noexcept;

inline bool is_retryable(const error_code& ec, unsigned http_status = 0) noexcept {
  return classify(ec, http_status) != retry_class::no;
}

} // namespace ddb

namespace boost::system {
template <>
struct is_error_code_enum<ddb::client_errc> : std::true_type {};
template <>
struct is_error_code_enum<ddb::service_errc> : std::true_type {};
} // namespace boost::system
