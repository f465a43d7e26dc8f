// The Dokklib-DB walk-through ("Getting Started With Dokklib-DB for DynamoDB Single Table") in
// C++ against DynamoDB Local: users, groups, memberships, and many-to-many queries in both
// directions through the inverse index.
//
// The endpoint is $DDB_ENDPOINT, or http://127.0.0.1:<port> with the port read from
// $DDB_LOCAL_STATE/port (what tests/integration/ddblocal/ddblocal.sh writes). scripts/demo runs it.
// The table is $DB_TABLE_NAME (default SingleTable). With DDB_CREDENTIALS=chain, the region,
// credentials and proxy come from the environment and the AWS profile, as the AWS SDKs find
// them: role_via_proxy.sh runs it so, with a role assumed through credential_process.
#include <ddb/client.hpp>
#include <ddb/credentials_provider.hpp>
#include <ddb/error.hpp>
#include <ddb/table/table.hpp>
#include <ddb/table/transact.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace db = ddb::table;

// Entities: types that name what a key points at.
struct User {
  static constexpr std::string_view entity_name = "User";
};
struct Group {
  static constexpr std::string_view entity_name = "Group";
};

// Python's repr() of the values, so the output reads like the seeds' (`[{'SK': '1'}]`).
std::string py_repr(const ddb::value& v);

std::string py_str(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\\' || c == '\'') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "'";
}

std::string py_repr(const ddb::item& item) {
  std::string out = "{";
  for (auto& [name, v] : item) {
    if (out.size() > 1) out += ", ";
    out += py_str(name) + ": " + py_repr(v);
  }
  return out + "}";
}

std::string py_repr(const std::vector<ddb::item>& items) {
  std::string out = "[";
  for (auto& i : items) {
    if (out.size() > 1) out += ", ";
    out += py_repr(i);
  }
  return out + "]";
}

std::string py_repr(const ddb::value& v) {
  switch (v.type()) {
  case ddb::value_type::string:
    return py_str(v.as_string());
  case ddb::value_type::number:
    return "Decimal(" + py_str(v.as_number().text()) + ")"; // as boto3 returns them
  case ddb::value_type::boolean:
    return v.as_bool() ? "True" : "False";
  case ddb::value_type::null:
    return "None";
  case ddb::value_type::map:
    return py_repr(v.as_map());
  case ddb::value_type::list: {
    std::string out = "[";
    for (auto& e : v.as_list()) out += (out.size() > 1 ? ", " : "") + py_repr(e);
    return out + "]";
  }
  default: {
    std::ostringstream os; // binaries and sets: DynamoDB JSON is good enough for a demo
    os << v;
    return os.str();
  }
  }
}

ddb::client_options endpoint_options() {
  ddb::client_options o;
  if (const char* e = std::getenv("DDB_ENDPOINT")) {
    o.endpoint = e;
  } else if (const char* state = std::getenv("DDB_LOCAL_STATE")) {
    std::ifstream in(std::string(state) + "/port");
    std::string port;
    if (!(in >> port)) throw std::runtime_error(std::string("no port file in ") + state);
    o.endpoint = "http://127.0.0.1:" + port;
  } else {
    throw std::runtime_error("set DDB_ENDPOINT or DDB_LOCAL_STATE (scripts/demo does)");
  }
  const char* chain = std::getenv("DDB_CREDENTIALS");
  if (chain && std::string_view(chain) == "chain") {
    // As on a laptop: region and credentials from the environment and the AWS profile (roles,
    // credential_process, SSO...), proxies from HTTPS_PROXY/HTTP_PROXY: left empty here.
    return o;
  }
  o.region = "us-east-1";
  ddb::credentials local{"AKIDLOCAL", "secret", "", std::nullopt}; // DynamoDB Local checks no signature
  o.credentials = ddb::make_static_credentials_provider(local);
  return o;
}

asio::awaitable<void> scenario(ddb::client& client) {
  // Table setup: PK, SK and the inverse index GSI_1 (SK, PK).
  auto schema = db::table_schema().inverse_index();
  const char* name = std::getenv("DB_TABLE_NAME"); // as Dokklib-DB's models read it
  std::string table_name = name && *name ? name : "SingleTable";
  auto create = db::make_create_table_request(table_name, schema);
  ddb::error_code ec;
  ddb::diagnostics diag;
  co_await client.execute(create, ec, diag);
  ddb::waiter_options wait; // the AWS SDKs' delays: on AWS a new table is CREATING for a while
  if (ec == ddb::service_errc::resource_in_use) { // left over from an earlier run: start afresh
    auto drop = ddb::delete_table_request(table_name);
    co_await client.execute(drop);
    co_await client.wait_until_table_not_exists(table_name, wait);
    co_await client.execute(create);
  } else {
    ddb::throw_if(ec, diag);
  }
  co_await client.wait_until_table_exists(table_name, wait);
  db::table table(client, table_name, schema);

  // [readme-begin]
  // Construct entity keys.
  db::partition_key<User> pk_alice("alice");
  std::cout << pk_alice.str() << "\n"; // USER#alice
  db::sort_key<Group> sk_group_1("1");
  std::cout << sk_group_1.str() << "\n"; // GROUP#1

  // Add Alice to group one, then Alice to group two and Bob to group two.
  co_await table.insert(pk_alice, sk_group_1);
  db::sort_key<Group> sk_group_2("2");
  co_await table.insert(pk_alice, sk_group_2);
  db::partition_key<User> pk_bob("bob");
  co_await table.insert(pk_bob, sk_group_2);

  // Alice's groups, from the primary index. Dokklib projected the sort key only; so do we here.
  db::prefix_sort_key<Group> group_prefix;
  std::cout << group_prefix.str() << "\n"; // GROUP#
  auto sk_only = db::query_options().project_sort_key();
  auto alice_groups = co_await table.query(pk_alice, db::begins_with(group_prefix), sk_only);
  std::cout << py_repr(alice_groups) << "\n"; // [{'SK': '1'}, {'SK': '2'}]

  // Group two's members, from the inverse index (an async stream this time).
  db::partition_key<Group> pk_group_2("2");
  std::cout << pk_group_2.str() << "\n"; // GROUP#2
  db::prefix_sort_key<User> user_prefix;
  std::cout << user_prefix.str() << "\n"; // USER#
  auto inverse = db::query_options().index(db::table_index::inverse()).project_sort_key();
  auto stream = table.query_prefix(pk_group_2, user_prefix, inverse);
  std::vector<ddb::item> members;
  while (auto member = co_await stream.next()) members.push_back(std::move(*member));
  std::cout << py_repr(members) << "\n"; // [{'PK': 'alice'}, {'PK': 'bob'}]
  // [readme-end]

  // Inserting an existing item fails with a typed error.
  try {
    co_await table.insert(pk_alice, sk_group_1);
    std::cout << "FAILED: the duplicate insert succeeded\n";
  } catch (const ddb::error& e) {
    if (e.code() == ddb::service_errc::conditional_check_failed)
      std::cout << "insert(USER#alice, GROUP#1) again: conditional_check_failed (" << e.diag().error_type
                << ")\n";
    else
      throw;
  }

  // Move users from group one to group two atomically (the seeds' transaction, literally: a new
  // group called "group2"; deleting Bob from group one, where he is not, is a no-op).
  db::sort_key<Group> sk_group2("group2");
  auto move = db::transaction()
                  .add(db::delete_arg(pk_alice, sk_group_1))
                  .add(db::delete_arg(pk_bob, sk_group_1))
                  .add(db::insert_arg(pk_alice, sk_group2))
                  .add(db::insert_arg(pk_bob, sk_group2));
  co_await db::transact_write(client, table_name, move, schema);
  auto alice_after = co_await table.query(pk_alice, db::begins_with(group_prefix), sk_only);
  // [{'SK': '2'}, {'SK': 'group2'}]
  std::cout << "after the move, Alice's groups: " << py_repr(alice_after) << "\n";
  db::partition_key<Group> pk_group2("group2");
  auto group2 = co_await table.query(pk_group2, db::begins_with(user_prefix), inverse);
  std::cout << "group2's members: " << py_repr(group2) << "\n"; // [{'PK': 'alice'}, {'PK': 'bob'}]
}

int main() {
  try {
    asio::io_context io;
    ddb::client client(io.get_executor(), endpoint_options());
    auto done = asio::co_spawn(io, scenario(client), asio::use_future);
    io.run();
    done.get();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "FAILED: " << e.what() << "\n";
    return 1;
  }
}
