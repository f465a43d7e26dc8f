// ensure_table: the single table as the layer expects it, created if missing, ACTIVE on return.
//
//     auto schema = ddb::table::table_schema().inverse_index();
//     co_await ddb::table::ensure_table(c, "app", schema);   // creates, waits ACTIVE (with GSIs)
//
// An existing table is compared with the schema: its key schema (HASH = PK, RANGE = SK), the
// key attributes' types (S), and every GSI of the schema (keys, projection ALL). Any difference
// is client_errc::table_schema_mismatch, its message naming it; the table is left alone. GSIs the
// table has beyond the schema's are fine (the layer never queries them).
#pragma once

#include <ddb/client.hpp>
#include <ddb/table/index.hpp>
#include <ddb/waiters.hpp>

#include <boost/asio/awaitable.hpp>

#include <string>

namespace ddb::table {

class table;

/// What differs between an existing table and `schema`, one difference per line; empty when the
/// table is what the layer expects.
std::string schema_differences(const table_description& existing, const table_schema& schema);

/// DescribeTable; when missing, CreateTable (make_create_table_request: PAY_PER_REQUEST, every
/// GSI projecting ALL; a concurrent creator is fine); then waits as `options` say until the table
/// and its GSIs are ACTIVE and returns its description. Throws ddb::error:
/// table_schema_mismatch, wait_timeout, or what DescribeTable/CreateTable failed with.
boost::asio::awaitable<table_description> ensure_table(ddb::client& c, std::string name, table_schema schema,
                                                       waiter_options options = {});
boost::asio::awaitable<table_description> ensure_table(ddb::client& c, std::string name, table_schema schema,
                                                       waiter_options options, error_code& ec,
                                                       diagnostics& diag);
/// The table `t` (its client, name and schema).
boost::asio::awaitable<table_description> ensure_table(const table& t, waiter_options options = {});

/// (client, name, schema, options, [diag,] token): void(error_code, table_description). The
/// client must live until the handler runs.
template <class... A>
auto async_ensure_table(ddb::client& c, std::string name, table_schema schema, waiter_options options,
                        A&&... a) {
  return ddb::detail::async_await(c.get_executor(),
                                  ensure_table(c, std::move(name), std::move(schema), std::move(options)),
                                  std::forward<A>(a)...);
}

} // namespace ddb::table
