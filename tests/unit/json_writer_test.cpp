#include "json_writer.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

using ddb::detail::append_json_escaped;
using ddb::detail::json_writer;
using namespace std::string_literals;

namespace {

std::string escaped(std::string_view s) {
  std::string out;
  append_json_escaped(out, s);
  return out;
}

} // namespace

TEST(json_escape, plain_text_is_copied) {
  EXPECT_EQ(escaped(""), "");
  EXPECT_EQ(escaped("hello world"), "hello world");
  EXPECT_EQ(escaped("a/b'c"), "a/b'c"); // '/' and '\'' need no escaping
}

TEST(json_escape, quote_and_backslash) {
  EXPECT_EQ(escaped("say \"hi\""), R"(say \"hi\")");
  EXPECT_EQ(escaped("C:\\dir\\"), R"(C:\\dir\\)");
  EXPECT_EQ(escaped("\"\\\""), R"(\"\\\")");
}

TEST(json_escape, control_characters_become_u00xx) {
  EXPECT_EQ(escaped("a\nb"), R"(a\u000ab)");
  EXPECT_EQ(escaped("\t\r\b\f"), R"(\u0009\u000d\u0008\u000c)");
  EXPECT_EQ(escaped("\x01\x1f"), R"(\u0001\u001f)");
  EXPECT_EQ(escaped("x\0y"s), R"(x\u0000y)");
  EXPECT_EQ(escaped("\x7f"), "\x7f"); // DEL is not a JSON control character
}

TEST(json_escape, utf8_is_kept) {
  EXPECT_EQ(escaped("Zo\xc3\xab \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80"),
            "Zo\xc3\xab \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80");
  // Bytes are copied as they are: validation is the serializer's job.
  EXPECT_EQ(escaped("\xff\xc3"), "\xff\xc3");
}

TEST(json_escape, appends) {
  std::string out = "prefix:";
  append_json_escaped(out, "a\"b");
  EXPECT_EQ(out, R"(prefix:a\"b)");
}

TEST(json_writer, commas_are_placed_automatically) {
  std::string out;
  json_writer w(out);
  w.begin_object();
  w.raw_key("a");
  w.integer(1);
  w.raw_key("b");
  w.begin_array();
  w.string("x");
  w.boolean(true);
  w.boolean(false);
  w.begin_object();
  w.end_object();
  w.begin_array();
  w.end_array();
  w.raw_string("y");
  w.end_array();
  w.key("c\"d");
  w.begin_object();
  w.raw_key("e");
  w.string("f\n");
  w.end_object();
  w.end_object();
  EXPECT_EQ(out, R"({"a":1,"b":["x",true,false,{},[],"y"],"c\"d":{"e":"f\u000a"}})");
}

TEST(json_writer, integers) {
  std::string out;
  json_writer w(out);
  w.begin_array();
  w.integer(0);
  w.integer(-7);
  w.integer(std::numeric_limits<std::int64_t>::min());
  w.integer(std::numeric_limits<std::int64_t>::max());
  w.end_array();
  EXPECT_EQ(out, "[0,-7,-9223372036854775808,9223372036854775807]");
}

TEST(json_writer, raw_json_pieces) {
  std::string out;
  json_writer w(out);
  w.begin_array();
  w.raw_begin() += R"("AAEC")";
  w.raw_end();
  w.raw_begin() += R"({"x":null})";
  w.raw_end();
  w.integer(1);
  w.end_array();
  EXPECT_EQ(out, R"(["AAEC",{"x":null},1])");
}

TEST(json_writer, appends_to_existing_text) {
  std::string out = "x=";
  json_writer w(out);
  w.begin_object();
  w.end_object();
  EXPECT_EQ(out, "x={}");
}
