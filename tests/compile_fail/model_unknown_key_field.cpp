// A model's key fields must name described members: a misspelt field does not compile.
#include <ddb/table/model.hpp>

#include <boost/describe/class.hpp>

#include <string>

struct Account {
  std::string tenant;
  std::string id;
  static constexpr std::string_view entity_name = "Account";
#ifdef DDB_COMPILE_FAIL_CONTROL
  static constexpr ddb::table::key_fields partition_fields{"tenant"};
#else
  static constexpr ddb::table::key_fields partition_fields{"tennant"};
#endif
  static constexpr ddb::table::key_fields sort_fields{"id"};
};
BOOST_DESCRIBE_STRUCT(Account, (), (tenant, id))

int main() {
  Account a{"t", "1"};
  return static_cast<int>(ddb::table::model_partition_key(a).size());
}
