#include "http_date.hpp"

#include <gtest/gtest.h>

using ddb::detail::parse_http_date;
using namespace std::chrono;

TEST(HttpDate, ParsesImfFixdate) {
  auto t = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(duration_cast<seconds>(t->time_since_epoch()).count(), 784111777);
  auto leap = parse_http_date("Thu, 29 Feb 2024 23:59:59 GMT");
  ASSERT_TRUE(leap.has_value());
  EXPECT_EQ(duration_cast<seconds>(leap->time_since_epoch()).count(), 1709251199);
}

TEST(HttpDate, RejectsOtherForms) {
  for (auto s :
       {"", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Abc 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:49:37 GMT",
        "Sun, 0x Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMT "})
    EXPECT_FALSE(parse_http_date(s).has_value()) << s;
}
