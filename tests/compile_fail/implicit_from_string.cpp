// Keys are built explicitly: a bare string is not silently some entity's key.
#include <ddb/table/keys.hpp>

#include <string>

struct User {
  static constexpr std::string_view entity_name = "User";
};

void remove_user(const ddb::table::partition_key<User>&) {}

int main() {
  std::string name = "alice";
#ifdef DDB_COMPILE_FAIL_CONTROL
  remove_user(ddb::table::partition_key<User>(name));
#else
  remove_user(name);
#endif
}
