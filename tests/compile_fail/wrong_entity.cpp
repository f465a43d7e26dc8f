// partition_key<User> is not partition_key<Group> where a function asks for a group.
#include <ddb/table/keys.hpp>

struct User {
  static constexpr std::string_view entity_name = "User";
};
struct Group {
  static constexpr std::string_view entity_name = "Group";
};

int count_members(const ddb::table::partition_key<Group>&) { return 0; }

int main() {
#ifdef DDB_COMPILE_FAIL_CONTROL
  ddb::table::partition_key<Group> key("1");
#else
  ddb::table::partition_key<User> key("alice");
#endif
  return count_members(key);
}
