// ddb::page and its views: flat storage read back, owning copies, memory reuse, lifetimes.
#include <ddb/error.hpp>
#include <ddb/page.hpp>
#include <ddb/parse.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace ddb;

namespace {

std::string response(const std::string& name) {
  std::ifstream f(std::string(DDB_TEST_DATA_DIR) + "/responses/" + name + ".json", std::ios::binary);
  EXPECT_TRUE(f) << name;
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

page parse_page(const std::string& body) {
  page p;
  diagnostics d;
  auto ec = parse_query(body, p, d);
  EXPECT_FALSE(ec) << ec.message() << ": " << d.message;
  return p;
}

std::vector<std::byte> bytes_of(std::span<const std::byte> s) { return {s.begin(), s.end()}; }

// The every-type item the capture script writes (DynamoDB Local's output order, not ours).
const std::string types_text =
    "h\u00e9llo \"quoted\" back\\\\slash\nnewline\ttab \u65e5\u672c\u8a9e \U0001F600 ctl\x01 slash/";

} // namespace

TEST(Page, EveryTypeReadsBackThroughViews) {
  page p = parse_page(response("query_types"));
  ASSERT_EQ(p.size(), 1u);
  item_view it = p[0];
  EXPECT_EQ(it.size(), 20u);

  EXPECT_EQ(it.at("PK").type(), value_type::string);
  EXPECT_EQ(it.at("PK").as_string(), "TYPES");
  EXPECT_EQ(it.at("s").as_string(), types_text);
  EXPECT_EQ(it.at("empty").as_string(), "");
  EXPECT_EQ(it.at("n").as_number(), "-12500");
  EXPECT_EQ(it.at("n").to_number(), number(-12500));
  EXPECT_EQ(it.at("big").as_number(), "12345678901234567890123456789012345678");
  EXPECT_EQ(it.at("tiny").to_number(), number("1E-130"));
  EXPECT_EQ(bytes_of(it.at("b").as_binary()), to_bytes(std::string_view("\x00\x01\x02\x03\xff", 5)));
  EXPECT_TRUE(it.at("t").as_bool());
  EXPECT_FALSE(it.at("f").as_bool());
  EXPECT_TRUE(it.at("nul").is_null());
  EXPECT_EQ(it.at("nul").size(), 0u);

  value_view l = it.at("l");
  ASSERT_EQ(l.type(), value_type::list);
  ASSERT_EQ(l.size(), 5u);
  std::vector<value_type> types;
  for (value_view e : l.as_list()) types.push_back(e.type());
  EXPECT_EQ(types, (std::vector<value_type>{value_type::string, value_type::number, value_type::list,
                                            value_type::map, value_type::binary}));
  auto elements = l.as_list();
  auto e = elements.begin();
  EXPECT_EQ((*e).as_string(), "x");
  ++e;
  EXPECT_EQ((*e).as_number(), "1");
  ++e;
  EXPECT_TRUE((*e).as_list().empty());
  ++e;
  item_view deep_map = (*e).as_map();
  value_view deep = deep_map.at("deep");
  ASSERT_EQ(deep.size(), 2u);
  EXPECT_TRUE((*deep.as_list().begin()).is_null());
  EXPECT_FALSE((*std::next(deep.as_list().begin())).as_bool());
  ++e;
  EXPECT_EQ(bytes_of((*e).as_binary()), to_bytes("\xff"));
  EXPECT_EQ(std::next(e), elements.end());

  item_view m = it.at("m").as_map();
  EXPECT_EQ(m.size(), 3u);
  EXPECT_EQ(m.at("inner").as_map().at("k\u00e9y").as_string(), "v");
  EXPECT_EQ(m.at("inner").as_map().at("n").as_number(), "0.5");
  EXPECT_TRUE(m.at("empty_map").as_map().empty());

  std::vector<std::string_view> ss;
  for (value_view s : it.at("ss").elements()) ss.push_back(s.as_string());
  EXPECT_EQ(ss, (std::vector<std::string_view>{"bl\u00fc", "green", "red"}));
  std::vector<std::string_view> ns;
  for (value_view n : it.at("ns").elements()) ns.push_back(n.as_number());
  EXPECT_EQ(ns, (std::vector<std::string_view>{"-300", "1", "2.5"}));
  std::vector<std::vector<std::byte>> bs;
  for (value_view b : it.at("bs").elements()) bs.push_back(bytes_of(b.as_binary()));
  EXPECT_EQ(bs, (std::vector<std::vector<std::byte>>{to_bytes("\x01"), to_bytes("\x02\x03")}));
  EXPECT_EQ(it.at("ss").type(), value_type::string_set);
  EXPECT_EQ(it.at("ns").type(), value_type::number_set);
  EXPECT_EQ(it.at("bs").type(), value_type::binary_set);
}

TEST(Page, ToItemMatchesTheOwningModel) {
  page p = parse_page(response("query_types"));
  item expected{
      {"PK", "TYPES"},
      {"SK", "1"},
      {"s", types_text},
      {"empty", ""},
      {"n", number("-12500")},
      {"big", number("12345678901234567890123456789012345678")},
      {"tiny", number("1E-130")},
      {"b", to_bytes(std::string_view("\x00\x01\x02\x03\xff", 5))},
      {"t", true},
      {"f", false},
      {"nul", null},
      {"l", list{"x", 1, list{}, item{{"deep", list{null, false}}}, to_bytes("\xff")}},
      {"m", item{{"inner", item{{"k\u00e9y", "v"}, {"n", number("0.5")}}},
                 {"empty_map", item{}},
                 {"ss", string_set{"a", "b"}}}},
      {"ss", string_set{"red", "green", "bl\u00fc"}},
      {"ns", number_set{1, number("2.5"), number("-3e2")}},
      {"bs", binary_set{to_bytes("\x01"), to_bytes("\x02\x03")}},
      {"name", "types"},
      {"score", 7},
      {"GSI1PK", "G"},
      {"GSI1SK", 1},
  };
  item got = p[0].to_item();
  EXPECT_EQ(got.size(), expected.size());
  for (auto& [name, v] : expected) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(got.count(name));
    EXPECT_EQ(got.at(name), v);
  }
  EXPECT_EQ(got, expected);
  EXPECT_EQ(p[0].at("l").to_value(), expected.at("l"));
  EXPECT_EQ(p.to_items(), std::vector<item>{expected});
}

TEST(Page, AttributesIterateInResponseOrder) {
  page p = parse_page(response("query_page1"));
  std::vector<std::string_view> names;
  for (auto [name, value] : p[0]) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string_view>{"score", "hist", "GSI1PK", "GSI1SK", "SK", "name", "PK",
                                                  "attrs"}));
  int strings = 0;
  for (const attribute_view& a : p[1])
    if (a.value.type() == value_type::string) ++strings;
  EXPECT_EQ(strings, 4);
}

TEST(Page, FindAndAt) {
  page p = parse_page(response("query_page1"));
  item_view i = p[1];
  ASSERT_TRUE(i.find("score"));
  EXPECT_EQ(i.find("score")->as_number(), "20");
  EXPECT_FALSE(i.find("nope"));
  EXPECT_FALSE(i.find(""));
  EXPECT_FALSE(i.find("scor"));
  EXPECT_TRUE(i.contains("attrs"));
  EXPECT_THROW((void)i.at("nope"), std::out_of_range);
  EXPECT_FALSE(i.at("attrs").as_map().at("odd").as_bool());
}

TEST(Page, WrongTypeThrowsWrongType) {
  page p = parse_page(response("query_page1"));
  value_view score = p[0].at("score");
  try {
    (void)score.as_string();
    FAIL();
  } catch (const error& e) {
    EXPECT_EQ(e.code(), client_errc::wrong_type);
  }
  EXPECT_THROW((void)score.as_bool(), error);
  EXPECT_THROW((void)score.as_binary(), error);
  EXPECT_THROW((void)score.as_map(), error);
  EXPECT_THROW((void)score.as_list(), error);
  EXPECT_THROW((void)score.elements(), error);
  EXPECT_THROW((void)p[0].at("PK").as_number(), error);
  EXPECT_THROW((void)p[0].at("PK").to_number(), error);
  EXPECT_THROW((void)p[0].at("attrs").as_list(), error); // a map is not a list
  EXPECT_NO_THROW((void)p[0].at("hist").elements());
}

TEST(Page, ItemRangeIsRandomAccess) {
  page p = parse_page(response("scan_page"));
  auto items = p.items();
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items.end() - items.begin(), 3);
  EXPECT_EQ(items[2].at("SK").as_string(), "item#3");
  EXPECT_EQ((*(items.begin() + 1)).at("SK").as_string(), "item#2");
  EXPECT_EQ(items.begin()[0].at("SK").as_string(), "item#1");
  EXPECT_LT(items.begin(), items.end());
  std::vector<std::string_view> sks;
  for (item_view i : items) sks.push_back(i.at("SK").as_string());
  EXPECT_EQ(sks, (std::vector<std::string_view>{"item#1", "item#2", "item#3"}));
  static_assert(std::random_access_iterator<page::item_range::iterator>);
  static_assert(std::forward_iterator<item_view::iterator>);
  static_assert(std::forward_iterator<element_range::iterator>);
}

TEST(Page, ReparsingReusesMemory) {
  std::string big = response("query_types");
  std::string small = response("query_page1");
  page p;
  diagnostics d;
  ASSERT_FALSE(parse_query(big, p, d));
  ASSERT_FALSE(parse_query(small, p, d)); // more items (index), fewer bytes
  std::size_t capacity = p.capacity_bytes();
  for (int i = 0; i < 5; ++i) {
    ASSERT_FALSE(parse_query(small, p, d));
    ASSERT_FALSE(parse_query(big, p, d));
    EXPECT_EQ(p.capacity_bytes(), capacity);
  }
  EXPECT_EQ(p[0].at("PK").as_string(), "TYPES");
  ASSERT_FALSE(parse_query(small, p, d));
  EXPECT_EQ(p.size(), 2u);
  EXPECT_EQ(p[1].at("SK").as_string(), "item#2");
  EXPECT_TRUE(p.has_more());
  ASSERT_FALSE(parse_query(response("query_last"), p, d));
  EXPECT_FALSE(p.has_more()); // nothing left over from the previous page
  EXPECT_FALSE(p.last_evaluated_key());
}

TEST(Page, ClearKeepsMemory) {
  page p = parse_page(response("query_page1"));
  auto capacity = p.capacity_bytes();
  p.clear();
  EXPECT_TRUE(p.empty());
  EXPECT_EQ(p.count(), 0u);
  EXPECT_FALSE(p.last_evaluated_key());
  EXPECT_FALSE(p.consumed_capacity());
  EXPECT_EQ(p.capacity_bytes(), capacity);
}

TEST(Page, CopiesAndMovesAreIndependent) {
  page a = parse_page(response("query_page1"));
  page b = a;
  EXPECT_EQ(b.size(), 2u);
  EXPECT_EQ(b.to_items(), a.to_items());
  EXPECT_EQ(b.last_evaluated_key(), a.last_evaluated_key());
  diagnostics d;
  ASSERT_FALSE(parse_query(response("query_types"), a, d));
  EXPECT_EQ(b[0].at("SK").as_string(), "item#1"); // the copy is unaffected
  page c = std::move(b);
  EXPECT_EQ(c[1].at("SK").as_string(), "item#2");
  page e;
  e = c;
  EXPECT_EQ(e[1].at("name").as_string(), "name 2");
  e = std::move(a);
  EXPECT_EQ(e[0].at("PK").as_string(), "TYPES");
  page empty;
  page f = empty; // copying an empty page
  EXPECT_TRUE(f.empty());
}

TEST(Page, LastEvaluatedKeyOutlivesThePage) {
  std::optional<item> key;
  {
    page p = parse_page(response("query_gsi"));
    key = p.last_evaluated_key();
  }
  ASSERT_TRUE(key);
  EXPECT_EQ(*key, (item{{"SK", "item#2"}, {"PK", "Q"}, {"GSI1PK", "G"}, {"GSI1SK", 3}}));
}

TEST(Page, StringsWithEscapesAndLongValues) {
  std::string long_text(100000, 'z');
  std::string body = R"({"Items":[{"a\"b":{"S":"\u0041\n\\"},"long":{"S":")" + long_text +
                     R"("},"e":{"S":""},"":{"N":"0"}}],"Count":1})";
  page p = parse_page(body);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].at("a\"b").as_string(), "A\n\\");
  EXPECT_EQ(p[0].at("long").as_string(), long_text);
  EXPECT_EQ(p[0].at("e").as_string(), "");
  EXPECT_EQ(p[0].at("").as_number(), "0");
}

TEST(Page, DuplicateNamesKeepTheFirstInOwningCopies) {
  page p = parse_page(R"({"Items":[{"a":{"N":"1"},"a":{"N":"2"}}]})");
  EXPECT_EQ(p[0].size(), 2u);
  EXPECT_EQ(p[0].at("a").as_number(), "1");
  EXPECT_EQ(p[0].to_item().at("a"), value(1));
}

TEST(Page, EmptyPageAndCountOnly) {
  page p = parse_page(response("query_count"));
  EXPECT_TRUE(p.empty());
  EXPECT_EQ(p.items().begin(), p.items().end());
  EXPECT_EQ(p.count(), 5u);
  EXPECT_EQ(p.scanned_count(), 5u);
  page q = parse_page(R"({"Items":[],"Count":0,"ScannedCount":0})");
  EXPECT_TRUE(q.empty());
  EXPECT_TRUE(q.to_items().empty());
}

TEST(Page, FailedParseLeavesAnEmptyPage) {
  page p = parse_page(response("query_page1"));
  diagnostics d;
  // Fails inside an item, after nodes of it were written.
  ASSERT_EQ(parse_query(R"({"Items":[{"a":{"L":[{"N":"1"}]},"odd":O{}}]})", p, d),
            client_errc::malformed_response);
  EXPECT_TRUE(p.empty());
  EXPECT_FALSE(p.last_evaluated_key());
  EXPECT_EQ(p.count(), 0u);
  for (item_view i : p.items()) (void)i.to_item();
  ASSERT_FALSE(parse_query(response("query_page1"), p, d)); // and it is reusable
  EXPECT_EQ(p.size(), 2u);
}
