// Expression builders (include/ddb/expr/): document paths, conditions and update actions rendered
// with placeholders; malformed builders found before sending; the requests, the table layer's
// update builder and the transaction arguments that take them.
#include <ddb/expr/render.hpp>
#include <ddb/requests.hpp>
#include <ddb/serialize.hpp>
#include <ddb/table/model.hpp>
#include <ddb/table/transact.hpp>
#include <ddb/table/update_expression.hpp>

#include <boost/describe/class.hpp>
#include <gtest/gtest.h>

#include <string>
#include <type_traits>

using namespace ddb;
using namespace ddb::expr;
namespace dt = ddb::table;

namespace {

struct rendered {
  error_code ec;
  std::string text, why;
  expression_names names;
  ddb::item values;
};

template <class B>
rendered render_of(const B& b, expression_names names = {}, ddb::item values = {}) {
  rendered r{{}, {}, {}, std::move(names), std::move(values)};
  r.ec = render(b, r.text, r.names, r.values, r.why);
  return r;
}

// The text with every placeholder replaced by what it stands for: `#0.#1 = :0` -> `address.city =
// "Paris"`, so expectations read like the expression.
std::string spelled(const rendered& r) {
  std::string out;
  const std::string& t = r.text;
  for (std::size_t i = 0; i < t.size();) {
    if (t[i] == '#' || t[i] == ':') {
      std::size_t end = i + 1;
      while (end < t.size() && std::isdigit(static_cast<unsigned char>(t[end]))) ++end;
      std::string p = t.substr(i, end - i);
      if (t[i] == '#') {
        auto it = r.names.find(p);
        out += it == r.names.end() ? "?" + p : it->second;
      } else {
        auto it = r.values.find(p);
        if (it == r.values.end())
          out += "?" + p;
        else if (it->second.type() == value_type::string)
          out += '"' + it->second.as_string() + '"';
        else if (it->second.type() == value_type::number)
          out += it->second.as_number().str();
        else
          out += "<" + std::string(type_tag(it->second.type())) + ">";
      }
      i = end;
    } else {
      out += t[i++];
    }
  }
  return out;
}

template <class B>
std::string spelled(const B& b) {
  auto r = render_of(b);
  EXPECT_FALSE(r.ec) << r.why;
  return spelled(r);
}

template <class B>
std::string malformed(const B& b) {
  auto r = render_of(b);
  EXPECT_EQ(r.ec, client_errc::invalid_expression) << r.text;
  EXPECT_TRUE(r.text.empty());
  EXPECT_TRUE(r.names.empty() && r.values.empty()) << "a failed render left placeholders behind";
  return r.why;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Paths

TEST(ExprPath, ParsesNamesAndIndexes) {
  path p("orders[0][12].lines.sku");
  ASSERT_TRUE(p.error().empty()) << p.error();
  ASSERT_EQ(p.elements().size(), 5u);
  EXPECT_EQ(p.elements()[0].name, "orders");
  EXPECT_TRUE(p.elements()[1].is_index);
  EXPECT_EQ(p.elements()[2].index, 12u);
  EXPECT_EQ(p.elements()[4].name, "sku");
  EXPECT_EQ(p.attribute(), "orders");
  EXPECT_EQ(p.str(), "orders[0][12].lines.sku");
  EXPECT_EQ(path("address").dot("zip code")[3].str(), "address.zip code[3]");
  EXPECT_EQ(path::name("a.b[1]").elements().size(), 1u) << "name() is literal";
  EXPECT_EQ(path("a").then(path("b.c")).elements().size(), 3u);
}

TEST(ExprPath, MalformedPathsSayWhy) {
  for (const char* bad : {"", "a..b", ".a", "a.", "[0]", "a[", "a[x]", "a[]", "a[-1]", "a]b", "a[0]b",
                          "a[99999999999999999999999]"}) {
    path p(bad);
    EXPECT_FALSE(p.error().empty()) << "'" << bad << "' was accepted";
    EXPECT_NE(p.error().find(bad), std::string::npos) << p.error();
  }
  std::string deep = "a";
  for (int i = 0; i < 32; ++i) deep += ".a";
  EXPECT_NE(path(deep).error().find("32"), std::string::npos);
  EXPECT_FALSE(path::name("").error().empty());
  EXPECT_FALSE(path("a").dot("").error().empty());
  // However it became malformed, a path keeps no elements (found by fuzz_expression: a parsed
  // path over 32 levels kept all of them).
  for (const path& p :
       {path(deep), path("a").dot(""), path("a").then(path("..")), path(deep.substr(0, 63))[0], path("a..b")})
    EXPECT_TRUE(p.elements().empty()) << p.error() << ": " << p.elements().size() << " elements";
}

TEST(ExprPath, Overlaps) {
  EXPECT_TRUE(path("a").overlaps(path("a.b")));
  EXPECT_TRUE(path("a.b").overlaps(path("a")));
  EXPECT_TRUE(path("l[1]").overlaps(path("l[1].x")));
  EXPECT_FALSE(path("l[1]").overlaps(path("l[2]")));
  EXPECT_FALSE(path("a.b").overlaps(path("a.c")));
  EXPECT_FALSE(path("ab").overlaps(path("a")));
}

// ---------------------------------------------------------------------------------------------
// Conditions

TEST(ExprCondition, ComparisonsFunctionsAndPlaceholders) {
  EXPECT_EQ(spelled(attr("address.city") == "Paris"), "address.city = \"Paris\"");
  EXPECT_EQ(spelled(attr("n") != 1), "n <> 1");
  EXPECT_EQ(spelled(attr("n") < 2), "n < 2");
  EXPECT_EQ(spelled(attr("n") <= 3), "n <= 3");
  EXPECT_EQ(spelled(4 > attr("n")), "4 > n");
  EXPECT_EQ(spelled(attr("n") >= attr("m")), "n >= m");
  EXPECT_EQ(spelled(between(attr("age"), 18, 65)), "age BETWEEN 18 AND 65");
  EXPECT_EQ(spelled(in(attr("status"), {"new", "paid"})), "status IN (\"new\", \"paid\")");
  EXPECT_EQ(spelled(attribute_exists("a.b")), "attribute_exists(a.b)");
  EXPECT_EQ(spelled(attribute_not_exists("tags[2]")), "attribute_not_exists(tags[2])");
  EXPECT_EQ(spelled(attribute_type("n", type::number_set)), "attribute_type(n, \"NS\")");
  EXPECT_EQ(spelled(begins_with("SK", "ORDER#")), "begins_with(SK, \"ORDER#\")");
  EXPECT_EQ(spelled(contains("tags", "red")), "contains(tags, \"red\")");
  EXPECT_EQ(spelled(size("tags") > 3), "size(tags) > 3");

  // One placeholder per distinct name; every value its own.
  auto r = render_of(attr("a.b") == 1 && attr("b.a") == 1);
  EXPECT_EQ(r.text, "#0.#1 = :0 AND #1.#0 = :1");
  EXPECT_EQ(r.names.size(), 2u);
  EXPECT_EQ(r.values.size(), 2u);
}

TEST(ExprCondition, PrecedenceGetsParentheses) {
  auto a = attr("a") == 1, b = attr("b") == 2, c = attr("c") == 3;
  EXPECT_EQ(spelled((a || b) && c), "(a = 1 OR b = 2) AND c = 3");
  EXPECT_EQ(spelled(a || (b && c)), "a = 1 OR b = 2 AND c = 3");
  EXPECT_EQ(spelled(!(a && b)), "NOT (a = 1 AND b = 2)");
  EXPECT_EQ(spelled(!a && b), "NOT (a = 1) AND b = 2");
  EXPECT_EQ(spelled(!!a), "NOT (NOT (a = 1))");
  EXPECT_EQ(spelled(a && (b && c)), "a = 1 AND b = 2 AND c = 3");
}

TEST(ExprCondition, EmptyMeansNoCondition) {
  condition none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(spelled(none), "");
  EXPECT_EQ(spelled(none && attr("a") == 1), "a = 1");
  EXPECT_EQ(spelled(attr("a") == 1 || none), "a = 1");
  condition all;
  for (int i = 0; i < 3; ++i) all = std::move(all) && attr("n") != i;
  EXPECT_EQ(spelled(all), "n <> 0 AND n <> 1 AND n <> 2");
}

TEST(ExprCondition, MalformedConditionsFailAndAddNothing) {
  EXPECT_NE(malformed(attr("a..b") == 1).find("a..b"), std::string::npos);
  EXPECT_NE(malformed(in(attr("s"), {})).find("IN"), std::string::npos);
  std::vector<operand> many(101, operand(1));
  EXPECT_NE(malformed(in(attr("s"), many)).find("100"), std::string::npos);
  EXPECT_NE(malformed(!condition()).find("NOT"), std::string::npos);
  EXPECT_FALSE(malformed(attr("ok") == 1 && size("[0]") > 1).empty());
}

TEST(ExprCondition, PlaceholdersOfTheRequestAreKept) {
  // Taken placeholders are skipped; a digits-only name entry for the same attribute is reused.
  auto r = render_of(attr("x") == 1 && attr("y") == 2, {{"#0", "x"}, {"#1", "other"}, {"#n", "y"}},
                     {{":0", 5}, {":v", 6}});
  ASSERT_FALSE(r.ec) << r.why;
  EXPECT_EQ(r.text, "#0 = :1 AND #2 = :2");
  EXPECT_EQ(r.names.at("#1"), "other");
  EXPECT_EQ(r.names.at("#2"), "y");
  EXPECT_EQ(r.values.at(":0").as_number().str(), "5");
}

// The grammar in the types: size() is no SET value, arithmetic is no condition operand, and a
// string literal is a value (never a path).
static_assert(std::is_convertible_v<path, operand> && std::is_convertible_v<int, operand> &&
              std::is_convertible_v<const char*, operand>);
static_assert(!std::is_convertible_v<set_value, operand>);
static_assert(!std::is_convertible_v<operand, set_value>);
static_assert(!std::is_convertible_v<condition, operand> && !std::is_convertible_v<bool, condition>);

// ---------------------------------------------------------------------------------------------
// Update actions

TEST(ExprUpdate, SectionsInDynamoOrder) {
  auto u = update_actions()
               .add("score", 10)
               .set("address.city", "Paris")
               .remove("tags[2]")
               .set("visits", attr("visits") + 1)
               .remove_elements("colors", ddb::string_set{"red"})
               .set("left", attr("total") - attr("used"))
               .set("log", list_append(attr("log"), ddb::list{"x"}))
               .set("created", if_not_exists("created", "today"))
               .set("copy", attr("orig[0]"));
  EXPECT_EQ(spelled(u), "SET address.city = \"Paris\", visits = visits + 1, left = total - used, log = "
                        "list_append(log, <L>), created = if_not_exists(created, \"today\"), copy = orig[0] "
                        "REMOVE tags[2] ADD score 10 DELETE colors <SS>");
  EXPECT_EQ(spelled(update_actions().set("n", if_not_exists("n", 0) + 1)), "SET n = if_not_exists(n, 0) + 1");
}

TEST(ExprUpdate, MalformedUpdatesFail) {
  EXPECT_NE(malformed(update_actions()).find("no action"), std::string::npos);
  EXPECT_NE(malformed(update_actions().set("a", 1).remove("a.b")).find("overlapping"), std::string::npos);
  EXPECT_NE(malformed(update_actions().set("l[1]", 1).set("l[1]", 2)).find("l[1]"), std::string::npos);
  EXPECT_NE(malformed(update_actions().set("n", (attr("a") + 1) + 2)).find("arithmetic"), std::string::npos);
  EXPECT_NE(malformed(update_actions().set("n", if_not_exists("n", attr("a") + 1))).find("argument"),
            std::string::npos);
  EXPECT_FALSE(malformed(update_actions().set("a[", 1)).empty());
  // Distinct elements of one list are fine.
  EXPECT_EQ(spelled(update_actions().set("l[1]", 1).remove("l[2]")), "SET l[1] = 1 REMOVE l[2]");
}

// ---------------------------------------------------------------------------------------------
// Requests: builders render into the request; a malformed one fails before sending.

TEST(ExprRequests, BuildersGoIntoRequestBodies) {
  auto put = put_item_request("t", item{{"PK", "a"}}).condition(attribute_not_exists("PK") || attr("v") < 3);
  EXPECT_EQ(put.condition(), "attribute_not_exists(#0) OR #1 < :0");
  std::string body;
  ASSERT_FALSE(serialize(put, body)) << serialize_error_reason();
  EXPECT_NE(body.find(R"("ExpressionAttributeNames":{"#0":"PK","#1":"v"})"), std::string::npos) << body;

  auto upd = update_item_request("t", item{{"PK", "a"}})
                 .update(update_actions().set("a.b", 1))
                 .condition(attr("a.c") == 2)
                 .name("#mine", "m");
  EXPECT_EQ(upd.update(), "SET #0.#1 = :0");
  EXPECT_EQ(upd.condition(), "#0.#2 = :1") << "update and condition share the request's placeholders";

  auto q =
      query_request("t").key_condition(attr("PK") == "p" && begins_with("SK", "O#")).filter(attr("n") > 1);
  EXPECT_EQ(q.key_condition(), "#0 = :0 AND begins_with(#1, :1)");
  EXPECT_EQ(q.filter(), "#2 > :2");
  auto s = scan_request("t").filter(contains("tags", "x"));
  EXPECT_EQ(s.filter(), "contains(#0, :0)");

  auto tx = transact_write_request()
                .add(transact_update("t", item{{"PK", "a"}}).update(update_actions().add("n", 1)))
                .add(transact_condition_check("t", item{{"PK", "b"}}, attribute_exists("PK")));
  ASSERT_FALSE(serialize(tx, body)) << serialize_error_reason();
}

TEST(ExprRequests, MalformedBuilderFailsTheRequest) {
  auto put = put_item_request("t", item{{"PK", "a"}}).condition(attr("a..b") == 1);
  std::string body = "stale";
  EXPECT_EQ(serialize(put, body), client_errc::invalid_expression);
  EXPECT_TRUE(body.empty());
  EXPECT_NE(std::string(serialize_error_reason()).find("a..b"), std::string::npos)
      << serialize_error_reason();

  auto upd = update_item_request("t", item{{"PK", "a"}}).update(update_actions());
  EXPECT_EQ(serialize(upd, body), client_errc::invalid_expression);
  auto tx =
      transact_write_request().add(transact_delete("t", item{{"PK", "a"}}).condition(in(attr("x"), {})));
  EXPECT_EQ(serialize(tx, body), client_errc::invalid_expression);
}

// ---------------------------------------------------------------------------------------------
// The table layer's update builder and transaction arguments

using User = dt::named_entity<"User">;
using Group = dt::named_entity<"Group">;

TEST(ExprTable, UpdateExpressionOnPathsWithConditions) {
  auto u = dt::update()
               .set("profile.name", "Alice")
               .append("log", ddb::list{"x"})
               .condition("version", "=", 3)
               .condition(attribute_exists("profile"));
  auto r = render_of(u.actions());
  ASSERT_FALSE(r.ec) << r.why;
  EXPECT_EQ(spelled(r), "SET profile.name = \"Alice\", log = list_append(if_not_exists(log, <L>), <L>)");
  EXPECT_EQ(spelled(u.when()), "version = 3 AND attribute_exists(profile)");
  EXPECT_THROW(dt::update().condition("v", "~", 1), ddb::error);
}

TEST(ExprTable, TransactionArgumentsTakeBuilders) {
  const dt::partition_key<User> alice("alice");
  const dt::sort_key<Group> g("1");
  auto up = dt::update_arg(alice, g,
                           dt::update().add("members", 1).condition(attr("open") == true).condition_exists());
  EXPECT_EQ(up.update(), "ADD #0 :0");
  EXPECT_EQ(up.condition(), "#1 = :1");
  EXPECT_TRUE(up.must_exist());
  auto del = dt::delete_arg(alice, g).condition(attr("members") == 0);
  auto check = dt::condition_check_arg(alice, dt::sort_key<Group>("2"), attribute_exists("PK"));
  auto tx = dt::transaction().add(up).add(del).add(check);
  EXPECT_THROW(dt::detail::validate(tx), ddb::error) << "two actions on one item";

  auto ok = dt::transaction().add(up).add(check);
  dt::detail::validate(ok);
  auto req = dt::detail::make_transact_write_request("t", ok, dt::key_config(), "token");
  auto& update = std::get<transact_update>(req.actions()[0]);
  EXPECT_EQ(update.condition(), "attribute_exists(#ddb_insert_pk) AND (#1 = :1)");
  std::string body;
  ASSERT_FALSE(serialize(req, body)) << serialize_error_reason();

  auto bad = dt::transaction().add(dt::update_arg(alice, g, dt::update().set("a", 1).return_new()));
  try {
    dt::detail::validate(bad);
    ADD_FAILURE() << "return_new() in a transaction was accepted";
  } catch (const ddb::error& e) {
    EXPECT_EQ(e.code(), client_errc::invalid_expression) << e.what();
  }
  auto bad_path = dt::transaction().add(dt::delete_arg(alice, g).condition(attr("x[") == 1));
  try {
    dt::detail::validate(bad_path);
    ADD_FAILURE() << "a malformed path was accepted";
  } catch (const ddb::error& e) {
    EXPECT_EQ(e.code(), client_errc::invalid_expression);
    EXPECT_NE(std::string(e.what()).find("action 0"), std::string::npos) << e.what();
  }
}

// Model members as paths, checked by the compiler (compile_fail/model_field_not_described.cpp).
struct Address {
  std::string city;
};
BOOST_DESCRIBE_STRUCT(Address, (), (city))
struct Customer {
  std::string id;
  Address address;
  int visits = 0;
};
BOOST_DESCRIBE_STRUCT(Customer, (), (id, address, visits))

TEST(ExprTable, ModelFieldsAsPaths) {
  EXPECT_EQ(dt::field<&Customer::visits>().str(), "visits");
  auto city = dt::field<&Customer::address>().then(dt::field<&Address::city>());
  EXPECT_EQ(city.str(), "address.city");
  EXPECT_EQ(spelled(city == "Paris" && dt::field<&Customer::visits>() > 1),
            "address.city = \"Paris\" AND visits > 1");
}
