#include "sso.hpp"

#include <ddb/aws_config.hpp>

#include <openssl/evp.h>
#include <simdjson.h>

#include <array>
#include <cstdint>

namespace ddb::detail {

std::string sha1_hex(std::string_view text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), md.data(), &size, EVP_sha1(), nullptr) != 1) return {};
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * size);
  for (unsigned int i = 0; i < size; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

std::string sso_token_cache_path(std::string_view home, std::string_view key) {
  std::string path(home);
  while (path.size() > 1 && path.ends_with("/")) path.pop_back();
  return path + "/.aws/sso/cache/" + sha1_hex(key) + ".json";
}

std::optional<sso_token> parse_sso_token_cache(std::string_view json, std::string* why) {
  auto bad = [&](std::string reason) -> std::optional<sso_token> {
    if (why) *why = std::move(reason);
    return std::nullopt;
  };
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(json.data(), json.size()).get_object().get(obj)) return bad("not a JSON object");
  std::string_view token, expires;
  if (obj["accessToken"].get_string().get(token) || token.empty()) return bad("no \"accessToken\" string");
  if (obj["expiresAt"].get_string().get(expires)) return bad("no \"expiresAt\" string");
  std::string when(expires);
  if (when.ends_with("UTC")) when.replace(when.size() - 3, 3, "Z"); // older CLI versions
  auto at = parse_iso8601(when);
  if (!at) return bad("\"expiresAt\" is not an ISO 8601 time");
  return sso_token{std::string(token), *at};
}

namespace {

void percent_encode(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
}

} // namespace

std::string sso_role_credentials_target(std::string_view base_path, std::string_view role_name,
                                        std::string_view account_id) {
  std::string out(base_path);
  while (out.ends_with("/")) out.pop_back();
  out += "/federation/credentials?role_name=";
  percent_encode(out, role_name);
  out += "&account_id=";
  percent_encode(out, account_id);
  return out;
}

credentials parse_sso_role_credentials(std::string_view json, error_code& ec) {
  ec = client_errc::malformed_response;
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(json.data(), json.size()).get_object().get(obj)) return {};
  simdjson::dom::object rc;
  if (obj["roleCredentials"].get_object().get(rc)) return {};
  credentials c;
  std::string_view id, secret, token;
  if (rc["accessKeyId"].get_string().get(id) || rc["secretAccessKey"].get_string().get(secret) ||
      rc["sessionToken"].get_string().get(token) || id.empty() || secret.empty() || token.empty())
    return {};
  c.access_key_id = id;
  c.secret_access_key = secret;
  c.session_token = token;
  auto exp = rc["expiration"];
  std::int64_t ms = 0;
  double msd = 0;
  if (!exp.get_int64().get(ms)) {
  } else if (!exp.get_double().get(msd) && msd >= 0 && msd < 9.2e15) {
    ms = static_cast<std::int64_t>(msd);
  } else {
    return {};
  }
  // system_clock counts nanoseconds in 64 bits here: up to 2262.
  if (ms <= 0 || ms > 9'000'000'000'000) return {};
  c.expiration = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::milliseconds(ms)));
  ec = {};
  return c;
}

std::string sso_error_text(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(json.data(), json.size()).get_object().get(obj)) return {};
  std::string_view type, message;
  if (obj["__type"].get_string().get(type)) type = {};
  if (obj["message"].get_string().get(message) && obj["Message"].get_string().get(message)) message = {};
  if (auto hash = type.rfind('#'); hash != std::string_view::npos) type = type.substr(hash + 1);
  std::string out(type);
  if (!type.empty() && !message.empty()) out += ": ";
  out += message;
  // A message goes into a log line: no control characters, at most 300 bytes.
  if (out.size() > 300) out = out.substr(0, 300) + "...";
  for (char& ch : out)
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = ' ';
  return out;
}

} // namespace ddb::detail
