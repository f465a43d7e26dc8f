#include <ddb/error.hpp>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>

#include <array>
#include <utility>

namespace ddb {
namespace {

class client_category_impl final : public boost::system::error_category {
public:
  const char* name() const noexcept override { return "ddb.client"; }
  std::string message(int ev) const override {
    switch (static_cast<client_errc>(ev)) {
    case client_errc::invalid_number:
      return "invalid number";
    case client_errc::number_out_of_range:
      return "number out of DynamoDB's range";
    case client_errc::precision_loss:
      return "conversion would lose precision";
    case client_errc::wrong_type:
      return "attribute has another type";
    case client_errc::invalid_utf8:
      return "string is not valid UTF-8";
    case client_errc::empty_set:
      return "empty set";
    case client_errc::invalid_argument:
      return "invalid argument";
    case client_errc::crc32_mismatch:
      return "response CRC32 mismatch";
    case client_errc::malformed_response:
      return "malformed response";
    case client_errc::connection_lost:
      return "connection lost";
    case client_errc::timeout:
      return "timeout";
    case client_errc::pool_exhausted:
      return "connection pool exhausted";
    case client_errc::credentials_not_found:
      return "no credentials found";
    case client_errc::invalid_config:
      return "invalid configuration";
    case client_errc::response_too_large:
      return "response over the size limit";
    case client_errc::invalid_credentials:
      return "credentials with characters a header cannot carry";
    case client_errc::invalid_expression:
      return "malformed expression";
    case client_errc::proxy_refused:
      return "the proxy refused the connection";
    case client_errc::proxy_auth_required:
      return "the proxy requires authentication (407)";
    case client_errc::wait_timeout:
      return "waiter timed out";
    case client_errc::table_schema_mismatch:
      return "table schema differs from the expected one";
    case client_errc::credentials_process_failed:
      return "credential_process failed";
    case client_errc::credentials_sts_failed:
      return "STS did not give credentials";
    case client_errc::credentials_sso_failed:
      return "no SSO credentials (token missing or expired, or the SSO portal refused)";
    case client_errc::credentials_mfa_required:
      return "the role needs an MFA code (mfa_serial), which ddb cannot ask for";
    }
    return "unknown ddb client error";
  }
};

// The error type names DynamoDB sends (after the '#'), in service_errc order from 2.
constexpr std::array<std::pair<std::string_view, service_errc>, 28> known_types{{
    {"ConditionalCheckFailedException", service_errc::conditional_check_failed},
    {"TransactionCanceledException", service_errc::transaction_canceled},
    {"TransactionConflictException", service_errc::transaction_conflict},
    {"TransactionInProgressException", service_errc::transaction_in_progress},
    {"IdempotentParameterMismatchException", service_errc::idempotent_parameter_mismatch},
    {"ProvisionedThroughputExceededException", service_errc::provisioned_throughput_exceeded},
    {"ThrottlingException", service_errc::throttling},
    {"RequestLimitExceeded", service_errc::request_limit_exceeded},
    {"ResourceNotFoundException", service_errc::resource_not_found},
    {"ResourceInUseException", service_errc::resource_in_use},
    {"LimitExceededException", service_errc::limit_exceeded},
    {"ItemCollectionSizeLimitExceededException", service_errc::item_collection_size_limit_exceeded},
    {"ValidationException", service_errc::validation},
    {"SerializationException", service_errc::serialization},
    {"AccessDeniedException", service_errc::access_denied},
    {"UnrecognizedClientException", service_errc::unrecognized_client},
    {"IncompleteSignatureException", service_errc::incomplete_signature},
    {"InvalidSignatureException", service_errc::invalid_signature},
    {"MissingAuthenticationTokenException", service_errc::missing_authentication_token},
    {"ExpiredTokenException", service_errc::expired_token},
    {"InternalServerError", service_errc::internal_server_error},
    {"InternalFailure", service_errc::internal_server_error},
    {"ServiceUnavailable", service_errc::service_unavailable},
    {"ServiceUnavailableException", service_errc::service_unavailable},
    {"RequestTimeTooSkewed", service_errc::request_time_too_skewed},
    {"SignatureDoesNotMatch", service_errc::signature_does_not_match},
    {"DuplicateItemException", service_errc::duplicate_item},
    {"DuplicateItem", service_errc::duplicate_item}, // DynamoDB Local's spelling
}};

class service_category_impl final : public boost::system::error_category {
public:
  const char* name() const noexcept override { return "ddb.dynamodb"; }
  std::string message(int ev) const override {
    for (auto& [type, code] : known_types)
      if (static_cast<int>(code) == ev) return std::string(type);
    return "unknown DynamoDB error";
  }
};

std::string what_text(const diagnostics& d) {
  std::string s = d.error_type.empty() ? std::string() : d.error_type + ": ";
  s += d.message;
  if (!d.request_id.empty()) s += " (request id " + d.request_id + ")";
  return s;
}

} // namespace

const boost::system::error_category& client_category() noexcept {
  static const client_category_impl c;
  return c;
}

const boost::system::error_category& service_category() noexcept {
  static const service_category_impl c;
  return c;
}

service_errc service_errc_from_type(std::string_view type) noexcept {
  if (auto hash = type.rfind('#'); hash != std::string_view::npos) type.remove_prefix(hash + 1);
  // Some services append ":http://internal.amazon.com/coral/..." to the type.
  if (auto colon = type.find(':'); colon != std::string_view::npos) type = type.substr(0, colon);
  for (auto& [name, code] : known_types)
    if (name == type) return code;
  return service_errc::unknown;
}

retry_class classify(const error_code& ec, unsigned http_status) noexcept {
  if (!ec) return retry_class::no;
  if (ec.category() == service_category()) {
    switch (static_cast<service_errc>(ec.value())) {
    case service_errc::provisioned_throughput_exceeded:
    case service_errc::throttling:
    case service_errc::request_limit_exceeded:
    case service_errc::limit_exceeded: // control-plane rate limit, as the SDKs treat it
      return retry_class::throttling;
    case service_errc::transaction_conflict:
    case service_errc::transaction_in_progress:
    case service_errc::internal_server_error:
    case service_errc::service_unavailable:
      return retry_class::transient;
    default:
      return http_status >= 500 ? retry_class::transient : retry_class::no;
    }
  }
  if (ec.category() == client_category()) {
    switch (static_cast<client_errc>(ec.value())) {
    case client_errc::crc32_mismatch:
    case client_errc::connection_lost:
    case client_errc::timeout:
      return retry_class::transient;
    default:
      return retry_class::no;
    }
  }
  // Transport errors: a connection that broke or could not be made may work the next time.
  namespace ae = boost::asio::error;
  if (ec == ae::operation_aborted) return retry_class::no; // the caller cancelled
  if (ec == ae::connection_reset || ec == ae::connection_aborted || ec == ae::connection_refused ||
      ec == ae::broken_pipe || ec == ae::eof || ec == ae::timed_out || ec == ae::network_unreachable ||
      ec == ae::host_unreachable || ec == ae::try_again || ec == ae::host_not_found_try_again ||
      ec == boost::beast::http::error::end_of_stream || ec == boost::beast::http::error::partial_message ||
      ec == boost::asio::ssl::error::stream_truncated)
    return retry_class::transient;
  return retry_class::no;
}

error::error(error_code ec, diagnostics diag)
    : boost::system::system_error(ec, what_text(diag)), diag_(std::move(diag)) {}

error::error(error_code ec, std::string message)
    : error(ec, [&] {
        diagnostics d;
        d.message = std::move(message);
        return d;
      }()) {}

void throw_if(const error_code& ec, const diagnostics& diag) {
  if (ec) throw error(ec, diag);
}

} // namespace ddb
