// The profile parts of the credential chain against real local servers: credential_process (real
// commands through /bin/sh), STS AssumeRole at sts_server.py (which checks the SigV4 signature
// of the source credentials and the form fields), role chains, credential_source, and then a real
// call to DynamoDB Local with the assumed role's credentials.
#include "ddblocal_env.hpp"
#include "io_thread.hpp"
#include "py_server.hpp"

#include <ddb/default_credentials.hpp>
#include <ddb/error.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>

#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include <unistd.h>

namespace asio = boost::asio;
namespace fs = std::filesystem;
using ddb::client_errc;
using creds_ptr = std::shared_ptr<const ddb::credentials>;

namespace {

using ddb_test::py_server;
using ddb_test::temp_dir;

// What sts_server.py saw (GET /_requests, JSON as Python's json.dumps writes it).
struct sts_log {
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

using env_map = std::map<std::string, std::string, std::less<>>;

// The process JSON of a credential_process, printed by printf (single quotes: no shell expansion).
std::string print_json(const std::string& id, const std::string& secret, const std::string& extra = "") {
  return "printf '%s' '{\"Version\": 1, \"AccessKeyId\": \"" + id + "\", \"SecretAccessKey\": \"" + secret +
         "\"" + extra + "}'";
}

class RoleCredentials : public ::testing::Test {
protected:
  ~RoleCredentials() override { provider_io.join(); }

  // A provider reading only `config` as the shared config file and `vars` as the environment.
  std::shared_ptr<ddb::credentials_provider> make(const std::string& config, env_map vars = {},
                                                  ddb::default_credentials_options o = {}) {
    vars.emplace("AWS_CONFIG_FILE", dir.write("config", config));
    vars.emplace("AWS_SHARED_CREDENTIALS_FILE", (dir.path / "no-credentials").string());
    vars.emplace("AWS_EC2_METADATA_DISABLED", "true");
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

  ddb_test::io_thread provider_io; // the provider's executor, one thread
  temp_dir dir;
  std::mutex m;
  std::vector<std::string> log;
};

auto now() { return std::chrono::system_clock::now(); }

} // namespace

TEST_F(RoleCredentials, CredentialProcess) {
  auto p = make("[default]\ncredential_process = " +
                print_json("AKIDPROC", "secretproc", ", \"SessionToken\": \"tokproc\"") + "\n");
  EXPECT_FALSE(p->cached(now()));
  ddb::error_code ec;
  auto c = fetch(p, ec);
  ASSERT_FALSE(ec) << ec.message() << "\n" << logged();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "AKIDPROC");
  EXPECT_EQ(c->secret_access_key, "secretproc");
  EXPECT_EQ(c->session_token, "tokproc");
  EXPECT_FALSE(c->expiration); // no Expiration: they never expire
  EXPECT_EQ(p->cached(now()), c);
}

TEST_F(RoleCredentials, CredentialProcessRefreshesNearExpiration) {
  // Each run counts itself in a file and prints credentials that expire in 2 minutes: inside the
  // 5-minute prefetch window, so the next fetch() runs the command again.
  const auto counter = (dir.path / "runs").string();
  const auto script = dir.write(
      "creds.sh", "n=$(( $(cat '" + counter + "' 2>/dev/null || echo 0) + 1 ))\necho $n > '" + counter +
                      "'\nexp=$(date -u -d '+120 seconds' +%Y-%m-%dT%H:%M:%SZ)\n"
                      "printf '{\"Version\":1,\"AccessKeyId\":\"AKID%s\",\"SecretAccessKey\":\"s\","
                      "\"SessionToken\":\"t\",\"Expiration\":\"%s\"}' $n $exp\n");
  ddb::default_credentials_options o;
  o.background_refresh = false;
  auto p = make("[default]\ncredential_process = sh '" + script + "'\n", {}, o);
  ddb::error_code ec;
  auto first = fetch(p, ec);
  ASSERT_FALSE(ec) << logged();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->access_key_id, "AKID1");
  ASSERT_TRUE(first->expiration);
  EXPECT_EQ(p->cached(now()), first); // usable while the refresh is due
  auto second = fetch(p, ec);
  ASSERT_FALSE(ec) << logged();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->access_key_id, "AKID2");
}

TEST_F(RoleCredentials, CredentialProcessFailureNamesTheCommandExitCodeAndStderr) {
  auto p = make("[profile dev]\ncredential_process = echo token expired >&2; exit 3\n",
                env_map{{"AWS_PROFILE", "dev"}});
  ddb::error_code ec;
  EXPECT_FALSE(fetch(p, ec));
  EXPECT_EQ(ec, client_errc::credentials_process_failed) << ec.message();
  EXPECT_NE(
      logged().find("error: credentials: profile dev: credential_process 'echo token expired >&2; exit 3' "
                    "exited 3: token expired"),
      std::string::npos)
      << logged();

  auto bad = make("[default]\ncredential_process = echo '{\"Version\": 2}'\n");
  EXPECT_FALSE(fetch(bad, ec));
  EXPECT_EQ(ec, client_errc::credentials_process_failed);
  EXPECT_NE(logged().find("printed no usable credentials: \"Version\" must be the number 1"),
            std::string::npos)
      << logged();
}

TEST_F(RoleCredentials, CredentialProcessTimeoutKillsItsProcessGroup) {
  // The command leaves a child of its own; the timeout must kill both.
  const auto pid_file = (dir.path / "child.pid").string();
  ddb::default_credentials_options o;
  o.process_timeout = std::chrono::milliseconds(500);
  auto p = make("[default]\ncredential_process = sleep 30 & echo $! > '" + pid_file + "'; wait\n", {}, o);
  const auto start = std::chrono::steady_clock::now();
  ddb::error_code ec;
  EXPECT_FALSE(fetch(p, ec));
  EXPECT_EQ(ec, client_errc::credentials_process_failed);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_NE(logged().find("did not finish within 500 ms (killed)"), std::string::npos) << logged();
  int child = 0;
  std::ifstream(pid_file) >> child;
  ASSERT_GT(child, 0);
  // Gone, or a zombie waiting for its new parent to reap it: not running.
  bool dead = false;
  for (int i = 0; i < 200 && !dead; ++i) {
    std::ifstream stat("/proc/" + std::to_string(child) + "/stat");
    std::string line;
    std::getline(stat, line);
    const auto close = line.rfind(')');
    dead = !stat || close == std::string::npos || line.substr(close + 2, 1) == "Z";
    if (!dead) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(dead) << "the command's child " << child << " still runs";
}

TEST_F(RoleCredentials, FailedProcessIsNotRerunWithinTheFailureCache) {
  const auto counter = (dir.path / "runs").string();
  const std::string cmd = "echo x >> '" + counter + "'; exit 1";
  auto count_runs = [&] {
    std::ifstream in(counter);
    int n = 0;
    for (std::string l; std::getline(in, l);) ++n;
    return n;
  };
  auto p = make("[default]\ncredential_process = " + cmd + "\n");
  ddb::error_code ec;
  EXPECT_FALSE(fetch(p, ec));
  EXPECT_EQ(ec, client_errc::credentials_process_failed);
  EXPECT_FALSE(fetch(p, ec));
  EXPECT_EQ(ec, client_errc::credentials_process_failed); // the same error, from memory
  EXPECT_EQ(count_runs(), 1);

  ddb::default_credentials_options o;
  o.failure_cache = std::chrono::milliseconds(0);
  auto uncached = make("[default]\ncredential_process = " + cmd + "\n", {}, o);
  EXPECT_FALSE(fetch(uncached, ec));
  EXPECT_FALSE(fetch(uncached, ec));
  EXPECT_EQ(count_runs(), 3);
}

// The lead's example scenario: a role assumed with credentials from a credential_process, then
// real calls to DynamoDB Local signed with the role's credentials.
TEST_F(RoleCredentials, RoleFromCredentialProcessThenDynamoDbLocal) {
  py_server sts("sts_server.py", "--key AKIDBASE=secretbase");
  auto p = make("[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\nsource_profile = base\n"
                "role_session_name = seed-session\nexternal_id = ext-42\nduration_seconds = 1800\n"
                "region = us-west-2\n"
                "[profile base]\ncredential_process = " +
                    print_json("AKIDBASE", "secretbase") + "\n",
                env_map{{"AWS_PROFILE", "dev"}, {"AWS_ENDPOINT_URL_STS", sts.url()}});
  auto opts = ddb_test::local_options();
  opts.credentials = p;
  ddb_test::run([&](asio::io_context& io) -> asio::awaitable<void> {
    ddb::client c(io.get_executor(), opts);
    const std::string table = ddb_test::unique_table("role_creds");
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
  EXPECT_EQ(c->access_key_id, "ASIASTS1");
  EXPECT_EQ(c->session_token, "ststoken1");
  ASSERT_TRUE(c->expiration);
  EXPECT_GT(*c->expiration, now() + std::chrono::minutes(25)); // DurationSeconds = 1800
  EXPECT_LT(*c->expiration, now() + std::chrono::minutes(31));

  const sts_log sts_seen{sts.get("/_requests")};
  EXPECT_EQ(sts_seen.count("\"action\": \"AssumeRole\""), 1u) << sts_seen.json; // once for the whole scenario
  EXPECT_TRUE(sts_seen.has("access_key_id", "AKIDBASE")) << sts_seen.json;
  EXPECT_TRUE(sts_seen.has("region", "us-west-2")) << sts_seen.json; // the profile's region
  EXPECT_TRUE(sts_seen.has("service", "sts")) << sts_seen.json;
  EXPECT_TRUE(sts_seen.has("RoleArn", "arn:aws:iam::123456789012:role/dev")) << sts_seen.json;
  EXPECT_TRUE(sts_seen.has("RoleSessionName", "seed-session")) << sts_seen.json;
  EXPECT_TRUE(sts_seen.has("ExternalId", "ext-42")) << sts_seen.json;
  EXPECT_TRUE(sts_seen.has("DurationSeconds", "1800")) << sts_seen.json;
  EXPECT_TRUE(sts_seen.has("issued", "ASIASTS1")) << sts_seen.json;
}

TEST_F(RoleCredentials, ChainedRolesSignWithThePreviousRole) {
  py_server sts("sts_server.py", "--key AKIDSTATIC=secretstatic");
  auto p = make("[default]\nrole_arn = arn:aws:iam::1:role/outer\nsource_profile = middle\n"
                "[profile middle]\nrole_arn = arn:aws:iam::1:role/inner\nsource_profile = keys\n"
                "[profile keys]\naws_access_key_id = AKIDSTATIC\naws_secret_access_key = secretstatic\n",
                env_map{{"AWS_ENDPOINT_URL_STS", sts.url()}, {"AWS_REGION", "eu-west-1"}});
  ddb::error_code ec;
  auto c = fetch(p, ec);
  ASSERT_FALSE(ec) << ec.message() << "\n" << logged();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "ASIASTS2");
  const sts_log seen{sts.get("/_requests")};
  // inner with the static keys first, then outer with inner's session credentials (and token).
  const auto inner = seen.json.find("role/inner"), outer = seen.json.find("role/outer");
  ASSERT_NE(inner, std::string::npos) << seen.json;
  ASSERT_NE(outer, std::string::npos) << seen.json;
  EXPECT_LT(inner, outer);
  EXPECT_NE(seen.json.find("\"access_key_id\": \"ASIASTS1\""), std::string::npos) << seen.json;
  EXPECT_NE(seen.json.find("\"access_key_id\": \"AKIDSTATIC\""), std::string::npos) << seen.json;
  EXPECT_EQ(seen.count("\"region\": \"eu-west-1\""), 2u) << seen.json;
  EXPECT_EQ(seen.count("RoleSessionName\": \"ddb-session-"), 2u) << seen.json; // the default name
}

TEST_F(RoleCredentials, RoleWithCredentialSourceEc2InstanceMetadata) {
  py_server imds("metadata_server.py", "");
  py_server sts("sts_server.py", "--key AKID_IMDS_1=secret-imds-1");
  auto p =
      make("[default]\nrole_arn = arn:aws:iam::1:role/from-imds\ncredential_source = Ec2InstanceMetadata\n",
           env_map{{"AWS_ENDPOINT_URL_STS", sts.url()},
                   {"AWS_EC2_METADATA_DISABLED", "false"},
                   {"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url()}});
  ddb::error_code ec;
  auto c = fetch(p, ec);
  ASSERT_FALSE(ec) << ec.message() << "\n" << logged();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "ASIASTS1");
  const sts_log seen{sts.get("/_requests")};
  EXPECT_TRUE(seen.has("access_key_id", "AKID_IMDS_1")) << seen.json;
  EXPECT_TRUE(seen.has("region", "us-east-1")) << seen.json; // no region: the global endpoint's
}

TEST_F(RoleCredentials, StsRefusalIsTypedAndNamesTheRole) {
  py_server sts("sts_server.py", "--key AKIDSTATIC=secretstatic");
  auto p = make("[default]\nrole_arn = arn:aws:iam::1:role/denied\nsource_profile = keys\n"
                "[profile keys]\naws_access_key_id = AKIDSTATIC\naws_secret_access_key = secretstatic\n",
                env_map{{"AWS_ENDPOINT_URL_STS", sts.url()}});
  ddb::error_code ec;
  EXPECT_FALSE(fetch(p, ec));
  EXPECT_EQ(ec, client_errc::credentials_sts_failed) << ec.message();
  EXPECT_NE(logged().find("profile default: STS AssumeRole of arn:aws:iam::1:role/denied failed: HTTP 403 "
                          "AccessDenied: not authorized to perform sts:AssumeRole"),
            std::string::npos)
      << logged();

  // A wrong secret: the stand-in checks the signature.
  auto wrong = make("[default]\nrole_arn = arn:aws:iam::1:role/ok\nsource_profile = keys\n"
                    "[profile keys]\naws_access_key_id = AKIDSTATIC\naws_secret_access_key = nope\n",
                    env_map{{"AWS_ENDPOINT_URL_STS", sts.url()}});
  EXPECT_FALSE(fetch(wrong, ec));
  EXPECT_EQ(ec, client_errc::credentials_sts_failed);
  EXPECT_NE(logged().find("SignatureDoesNotMatch"), std::string::npos) << logged();
}

TEST_F(RoleCredentials, MfaSerialIsATypedErrorAtConstruction) {
  try {
    make("[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = default\nmfa_serial = "
         "arn:aws:iam::1:mfa/me\n"
         "aws_access_key_id = A\naws_secret_access_key = B\n");
    ADD_FAILURE() << "no error";
  } catch (const ddb::error& e) {
    EXPECT_EQ(e.code(), client_errc::credentials_mfa_required) << e.what();
    EXPECT_NE(std::string(e.what()).find("mfa_serial"), std::string::npos) << e.what();
  }
}
