#include <ddb/proxy.hpp>

#include "ascii.hpp"
#include "base64.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

#include <algorithm>
#include <cctype>

namespace ddb {

namespace {

namespace ip = boost::asio::ip;

using detail::is_digit;
using detail::is_host_char;
using detail::to_lower;
constexpr char lower(char c) noexcept { return detail::ascii_lower(c); }

int hex_value(char c) noexcept {
  c = lower(c);
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Percent-decodes the user info of a URL; false on a bad escape or a control character.
bool percent_decode(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(in[i]);
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      c = static_cast<unsigned char>(hi * 16 + lo);
      i += 2;
    }
    if (c < 0x20 || c == 0x7f) return false; // it goes into a header
    out += static_cast<char>(c);
  }
  return true;
}

// Splits "host[:port]" or "[v6][:port]"; false when malformed. `port` 0 when absent.
bool split_authority(std::string_view authority, std::string& host, int& port) {
  std::string_view h, p;
  bool has_port = false;
  if (authority.starts_with("[")) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return false;
    h = authority.substr(1, close - 1);
    const auto after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return false;
    has_port = !after.empty();
    if (has_port) p = after.substr(1);
    // inet_pton stops at a NUL: check the characters first (a fuzzer found "[::\0...1]").
    if (!std::all_of(h.begin(), h.end(), [](char c) { return hex_value(c) >= 0 || c == ':' || c == '.'; }))
      return false;
    boost::system::error_code ec;
    ip::make_address_v6(std::string(h), ec);
    if (ec) return false;
  } else {
    const auto colon = authority.find(':');
    h = authority.substr(0, colon);
    has_port = colon != std::string_view::npos;
    if (has_port) p = authority.substr(colon + 1);
    if (!std::all_of(h.begin(), h.end(), is_host_char)) return false;
  }
  if (h.empty() || (has_port && p.empty())) return false;
  port = 0;
  if (has_port) {
    if (p.size() > 5 || !std::all_of(p.begin(), p.end(), is_digit)) return false;
    port = std::stoi(std::string(p));
    if (port < 1 || port > 65535) return false;
  }
  host = to_lower(h);
  return true;
}

std::optional<std::string> get(const env_lookup& env, std::string_view name) {
  auto v = env(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

// One NO_PROXY entry against a host (lower case) and port.
bool entry_matches(std::string_view entry, std::string_view host, std::uint16_t port) {
  if (entry == "*") return true;
  // An optional ":port" (an IPv6 entry with a port is bracketed; a bare one has several colons).
  std::string_view name = entry;
  int want_port = 0;
  if (entry.starts_with("[")) {
    const auto close = entry.find(']');
    if (close == std::string_view::npos) return false;
    name = entry.substr(1, close - 1);
    auto rest = entry.substr(close + 1);
    if (rest.starts_with(":")) {
      rest.remove_prefix(1);
      if (rest.empty() || rest.size() > 5 || !std::all_of(rest.begin(), rest.end(), is_digit)) return false;
      want_port = std::stoi(std::string(rest));
    } else if (!rest.empty()) {
      return false;
    }
  } else if (std::count(entry.begin(), entry.end(), ':') == 1) {
    const auto colon = entry.find(':');
    auto p = entry.substr(colon + 1);
    if (p.empty() || p.size() > 5 || !std::all_of(p.begin(), p.end(), is_digit)) return false;
    want_port = std::stoi(std::string(p));
    name = entry.substr(0, colon);
  }
  if (want_port != 0 && want_port != port) return false;

  boost::system::error_code hec;
  const auto host_ip = ip::make_address(std::string(host), hec);
  if (const auto slash = name.find('/'); slash != std::string_view::npos) { // CIDR
    if (hec) return false;
    boost::system::error_code nec;
    if (host_ip.is_v4()) {
      auto net = ip::make_network_v4(std::string(name), nec);
      return !nec && (ip::network_v4(host_ip.to_v4(), net.prefix_length()).canonical() == net.canonical());
    }
    auto net = ip::make_network_v6(std::string(name), nec);
    return !nec && (ip::network_v6(host_ip.to_v6(), net.prefix_length()).canonical() == net.canonical());
  }
  boost::system::error_code eec;
  const auto entry_ip = ip::make_address(std::string(name), eec);
  if (!eec) return !hec && entry_ip == host_ip;
  if (!hec) return false; // a name never matches an address
  if (name.starts_with("*.")) name.remove_prefix(2);
  if (name.starts_with(".")) name.remove_prefix(1);
  if (name.empty()) return false;
  if (host == name) return true;
  return host.size() > name.size() && host.ends_with(name) && host[host.size() - name.size() - 1] == '.';
}

} // namespace

std::string proxy_url::authority() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string proxy_url::authorization() const {
  if (username.empty()) return {};
  const std::string pair = username + ":" + password;
  std::string out = "Basic ";
  detail::base64_encode(pair.data(), pair.size(), out);
  return out;
}

proxy_url parse_proxy_url(std::string_view url, error_code& ec, std::string* why) {
  auto fail = [&](const char* reason) {
    ec = client_errc::invalid_config;
    if (why) *why = reason;
    return proxy_url{};
  };
  ec = {};
  proxy_url out;
  std::string_view rest = url;
  if (const auto sep = url.find("://"); sep != std::string_view::npos) {
    const std::string scheme = to_lower(url.substr(0, sep));
    if (scheme == "https")
      return fail("https:// proxies are not supported (TLS to the proxy): use an http:// proxy; TLS to "
                  "DynamoDB goes through it end to end");
    if (scheme != "http") return fail("a proxy URL is http://[user:password@]host[:port]");
    rest = url.substr(sep + 3);
  }
  if (rest.ends_with("/")) rest.remove_suffix(1);
  if (rest.find_first_of("/?# ") != std::string_view::npos)
    return fail("a proxy URL has no path, query or fragment: http://[user:password@]host[:port]");
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view info = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const auto colon = info.find(':');
    if (!percent_decode(info.substr(0, colon), out.username) ||
        (colon != std::string_view::npos && !percent_decode(info.substr(colon + 1), out.password)))
      return fail("the proxy URL's user or password has a bad %-escape or a control character");
    if (out.username.empty()) return fail("the proxy URL has a password but no user name");
  }
  int port = 0;
  if (!split_authority(rest, out.host, port)) return fail("the proxy URL's host or port is malformed");
  if (port != 0) out.port = static_cast<std::uint16_t>(port);
  return out;
}

bool no_proxy_matches(std::string_view list, std::string_view host, std::uint16_t port) {
  const std::string h = to_lower(host);
  std::size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && (list[i] == ',' || list[i] == ' ' || list[i] == '\t')) ++i;
    std::size_t j = i;
    while (j < list.size() && list[j] != ',' && list[j] != ' ' && list[j] != '\t') ++j;
    if (j > i && entry_matches(to_lower(list.substr(i, j - i)), h, port)) return true;
    i = j;
  }
  return false;
}

std::optional<proxy_url> resolve_proxy(const env_lookup& env, const endpoint_url& target,
                                       const proxy_settings& settings, error_code& ec, std::string* why) {
  ec = {};
  std::optional<std::string> url;
  std::string origin;
  if (settings.proxy) {
    url = *settings.proxy;
    origin = "client_options::proxy";
  } else if (target.tls()) {
    for (const char* name : {"https_proxy", "HTTPS_PROXY"})
      if ((url = get(env, name))) {
        origin = name;
        break;
      }
  } else {
    if ((url = get(env, "http_proxy")))
      origin = "http_proxy";
    else if (!get(env, "REQUEST_METHOD") && (url = get(env, "HTTP_PROXY")))
      origin = "HTTP_PROXY";
  }
  if (!url || url->empty()) return std::nullopt;

  std::optional<std::string> exempt = settings.no_proxy;
  if (!exempt) exempt = get(env, "no_proxy");
  if (!exempt) exempt = get(env, "NO_PROXY");
  if (exempt && no_proxy_matches(*exempt, target.host, target.port)) return std::nullopt;

  std::string reason;
  auto p = parse_proxy_url(*url, ec, &reason);
  if (ec) {
    if (why) *why = origin + ": " + reason;
    return std::nullopt;
  }
  return p;
}

} // namespace ddb
