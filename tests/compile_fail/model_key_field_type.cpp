// Key fields are strings or integers (or optionals of them): a double has no stable key text.
#include <ddb/table/model.hpp>

#include <boost/describe/class.hpp>

#include <string>

struct Reading {
  std::string sensor;
  double at = 0;
  long seq = 0;
  static constexpr std::string_view entity_name = "Reading";
  static constexpr ddb::table::key_fields partition_fields{"sensor"};
#ifdef DDB_COMPILE_FAIL_CONTROL
  static constexpr ddb::table::key_fields sort_fields{"seq"};
#else
  static constexpr ddb::table::key_fields sort_fields{"at"};
#endif
};
BOOST_DESCRIBE_STRUCT(Reading, (), (sensor, at, seq))

int main() {
  Reading r{"s1", 1.5, 2};
  return static_cast<int>(ddb::table::model_sort_key(r).size());
}
