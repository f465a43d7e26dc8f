// Generic operations constrain their parameters by role: partition key first, then sort key.
#include <ddb/table/keys.hpp>

struct User {
  static constexpr std::string_view entity_name = "User";
};
struct Group {
  static constexpr std::string_view entity_name = "Group";
};

int main() {
  ddb::table::partition_key<User> pk("alice");
  ddb::table::sort_key<Group> sk("1");
#ifdef DDB_COMPILE_FAIL_CONTROL
  auto key = ddb::table::key_item(pk, sk);
#else
  auto key = ddb::table::key_item(sk, pk);
#endif
  return static_cast<int>(key.size());
}
