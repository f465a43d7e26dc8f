// Request bodies in the DynamoDB JSON protocol (X-Amz-Target: DynamoDB_20120810.<operation>).
#pragma once

#include <ddb/error_code.hpp>
#include <ddb/requests.hpp>
#include <ddb/value.hpp>

#include <concepts>
#include <string>
#include <string_view>

namespace ddb {

/// Writes the JSON body of a request into `out`: `out` is cleared first and its capacity reused,
/// so one string per connection means no allocation once it is warm.
///
/// Every string (table and attribute names, placeholders, expressions, string values) must be
/// valid UTF-8 (client_errc::invalid_utf8); sets must not be empty (client_errc::empty_set);
/// missing or out-of-range fields give client_errc::invalid_argument: keys of one or two S/N/B
/// attributes with non-empty values of at most 2048 bytes, attribute names up to 64 KB,
/// expressions up to 4 KB, every `#name`/`:value` an expression uses defined and every defined one
/// used, no key twice in a batch or transaction, the counts, limits and segments DynamoDB takes.
/// docs/bad-input.md lists every case. On any error `out` is left empty, never holding part of
/// a request, and serialize_error_reason() says why.
error_code serialize(const get_item_request& request, std::string& out);
error_code serialize(const put_item_request& request, std::string& out);
error_code serialize(const update_item_request& request, std::string& out);
error_code serialize(const delete_item_request& request, std::string& out);
error_code serialize(const query_request& request, std::string& out);
error_code serialize(const scan_request& request, std::string& out);
error_code serialize(const batch_get_request& request, std::string& out);
error_code serialize(const batch_write_request& request, std::string& out);
error_code serialize(const transact_get_request& request, std::string& out);
error_code serialize(const transact_write_request& request, std::string& out);
error_code serialize(const create_table_request& request, std::string& out);
error_code serialize(const describe_table_request& request, std::string& out);
error_code serialize(const delete_table_request& request, std::string& out);
error_code serialize(const update_time_to_live_request& request, std::string& out);
error_code serialize(const list_tables_request& request, std::string& out);
error_code serialize(const update_table_request& request, std::string& out);
error_code serialize(const describe_time_to_live_request& request, std::string& out);
error_code serialize(const describe_limits_request& request, std::string& out);
error_code serialize(const tag_resource_request& request, std::string& out);
error_code serialize(const untag_resource_request& request, std::string& out);
error_code serialize(const list_tags_of_resource_request& request, std::string& out);
error_code serialize(const execute_statement_request& request, std::string& out);
error_code serialize(const batch_execute_statement_request& request, std::string& out);
error_code serialize(const execute_transaction_request& request, std::string& out);

/// Why the last serialize() that failed on this thread failed, e.g. "an expression uses a :value
/// with no ExpressionAttributeValues entry" (a static string).
const char* serialize_error_reason() noexcept;

/// A request type: it names its operation and serializes to a body.
template <class R>
concept serializable_request = requires(const R& r, std::string& out) {
  { R::operation } -> std::convertible_to<std::string_view>;
  { serialize(r, out) } -> std::same_as<error_code>;
};

/// The X-Amz-Target prefix; the header is this followed by R::operation.
inline constexpr std::string_view target_prefix = "DynamoDB_20120810.";

/// Appends a value in DynamoDB JSON (AttributeValue) form, e.g. `{"N":"12.50"}`, `{"B":"AAEC"}`,
/// `{"NULL":true}`, `{"SS":["a","b"]}`. Meant for logs: it does not check anything (strings are
/// escaped but not validated, empty sets are written as `[]`).
void write_value_json(const value& v, std::string& out);
/// Appends an item as a JSON object of AttributeValues: `{"PK":{"S":"a"},"n":{"N":"1"}}`.
void write_item_json(const item& i, std::string& out);

} // namespace ddb
