// The pure parts of the SSO credential provider: the token cache's file name and JSON, the
// GetRoleCredentials target and answers, and how profiles with SSO settings resolve.
#include "sso.hpp"

#include <ddb/aws_config.hpp>

#include <gtest/gtest.h>

#include <chrono>

using ddb::client_errc;
using namespace std::chrono;

namespace {

system_clock::time_point utc(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  return sys_days(year_month_day{year(y), month(mo), day(d)}) + hours(h) + minutes(mi) + seconds(s);
}

ddb::credential_source resolve(std::string_view config, ddb::error_code& ec, std::string& why,
                               std::string profile = "default") {
  ddb::shared_config cfg;
  cfg.profile_name = std::move(profile);
  EXPECT_FALSE(ddb::parse_shared_config(config, "", cfg));
  ddb::env_lookup env = [](std::string_view name) -> std::optional<std::string> {
    if (name == "AWS_EC2_METADATA_DISABLED") return "true";
    return std::nullopt;
  };
  return ddb::resolve_credential_source(env, cfg, ec, &why);
}

} // namespace

TEST(Sso, CacheFileNameIsTheSha1OfTheKey) {
  // printf %s my-sso-session | sha1sum
  EXPECT_EQ(ddb::detail::sha1_hex("my-sso-session"), "b755b5ec73400c04400e978208d8559ad1f39053");
  EXPECT_EQ(ddb::detail::sso_token_cache_path("/home/me", "my-sso-session"),
            "/home/me/.aws/sso/cache/b755b5ec73400c04400e978208d8559ad1f39053.json");
  // printf %s https://my-sso-portal.awsapps.com/start | sha1sum
  EXPECT_EQ(ddb::detail::sso_token_cache_path("/home/me/", "https://my-sso-portal.awsapps.com/start"),
            "/home/me/.aws/sso/cache/c7aaaf71fcc8777ae2475525ed049d39fe16c484.json");
}

TEST(Sso, TokenCache) {
  auto t = ddb::detail::parse_sso_token_cache(
      R"({"startUrl": "https://x.awsapps.com/start", "region": "us-east-1", "accessToken": "tok",)"
      R"( "expiresAt": "2026-12-07T18:00:00Z", "clientId": "c", "refreshToken": "r"})");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->access_token, "tok");
  EXPECT_EQ(t->expires_at, utc(2026, 12, 7, 18, 0, 0));

  t = ddb::detail::parse_sso_token_cache(R"({"accessToken": "a", "expiresAt": "2026-12-07T18:00:00.250Z"})");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->expires_at, utc(2026, 12, 7, 18, 0, 0) + milliseconds(250));
  t = ddb::detail::parse_sso_token_cache(R"({"accessToken": "a", "expiresAt": "2026-12-07T19:30:00+01:30"})");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->expires_at, utc(2026, 12, 7, 18, 0, 0));
  t = ddb::detail::parse_sso_token_cache(R"({"accessToken": "a", "expiresAt": "2026-12-07T18:00:00UTC"})");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->expires_at, utc(2026, 12, 7, 18, 0, 0));

  std::string why;
  EXPECT_FALSE(ddb::detail::parse_sso_token_cache(R"({"expiresAt": "2026-12-07T18:00:00Z"})", &why));
  EXPECT_NE(why.find("accessToken"), std::string::npos) << why;
  EXPECT_FALSE(ddb::detail::parse_sso_token_cache(R"({"accessToken": "a"})", &why));
  EXPECT_NE(why.find("expiresAt"), std::string::npos) << why;
  EXPECT_FALSE(ddb::detail::parse_sso_token_cache(R"({"accessToken": "a", "expiresAt": "tomorrow"})", &why));
  EXPECT_FALSE(
      ddb::detail::parse_sso_token_cache(R"({"accessToken": "", "expiresAt": "2026-12-07T18:00:00Z"})"));
  EXPECT_FALSE(ddb::detail::parse_sso_token_cache("not json", &why));
  EXPECT_FALSE(ddb::detail::parse_sso_token_cache("[]"));
}

TEST(Sso, RoleCredentialsTarget) {
  EXPECT_EQ(ddb::detail::sso_role_credentials_target("/", "Admin Role", "123456789012"),
            "/federation/credentials?role_name=Admin%20Role&account_id=123456789012");
  EXPECT_EQ(ddb::detail::sso_role_credentials_target("/prefix/", "r&x=1", "1"),
            "/prefix/federation/credentials?role_name=r%26x%3D1&account_id=1");
}

TEST(Sso, RoleCredentialsAnswer) {
  ddb::error_code ec;
  auto c = ddb::detail::parse_sso_role_credentials(
      R"({"roleCredentials": {"accessKeyId": "ASIA1", "secretAccessKey": "s", "sessionToken": "t",)"
      R"( "expiration": 1796666400000}})",
      ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(c.access_key_id, "ASIA1");
  EXPECT_EQ(c.secret_access_key, "s");
  EXPECT_EQ(c.session_token, "t");
  ASSERT_TRUE(c.expiration);
  EXPECT_EQ(*c.expiration, system_clock::time_point(milliseconds(1796666400000)));

  for (
      std::string_view bad :
      {R"({})", R"({"roleCredentials": {}})", "nope",
       R"({"roleCredentials": {"accessKeyId": "A", "secretAccessKey": "s", "sessionToken": "t"}})",
       R"({"roleCredentials": {"accessKeyId": "A", "secretAccessKey": "s", "sessionToken": "t", "expiration": "x"}})",
       R"({"roleCredentials": {"accessKeyId": "", "secretAccessKey": "s", "sessionToken": "t", "expiration": 1}})",
       R"({"roleCredentials": {"accessKeyId": "A", "secretAccessKey": "s", "sessionToken": "t", "expiration": -5}})"}) {
    ddb::detail::parse_sso_role_credentials(bad, ec);
    EXPECT_EQ(ec, client_errc::malformed_response) << bad;
  }
}

TEST(Sso, ErrorText) {
  EXPECT_EQ(ddb::detail::sso_error_text(R"({"message": "Session token not found or invalid"})"),
            "Session token not found or invalid");
  EXPECT_EQ(ddb::detail::sso_error_text(R"({"__type": "UnauthorizedException", "message": "bad\ntoken"})"),
            "UnauthorizedException: bad token");
  EXPECT_EQ(ddb::detail::sso_error_text(R"({"__type": "com.amazon#ForbiddenException", "Message": "no"})"),
            "ForbiddenException: no");
  EXPECT_EQ(ddb::detail::sso_error_text("<html>"), "");
}

TEST(SsoProfiles, SsoSession) {
  ddb::error_code ec;
  std::string why;
  auto s =
      resolve("[profile dev]\nsso_session = my-sso\nsso_account_id = 111122223333\n"
              "sso_role_name = ReadOnly\nregion = eu-west-1\n"
              "[sso-session my-sso]\nsso_start_url = https://my.awsapps.com/start\nsso_region = us-east-2\n"
              "sso_registration_scopes = sso:account:access\n",
              ec, why, "dev");
  ASSERT_FALSE(ec) << why;
  EXPECT_EQ(s.provider, ddb::credential_provider::sso);
  EXPECT_EQ(s.origin, "profile dev");
  EXPECT_EQ(s.sso_session, "my-sso");
  EXPECT_EQ(s.sso_start_url, "https://my.awsapps.com/start");
  EXPECT_EQ(s.sso_region, "us-east-2");
  EXPECT_EQ(s.sso_account_id, "111122223333");
  EXPECT_EQ(s.sso_role_name, "ReadOnly");
}

TEST(SsoProfiles, Legacy) {
  ddb::error_code ec;
  std::string why;
  auto s = resolve("[default]\nsso_start_url = https://l.awsapps.com/start\nsso_region = us-west-2\n"
                   "sso_account_id = 1\nsso_role_name = R\n",
                   ec, why);
  ASSERT_FALSE(ec) << why;
  EXPECT_EQ(s.provider, ddb::credential_provider::sso);
  EXPECT_EQ(s.sso_session, "");
  EXPECT_EQ(s.sso_start_url, "https://l.awsapps.com/start");
  EXPECT_EQ(s.sso_region, "us-west-2");
}

TEST(SsoProfiles, OrderAmongTheProfileSources) {
  ddb::error_code ec;
  std::string why;
  const std::string sso = "sso_start_url = https://l/start\nsso_region = us-west-2\nsso_account_id = 1\n"
                          "sso_role_name = R\n";
  // SSO beats credential_process and keys (botocore's order)...
  auto s = resolve("[default]\n" + sso +
                       "credential_process = x\naws_access_key_id = A\naws_secret_access_key = B\n",
                   ec, why);
  ASSERT_FALSE(ec) << why;
  EXPECT_EQ(s.provider, ddb::credential_provider::sso);
  // ...and a role with a source_profile beats SSO.
  s = resolve("[default]\n" + sso +
                  "role_arn = arn:aws:iam::1:role/r\nsource_profile = k\n"
                  "[profile k]\naws_access_key_id = A\naws_secret_access_key = B\n",
              ec, why);
  ASSERT_FALSE(ec) << why;
  EXPECT_EQ(s.provider, ddb::credential_provider::static_keys);
  ASSERT_EQ(s.assume_roles.size(), 1u);
  // An SSO profile as a role's source.
  s = resolve("[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = corp\n[profile corp]\n" + sso,
              ec, why);
  ASSERT_FALSE(ec) << why;
  EXPECT_EQ(s.provider, ddb::credential_provider::sso);
  EXPECT_EQ(s.origin, "profile corp");
  ASSERT_EQ(s.assume_roles.size(), 1u);
}

TEST(SsoProfiles, ErrorsNameTheProfileAndTheKey) {
  auto error_of = [](std::string_view config) {
    ddb::error_code ec;
    std::string why;
    auto s = resolve(config, ec, why, "dev");
    EXPECT_EQ(ec, client_errc::invalid_argument) << config;
    EXPECT_EQ(s.provider, ddb::credential_provider::none);
    return why;
  };
  const std::string session = "[sso-session s]\nsso_start_url = https://s/start\nsso_region = us-east-1\n";
  auto why = error_of("[profile dev]\nsso_session = s\nsso_account_id = 1\n" + session);
  EXPECT_NE(why.find("profile dev"), std::string::npos) << why;
  EXPECT_NE(why.find("sso_role_name"), std::string::npos) << why;
  why = error_of("[profile dev]\nsso_session = s\nsso_role_name = R\n" + session);
  EXPECT_NE(why.find("sso_account_id"), std::string::npos) << why;
  why = error_of("[profile dev]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = R\n" + session);
  EXPECT_NE(why.find("[sso-session nope]"), std::string::npos) << why;
  why = error_of("[profile dev]\nsso_session = s\nsso_account_id = 1\nsso_role_name = R\n"
                 "[sso-session s]\nsso_start_url = https://s/start\n");
  EXPECT_NE(why.find("sso_region"), std::string::npos) << why;
  why = error_of("[profile dev]\nsso_session = s\nsso_region = eu-west-1\nsso_account_id = 1\n"
                 "sso_role_name = R\n" +
                 session);
  EXPECT_NE(why.find("sso_region eu-west-1 differs from sso-session s's us-east-1"), std::string::npos)
      << why;
  why = error_of("[profile dev]\nsso_start_url = https://l/start\nsso_account_id = 1\nsso_role_name = R\n");
  EXPECT_NE(why.find("profile dev: an SSO profile needs sso_region"), std::string::npos) << why;
  why = error_of("[profile dev]\nsso_account_id = 1\n");
  EXPECT_NE(why.find("sso_start_url"), std::string::npos) << why;
}
