#include <ddb/error.hpp>
#include <ddb/value.hpp>

#include <gtest/gtest.h>

#include <limits>
#include <sstream>

using namespace ddb;

TEST(Value, ItemLiteralReadsLikeTheData) {
  item user{{"PK", "USER#alice"},
            {"age", 42},
            {"score", number("12.50")},
            {"ratio", 0.25},
            {"admin", true},
            {"nothing", null},
            {"avatar", to_bytes(std::string_view("\x00\x01\xff", 3))},
            {"tags", string_set{"a", "b"}},
            {"lucky", number_set{7, 13}},
            {"blobs", binary_set{to_bytes("x")}},
            {"history", list{1, "two", false, list{}}},
            {"address", item{{"city", "Oslo"}, {"zip", "0150"}}}};
  EXPECT_EQ(user.at("PK").type(), value_type::string);
  EXPECT_EQ(user.at("age").as_number().to<int>(), 42);
  EXPECT_EQ(user.at("score").as_number().text(), "12.50");
  EXPECT_EQ(user.at("ratio").as_number().text(), "0.25");
  EXPECT_TRUE(user.at("admin").as_bool());
  EXPECT_TRUE(user.at("nothing").is_null());
  EXPECT_EQ(user.at("avatar").as_binary().size(), 3u);
  EXPECT_EQ(user.at("avatar").as_binary()[2], std::byte{0xff});
  EXPECT_EQ(user.at("tags").as_string_set().count("b"), 1u);
  EXPECT_EQ(user.at("lucky").as_number_set().count(number("13.0")), 1u);
  EXPECT_EQ(user.at("history").as_list().size(), 4u);
  EXPECT_EQ(user.at("address").as_map().at("zip").as_string(), "0150");
  EXPECT_EQ(user.at("blobs").type(), value_type::binary_set);
}

TEST(Value, BoolDoesNotSwallowPointersOrIntegers) {
  EXPECT_EQ(value("text").type(), value_type::string); // not BOOL
  EXPECT_EQ(value(1).type(), value_type::number);      // not BOOL
  EXPECT_EQ(value(true).type(), value_type::boolean);
  EXPECT_EQ(value().type(), value_type::null);
}

TEST(Value, EqualityIsDeepAndNumeric) {
  item a{{"n", number("1.0")}, {"m", item{{"l", list{1, "x"}}}}};
  item b{{"n", 1}, {"m", item{{"l", list{1, "x"}}}}};
  EXPECT_EQ(a, b);
  b["m"] = item{{"l", list{1, "y"}}};
  EXPECT_NE(a, b);
  EXPECT_NE(value("1"), value(1));         // S is not N
  EXPECT_NE(value(list{}), value(item{})); // L is not M
}

TEST(Value, WrongTypeAccessThrowsTypedError) {
  value v("text");
  try {
    (void)v.as_number();
    FAIL();
  } catch (const error& e) {
    EXPECT_EQ(e.code(), client_errc::wrong_type);
    EXPECT_NE(std::string(e.what()).find("is S, not N"), std::string::npos);
  }
  EXPECT_EQ(v.if_<number>(), nullptr);
  ASSERT_NE(v.if_<std::string>(), nullptr);
}

TEST(Value, DoublesThatAreNotNumbersThrow) {
  EXPECT_THROW((void)value(std::numeric_limits<double>::infinity()), error);
}

TEST(Value, PrintsAsDynamoDbJson) {
  std::ostringstream os;
  os << item{{"a", "x\"y"}, {"b", 1}, {"c", to_bytes("hi")}, {"d", null}, {"e", list{true}}};
  EXPECT_EQ(
      os.str(),
      R"({"a":{"S":"x\"y"},"b":{"N":"1"},"c":{"B":"aGk="},"d":{"NULL":true},"e":{"L":[{"BOOL":true}]}})");
}

TEST(Value, TypeTagsAreTheWireNames) {
  EXPECT_EQ(type_tag(value_type::string), "S");
  EXPECT_EQ(type_tag(value_type::null), "NULL");
  EXPECT_EQ(type_tag(value_type::binary_set), "BS");
}
