// Proxy and endpoint settings from the environment: proxy URLs, NO_PROXY lists and region names
// must never crash, and what they accept must be usable.
#include <ddb/endpoints.hpp>
#include <ddb/proxy.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {
void check(bool ok) {
  if (!ok) std::abort();
}
bool printable(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // The input as a proxy URL: accepted ones give a host, a port, and header-safe credentials.
  ddb::error_code ec;
  std::string why;
  auto p = ddb::parse_proxy_url(text, ec, &why);
  if (ec) {
    check(!why.empty());
  } else {
    check(!p.host.empty() && p.port != 0);
    check(printable(p.username) && printable(p.password) && printable(p.authorization()));
    check(printable(p.authority()));
  }
  // The input as a NO_PROXY list, against a name, an IPv4 and an IPv6 host.
  const std::size_t half = text.size() / 2;
  const std::string_view list = text.substr(0, half), host = text.substr(half);
  (void)ddb::no_proxy_matches(text, "db.example.com", 443);
  (void)ddb::no_proxy_matches(text, "10.1.2.3", 80);
  (void)ddb::no_proxy_matches(text, "fd00:ec2::254", 80);
  (void)ddb::no_proxy_matches(list, host, 8000);
  check(ddb::no_proxy_matches("*", host, 1));
  // The input as a region: an accepted one gives an http(s) URL that parses.
  for (int variant = 0; variant < 4; ++variant) {
    ddb::endpoint_params ep;
    ep.region = text;
    ep.use_fips = variant & 1;
    ep.use_dual_stack = variant & 2;
    ep.account_id = list;
    auto url = ddb::dynamodb_endpoint(ep, ec, &why);
    if (ec) continue;
    auto u = ddb::parse_endpoint_url(url, ec);
    check(!ec);
    check(u.path == "/");
  }
  return 0;
}
