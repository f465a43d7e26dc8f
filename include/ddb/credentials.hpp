// ddb::credentials: the AWS access key a request is signed with.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace ddb {

/// An AWS access key: long-term (no token) or temporary (with a session token from STS).
/// A plain value; nothing in ddb prints or logs `secret_access_key` or `session_token`.
struct credentials {
  std::string access_key_id;
  std::string secret_access_key;
  /// Empty for long-term keys.
  std::string session_token;
  /// When temporary credentials stop working; empty when they do not expire.
  std::optional<std::chrono::system_clock::time_point> expiration;
  /// The AWS account the keys belong to, when the source says (AWS_ACCOUNT_ID, a profile's
  /// aws_account_id, credential_process's AccountId, STS): DynamoDB's account-ID endpoints use it.
  std::string account_id{}; // ({}: brace lists of the four fields above stay warning-free)
};

} // namespace ddb
