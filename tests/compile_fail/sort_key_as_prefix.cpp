// A query by prefix takes a prefix_sort_key: a full sort key is not silently used as a prefix
// (begins_with on GROUP#1 also matches GROUP#10; say which prefix is meant).
#include <ddb/table/keys.hpp>

struct User {
  static constexpr std::string_view entity_name = "User";
};
struct Group {
  static constexpr std::string_view entity_name = "Group";
};

template <ddb::table::any_partition_key P, ddb::table::any_prefix_key S>
int query_prefix(const P&, const S&) {
  return 0;
}

int main() {
  ddb::table::partition_key<User> pk("alice");
#ifdef DDB_COMPILE_FAIL_CONTROL
  ddb::table::prefix_sort_key<Group> groups;
#else
  ddb::table::sort_key<Group> groups("1");
#endif
  return query_prefix(pk, groups);
}
