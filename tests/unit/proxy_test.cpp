#include <ddb/proxy.hpp>

#include "env_map.hpp"

#include <gtest/gtest.h>

#include <map>

using ddb::client_errc;

namespace {

using ddb_test::env_map;
using ddb_test::env_of;

ddb::endpoint_url url(std::string_view u) {
  ddb::error_code ec;
  auto e = ddb::parse_endpoint_url(u, ec);
  EXPECT_FALSE(ec) << u;
  return e;
}

// The proxy host:port chosen for `target`, "direct", or "error: why".
std::string choose(const env_map& env, std::string_view target, ddb::proxy_settings s = {}) {
  ddb::error_code ec;
  std::string why;
  auto p = ddb::resolve_proxy(env_of(env), url(target), s, ec, &why);
  if (ec) return "error: " + why;
  return p ? p->authority() : "direct";
}

} // namespace

TEST(ProxyUrl, Parses) {
  ddb::error_code ec;
  auto p = ddb::parse_proxy_url("http://proxy.corp:3128", ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(p.host, "proxy.corp");
  EXPECT_EQ(p.port, 3128);
  EXPECT_EQ(p.authorization(), "");

  p = ddb::parse_proxy_url("HTTP://User:p%40ss%3Aword@PROXY:8080/", ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(p.host, "proxy");
  EXPECT_EQ(p.username, "User");
  EXPECT_EQ(p.password, "p@ss:word");
  // base64("User:p@ss:word")
  EXPECT_EQ(p.authorization(), "Basic VXNlcjpwQHNzOndvcmQ=");

  p = ddb::parse_proxy_url("proxy:3128", ec); // no scheme: http, as curl
  ASSERT_FALSE(ec);
  EXPECT_EQ(p.authority(), "proxy:3128");

  p = ddb::parse_proxy_url("http://[::1]", ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(p.host, "::1");
  EXPECT_EQ(p.port, 80);
  EXPECT_EQ(p.authority(), "[::1]:80");

  p = ddb::parse_proxy_url("http://user@proxy:1", ec); // a user without a password
  ASSERT_FALSE(ec);
  EXPECT_EQ(p.authorization(), "Basic dXNlcjo=");
}

TEST(ProxyUrl, RefusesWhatItCannotUse) {
  for (const char* bad :
       {"https://proxy:3128", "socks5://proxy:1080", "http://proxy:3128/path", "http://proxy?x",
        "http://:pw@proxy:1", "http://proxy:0", "http://proxy:65536", "http://proxy:", "http://",
        "http://pro xy:1", "http://u:%zz@proxy:1", "http://u:%0d%0a@proxy:1", "http://[::1:1"}) {
    ddb::error_code ec;
    std::string why;
    ddb::parse_proxy_url(bad, ec, &why);
    EXPECT_EQ(ec, client_errc::invalid_config) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
}

TEST(NoProxy, Matches) {
  using ddb::no_proxy_matches;
  EXPECT_TRUE(no_proxy_matches("*", "anything", 1));
  EXPECT_TRUE(no_proxy_matches("example.com", "example.com", 443));
  EXPECT_TRUE(no_proxy_matches("example.com", "db.EXAMPLE.com", 443));
  EXPECT_TRUE(no_proxy_matches(".example.com", "db.example.com", 443));
  EXPECT_TRUE(no_proxy_matches("*.example.com", "db.example.com", 443));
  EXPECT_TRUE(no_proxy_matches(".example.com", "example.com", 443));
  EXPECT_FALSE(no_proxy_matches("example.com", "badexample.com", 443));
  EXPECT_FALSE(no_proxy_matches("example.com", "example.com.evil", 443));
  EXPECT_TRUE(no_proxy_matches("a.test, example.com ,b.test", "example.com", 1));
  EXPECT_TRUE(no_proxy_matches("a.test example.com", "example.com", 1));
  EXPECT_FALSE(no_proxy_matches("", "example.com", 1));
  EXPECT_FALSE(no_proxy_matches(",,", "example.com", 1));

  EXPECT_TRUE(no_proxy_matches("127.0.0.1", "127.0.0.1", 8000));
  EXPECT_FALSE(no_proxy_matches("127.0.0.1", "127.0.0.2", 8000));
  EXPECT_TRUE(no_proxy_matches("10.0.0.0/8", "10.1.2.3", 1));
  EXPECT_FALSE(no_proxy_matches("10.0.0.0/8", "11.1.2.3", 1));
  EXPECT_TRUE(no_proxy_matches("169.254.169.254/32", "169.254.169.254", 80));
  EXPECT_TRUE(no_proxy_matches("::1", "::1", 1));
  EXPECT_TRUE(no_proxy_matches("[::1]", "::1", 1));
  EXPECT_TRUE(no_proxy_matches("fd00::/8", "fd00:ec2::254", 80));
  EXPECT_FALSE(no_proxy_matches("fd00::/8", "fe80::1", 80));
  EXPECT_FALSE(no_proxy_matches("10.0.0.0/8", "ten.example", 1)); // a range never matches a name
  EXPECT_FALSE(no_proxy_matches("127.0.0.1", "localhost", 1));    // nor an address a name

  EXPECT_TRUE(no_proxy_matches("db.test:8000", "db.test", 8000));
  EXPECT_FALSE(no_proxy_matches("db.test:8000", "db.test", 443));
  EXPECT_TRUE(no_proxy_matches("[::1]:8000", "::1", 8000));
  EXPECT_FALSE(no_proxy_matches("[::1]:8000", "::1", 8001));
}

TEST(ResolveProxy, ByScheme) {
  const env_map env{{"https_proxy", "http://s:1"}, {"http_proxy", "http://p:2"}};
  EXPECT_EQ(choose(env, "https://dynamodb.us-east-1.amazonaws.com"), "s:1");
  EXPECT_EQ(choose(env, "http://127.0.0.1:8000"), "p:2");
  EXPECT_EQ(choose({{"HTTPS_PROXY", "http://S:1"}}, "https://x.test"), "s:1");
  EXPECT_EQ(choose({{"HTTPS_PROXY", "http://S:1"}}, "http://x.test"), "direct");
  EXPECT_EQ(choose({{"HTTP_PROXY", "http://P:2"}}, "https://x.test"), "direct");
  EXPECT_EQ(choose({}, "https://x.test"), "direct");
  // Lower case first, as Python and curl.
  EXPECT_EQ(choose({{"https_proxy", "http://lower:1"}, {"HTTPS_PROXY", "http://upper:1"}}, "https://x.test"),
            "lower:1");
  // Empty counts as unset.
  EXPECT_EQ(choose({{"https_proxy", ""}, {"HTTPS_PROXY", "http://upper:1"}}, "https://x.test"), "upper:1");
}

TEST(ResolveProxy, HttpProxyIsIgnoredInCgi) {
  EXPECT_EQ(choose({{"HTTP_PROXY", "http://p:2"}}, "http://x.test"), "p:2");
  EXPECT_EQ(choose({{"HTTP_PROXY", "http://p:2"}, {"REQUEST_METHOD", "GET"}}, "http://x.test"), "direct");
  EXPECT_EQ(choose({{"http_proxy", "http://p:2"}, {"REQUEST_METHOD", "GET"}}, "http://x.test"), "p:2");
}

TEST(ResolveProxy, NoProxyAndOptions) {
  const env_map env{{"https_proxy", "http://s:1"}, {"NO_PROXY", ".amazonaws.com"}};
  EXPECT_EQ(choose(env, "https://dynamodb.us-east-1.amazonaws.com"), "direct");
  EXPECT_EQ(choose(env, "https://other.test"), "s:1");
  EXPECT_EQ(choose({{"https_proxy", "http://s:1"}, {"no_proxy", "*"}}, "https://other.test"), "direct");

  // The options win over the environment.
  EXPECT_EQ(choose(env, "https://other.test", {std::string(""), std::nullopt}), "direct");
  EXPECT_EQ(
      choose(env, "https://dynamodb.us-east-1.amazonaws.com", {std::string("http://o:3"), std::nullopt}),
      "direct"); // NO_PROXY still applies
  EXPECT_EQ(
      choose(env, "https://dynamodb.us-east-1.amazonaws.com", {std::string("http://o:3"), std::string("")}),
      "o:3");
  EXPECT_EQ(choose({}, "http://127.0.0.1:8000", {std::string("http://o:3"), std::nullopt}), "o:3");
}

TEST(ResolveProxy, BadUrlsNameTheirSetting) {
  EXPECT_EQ(choose({{"https_proxy", "https://s:1"}}, "https://x.test").rfind("error: https_proxy: ", 0), 0u);
  EXPECT_EQ(choose({}, "https://x.test", {std::string("http://s:1/x"), std::nullopt})
                .rfind("error: client_options::proxy: ", 0),
            0u);
  // A bad proxy for a host NO_PROXY exempts is never used, so never an error.
  EXPECT_EQ(choose({{"https_proxy", "https://s:1"}, {"no_proxy", "x.test"}}, "https://x.test"), "direct");
}
