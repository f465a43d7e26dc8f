// The default credential chain against a local stand-in for the AWS credential endpoints
// (metadata_server.py): environment and profile keys, the container endpoint, IMDSv2, STS
// AssumeRoleWithWebIdentity, and refreshing with one refresh in flight.
#include "io_thread.hpp"
#include "py_server.hpp"

#include <ddb/default_credentials.hpp>
#include <ddb/error.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>

#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

namespace asio = boost::asio;
namespace fs = std::filesystem;
using ddb::client_errc;
using creds_ptr = std::shared_ptr<const ddb::credentials>;

namespace {

// metadata_server.py, started for one test and killed at its end.
class metadata_server : public ddb_test::py_server {
public:
  explicit metadata_server(const std::string& args = "") : py_server("metadata_server.py", args) {}

  // How many requests of a kind the server saw ("all", "token", "role", "imds", "container",
  // "sts", "unauthorized"), from GET /_stats.
  int count(const std::string& kind) const {
    const std::string res = get("/_stats");
    const auto key = res.find("\"" + kind + "\": ");
    if (key == std::string::npos) return 0;
    return std::atoi(res.c_str() + key + kind.size() + 4);
  }
};

using ddb_test::temp_dir;

using env_map = std::map<std::string, std::string, std::less<>>;

// An environment with only `vars`, and shared config files that do not exist (the machine's
// ~/.aws stays out of the tests).
ddb::env_lookup make_env(const temp_dir& dir, env_map vars) {
  vars.emplace("AWS_CONFIG_FILE", (dir.path / "no-config").string());
  vars.emplace("AWS_SHARED_CREDENTIALS_FILE", (dir.path / "no-credentials").string());
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// The provider's executor runs on a thread of its own; fetch_sync waits from the test's thread.
class Credentials : public ::testing::Test {
protected:
  ~Credentials() override { provider_io.join(); }

  std::shared_ptr<ddb::credentials_provider>
  make(env_map vars, ddb::default_credentials_options o = ddb::default_credentials_options()) {
    return ddb::make_default_credentials_provider(provider_io.get_executor(), make_env(dir, std::move(vars)),
                                                  ddb::system_files(), std::move(o));
  }

  static std::future<creds_ptr> fetch_async(const asio::any_io_executor& ex,
                                            std::shared_ptr<ddb::credentials_provider> p,
                                            ddb::error_code& ec) {
    auto fetch = [p, &ec]() -> asio::awaitable<creds_ptr> { co_return co_await p->fetch(ec); };
    return asio::co_spawn(ex, std::move(fetch), asio::use_future);
  }
  creds_ptr fetch_sync(const std::shared_ptr<ddb::credentials_provider>& p, ddb::error_code& ec) {
    return fetch_async(provider_io.get_executor(), p, ec).get();
  }

  ddb_test::io_thread provider_io; // the provider's executor, one thread
  temp_dir dir;
};

auto now() { return std::chrono::system_clock::now(); }

} // namespace

TEST_F(Credentials, EnvironmentKeys) {
  auto p = make(env_map{{"AWS_ACCESS_KEY_ID", "AKIDENV"},
                        {"AWS_SECRET_ACCESS_KEY", "secret"},
                        {"AWS_SESSION_TOKEN", "session"}});
  auto c = p->cached(now());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "AKIDENV");
  EXPECT_EQ(c->secret_access_key, "secret");
  EXPECT_EQ(c->session_token, "session");
  ddb::error_code ec;
  auto f = fetch_sync(p, ec);
  EXPECT_FALSE(ec);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->access_key_id, "AKIDENV");
}

TEST_F(Credentials, ProfileFile) {
  const auto creds =
      dir.write("credentials", "[default]\naws_access_key_id = AKIDDEFAULT\n"
                               "aws_secret_access_key = s0\n"
                               "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = s1\n"
                               "aws_session_token = t1\n");
  auto p = make(env_map{{"AWS_SHARED_CREDENTIALS_FILE", creds}, {"AWS_PROFILE", "dev"}});
  auto c = p->cached(now());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "AKIDDEV");
  EXPECT_EQ(c->secret_access_key, "s1");
  EXPECT_EQ(c->session_token, "t1");
  EXPECT_FALSE(c->expiration);
}

TEST_F(Credentials, InvalidConfigThrows) {
  EXPECT_THROW(make(env_map{{"AWS_ACCESS_KEY_ID", "AKIDENV"}}), ddb::error);
}

TEST_F(Credentials, ContainerWithTokenFileReadAtEachFetch) {
  metadata_server server;
  const auto token_file = dir.write("token", "wrong-token\n");
  ddb::default_credentials_options o;
  o.failure_cache = std::chrono::milliseconds(0); // fetch again at once after the failure
  auto p = make(env_map{{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url() + "/container/creds"},
                        {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file},
                        {"AWS_EC2_METADATA_DISABLED", "true"}},
                o);
  EXPECT_FALSE(p->cached(now()));
  ddb::error_code ec;
  auto c = fetch_sync(p, ec);
  EXPECT_EQ(ec, client_errc::credentials_not_found);
  EXPECT_FALSE(c);
  EXPECT_EQ(server.count("unauthorized"), 1);

  dir.write("token", "container-secret\n"); // rotated: the next fetch reads it again
  ec = {};
  c = fetch_sync(p, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "AKID_CONTAINER_1");
  EXPECT_EQ(c->secret_access_key, "secret-container-1");
  EXPECT_EQ(c->session_token, "token-container-1");
  ASSERT_TRUE(c->expiration);
  EXPECT_GT(*c->expiration, now() + std::chrono::minutes(50));
  EXPECT_EQ(p->cached(now()), c);
  EXPECT_EQ(server.count("container"), 1);
}

TEST_F(Credentials, ImdsV2) {
  metadata_server server;
  auto p = make(env_map{{"AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url()}});
  ddb::error_code ec;
  auto c = fetch_sync(p, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "AKID_IMDS_1");
  EXPECT_EQ(c->session_token, "token-imds-1");
  EXPECT_TRUE(c->expiration);
  EXPECT_EQ(server.count("token"), 1);
  EXPECT_EQ(server.count("role"), 1);
  EXPECT_EQ(server.count("imds"), 1);
  EXPECT_EQ(server.count("unauthorized"), 0);
  EXPECT_EQ(p->cached(now()), c);
}

TEST_F(Credentials, WebIdentityThroughStsOverride) {
  metadata_server server;
  const auto token_file = dir.write("jwt", "web-identity-jwt\n");
  auto p = make(env_map{{"AWS_WEB_IDENTITY_TOKEN_FILE", token_file},
                        {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/test"},
                        {"AWS_ROLE_SESSION_NAME", "session-1"},
                        {"AWS_REGION", "us-east-1"},
                        {"AWS_ENDPOINT_URL_STS", server.url() + "/"}});
  ddb::error_code ec;
  auto c = fetch_sync(p, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "AKID_STS_1");
  EXPECT_EQ(c->secret_access_key, "secret-sts-1");
  EXPECT_EQ(c->session_token, "token-sts-1");
  EXPECT_EQ(server.count("sts"), 1);

  // A token STS refuses: credentials_sts_failed, with STS's code in the log.
  dir.write("jwt", "bad-jwt");
  std::vector<std::string> lines;
  std::mutex m;
  ddb::default_credentials_options o;
  o.logger = [&](ddb::log_level, std::string_view line) {
    std::lock_guard lock(m);
    lines.emplace_back(line);
  };
  auto refused = make(env_map{{"AWS_WEB_IDENTITY_TOKEN_FILE", token_file},
                              {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/test"},
                              {"AWS_ENDPOINT_URL_STS", server.url()}},
                      o);
  ec = {};
  EXPECT_FALSE(fetch_sync(refused, ec));
  EXPECT_EQ(ec, client_errc::credentials_sts_failed);
  {
    std::lock_guard lock(m);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0],
              "credentials: environment: STS AssumeRoleWithWebIdentity of "
              "arn:aws:iam::123456789012:role/test failed: HTTP 400 InvalidIdentityToken: bad token");
  }
  EXPECT_EQ(server.count("unauthorized"), 1);
}

TEST_F(Credentials, MetadataDisabledSendsNothing) {
  metadata_server server;
  auto p = make(
      env_map{{"AWS_EC2_METADATA_DISABLED", "true"}, {"AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url()}});
  EXPECT_FALSE(p->cached(now()));
  ddb::error_code ec;
  EXPECT_FALSE(fetch_sync(p, ec));
  EXPECT_EQ(ec, client_errc::credentials_not_found);
  EXPECT_EQ(server.count("all"), 0);
}

TEST_F(Credentials, NoMetadataEndpointListening) {
  // A port nothing listens on: bind one, then close it.
  asio::io_context io;
  asio::ip::tcp::acceptor a(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto port = a.local_endpoint().port();
  a.close();
  auto p = make(env_map{{"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:" + std::to_string(port)}});
  ddb::error_code ec;
  EXPECT_FALSE(fetch_sync(p, ec));
  EXPECT_EQ(ec, client_errc::credentials_not_found);
}

// A failed lookup is answered from memory for failure_cache: operations do not each probe IMDS.
TEST_F(Credentials, FailedImdsLookupIsCachedBriefly) {
  metadata_server server("--imds-status 403");
  ddb::default_credentials_options o;
  o.failure_cache = std::chrono::milliseconds(2000);
  auto p = make(env_map{{"AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url()}}, o);
  ddb::error_code first, second;
  EXPECT_FALSE(fetch_sync(p, first));
  EXPECT_FALSE(fetch_sync(p, second)); // at once: answered from memory
  EXPECT_EQ(first, client_errc::credentials_not_found);
  EXPECT_EQ(second, client_errc::credentials_not_found); // the same answer
  EXPECT_EQ(server.count("token"), 1);                   // without asking again
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  ddb::error_code third;
  EXPECT_FALSE(fetch_sync(p, third));
  EXPECT_EQ(third, client_errc::credentials_not_found);
  EXPECT_EQ(server.count("token"), 2); // the window passed: probed again
}

TEST_F(Credentials, OneRefreshForConcurrentFetches) {
  // The first credentials expire in 2 minutes: inside the 5-minute prefetch window, outside the
  // 1-minute stale margin.
  metadata_server server("--first-expiry 120 --delay-ms 300");
  const auto token_file = dir.write("token", "container-secret");
  ddb::default_credentials_options o;
  o.background_refresh = false; // only fetch() refreshes here
  auto p = make(env_map{{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url() + "/container/creds"},
                        {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file}},
                o);
  ddb::error_code ec;
  auto first = fetch_sync(p, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->access_key_id, "AKID_CONTAINER_1");
  EXPECT_EQ(p->cached(now()), first); // still usable while the refresh is due

  // 20 fetches at once, half from the provider's thread, half from another io_context's thread.
  asio::io_context other;
  auto work = asio::make_work_guard(other);
  std::thread other_thread([&] { other.run(); });
  std::vector<ddb::error_code> errors(20);
  std::vector<std::future<creds_ptr>> futures;
  for (std::size_t i = 0; i < errors.size(); ++i) {
    asio::any_io_executor ex =
        i % 2 ? asio::any_io_executor(provider_io.get_executor()) : other.get_executor();
    futures.push_back(fetch_async(ex, p, errors[i]));
  }
  for (std::size_t i = 0; i < futures.size(); ++i) {
    auto c = futures[i].get();
    EXPECT_FALSE(errors[i]) << errors[i].message();
    ASSERT_TRUE(c);
    EXPECT_EQ(c->access_key_id, "AKID_CONTAINER_2");
  }
  work.reset();
  other_thread.join();
  EXPECT_EQ(server.count("container"), 2); // the first fetch, then exactly one refresh
  auto c = p->cached(now());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "AKID_CONTAINER_2");
  EXPECT_EQ(server.count("container"), 2);
}

TEST_F(Credentials, CachedStartsBackgroundRefresh) {
  metadata_server server("--first-expiry 120");
  auto p = make(env_map{{"AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url()}});
  ddb::error_code ec;
  auto first = fetch_sync(p, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->access_key_id, "AKID_IMDS_1");
  EXPECT_EQ(p->cached(now()), first); // returns them, and starts a refresh
  creds_ptr c;
  for (int i = 0; i < 500; ++i) {
    c = p->cached(now());
    if (c != first) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "AKID_IMDS_2");
  EXPECT_EQ(server.count("imds"), 2);
  EXPECT_EQ(server.count("token"), 2);
}

// Static stability: the metadata service goes away after the first credentials, which expire at
// once. Later fetches still get them (extended, with a warning), not an error; the service can
// still take them while the outage lasts.
TEST_F(Credentials, ExpiredCredentialsAreServedWhileTheMetadataServiceIsDown) {
  std::vector<std::string> warnings;
  std::mutex m;
  ddb::default_credentials_options o;
  o.background_refresh = false;
  o.logger = [&](ddb::log_level level, std::string_view line) {
    std::lock_guard lock(m);
    if (level == ddb::log_level::warn) warnings.emplace_back(line);
  };
  std::shared_ptr<ddb::credentials_provider> p;
  creds_ptr first;
  {
    metadata_server server("--first-expiry 1");
    p = make(env_map{{"AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url()}}, o);
    ddb::error_code ec;
    first = fetch_sync(p, ec);
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_TRUE(first);
    EXPECT_EQ(p->cached(now()), nullptr); // within the stale margin: a request would fetch
  }                                       // the metadata service is gone
  ddb::error_code ec;
  auto again = fetch_sync(p, ec);
  ASSERT_FALSE(ec) << "expected the old credentials, got " << ec.message();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->access_key_id, first->access_key_id);
  EXPECT_EQ(again->session_token, first->session_token);
  ASSERT_TRUE(again->expiration);
  EXPECT_GT(*again->expiration, now() + std::chrono::minutes(4)); // not re-probed on every request
  EXPECT_EQ(p->cached(now()), again);
  std::lock_guard lock(m);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("serving the previous credentials"), std::string::npos) << warnings[0];
  EXPECT_EQ(warnings[0].find(first->secret_access_key), std::string::npos); // no secrets in logs
}

// invalidate() drops the credentials the service refused, so the next fetch gets new ones.
TEST_F(Credentials, InvalidateDropsRefusedCredentials) {
  metadata_server server;
  auto p = make(env_map{{"AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url()}});
  ddb::error_code ec;
  auto first = fetch_sync(p, ec);
  ASSERT_TRUE(first);
  EXPECT_TRUE(p->invalidate(first));
  EXPECT_EQ(p->cached(now()), nullptr);
  auto second = fetch_sync(p, ec);
  ASSERT_TRUE(second);
  EXPECT_NE(second->session_token, first->session_token);
  EXPECT_TRUE(p->invalidate(first)); // stale ones: the current credentials stay
  EXPECT_EQ(p->cached(now()), second);
  auto fixed = ddb::make_static_credentials_provider({"AKID", "secret", "", std::nullopt});
  EXPECT_FALSE(fixed->invalidate(fixed->cached(now()))); // static keys cannot change
}
