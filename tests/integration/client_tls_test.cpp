// The client over HTTPS: nginx terminates TLS (certificates from a test CA made at fixture start)
// in front of DynamoDB Local. Certificate and host name verification, custom CA files, SNI,
// TLS session resumption across pooled connections (nginx/README.md has the log format).
#include "ddblocal_env.hpp"

#include <ddb/error.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using namespace ddb_test;

namespace {

// Runs a coroutine to completion on a fresh io_context; rethrows its exception.
std::string nginx_dir() {
  const char* dir = std::getenv("DDB_NGINX_STATE");
  if (!dir) throw std::runtime_error("DDB_NGINX_STATE is not set: run through ctest");
  return dir;
}
std::string nginx_port(const char* which) { return read_state("DDB_NGINX_STATE", which); }
std::string nginx_file(const char* name) { return nginx_dir() + "/" + name; }

// Client options for nginx: `host` "localhost" or "127.0.0.1", `port_file` one of the fixture's
// port files, `ca` a PEM file in the fixture's folder (empty: the system store).
ddb::client_options tls_options(const std::string& host, const char* port_file, const char* ca) {
  auto o = local_options();
  o.endpoint = "https://" + host + ":" + nginx_port(port_file);
  if (*ca) o.ca_file = nginx_file(ca);
  return o;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_from(const std::string& path, std::size_t offset) {
  std::string all = slurp(path);
  std::vector<std::string> out;
  std::istringstream in(offset < all.size() ? all.substr(offset) : std::string());
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) out.push_back(l);
  return out;
}

std::size_t file_size(const std::string& path) { return slurp(path).size(); }

bool contains(std::string_view s, std::string_view what) { return s.find(what) != std::string_view::npos; }

std::string create_table_body(const std::string& table) {
  return R"({"TableName":")" + table +
         R"(","AttributeDefinitions":[{"AttributeName":"PK","AttributeType":"S"},{"AttributeName":"SK","AttributeType":"S"}],)"
         R"("KeySchema":[{"AttributeName":"PK","KeyType":"HASH"},{"AttributeName":"SK","KeyType":"RANGE"}],)"
         R"("BillingMode":"PAY_PER_REQUEST"})";
}

// ListTables, then CreateTable, PutItem, GetItem through `c`; every step must succeed.
asio::awaitable<void> round_trip(ddb::client& c, std::string base) {
  std::string table = unique_table(base), out;
  ddb::error_code ec;
  ddb::diagnostics diag;
  co_await c.invoke("ListTables", "{}", out, ec, diag);
  EXPECT_FALSE(ec) << ec.message() << " " << diag.message;
  EXPECT_NE(out.find("\"TableNames\""), std::string::npos) << out;
  co_await c.invoke("CreateTable", create_table_body(table), out, ec, diag);
  EXPECT_FALSE(ec) << ec.message() << " " << diag.message;
  co_await c.wait_until_table_exists(table, test_waiter());
  std::string put = R"({"TableName":")" + table +
                    R"(","Item":{"PK":{"S":"USER#tls"},"SK":{"S":"S#1"},"v":{"S":"over https"}}})";
  co_await c.invoke("PutItem", put, out, ec, diag);
  EXPECT_FALSE(ec) << ec.message() << " " << diag.message;
  std::string get = R"({"TableName":")" + table + R"(","Key":{"PK":{"S":"USER#tls"},"SK":{"S":"S#1"}}})";
  co_await c.invoke("GetItem", get, out, ec, diag);
  EXPECT_FALSE(ec) << ec.message() << " " << diag.message;
  EXPECT_NE(out.find(R"("v":{"S":"over https"})"), std::string::npos) << out;
  EXPECT_EQ(diag.http_status, 200u);
}

// The handshake failed because the certificate did not verify (chain or host name): OpenSSL's
// SSL_R_CERTIFICATE_VERIFY_FAILED in Asio's SSL category, not retryable.
void expect_verify_failure(const ddb::error_code& ec, const ddb::diagnostics& diag) {
  ASSERT_TRUE(ec);
  EXPECT_EQ(ec.category(), asio::error::get_ssl_category()) << ec.category().name() << ": " << ec.message();
  EXPECT_EQ(ERR_GET_LIB(static_cast<unsigned long>(ec.value())), ERR_LIB_SSL) << ec.message();
  EXPECT_EQ(ERR_GET_REASON(static_cast<unsigned long>(ec.value())), SSL_R_CERTIFICATE_VERIFY_FAILED)
      << ec.message();
  EXPECT_TRUE(contains(ec.message(), "certificate verify failed")) << ec.message();
  EXPECT_FALSE(ddb::is_retryable(ec, diag.http_status)) << ec.message();
  EXPECT_EQ(diag.http_status, 0u); // no HTTP response was ever read
}

// Lines of nginx's error.log (info level) reporting a failed handshake on `port`.
std::size_t failed_handshakes(const std::string& port, std::size_t from) {
  std::size_t n = 0;
  for (auto& l : lines_from(nginx_file("error.log"), from))
    if (contains(l, "while SSL handshaking") && contains(l, "server: 127.0.0.1:" + port)) ++n;
  return n;
}

// Runs ListTables against a server whose certificate must not verify; expects one failed
// handshake, no retries, within a short time even though retries are allowed.
void expect_rejected(ddb::client_options opts) {
  opts.retry.max_attempts = 10;
  opts.retry.base_delay = std::chrono::milliseconds(1);
  std::string port = opts.endpoint.substr(opts.endpoint.rfind(':') + 1);
  std::size_t log_from = file_size(nginx_file("error.log"));
  run([&](asio::io_context& io) -> asio::awaitable<void> {
    ddb::client c(io.get_executor(), opts);
    std::string out;
    ddb::error_code ec;
    ddb::diagnostics diag;
    auto start = std::chrono::steady_clock::now();
    co_await c.invoke("ListTables", "{}", out, ec, diag);
    expect_verify_failure(ec, diag);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
    EXPECT_EQ(c.stats().open, 0u);
  });
  // nginx logs the client's alert at info level; wait for it, then make sure no second
  // handshake follows (a retry would show up as another one).
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (failed_handshakes(port, log_from) == 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(failed_handshakes(port, log_from), 1u) << slurp(nginx_file("error.log")).substr(log_from);
}

} // namespace

TEST(ClientTls, VerifiesTheServerWithTheTestCa) {
  std::size_t log_from = file_size(nginx_file("access.log"));
  run([](asio::io_context& io) -> asio::awaitable<void> {
    ddb::client c(io.get_executor(), tls_options("localhost", "port", "ca.pem"));
    co_await round_trip(c, "tls_rt");
    EXPECT_EQ(c.stats().open, 1u); // keep-alive over TLS: one connection served it all
  });
  // The client sent SNI with the endpoint's host name and the Host header nginx passed on.
  auto port = nginx_port("port");
  bool seen = false;
  for (auto& l : lines_from(nginx_file("access.log"), log_from))
    if (contains(l, "port=" + port + " ") && contains(l, "host=\"localhost:" + port + "\"")) {
      seen = true;
      EXPECT_TRUE(contains(l, "sni=localhost ")) << l;
      EXPECT_TRUE(contains(l, "status=200")) << l;
    }
  EXPECT_TRUE(seen) << "no request of ours in access.log";
}

TEST(ClientTls, VerifiesAnIpAddressAgainstTheIpSan) {
  std::size_t log_from = file_size(nginx_file("access.log"));
  run([](asio::io_context& io) -> asio::awaitable<void> {
    ddb::client c(io.get_executor(), tls_options("127.0.0.1", "port", "ca.pem"));
    co_await round_trip(c, "tls_ip");
  });
  // RFC 6066: SNI carries host names only, never IP literals.
  auto port = nginx_port("port");
  bool seen = false;
  for (auto& l : lines_from(nginx_file("access.log"), log_from))
    if (contains(l, "host=\"127.0.0.1:" + port + "\"")) {
      seen = true;
      EXPECT_TRUE(contains(l, "sni=- ")) << l;
    }
  EXPECT_TRUE(seen) << "no request of ours in access.log";
}

TEST(ClientTls, SystemStoreRejectsTheTestCa) { expect_rejected(tls_options("localhost", "port", "")); }

TEST(ClientTls, WrongHostNameIsRejected) {
  expect_rejected(tls_options("localhost", "wrong_host_port", "ca.pem"));
}

TEST(ClientTls, UnknownCaIsRejectedUnlessTrusted) {
  expect_rejected(tls_options("localhost", "unknown_ca_port", "ca.pem"));
  run([](asio::io_context& io) -> asio::awaitable<void> {
    ddb::client c(io.get_executor(), tls_options("localhost", "unknown_ca_port", "other-ca.pem"));
    co_await round_trip(c, "tls_other_ca");
  });
}

TEST(ClientTls, MissingCaFileFailsUpFront) {
  asio::io_context io;
  auto opts = tls_options("localhost", "port", "ca.pem");
  opts.ca_file = nginx_file("no-such-ca.pem");
  EXPECT_ANY_THROW(ddb::client(io.get_executor(), opts));
}

TEST(ClientTls, VerificationOffConnectsToAnyCertificate) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    auto opts = tls_options("localhost", "unknown_ca_port", "");
    opts.verify_tls = false; // tests only
    ddb::client c(io.get_executor(), opts);
    co_await round_trip(c, "tls_noverify");
  });
}

TEST(ClientTls, NewPooledConnectionsResumeTheTlsSession) {
  auto port = nginx_port("port");
  std::size_t log_from = file_size(nginx_file("access.log"));
  run([](asio::io_context& io) -> asio::awaitable<void> {
    auto opts = tls_options("localhost", "port", "ca.pem");
    opts.pool_size = 4;
    ddb::client c(io.get_executor(), opts);
    std::string out;
    ddb::error_code ec;
    ddb::diagnostics diag;
    // One connection first: its session (with TLS 1.3, the tickets that come after the
    // handshake) is what later connections offer. Connections opened all at once cannot
    // resume anything.
    co_await c.invoke("ListTables", "{}", out, ec, diag);
    EXPECT_FALSE(ec) << ec.message();
    int done = 0, failed = 0;
    std::size_t max_open = 0;
    constexpr int n = 16;
    for (int i = 0; i < n; ++i) {
      asio::co_spawn(
          io,
          [&]() -> asio::awaitable<void> {
            std::string r;
            ddb::error_code e;
            ddb::diagnostics d;
            co_await c.invoke("ListTables", "{}", r, e, d);
            EXPECT_FALSE(e) << e.message();
            max_open = std::max(max_open, c.stats().open);
            ++(e ? failed : done);
          },
          asio::detached);
    }
    asio::steady_timer t(io);
    while (done + failed < n) {
      t.expires_after(std::chrono::milliseconds(5));
      co_await t.async_wait(asio::use_awaitable);
    }
    EXPECT_EQ(failed, 0);
    EXPECT_GT(max_open, 1u) << "the test needs several connections";
  });
  // First requests of each connection on the good port: the first one of ours is a full
  // handshake, the ones after it should be resumed.
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  std::vector<std::string> firsts;
  int requests = 0;
  for (;;) {
    firsts.clear();
    requests = 0;
    for (auto& l : lines_from(nginx_file("access.log"), log_from)) {
      if (!contains(l, "port=" + port + " ") || !contains(l, "host=\"localhost:" + port + "\"")) continue;
      ++requests;
      if (contains(l, " req=1 ")) firsts.push_back(l);
    }
    if (requests >= 17 || std::chrono::steady_clock::now() >= until) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_GE(requests, 17);
  ASSERT_GE(firsts.size(), 2u);
  std::size_t resumed = 0;
  std::string all;
  for (auto& l : firsts) {
    all += l + "\n";
    if (contains(l, " reused=r ")) ++resumed;
  }
  EXPECT_TRUE(contains(firsts.front(), " reused=. ")) << all; // the first: a full handshake
  EXPECT_GE(resumed, 1u) << all;
  // Most later connections resume, not always all: TLS 1.3 tickets arrive after the handshake, and
  // under a sanitizer's slowness a handshake may start before the newest ticket is processed
  // (seen once under TSan: 3 of 4 resumed). Without session reuse none resume.
  EXPECT_GE(resumed * 2, firsts.size() - 1) << all;
}
