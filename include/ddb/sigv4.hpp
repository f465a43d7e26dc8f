// ddb::sigv4: AWS Signature Version 4 request signing (header variant), without I/O.
#pragma once

#include <ddb/credentials.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ddb::sigv4 {

using time_point = std::chrono::system_clock::time_point;

/// A request header as the caller has it: any name case, value not yet trimmed.
struct header {
  std::string_view name;
  std::string_view value;

  constexpr header() noexcept = default;
  constexpr header(std::string_view n, std::string_view v) noexcept : name(n), value(v) {}
};

/// How the canonical request is built. The defaults are right for DynamoDB.
struct options {
  /// Remove `.`, `..` and empty segments from the path before encoding it. Every service but S3.
  bool normalize_path = true;
  /// Sign the body's hash as `x-amz-content-sha256` and return that header (S3 wants it).
  bool sign_body = false;
  /// Return `X-Amz-Security-Token` but leave it out of the signature. DynamoDB rejects this:
  /// it requires the token to be signed.
  bool omit_session_token = false;
};

/// The request to sign. Views only: everything must outlive the sign call.
struct sign_input {
  std::string_view method;
  /// The path before URI-encoding, e.g. "/" or "/a b/"; the signer encodes it once.
  std::string_view path;
  /// The query as in the request line, without '?'; %XX escapes are decoded before re-encoding.
  std::string_view query;
  /// Every header given is signed; Host must be one of them. Leave out those a proxy may rewrite
  /// (User-Agent, Connection, Expect). X-Amz-Date and Authorization belong to the signer, and so
  /// do X-Amz-Security-Token when the credentials carry a token and x-amz-content-sha256 with
  /// sign_body: input copies of those are ignored.
  std::span<const header> headers;
  std::string_view body;

  sign_input(std::string_view method_, std::string_view path_, std::string_view query_,
             std::span<const header> headers_, std::string_view body_) noexcept
      : method(method_), path(path_), query(query_), headers(headers_), body(body_) {}
};

/// The headers to add to a signed request; empty strings are headers not to add.
struct signed_headers {
  std::string amz_date;       ///< X-Amz-Date
  std::string authorization;  ///< Authorization
  std::string security_token; ///< X-Amz-Security-Token: the credentials' token, if any
  std::string content_sha256; ///< x-amz-content-sha256, with options::sign_body only

  /// The non-empty ones as name/value views into this object.
  std::vector<header> headers() const;
};

/// Signs requests for one region and service.
///
/// Keeps reusable OpenSSL contexts, scratch buffers and the derived signing key of the last
/// (secret, date) pair, so use one signer per thread or connection: a signer is NOT
/// thread-safe. Moving is fine; a moved-from signer may only be destroyed or assigned to.
/// OpenSSL failures throw std::runtime_error.
class signer {
public:
  /// The Content-Type that sign_dynamodb signs; the request must carry exactly this.
  static constexpr std::string_view dynamodb_content_type = "application/x-amz-json-1.0";

  signer(std::string region, std::string service);
  ~signer();
  signer(signer&&) noexcept;
  signer& operator=(signer&&) noexcept;

  const std::string& region() const noexcept;
  const std::string& service() const noexcept;

  /// Signs any request. `now` becomes X-Amz-Date (seconds precision, UTC).
  signed_headers sign(const sign_input& in, const credentials& creds, time_point now, options opts = {});

  /// The DynamoDB fast path: signs `POST /` with the headers Content-Type
  /// (dynamodb_content_type), Host, X-Amz-Date, X-Amz-Target and, when the credentials
  /// carry a token, X-Amz-Security-Token (signed, as DynamoDB requires). Same result as
  /// sign() with those headers. Writes the Authorization and X-Amz-Date values into the
  /// outputs, reusing their capacity: no allocation once the key is cached and the strings
  /// have grown. The caller adds X-Amz-Security-Token (creds.session_token) itself.
  void sign_dynamodb(std::string_view host, std::string_view target, std::string_view body,
                     const credentials& creds, time_point now, std::string& authorization_out,
                     std::string& amz_date_out);

  // Lower-level steps, for tests and debugging. sign() runs the same code.

  /// The canonical request sign() would hash (task 1 of SigV4).
  std::string canonical_request(const sign_input& in, const credentials& creds, time_point now,
                                options opts = {});
  /// The string to sign for a canonical request (task 2).
  std::string string_to_sign(std::string_view canonical_request, time_point now);
  /// How many times a signing key was derived: the cache missed (new secret or new UTC day).
  std::uint64_t key_derivations() const noexcept;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// X-Amz-Date form of a time, UTC: "20150830T123600Z".
std::string amz_date(time_point t);
/// The canonical URI of a raw path: RFC 3986 unreserved bytes kept, '/' kept, others %XX.
std::string canonical_uri(std::string_view raw_path, bool normalize);
/// The canonical query string: parameters decoded, re-encoded, sorted by name then value.
std::string canonical_query(std::string_view raw_query);

} // namespace ddb::sigv4
