#include <ddb/aws_config.hpp>
#include <ddb/endpoints.hpp>

#include "ascii.hpp"
#include "ini_file.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <limits>

namespace ddb {
namespace {

std::optional<std::string> get_env(const env_lookup& env, std::string_view name) {
  if (!env) return std::nullopt;
  auto v = env(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

using detail::is_digit;
using detail::is_host_char;
constexpr char lower(char c) noexcept { return detail::ascii_lower(c); }

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

bool is_true(const std::optional<std::string>& v) { return v && iequals(*v, "true"); }

std::optional<std::string_view> setting(const profile_settings* p, std::string_view key) {
  if (!p) return std::nullopt;
  auto it = p->find(key);
  if (it == p->end() || it->second.empty()) return std::nullopt;
  return it->second;
}

error_code parse_one(std::string_view text, detail::ini_kind kind, shared_config& out, std::string_view label,
                     std::string* why) {
  std::size_t line = 0;
  auto ec = detail::parse_ini(text, kind, out.sections, &line);
  if (ec && why)
    *why = std::string(label) + ", line " + std::to_string(line) + ": not a section, property or comment";
  return ec;
}

// ---- URLs

// 127.0.0.0/8 and the ECS/EKS container agents: where AWS_CONTAINER_CREDENTIALS_FULL_URI may use
// plain http (the token and credentials must not cross a network unencrypted).
bool is_allowed_container_host(std::string_view host) {
  if (host == "localhost" || host == "::1" || host == "169.254.170.2" || host == "169.254.170.23" ||
      host == "fd00:ec2::23")
    return true;
  if (host.substr(0, 4) != "127.") return false;
  int parts = 0;
  for (std::size_t i = 0; i <= host.size();) {
    std::size_t j = i;
    while (j < host.size() && is_digit(host[j])) ++j;
    if (j == i || j - i > 3 || std::stoi(std::string(host.substr(i, j - i))) > 255) return false;
    ++parts;
    if (j == host.size()) break;
    if (host[j] != '.') return false;
    i = j + 1;
  }
  return parts == 4;
}

void percent_encode(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(static_cast<char>(c)) || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
}

// ---- XML: just enough for STS responses (no attributes, CDATA or namespaces prefixes).

// The raw content of the first <name>...</name> (or <name/>) in `xml`.
std::optional<std::string_view> find_element(std::string_view xml, std::string_view name) {
  const std::string open = "<" + std::string(name) + ">", close = "</" + std::string(name) + ">";
  const std::string empty = "<" + std::string(name) + "/>";
  const auto start = xml.find(open);
  const auto empty_at = xml.find(empty);
  if (empty_at < start) return std::string_view();
  if (start == std::string_view::npos) return std::nullopt;
  const auto end = xml.find(close, start + open.size());
  if (end == std::string_view::npos) return std::nullopt;
  return xml.substr(start + open.size(), end - start - open.size());
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Element text with entities decoded and surrounding whitespace trimmed; nullopt if it holds markup
// or a bad entity.
std::optional<std::string> xml_text(std::string_view raw) {
  constexpr std::string_view space = " \t\r\n";
  const auto first = raw.find_first_not_of(space);
  if (first == std::string_view::npos) return std::string();
  raw = raw.substr(first, raw.find_last_not_of(space) - first + 1);
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '<') return std::nullopt;
    if (c != '&') {
      out += c;
      continue;
    }
    const auto semi = raw.find(';', i);
    if (semi == std::string_view::npos) return std::nullopt;
    const std::string_view ent = raw.substr(i + 1, semi - i - 1);
    i = semi;
    if (ent == "amp")
      out += '&';
    else if (ent == "lt")
      out += '<';
    else if (ent == "gt")
      out += '>';
    else if (ent == "quot")
      out += '"';
    else if (ent == "apos")
      out += '\'';
    else if (ent.size() >= 2 && ent[0] == '#') {
      const bool hex = ent[1] == 'x' || ent[1] == 'X';
      const std::string_view digits = ent.substr(hex ? 2 : 1);
      if (digits.empty() || digits.size() > 8) return std::nullopt;
      std::uint32_t cp = 0;
      for (char d : digits) {
        int v = is_digit(d) ? d - '0' : hex && lower(d) >= 'a' && lower(d) <= 'f' ? lower(d) - 'a' + 10 : -1;
        if (v < 0) return std::nullopt;
        cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(v);
      }
      if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
      append_utf8(out, cp);
    } else {
      return std::nullopt;
    }
  }
  return out;
}

std::optional<std::string> xml_field(std::string_view xml, std::string_view name) {
  auto raw = find_element(xml, name);
  if (!raw) return std::nullopt;
  return xml_text(*raw);
}

// Reads `n` digits as a number; false if any is not a digit.
bool read_number(std::string_view s, std::size_t pos, std::size_t n, int& out) noexcept {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!is_digit(s[i])) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

} // namespace

env_lookup system_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

file_loader system_files() {
  return [](const std::string& path) -> std::optional<std::string> {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return std::nullopt;
    return text;
  };
}

// ---- Shared config

const profile_settings* shared_config::profile() const {
  auto it = sections.find(profile_name);
  return it == sections.end() ? nullptr : &it->second;
}

std::optional<std::string_view> shared_config::get(std::string_view key) const {
  return setting(profile(), key);
}

error_code parse_shared_config(std::string_view config_text, std::string_view credentials_text,
                               shared_config& out, std::string* why) {
  // The credentials file second, so its keys win.
  if (auto ec = parse_one(config_text, detail::ini_kind::config, out, "config file", why)) return ec;
  return parse_one(credentials_text, detail::ini_kind::credentials, out, "credentials file", why);
}

shared_config load_shared_config(const env_lookup& env, const file_loader& files, error_code& ec,
                                 std::string* why) {
  ec = {};
  shared_config cfg;
  if (auto p = get_env(env, "AWS_PROFILE")) cfg.profile_name = *p;
  const auto home = get_env(env, "HOME");
  auto path_of = [&](std::string_view var, std::string_view name) -> std::optional<std::string> {
    if (auto p = get_env(env, var)) {
      if (home && (*p == "~" || p->starts_with("~/"))) return *home + p->substr(1);
      return p;
    }
    if (home) return *home + "/.aws/" + std::string(name);
    return std::nullopt;
  };
  auto read = [&](const std::optional<std::string>& path) {
    std::optional<std::string> text;
    if (path && files) text = files(*path);
    return text.value_or(std::string());
  };
  const auto config_path = path_of("AWS_CONFIG_FILE", "config");
  const auto credentials_path = path_of("AWS_SHARED_CREDENTIALS_FILE", "credentials");
  ec = parse_one(read(config_path), detail::ini_kind::config, cfg, config_path.value_or(""), why);
  if (!ec)
    ec = parse_one(read(credentials_path), detail::ini_kind::credentials, cfg, credentials_path.value_or(""),
                   why);
  return cfg;
}

// ---- Region and endpoint

std::optional<std::string> resolve_region(const env_lookup& env, const shared_config& cfg) {
  if (auto r = get_env(env, "AWS_REGION")) return r;
  if (auto r = get_env(env, "AWS_DEFAULT_REGION")) return r;
  if (auto r = cfg.get("region")) return std::string(*r);
  return std::nullopt;
}

std::optional<std::string> resolve_region(const env_lookup& env, const file_loader& files, error_code& ec) {
  auto cfg = load_shared_config(env, files, ec);
  if (ec) return std::nullopt;
  return resolve_region(env, cfg);
}

std::string default_endpoint(std::string_view service, std::string_view region, error_code& ec) {
  ec = {};
  // The region becomes part of a host name: nothing but [a-z0-9-] may get in.
  const bool valid = !region.empty() && region.size() <= 63 &&
                     std::all_of(region.begin(), region.end(),
                                 [](char c) { return (c >= 'a' && c <= 'z') || is_digit(c) || c == '-'; });
  if (!valid) {
    ec = client_errc::invalid_argument;
    return {};
  }
  return "https://" + std::string(service) + "." + std::string(region) + "." +
         std::string(partition_of(region).dns_suffix);
}

std::string resolve_endpoint(const env_lookup& env, const shared_config& cfg, std::string_view region,
                             error_code& ec, std::string_view account_id, std::string* why) {
  auto params = resolve_endpoint_params(env, cfg, region, ec, why);
  if (ec) return {};
  params.account_id = account_id;
  // A configured URL is used as written; the SDKs refuse to combine it with a variant.
  auto configured_url = [&](std::string url) {
    if (params.use_fips || params.use_dual_stack) {
      ec = client_errc::invalid_config;
      if (why)
        *why = params.use_fips ? "FIPS and a configured endpoint URL are not supported together"
                               : "dual-stack and a configured endpoint URL are not supported together";
      return std::string();
    }
    return url;
  };
  const auto ignore = get_env(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
  const bool configured =
      ignore ? !is_true(ignore) : !iequals(cfg.get("ignore_configured_endpoint_urls").value_or(""), "true");
  if (configured) {
    if (auto u = get_env(env, "AWS_ENDPOINT_URL_DYNAMODB")) return configured_url(*u);
    if (auto u = get_env(env, "AWS_ENDPOINT_URL")) return configured_url(*u);
    if (auto services = cfg.get("services")) {
      auto it = cfg.sections.find("services " + std::string(*services));
      if (it != cfg.sections.end())
        if (auto u = setting(&it->second, "dynamodb.endpoint_url")) return configured_url(std::string(*u));
    }
    if (auto u = cfg.get("endpoint_url")) return configured_url(std::string(*u));
  }
  return dynamodb_endpoint(params, ec, why);
}

std::string resolve_endpoint(const env_lookup& env, const file_loader& files, std::string_view region,
                             error_code& ec) {
  auto cfg = load_shared_config(env, files, ec);
  if (ec) return {};
  return resolve_endpoint(env, cfg, region, ec);
}

std::string endpoint_url::host_header() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != (tls() ? 443 : 80)) h += ":" + std::to_string(port);
  return h;
}

std::string endpoint_url::authority() const {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

endpoint_url parse_endpoint_url(std::string_view url, error_code& ec) {
  ec = client_errc::invalid_argument;
  endpoint_url out;
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) return {};
  for (char c : url.substr(0, sep)) out.scheme += lower(c);
  if (out.scheme != "http" && out.scheme != "https") return {};
  std::string_view rest = url.substr(sep + 3);
  if (rest.find_first_of("?#@ ") != std::string_view::npos) return {};
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) out.path = rest.substr(slash);
  for (unsigned char c : out.path)
    if (c <= 0x20 || c >= 0x7f) return {};

  std::string_view host, port;
  bool has_port = false;
  if (authority.starts_with("[")) { // IPv6 literal
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return {};
    host = authority.substr(1, close - 1);
    const auto after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return {};
    has_port = !after.empty();
    if (has_port) port = after.substr(1);
    if (host.find(':') == std::string_view::npos) return {};
    for (char c : host)
      if (!(is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'f') || c == ':' || c == '.')) return {};
  } else {
    const auto colon = authority.find(':');
    host = authority.substr(0, colon);
    has_port = colon != std::string_view::npos;
    if (has_port) port = authority.substr(colon + 1);
    for (char c : host)
      if (!is_host_char(c)) return {};
  }
  if (host.empty() || (has_port && port.empty())) return {};
  for (char c : host) out.host += lower(c);
  if (port.empty()) {
    out.port = out.tls() ? 443 : 80;
  } else {
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), is_digit)) return {};
    const int p = std::stoi(std::string(port));
    if (p < 1 || p > 65535) return {};
    out.port = static_cast<std::uint16_t>(p);
  }
  ec = {};
  return out;
}

// ---- Credential provider chain

namespace {

using fail_fn = std::function<void(error_code, std::string)>;

// AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN); false when neither is set.
bool env_keys(const env_lookup& env, credential_source& out, const fail_fn& fail) {
  const auto id = get_env(env, "AWS_ACCESS_KEY_ID");
  const auto secret = get_env(env, "AWS_SECRET_ACCESS_KEY");
  if (!id && !secret) return false;
  if (!id || !secret) {
    fail(client_errc::invalid_argument, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together");
    return true;
  }
  out.provider = credential_provider::static_keys;
  out.origin = "environment";
  out.keys.access_key_id = *id;
  out.keys.secret_access_key = *secret;
  out.keys.session_token = get_env(env, "AWS_SESSION_TOKEN").value_or("");
  out.keys.account_id = get_env(env, "AWS_ACCOUNT_ID").value_or("");
  return true;
}

// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI; false when neither is set.
bool container_source(const env_lookup& env, credential_source& out, const fail_fn& fail) {
  if (auto rel = get_env(env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
    if (!rel->starts_with("/")) {
      fail(client_errc::invalid_argument, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must start with '/'");
      return true;
    }
    out.endpoint = "http://169.254.170.2" + *rel;
  } else if (auto full = get_env(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
    error_code uec;
    auto url = parse_endpoint_url(*full, uec);
    if (uec) {
      fail(client_errc::invalid_argument, "AWS_CONTAINER_CREDENTIALS_FULL_URI is not an http(s) URL");
      return true;
    }
    if (!url.tls() && !is_allowed_container_host(url.host)) {
      fail(client_errc::invalid_argument,
           "AWS_CONTAINER_CREDENTIALS_FULL_URI: plain http only to loopback or the container agent");
      return true;
    }
    out.endpoint = *full;
  } else {
    return false;
  }
  out.provider = credential_provider::container;
  out.origin = "container";
  out.authorization_token_file = get_env(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE").value_or("");
  out.authorization_token = get_env(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN").value_or("");
  return true;
}

// The IMDS endpoint (the settings of the active profile); false when it is disabled.
bool imds_source(const env_lookup& env, const shared_config& cfg, credential_source& out,
                 const fail_fn& fail) {
  if (is_true(get_env(env, "AWS_EC2_METADATA_DISABLED"))) return false;
  std::string endpoint = get_env(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT")
                             .value_or(std::string(cfg.get("ec2_metadata_service_endpoint").value_or("")));
  if (endpoint.empty()) {
    const std::string mode =
        get_env(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE")
            .value_or(std::string(cfg.get("ec2_metadata_service_endpoint_mode").value_or("IPv4")));
    if (iequals(mode, "IPv6")) {
      endpoint = "http://[fd00:ec2::254]";
    } else if (iequals(mode, "IPv4")) {
      endpoint = "http://169.254.169.254";
    } else {
      fail(client_errc::invalid_argument, "EC2 metadata endpoint mode must be IPv4 or IPv6");
      return true;
    }
  }
  error_code uec;
  parse_endpoint_url(endpoint, uec);
  if (uec) {
    fail(client_errc::invalid_argument, "the EC2 metadata endpoint is not an http(s) URL");
    return true;
  }
  while (endpoint.ends_with("/")) endpoint.pop_back();
  out.provider = credential_provider::imds;
  out.origin = "imds";
  out.endpoint = std::move(endpoint);
  return true;
}

// A profile's static keys; false when it has none.
bool profile_keys(const profile_settings* p, const std::string& origin, credential_source& out,
                  const fail_fn& fail) {
  const auto pid = setting(p, "aws_access_key_id");
  const auto psecret = setting(p, "aws_secret_access_key");
  if (!pid && !psecret) return false;
  if (!pid || !psecret) {
    fail(client_errc::invalid_argument,
         origin + ": aws_access_key_id and aws_secret_access_key must be set together");
    return true;
  }
  out.provider = credential_provider::static_keys;
  out.origin = origin;
  out.keys.access_key_id = *pid;
  out.keys.secret_access_key = *psecret;
  out.keys.session_token = setting(p, "aws_session_token").value_or("");
  out.keys.account_id = setting(p, "aws_account_id").value_or("");
  return true;
}

// A profile's IAM Identity Center settings (botocore's SSOProvider): sso_session naming an
// `[sso-session NAME]` section with sso_start_url and sso_region, or a legacy profile with both
// itself; sso_account_id and sso_role_name in the profile. False when it has no sso_* key.
bool sso_source(const shared_config& cfg, const profile_settings* p, const std::string& name,
                credential_source& out, const fail_fn& fail) {
  constexpr std::string_view keys[] = {"sso_session", "sso_start_url", "sso_region", "sso_account_id",
                                       "sso_role_name"};
  if (std::none_of(std::begin(keys), std::end(keys), [&](std::string_view k) { return setting(p, k); }))
    return false;
  const std::string origin = "profile " + name;
  std::string start_url(setting(p, "sso_start_url").value_or(""));
  std::string region(setting(p, "sso_region").value_or(""));
  std::string where = "the profile";
  if (auto session = setting(p, "sso_session")) {
    const std::string session_name(*session);
    where = "the profile or its [sso-session " + session_name + "]";
    auto it = cfg.sections.find("sso-session " + session_name);
    if (it == cfg.sections.end()) {
      fail(client_errc::invalid_argument, origin + ": sso_session " + session_name + " has no [sso-session " +
                                              session_name + "] section in the config file");
      return true;
    }
    for (auto [key, value] : {std::pair<std::string_view, std::string*>{"sso_start_url", &start_url},
                              std::pair<std::string_view, std::string*>{"sso_region", &region}}) {
      auto in_session = setting(&it->second, key);
      if (!in_session) continue;
      if (!value->empty() && *value != *in_session) {
        fail(client_errc::invalid_argument, origin + ": " + std::string(key) + " " + *value +
                                                " differs from sso-session " + session_name + "'s " +
                                                std::string(*in_session));
        return true;
      }
      *value = *in_session;
    }
    out.sso_session = session_name;
  }
  const std::pair<std::string_view, std::string> required[] = {
      {"sso_start_url", start_url},
      {"sso_region", region},
      {"sso_account_id", std::string(setting(p, "sso_account_id").value_or(""))},
      {"sso_role_name", std::string(setting(p, "sso_role_name").value_or(""))}};
  for (const auto& [key, value] : required)
    if (value.empty()) {
      fail(client_errc::invalid_argument,
           origin + ": an SSO profile needs " + std::string(key) + " (missing in " + where + ")");
      return true;
    }
  out.provider = credential_provider::sso;
  out.origin = origin;
  out.sso_start_url = start_url;
  out.sso_region = region;
  out.sso_account_id = required[2].second;
  out.sso_role_name = required[3].second;
  return true;
}

// Resolves a profile's credentials (the active one at depth 0, a source_profile deeper); roles
// are appended to out.assume_roles outermost first, the caller reverses them.
bool profile_source(const env_lookup& env, const shared_config& cfg, const std::string& name,
                    std::vector<std::string>& visited, credential_source& out, const fail_fn& fail) {
  const std::string origin = "profile " + name;
  auto it = cfg.sections.find(name);
  const profile_settings* p = it == cfg.sections.end() ? nullptr : &it->second;
  if (!p) return false;
  const bool is_source = !visited.empty();
  // A source profile's own keys end the chain, even if it names itself (as the SDKs allow).
  if (is_source && setting(p, "aws_access_key_id")) return profile_keys(p, origin, out, fail);
  visited.push_back(name);

  const auto role_arn = setting(p, "role_arn");
  if (role_arn) {
    if (auto file = setting(p, "web_identity_token_file")) {
      out.provider = credential_provider::web_identity;
      out.origin = origin;
      out.role_arn = *role_arn;
      out.web_identity_token_file = *file;
      out.role_session_name = setting(p, "role_session_name").value_or("");
      return true;
    }
  }
  if (role_arn) {
    assume_role_step step;
    step.origin = origin;
    step.role_arn = *role_arn;
    step.role_session_name = setting(p, "role_session_name").value_or("");
    step.external_id = setting(p, "external_id").value_or("");
    if (auto d = setting(p, "duration_seconds")) {
      const bool digits = d->size() <= 5 && std::all_of(d->begin(), d->end(), is_digit);
      step.duration_seconds = digits ? std::stoi(std::string(*d)) : -1;
      if (step.duration_seconds < 900 || step.duration_seconds > 43200) {
        fail(client_errc::invalid_argument, origin + ": duration_seconds must be 900 to 43200");
        return true;
      }
    }
    if (setting(p, "mfa_serial")) {
      fail(client_errc::credentials_mfa_required,
           origin + ": role " + step.role_arn +
               " needs an MFA code (mfa_serial) and there is no terminal to ask "
               "for one; use credentials from `aws sts get-session-token` instead");
      return true;
    }
    out.assume_roles.push_back(std::move(step));
    const auto source_profile = setting(p, "source_profile");
    const auto credential_source_name = setting(p, "credential_source");
    if (source_profile && credential_source_name) {
      fail(client_errc::invalid_argument,
           origin + ": role_arn with both source_profile and credential_source");
      return true;
    }
    if (credential_source_name) {
      bool found = false;
      if (*credential_source_name == "Environment") {
        found = env_keys(env, out, fail);
      } else if (*credential_source_name == "Ec2InstanceMetadata") {
        found = imds_source(env, cfg, out, fail);
      } else if (*credential_source_name == "EcsContainer") {
        found = container_source(env, out, fail);
      } else {
        fail(client_errc::invalid_argument, origin + ": credential_source must be Environment, "
                                                     "Ec2InstanceMetadata or EcsContainer");
        return true;
      }
      if (!found)
        fail(client_errc::invalid_argument,
             origin + ": credential_source " + std::string(*credential_source_name) + " has no credentials");
      return true;
    }
    if (!source_profile) {
      fail(client_errc::invalid_argument, origin + ": role_arn needs source_profile or credential_source");
      return true;
    }
    const std::string next(*source_profile);
    auto next_it = cfg.sections.find(next);
    const bool next_has_keys =
        next_it != cfg.sections.end() && setting(&next_it->second, "aws_access_key_id");
    if (!next_has_keys && std::find(visited.begin(), visited.end(), next) != visited.end()) {
      std::string path;
      for (const auto& v : visited) path += v + " -> ";
      fail(client_errc::invalid_argument, origin + ": source_profile cycle: " + path + next);
      return true;
    }
    if (!profile_source(env, cfg, next, visited, out, fail))
      fail(client_errc::invalid_argument,
           origin + ": source_profile " + next + " is in neither the config nor the credentials file");
    return true;
  }
  if (sso_source(cfg, p, name, out, fail)) return true;
  if (auto cmd = setting(p, "credential_process")) {
    out.provider = credential_provider::process;
    out.origin = origin;
    out.credential_process = *cmd;
    return true;
  }
  if (profile_keys(p, origin, out, fail)) return true;
  if (is_source) {
    fail(client_errc::invalid_argument, origin + ": a source_profile without credentials");
    return true;
  }
  return false;
}

} // namespace

credential_source resolve_credential_source(const env_lookup& env, const shared_config& cfg, error_code& ec,
                                            std::string* why) {
  ec = {};
  credential_source out;
  bool failed = false;
  const fail_fn fail = [&](error_code e, std::string reason) {
    if (failed) return; // the first (innermost) reason
    failed = true;
    ec = e;
    if (why) *why = std::move(reason);
  };
  auto done = [&]() {
    if (failed) return credential_source{};
    std::reverse(out.assume_roles.begin(), out.assume_roles.end());
    return std::move(out);
  };

  // 1. Static keys from the environment.
  if (env_keys(env, out, fail)) return done();

  // 2. Web identity from the environment (EKS IRSA sets these).
  const auto token_file = get_env(env, "AWS_WEB_IDENTITY_TOKEN_FILE");
  const auto role = get_env(env, "AWS_ROLE_ARN");
  if (token_file && role) {
    out.provider = credential_provider::web_identity;
    out.origin = "environment";
    out.role_arn = *role;
    out.web_identity_token_file = *token_file;
    out.role_session_name = get_env(env, "AWS_ROLE_SESSION_NAME").value_or("");
    return done();
  }

  // 3. The active profile.
  std::vector<std::string> visited;
  if (profile_source(env, cfg, cfg.profile_name, visited, out, fail)) return done();
  if (!cfg.profile() && get_env(env, "AWS_PROFILE")) {
    fail(client_errc::invalid_argument,
         "profile " + cfg.profile_name + " (AWS_PROFILE) is in neither the config nor the credentials file");
    return done();
  }

  // 4. Container credentials (ECS task roles, EKS Pod Identity).
  if (container_source(env, out, fail)) return done();

  // 5. EC2 instance metadata.
  imds_source(env, cfg, out, fail);
  return done();
}

// ---- Credential endpoint answers

std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view s) {
  using namespace std::chrono;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!read_number(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !read_number(s, 5, 2, mo) || s[7] != '-' ||
      !read_number(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') || !read_number(s, 11, 2, h) ||
      s[13] != ':' || !read_number(s, 14, 2, mi) || s[16] != ':' || !read_number(s, 17, 2, sec))
    return std::nullopt;
  const year_month_day date{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!date.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  std::size_t pos = 19;
  std::int64_t nanos = 0;
  if (s[pos] == '.') {
    const std::size_t start = ++pos;
    std::int64_t scale = 100'000'000;
    for (; pos < s.size() && is_digit(s[pos]); ++pos, scale /= 10) nanos += (s[pos] - '0') * scale;
    if (pos == start) return std::nullopt;
  }
  std::int64_t offset = 0; // seconds east of UTC
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh = 0, om = 0;
    const bool colon = pos + 3 < s.size() && s[pos + 3] == ':';
    if (!read_number(s, pos + 1, 2, oh) || !read_number(s, pos + (colon ? 4 : 3), 2, om) || oh > 23 ||
        om > 59)
      return std::nullopt;
    offset = (s[pos] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    pos += colon ? 6 : 5;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  const std::int64_t secs = static_cast<std::int64_t>(sys_days(date).time_since_epoch().count()) * 86400 +
                            h * 3600 + mi * 60 + sec - offset;
  // system_clock counts nanoseconds in 64 bits here: about 1678..2262.
  constexpr auto limit = duration_cast<seconds>(system_clock::duration::max()).count() - 1;
  if (secs > limit || secs < -limit) return std::nullopt;
  return system_clock::time_point(duration_cast<system_clock::duration>(seconds(secs) + nanoseconds(nanos)));
}

credentials parse_credentials_json(std::string_view json, error_code& ec) {
  ec = client_errc::malformed_response;
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(json.data(), json.size()).get_object().get(obj)) return {};
  credentials c;
  std::string_view expiration;
  for (auto field : obj) {
    std::string* target = nullptr;
    std::string_view value;
    const bool is_string = !field.value.get_string().get(value);
    if (field.key == "AccessKeyId")
      target = &c.access_key_id;
    else if (field.key == "SecretAccessKey")
      target = &c.secret_access_key;
    else if (field.key == "Token")
      target = &c.session_token;
    else if (field.key == "Expiration")
      expiration = value;
    else if (field.key == "Code" && (!is_string || value != "Success"))
      return {};
    else
      continue;
    if (!is_string) return {};
    if (target) *target = value;
  }
  if (c.access_key_id.empty() || c.secret_access_key.empty()) return {};
  if (!expiration.empty()) {
    c.expiration = parse_iso8601(expiration);
    if (!c.expiration) return {};
  }
  ec = {};
  return c;
}

std::string assume_role_with_web_identity_body(std::string_view role_arn, std::string_view role_session_name,
                                               std::string_view web_identity_token) {
  std::string body = "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=";
  body.reserve(body.size() + role_arn.size() + role_session_name.size() + web_identity_token.size() + 64);
  percent_encode(body, role_arn);
  body += "&RoleSessionName=";
  percent_encode(body, role_session_name);
  body += "&WebIdentityToken=";
  percent_encode(body, web_identity_token);
  return body;
}

std::string assume_role_body(const assume_role_step& step, std::string_view role_session_name) {
  std::string body = "Action=AssumeRole&Version=2011-06-15&RoleArn=";
  percent_encode(body, step.role_arn);
  body += "&RoleSessionName=";
  percent_encode(body, role_session_name);
  if (!step.external_id.empty()) {
    body += "&ExternalId=";
    percent_encode(body, step.external_id);
  }
  if (step.duration_seconds > 0) body += "&DurationSeconds=" + std::to_string(step.duration_seconds);
  return body;
}

credentials parse_assume_role_response(std::string_view xml, error_code& ec) {
  return parse_assume_role_with_web_identity_response(xml, ec); // the same <Credentials>
}

credentials parse_process_credentials(std::string_view json, error_code& ec, std::string* why) {
  ec = client_errc::malformed_response;
  auto bad = [&](std::string reason) {
    if (why) *why = std::move(reason);
    return credentials();
  };
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(json.data(), json.size()).get_object().get(obj))
    return bad("the output is not a JSON object");
  int64_t version = 0;
  if (obj["Version"].get_int64().get(version) || version != 1) return bad("\"Version\" must be the number 1");
  credentials c;
  std::string_view expiration;
  const std::pair<std::string_view, std::string*> strings[] = {{"AccessKeyId", &c.access_key_id},
                                                               {"SecretAccessKey", &c.secret_access_key},
                                                               {"SessionToken", &c.session_token}};
  for (const auto& [key, target] : strings) {
    auto v = obj[key];
    if (v.error() == simdjson::NO_SUCH_FIELD) continue;
    std::string_view text;
    if (v.get_string().get(text)) return bad("\"" + std::string(key) + "\" is not a string");
    *target = text;
  }
  if (c.access_key_id.empty() || c.secret_access_key.empty())
    return bad("\"AccessKeyId\" and \"SecretAccessKey\" are required");
  if (auto v = obj["Expiration"]; v.error() != simdjson::NO_SUCH_FIELD && !v.is_null()) {
    if (v.get_string().get(expiration)) return bad("\"Expiration\" is not a string");
    c.expiration = parse_iso8601(expiration);
    if (!c.expiration) return bad("\"Expiration\" is not an ISO 8601 time");
  }
  ec = {};
  return c;
}

std::string default_role_session_name(std::chrono::system_clock::time_point now) {
  using namespace std::chrono;
  return "ddb-session-" + std::to_string(duration_cast<milliseconds>(now.time_since_epoch()).count());
}

credentials parse_assume_role_with_web_identity_response(std::string_view xml, error_code& ec) {
  ec = client_errc::malformed_response;
  auto block = find_element(xml, "Credentials");
  if (!block) return {};
  auto id = xml_field(*block, "AccessKeyId");
  auto secret = xml_field(*block, "SecretAccessKey");
  auto token = xml_field(*block, "SessionToken");
  auto expiration = xml_field(*block, "Expiration");
  if (!id || id->empty() || !secret || secret->empty() || !token || token->empty() || !expiration) return {};
  credentials c{std::move(*id), std::move(*secret), std::move(*token), parse_iso8601(*expiration)};
  if (!c.expiration) return {};
  ec = {};
  return c;
}

std::optional<sts_error> parse_sts_error(std::string_view xml) {
  auto block = find_element(xml, "Error");
  if (!block) return std::nullopt;
  auto code = xml_field(*block, "Code");
  if (!code || code->empty()) return std::nullopt;
  return sts_error{std::move(*code), xml_field(*block, "Message").value_or("")};
}

// ---- Refresh

refresh_action refresh_decision(const credentials& c, std::chrono::system_clock::time_point now,
                                double random01, const refresh_options& options) {
  if (!c.expiration) return refresh_action::none;
  if (!(random01 >= 0.0)) random01 = 0.0;
  random01 = std::min(random01, 1.0);
  const auto left = *c.expiration - now;
  if (left < options.stale) return refresh_action::now;
  const auto jitter =
      std::chrono::duration_cast<std::chrono::system_clock::duration>(random01 * options.jitter);
  if (left < options.prefetch + jitter) return refresh_action::soon;
  return refresh_action::none;
}

} // namespace ddb
