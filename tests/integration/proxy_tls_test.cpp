// The client through a real HTTP proxy (Debian's tinyproxy, started per test): plain HTTP to
// DynamoDB Local as absolute-form requests, HTTPS to the nginx TLS fixture through CONNECT
// tunnels (the certificate still checked end to end), proxy basic auth, NO_PROXY, the proxy
// environment variables, and the errors of a proxy that refuses.
#include "script_fixture.hpp"

#include <ddb/error.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace asio = boost::asio;
using namespace ddb_test;

namespace {

// tinyproxy on a free port; with a user, it wants Proxy-Authorization.
class proxy_server {
public:
  explicit proxy_server(std::string user = "", std::string password = "")
      : fixture_(DDB_TINYPROXY_SCRIPT, "tinyproxy", [&](const std::filesystem::path&) {
          return user.empty() ? std::string() : user + " " + password;
        }) {}
  std::string url(std::string_view userinfo = "") const {
    std::string u = "http://";
    if (!userinfo.empty()) u.append(userinfo).append("@");
    return u + "127.0.0.1:" + std::to_string(fixture_.port());
  }
  // Lines of tinyproxy's log that contain `what`: the requests it forwarded.
  std::size_t count(std::string_view what) const {
    std::ifstream in(fixture_.dir() / "log");
    std::size_t n = 0;
    for (std::string l; std::getline(in, l);)
      if (l.find(what) != std::string::npos) ++n;
    return n;
  }
  std::string log() const {
    std::ifstream in(fixture_.dir() / "log");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }

private:
  script_fixture fixture_;
};

std::string nginx_port() { return read_state("DDB_NGINX_STATE", "port"); }
std::string nginx_ca() { return std::string(std::getenv("DDB_NGINX_STATE")) + "/ca.pem"; }

ddb::client_options https_options() {
  auto o = local_options();
  o.endpoint = "https://localhost:" + nginx_port();
  o.ca_file = nginx_ca();
  return o;
}

// Sets an environment variable for one scope (the tests here run one at a time per process).
class scoped_env {
public:
  scoped_env(const char* name, const std::optional<std::string>& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      ::setenv(name, value->c_str(), 1);
    else
      ::unsetenv(name);
  }
  ~scoped_env() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }

private:
  const char* name_;
  std::optional<std::string> old_;
};

struct outcome {
  ddb::error_code ec;
  ddb::diagnostics diag;
};

// CreateTable, then `puts` PutItems and a GetItem of the last one; stops at the first failure.
outcome round_trip(const ddb::client_options& opts, int puts = 3) {
  outcome r;
  run([&](asio::io_context& io) -> asio::awaitable<void> {
    ddb::client c(io.get_executor(), opts);
    const std::string table = unique_table("proxy");
    std::string out;
    co_await c.invoke(
        "CreateTable",
        R"({"TableName":")" + table +
            R"(","AttributeDefinitions":[{"AttributeName":"PK","AttributeType":"S"}],)"
            R"("KeySchema":[{"AttributeName":"PK","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"})",
        out, r.ec, r.diag);
    if (r.ec) co_return;
    for (int i = 0; i < puts; ++i) {
      co_await c.invoke("PutItem",
                        R"({"TableName":")" + table + R"(","Item":{"PK":{"S":"k"},"n":{"N":")" +
                            std::to_string(i) + R"("}}})",
                        out, r.ec, r.diag);
      if (r.ec) co_return;
    }
    co_await c.invoke("GetItem", R"({"TableName":")" + table + R"(","Key":{"PK":{"S":"k"}}})", out, r.ec,
                      r.diag);
    if (r.ec) co_return;
    EXPECT_NE(out.find(R"("n":{"N":")" + std::to_string(puts - 1) + "\"}"), std::string::npos) << out;
  });
  return r;
}

#define EXPECT_OK(r) EXPECT_FALSE((r).ec) << (r).ec.message() << ": " << (r).diag.message

} // namespace

TEST(Proxy, PlainHttpGoesAsAbsoluteFormRequests) {
  proxy_server proxy;
  auto opts = local_options();
  opts.proxy = proxy.url();
  auto r = round_trip(opts);
  EXPECT_OK(r);
  // CreateTable, 3 PutItems, GetItem: each forwarded by the proxy to DynamoDB Local.
  EXPECT_EQ(proxy.count("POST " + opts.endpoint + "/ HTTP/1.1"), 5u) << proxy.log();
}

TEST(Proxy, HttpsGoesThroughConnectTunnelsWithTheCertificateChecked) {
  proxy_server proxy;
  auto opts = https_options();
  opts.proxy = proxy.url();
  auto r = round_trip(opts, 10);
  EXPECT_OK(r);
  const auto tunnels = proxy.count("CONNECT localhost:" + nginx_port() + " HTTP/1.1");
  // One tunnel per pooled connection (the calls are sequential: one), not one per request.
  EXPECT_EQ(tunnels, 1u) << proxy.log();
  EXPECT_EQ(proxy.count("POST "), 0u) << "the proxy saw a request in clear:\n" << proxy.log();

  // TLS is end to end: a CA that did not sign nginx's certificate fails through the tunnel too.
  opts.ca_file = std::string(std::getenv("DDB_NGINX_STATE")) + "/other-ca.pem";
  opts.retry.max_attempts = 1;
  r = round_trip(opts);
  ASSERT_TRUE(r.ec);
  EXPECT_EQ(r.ec.category(), asio::error::get_ssl_category()) << r.ec.message() << ": " << r.diag.message;
}

TEST(Proxy, BasicAuthFromTheUrl) {
  proxy_server proxy("ddbuser", "s3cr-t.x_y"); // tinyproxy takes no ':' or '@' in its configuration
  for (bool tls : {false, true}) {
    SCOPED_TRACE(tls ? "https" : "http");
    auto opts = tls ? https_options() : local_options();
    opts.proxy = proxy.url("ddbuser:s3cr%2Dt.x_y"); // percent-encoded in the URL: decoded before use
    auto r = round_trip(opts, 1);
    EXPECT_OK(r) << proxy.log();

    // Refusals are final, never retried. Over plain HTTP tinyproxy resets the connection right
    // after its 407 (the request body unread): the status read is enough.
    opts.retry.max_attempts = 1;
    opts.proxy = proxy.url();
    r = round_trip(opts, 1);
    EXPECT_EQ(r.ec, ddb::client_errc::proxy_auth_required) << r.ec.message() << ": " << r.diag.message;
    EXPECT_NE(r.diag.message.find("127.0.0.1:"), std::string::npos) << r.diag.message;

    opts.proxy = proxy.url("ddbuser:wrong"); // tinyproxy answers 401 to these
    r = round_trip(opts, 1);
    EXPECT_EQ(r.ec, ddb::client_errc::proxy_auth_required) << r.ec.message() << ": " << r.diag.message;
    EXPECT_NE(r.diag.message.find("wrong user or password"), std::string::npos) << r.diag.message;
  }
}

TEST(Proxy, ARefusedTunnelNamesTheProxyAndItsStatus) {
  proxy_server proxy;
  auto opts = https_options();
  // A port where nothing listens (DynamoDB Local's own is plain HTTP; take a fresh closed one).
  asio::io_context io;
  asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
  const auto closed = a.local_endpoint().port();
  a.close();
  opts.endpoint = "https://localhost:" + std::to_string(closed);
  opts.proxy = proxy.url();
  opts.retry.max_attempts = 1;
  auto r = round_trip(opts);
  EXPECT_EQ(r.ec, ddb::client_errc::proxy_refused) << r.ec.message() << ": " << r.diag.message;
  EXPECT_NE(r.diag.message.find("through the proxy 127.0.0.1:"), std::string::npos) << r.diag.message;
}

TEST(Proxy, EnvironmentVariablesAndNoProxy) {
  proxy_server proxy;
  auto opts = local_options(); // proxy left nullopt: from the environment
  const std::string port = read_state("DDB_LOCAL_STATE", "port");
  {
    scoped_env h("http_proxy", proxy.url()), H("HTTP_PROXY", std::nullopt), n("no_proxy", std::nullopt),
        N("NO_PROXY", std::nullopt);
    EXPECT_OK(round_trip(opts, 1));
    EXPECT_EQ(proxy.count("POST http://127.0.0.1:" + port + "/"), 3u) << proxy.log();
  }
  {
    scoped_env h("http_proxy", std::nullopt), H("HTTP_PROXY", proxy.url()), n("no_proxy", std::nullopt),
        N("NO_PROXY", "example.com, 127.0.0.0/8");
    EXPECT_OK(round_trip(opts, 1));
    EXPECT_EQ(proxy.count("POST http://127.0.0.1:" + port + "/"), 3u) << "NO_PROXY was not honoured";
  }
  {
    // https_proxy applies to https endpoints only.
    scoped_env h("http_proxy", std::nullopt), H("HTTP_PROXY", std::nullopt), s("https_proxy", proxy.url()),
        n("no_proxy", std::nullopt), N("NO_PROXY", std::nullopt);
    EXPECT_OK(round_trip(opts, 1));
    EXPECT_EQ(proxy.count("POST http://127.0.0.1:" + port + "/"), 3u) << proxy.log();
    EXPECT_OK(round_trip(https_options(), 1));
    EXPECT_EQ(proxy.count("CONNECT localhost:" + nginx_port()), 1u) << proxy.log();
  }
  {
    // An explicit "" wins over the environment: no proxy.
    scoped_env h("http_proxy", proxy.url());
    opts.proxy = "";
    EXPECT_OK(round_trip(opts, 1));
    EXPECT_EQ(proxy.count("POST http://127.0.0.1:" + port + "/"), 3u) << proxy.log();
  }
}

TEST(Proxy, UnusableProxyUrlsAreRefusedBeforeAnythingIsSent) {
  asio::io_context io;
  for (const char* url : {"https://127.0.0.1:3128", "socks5://127.0.0.1:1080", "http://127.0.0.1:3128/path",
                          "http://:pw@127.0.0.1:3128", "http://127.0.0.1:99999"}) {
    auto opts = local_options();
    opts.proxy = url;
    try {
      ddb::client c(io.get_executor(), opts);
      ADD_FAILURE() << url << " was accepted";
    } catch (const ddb::error& e) {
      EXPECT_EQ(e.code(), ddb::client_errc::invalid_config) << url << ": " << e.what();
      EXPECT_NE(std::string_view(e.what()).find("proxy"), std::string_view::npos) << e.what();
    }
  }
}
