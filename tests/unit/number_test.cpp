#include <ddb/error.hpp>
#include <ddb/number.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

using ddb::client_errc;
using ddb::number;

namespace {

ddb::error_code parse_error(std::string_view s) { return ddb::validate_number(s); }

} // namespace

TEST(Number, KeepsTextExactly) {
  EXPECT_EQ(number("12.50").text(), "12.50");
  EXPECT_EQ(number("-0.000000000000000000000000000000000001").text(),
            "-0.000000000000000000000000000000000001");
  std::string big38 = "12345678901234567890123456789012345678";
  EXPECT_EQ(number(big38).text(), big38);
}

TEST(Number, AcceptsDynamoDbForms) {
  for (auto s : {"0", "-0", "1", "-1", "12.5", ".5", "5.", "1e3", "1E+3", "1e-3", "00012.50", "+7", "1e-130",
                 "-1e-130", "9.9999999999999999999999999999999999999E+125", "0e999999999999",
                 "100000000000000000000000000000000000000000000000000", // 1 significant digit
                 "0.0000000000000000000000000000000000000000000000000001"})
    EXPECT_FALSE(parse_error(s)) << s;
}

TEST(Number, RejectsMalformedText) {
  for (auto s : {"", "-", "+", ".", "e5", "1e", "1e+", "1.2.3", "1,5", " 1", "1 ", "0x10", "NaN", "Infinity",
                 "--1", "1e5.5", "١"})
    EXPECT_EQ(parse_error(s), client_errc::invalid_number) << s;
}

TEST(Number, RejectsOutOfDynamoDbRange) {
  EXPECT_EQ(parse_error("123456789012345678901234567890123456789"), client_errc::number_out_of_range);
  EXPECT_EQ(parse_error("1.23456789012345678901234567890123456789"), client_errc::number_out_of_range);
  EXPECT_EQ(parse_error("1e126"), client_errc::number_out_of_range);
  EXPECT_EQ(parse_error("1e-131"), client_errc::number_out_of_range);
  EXPECT_EQ(parse_error("0.1e-130"), client_errc::number_out_of_range);
  EXPECT_EQ(parse_error("1e99999999999999999999"), client_errc::number_out_of_range);
  EXPECT_FALSE(parse_error("10e125") == ddb::error_code()); // 1E+126
}

TEST(Number, ConstructorThrowsTypedError) {
  try {
    number n("12x");
    FAIL() << "no throw";
  } catch (const ddb::error& e) {
    EXPECT_EQ(e.code(), client_errc::invalid_number);
  }
  ddb::error_code ec;
  number::parse("1e200", ec);
  EXPECT_EQ(ec, client_errc::number_out_of_range);
}

TEST(Number, EqualityAndOrderAreNumeric) {
  EXPECT_EQ(number("1.50"), number("1.5"));
  EXPECT_EQ(number("100"), number("1e2"));
  EXPECT_EQ(number("0"), number("-0.000"));
  EXPECT_NE(number("1"), number("1.0000000000000000000000000000000000001"));
  EXPECT_LT(number("-2"), number("-1"));
  EXPECT_LT(number("-1"), number("0"));
  EXPECT_LT(number("0"), number("1e-130"));
  EXPECT_LT(number("9"), number("10"));
  EXPECT_LT(number("0.09"), number("0.1"));
  EXPECT_GT(number("-0.09"), number("-0.1"));
}

TEST(Number, IntegersAreExact) {
  EXPECT_EQ(number(std::numeric_limits<std::int64_t>::min()).text(), "-9223372036854775808");
  EXPECT_EQ(number(std::numeric_limits<std::uint64_t>::max()).text(), "18446744073709551615");
  EXPECT_EQ(number("-9223372036854775808").to<std::int64_t>(), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(number("18446744073709551615").to<std::uint64_t>(), std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(number("1.5e1").to<int>(), 15);
  EXPECT_EQ(number("1200e-2").to<int>(), 12);
  EXPECT_EQ(number("-0").to<unsigned>(), 0u);
}

TEST(Number, IntegerConversionsFailLoudly) {
  auto code = [](auto f) {
    try {
      f();
    } catch (const ddb::error& e) {
      return e.code();
    }
    return ddb::error_code();
  };
  EXPECT_EQ(code([] { number("1.5").to<int>(); }), client_errc::precision_loss);
  EXPECT_EQ(code([] { number("1e-3").to<int>(); }), client_errc::precision_loss);
  EXPECT_EQ(code([] { number("9223372036854775808").to<std::int64_t>(); }), client_errc::number_out_of_range);
  EXPECT_EQ(code([] { number("18446744073709551616").to<std::uint64_t>(); }),
            client_errc::number_out_of_range);
  EXPECT_EQ(code([] { number("128").to<std::int8_t>(); }), client_errc::number_out_of_range);
  EXPECT_EQ(code([] { number("-1").to<unsigned>(); }), client_errc::number_out_of_range);
  EXPECT_EQ(code([] { number("1e30").to<std::int64_t>(); }), client_errc::number_out_of_range);
}

TEST(Number, DoublesRoundTripOrFail) {
  EXPECT_EQ(number::from_double(0.1).text(), "0.1");
  EXPECT_EQ(number::from_double(-2.5).text(), "-2.5");
  EXPECT_DOUBLE_EQ(number("0.1").to_double(), 0.1);
  EXPECT_DOUBLE_EQ(number("1e-5").to_double(), 1e-5);
  EXPECT_EQ(number("9007199254740992").to_double(), 9007199254740992.0); // 2^53 is exact
  EXPECT_THROW(number("9007199254740993").to_double(), ddb::error);      // 2^53 + 1 is not
  EXPECT_THROW(number("0.10000000000000000001").to_double(), ddb::error);
  EXPECT_THROW(number("12345678901234567890123456789").to_double(), ddb::error);
  EXPECT_THROW(number::from_double(std::numeric_limits<double>::quiet_NaN()), ddb::error);
  EXPECT_THROW(number::from_double(std::numeric_limits<double>::infinity()), ddb::error);
  EXPECT_THROW(number::from_double(1e300), ddb::error); // beyond DynamoDB's 1E+126
}
