// SSO (IAM Identity Center) profiles in the default credential chain against real local servers:
// the token read from an SSO token cache in a temporary HOME, GetRoleCredentials at
// sso_server.py (which checks the bearer token, role and account), refreshes, errors, a role
// assumed with SSO credentials at sts_server.py, and a real call to DynamoDB Local.
#include "ddblocal_env.hpp"
#include "io_thread.hpp"
#include "py_server.hpp"
#include "sso.hpp"

#include <ddb/default_credentials.hpp>
#include <ddb/error.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

namespace asio = boost::asio;
namespace fs = std::filesystem;
using ddb::client_errc;
using creds_ptr = std::shared_ptr<const ddb::credentials>;

namespace {

using ddb_test::py_server;
using ddb_test::temp_dir;
using env_map = std::map<std::string, std::string, std::less<>>;

// What a stand-in saw (GET /_requests, JSON as Python's json.dumps writes it).
struct request_log {
  std::string json;
  std::size_t count(const std::string& needle) const {
    std::size_t n = 0;
    for (auto at = json.find(needle); at != std::string::npos; at = json.find(needle, at + 1)) ++n;
    return n;
  }
  bool has(const std::string& key, const std::string& value) const {
    return json.find("\"" + key + "\": \"" + value + "\"") != std::string::npos;
  }
};

auto now() { return std::chrono::system_clock::now(); }

// An ISO 8601 UTC time `offset` from now, as the AWS CLI writes expiresAt.
std::string iso_in(std::chrono::seconds offset) {
  const std::time_t t = std::chrono::system_clock::to_time_t(now() + offset);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

const std::string session_profile =
    "[profile dev]\nsso_session = my-sso-session\nsso_account_id = 111122223333\n"
    "sso_role_name = ReadWrite\nregion = us-west-2\n"
    "[sso-session my-sso-session]\nsso_start_url = https://my.awsapps.com/start\n"
    "sso_region = us-east-1\nsso_registration_scopes = sso:account:access\n";
const std::string legacy_url = "https://legacy.awsapps.com/start";
const std::string legacy_profile = "[profile dev]\nsso_start_url = " + legacy_url +
                                   "\nsso_region = eu-west-1\nsso_account_id = 111122223333\n"
                                   "sso_role_name = ReadWrite\n";

class CredentialsSso : public ::testing::Test {
protected:
  ~CredentialsSso() override { provider_io.join(); }

  // A token in the cache of `key` (the sso-session name, or the start URL of a legacy profile).
  void write_token(const std::string& key, const std::string& token, const std::string& expires_at) {
    const auto path = ddb::detail::sso_token_cache_path(dir.path.string(), key);
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path, std::ios::trunc)
        << R"({"startUrl": "https://my.awsapps.com/start", "region": "us-east-1", "accessToken": ")" << token
        << R"(", "expiresAt": ")" << expires_at << R"(", "clientId": "cid", "clientSecret": "cs",)"
        << R"( "refreshToken": "rt"})";
  }

  // A provider with `config` as the shared config file, HOME in the temp folder, the portal at
  // `sso` and `vars` as the rest of the environment.
  std::shared_ptr<ddb::credentials_provider> make(const std::string& config, const py_server* sso,
                                                  env_map vars = {},
                                                  ddb::default_credentials_options o = {}) {
    vars.emplace("HOME", dir.path.string());
    vars.emplace("AWS_PROFILE", "dev");
    vars.emplace("AWS_CONFIG_FILE", dir.write("config", config));
    vars.emplace("AWS_SHARED_CREDENTIALS_FILE", (dir.path / "no-credentials").string());
    vars.emplace("AWS_EC2_METADATA_DISABLED", "true");
    if (sso) vars.emplace("AWS_ENDPOINT_URL_SSO", sso->url());
    ddb::env_lookup env = [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
      auto it = vars.find(name);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
    o.logger = [this](ddb::log_level level, std::string_view line) {
      std::lock_guard lock(m);
      log.emplace_back(std::string(ddb::to_string(level)) + ": " + std::string(line));
    };
    return ddb::make_default_credentials_provider(provider_io.get_executor(), std::move(env),
                                                  ddb::system_files(), std::move(o));
  }

  creds_ptr fetch(const std::shared_ptr<ddb::credentials_provider>& p, ddb::error_code& ec) {
    ec = {};
    auto f = [p, &ec]() -> asio::awaitable<creds_ptr> { co_return co_await p->fetch(ec); };
    return asio::co_spawn(provider_io.get_executor(), std::move(f), asio::use_future).get();
  }

  std::string logged() {
    std::lock_guard lock(m);
    std::string all;
    for (const auto& l : log) all += l + "\n";
    return all;
  }

  // The ddb::error of constructing a provider for `config`.
  ddb::error construction_error(const std::string& config) {
    try {
      make(config, nullptr);
    } catch (const ddb::error& e) {
      return e;
    }
    ADD_FAILURE() << "no error for\n" << config;
    return ddb::error(client_errc::invalid_config, "");
  }

  ddb_test::io_thread provider_io; // the provider's executor, one thread
  temp_dir dir;
  std::mutex m;
  std::vector<std::string> log;
};

} // namespace

TEST_F(CredentialsSso, SsoSessionProfile) {
  py_server sso("sso_server.py", "");
  write_token("my-sso-session", "sso-access-token", iso_in(std::chrono::hours(8)));
  auto p = make(session_profile, &sso);
  EXPECT_FALSE(p->cached(now()));
  ddb::error_code ec;
  auto c = fetch(p, ec);
  ASSERT_FALSE(ec) << ec.message() << "\n" << logged();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "ASIASSO1");
  EXPECT_EQ(c->secret_access_key, "ssosecret1");
  EXPECT_EQ(c->session_token, "ssotoken1");
  EXPECT_EQ(c->account_id, "111122223333");
  ASSERT_TRUE(c->expiration);
  EXPECT_GT(*c->expiration, now() + std::chrono::minutes(55));
  EXPECT_LT(*c->expiration, now() + std::chrono::minutes(61));
  EXPECT_EQ(p->cached(now()), c);

  const request_log seen{sso.get("/_requests")};
  EXPECT_EQ(seen.count("\"path\": \"/federation/credentials\""), 1u) << seen.json;
  EXPECT_TRUE(seen.has("bearer_token", "sso-access-token")) << seen.json;
  EXPECT_TRUE(seen.has("role_name", "ReadWrite")) << seen.json;
  EXPECT_TRUE(seen.has("account_id", "111122223333")) << seen.json;
  EXPECT_NE(seen.json.find("\"authorization\": null"), std::string::npos) << seen.json; // unsigned
}

TEST_F(CredentialsSso, LegacyProfile) {
  py_server sso("sso_server.py", "--token legacy-token");
  // As the CLI writes it, with a fraction and an offset.
  write_token(legacy_url, "legacy-token", "2200-01-01T10:00:00.123+02:00");
  auto p = make(legacy_profile, &sso);
  ddb::error_code ec;
  auto c = fetch(p, ec);
  ASSERT_FALSE(ec) << ec.message() << "\n" << logged();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "ASIASSO1");
  EXPECT_EQ(c->account_id, "111122223333");
  EXPECT_TRUE(request_log{sso.get("/_requests")}.has("bearer_token", "legacy-token"));
}

TEST_F(CredentialsSso, ExpiredTokenIsAClearErrorAndSendsNothing) {
  py_server sso("sso_server.py", "");
  write_token("my-sso-session", "sso-access-token", iso_in(-std::chrono::minutes(1)));
  auto p = make(session_profile, &sso);
  ddb::error_code ec;
  EXPECT_FALSE(fetch(p, ec));
  EXPECT_EQ(ec, client_errc::credentials_sso_failed) << ec.message();
  EXPECT_NE(logged().find("error: credentials: profile dev: the SSO session my-sso-session has expired or is "
                          "missing; run `aws sso login --sso-session my-sso-session`"),
            std::string::npos)
      << logged();
  EXPECT_EQ(sso.get("/_requests"), "[]");
}

TEST_F(CredentialsSso, MissingCacheFile) {
  py_server sso("sso_server.py", "");
  auto p = make(legacy_profile, &sso);
  ddb::error_code ec;
  EXPECT_FALSE(fetch(p, ec));
  EXPECT_EQ(ec, client_errc::credentials_sso_failed) << ec.message();
  EXPECT_NE(logged().find("profile dev: the SSO session of sso_start_url " + legacy_url +
                          " has expired or is missing (no token cache file "),
            std::string::npos)
      << logged();
  EXPECT_NE(logged().find("; run `aws sso login --profile dev`"), std::string::npos) << logged();
  EXPECT_EQ(sso.get("/_requests"), "[]");

  // `aws sso login` writes the file; the next fetch after the failure cache finds it.
  ddb::default_credentials_options o;
  o.failure_cache = std::chrono::milliseconds(0);
  auto again = make(legacy_profile, &sso, {}, o);
  EXPECT_FALSE(fetch(again, ec));
  write_token(legacy_url, "sso-access-token", iso_in(std::chrono::hours(1)));
  auto c = fetch(again, ec);
  ASSERT_FALSE(ec) << logged();
  ASSERT_TRUE(c);
}

TEST_F(CredentialsSso, WrongTokenIsCredentialsSsoFailedWithTheStatusAndMessage) {
  py_server sso("sso_server.py", "");
  write_token("my-sso-session", "revoked-token", iso_in(std::chrono::hours(1)));
  auto p = make(session_profile, &sso);
  ddb::error_code ec;
  EXPECT_FALSE(fetch(p, ec));
  EXPECT_EQ(ec, client_errc::credentials_sso_failed) << ec.message();
  EXPECT_NE(logged().find("profile dev: SSO GetRoleCredentials of role ReadWrite in account 111122223333 at "
                          "127.0.0.1:"),
            std::string::npos)
      << logged();
  EXPECT_NE(logged().find("failed: HTTP 401 UnauthorizedException: Session token not found or invalid; run "
                          "`aws sso login --sso-session my-sso-session`"),
            std::string::npos)
      << logged();
  EXPECT_EQ(logged().find("revoked-token"), std::string::npos) << logged(); // no secrets in the log

  // A role the account does not give: 403.
  py_server other("sso_server.py", "--role Admin");
  write_token("my-sso-session", "sso-access-token", iso_in(std::chrono::hours(1)));
  auto forbidden = make(session_profile, &other);
  EXPECT_FALSE(fetch(forbidden, ec));
  EXPECT_EQ(ec, client_errc::credentials_sso_failed);
  EXPECT_NE(logged().find("HTTP 403 ForbiddenException: No access"), std::string::npos) << logged();
}

TEST_F(CredentialsSso, RefreshesNearExpiration) {
  py_server sso("sso_server.py", "--expiry 120"); // inside the 5-minute prefetch window
  write_token("my-sso-session", "sso-access-token", iso_in(std::chrono::hours(1)));
  ddb::default_credentials_options o;
  o.background_refresh = false;
  auto p = make(session_profile, &sso, {}, o);
  ddb::error_code ec;
  auto first = fetch(p, ec);
  ASSERT_FALSE(ec) << logged();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->access_key_id, "ASIASSO1");
  EXPECT_EQ(p->cached(now()), first); // usable while the refresh is due
  auto second = fetch(p, ec);
  ASSERT_FALSE(ec) << logged();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->access_key_id, "ASIASSO2");
  EXPECT_EQ(second->account_id, "111122223333");
  EXPECT_EQ(request_log{sso.get("/_requests")}.count("\"issued\""), 2u);
}

TEST_F(CredentialsSso, InvalidProfilesAreTypedErrorsAtConstruction) {
  auto e = construction_error(
      "[profile dev]\nsso_session = my-sso-session\nsso_role_name = R\n"
      "[sso-session my-sso-session]\nsso_start_url = https://x/start\nsso_region = us-east-1\n");
  EXPECT_EQ(e.code(), client_errc::invalid_config);
  EXPECT_NE(std::string(e.what()).find("profile dev: an SSO profile needs sso_account_id"), std::string::npos)
      << e.what();
  e = construction_error("[profile dev]\nsso_session = nowhere\nsso_account_id = 1\nsso_role_name = R\n");
  EXPECT_EQ(e.code(), client_errc::invalid_config);
  EXPECT_NE(std::string(e.what()).find("sso_session nowhere has no [sso-session nowhere] section"),
            std::string::npos)
      << e.what();
  e = construction_error("[profile dev]\nsso_session = s\nsso_start_url = https://other/start\n"
                         "sso_account_id = 1\nsso_role_name = R\n"
                         "[sso-session s]\nsso_start_url = https://x/start\nsso_region = us-east-1\n");
  EXPECT_EQ(e.code(), client_errc::invalid_config);
  EXPECT_NE(std::string(e.what()).find("sso_start_url https://other/start differs from sso-session s's"),
            std::string::npos)
      << e.what();
  e = construction_error("[profile dev]\nsso_start_url = https://x/start\nsso_region = US EAST\n"
                         "sso_account_id = 1\nsso_role_name = R\n");
  EXPECT_EQ(e.code(), client_errc::invalid_config);
  EXPECT_NE(std::string(e.what()).find("sso_region US EAST is not a region"), std::string::npos) << e.what();
}

TEST_F(CredentialsSso, RoleAssumedWithSsoCredentials) {
  py_server sso("sso_server.py", "");
  py_server sts("sts_server.py", "--key ASIASSO1=ssosecret1");
  write_token("my-sso-session", "sso-access-token", iso_in(std::chrono::hours(1)));
  auto p =
      make("[profile dev]\nrole_arn = arn:aws:iam::1:role/deploy\nsource_profile = corp\n" +
               std::string("[profile corp]\nsso_session = my-sso-session\nsso_account_id = 111122223333\n"
                           "sso_role_name = ReadWrite\n"
                           "[sso-session my-sso-session]\nsso_start_url = https://my.awsapps.com/start\n"
                           "sso_region = us-east-1\n"),
           &sso, env_map{{"AWS_ENDPOINT_URL_STS", sts.url()}});
  ddb::error_code ec;
  auto c = fetch(p, ec);
  ASSERT_FALSE(ec) << ec.message() << "\n" << logged();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "ASIASTS1");
  const request_log seen{sts.get("/_requests")};
  EXPECT_TRUE(seen.has("access_key_id", "ASIASSO1")) << seen.json; // signed with the SSO credentials
  EXPECT_TRUE(seen.has("RoleArn", "arn:aws:iam::1:role/deploy")) << seen.json;
}

// SSO credentials sign real calls to DynamoDB Local.
TEST_F(CredentialsSso, SsoCredentialsThenDynamoDbLocal) {
  py_server sso("sso_server.py", "");
  write_token("my-sso-session", "sso-access-token", iso_in(std::chrono::hours(1)));
  auto p = make(session_profile, &sso);
  auto opts = ddb_test::local_options();
  opts.credentials = p;
  ddb_test::run([&](asio::io_context& io) -> asio::awaitable<void> {
    ddb::client c(io.get_executor(), opts);
    const std::string table = ddb_test::unique_table("sso_creds");
    const std::string create =
        R"({"TableName":")" + table +
        R"(","AttributeDefinitions":[{"AttributeName":"PK","AttributeType":"S"}],)"
        R"("KeySchema":[{"AttributeName":"PK","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"})";
    std::string out;
    ddb::error_code ec;
    ddb::diagnostics diag;
    co_await c.invoke("CreateTable", create, out, ec, diag);
    EXPECT_FALSE(ec) << ec.message() << " " << diag.message << "\n" << logged();
    auto waiter = ddb_test::test_waiter(); // dynalite's tables are CREATING for a while, as on AWS
    co_await c.wait_until_table_exists(table, waiter, ec, diag);
    EXPECT_FALSE(ec) << ec.message() << " " << diag.message;
    const std::string put = R"({"TableName":")" + table + R"(","Item":{"PK":{"S":"k"},"v":{"N":"1"}}})";
    co_await c.invoke("PutItem", put, out, ec, diag);
    EXPECT_FALSE(ec) << ec.message() << " " << diag.message;
    co_await c.invoke("DeleteTable", R"({"TableName":")" + table + R"("})", out, ec, diag);
    EXPECT_FALSE(ec) << ec.message() << " " << diag.message;
  });
  auto c = p->cached(now());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "ASIASSO1");
  EXPECT_EQ(request_log{sso.get("/_requests")}.count("\"issued\""), 1u); // once for the whole scenario
}
