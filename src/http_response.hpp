// The HTTP response path without sockets: what ddb keeps of a response, and how a response
// becomes an outcome (CRC check, then a parsed body or a typed DynamoDB error). The connection
// and the fuzz target (tests/fuzz/http_response_fuzz.cpp) share it.
#pragma once

#include "padded_body.hpp"

#include <ddb/crc32.hpp>
#include <ddb/diagnostics.hpp>
#include <ddb/error_code.hpp>
#include <ddb/parse.hpp>

#include <boost/beast/http/message.hpp>

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace ddb::detail {

/// The default body limit (client_options::max_response_body): BatchGetItem responses can
/// reach 16 MB; Beast's default is 8 MB.
inline constexpr std::uint64_t max_response_body = 16u << 20;
/// DynamoDB's response heads are a few hundred bytes; a server sending more is broken.
inline constexpr std::uint32_t max_response_head = 64u << 10;
/// Buffers that grew past these for one answer are given back after it.
inline constexpr std::size_t read_buffer_keep = 1u << 20;
inline constexpr std::size_t body_buffer_keep = 4u << 20;

/// What the caller needs of a response; the body keeps its capacity across requests.
struct http_response {
  unsigned status = 0;
  bool keep_alive = true;
  std::string body;        // padded: capacity() >= size() + body_padding
  std::string crc32;       // x-amz-crc32, empty when absent
  std::string request_id;  // x-amzn-RequestId
  std::string retry_after; // x-amz-retry-after, empty when absent
  std::string date;        // Date, kept for error responses only (clock skew)

  /// After the body was used: a buffer that grew for one huge answer is not kept.
  void release_large_buffers() {
    if (body.capacity() > body_buffer_keep) std::string().swap(body);
  }
};

/// Copies what ddb uses of a parsed response's head into `out` (the body is moved separately).
inline void read_head(const boost::beast::http::response<padded_body>& res, http_response& out) {
  out.status = res.result_int();
  out.keep_alive = res.keep_alive();
  auto field = [&](std::string_view name, std::string& to) {
    auto it = res.find(name);
    if (it == res.end())
      to.clear();
    else
      to.assign(it->value().data(), it->value().size());
  };
  field("x-amz-crc32", out.crc32);
  field("x-amzn-RequestId", out.request_id);
  field("x-amz-retry-after", out.retry_after);
  if (out.status != 200)
    field("Date", out.date);
  else
    out.date.clear();
}

/// A whole response to an outcome: `on_ok(r)` reads a 200 body; any other status is a typed
/// DynamoDB error in `diag`. Error bodies carry a CRC too: a corrupted one must not be read as
/// some other error.
template <class OnOk>
error_code response_outcome(response_parser& parser, http_response& r, OnOk& on_ok, diagnostics& diag) {
  diag.http_status = r.status;
  diag.request_id = r.request_id;
  if (auto ec = check_crc32(r.body, r.crc32)) {
    diag.message = "response body does not match its x-amz-crc32";
    return ec;
  }
  if (r.status == 200) return on_ok(r);
  error_code ec = parser.parse_error(r.status, r.body, diag);
  if (!r.retry_after.empty()) {
    double v = 0;
    auto p = std::from_chars(r.retry_after.data(), r.retry_after.data() + r.retry_after.size(), v);
    if (p.ec == std::errc() && v >= 0) diag.retry_after_seconds = v / 1000.0; // the header is in ms
  }
  return ec;
}

} // namespace ddb::detail
