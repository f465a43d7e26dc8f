#include <ddb/aws_config.hpp>

#include "ini_file.hpp"

#include "env_map.hpp"

#include <gtest/gtest.h>

#include <map>
#include <vector>

using namespace std::chrono_literals;
using ddb::client_errc;
using ddb::credential_provider;
using ddb::shared_config;

namespace {

using ddb_test::env_map;
using ddb_test::env_of;

// A fake file system that also records which paths were asked for.
struct fake_files {
  std::map<std::string, std::string> files;
  std::vector<std::string> asked;
  ddb::file_loader loader() {
    return [this](const std::string& path) -> std::optional<std::string> {
      asked.push_back(path);
      auto it = files.find(path);
      if (it == files.end()) return std::nullopt;
      return it->second;
    };
  }
};

shared_config parse(std::string_view config, std::string_view credentials = {},
                    std::string profile = "default") {
  shared_config cfg;
  cfg.profile_name = std::move(profile);
  std::string why;
  auto ec = ddb::parse_shared_config(config, credentials, cfg, &why);
  EXPECT_FALSE(ec) << why;
  return cfg;
}

std::string get(const shared_config& cfg, std::string_view section, std::string_view key) {
  auto s = cfg.sections.find(section);
  if (s == cfg.sections.end()) return "<no section>";
  auto k = s->second.find(key);
  return k == s->second.end() ? "<no key>" : k->second;
}

std::size_t ini_error_line(std::string_view text,
                           ddb::detail::ini_kind kind = ddb::detail::ini_kind::config) {
  ddb::detail::ini_sections out;
  std::size_t line = 0;
  auto ec = ddb::detail::parse_ini(text, kind, out, &line);
  EXPECT_EQ(ec, client_errc::invalid_argument) << text;
  return line;
}

ddb::credential_source source(const env_map& env, std::string_view config = {},
                              std::string_view credentials = {}) {
  shared_config cfg;
  if (auto it = env.find("AWS_PROFILE"); it != env.end()) cfg.profile_name = it->second;
  EXPECT_FALSE(ddb::parse_shared_config(config, credentials, cfg));
  ddb::error_code ec;
  std::string why;
  auto s = ddb::resolve_credential_source(env_of(env), cfg, ec, &why);
  EXPECT_FALSE(ec) << why;
  return s;
}

ddb::error_code source_error(const env_map& env, std::string_view config = {},
                             std::string_view credentials = {}) {
  shared_config cfg;
  if (auto it = env.find("AWS_PROFILE"); it != env.end()) cfg.profile_name = it->second;
  EXPECT_FALSE(ddb::parse_shared_config(config, credentials, cfg));
  ddb::error_code ec;
  std::string why;
  auto s = ddb::resolve_credential_source(env_of(env), cfg, ec, &why);
  EXPECT_EQ(s.provider, credential_provider::none);
  if (ec) {
    EXPECT_FALSE(why.empty());
  }
  return ec;
}

std::chrono::system_clock::time_point utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  using namespace std::chrono;
  return sys_days(year(y) / month(mo) / day(d)) + hours(h) + minutes(mi) + seconds(s);
}

} // namespace

// ---- File syntax

TEST(SharedConfig, ParsesProfilesCommentsAndWhitespace) {
  auto cfg = parse("# a comment\n"
                   "; another\n"
                   "\n"
                   "[default]\n"
                   "region=us-east-1\n"
                   "  \t\n"
                   "[ profile   dev ]   # trailing comment\n"
                   "region   =   eu-west-1   \n"
                   "output = json ; comment\n"
                   "[profile tabs]\r\n"
                   "region\t=\tap-south-1\r\n");
  EXPECT_EQ(get(cfg, "default", "region"), "us-east-1");
  EXPECT_EQ(get(cfg, "dev", "region"), "eu-west-1");
  EXPECT_EQ(get(cfg, "dev", "output"), "json");
  EXPECT_EQ(get(cfg, "tabs", "region"), "ap-south-1");
}

TEST(SharedConfig, CommentsInValuesNeedWhitespace) {
  auto cfg = parse("[default]#no space needed after a section\n"
                   "a = x#y\n"
                   "b = x;y\n"
                   "c = x #y\n"
                   "d = x\t;y\n"
                   "e = https://h/p?q=1#frag\n");
  EXPECT_EQ(get(cfg, "default", "a"), "x#y");
  EXPECT_EQ(get(cfg, "default", "b"), "x;y");
  EXPECT_EQ(get(cfg, "default", "c"), "x");
  EXPECT_EQ(get(cfg, "default", "d"), "x");
  EXPECT_EQ(get(cfg, "default", "e"), "https://h/p?q=1#frag");
}

TEST(SharedConfig, ConfigNeedsProfilePrefixCredentialsDoNot) {
  auto cfg = parse("[dev]\nregion = a\n[profile ok]\nregion = b\n[profilex]\nregion = c\n",
                   "[dev]\naws_access_key_id = K\n[profile cred]\naws_access_key_id = L\n");
  EXPECT_EQ(get(cfg, "dev", "region"), "<no key>");     // [dev] in config is ignored...
  EXPECT_EQ(get(cfg, "dev", "aws_access_key_id"), "K"); // ...but names a profile in credentials
  EXPECT_EQ(get(cfg, "ok", "region"), "b");
  EXPECT_EQ(get(cfg, "profilex", "region"), "<no section>");
  // "[profile cred]" in the credentials file is a name with a space: ignored.
  EXPECT_EQ(get(cfg, "cred", "aws_access_key_id"), "<no section>");
  EXPECT_EQ(get(cfg, "profile cred", "aws_access_key_id"), "<no section>");
}

TEST(SharedConfig, CredentialsFileWinsOverConfig) {
  auto cfg = parse("[profile p]\naws_access_key_id = FROMCONFIG\nregion = r\n",
                   "[p]\naws_access_key_id = FROMCREDS\n", "p");
  EXPECT_EQ(cfg.get("aws_access_key_id"), "FROMCREDS");
  EXPECT_EQ(cfg.get("region"), "r");
}

TEST(SharedConfig, ProfileDefaultBeatsBareDefault) {
  for (auto text : {"[default]\nregion = bare\nx = 1\n[profile default]\nregion = prefixed\n",
                    "[profile default]\nregion = prefixed\n[default]\nregion = bare\nx = 1\n"}) {
    auto cfg = parse(text);
    EXPECT_EQ(get(cfg, "default", "region"), "prefixed") << text;
    EXPECT_EQ(get(cfg, "default", "x"), "<no key>") << text;
  }
  // The credentials file has no such rule: [default] is the default profile there.
  auto cfg = parse("", "[default]\naws_access_key_id = K\n");
  EXPECT_EQ(cfg.get("aws_access_key_id"), "K");
}

TEST(SharedConfig, DuplicatesMergeAndLaterWins) {
  auto cfg = parse("[profile a]\nx = 1\ny = 1\n[profile b]\nx = 9\n[profile a]\ny = 2\ny = 3\n");
  EXPECT_EQ(get(cfg, "a", "x"), "1");
  EXPECT_EQ(get(cfg, "a", "y"), "3");
  EXPECT_EQ(get(cfg, "b", "x"), "9");
}

TEST(SharedConfig, SubPropertiesAndContinuations) {
  auto cfg = parse("[default]\n"
                   "s3 =\n"
                   "  max_concurrent_requests = 10\n"
                   "\tmax_queue_size=1000 # not a comment\n"
                   "region = us-west-2\n"
                   "long = first\n"
                   "  second # kept\n"
                   "[services local]\n"
                   "dynamodb =\n"
                   "  endpoint_url = http://localhost:8000\n");
  EXPECT_EQ(get(cfg, "default", "s3"), "");
  EXPECT_EQ(get(cfg, "default", "s3.max_concurrent_requests"), "10");
  EXPECT_EQ(get(cfg, "default", "s3.max_queue_size"), "1000 # not a comment");
  EXPECT_EQ(get(cfg, "default", "region"), "us-west-2");
  EXPECT_EQ(get(cfg, "default", "long"), "first\nsecond # kept");
  EXPECT_EQ(get(cfg, "services local", "dynamodb.endpoint_url"), "http://localhost:8000");
}

TEST(SharedConfig, InvalidNamesAreIgnoredNotErrors) {
  auto cfg = parse("[profile bad!name]\nregion = x\n  continued\n"
                   "[profile good]\nbad*key = 1\n  also ignored\ngood_key = 2\n"
                   "[sso-session corp]\nsso_region = us-east-1\n"
                   "[something else]\nk = v\n");
  EXPECT_EQ(cfg.sections.count("bad!name"), 0u);
  EXPECT_EQ(get(cfg, "good", "bad*key"), "<no key>");
  EXPECT_EQ(get(cfg, "good", "good_key"), "2");
  EXPECT_EQ(get(cfg, "sso-session corp", "sso_region"), "us-east-1");
  EXPECT_EQ(cfg.sections.size(), 2u);
}

TEST(SharedConfig, ByteOrderMarkIsSkipped) {
  auto cfg = parse("\xEF\xBB\xBF[default]\nregion = r\n");
  EXPECT_EQ(cfg.get("region"), "r");
}

TEST(SharedConfig, SyntaxErrorsGiveTheLine) {
  EXPECT_EQ(ini_error_line("region = x\n"), 1u);                   // property before any section
  EXPECT_EQ(ini_error_line("[default]\nno equals sign\n"), 2u);    // not key = value
  EXPECT_EQ(ini_error_line("[default]\n = value\n"), 2u);          // indented, nothing to continue
  EXPECT_EQ(ini_error_line("[default]\n= value\n"), 2u);           // empty key
  EXPECT_EQ(ini_error_line("[default\nregion = x\n"), 1u);         // unterminated section
  EXPECT_EQ(ini_error_line("[default] junk\n"), 1u);               // text after ]
  EXPECT_EQ(ini_error_line("[default]\ns3 =\n  no_equals\n"), 3u); // sub-property without '='
  EXPECT_EQ(ini_error_line("  indented = first\n"), 1u);           // continuation of nothing
  EXPECT_EQ(ini_error_line("[a]\nx = 1\n[b\n", ddb::detail::ini_kind::credentials), 3u);
}

TEST(SharedConfig, FailedParseLeavesOutputAlone) {
  ddb::detail::ini_sections out;
  out["keep"]["k"] = "v";
  EXPECT_TRUE(ddb::detail::parse_ini("[default]\nx = 1\nbroken\n", ddb::detail::ini_kind::config, out));
  EXPECT_EQ(out.size(), 1u);
  shared_config cfg;
  std::string why;
  EXPECT_EQ(ddb::parse_shared_config("[default]\n", "[default]\noops\n", cfg, &why),
            client_errc::invalid_argument);
  EXPECT_EQ(why, "credentials file, line 2: not a section, property or comment");
}

// ---- Loading the files

TEST(SharedConfig, LoadsFromHomeByDefault) {
  fake_files fs;
  fs.files["/home/u/.aws/config"] = "[profile work]\nregion = eu-north-1\n";
  fs.files["/home/u/.aws/credentials"] = "[work]\naws_access_key_id = AK\naws_secret_access_key = SK\n";
  ddb::error_code ec;
  auto cfg = ddb::load_shared_config(env_of({{"HOME", "/home/u"}, {"AWS_PROFILE", "work"}}), fs.loader(), ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(cfg.profile_name, "work");
  EXPECT_EQ(cfg.get("region"), "eu-north-1");
  EXPECT_EQ(cfg.get("aws_access_key_id"), "AK");
  EXPECT_EQ(fs.asked, (std::vector<std::string>{"/home/u/.aws/config", "/home/u/.aws/credentials"}));
}

TEST(SharedConfig, FileLocationsFromEnvironment) {
  fake_files fs;
  ddb::error_code ec;
  ddb::load_shared_config(env_of({{"HOME", "/h"},
                                  {"AWS_CONFIG_FILE", "~/cfg/config"},
                                  {"AWS_SHARED_CREDENTIALS_FILE", "/etc/creds"}}),
                          fs.loader(), ec);
  EXPECT_FALSE(ec);
  EXPECT_EQ(fs.asked, (std::vector<std::string>{"/h/cfg/config", "/etc/creds"}));
}

TEST(SharedConfig, NoHomeNoFiles) {
  fake_files fs;
  ddb::error_code ec;
  auto cfg = ddb::load_shared_config(env_of({}), fs.loader(), ec);
  EXPECT_FALSE(ec);
  EXPECT_TRUE(fs.asked.empty());
  EXPECT_EQ(cfg.profile(), nullptr);
}

TEST(SharedConfig, LoadReportsSyntaxErrorsWithPath) {
  fake_files fs;
  fs.files["/h/.aws/config"] = "[default]\nbad line\n";
  ddb::error_code ec;
  std::string why;
  ddb::load_shared_config(env_of({{"HOME", "/h"}}), fs.loader(), ec, &why);
  EXPECT_EQ(ec, client_errc::invalid_argument);
  EXPECT_EQ(why, "/h/.aws/config, line 2: not a section, property or comment");
}

// ---- Region

TEST(Region, Precedence) {
  auto cfg = parse("[default]\nregion = from-profile\n[profile p]\nregion = from-p\n");
  EXPECT_EQ(ddb::resolve_region(env_of({{"AWS_REGION", "a"}, {"AWS_DEFAULT_REGION", "b"}}), cfg), "a");
  EXPECT_EQ(ddb::resolve_region(env_of({{"AWS_REGION", ""}, {"AWS_DEFAULT_REGION", "b"}}), cfg), "b");
  EXPECT_EQ(ddb::resolve_region(env_of({}), cfg), "from-profile");
  cfg.profile_name = "p";
  EXPECT_EQ(ddb::resolve_region(env_of({}), cfg), "from-p");
  cfg.profile_name = "missing";
  EXPECT_EQ(ddb::resolve_region(env_of({}), cfg), std::nullopt);
}

TEST(Region, LoadingVariant) {
  fake_files fs;
  fs.files["/h/.aws/config"] = "[profile x]\nregion = ca-central-1\n";
  ddb::error_code ec;
  EXPECT_EQ(ddb::resolve_region(env_of({{"HOME", "/h"}, {"AWS_PROFILE", "x"}}), fs.loader(), ec),
            "ca-central-1");
  EXPECT_FALSE(ec);
  fs.files["/h/.aws/config"] = "junk\n";
  EXPECT_EQ(ddb::resolve_region(env_of({{"HOME", "/h"}}), fs.loader(), ec), std::nullopt);
  EXPECT_EQ(ec, client_errc::invalid_argument);
}

// ---- Endpoint

TEST(Endpoint, Precedence) {
  auto cfg = parse("[default]\nendpoint_url = http://profile:1\nservices = loc\n"
                   "[services loc]\ndynamodb =\n  endpoint_url = http://services:2\n");
  ddb::error_code ec;
  auto env = env_map{{"AWS_ENDPOINT_URL_DYNAMODB", "http://svc-env:3"}, {"AWS_ENDPOINT_URL", "http://env:4"}};
  EXPECT_EQ(ddb::resolve_endpoint(env_of(env), cfg, "us-east-1", ec), "http://svc-env:3");
  env.erase("AWS_ENDPOINT_URL_DYNAMODB");
  EXPECT_EQ(ddb::resolve_endpoint(env_of(env), cfg, "us-east-1", ec), "http://env:4");
  EXPECT_EQ(ddb::resolve_endpoint(env_of({}), cfg, "us-east-1", ec), "http://services:2");
  cfg.sections["default"].erase("services");
  EXPECT_EQ(ddb::resolve_endpoint(env_of({}), cfg, "us-east-1", ec), "http://profile:1");
  cfg.sections["default"].erase("endpoint_url");
  EXPECT_EQ(ddb::resolve_endpoint(env_of({}), cfg, "us-east-1", ec),
            "https://dynamodb.us-east-1.amazonaws.com");
  EXPECT_FALSE(ec);
}

TEST(Endpoint, IgnoreConfiguredEndpoints) {
  auto cfg = parse("[default]\nendpoint_url = http://profile:1\nignore_configured_endpoint_urls = true\n");
  ddb::error_code ec;
  EXPECT_EQ(ddb::resolve_endpoint(env_of({{"AWS_ENDPOINT_URL", "http://env"}}), cfg, "eu-west-1", ec),
            "https://dynamodb.eu-west-1.amazonaws.com");
  // The environment variable overrides the profile's setting, either way.
  EXPECT_EQ(
      ddb::resolve_endpoint(env_of({{"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false"}}), cfg, "eu-west-1", ec),
      "http://profile:1");
  auto plain = parse("[default]\nendpoint_url = http://profile:1\n");
  EXPECT_EQ(ddb::resolve_endpoint(env_of({{"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE"}}), plain,
                                  "eu-west-1", ec),
            "https://dynamodb.eu-west-1.amazonaws.com");
}

TEST(Endpoint, DefaultsAndChina) {
  ddb::error_code ec;
  EXPECT_EQ(ddb::default_endpoint("dynamodb", "cn-north-1", ec),
            "https://dynamodb.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(ddb::default_endpoint("sts", "us-west-2", ec), "https://sts.us-west-2.amazonaws.com");
  EXPECT_FALSE(ec);
  for (auto bad : {"", "US-EAST-1", "evil.com/", "a b", "x@y"}) {
    EXPECT_EQ(ddb::default_endpoint("dynamodb", bad, ec), "") << bad;
    EXPECT_EQ(ec, client_errc::invalid_argument);
  }
  EXPECT_EQ(ddb::resolve_endpoint(env_of({}), shared_config{}, "", ec), "");
  EXPECT_EQ(ec, client_errc::invalid_argument);
}

TEST(EndpointUrl, Splits) {
  ddb::error_code ec;
  auto u = ddb::parse_endpoint_url("https://dynamodb.us-east-1.amazonaws.com", ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(u.scheme, "https");
  EXPECT_EQ(u.host, "dynamodb.us-east-1.amazonaws.com");
  EXPECT_EQ(u.port, 443);
  EXPECT_EQ(u.path, "/");
  EXPECT_TRUE(u.tls());
  EXPECT_EQ(u.host_header(), "dynamodb.us-east-1.amazonaws.com");

  u = ddb::parse_endpoint_url("HTTP://LocalHost:8000/base/path", ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(u.scheme, "http");
  EXPECT_EQ(u.host, "localhost");
  EXPECT_EQ(u.port, 8000);
  EXPECT_EQ(u.path, "/base/path");
  EXPECT_EQ(u.host_header(), "localhost:8000");

  u = ddb::parse_endpoint_url("http://[fd00:ec2::254]", ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(u.host, "fd00:ec2::254");
  EXPECT_EQ(u.port, 80);
  EXPECT_EQ(u.host_header(), "[fd00:ec2::254]");
  u = ddb::parse_endpoint_url("https://[::1]:8443/", ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(u.host_header(), "[::1]:8443");
  u = ddb::parse_endpoint_url("http://127.0.0.1:80", ec);
  EXPECT_EQ(u.host_header(), "127.0.0.1");
}

TEST(EndpointUrl, RejectsWhatItDoesNotKnow) {
  for (auto bad : {"",
                   "localhost:8000",
                   "ftp://h",
                   "http://",
                   "http:///path",
                   "http://h:",
                   "http://h:0",
                   "http://h:65536",
                   "http://h:12a",
                   "http://user@h",
                   "http://h/?q",
                   "http://h#f",
                   "http://h p",
                   "http://[::1",
                   "http://[::1]x",
                   "http://[zz::1]",
                   "http://[1.2.3.4]",
                   "http://h:1:2",
                   "http://h/a\x7f",
                   "https://h\xc3\xa9"}) {
    ddb::error_code ec;
    ddb::parse_endpoint_url(bad, ec);
    EXPECT_EQ(ec, client_errc::invalid_argument) << bad;
  }
}

// ---- Credential source

TEST(CredentialSource, EnvironmentKeysComeFirst) {
  auto s = source({{"AWS_ACCESS_KEY_ID", "AK"},
                   {"AWS_SECRET_ACCESS_KEY", "SK"},
                   {"AWS_SESSION_TOKEN", "TOK"},
                   {"AWS_WEB_IDENTITY_TOKEN_FILE", "/t"},
                   {"AWS_ROLE_ARN", "arn:r"}},
                  "[default]\naws_access_key_id = P\naws_secret_access_key = Q\n");
  EXPECT_EQ(s.provider, credential_provider::static_keys);
  EXPECT_EQ(s.origin, "environment");
  EXPECT_EQ(s.keys.access_key_id, "AK");
  EXPECT_EQ(s.keys.secret_access_key, "SK");
  EXPECT_EQ(s.keys.session_token, "TOK");
  EXPECT_FALSE(s.keys.expiration);
}

TEST(CredentialSource, HalfTheEnvironmentKeysIsAnError) {
  EXPECT_EQ(source_error({{"AWS_ACCESS_KEY_ID", "AK"}}), client_errc::invalid_argument);
  EXPECT_EQ(source_error({{"AWS_SECRET_ACCESS_KEY", "SK"}}), client_errc::invalid_argument);
  // Empty counts as unset.
  auto s = source(
      {{"AWS_ACCESS_KEY_ID", ""}, {"AWS_SECRET_ACCESS_KEY", ""}, {"AWS_EC2_METADATA_DISABLED", "true"}});
  EXPECT_EQ(s.provider, credential_provider::none);
}

TEST(CredentialSource, WebIdentityFromEnvironmentBeatsProfile) {
  auto s = source({{"AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token"},
                   {"AWS_ROLE_ARN", "arn:aws:iam::1:role/r"},
                   {"AWS_ROLE_SESSION_NAME", "sess"}},
                  "", "[default]\naws_access_key_id = P\naws_secret_access_key = Q\n");
  EXPECT_EQ(s.provider, credential_provider::web_identity);
  EXPECT_EQ(s.origin, "environment");
  EXPECT_EQ(s.role_arn, "arn:aws:iam::1:role/r");
  EXPECT_EQ(s.web_identity_token_file, "/var/run/token");
  EXPECT_EQ(s.role_session_name, "sess");
  // The token file alone is not enough: falls through to the profile.
  s = source({{"AWS_WEB_IDENTITY_TOKEN_FILE", "/t"}}, "",
             "[default]\naws_access_key_id = P\naws_secret_access_key = Q\n");
  EXPECT_EQ(s.provider, credential_provider::static_keys);
}

TEST(CredentialSource, ProfileWebIdentity) {
  auto s = source({{"AWS_PROFILE", "irsa"}},
                  "[profile irsa]\nrole_arn = arn:r\nweb_identity_token_file = /tok\nrole_session_name = n\n"
                  "aws_access_key_id = ignored\naws_secret_access_key = ignored\n");
  EXPECT_EQ(s.provider, credential_provider::web_identity);
  EXPECT_EQ(s.origin, "profile irsa");
  EXPECT_EQ(s.role_arn, "arn:r");
  EXPECT_EQ(s.web_identity_token_file, "/tok");
  EXPECT_EQ(s.role_session_name, "n");
}

TEST(CredentialSource, ProfileKeys) {
  auto s = source({{"AWS_PROFILE", "dev"}}, "[profile dev]\naws_access_key_id = CFG\n",
                  "[dev]\naws_access_key_id = AK\naws_secret_access_key = SK\naws_session_token = T\n");
  EXPECT_EQ(s.provider, credential_provider::static_keys);
  EXPECT_EQ(s.origin, "profile dev");
  EXPECT_EQ(s.keys.access_key_id, "AK");
  EXPECT_EQ(s.keys.secret_access_key, "SK");
  EXPECT_EQ(s.keys.session_token, "T");
}

TEST(CredentialSource, MalformedOrMissingProfilesAreRefused) {
  // sso_session names no [sso-session corp] section.
  EXPECT_EQ(source_error({}, "[default]\nsso_session = corp\n"), client_errc::invalid_argument);
  // A legacy SSO profile without sso_region, sso_account_id and sso_role_name.
  EXPECT_EQ(source_error({}, "[default]\nsso_start_url = https://x\naws_access_key_id = A\n"
                             "aws_secret_access_key = B\n"),
            client_errc::invalid_argument);
  // Half a key pair.
  EXPECT_EQ(source_error({}, "", "[default]\naws_access_key_id = only\n"), client_errc::invalid_argument);
  // AWS_PROFILE names a profile no file has.
  EXPECT_EQ(source_error({{"AWS_PROFILE", "nope"}}, "[default]\nregion = x\n"),
            client_errc::invalid_argument);
}

TEST(CredentialSource, CredentialProcessBeatsProfileKeys) {
  auto s = source({}, "[default]\ncredential_process = /bin/creds --x 'a b'\naws_access_key_id = A\n"
                      "aws_secret_access_key = B\n");
  EXPECT_EQ(s.provider, credential_provider::process);
  EXPECT_EQ(s.origin, "profile default");
  EXPECT_EQ(s.credential_process, "/bin/creds --x 'a b'");
  EXPECT_TRUE(s.assume_roles.empty());
}

TEST(CredentialSource, RoleChainThroughSourceProfiles) {
  // dev -> ops -> base (keys); the innermost role is assumed first.
  auto s = source({{"AWS_PROFILE", "dev"}},
                  "[profile dev]\nrole_arn = arn:dev\nsource_profile = ops\nrole_session_name = me\n"
                  "external_id = ext-1\nduration_seconds = 1800\n"
                  "[profile ops]\nrole_arn = arn:ops\nsource_profile = base\n",
                  "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = SB\n");
  EXPECT_EQ(s.provider, credential_provider::static_keys);
  EXPECT_EQ(s.origin, "profile base");
  EXPECT_EQ(s.keys.access_key_id, "AKBASE");
  ASSERT_EQ(s.assume_roles.size(), 2u);
  EXPECT_EQ(s.assume_roles[0].role_arn, "arn:ops");
  EXPECT_EQ(s.assume_roles[0].origin, "profile ops");
  EXPECT_EQ(s.assume_roles[0].external_id, "");
  EXPECT_EQ(s.assume_roles[0].duration_seconds, 0);
  EXPECT_EQ(s.assume_roles[1].role_arn, "arn:dev");
  EXPECT_EQ(s.assume_roles[1].role_session_name, "me");
  EXPECT_EQ(s.assume_roles[1].external_id, "ext-1");
  EXPECT_EQ(s.assume_roles[1].duration_seconds, 1800);
}

TEST(CredentialSource, SourceProfileKindsAndSelfReference) {
  // A source profile's keys win over its own role_arn; a profile may name itself for its keys.
  auto s = source({}, "[default]\nrole_arn = arn:r\nsource_profile = default\naws_access_key_id = A\n"
                      "aws_secret_access_key = B\n");
  EXPECT_EQ(s.provider, credential_provider::static_keys);
  ASSERT_EQ(s.assume_roles.size(), 1u);
  EXPECT_EQ(s.assume_roles[0].role_arn, "arn:r");
  s = source({}, "[default]\nrole_arn = arn:r\nsource_profile = p\n"
                 "[profile p]\ncredential_process = get-creds\n");
  EXPECT_EQ(s.provider, credential_provider::process);
  EXPECT_EQ(s.credential_process, "get-creds");
  ASSERT_EQ(s.assume_roles.size(), 1u);
  s = source({}, "[default]\nrole_arn = arn:r\nsource_profile = w\n"
                 "[profile w]\nrole_arn = arn:w\nweb_identity_token_file = /tok\n");
  EXPECT_EQ(s.provider, credential_provider::web_identity);
  EXPECT_EQ(s.role_arn, "arn:w");
  ASSERT_EQ(s.assume_roles.size(), 1u);
  EXPECT_EQ(s.assume_roles[0].role_arn, "arn:r");
}

TEST(CredentialSource, CredentialSourceSettings) {
  auto s = source({{"AWS_ACCESS_KEY_ID", ""}, {"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9/"}},
                  "[default]\nrole_arn = arn:r\ncredential_source = Ec2InstanceMetadata\n");
  EXPECT_EQ(s.provider, credential_provider::imds);
  EXPECT_EQ(s.endpoint, "http://127.0.0.1:9");
  ASSERT_EQ(s.assume_roles.size(), 1u);
  s = source({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/c"}},
             "[default]\nrole_arn = arn:r\ncredential_source = EcsContainer\n");
  EXPECT_EQ(s.provider, credential_provider::container);
  EXPECT_EQ(s.endpoint, "http://169.254.170.2/c");
  // With keys in the environment, step 1 takes them before any profile (as in the SDKs), so
  // credential_source = Environment can only find none here.
  EXPECT_EQ(source_error({}, "[default]\nrole_arn = arn:r\ncredential_source = Environment\n"),
            client_errc::invalid_argument);
  EXPECT_EQ(source_error({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", ""}},
                         "[default]\nrole_arn = arn:r\ncredential_source = EcsContainer\n"),
            client_errc::invalid_argument);
  EXPECT_EQ(source_error({{"AWS_EC2_METADATA_DISABLED", "true"}},
                         "[default]\nrole_arn = arn:r\ncredential_source = Ec2InstanceMetadata\n"),
            client_errc::invalid_argument);
  EXPECT_EQ(source_error({}, "[default]\nrole_arn = arn:r\ncredential_source = Elsewhere\n"),
            client_errc::invalid_argument);
}

TEST(CredentialSource, BadRoleProfiles) {
  const auto why = [](std::string_view config) {
    shared_config cfg;
    EXPECT_FALSE(ddb::parse_shared_config(config, "", cfg));
    ddb::error_code ec;
    std::string text;
    ddb::resolve_credential_source(env_of({}), cfg, ec, &text);
    EXPECT_TRUE(ec) << config;
    return text;
  };
  EXPECT_EQ(why("[default]\nrole_arn = arn:r\n"),
            "profile default: role_arn needs source_profile or credential_source");
  EXPECT_EQ(why("[default]\nrole_arn = arn:r\nsource_profile = a\ncredential_source = Environment\n"),
            "profile default: role_arn with both source_profile and credential_source");
  EXPECT_EQ(why("[default]\nrole_arn = arn:r\nsource_profile = a\n[profile a]\nrole_arn = arn:a\n"
                "source_profile = default\n"),
            "profile a: source_profile cycle: default -> a -> default");
  EXPECT_EQ(why("[default]\nrole_arn = arn:r\nsource_profile = default\n"),
            "profile default: source_profile cycle: default -> default");
  EXPECT_EQ(why("[default]\nrole_arn = arn:r\nsource_profile = missing\n"),
            "profile default: source_profile missing is in neither the config nor the credentials file");
  EXPECT_EQ(why("[default]\nrole_arn = arn:r\nsource_profile = a\n[profile a]\nregion = x\n"),
            "profile a: a source_profile without credentials");
  for (auto d : {"899", "43201", "abc", "-5", "1e3"})
    EXPECT_EQ(why("[default]\nrole_arn = arn:r\nsource_profile = default\naws_access_key_id = A\n"
                  "aws_secret_access_key = B\nduration_seconds = " +
                  std::string(d) + "\n"),
              "profile default: duration_seconds must be 900 to 43200")
        << d;
  EXPECT_EQ(source_error({}, "[default]\nrole_arn = arn:r\nsource_profile = default\nmfa_serial = arn:mfa\n"
                             "aws_access_key_id = A\naws_secret_access_key = B\n"),
            client_errc::credentials_mfa_required);
}

TEST(CredentialSource, ProfileWithoutCredentialsFallsThrough) {
  auto s =
      source({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc"}}, "[default]\nregion = r\n");
  EXPECT_EQ(s.provider, credential_provider::container);
  EXPECT_EQ(s.endpoint, "http://169.254.170.2/v2/credentials/abc");
  EXPECT_EQ(s.authorization_token, "");
}

TEST(CredentialSource, ContainerFullUriAndTokens) {
  auto s = source({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials"},
                   {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/var/run/secrets/token"},
                   {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "Basic abc"}});
  EXPECT_EQ(s.provider, credential_provider::container);
  EXPECT_EQ(s.origin, "container");
  EXPECT_EQ(s.endpoint, "http://169.254.170.23/v1/credentials");
  EXPECT_EQ(s.authorization_token_file, "/var/run/secrets/token");
  EXPECT_EQ(s.authorization_token, "Basic abc");
  // The relative URI wins over the full one.
  s = source({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/rel"},
              {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "https://x/"}});
  EXPECT_EQ(s.endpoint, "http://169.254.170.2/rel");
  for (auto ok :
       {"https://creds.example.com/x", "http://127.0.0.1:9911/c", "http://127.1.2.3/c", "http://localhost/c",
        "http://[::1]:80/c", "http://[fd00:ec2::23]/c", "http://169.254.170.2/c"})
    EXPECT_EQ(source({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", ok}}).provider, credential_provider::container)
        << ok;
  for (auto bad : {"http://example.com/c", "http://10.0.0.1/c", "http://127.0.0/c", "http://127.0.0.256/c",
                   "http://127.0.0.1.5/c", "file:///etc/passwd", "nonsense"})
    EXPECT_EQ(source_error({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", bad}}), client_errc::invalid_argument)
        << bad;
  EXPECT_EQ(source_error({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "no-slash"}}),
            client_errc::invalid_argument);
}

TEST(CredentialSource, ImdsLastUnlessDisabled) {
  auto s = source({});
  EXPECT_EQ(s.provider, credential_provider::imds);
  EXPECT_EQ(s.origin, "imds");
  EXPECT_EQ(s.endpoint, "http://169.254.169.254");
  EXPECT_EQ(source({{"AWS_EC2_METADATA_DISABLED", "TRUE"}}).provider, credential_provider::none);
  EXPECT_EQ(source({{"AWS_EC2_METADATA_DISABLED", "false"}}).provider, credential_provider::imds);
  EXPECT_EQ(source({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1338/"}}).endpoint,
            "http://127.0.0.1:1338");
  EXPECT_EQ(source({}, "[default]\nec2_metadata_service_endpoint = http://10.1.1.1\n").endpoint,
            "http://10.1.1.1");
  EXPECT_EQ(source({{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ipv6"}}).endpoint, "http://[fd00:ec2::254]");
  EXPECT_EQ(source({}, "[default]\nec2_metadata_service_endpoint_mode = IPv6\n").endpoint,
            "http://[fd00:ec2::254]");
  EXPECT_EQ(source_error({{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv5"}}),
            client_errc::invalid_argument);
  EXPECT_EQ(source_error({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", "169.254.169.254"}}),
            client_errc::invalid_argument);
}

// ---- Credential endpoint answers

TEST(Iso8601, Parses) {
  EXPECT_EQ(ddb::parse_iso8601("2019-05-29T00:21:43Z"), utc(2019, 5, 29, 0, 21, 43));
  EXPECT_EQ(ddb::parse_iso8601("2024-02-29t23:59:59z"), utc(2024, 2, 29, 23, 59, 59));
  EXPECT_EQ(ddb::parse_iso8601("2020-01-01T00:00:00.5Z"), utc(2020, 1, 1) + 500ms);
  EXPECT_EQ(ddb::parse_iso8601("2020-01-01T00:00:00.123456789123Z"), utc(2020, 1, 1) + 123456789ns);
  EXPECT_EQ(ddb::parse_iso8601("2020-01-01T02:30:00+02:30"), utc(2020, 1, 1));
  EXPECT_EQ(ddb::parse_iso8601("2019-12-31T22:00:00-0200"), utc(2020, 1, 1));
  EXPECT_EQ(ddb::parse_iso8601("1970-01-01T00:00:00Z"), std::chrono::system_clock::time_point());
}

TEST(Iso8601, Rejects) {
  for (auto bad :
       {"", "2019-05-29", "2019-05-29T00:21:43", "2019-05-29 00:21:43Z", "2019-13-01T00:00:00Z",
        "2023-02-29T00:00:00Z", "2019-05-29T24:00:00Z", "2019-05-29T00:60:00Z", "2019-05-29T00:00:61Z",
        "2019-05-29T00:00:00.Z", "2019-05-29T00:00:00Zjunk", "2019-05-29T00:00:00+2", "219-05-29T00:00:00Z",
        "2019-5-29T00:00:00Z", "9999-12-31T23:59:59Z", "1000-01-01T00:00:00Z", "+019-05-29T00:00:00Z"})
    EXPECT_EQ(ddb::parse_iso8601(bad), std::nullopt) << bad;
}

TEST(CredentialsJson, ContainerAndImds) {
  ddb::error_code ec;
  auto c = ddb::parse_credentials_json(R"({"AccessKeyId":"ASIA1","SecretAccessKey":"s/+=","Token":"tok",
      "Expiration":"2030-01-02T03:04:05Z","RoleArn":"arn:x","AccountId":"123"})",
                                       ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(c.access_key_id, "ASIA1");
  EXPECT_EQ(c.secret_access_key, "s/+=");
  EXPECT_EQ(c.session_token, "tok");
  EXPECT_EQ(c.expiration, utc(2030, 1, 2, 3, 4, 5));

  c = ddb::parse_credentials_json(R"({"Code" : "Success", "LastUpdated" : "2012-04-26T16:39:16Z",
      "Type" : "AWS-HMAC", "AccessKeyId" : "AK", "SecretAccessKey" : "SK", "Token" : "T",
      "Expiration" : "2017-05-17T15:09:54Z"})",
                                  ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(c.access_key_id, "AK");
  EXPECT_EQ(c.expiration, utc(2017, 5, 17, 15, 9, 54));

  // Long-term keys from a custom container endpoint: no token, no expiration.
  c = ddb::parse_credentials_json(R"({"AccessKeyId":"AK","SecretAccessKey":"SK"})", ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(c.session_token, "");
  EXPECT_FALSE(c.expiration);
}

TEST(CredentialsJson, RejectsBadDocuments) {
  for (auto bad :
       {"", "null", "[]", "{", R"({"AccessKeyId":"AK"})", R"({"SecretAccessKey":"SK"})",
        R"({"AccessKeyId":"","SecretAccessKey":"SK"})", R"({"AccessKeyId":1,"SecretAccessKey":"SK"})",
        R"({"AccessKeyId":"AK","SecretAccessKey":"SK","Token":null})",
        R"({"AccessKeyId":"AK","SecretAccessKey":"SK","Expiration":"tomorrow"})",
        R"({"Code":"Failure","AccessKeyId":"AK","SecretAccessKey":"SK"})",
        R"({"Code":7,"AccessKeyId":"AK","SecretAccessKey":"SK"})",
        R"({"AccessKeyId":"AK","SecretAccessKey":"SK"} trailing)"}) {
    ddb::error_code ec;
    auto c = ddb::parse_credentials_json(bad, ec);
    EXPECT_EQ(ec, client_errc::malformed_response) << bad;
    EXPECT_EQ(c.access_key_id, "") << bad;
  }
}

TEST(ProcessCredentials, ParsesVersion1) {
  ddb::error_code ec;
  std::string why;
  auto c = ddb::parse_process_credentials(
      R"({"Version": 1, "AccessKeyId": "AK", "SecretAccessKey": "SK", "SessionToken": "T",
          "Expiration": "2024-05-01T12:00:00Z", "Other": [1]})",
      ec, &why);
  ASSERT_FALSE(ec) << why;
  EXPECT_EQ(c.access_key_id, "AK");
  EXPECT_EQ(c.secret_access_key, "SK");
  EXPECT_EQ(c.session_token, "T");
  ASSERT_TRUE(c.expiration);
  EXPECT_EQ(*c.expiration, utc(2024, 5, 1, 12));
  // No token, no expiration: long-term keys that never expire.
  c = ddb::parse_process_credentials(R"({"Version":1,"AccessKeyId":"AK","SecretAccessKey":"SK"})", ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(c.session_token, "");
  EXPECT_FALSE(c.expiration);
}

TEST(ProcessCredentials, RejectsBadOutput) {
  for (std::string_view bad :
       {R"(not json)", R"([])", R"({"AccessKeyId":"AK","SecretAccessKey":"SK"})",
        R"({"Version":2,"AccessKeyId":"AK","SecretAccessKey":"SK"})",
        R"({"Version":"1","AccessKeyId":"AK","SecretAccessKey":"SK"})",
        R"({"Version":1,"SecretAccessKey":"SK"})", R"({"Version":1,"AccessKeyId":"AK"})",
        R"({"Version":1,"AccessKeyId":"","SecretAccessKey":"SK"})",
        R"({"Version":1,"AccessKeyId":5,"SecretAccessKey":"SK"})",
        R"({"Version":1,"AccessKeyId":"AK","SecretAccessKey":"SK","Expiration":"soon"})",
        R"({"Version":1,"AccessKeyId":"AK","SecretAccessKey":"SK","Expiration":7})"}) {
    ddb::error_code ec;
    std::string why;
    ddb::parse_process_credentials(bad, ec, &why);
    EXPECT_EQ(ec, client_errc::malformed_response) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
}

TEST(AssumeRole, RequestBody) {
  ddb::assume_role_step step;
  step.role_arn = "arn:aws:iam::123456789012:role/dev";
  EXPECT_EQ(ddb::assume_role_body(step, "s 1"),
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdev"
            "&RoleSessionName=s%201");
  step.external_id = "a&b";
  step.duration_seconds = 900;
  EXPECT_EQ(ddb::assume_role_body(step, "s"),
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdev"
            "&RoleSessionName=s&ExternalId=a%26b&DurationSeconds=900");
}

TEST(AssumeRole, ParsesStsResponse) {
  ddb::error_code ec;
  auto c = ddb::parse_assume_role_response(
      "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>"
      "<AssumedRoleUser><Arn>arn:x</Arn><AssumedRoleId>ARO:s</AssumedRoleId></AssumedRoleUser>"
      "<Credentials><AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>sk</SecretAccessKey>"
      "<SessionToken>tok</SessionToken><Expiration>2024-05-01T12:00:00Z</Expiration></Credentials>"
      "</AssumeRoleResult></AssumeRoleResponse>",
      ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(c.access_key_id, "ASIA1");
  EXPECT_EQ(c.session_token, "tok");
  EXPECT_EQ(*c.expiration, utc(2024, 5, 1, 12));
  ddb::parse_assume_role_response("<AssumeRoleResponse></AssumeRoleResponse>", ec);
  EXPECT_EQ(ec, client_errc::malformed_response);
}

TEST(WebIdentity, RequestBody) {
  EXPECT_EQ(
      ddb::assume_role_with_web_identity_body("arn:aws:iam::123456789012:role/my role", "s@1", "ey.J+/=~"),
      "Action=AssumeRoleWithWebIdentity&Version=2011-06-15"
      "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fmy%20role"
      "&RoleSessionName=s%401&WebIdentityToken=ey.J%2B%2F%3D~");
  EXPECT_EQ(ddb::default_role_session_name(std::chrono::system_clock::time_point(1700000000123ms)),
            "ddb-session-1700000000123");
}

TEST(WebIdentity, ParsesStsResponse) {
  const std::string xml =
      R"(<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>amzn1.account.AF6RHO7KZU5XRVQJGXK6HB56KR2A</SubjectFromWebIdentityToken>
    <Audience>client.5498841531868486423.1548@apps.example.com</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/FederatedWebIdentityRole/app1</Arn>
      <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:app1</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE&amp;x</SessionToken>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <Expiration>2014-10-24T23:00:23Z</Expiration>
      <AccessKeyId>ASgeIAIOSFODNN7EXAMPLE</AccessKeyId>
    </Credentials>
    <SourceIdentity>SourceIdentityValue</SourceIdentity>
    <Provider>www.amazon.com</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata>
    <RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId>
  </ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>)";
  ddb::error_code ec;
  auto c = ddb::parse_assume_role_with_web_identity_response(xml, ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(c.access_key_id, "ASgeIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(c.secret_access_key, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
  EXPECT_EQ(c.session_token, "AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE&x");
  EXPECT_EQ(c.expiration, utc(2014, 10, 24, 23, 0, 23));
  EXPECT_FALSE(ddb::parse_sts_error(xml));
}

TEST(WebIdentity, DecodesEntities) {
  ddb::error_code ec;
  auto c = ddb::parse_assume_role_with_web_identity_response(
      "<Credentials><AccessKeyId>&#65;&#x42;&lt;&gt;&quot;&apos;</"
      "AccessKeyId><SecretAccessKey>&#x20AC;&#128512;"
      "</SecretAccessKey><SessionToken>t</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></"
      "Credentials>",
      ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(c.access_key_id, "AB<>\"'");
  EXPECT_EQ(c.secret_access_key, "\xE2\x82\xAC\xF0\x9F\x98\x80");
}

TEST(WebIdentity, RejectsIncompleteResponses) {
  const std::string rest = "<SecretAccessKey>S</SecretAccessKey><SessionToken>T</SessionToken>"
                           "<Expiration>2030-01-01T00:00:00Z</Expiration>";
  const std::string fields = "<AccessKeyId>A</AccessKeyId>" + rest;
  auto wrap = [](const std::string& inner) { return "<Credentials>" + inner + "</Credentials>"; };
  for (const std::string& bad :
       {std::string(), std::string("<Credentials>"), fields, wrap(rest), wrap("<AccessKeyId/>" + rest),
        wrap("<AccessKeyId>A&bogus;</AccessKeyId>" + rest), wrap("<AccessKeyId>A&amp</AccessKeyId>" + rest),
        wrap("<AccessKeyId>A<b/></AccessKeyId>" + rest), wrap("<AccessKeyId>&#0;</AccessKeyId>" + rest),
        wrap("<AccessKeyId>&#xD800;</AccessKeyId>" + rest),
        wrap("<AccessKeyId>&#x110000;</AccessKeyId>" + rest),
        wrap("<AccessKeyId>&#12a;</AccessKeyId>" + rest),
        wrap(fields.substr(0, fields.find("<Expiration>")) + "<Expiration>soon</Expiration>"),
        wrap(fields.substr(0, fields.find("<SessionToken>")) +
             "<Expiration>2030-01-01T00:00:00Z</Expiration>")}) {
    ddb::error_code ec;
    ddb::parse_assume_role_with_web_identity_response(bad, ec);
    EXPECT_EQ(ec, client_errc::malformed_response) << bad;
  }
}

TEST(WebIdentity, ParsesStsErrors) {
  auto e = ddb::parse_sts_error(R"(<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>Sender</Type>
    <Code>InvalidIdentityToken</Code>
    <Message>No OpenIDConnect provider found in your account for https://oidc.example.com</Message>
  </Error>
  <RequestId>5ad2c4ba-0000-0000-0000-000000000000</RequestId>
</ErrorResponse>)");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "InvalidIdentityToken");
  EXPECT_EQ(e->message, "No OpenIDConnect provider found in your account for https://oidc.example.com");
  EXPECT_FALSE(ddb::parse_sts_error("<Error><Message>m</Message></Error>"));
  EXPECT_FALSE(ddb::parse_sts_error("not xml"));
}

// ---- Refresh

TEST(Refresh, Decisions) {
  const auto now = utc(2030, 1, 1, 12);
  ddb::credentials c{"AK", "SK", "T", std::nullopt};
  EXPECT_EQ(ddb::refresh_decision(c, now, 0.5), ddb::refresh_action::none); // never expires
  c.expiration = now + 1h;
  EXPECT_EQ(ddb::refresh_decision(c, now, 0.5), ddb::refresh_action::none);
  c.expiration = now + 5min + 31s; // threshold with random 0.5: 5 min 30 s
  EXPECT_EQ(ddb::refresh_decision(c, now, 0.5), ddb::refresh_action::none);
  c.expiration = now + 5min + 29s;
  EXPECT_EQ(ddb::refresh_decision(c, now, 0.5), ddb::refresh_action::soon);
  EXPECT_EQ(ddb::refresh_decision(c, now, 0.0), ddb::refresh_action::none);
  c.expiration = now + 2min;
  EXPECT_EQ(ddb::refresh_decision(c, now, 0.0), ddb::refresh_action::soon);
  c.expiration = now + 59s;
  EXPECT_EQ(ddb::refresh_decision(c, now, 0.0), ddb::refresh_action::now);
  c.expiration = now - 1h;
  EXPECT_EQ(ddb::refresh_decision(c, now, 0.0), ddb::refresh_action::now);
  ddb::refresh_options o;
  o.prefetch = 15min;
  o.stale = 10min;
  o.jitter = 0s;
  c.expiration = now + 14min;
  EXPECT_EQ(ddb::refresh_decision(c, now, 0.9, o), ddb::refresh_action::soon);
  c.expiration = now + 9min;
  EXPECT_EQ(ddb::refresh_decision(c, now, 0.9, o), ddb::refresh_action::now);
}
