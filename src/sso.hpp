// IAM Identity Center (SSO) pieces of the credential chain without I/O: the token cache file's
// name and JSON, and the portal's GetRoleCredentials request target and answers (private).
#pragma once

#include <ddb/credentials.hpp>
#include <ddb/error_code.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ddb::detail {

/// The lowercase hex SHA-1 of `text` (40 characters).
std::string sha1_hex(std::string_view text);

/// The token cache file of an SSO session, as the AWS CLI writes it:
/// `HOME/.aws/sso/cache/<sha1 hex of key>.json`, where `key` is the sso-session name (profiles
/// with sso_session) or the sso_start_url (legacy profiles).
std::string sso_token_cache_path(std::string_view home, std::string_view key);

/// What ddb reads of a token cache file.
struct sso_token {
  std::string access_token;
  std::chrono::system_clock::time_point expires_at;
};

/// `{"accessToken": "...", "expiresAt": "2026-12-07T18:00:00Z", ...}` (other keys ignored);
/// `expiresAt` is ISO 8601 with an optional fraction and `Z`, `UTC` or an offset. nullopt when
/// either is missing or malformed, with the reason in `why` if given.
std::optional<sso_token> parse_sso_token_cache(std::string_view json, std::string* why = nullptr);

/// "/federation/credentials?role_name=R&account_id=A", the values percent-encoded; `base_path`
/// (the endpoint URL's path) goes first, without its trailing '/'.
std::string sso_role_credentials_target(std::string_view base_path, std::string_view role_name,
                                        std::string_view account_id);

/// GetRoleCredentials' answer: `{"roleCredentials": {"accessKeyId", "secretAccessKey",
/// "sessionToken", "expiration": <epoch milliseconds>}}`. client_errc::malformed_response when
/// not JSON or a field is missing or of the wrong type.
credentials parse_sso_role_credentials(std::string_view json, error_code& ec);

/// An error answer of the portal, `{"message": "..."}` (or "Message"), optionally with
/// "__type": "UnauthorizedException"; "TYPE: message", either part empty when absent.
std::string sso_error_text(std::string_view json);

} // namespace ddb::detail
