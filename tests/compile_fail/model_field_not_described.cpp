// field<&T::m>() names a described member: one left out of BOOST_DESCRIBE_STRUCT does not compile.
#include <ddb/expr/condition.hpp>
#include <ddb/table/model.hpp>

#include <boost/describe/class.hpp>

#include <string>

struct Account {
  std::string owner;
  std::string id;
  int balance = 0;
  int secret = 0;
};
BOOST_DESCRIBE_STRUCT(Account, (), (owner, id, balance))

int main() {
#ifdef DDB_COMPILE_FAIL_CONTROL
  auto c = ddb::table::field<&Account::balance>() >= 5;
#else
  auto c = ddb::table::field<&Account::secret>() >= 5;
#endif
  return c.empty() ? 1 : 0;
}
