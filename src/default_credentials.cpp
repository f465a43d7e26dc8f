// The default credential provider chain: the decision is aws_config's, the I/O is here.
#include "http_connection.hpp"
#include "process.hpp"
#include "proxy_route.hpp"
#include "sso.hpp"

#include <ddb/default_credentials.hpp>
#include <ddb/error.hpp>
#include <ddb/proxy.hpp>
#include <ddb/sigv4.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <mutex>
#include <random>
#include <utility>
#include <vector>

namespace ddb {

namespace asio = boost::asio;
using sys_clock = std::chrono::system_clock;
using creds_ptr = std::shared_ptr<const credentials>;

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

bool has_crlf(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// A command's stderr for a message: trimmed, control characters as spaces, at most 500 bytes.
std::string stderr_excerpt(std::string_view err) {
  std::string out = trim(err.substr(0, 500));
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  if (err.size() > 500) out += "...";
  return out;
}

// HTTP/1.1 requests to one host, on one keep-alive connection opened on first use; through
// `proxy` when given (STS only: the metadata endpoints are link-local or loopback).
class http_client {
public:
  http_client(asio::any_io_executor ex, endpoint_url url, asio::ssl::context* tls,
              const default_credentials_options& o, const std::optional<proxy_url>& proxy = std::nullopt)
      : url_(std::move(url)), tls_(tls), opts_(o), route_(detail::make_proxy_route(url_, proxy)),
        resolver_(ex), conn_(ex) {}

  // `headers` are extra header lines, each ending in "\r\n". Retries transport errors and 5xx.
  asio::awaitable<error_code> request(std::string_view method, std::string_view target,
                                      std::string_view headers, std::string_view body,
                                      detail::http_response& out) {
    std::string head;
    head.append(method).append(" ").append(route_.target_prefix).append(target).append(" HTTP/1.1\r\nHost: ");
    head.append(url_.host_header()).append("\r\nUser-Agent: ddb\r\nAccept: */*\r\n").append(headers);
    if (route_.per_request_auth())
      head.append("Proxy-Authorization: ").append(route_.authorization).append("\r\n");
    if (!body.empty() || method == "PUT" || method == "POST")
      head.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
    head.append("\r\n");

    error_code ec;
    for (int attempt = 0; attempt <= opts_.retries; ++attempt) {
      ec = co_await once(head, body, out);
      if (!ec && out.status < 500) co_return ec;
    }
    co_return ec; // the last error, or none with a 5xx status in `out`
  }

private:
  asio::awaitable<error_code> once(const std::string& head, std::string_view body,
                                   detail::http_response& out) {
    const bool reused = conn_.is_open();
    if (!reused) {
      if (auto ec = co_await open()) co_return ec;
    }
    auto ec = co_await conn_.exchange(head, body, out, opts_.read_timeout);
    if (ec == client_errc::connection_lost && reused) { // the server closed the idle connection
      if ((ec = co_await open())) co_return ec;
      ec = co_await conn_.exchange(head, body, out, opts_.read_timeout);
    }
    co_return ec;
  }

  asio::awaitable<error_code> open() {
    if (endpoints_.empty()) {
      auto [ec, results] =
          co_await resolver_.async_resolve(route_.dial_host, route_.dial_port, tuple_awaitable);
      if (ec) co_return ec;
      endpoints_ = std::move(results);
    }
    detail::connect_target target;
    target.host = url_.host;
    target.endpoints = endpoints_;
    target.tls = url_.tls() ? tls_ : nullptr;
    target.tunnel = route_.tunnel;
    if (!route_.tunnel.empty()) target.proxy_authorization = route_.authorization;
    co_return co_await conn_.connect(target, opts_.connect_timeout, nullptr);
  }

  endpoint_url url_;
  asio::ssl::context* tls_;
  const default_credentials_options& opts_;
  const detail::proxy_route route_;
  asio::ip::tcp::resolver resolver_;
  asio::ip::tcp::resolver::results_type endpoints_;
  detail::http_connection conn_;
};

// Where an SSO profile's credentials come from: the portal (AWS_ENDPOINT_URL_SSO or
// https://portal.sso.REGION.amazonaws.com), the proxy to it, and the token cache file.
struct sso_target {
  std::string endpoint;
  std::optional<proxy_url> proxy;
  std::string cache_file;
};

class refreshing_provider final : public credentials_provider,
                                  public std::enable_shared_from_this<refreshing_provider> {
public:
  using channel = asio::experimental::concurrent_channel<void(error_code, creds_ptr)>;

  refreshing_provider(asio::any_io_executor ex, credential_source src, file_loader files,
                      std::string sts_endpoint, std::string sts_region, std::optional<proxy_url> sts_proxy,
                      sso_target sso, default_credentials_options o)
      : ex_(std::move(ex)), src_(std::move(src)), files_(std::move(files)),
        sts_endpoint_(std::move(sts_endpoint)), sts_region_(std::move(sts_region)),
        sts_proxy_(std::move(sts_proxy)), sso_(std::move(sso)), opts_(std::move(o)),
        tls_(asio::ssl::context::tls_client) {
    tls_.set_options(asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                     asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    tls_.set_verify_mode(asio::ssl::verify_peer);
    tls_.set_default_verify_paths();
  }

  creds_ptr cached(sys_clock::time_point now) override {
    creds_ptr c;
    {
      std::lock_guard lock(mutex_);
      if (!current_) return nullptr;
      const auto action = refresh_decision(*current_, now, random01_, opts_.refresh);
      if (action == refresh_action::now) return nullptr;
      c = current_;
      if (action == refresh_action::none || !opts_.background_refresh || refreshing_) return c;
      refreshing_ = true;
    }
    start_refresh();
    return c;
  }

  bool invalidate(const creds_ptr& used) override {
    std::lock_guard lock(mutex_);
    if (current_ && current_ == used) current_.reset();
    return true;
  }

  asio::awaitable<creds_ptr> fetch(error_code& ec) override {
    auto ex = co_await asio::this_coro::executor;
    auto done = std::make_shared<channel>(ex, 1);
    bool start = false;
    {
      std::lock_guard lock(mutex_);
      const auto now = sys_clock::now();
      if (current_ && refresh_decision(*current_, now, random01_, opts_.refresh) == refresh_action::none)
        co_return current_;
      // A lookup that just failed is not repeated for every operation (IMDS off EC2...).
      if (!refreshing_ && failure_ && now < failure_until_ &&
          (!current_ || refresh_decision(*current_, now, random01_, opts_.refresh) == refresh_action::now)) {
        ec = failure_;
        co_return nullptr;
      }
      waiters_.push_back(done);
      start = !std::exchange(refreshing_, true);
    }
    if (start) start_refresh();
    auto [rec, creds] = co_await done->async_receive(tuple_awaitable);
    ec = rec;
    co_return creds;
  }

private:
  // After setting refreshing_, without holding mutex_: co_spawn may run the refresh inline.
  void start_refresh() { asio::co_spawn(ex_, refresh(shared_from_this()), asio::detached); }

  // Completes the refresh even when the coroutine is destroyed half-way (executor shut down).
  struct refresh_guard {
    explicit refresh_guard(std::shared_ptr<refreshing_provider> p) : self(std::move(p)) {}
    ~refresh_guard() {
      if (self) self->finish(nullptr, asio::error::operation_aborted);
    }
    std::shared_ptr<refreshing_provider> self;
  };

  static asio::awaitable<void> refresh(std::shared_ptr<refreshing_provider> self) {
    refresh_guard guard(self);
    error_code ec;
    creds_ptr fresh;
    std::string why;
    try {
      fresh = co_await self->fetch_from_source(ec, why);
    } catch (const std::exception& e) {
      ec = client_errc::credentials_not_found;
      why = e.what();
    }
    guard.self.reset();
    self->finish(std::move(fresh), ec, std::move(why));
  }

  void finish(creds_ptr fresh, error_code ec, std::string why = {}) {
    std::vector<std::shared_ptr<channel>> waiters;
    creds_ptr result;
    std::string warning, failure;
    if (ec && why.empty()) why = src_.origin + ": " + ec.message();
    {
      std::lock_guard lock(mutex_);
      const auto now = sys_clock::now();
      if (fresh && !ec) {
        current_ = std::move(fresh);
        random01_ = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
        failure_ = {};
      } else if (current_ &&
                 refresh_decision(*current_, now, random01_, opts_.refresh) != refresh_action::now) {
        warning = "credentials refresh failed (" + why + "); using the current credentials meanwhile";
        ec = {}; // keep using the current ones; the next fetch tries again
      } else if (current_ && static_stability()) {
        // The metadata service is down: serve the old credentials a while longer (the service may
        // still take them) rather than fail every request, and do not re-probe on each one.
        auto extended = std::make_shared<credentials>(*current_);
        auto extra = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
        extended->expiration = now + opts_.stale_extension +
                               std::chrono::duration_cast<sys_clock::duration>(opts_.stale_extension * extra);
        current_ = std::move(extended);
        warning =
            "credentials refresh failed (" + why +
            "); serving the previous credentials, which may have expired, until " +
            std::to_string(std::chrono::duration_cast<std::chrono::seconds>(opts_.stale_extension).count()) +
            " s or more from now";
        ec = {};
      }
      if (!ec) {
        result = current_;
      } else if (ec != asio::error::operation_aborted) {
        failure = "credentials: " + why;
        failure_ = ec;
        failure_until_ = now + opts_.failure_cache;
      }
      refreshing_ = false;
      waiters.swap(waiters_);
    }
    if (!warning.empty() && opts_.logger) opts_.logger(log_level::warn, warning);
    if (!failure.empty() && opts_.logger) opts_.logger(log_level::error, failure);
    // Each waiter's completion runs on the executor it awaits from.
    for (auto& w : waiters) w->try_send(ec, result);
  }

  // The sources whose credentials the SDKs keep serving through an outage of their endpoint.
  bool static_stability() const noexcept {
    return src_.assume_roles.empty() &&
           (src_.provider == credential_provider::container || src_.provider == credential_provider::imds);
  }

  // The source's credentials, then each role of the chain assumed with the previous ones. `why`
  // names the source that failed and how.
  asio::awaitable<creds_ptr> fetch_from_source(error_code& ec, std::string& why) {
    credentials c;
    switch (src_.provider) {
    case credential_provider::static_keys:
      c = src_.keys;
      break;
    case credential_provider::container:
      c = co_await fetch_container(ec);
      break;
    case credential_provider::imds:
      c = co_await fetch_imds(ec);
      break;
    case credential_provider::web_identity:
      c = co_await fetch_web_identity(ec, why);
      break;
    case credential_provider::process:
      c = co_await fetch_process(ec, why);
      break;
    case credential_provider::sso:
      c = co_await fetch_sso(ec, why);
      break;
    default:
      ec = client_errc::credentials_not_found;
      break;
    }
    if (ec && why.empty()) why = src_.origin + ": " + ec.message();
    for (const auto& step : src_.assume_roles) {
      if (ec) break;
      c = co_await assume_role(step, c, ec, why);
    }
    if (ec) co_return nullptr;
    co_return std::make_shared<const credentials>(std::move(c));
  }

  asio::awaitable<credentials> fetch_process(error_code& ec, std::string& why) {
    const std::string what = src_.origin + ": credential_process '" + src_.credential_process + "'";
    auto r = co_await detail::run_process(src_.credential_process, opts_.process_timeout);
    ec = client_errc::credentials_process_failed;
    if (r.ec == client_errc::timeout) {
      why = what + " did not finish within " + std::to_string(opts_.process_timeout.count()) + " ms (killed)";
    } else if (r.ec) {
      why = what + " could not be started: " + r.ec.message();
    } else if (r.signal) {
      why = what + " was killed by signal " + std::to_string(r.signal);
    } else if (r.exit_code != 0) {
      why = what + " exited " + std::to_string(r.exit_code);
    } else if (r.truncated) {
      why = what + " printed more than 64 KB";
    } else {
      std::string bad;
      auto c = parse_process_credentials(r.out, ec, &bad);
      if (!ec && (has_control(c.access_key_id) || has_control(c.secret_access_key) ||
                  has_control(c.session_token))) {
        bad = "credentials with control characters";
        ec = client_errc::malformed_response;
      }
      if (!ec) co_return c;
      ec = client_errc::credentials_process_failed;
      why = what + " printed no usable credentials: " + bad;
    }
    const auto err = stderr_excerpt(r.err);
    if (!err.empty()) why += ": " + err;
    co_return credentials();
  }

  // IAM Identity Center: the token from the SSO cache (read at each fetch: `aws sso login`
  // rewrites it), then GetRoleCredentials at the portal, unsigned, with the token as bearer.
  asio::awaitable<credentials> fetch_sso(error_code& ec, std::string& why) {
    ec = client_errc::credentials_sso_failed;
    const bool legacy = src_.sso_session.empty();
    const std::string profile = src_.origin.starts_with("profile ") ? src_.origin.substr(8) : src_.origin;
    const std::string session = legacy ? "the SSO session of sso_start_url " + src_.sso_start_url
                                       : "the SSO session " + src_.sso_session;
    const std::string login = "; run `aws sso login " +
                              (legacy ? "--profile " + profile : "--sso-session " + src_.sso_session) + "`";
    auto text = files_(sso_.cache_file);
    if (!text) {
      why = src_.origin + ": " + session + " has expired or is missing (no token cache file " +
            sso_.cache_file + ")" + login;
      co_return credentials();
    }
    std::string bad;
    auto token = detail::parse_sso_token_cache(*text, &bad);
    if (!token) {
      why = src_.origin + ": the SSO token cache file " + sso_.cache_file + " is unusable (" + bad + ")" +
            login;
      co_return credentials();
    }
    if (token->expires_at <= sys_clock::now()) {
      why = src_.origin + ": " + session + " has expired or is missing" + login;
      co_return credentials();
    }
    if (has_control(token->access_token)) {
      why = src_.origin + ": the SSO token in " + sso_.cache_file + " cannot go in a header" + login;
      co_return credentials();
    }
    auto url = parse_endpoint_url(sso_.endpoint, ec);
    if (ec) co_return credentials();
    const std::string target =
        detail::sso_role_credentials_target(url.path, src_.sso_role_name, src_.sso_account_id);
    const std::string what = src_.origin + ": SSO GetRoleCredentials of role " + src_.sso_role_name +
                             " in account " + src_.sso_account_id + " at " + url.host_header();
    http_client http(ex_, url, &tls_, opts_, sso_.proxy);
    detail::http_response res;
    ec = co_await http.request("GET", target, "x-amz-sso_bearer_token: " + token->access_token + "\r\n",
                               std::string_view(), res);
    if (ec) {
      why = what + ": " + ec.message();
      co_return credentials();
    }
    if (res.status != 200) {
      ec = client_errc::credentials_sso_failed;
      why = what + " failed: HTTP " + std::to_string(res.status);
      if (auto e = detail::sso_error_text(res.body); !e.empty()) why += " " + e;
      if (res.status == 401 || res.status == 403) why += login;
      co_return credentials();
    }
    auto c = detail::parse_sso_role_credentials(res.body, ec);
    if (!ec &&
        (has_control(c.access_key_id) || has_control(c.secret_access_key) || has_control(c.session_token)))
      ec = client_errc::malformed_response;
    if (ec) {
      why = what + ": the answer has no readable roleCredentials";
      co_return credentials();
    }
    c.account_id = src_.sso_account_id;
    co_return c;
  }

  // STS's answer to `action` for `role`: the credentials, or why not. 200 with unreadable XML is
  // malformed_response; any other status credentials_sts_failed with STS's code and message.
  credentials sts_answer(const detail::http_response& res, std::string_view action, const std::string& origin,
                         const std::string& role, error_code& ec, std::string& why) {
    const std::string what = origin + ": STS " + std::string(action) + " of " + role;
    if (res.status != 200) {
      ec = client_errc::credentials_sts_failed;
      why = what + " failed: HTTP " + std::to_string(res.status);
      if (auto e = parse_sts_error(res.body)) why += " " + e->code + ": " + e->message;
      return credentials();
    }
    auto c = parse_assume_role_response(res.body, ec);
    if (ec) why = what + ": the answer has no readable <Credentials>";
    return c;
  }

  asio::awaitable<credentials> assume_role(const assume_role_step& step, const credentials& source,
                                           error_code& ec, std::string& why) {
    auto url = parse_endpoint_url(sts_endpoint_, ec);
    if (ec) co_return credentials();
    const auto now = sys_clock::now();
    const std::string session =
        step.role_session_name.empty() ? default_role_session_name(now) : step.role_session_name;
    const std::string body = assume_role_body(step, session);
    const std::string host = url.host_header();
    constexpr std::string_view content_type = "application/x-www-form-urlencoded; charset=utf-8";
    const sigv4::header signed_in[] = {sigv4::header("Content-Type", content_type),
                                       sigv4::header("Host", host)};
    sigv4::signer signer(sts_region_, "sts");
    const sigv4::sign_input in("POST", url.path, "", signed_in, body);
    const auto sig = signer.sign(in, source, now);
    if (has_crlf(sig.authorization) || has_crlf(sig.security_token)) {
      ec = client_errc::invalid_credentials;
      why = step.origin + ": the source credentials of " + step.role_arn + " cannot go in a header";
      co_return credentials();
    }
    std::string headers = "Content-Type: " + std::string(content_type) + "\r\nX-Amz-Date: " + sig.amz_date +
                          "\r\nAuthorization: " + sig.authorization + "\r\n";
    if (!sig.security_token.empty()) headers += "X-Amz-Security-Token: " + sig.security_token + "\r\n";
    http_client http(ex_, url, &tls_, opts_, sts_proxy_);
    detail::http_response res;
    ec = co_await http.request("POST", url.path, headers, body, res);
    if (ec) {
      why = step.origin + ": STS AssumeRole of " + step.role_arn + " at " + host + ": " + ec.message();
      co_return credentials();
    }
    co_return sts_answer(res, "AssumeRole", step.origin, step.role_arn, ec, why);
  }

  // Reads a token file (trimmed); credentials_not_found when it is missing or empty.
  std::string read_token(const std::string& path, error_code& ec) {
    auto text = files_(path);
    std::string token = text ? trim(*text) : std::string();
    if (token.empty()) ec = client_errc::credentials_not_found;
    return token;
  }

  asio::awaitable<credentials> fetch_container(error_code& ec) {
    std::string token = src_.authorization_token;
    if (!src_.authorization_token_file.empty()) token = read_token(src_.authorization_token_file, ec);
    if (!ec && has_crlf(token)) ec = client_errc::invalid_config;
    if (ec) co_return credentials();
    auto url = parse_endpoint_url(src_.endpoint, ec);
    if (ec) co_return credentials();
    std::string headers;
    if (!token.empty()) headers = "Authorization: " + token + "\r\n";
    http_client http(ex_, url, &tls_, opts_);
    detail::http_response res;
    ec = co_await http.request("GET", url.path, headers, std::string_view(), res);
    if (ec) co_return credentials();
    if (res.status != 200) {
      ec = client_errc::credentials_not_found;
      co_return credentials();
    }
    co_return parse_credentials_json(res.body, ec);
  }

  asio::awaitable<credentials> fetch_imds(error_code& ec) {
    auto url = parse_endpoint_url(src_.endpoint, ec);
    if (ec) co_return credentials();
    std::string base = url.path;
    while (base.ends_with("/")) base.pop_back();
    http_client http(ex_, url, &tls_, opts_);
    detail::http_response res;
    // Nothing answering, or an error status, means "no instance credentials here".
    auto ok = [&](const error_code& e) {
      ec = e || res.status != 200 ? error_code(client_errc::credentials_not_found) : error_code();
      return !ec;
    };

    const std::string token_path = base + "/latest/api/token";
    error_code e = co_await http.request("PUT", token_path, "X-aws-ec2-metadata-token-ttl-seconds: 21600\r\n",
                                         std::string_view(), res);
    if (!ok(e)) co_return credentials();
    const std::string token = trim(res.body);
    if (token.empty() || has_crlf(token)) {
      ec = client_errc::malformed_response;
      co_return credentials();
    }
    const std::string token_header = "X-aws-ec2-metadata-token: " + token + "\r\n";

    const std::string roles_path = base + "/latest/meta-data/iam/security-credentials/";
    e = co_await http.request("GET", roles_path, token_header, std::string_view(), res);
    if (!ok(e)) co_return credentials();
    std::string_view roles = res.body;
    const std::string role = trim(roles.substr(0, roles.find('\n'))); // the first role listed
    if (role.empty() || role.find_first_of("/?# ") != std::string::npos) {
      ec = client_errc::credentials_not_found;
      co_return credentials();
    }

    const std::string creds_path = roles_path + role;
    e = co_await http.request("GET", creds_path, token_header, std::string_view(), res);
    if (!ok(e)) co_return credentials();
    co_return parse_credentials_json(res.body, ec);
  }

  asio::awaitable<credentials> fetch_web_identity(error_code& ec, std::string& why) {
    const std::string token = read_token(src_.web_identity_token_file, ec);
    if (ec) {
      why =
          src_.origin + ": web_identity_token_file " + src_.web_identity_token_file + " is missing or empty";
      co_return credentials();
    }
    auto url = parse_endpoint_url(sts_endpoint_, ec);
    if (ec) co_return credentials();
    const std::string session =
        src_.role_session_name.empty() ? default_role_session_name(sys_clock::now()) : src_.role_session_name;
    const std::string body = assume_role_with_web_identity_body(src_.role_arn, session, token);
    http_client http(ex_, url, &tls_, opts_, sts_proxy_);
    detail::http_response res;
    ec = co_await http.request(
        "POST", url.path, "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n", body, res);
    if (ec) co_return credentials();
    co_return sts_answer(res, "AssumeRoleWithWebIdentity", src_.origin, src_.role_arn, ec, why);
  }

  const asio::any_io_executor ex_;
  const credential_source src_;
  const file_loader files_;
  const std::string sts_endpoint_;
  const std::string sts_region_;
  const std::optional<proxy_url> sts_proxy_;
  const sso_target sso_;
  const default_credentials_options opts_;
  asio::ssl::context tls_;

  std::mutex mutex_;
  creds_ptr current_;
  double random01_ = 0;
  std::mt19937_64 rng_{std::random_device{}()};
  bool refreshing_ = false;
  error_code failure_; // the last failed lookup, repeated until failure_until_
  sys_clock::time_point failure_until_{};
  std::vector<std::shared_ptr<channel>> waiters_;
};

class no_credentials_provider final : public credentials_provider {
public:
  creds_ptr cached(sys_clock::time_point) override { return nullptr; }

  asio::awaitable<creds_ptr> fetch(error_code& ec) override {
    ec = client_errc::credentials_not_found;
    co_return nullptr;
  }
};

} // namespace

std::shared_ptr<credentials_provider> make_default_credentials_provider(asio::any_io_executor ex,
                                                                        env_lookup env, file_loader files,
                                                                        default_credentials_options options) {
  error_code ec;
  std::string why;
  const auto cfg = load_shared_config(env, files, ec, &why);
  if (ec) throw ddb::error(client_errc::invalid_config, "cannot read the shared AWS config files: " + why);
  auto src = resolve_credential_source(env, cfg, ec, &why);
  if (ec)
    throw ddb::error(ec == client_errc::invalid_argument ? error_code(client_errc::invalid_config) : ec,
                     "credentials: " + why);

  std::string sts, sts_region;
  std::optional<proxy_url> sts_proxy;
  const bool needs_sts = src.provider == credential_provider::web_identity || !src.assume_roles.empty();
  if (src.provider == credential_provider::none) return std::make_shared<no_credentials_provider>();
  if (src.provider == credential_provider::static_keys && src.assume_roles.empty())
    return make_static_credentials_provider(std::move(src.keys));
  const auto region = resolve_region(env, cfg);
  sts_region = region.value_or("us-east-1"); // the global endpoint signs as us-east-1
  if (needs_sts) {
    if (auto url = env("AWS_ENDPOINT_URL_STS"); url && !url->empty()) {
      sts = *url;
    } else {
      sts = region ? default_endpoint("sts", *region, ec) : "https://sts.amazonaws.com";
      if (ec) throw ddb::error(client_errc::invalid_config, "credentials: no STS endpoint for the region");
    }
    const auto url = parse_endpoint_url(sts, ec);
    if (ec)
      throw ddb::error(client_errc::invalid_config, "credentials: the STS endpoint is not an http(s) URL");
    sts_proxy = resolve_proxy(env, url, options.proxy, ec, &why);
    if (ec) throw ddb::error(client_errc::invalid_config, "credentials: proxy for STS: " + why);
  }
  sso_target sso;
  if (src.provider == credential_provider::sso) {
    const std::string what = "credentials: " + src.origin + ": ";
    if (auto url = env("AWS_ENDPOINT_URL_SSO"); url && !url->empty()) {
      sso.endpoint = *url;
    } else {
      sso.endpoint = default_endpoint("portal.sso", src.sso_region, ec);
      if (ec)
        throw ddb::error(client_errc::invalid_config,
                         what + "sso_region " + src.sso_region + " is not a region");
    }
    const auto url = parse_endpoint_url(sso.endpoint, ec);
    if (ec)
      throw ddb::error(client_errc::invalid_config, what + "the SSO portal endpoint is not an http(s) URL");
    sso.proxy = resolve_proxy(env, url, options.proxy, ec, &why);
    if (ec) throw ddb::error(client_errc::invalid_config, what + "proxy for the SSO portal: " + why);
    const auto home = env("HOME");
    if (!home || home->empty())
      throw ddb::error(client_errc::invalid_config, what + "HOME is not set: no SSO token cache to read");
    sso.cache_file =
        detail::sso_token_cache_path(*home, src.sso_session.empty() ? src.sso_start_url : src.sso_session);
  }
  return std::make_shared<refreshing_provider>(std::move(ex), std::move(src), std::move(files),
                                               std::move(sts), std::move(sts_region), std::move(sts_proxy),
                                               std::move(sso), std::move(options));
}

} // namespace ddb
