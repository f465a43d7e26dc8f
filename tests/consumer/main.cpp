// A program that uses ddb the way another project does: through the installed package
// (find_package) or the source tree (add_subdirectory). It needs no network: it configures a
// client, builds a request from single-table keys, serializes it and prints the body.
#include <ddb/client.hpp>
#include <ddb/credentials_provider.hpp>
#include <ddb/error.hpp>
#include <ddb/serialize.hpp>
#include <ddb/table/keys.hpp>

#include <boost/asio/io_context.hpp>

#include <iostream>
#include <string>

struct User {
  static constexpr std::string_view entity_name = "User";
};
struct Group {
  static constexpr std::string_view entity_name = "Group";
};

int main() {
  ddb::client_options options;
  options.endpoint = "http://127.0.0.1:8000"; // never contacted
  options.region = "us-east-1";
  options.credentials = ddb::make_static_credentials_provider({"AKIDLOCAL", "secret", "", std::nullopt});

  ddb::table::partition_key<User> alice("alice");
  ddb::table::sort_key<Group> group_1("1");
  ddb::item item = ddb::table::key_item(alice, group_1);
  item.emplace("role", "admin");
  auto put = ddb::put_item_request("SingleTable", item).condition("attribute_not_exists(PK)");

  std::string body;
  ddb::throw_if(ddb::serialize(put, body));
  std::cout << ddb::target_prefix << decltype(put)::operation << " " << body << "\n";

  // A client links the rest of the library (pool, TLS, SigV4, credentials); constructing one
  // opens nothing.
  boost::asio::io_context io;
  ddb::client client(io.get_executor(), options);
  std::cout << "pool_size " << client.options().pool_size << ", open " << client.stats().open << "\n";
  io.run();
  std::cout << "consumer ok\n";
}
