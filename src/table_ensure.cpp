// ensure_table: compare an existing table with the layer's schema, or create it; then wait ACTIVE.
#include <ddb/error.hpp>
#include <ddb/table/ensure_table.hpp>
#include <ddb/table/table.hpp>

#include <algorithm>

namespace ddb::table {

namespace {

// "HASH PK, RANGE SK" of a key schema as described.
std::string describe_keys(const std::vector<key_schema_element>& keys) {
  std::string s;
  for (auto& k : keys) s += (s.empty() ? "" : ", ") + k.key_type + " " + k.attribute_name;
  return s.empty() ? "none" : s;
}

std::string expected_keys(const std::string& pk, const std::string& sk) {
  return "HASH " + pk + (sk.empty() ? std::string() : ", RANGE " + sk);
}

bool keys_equal(const std::vector<key_schema_element>& keys, const std::string& pk, const std::string& sk) {
  std::string hash, range;
  for (auto& k : keys) (k.key_type == "HASH" ? hash : range) = k.attribute_name;
  return keys.size() == (sk.empty() ? 1u : 2u) && hash == pk && range == sk;
}

} // namespace

std::string schema_differences(const table_description& t, const table_schema& schema) {
  std::string out;
  auto add = [&](std::string line) { out += (out.empty() ? "" : "\n") + std::move(line); };
  const auto& pk = schema.keys().partition_key();
  const auto& sk = schema.keys().sort_key();
  if (!keys_equal(t.key_schema, pk, sk))
    add("key schema is " + describe_keys(t.key_schema) + ", expected " + expected_keys(pk, sk));
  // The described AttributeDefinitions hold only key attributes (of the table and its indexes).
  for (auto& a : schema.key_attributes()) {
    auto it = std::find_if(t.attribute_definitions.begin(), t.attribute_definitions.end(),
                           [&](const attribute_definition& d) { return d.attribute_name == a; });
    if (it != t.attribute_definitions.end() && it->attribute_type != "S")
      add("attribute " + a + " has type " + it->attribute_type + ", expected S");
  }
  for (auto& want : schema.global_indexes()) {
    auto it = std::find_if(t.global_secondary_indexes.begin(), t.global_secondary_indexes.end(),
                           [&](const index_description& d) { return d.index_name == want.name(); });
    if (it == t.global_secondary_indexes.end()) {
      add("GSI " + want.name() + " is missing (expected " +
          expected_keys(want.partition_key(), want.sort_key()) + ")");
      continue;
    }
    if (!keys_equal(it->key_schema, want.partition_key(), want.sort_key()))
      add("GSI " + want.name() + " key schema is " + describe_keys(it->key_schema) + ", expected " +
          expected_keys(want.partition_key(), want.sort_key()));
    if (!it->projection.projection_type.empty() && it->projection.projection_type != "ALL")
      add("GSI " + want.name() + " projects " + it->projection.projection_type + ", expected ALL");
  }
  return out;
}

boost::asio::awaitable<table_description> ensure_table(ddb::client& c, std::string name, table_schema schema,
                                                       waiter_options options, error_code& ec,
                                                       diagnostics& diag) {
  ec = {};
  diag.clear();
  if ((ec = options.validate())) {
    diag.message = "waiter_options: need 0 < min_delay <= max_delay and max_wait > 0";
    co_return table_description{};
  }
  auto describe = describe_table_request(name);
  table_description t = co_await c.execute(describe, ec, diag);
  if (ec == service_errc::resource_not_found) {
    auto create = make_create_table_request(name, schema);
    t = co_await c.execute(create, ec, diag);
    if (ec == service_errc::resource_in_use) ec = {}; // created meanwhile by someone else: compare it below
    if (ec) co_return table_description{};
    diag.clear();
  } else if (ec) {
    co_return table_description{};
  } else if (auto diff = schema_differences(t, schema); !diff.empty()) {
    ec = client_errc::table_schema_mismatch;
    diag.message = "table '" + name + "': " + diff;
    co_return table_description{};
  }
  t = co_await c.wait_until_table_exists(name, options.indexes(true), ec, diag);
  if (ec) co_return table_description{};
  if (auto diff = schema_differences(t, schema); !diff.empty()) {
    ec = client_errc::table_schema_mismatch;
    diag.message = "table '" + name + "': " + diff;
    co_return table_description{};
  }
  co_return t;
}

boost::asio::awaitable<table_description> ensure_table(ddb::client& c, std::string name, table_schema schema,
                                                       waiter_options options) {
  error_code ec;
  diagnostics diag;
  auto t = co_await ensure_table(c, std::move(name), std::move(schema), std::move(options), ec, diag);
  throw_if(ec, diag);
  co_return t;
}

boost::asio::awaitable<table_description> ensure_table(const table& t, waiter_options options) {
  return ensure_table(t.client(), t.name(), t.schema(), std::move(options));
}

} // namespace ddb::table
