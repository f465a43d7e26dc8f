// A key's entity must have a compile-time entity_name.
#include <ddb/table/keys.hpp>

#include <string>

#ifdef DDB_COMPILE_FAIL_CONTROL
struct Thing {
  static constexpr std::string_view entity_name = "Thing";
};
#else
struct Thing {
  static inline std::string entity_name = "Thing"; // a runtime name: not an entity
};
#endif

int main() {
  ddb::table::partition_key<Thing> key("x");
  return static_cast<int>(key.str().size());
}
