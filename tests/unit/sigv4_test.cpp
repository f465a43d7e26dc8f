// SigV4 signer: the AWS test-suite vectors (header signing) and the signer's own behaviour.
#include <ddb/sigv4.hpp>

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#ifndef DDB_SIGV4_VECTORS_DIR
#error "DDB_SIGV4_VECTORS_DIR must name shared/vectors/sigv4"
#endif

namespace {

namespace fs = std::filesystem;
namespace sigv4 = ddb::sigv4;
using namespace std::chrono_literals;

const fs::path vectors_root = DDB_SIGV4_VECTORS_DIR;

// What both vector copies use (see the vectors' README).
const ddb::credentials example_creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "",
                                     std::nullopt};

sigv4::time_point parse_utc(std::string_view text) { // "2015-08-30T12:36:00Z"
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (std::sscanf(std::string(text).c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ", &y, &mo, &d, &h, &mi, &s) != 6)
    throw std::runtime_error("bad timestamp " + std::string(text));
  using namespace std::chrono;
  return sys_days{year{y} / mo / d} + hours{h} + minutes{mi} + seconds{s};
}

const sigv4::time_point example_time = parse_utc("2015-08-30T12:36:00Z");

std::string read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Expected outputs have no final newline; tolerate one added by an editor.
std::string read_expected(const fs::path& p) {
  std::string s = read_file(p);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

struct raw_request {
  std::string method, path, query, body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Request line, `Name:value` lines (a line starting with whitespace continues the previous
// value), a blank line, the body. The target may hold raw spaces: the version is the last word.
raw_request parse_request(std::string_view text) {
  raw_request r;
  auto next_line = [&text] {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    return line;
  };
  const std::string_view request_line = next_line();
  const std::size_t first = request_line.find(' '), last = request_line.rfind(' ');
  if (first == std::string_view::npos || last <= first) throw std::runtime_error("bad request line");
  r.method = request_line.substr(0, first);
  const std::string_view target = request_line.substr(first + 1, last - first - 1);
  const std::size_t q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string_view::npos) r.query = target.substr(q + 1);

  while (!text.empty()) {
    const std::string_view line = next_line();
    if (line.empty()) {
      r.body = text;
      break;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      if (r.headers.empty()) throw std::runtime_error("continuation before any header");
      r.headers.back().second += '\n'; // the signer folds it
      r.headers.back().second += line;
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) throw std::runtime_error("bad header line");
    r.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  return r;
}

std::string header_value(const raw_request& r, std::string_view lower_name) {
  for (const auto& [name, value] : r.headers) {
    std::string n = name;
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
    if (n == lower_name) return value;
  }
  return {};
}

enum class layout { aws_c_auth, botocore, missing };

// One vector directory; `name` is a valid gtest name made from its path.
struct vector_case {
  std::string name;
  layout kind = layout::missing;
  fs::path dir;
};

// Shown after the name by --gtest_list_tests, so kept short.
void PrintTo(const vector_case& c, std::ostream* os) {
  *os << (c.kind == layout::missing ? c.dir : fs::relative(c.dir, vectors_root)).generic_string();
}

std::string test_name(const fs::path& relative) {
  std::string s = relative.generic_string();
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

std::vector<vector_case> find_cases(layout kind) {
  const fs::path root =
      vectors_root / (kind == layout::aws_c_auth ? "aws-c-auth-v4" : "botocore-aws4_testsuite");
  std::vector<vector_case> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path dir = it->path();
    const bool is_case = kind == layout::aws_c_auth ? fs::exists(dir / "context.json")
                                                    : fs::exists(dir / (dir.filename().string() + ".req"));
    if (it->is_directory() && is_case) out.push_back({test_name(fs::relative(dir, root)), kind, dir});
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.name < b.name; });
  return out;
}

// Never an empty list: a missing vector folder must show up as a failing test.
std::vector<vector_case> cases_or_missing(layout kind) {
  auto out = find_cases(kind);
  if (out.empty()) out.push_back({"vectors_missing", layout::missing, vectors_root});
  return out;
}

// A case made ready to run: inputs and expected outputs.
struct loaded_case {
  ddb::credentials creds = example_creds;
  std::string region = "us-east-1", service = "service";
  sigv4::time_point now = example_time;
  sigv4::options opts;
  raw_request request;
  std::string creq, sts, authorization, signature;
  std::string signed_request; // aws-c-auth only (botocore's .sreq files are partly stale)
};

loaded_case load_aws_c_auth(const fs::path& dir) {
  loaded_case v;
  simdjson::dom::parser parser;
  const simdjson::dom::element ctx = parser.load((dir / "context.json").string());
  const simdjson::dom::element creds = ctx["credentials"];
  v.creds.access_key_id = std::string_view(creds["access_key_id"]);
  v.creds.secret_access_key = std::string_view(creds["secret_access_key"]);
  std::string_view token;
  if (creds["token"].get(token) == simdjson::SUCCESS) v.creds.session_token = token;
  v.region = std::string_view(ctx["region"]);
  v.service = std::string_view(ctx["service"]);
  v.now = parse_utc(std::string_view(ctx["timestamp"]));
  v.opts.normalize_path = bool(ctx["normalize"]);
  v.opts.sign_body = bool(ctx["sign_body"]);
  bool omit = false;
  if (ctx["omit_session_token"].get(omit) == simdjson::SUCCESS) v.opts.omit_session_token = omit;

  v.request = parse_request(read_file(dir / "request.txt"));
  v.creq = read_expected(dir / "header-canonical-request.txt");
  v.sts = read_expected(dir / "header-string-to-sign.txt");
  v.signature = read_expected(dir / "header-signature.txt");
  v.signed_request = read_file(dir / "header-signed-request.txt");
  v.authorization = header_value(parse_request(v.signed_request), "authorization");
  return v;
}

loaded_case load_botocore(const fs::path& dir) {
  loaded_case v;
  const fs::path stem = dir / dir.filename();
  auto file = [&stem](const char* ext) { return fs::path(stem.string() + ext); };
  v.request = parse_request(read_file(file(".req")));
  v.creq = read_expected(file(".creq"));
  v.sts = read_expected(file(".sts"));
  v.authorization = read_expected(file(".authz"));
  if (dir.parent_path().filename() == "post-sts-token") {
    // readme.txt ends with the token both cases use; "header-after" adds it after signing.
    std::istringstream readme(read_file(dir.parent_path() / "readme.txt"));
    for (std::string line; std::getline(readme, line);)
      if (!line.empty()) v.creds.session_token = line;
    v.opts.omit_session_token = dir.filename().string().ends_with("header-after");
  } else {
    // The token of a session-token case is the header its signed request carries (only the
    // signature in get-vanilla-with-session-token.sreq is stale).
    v.creds.session_token = header_value(parse_request(read_file(file(".sreq"))), "x-amz-security-token");
  }
  return v;
}

class sigv4_vector : public testing::TestWithParam<vector_case> {};

TEST_P(sigv4_vector, header_signing) {
  const vector_case& c = GetParam();
  if (c.kind == layout::missing)
    FAIL() << "no SigV4 test vectors under " << c.dir
           << " (shared/vectors/sigv4 must sit next to the repository; see DDB_SHARED_DIR)";
  const loaded_case v = c.kind == layout::aws_c_auth ? load_aws_c_auth(c.dir) : load_botocore(c.dir);

  std::vector<sigv4::header> headers;
  for (const auto& [name, value] : v.request.headers) headers.emplace_back(name, value);
  const sigv4::sign_input in(v.request.method, v.request.path, v.request.query, headers, v.request.body);
  sigv4::signer signer(v.region, v.service);

  EXPECT_EQ(signer.canonical_request(in, v.creds, v.now, v.opts), v.creq);
  EXPECT_EQ(signer.string_to_sign(v.creq, v.now), v.sts);
  const sigv4::signed_headers out = signer.sign(in, v.creds, v.now, v.opts);
  EXPECT_EQ(out.authorization, v.authorization);
  if (!v.signature.empty()) {
    EXPECT_TRUE(out.authorization.ends_with("Signature=" + v.signature));
  }

  // Every header the signer adds is in the expected signed request, value for value.
  if (!v.signed_request.empty()) {
    const raw_request expected = parse_request(v.signed_request);
    for (const sigv4::header& h : out.headers()) {
      std::string lower(h.name);
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char ch) { return std::tolower(ch); });
      EXPECT_EQ(header_value(expected, lower), h.value) << h.name;
    }
    EXPECT_EQ(out.security_token.empty(), header_value(expected, "x-amz-security-token").empty());
  }
}

std::string case_name(const testing::TestParamInfo<vector_case>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(aws_c_auth_v4, sigv4_vector, testing::ValuesIn(cases_or_missing(layout::aws_c_auth)),
                         case_name);
INSTANTIATE_TEST_SUITE_P(botocore, sigv4_vector, testing::ValuesIn(cases_or_missing(layout::botocore)),
                         case_name);

TEST(sigv4_vectors, all_header_signed_cases_found) {
  EXPECT_EQ(find_cases(layout::aws_c_auth).size(), 38u) << vectors_root;
  EXPECT_EQ(find_cases(layout::botocore).size(), 34u) << vectors_root;
}

// --- The signer's own behaviour ---------------------------------------------------------

const std::string dynamodb_host = "dynamodb.us-east-1.amazonaws.com";
const std::string put_item_target = "DynamoDB_20120810.PutItem";
const std::string put_item_body =
    R"({"TableName":"orders","Item":{"PK":{"S":"USER#alice"},"SK":{"S":"ORDER#2015-08-30"}}})";

// The generic path's view of a DynamoDB request.
sigv4::signed_headers sign_generic_dynamodb(sigv4::signer& s, std::string_view host, std::string_view target,
                                            std::string_view body, const ddb::credentials& creds,
                                            sigv4::time_point now) {
  const sigv4::header headers[] = {
      {"Host", host}, {"Content-Type", sigv4::signer::dynamodb_content_type}, {"X-Amz-Target", target}};
  const sigv4::sign_input in("POST", "/", "", headers, body);
  return s.sign(in, creds, now);
}

std::string signed_header_names(std::string_view authorization) {
  const auto start = authorization.find("SignedHeaders=") + 14;
  return std::string(authorization.substr(start, authorization.find(',', start) - start));
}

TEST(sigv4_signer, signing_key_cached_per_secret_and_day) {
  sigv4::signer s("us-east-1", "dynamodb");
  std::string authz, date;
  EXPECT_EQ(s.key_derivations(), 0u);
  s.sign_dynamodb(dynamodb_host, put_item_target, put_item_body, example_creds, example_time, authz, date);
  EXPECT_EQ(s.key_derivations(), 1u);
  // Same day, other times and bodies: hits.
  s.sign_dynamodb(dynamodb_host, put_item_target, "{}", example_creds, example_time + 11h, authz, date);
  sign_generic_dynamodb(s, dynamodb_host, put_item_target, "{}", example_creds, example_time - 12h);
  EXPECT_EQ(s.key_derivations(), 1u);

  // The next UTC day misses, and the signature is right for the new day.
  const auto tomorrow = example_time + 12h; // 2015-08-31T00:36:00Z
  s.sign_dynamodb(dynamodb_host, put_item_target, put_item_body, example_creds, tomorrow, authz, date);
  EXPECT_EQ(s.key_derivations(), 2u);
  EXPECT_EQ(date, "20150831T003600Z");
  EXPECT_NE(authz.find("/20150831/us-east-1/dynamodb/aws4_request"), std::string::npos);
  sigv4::signer fresh("us-east-1", "dynamodb");
  EXPECT_EQ(authz, sign_generic_dynamodb(fresh, dynamodb_host, put_item_target, put_item_body, example_creds,
                                         tomorrow)
                       .authorization);

  // A new secret (rotated credentials) misses; a session token alone does not.
  ddb::credentials rotated = example_creds;
  rotated.secret_access_key = "another/secret+key0000000000000000000000";
  s.sign_dynamodb(dynamodb_host, put_item_target, put_item_body, rotated, tomorrow, authz, date);
  EXPECT_EQ(s.key_derivations(), 3u);
  ddb::credentials with_token = rotated;
  with_token.session_token = "token";
  s.sign_dynamodb(dynamodb_host, put_item_target, put_item_body, with_token, tomorrow, authz, date);
  EXPECT_EQ(s.key_derivations(), 3u);
  // Going back to the old day is a miss again (one cached key), still correct.
  s.sign_dynamodb(dynamodb_host, put_item_target, put_item_body, example_creds, example_time, authz, date);
  EXPECT_EQ(s.key_derivations(), 4u);
  sigv4::signer fresh2("us-east-1", "dynamodb");
  EXPECT_EQ(authz, sign_generic_dynamodb(fresh2, dynamodb_host, put_item_target, put_item_body, example_creds,
                                         example_time)
                       .authorization);
}

TEST(sigv4_signer, session_token_signed_or_omitted) {
  ddb::credentials creds = example_creds;
  creds.session_token = "FQoGZXIvYXdzEXAMPLETOKEN==";
  const sigv4::header headers[] = {{"Host", "example.amazonaws.com"},
                                   {"X-Amz-Security-Token", "stale-token-from-caller"}};
  const sigv4::sign_input in("GET", "/", "", headers, "");
  sigv4::signer s("us-east-1", "service");

  const auto signed_token = s.sign(in, creds, example_time);
  EXPECT_EQ(signed_token.security_token, creds.session_token);
  EXPECT_EQ(signed_header_names(signed_token.authorization), "host;x-amz-date;x-amz-security-token");
  EXPECT_NE(s.canonical_request(in, creds, example_time)
                .find("\nx-amz-security-token:FQoGZXIvYXdzEXAMPLETOKEN==\n"),
            std::string::npos); // the credentials' token, not the caller's header

  sigv4::options omit;
  omit.omit_session_token = true;
  const auto unsigned_token = s.sign(in, creds, example_time, omit);
  EXPECT_EQ(unsigned_token.security_token, creds.session_token); // still to be sent
  EXPECT_EQ(signed_header_names(unsigned_token.authorization), "host;x-amz-date");
  // Omitted means: signed exactly as without a token.
  const sigv4::header host_only[] = {headers[0]};
  const sigv4::sign_input plain("GET", "/", "", host_only, "");
  EXPECT_EQ(unsigned_token.authorization, s.sign(plain, example_creds, example_time).authorization);

  // No token: no header, nothing signed.
  const auto no_token = s.sign(plain, example_creds, example_time);
  EXPECT_TRUE(no_token.security_token.empty());
  const auto added = no_token.headers();
  ASSERT_EQ(added.size(), 2u);
  EXPECT_EQ(added[0].name, "X-Amz-Date");
  EXPECT_EQ(added[0].value, "20150830T123600Z");
  EXPECT_EQ(added[1].name, "Authorization");
}

TEST(sigv4_signer, dynamodb_fast_path_matches_generic_path) {
  ddb::credentials with_token = example_creds;
  with_token.session_token = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQ==";
  sigv4::signer fast("eu-west-1", "dynamodb"), generic("eu-west-1", "dynamodb");
  std::string authz, date;
  struct variant {
    std::string host, target, body;
    const ddb::credentials* creds;
    sigv4::time_point now;
  };
  const variant variants[] = {
      {dynamodb_host, put_item_target, put_item_body, &example_creds, example_time},
      {dynamodb_host, put_item_target, put_item_body, &with_token, example_time + 1s},
      {"localhost:8000", "DynamoDB_20120810.GetItem", "{}", &example_creds, example_time + 2s},
      {" padded.host ", "DynamoDB_20120810.Query  ", "", &with_token, example_time + 48h},
      {dynamodb_host, put_item_target, std::string(5000, 'x'), &example_creds, example_time},
  };
  for (const variant& v : variants) { // one signer throughout: its buffers are reused
    fast.sign_dynamodb(v.host, v.target, v.body, *v.creds, v.now, authz, date);
    const auto expected = sign_generic_dynamodb(generic, v.host, v.target, v.body, *v.creds, v.now);
    EXPECT_EQ(authz, expected.authorization) << v.host << ' ' << v.target;
    EXPECT_EQ(date, expected.amz_date);
  }
  fast.sign_dynamodb(dynamodb_host, put_item_target, put_item_body, with_token, example_time, authz, date);
  EXPECT_EQ(signed_header_names(authz), "content-type;host;x-amz-date;x-amz-security-token;x-amz-target");
}

TEST(sigv4_signer, sign_body_adds_content_sha256) {
  const sigv4::header headers[] = {{"Host", "example.amazonaws.com"},
                                   {"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}};
  const sigv4::sign_input in("PUT", "/bucket/key", "", headers, "hello");
  sigv4::signer s("us-east-1", "s3");
  sigv4::options opts;
  opts.sign_body = true;
  opts.normalize_path = false;
  const auto out = s.sign(in, example_creds, example_time, opts);
  const std::string hello_sha256 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
  EXPECT_EQ(out.content_sha256, hello_sha256);
  EXPECT_EQ(signed_header_names(out.authorization), "host;x-amz-content-sha256;x-amz-date");
  EXPECT_TRUE(s.canonical_request(in, example_creds, example_time, opts)
                  .ends_with("\nx-amz-content-sha256:" + hello_sha256 +
                             "\nx-amz-date:20150830T123600Z\n\n"
                             "host;x-amz-content-sha256;x-amz-date\n" +
                             hello_sha256));
}

TEST(sigv4_signer, movable) {
  sigv4::signer a("us-east-1", "dynamodb");
  std::string authz1, authz2, date;
  a.sign_dynamodb(dynamodb_host, put_item_target, put_item_body, example_creds, example_time, authz1, date);
  sigv4::signer b(std::move(a));
  b.sign_dynamodb(dynamodb_host, put_item_target, put_item_body, example_creds, example_time, authz2, date);
  EXPECT_EQ(authz1, authz2);
  EXPECT_EQ(b.key_derivations(), 1u);
  EXPECT_EQ(b.region(), "us-east-1");
  EXPECT_EQ(b.service(), "dynamodb");
}

TEST(sigv4_format, amz_date) {
  EXPECT_EQ(sigv4::amz_date(example_time + 999ms), "20150830T123600Z"); // truncated, not rounded
  EXPECT_EQ(sigv4::amz_date(parse_utc("2000-02-29T23:59:59Z")), "20000229T235959Z");
  EXPECT_EQ(sigv4::amz_date(parse_utc("1999-12-31T00:00:00Z")), "19991231T000000Z");
  EXPECT_EQ(sigv4::amz_date(sigv4::time_point{}), "19700101T000000Z");
}

TEST(sigv4_format, canonical_uri) {
  EXPECT_EQ(sigv4::canonical_uri("", true), "/");
  EXPECT_EQ(sigv4::canonical_uri("/", true), "/");
  EXPECT_EQ(sigv4::canonical_uri("/a/b/../c/./d//", true), "/a/c/d/");
  EXPECT_EQ(sigv4::canonical_uri("/../..", true), "/");
  EXPECT_EQ(sigv4::canonical_uri("/a b/+%/", true), "/a%20b/%2B%25/");
  EXPECT_EQ(sigv4::canonical_uri("//a/./b/../", false), "//a/./b/../");
  EXPECT_EQ(sigv4::canonical_uri("/\xc3\xa9", false), "/%C3%A9");
}

TEST(sigv4_format, canonical_query) {
  EXPECT_EQ(sigv4::canonical_query(""), "");
  EXPECT_EQ(sigv4::canonical_query("b=2&a=1"), "a=1&b=2");
  EXPECT_EQ(sigv4::canonical_query("a=2&a=1&a"), "a=&a=1&a=2");
  EXPECT_EQ(sigv4::canonical_query("&&x=1&"), "x=1");
  EXPECT_EQ(sigv4::canonical_query("k=a+b%20c"), "k=a%2Bb%20c");         // '+' is not a space
  EXPECT_EQ(sigv4::canonical_query("k=%zz%4"), "k=%25zz%254");           // bad escapes kept
  EXPECT_EQ(sigv4::canonical_query("%e1%88%b4=x=y"), "%E1%88%B4=x%3Dy"); // first '=' splits
}

} // namespace
