// A partition key cannot stand for a sort key, even of the right entity.
#include <ddb/table/keys.hpp>

struct User {
  static constexpr std::string_view entity_name = "User";
};
struct Group {
  static constexpr std::string_view entity_name = "Group";
};

void add_to_group(const ddb::table::partition_key<User>&, const ddb::table::sort_key<Group>&) {}

int main() {
  ddb::table::partition_key<User> alice("alice");
#ifdef DDB_COMPILE_FAIL_CONTROL
  ddb::table::sort_key<Group> group("1");
#else
  ddb::table::partition_key<Group> group("1");
#endif
  add_to_group(alice, group);
}
