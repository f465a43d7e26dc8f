// x-amz-crc32: zlib's CRC-32 of the body, as a decimal header; checked against captured responses.
#include <ddb/crc32.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using namespace ddb;

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

const std::filesystem::path responses = std::filesystem::path(DDB_TEST_DATA_DIR) / "responses";

} // namespace

TEST(Crc32, KnownValues) {
  EXPECT_EQ(crc32(""), 0u);
  EXPECT_EQ(crc32("123456789"), 0xcbf43926u); // the CRC-32/ISO-HDLC check value
  EXPECT_EQ(crc32("{}"), 2745614147u);        // DynamoDB Local's header for an empty response
}

TEST(Crc32, EveryCapturedSuccessBodyMatchesItsHeader) {
  int checked = 0;
  for (auto& entry : std::filesystem::directory_iterator(responses)) {
    auto path = entry.path();
    if (path.extension() != ".crc32") continue;
    std::string header = slurp(path);
    std::string body = slurp(path.replace_extension(".json"));
    std::string status = slurp(path.replace_extension(".status"));
    SCOPED_TRACE(path.filename().string());
    if (status == "200") {
      ASSERT_FALSE(header.empty()); // DynamoDB Local sends it on every success...
      EXPECT_EQ(std::to_string(crc32(body)), header);
      EXPECT_FALSE(check_crc32(body, header));
      ++checked;
      // A flipped bit anywhere is caught.
      std::string bad = body;
      bad[bad.size() / 2] ^= 0x10;
      EXPECT_EQ(check_crc32(bad, header), client_errc::crc32_mismatch);
      EXPECT_EQ(check_crc32(body.substr(0, body.size() - 1), header), client_errc::crc32_mismatch);
    } else {
      EXPECT_TRUE(header.empty()); // ...and none on errors
      EXPECT_FALSE(check_crc32(body, header));
    }
  }
  EXPECT_GE(checked, 25);
}

TEST(Crc32, MissingHeaderIsNotChecked) {
  EXPECT_FALSE(check_crc32("anything", ""));
  EXPECT_FALSE(check_crc32("anything", "  "));
}

TEST(Crc32, HeaderWhitespaceIsTrimmed) {
  EXPECT_FALSE(check_crc32("{}", " 2745614147 "));
  EXPECT_FALSE(check_crc32("{}", "\t2745614147"));
}

TEST(Crc32, MismatchIsRetryable) {
  auto ec = check_crc32("{}", "2745614148");
  EXPECT_EQ(ec, client_errc::crc32_mismatch);
  EXPECT_TRUE(is_retryable(ec));
  EXPECT_EQ(check_crc32("{}", "0"), client_errc::crc32_mismatch);
  EXPECT_FALSE(check_crc32("", "0"));
}

TEST(Crc32, UnparsableHeaderIsMalformed) {
  for (const char* h : {"abc", "-1", "+5", "12x", "1 2", "4294967296", "99999999999999999999999", "0x1f",
                        "2745614147.0", "\xff"}) {
    SCOPED_TRACE(h);
    EXPECT_EQ(check_crc32("{}", h), client_errc::malformed_response);
  }
  EXPECT_EQ(check_crc32("", "4294967295"), client_errc::crc32_mismatch); // largest valid value
}

TEST(Crc32, LargeBodiesAreHashedWhole) {
  std::string big(3 << 20, 'x');
  auto c = crc32(big);
  big.back() = 'y';
  EXPECT_NE(crc32(big), c);
  EXPECT_FALSE(check_crc32(big, std::to_string(crc32(big))));
}
