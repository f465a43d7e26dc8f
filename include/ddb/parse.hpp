// Response parsing (sans-I/O): DynamoDB response bodies to ddb's response types.
//
//     ddb::response_parser parser;   // owns the JSON parser's buffers: keep one per connection
//     ddb::page page;                // reused page after page
//     ddb::diagnostics diag;
//     if (status != 200) return parser.parse_error(status, body, diag);  // the service error
//     if (auto ec = ddb::check_crc32(body, crc32_header)) return ec;      // ddb/crc32.hpp
//     if (auto ec = parser.parse_query(body, page, diag)) return ec;      // malformed_response
//
// Every parse_X resets `out` first, returns client_errc::malformed_response (with a description in
// diag.message) when the body is not JSON or not shaped as the operation's response, and never
// reads outside the body (and its padding). After an error a page is empty; other outputs may hold
// what was read before the error. Fields ddb does not know are skipped. Numbers (N, NS) are
// validated as DynamoDB numbers; binary values (B, BS) are decoded from base64.
//
// The body: simdjson reads up to json_padding bytes past the end of its input, so a body is either
// parsed in place or first copied into a padded buffer the parser keeps (measured: about 0.04 ms
// per MB, some 8% of parsing a Query page):
//  - a `std::string&` is parsed in place. Reserve `content_length + ddb::json_padding` before
//    reading the body into it; if its capacity is smaller it is grown first (one copy). Its contents
//    and size are unchanged afterwards.
//  - `json_body::padded(data, size)` is parsed in place: the caller guarantees that
//    json_padding bytes after data + size are readable.
//  - anything else (std::string_view, const std::string&, literals) is copied.
//
// A response_parser is not thread-safe (use one per connection or thread; a moved-from one may only
// be assigned to or destroyed); the free functions use one parser per thread.
#pragma once

#include <ddb/diagnostics.hpp>
#include <ddb/error_code.hpp>
#include <ddb/page.hpp>
#include <ddb/responses.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace ddb {

/// Bytes past its end the JSON parser may read (simdjson's SIMDJSON_PADDING).
inline constexpr std::size_t json_padding = 64;

/// A response body handed to the parser; see the header comment for which bodies are copied.
class json_body {
public:
  /// Parsed in place; the string's capacity may grow to size() + json_padding.
  json_body(std::string& s) noexcept : data_(s.data()), size_(s.size()), string_(&s) {}
  /// Copied into the parser's padded buffer.
  json_body(const std::string& s) noexcept : data_(s.data()), size_(s.size()) {}
  json_body(std::string_view s) noexcept : data_(s.data()), size_(s.size()) {}
  json_body(const char* s) noexcept : json_body(std::string_view(s)) {}

  /// Memory whose json_padding bytes after data + size are readable: parsed in place.
  static json_body padded(const char* data, std::size_t size) noexcept {
    json_body b{std::string_view(data, size)};
    b.padded_ = true;
    return b;
  }

  /// The body (a std::string's current contents, after any growth by the parser).
  std::string_view text() const noexcept {
    return string_ ? std::string_view(*string_) : std::string_view(data_, size_);
  }

private:
  friend class response_parser;
  const char* data_;
  std::size_t size_;
  std::string* string_ = nullptr;
  bool padded_ = false;
};

/// Parses response bodies. Owns the JSON parser and its buffers (reused from call to call).
class response_parser {
public:
  response_parser();
  ~response_parser();
  response_parser(response_parser&&) noexcept;
  response_parser& operator=(response_parser&&) noexcept;

  /// Query and Scan, into a reusable flat page (see ddb/page.hpp).
  error_code parse_query(json_body body, page& out, diagnostics& diag);
  error_code parse_scan(json_body body, page& out, diagnostics& diag) { return parse_query(body, out, diag); }
  error_code parse_execute_statement(json_body body, page& out, diagnostics& diag) {
    return parse_query(body, out, diag);
  }
  error_code parse_batch_execute_statement(json_body body, batch_execute_statement_response& out,
                                           diagnostics& diag);
  error_code parse_execute_transaction(json_body body, execute_transaction_response& out, diagnostics& diag);

  error_code parse_get_item(json_body body, get_item_response& out, diagnostics& diag);
  /// PutItem, UpdateItem and DeleteItem.
  error_code parse_write_item(json_body body, write_item_response& out, diagnostics& diag);
  error_code parse_put_item(json_body body, put_item_response& out, diagnostics& diag) {
    return parse_write_item(body, out, diag);
  }
  error_code parse_update_item(json_body body, update_item_response& out, diagnostics& diag) {
    return parse_write_item(body, out, diag);
  }
  error_code parse_delete_item(json_body body, delete_item_response& out, diagnostics& diag) {
    return parse_write_item(body, out, diag);
  }
  error_code parse_batch_get_item(json_body body, batch_get_item_response& out, diagnostics& diag);
  error_code parse_batch_write_item(json_body body, batch_write_item_response& out, diagnostics& diag);
  error_code parse_transact_get_items(json_body body, transact_get_items_response& out, diagnostics& diag);
  error_code parse_transact_write_items(json_body body, transact_write_items_response& out,
                                        diagnostics& diag);

  /// CreateTable, DescribeTable, UpdateTable, DeleteTable: the TableDescription (or Table).
  error_code parse_table_description(json_body body, table_description& out, diagnostics& diag);
  error_code parse_create_table(json_body body, table_description& out, diagnostics& diag) {
    return parse_table_description(body, out, diag);
  }
  error_code parse_describe_table(json_body body, table_description& out, diagnostics& diag) {
    return parse_table_description(body, out, diag);
  }
  error_code parse_update_table(json_body body, table_description& out, diagnostics& diag) {
    return parse_table_description(body, out, diag);
  }
  error_code parse_delete_table(json_body body, table_description& out, diagnostics& diag) {
    return parse_table_description(body, out, diag);
  }
  error_code parse_update_time_to_live(json_body body, time_to_live_specification& out, diagnostics& diag);
  error_code parse_describe_time_to_live(json_body body, time_to_live_description& out, diagnostics& diag);
  error_code parse_list_tables(json_body body, list_tables_response& out, diagnostics& diag);
  error_code parse_describe_limits(json_body body, describe_limits_response& out, diagnostics& diag);
  /// TagResource and UntagResource: an empty body (or an empty object).
  error_code parse_tag_resource(json_body body, tag_resource_response& out, diagnostics& diag);
  error_code parse_untag_resource(json_body body, untag_resource_response& out, diagnostics& diag);
  error_code parse_list_tags_of_resource(json_body body, list_tags_of_resource_response& out,
                                         diagnostics& diag);

  /// An error response (any non-2xx status). Fills `out` (http_status, error_type without its
  /// namespace, message, ConditionalCheckFailedException's item, TransactionCanceledException's
  /// cancellation_reasons in request order; request_id and retry_after_seconds are left as they
  /// are, they come from headers) and returns the service_errc of `__type`:
  /// service_errc::unknown for types ddb does not know. A body that is not a JSON error (a proxy's
  /// HTML page, an empty 413) gives service_errc::internal_server_error for 500 and other 5xx,
  /// service_unavailable for 503, and unknown otherwise, with the status and the start of the
  /// body in out.message. Never returns success.
  error_code parse_error(unsigned http_status, json_body body, diagnostics& out);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// The same, with one response_parser per thread.
error_code parse_query(json_body body, page& out, diagnostics& diag);
error_code parse_scan(json_body body, page& out, diagnostics& diag);
error_code parse_get_item(json_body body, get_item_response& out, diagnostics& diag);
error_code parse_write_item(json_body body, write_item_response& out, diagnostics& diag);
error_code parse_batch_get_item(json_body body, batch_get_item_response& out, diagnostics& diag);
error_code parse_batch_write_item(json_body body, batch_write_item_response& out, diagnostics& diag);
error_code parse_transact_get_items(json_body body, transact_get_items_response& out, diagnostics& diag);
error_code parse_transact_write_items(json_body body, transact_write_items_response& out, diagnostics& diag);
error_code parse_table_description(json_body body, table_description& out, diagnostics& diag);
error_code parse_update_time_to_live(json_body body, time_to_live_specification& out, diagnostics& diag);
error_code parse_describe_time_to_live(json_body body, time_to_live_description& out, diagnostics& diag);
error_code parse_list_tables(json_body body, list_tables_response& out, diagnostics& diag);
error_code parse_describe_limits(json_body body, describe_limits_response& out, diagnostics& diag);
error_code parse_list_tags_of_resource(json_body body, list_tags_of_resource_response& out,
                                       diagnostics& diag);
error_code parse_error(unsigned http_status, json_body body, diagnostics& out);

} // namespace ddb
