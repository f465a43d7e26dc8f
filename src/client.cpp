#include "http_connection.hpp"
#include "http_date.hpp"
#include "pool_state.hpp"
#include "proxy_route.hpp"
#include "random.hpp"

#include <ddb/aws_config.hpp>
#include <ddb/client.hpp>
#include <ddb/crc32.hpp>
#include <ddb/default_credentials.hpp>
#include <ddb/error.hpp>
#include <ddb/parse.hpp>
#include <ddb/proxy.hpp>
#include <ddb/retry_policy.hpp>
#include <ddb/serialize.hpp>
#include <ddb/sigv4.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <charconv>
#include <unordered_map>

namespace ddb {

namespace asio = boost::asio;
using detail::http_connection;
using detail::pool_state;
using steady = std::chrono::steady_clock;

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

struct endpoint_parts {
  bool tls = false;
  std::string host, port;
  std::string host_header; // host, plus ":port" when not the scheme's default
  endpoint_url url;
};

// Fills in what the options leave empty, as the AWS SDKs do (environment, then shared config).
// The default credential chain comes first: an account-ID endpoint needs the account.
void resolve_defaults(const asio::any_io_executor& ex, client_options& o) {
  auto env = system_env();
  auto files = system_files();
  if (!o.credentials) {
    default_credentials_options dco;
    dco.logger = o.logger;
    dco.proxy = proxy_settings{o.proxy, o.no_proxy};
    o.credentials = make_default_credentials_provider(ex, env, files, std::move(dco));
  }
  if (!o.region.empty() && !o.endpoint.empty()) return;
  error_code ec;
  auto cfg = load_shared_config(env, files, ec);
  if (ec) throw ddb::error(client_errc::invalid_config, "cannot read the shared AWS config files");
  if (o.region.empty()) {
    auto region = resolve_region(env, cfg);
    if (!region)
      throw ddb::error(client_errc::invalid_config, "no region: set client_options::region or AWS_REGION");
    o.region = *region;
  }
  if (o.endpoint.empty()) {
    // Known now only for credentials that need no fetching (static keys, AWS_ACCOUNT_ID, a
    // profile's aws_account_id); with others, mode "preferred" takes the regional endpoint.
    std::string account;
    if (auto c = o.credentials->cached(std::chrono::system_clock::now())) account = c->account_id;
    std::string why;
    o.endpoint = resolve_endpoint(env, cfg, o.region, ec, account, &why);
    if (ec) throw ddb::error(client_errc::invalid_config, "cannot resolve the DynamoDB endpoint: " + why);
  }
}

// What may go in a header value and a SigV4 credential scope: printable ASCII. A control
// character (CR, LF) in a value would let it start a header or a request of its own.
bool printable(std::string_view s) noexcept {
  for (unsigned char c : s)
    if (c < 0x20 || c >= 0x7f) return false;
  return true;
}

// Access key ids and regions are [A-Za-z0-9-]; anything else would corrupt the Authorization
// header's credential scope.
bool key_token(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return false;
  return true;
}

// Why credentials cannot be sent, or null.
const char* unusable(const credentials& c) noexcept {
  if (!key_token(c.access_key_id))
    return "the access key id is empty or has characters other than A-Z, a-z, 0-9, - and _";
  if (!printable(c.session_token)) return "the session token has control or non-ASCII characters";
  return nullptr;
}

endpoint_parts split_endpoint(std::string_view url) {
  error_code ec;
  auto u = parse_endpoint_url(url, ec);
  if (ec || u.path != "/")
    throw ddb::error(client_errc::invalid_config,
                     "endpoint must be http[s]://host[:port], not '" + std::string(url) + "'");
  return {u.tls(), u.host, std::to_string(u.port), u.host_header(), u};
}

class static_provider final : public credentials_provider {
public:
  explicit static_provider(credentials c) : c_(std::make_shared<const credentials>(std::move(c))) {}
  std::shared_ptr<const credentials> cached(std::chrono::system_clock::time_point) override { return c_; }
  asio::awaitable<std::shared_ptr<const credentials>> fetch(error_code&) override { co_return c_; }

private:
  std::shared_ptr<const credentials> c_;
};

} // namespace

std::shared_ptr<credentials_provider> make_static_credentials_provider(credentials c) {
  return std::make_shared<static_provider>(std::move(c));
}

struct client::impl : std::enable_shared_from_this<client::impl> {
  // One connection slot of the pool, with the buffers its requests reuse.
  struct connection {
    explicit connection(asio::any_io_executor ex) : http(std::move(ex)) {}
    http_connection http;
    std::string head;
    detail::http_response response;
  };

  // A caller waiting for a connection: release() hands it a slot and cancels its timer. It
  // lives in the caller's coroutine frame and leaves the map when that frame goes, however it
  // goes (an io_context destroyed with callers queued included): the map never dangles.
  struct waiter {
    impl& self;
    pool_state::waiter_id id;
    asio::steady_timer timer;
    std::optional<pool_state::slot> granted;
    bool reopen = false;
    bool taken = false; // the caller resumed and owns the slot
    waiter(impl& i, pool_state::waiter_id w, steady::time_point deadline)
        : self(i), id(w), timer(i.ex, deadline) {
      self.waiters.emplace(id, this);
    }
    waiter(const waiter&) = delete;
    ~waiter() {
      self.waiters.erase(id);
      if (!granted)
        self.pool.abandon(id);
      else if (!taken)
        self.hand_back(*granted, reopen); // granted, but the frame died first
    }
  };

  // A DNS lookup in flight, shared by every caller that needs it. Callers wait on their own
  // timer (their deadline); getaddrinfo cannot be cancelled, so a caller whose deadline passes
  // leaves and the lookup finishes for the next one.
  struct resolve_wait {
    explicit resolve_wait(asio::any_io_executor e, steady::time_point deadline)
        : timer(std::move(e), deadline) {}
    asio::steady_timer timer;
    bool done = false;
    error_code ec;
  };

  impl(asio::any_io_executor ex_, client_options o)
      : ex(std::move(ex_)), opts((resolve_defaults(ex, o), std::move(o))), ep(split_endpoint(opts.endpoint)),
        resolver(ex), signer(opts.region, "dynamodb"),
        pool(opts.pool_size, opts.max_waiters, opts.idle_timeout), quota(opts.retry.quota_capacity) {
    if (!key_token(opts.region))
      throw ddb::error(client_errc::invalid_config, "region '" + opts.region + "' is not a region name");
    std::string why;
    error_code pec;
    proxy = resolve_proxy(system_env(), ep.url, proxy_settings{opts.proxy, opts.no_proxy}, pec, &why);
    if (pec) throw ddb::error(client_errc::invalid_config, "proxy: " + why);
    // Plain HTTP goes to the proxy in absolute form; HTTPS through a CONNECT tunnel, end to end.
    route = detail::make_proxy_route(ep.url, proxy);
    if (ep.tls) {
      tls.emplace(asio::ssl::context::tls_client);
      tls->set_options(asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                       asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
      if (opts.verify_tls) {
        tls->set_verify_mode(asio::ssl::verify_peer);
        if (opts.ca_file.empty())
          tls->set_default_verify_paths();
        else
          tls->load_verify_file(opts.ca_file);
      } else {
        tls->set_verify_mode(asio::ssl::verify_none);
      }
      // Resumed sessions skip the full handshake on new pooled connections. OpenSSL hands every
      // new session to on_new_session, TLS 1.3 tickets included: those arrive after the
      // handshake (with the first response), so the session read right after the handshake
      // cannot be resumed. The newest one is kept in `session`; OpenSSL's own cache is not used.
      SSL_CTX_set_session_cache_mode(tls->native_handle(),
                                     SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
      SSL_CTX_set_ex_data(tls->native_handle(), session_index(), this);
      SSL_CTX_sess_set_new_cb(tls->native_handle(), &on_new_session);
    }
  }

  ~impl() {
    if (tls) SSL_CTX_set_ex_data(tls->native_handle(), session_index(), nullptr);
    if (session) SSL_SESSION_free(session);
  }

  static int session_index() {
    static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
  }

  struct session_free {
    void operator()(SSL_SESSION* s) const noexcept { SSL_SESSION_free(s); }
  };
  using session_ref = std::unique_ptr<SSL_SESSION, session_free>;
  // The session for a new connection, as a reference of its own: on_new_session may replace
  // `session` while that connection is still connecting.
  session_ref offer_session() const {
    if (session) SSL_SESSION_up_ref(session);
    return session_ref(session);
  }

  // Keeps the newest session to offer to the next connection; 1: we took the reference.
  static int on_new_session(SSL* ssl, SSL_SESSION* s) {
    auto* self = static_cast<impl*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), session_index()));
    if (!self || !SSL_SESSION_is_resumable(s)) return 0;
    if (self->session) SSL_SESSION_free(self->session);
    self->session = s;
    return 1;
  }

  // Where to connect, within `deadline`.
  asio::awaitable<error_code> resolve(detail::connect_target& target, steady::time_point deadline) {
    if (resolved.empty() || steady::now() >= resolved_until) {
      auto w = std::make_shared<resolve_wait>(ex, deadline);
      resolve_waiters.push_back(w);
      if (!resolving) {
        resolving = true;
        asio::co_spawn(ex, run_resolve(shared_from_this()), asio::detached);
      }
      if (!w->done) { // run_resolve may have finished inline
        auto [tec] = co_await w->timer.async_wait(tuple_awaitable);
        if (!w->done) {
          std::erase(resolve_waiters, w);
          if (tec == asio::error::operation_aborted) co_return tec; // the caller cancelled
          co_return client_errc::timeout;                           // the deadline passed first
        }
      }
      if (w->ec) co_return w->ec;
    }
    target.host = ep.host;
    target.endpoints = resolved;
    target.tls = tls ? &*tls : nullptr;
    target.tunnel = route.tunnel;
    if (!route.tunnel.empty()) target.proxy_authorization = route.authorization;
    co_return error_code{};
  }

  static asio::awaitable<void> run_resolve(std::shared_ptr<impl> self) {
    auto [ec, results] =
        co_await self->resolver.async_resolve(self->route.dial_host, self->route.dial_port, tuple_awaitable);
    if (!ec) {
      self->resolved = std::move(results);
      // DNS answers change; don't keep them forever
      self->resolved_until = steady::now() + std::chrono::seconds(60);
    }
    self->resolving = false;
    if (ec)
      self->log(log_level::warn,
                [&] { return "resolving " + self->route.dial_host + " failed: " + ec.message(); });
    for (auto& w : std::exchange(self->resolve_waiters, {})) {
      w->done = true;
      w->ec = ec;
      w->timer.cancel();
    }
  }

  // Opens slot `s`'s connection within `deadline`; tells the pool how it went.
  asio::awaitable<error_code> connect(pool_state::slot s, steady::time_point deadline) {
    if (conns.size() <= s) conns.resize(s + 1);
    if (!conns[s]) conns[s] = std::make_unique<connection>(ex);
    error_code ec = co_await open(*conns[s], deadline);
    if (auto h = pool.opened(s, !ec); h.waiter) grant(*h.waiter, s, true);
    co_return ec;
  }

  // (Re)connects one connection: DNS, TCP, TLS, all within `deadline`.
  asio::awaitable<error_code> open(connection& c, steady::time_point deadline) {
    detail::connect_target target;
    error_code ec = co_await resolve(target, deadline);
    if (!ec) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
      if (left <= std::chrono::milliseconds(0))
        ec = client_errc::timeout;
      else {
        auto offer = offer_session();
        ec = co_await c.http.connect(target, std::min(opts.connect_timeout, left), offer.get());
      }
    }
    if (ec)
      log(log_level::warn, [&] {
        return "connecting to " + where() + " failed: " + connect_message(ec, c.http.proxy_status());
      });
    else
      log(log_level::debug, [&] { return "connected to " + where() + (tls ? " (TLS)" : ""); });
    co_return ec;
  }

  // Gets a connection slot, waiting (until `deadline`) when all are busy.
  asio::awaitable<error_code> acquire(pool_state::slot& s, steady::time_point deadline) {
    auto g = pool.acquire(steady::now());
    for (auto e : pool.last_expired()) conns[e]->http.close();
    switch (g.kind) {
    case pool_state::grant_kind::reuse:
      s = g.s;
      co_return error_code{};
    case pool_state::grant_kind::open:
      s = g.s;
      co_return co_await connect(s, deadline);
    case pool_state::grant_kind::refused:
      co_return client_errc::pool_exhausted;
    case pool_state::grant_kind::wait:
      break;
    }
    waiter w(*this, g.waiter, deadline);
    auto [ec] = co_await w.timer.async_wait(tuple_awaitable);
    if (!w.granted) co_return ec == asio::error::operation_aborted ? ec : error_code(client_errc::timeout);
    w.taken = true;
    s = *w.granted;
    if (w.reopen) co_return co_await connect(s, deadline);
    co_return error_code{};
  }

  // Hands slot `s` to waiter `id` (which must be queued); `reopen`: it must connect the slot.
  void grant(pool_state::waiter_id id, pool_state::slot s, bool reopen) {
    auto it = waiters.find(id);
    it->second->granted = s;
    it->second->reopen = reopen;
    it->second->timer.cancel();
  }

  // A granted slot whose waiter is gone before it could use it: on to the next one.
  void hand_back(pool_state::slot s, bool reopen) {
    if (reopen) {
      if (auto h = pool.opened(s, false); h.waiter) grant(*h.waiter, s, true);
    } else {
      release(s);
    }
  }

  void release(pool_state::slot s) {
    auto h = pool.release(s, conns[s]->http.is_open(), steady::now());
    if (!h.waiter) {
      start_reaper();
      return;
    }
    grant(*h.waiter, s, h.reopen);
  }

  // Closes idle connections once they pass idle_timeout, even when no request comes to notice.
  // One reaper at a time; it stops when nothing is idle or the client is destroyed.
  void start_reaper() {
    if (!opts.close_idle_in_background || reaper_running || closing || !pool.next_expiry()) return;
    reaper_running = true;
    asio::co_spawn(ex, reap(shared_from_this()), asio::detached);
  }

  static asio::awaitable<void> reap(std::shared_ptr<impl> self) {
    while (auto when = self->pool.next_expiry()) {
      self->reaper_timer.expires_at(*when);
      co_await self->reaper_timer.async_wait(tuple_awaitable);
      if (self->closing) break;
      for (auto s : self->pool.close_expired(steady::now())) self->conns[s]->http.close();
    }
    self->reaper_running = false;
  }

  // Gives a slot back to the pool when an attempt ends, however it ends.
  struct lease {
    impl& self;
    pool_state::slot s;
    lease(impl& i, pool_state::slot slot) : self(i), s(slot) {}
    lease(const lease&) = delete;
    ~lease() { self.release(s); }
  };

  // What one operation carries from attempt to attempt.
  struct call {
    steady::time_point deadline;
    std::string invocation_id;                // amz-sdk-invocation-id: one per operation, on every attempt
    std::shared_ptr<const credentials> creds; // what the last attempt was signed with
    bool skew_corrected = false;              // the last attempt taught us the clock offset
    bool skew_retried = false, credentials_retried = false;
  };

  // Credentials for an attempt, within the deadline. A provider's fetch is cancelled when the
  // deadline passes (credentials_provider asks providers to honour cancellation).
  asio::awaitable<error_code> get_credentials(call& k, diagnostics& diag) {
    using namespace asio::experimental::awaitable_operators;
    k.creds = opts.credentials->cached(std::chrono::system_clock::now());
    error_code ec;
    if (!k.creds) {
      asio::steady_timer t(ex, k.deadline);
      auto fetching = opts.credentials->fetch(ec);
      auto waiting = t.async_wait(asio::use_awaitable);
      auto r = co_await (std::move(fetching) || std::move(waiting));
      const bool late = r.index() == 1;
      if (!late)
        k.creds = std::get<0>(std::move(r));
      else
        ec = client_errc::timeout;
      if (!ec && !k.creds) ec = client_errc::credentials_not_found;
      if (ec) {
        diag.message = "no credentials: " + ec.message();
        if (late) diag.message += " (the operation's deadline passed while fetching them)";
        log(log_level::error, [&] { return diag.message; });
        co_return ec;
      }
    }
    if (k.creds.get() != checked_creds.get()) { // checked once per credentials, not per request
      if (const char* why = unusable(*k.creds)) {
        diag.message = std::string("credentials not sent: ") + why;
        log(log_level::error, [&] { return diag.message; });
        co_return client_errc::invalid_credentials;
      }
      checked_creds = k.creds;
    }
    co_return error_code{};
  }

  // One attempt: a connection, a signed request, a response. `on_ok` reads a 200 body.
  template <class OnOk>
  asio::awaitable<error_code> attempt(std::string_view operation, std::string_view body, OnOk& on_ok,
                                      diagnostics& diag, call& k, operation_event& ev) {
    if (auto ec = co_await get_credentials(k, diag)) co_return ec;
    pool_state::slot s;
    if (auto ec = co_await acquire(s, k.deadline)) {
      diag.message = "no connection to " + where() + ": " + connect_message(ec, 0);
      co_return ec;
    }
    // Whatever happens from here (an error, an exception), the slot goes back to the pool; a
    // connection left with a request in flight is closed rather than reused.
    lease held(*this, s);
    auto& c = *conns[s];
    // Cancelled while waiting, but handed a connection at the same moment: give it back.
    asio::cancellation_state cs = co_await asio::this_coro::cancellation_state;
    if (cs.cancelled() != asio::cancellation_type::none) co_return error_code(asio::error::operation_aborted);
    // A pooled connection the server closed while it was idle, or with bytes waiting that no
    // request asked for: replace it before anything is sent, unnoticed. Only one idle for a while
    // pays the system call that asks (see client_options::idle_check_after).
    // Proxies may close a connection right after a response (tinyproxy does, keep-alive or
    // not): through one, always peek.
    if (c.http.uses() > 0 &&
        !c.http.check_idle(proxy || detail::http_connection::clock::now() - c.http.last_used() >=
                                        opts.idle_check_after)) {
      log(log_level::debug,
          [&] { return "pooled connection to " + ep.host + " closed by the server; reconnecting"; });
      if (auto ec = co_await open(c, k.deadline)) {
        diag.message = "no connection to " + where() + ": " + connect_message(ec, c.http.proxy_status());
        co_return ec;
      }
    }
    const bool reused = c.http.uses() > 0;

    target.assign(target_prefix);
    target.append(operation);
    signer.sign_dynamodb(ep.host_header, target, body, *k.creds, signing_time(), authorization, amz_date);
    ++ev.attempts;
    build_head(c.head, body.size(), k.creds->session_token, k.invocation_id, ev.attempts);

    auto time_left = [&] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
          std::min<steady::duration>(opts.request_timeout, k.deadline - steady::now()));
    };
    auto timeout = time_left();
    if (timeout <= std::chrono::milliseconds(0)) co_return client_errc::timeout;
    ev.request_bytes += body.size();
    error_code ec = co_await c.http.exchange(c.head, body, c.response, timeout, opts.max_response_body);
    // Not one byte of the request was written (the server had reset the connection): it cannot
    // have been read, so it goes again on a fresh connection without counting an attempt. Once
    // any byte went out, a failure is an attempt like any other (counted, retried by the policy).
    if (ec && reused && c.http.progress().bytes_written == 0 && !c.http.progress().response_started &&
        ec != asio::error::operation_aborted) {
      ++ev.resends;
      log(log_level::debug,
          [&] { return "request not sent on a closed connection (" + ec.message() + "); resending"; });
      ec = co_await open(c, k.deadline);
      if (!ec) {
        timeout = time_left();
        if (timeout <= std::chrono::milliseconds(0))
          ec = client_errc::timeout;
        else
          ec = co_await c.http.exchange(c.head, body, c.response, timeout, opts.max_response_body);
      }
    }
    auto& r = c.response;
    // The proxy's refusal, not DynamoDB's answer (which is never 401 or 407). Proxies close
    // the connection after it without reading the request body, so the kernel may reset it
    // before the whole answer is read: its status is enough.
    const unsigned status = ec ? c.http.progress().status : r.status;
    if (proxy && !tls && (status == 407 || status == 401)) {
      diag.http_status = status;
      diag.message = "the proxy " + proxy->authority() + " wants credentials (" + std::to_string(status) +
                     ")" + proxy_auth_hint();
      ec = client_errc::proxy_auth_required;
    } else if (!ec) {
      ev.response_bytes += r.body.size();
      ec = detail::response_outcome(parser, r, on_ok, diag);
      if (ec && r.status != 200) learn_skew(r, ec, k);
    } else {
      diag.message = transport_message(ec, c.http.progress());
    }
    // Written, but no definite answer came back: DynamoDB may have applied it.
    const bool definite =
        !ec || (diag.http_status != 0 && diag.http_status < 500 && ec != client_errc::crc32_mismatch &&
                ec != client_errc::malformed_response && ec != client_errc::response_too_large);
    if (!definite && c.http.progress().bytes_written > 0) ++ev.ambiguous_attempts;
    r.release_large_buffers();
    co_return ec;
  }

  // What broke on the way, for diagnostics::message.
  std::string transport_message(const error_code& ec, const http_connection::exchange_progress& p) const {
    std::string m = ec.message();
    if (p.bytes_written == 0)
      m += " before the request was sent";
    else if (!p.response_started)
      m += " after the request was sent, before any response";
    else
      m += " in the middle of the response";
    return m + " (" + where() + ")";
  }

  // The endpoint, and the proxy when there is one, for messages.
  std::string where() const {
    std::string w = ep.host + ":" + ep.port;
    if (proxy) w += " through the proxy " + proxy->authority();
    return w;
  }

  // Why a connection could not be opened; a proxy's refusal names its status (0: unknown).
  std::string connect_message(const error_code& ec, unsigned proxy_status) const {
    if (ec == client_errc::proxy_refused && proxy_status != 0)
      return ec.message() + " (CONNECT answered " + std::to_string(proxy_status) + ")";
    if (ec == client_errc::proxy_auth_required) return ec.message() + proxy_auth_hint();
    return ec.message();
  }

  const char* proxy_auth_hint() const noexcept {
    return route.authorization.empty() ? ": the proxy URL has no user" : ": wrong user or password";
  }

  // The time to sign with: the local clock, corrected by what the service's Date said.
  std::chrono::system_clock::time_point signing_time() const {
    return std::chrono::system_clock::now() + clock_offset;
  }

  // A signature refused for its time: when the service's clock is more than 4 minutes from ours,
  // sign with its time from now on.
  void learn_skew(const detail::http_response& r, const error_code& ec, call& k) {
    if (ec != service_errc::invalid_signature && ec != service_errc::request_time_too_skewed &&
        ec != service_errc::signature_does_not_match)
      return;
    auto server = detail::parse_http_date(r.date);
    if (!server) return;
    auto skew = *server - std::chrono::system_clock::now();
    if (skew < std::chrono::minutes(4) && skew > -std::chrono::minutes(4)) return;
    clock_offset = std::chrono::duration_cast<std::chrono::system_clock::duration>(skew);
    k.skew_corrected = true;
    log(log_level::warn, [&] {
      return "the local clock is " +
             std::to_string(std::chrono::duration_cast<std::chrono::seconds>(skew).count()) + " s from " +
             ep.host + "'s; signing with its time";
    });
  }

  // Builds the line only when someone listens at that level.
  template <class MakeLine>
  void log(log_level level, MakeLine make_line) {
    if (opts.logger && level >= opts.min_log_level && level != log_level::off)
      opts.logger(level, make_line());
  }

  // What a failure was, for a log line: ddb's code, and DynamoDB's type and message if any.
  static std::string describe(const error_code& ec, const diagnostics& diag) {
    std::string s = ec.message();
    if (!diag.error_type.empty())
      s.append(" (").append(diag.error_type).append(": ").append(diag.message).append(")");
    else if (!diag.message.empty())
      s.append(" (").append(diag.message).append(")");
    if (!diag.request_id.empty()) s.append(", request id ").append(diag.request_id);
    return s;
  }

  void build_head(std::string& head, std::size_t body_size, const std::string& token,
                  const std::string& invocation_id, unsigned attempt_number) {
    char n[24];
    auto number = [&](std::uint64_t v) {
      return std::string_view(n, std::to_chars(n, n + sizeof n, v).ptr - n);
    };
    head.clear();
    head.append("POST ").append(route.target_prefix).append("/ HTTP/1.1\r\nHost: ").append(ep.host_header);
    if (route.per_request_auth()) head.append("\r\nProxy-Authorization: ").append(route.authorization);
    head.append("\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: ").append(target);
    head.append("\r\nX-Amz-Date: ").append(amz_date);
    if (!token.empty()) head.append("\r\nX-Amz-Security-Token: ").append(token);
    head.append("\r\nAuthorization: ").append(authorization);
    // As the AWS SDKs send them: which logical call an attempt belongs to, and which attempt.
    head.append("\r\namz-sdk-invocation-id: ").append(invocation_id);
    head.append("\r\namz-sdk-request: attempt=").append(number(attempt_number));
    head.append("; max=").append(number(std::max(opts.retry.max_attempts, attempt_number)));
    head.append("\r\nContent-Length: ").append(number(body_size));
    head.append("\r\n\r\n");
  }

  // Runs an operation and reports cancellation as an error code, never as an exception: Asio's
  // default (throw at the next co_await once cancelled) could skip the pool's bookkeeping. The
  // caller's setting is restored afterwards.
  template <class OnOk>
  asio::awaitable<error_code> run(std::string_view operation, std::string_view body, OnOk on_ok,
                                  diagnostics& diag, operation_event& ev) {
    bool caller_throws = co_await asio::this_coro::throw_if_cancelled();
    co_await asio::this_coro::throw_if_cancelled(false);
    error_code ec = co_await execute(operation, body, on_ok, diag, ev);
    co_await asio::this_coro::throw_if_cancelled(caller_throws);
    co_return ec;
  }

  // Runs an operation with retries (AWS standard mode: ddb/retry_policy.hpp).
  template <class OnOk>
  asio::awaitable<error_code> execute(std::string_view operation, std::string_view body, OnOk on_ok,
                                      diagnostics& diag, operation_event& ev) {
    auto start = steady::now();
    call k;
    k.deadline = start + opts.operation_timeout;
    k.invocation_id = detail::random_uuid_v4();
    retry_state retry(opts.retry, &quota);
    ev.operation = operation;
    error_code ec;
    for (;;) {
      diag.clear();
      k.skew_corrected = false;
      ec = co_await attempt(operation, body, on_ok, diag, k, ev);
      if (!ec) {
        retry.on_success();
        break;
      }
      // Once per operation, at once and outside the retry policy: a signature refused for a clock
      // that is now corrected, and credentials the service says expired (after dropping them).
      if (k.skew_corrected && !k.skew_retried && steady::now() < k.deadline) {
        k.skew_retried = true;
        continue;
      }
      if ((ec == service_errc::expired_token || ec == service_errc::unrecognized_client) &&
          !k.credentials_retried && k.creds && steady::now() < k.deadline &&
          opts.credentials->invalidate(k.creds)) {
        k.credentials_retried = true;
        log(log_level::warn, [&] {
          return std::string(operation) + ": " + describe(ec, diag) + "; fetching new credentials";
        });
        continue;
      }
      auto delay = retry.next_delay(ec, diag.http_status, diag.retry_after_seconds, detail::random_unit(),
                                    steady::now(), k.deadline);
      if (!delay) break;
      log(log_level::info, [&] {
        return std::string(operation) + " attempt " + std::to_string(ev.attempts) +
               " failed: " + describe(ec, diag) + "; retrying in " +
               std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(*delay).count()) + " ms";
      });
      asio::steady_timer timer(ex, *delay);
      auto [tec] = co_await timer.async_wait(tuple_awaitable);
      if (tec) { // cancelled while backing off
        ec = tec;
        break;
      }
    }
    diag.attempts = ev.attempts;
    diag.ambiguous_attempts = ev.ambiguous_attempts;
    if (ec && ev.ambiguous_attempts > 0 && failed_condition(ec, diag)) {
      diag.earlier_attempt_may_have_applied = true;
      diag.message += " [after " + std::to_string(ev.attempts) + " attempts, " +
                      std::to_string(ev.ambiguous_attempts) +
                      " of which lost their answer: an earlier attempt may have been applied]";
    }
    ev.latency = steady::now() - start;
    ev.http_status = diag.http_status;
    ev.ec = ec;
    ev.request_id = diag.request_id;
    if (ec)
      log(log_level::warn, [&] {
        return std::string(operation) + " failed after " + std::to_string(ev.attempts) +
               " attempt(s): " + describe(ec, diag);
      });
    co_return ec;
  }

  // A write's condition failed (the item's, or one of a transaction's).
  static bool failed_condition(const error_code& ec, const diagnostics& diag) {
    if (ec == service_errc::conditional_check_failed) return true;
    if (ec != service_errc::transaction_canceled) return false;
    for (auto& r : diag.cancellation_reasons)
      if (r.code == "ConditionalCheckFailed") return true;
    return false;
  }

  asio::any_io_executor ex;
  client_options opts;
  endpoint_parts ep;
  std::optional<proxy_url> proxy; // for messages; `route` says how connections use it
  detail::proxy_route route;
  std::optional<asio::ssl::context> tls;
  SSL_SESSION* session = nullptr;
  asio::ip::tcp::resolver resolver;
  asio::ip::tcp::resolver::results_type resolved;
  steady::time_point resolved_until{};
  bool resolving = false;
  std::vector<std::shared_ptr<resolve_wait>> resolve_waiters;
  sigv4::signer signer;
  pool_state pool;
  std::vector<std::unique_ptr<connection>> conns;
  std::unordered_map<pool_state::waiter_id, waiter*> waiters;
  asio::steady_timer reaper_timer{ex};
  bool reaper_running = false, closing = false;
  retry_quota quota;
  std::chrono::system_clock::duration clock_offset{}; // the service's clock minus ours, once learnt
  std::shared_ptr<const credentials> checked_creds;   // the last credentials found sendable
  response_parser parser; // parsing is synchronous: one parser serves every connection
  // Request bodies, recycled so that steady-state operations do not allocate them.
  std::vector<std::string> spare_bodies;
  std::string take_body() {
    if (spare_bodies.empty()) return {};
    std::string b = std::move(spare_bodies.back());
    spare_bodies.pop_back();
    return b;
  }
  void give_back(std::string&& b) {
    if (spare_bodies.size() < 64 && b.capacity() <= (1u << 20)) spare_bodies.push_back(std::move(b));
  }

  // Scratch for the synchronous signing step, shared by all operations of this thread.
  std::string target, authorization, amz_date;
};

client::client(asio::any_io_executor ex, client_options options)
    : impl_(std::make_shared<impl>(std::move(ex), std::move(options))) {}
client::~client() {
  if (impl_) { // stop the reaper, so the pool goes away with the last operation in flight
    impl_->closing = true;
    impl_->reaper_timer.cancel();
  }
}
client::client(client&&) noexcept = default;
client& client::operator=(client&& other) noexcept {
  if (this != &other) {
    client old(std::move(*this)); // stopped by its destructor
    impl_ = std::move(other.impl_);
  }
  return *this;
}

const client_options& client::options() const noexcept { return impl_->opts; }
asio::any_io_executor client::get_executor() const noexcept { return impl_->ex; }

pool_stats client::stats() const noexcept {
  auto& p = impl_->pool;
  return {p.open(), p.idle(), p.opening(), p.waiting()};
}

asio::awaitable<void> client::invoke(std::string_view operation, std::string_view body, std::string& response,
                                     error_code& ec, diagnostics& diag) {
  auto self = impl_; // keeps the pool alive if the client goes away meanwhile
  // The name goes into X-Amz-Target: letters only, or it could smuggle a header in.
  bool name_ok = !operation.empty() && operation.size() <= 64;
  for (char ch : operation) name_ok = name_ok && ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z'));
  if (!name_ok) {
    diag.clear();
    ec = client_errc::invalid_argument;
    diag.message = "invalid request: the operation name must be 1-64 ASCII letters, like \"GetItem\"";
    self->log(log_level::warn, [&] { return "invoke not sent: " + diag.message; });
    if (self->opts.on_operation) {
      operation_event ev;
      ev.operation = "invoke";
      ev.ec = ec;
      self->opts.on_operation(ev);
    }
    co_return;
  }
  auto on_ok = [&](detail::http_response& r) {
    response.swap(r.body); // hand over the body; the connection keeps the caller's old buffer
    return error_code{};
  };
  operation_event ev;
  ec = co_await self->run(operation, body, on_ok, diag, ev);
  if (self->opts.on_operation) self->opts.on_operation(ev);
}

namespace {

// The response parser's function for each response type.
error_code parse_into(response_parser& p, json_body b, get_item_response& o, diagnostics& d) {
  return p.parse_get_item(b, o, d);
}
error_code parse_into(response_parser& p, json_body b, write_item_response& o, diagnostics& d) {
  return p.parse_write_item(b, o, d);
}
error_code parse_into(response_parser& p, json_body b, page& o, diagnostics& d) {
  return p.parse_query(b, o, d);
}
error_code parse_into(response_parser& p, json_body b, batch_get_item_response& o, diagnostics& d) {
  return p.parse_batch_get_item(b, o, d);
}
error_code parse_into(response_parser& p, json_body b, batch_write_item_response& o, diagnostics& d) {
  return p.parse_batch_write_item(b, o, d);
}
error_code parse_into(response_parser& p, json_body b, transact_get_items_response& o, diagnostics& d) {
  return p.parse_transact_get_items(b, o, d);
}
error_code parse_into(response_parser& p, json_body b, transact_write_items_response& o, diagnostics& d) {
  return p.parse_transact_write_items(b, o, d);
}
error_code parse_into(response_parser& p, json_body b, table_description& o, diagnostics& d) {
  return p.parse_table_description(b, o, d);
}
error_code parse_into(response_parser& p, json_body b, time_to_live_specification& o, diagnostics& d) {
  return p.parse_update_time_to_live(b, o, d);
}
error_code parse_into(response_parser& p, json_body b, list_tables_response& o, diagnostics& d) {
  return p.parse_list_tables(b, o, d);
}
error_code parse_into(response_parser& p, json_body b, time_to_live_description& o, diagnostics& d) {
  return p.parse_describe_time_to_live(b, o, d);
}
error_code parse_into(response_parser& p, json_body b, describe_limits_response& o, diagnostics& d) {
  return p.parse_describe_limits(b, o, d);
}
error_code parse_into(response_parser& p, json_body b, tag_resource_response& o, diagnostics& d) {
  return p.parse_tag_resource(b, o, d);
}
error_code parse_into(response_parser& p, json_body b, untag_resource_response& o, diagnostics& d) {
  return p.parse_untag_resource(b, o, d);
}
error_code parse_into(response_parser& p, json_body b, list_tags_of_resource_response& o, diagnostics& d) {
  return p.parse_list_tags_of_resource(b, o, d);
}
error_code parse_into(response_parser& p, json_body b, batch_execute_statement_response& o, diagnostics& d) {
  return p.parse_batch_execute_statement(b, o, d);
}
error_code parse_into(response_parser& p, json_body b, execute_transaction_response& o, diagnostics& d) {
  return p.parse_execute_transaction(b, o, d);
}

// CapacityUnits of a response, all tables summed.
template <class Response>
double capacity_units(const Response& r) {
  if constexpr (requires { r.consumed_capacity(); })
    return capacity_units(r.consumed_capacity()); // page
  else if constexpr (requires { r.consumed_capacity; })
    return capacity_units(r.consumed_capacity);
  else
    return 0;
}

// Adds ReturnConsumedCapacity TOTAL to a serialized request that did not ask for any.
template <class Request>
void ask_for_capacity(const Request& r, std::string& body) {
  if constexpr (requires { r.return_consumed_capacity(); }) {
    if (r.return_consumed_capacity() || body.size() < 2 || body.back() != '}') return;
    body.pop_back();
    body.append(body.back() == '{' ? "" : ",").append(R"("ReturnConsumedCapacity":"TOTAL"})");
  }
}

template <class Request>
error_code serialize_for_send(const Request& r, std::string& body) {
  if constexpr (std::is_same_v<Request, transact_write_request> ||
                std::is_same_v<Request, execute_transaction_request>) {
    // Retries resend the same body, so one token makes them idempotent: a transaction whose
    // response was lost is not applied twice (nor reported as a failed condition on retry).
    if (r.client_request_token().empty()) {
      Request with_token = r;
      with_token.client_request_token(detail::random_uuid_v4()); // CSPRNG: unguessable, never repeated
      return serialize(with_token, body);
    }
  }
  return serialize(r, body);
}

// Serializes, runs and parses one operation into `out` (reused: a page keeps its memory).
template <class Request, class Response>
asio::awaitable<error_code> run_operation(client::impl& self, const Request& r, Response& out,
                                          diagnostics& diag, call_info call = {}) {
  std::string body = self.take_body();
  operation_event ev;
  ev.operation = Request::operation;
  ev.call = call;
  error_code ec = serialize_for_send(r, body);
  if (ec) { // rejected before sending: zero attempts
    diag.clear();
    diag.message = "invalid request: " + ec.message();
    if (const char* why = serialize_error_reason(); why && *why) diag.message.append(": ").append(why);
    ev.ec = ec;
    self.log(log_level::warn, [&] { return std::string(Request::operation) + " not sent: " + diag.message; });
  } else {
    if (self.opts.report_consumed_capacity) ask_for_capacity(r, body);
    // Parsed on the connection's buffer before it is released: no copy of the body.
    auto on_ok = [&](detail::http_response& res) {
      return parse_into(self.parser, json_body(res.body), out, diag);
    };
    ec = co_await self.run(Request::operation, body, on_ok, diag, ev);
    if (!ec && self.opts.on_operation) ev.consumed_capacity = capacity_units(out);
  }
  if (self.opts.on_operation) self.opts.on_operation(ev);
  self.give_back(std::move(body));
  co_return ec;
}

} // namespace

template <operation_request Request>
asio::awaitable<response_t<Request>> client::execute(const Request& r, error_code& ec, diagnostics& diag) {
  auto self = impl_;
  response_t<Request> out;
  ec = co_await run_operation(*self, r, out, diag);
  if (ec) out = response_t<Request>();
  co_return out;
}

template <operation_request Request>
asio::awaitable<response_t<Request>> client::execute(const Request& r, error_code& ec, diagnostics& diag,
                                                     call_info call) {
  auto self = impl_;
  response_t<Request> out;
  ec = co_await run_operation(*self, r, out, diag, call);
  if (ec) out = response_t<Request>();
  co_return out;
}

call_info call_info::make(std::string_view name) noexcept {
  static std::atomic<std::uint64_t> next{1};
  return call_info{name, next.fetch_add(1, std::memory_order_relaxed)};
}

template <operation_request Request>
asio::awaitable<response_t<Request>> client::execute(const Request& r) {
  error_code ec;
  diagnostics diag;
  auto out = co_await execute(r, ec, diag);
  if (ec) throw ddb::error(ec, std::move(diag));
  co_return out;
}

template <operation_request Request>
asio::awaitable<std::tuple<error_code, response_t<Request>>> client::run_owned(std::shared_ptr<impl> self,
                                                                               Request r, diagnostics* diag) {
  diagnostics local;
  response_t<Request> response;
  error_code ec = co_await run_operation(*self, r, response, diag ? *diag : local);
  if (ec) response = response_t<Request>();
  co_return std::tuple<error_code, response_t<Request>>(ec, std::move(response));
}

namespace {
template <class Request>
pager make_pager(std::shared_ptr<client::impl> self, Request r, pager_options options) {
  page_cursor start;
  std::string_view name = options.call;
  if constexpr (std::is_same_v<Request, execute_statement_request>) {
    if (!r.next_token().empty()) start.token = r.next_token();
    if (name.empty()) name = "statement_pages";
  } else {
    if (!r.exclusive_start_key().empty()) start.key = r.exclusive_start_key();
    if (name.empty()) name = std::is_same_v<Request, query_request> ? "query_pages" : "scan_pages";
  }
  auto fetch = [self, r = std::move(r),
                call = call_info::make(name)](const page_cursor& from, page& out,
                                              diagnostics& diag) mutable -> asio::awaitable<error_code> {
    if constexpr (std::is_same_v<Request, execute_statement_request>)
      r.next_token(from.token.value_or(std::string()));
    else
      r.exclusive_start_key(from.key.value_or(item()));
    co_return co_await run_operation(*self, r, out, diag, call);
  };
  return pager(self->ex, std::move(fetch), options, std::move(start));
}
} // namespace

pager client::query_pages(query_request r, pager_options options) {
  return make_pager(impl_, std::move(r), options);
}

pager client::scan_pages(scan_request r, pager_options options) {
  return make_pager(impl_, std::move(r), options);
}

pager client::statement_pages(execute_statement_request r, pager_options options) {
  return make_pager(impl_, std::move(r), options);
}

std::vector<pager> client::scan_segments(const scan_request& r, int total_segments, pager_options options) {
  std::vector<pager> pagers;
  for (int i = 0; i < total_segments; ++i) {
    scan_request segment = r;
    segment.segment(i, total_segments);
    pagers.push_back(make_pager(impl_, std::move(segment), options));
  }
  return pagers;
}

#define DDB_INSTANTIATE(Request)                                                                             \
  template asio::awaitable<response_t<Request>> client::execute(const Request&);                             \
  template asio::awaitable<response_t<Request>> client::execute(const Request&, error_code&, diagnostics&);  \
  template asio::awaitable<response_t<Request>> client::execute(const Request&, error_code&, diagnostics&,   \
                                                                call_info);                                  \
  template asio::awaitable<std::tuple<error_code, response_t<Request>>> client::run_owned(                   \
      std::shared_ptr<impl>, Request, diagnostics*);
DDB_INSTANTIATE(get_item_request)
DDB_INSTANTIATE(put_item_request)
DDB_INSTANTIATE(update_item_request)
DDB_INSTANTIATE(delete_item_request)
DDB_INSTANTIATE(query_request)
DDB_INSTANTIATE(scan_request)
DDB_INSTANTIATE(batch_get_request)
DDB_INSTANTIATE(batch_write_request)
DDB_INSTANTIATE(transact_get_request)
DDB_INSTANTIATE(transact_write_request)
DDB_INSTANTIATE(create_table_request)
DDB_INSTANTIATE(describe_table_request)
DDB_INSTANTIATE(delete_table_request)
DDB_INSTANTIATE(update_time_to_live_request)
DDB_INSTANTIATE(list_tables_request)
DDB_INSTANTIATE(update_table_request)
DDB_INSTANTIATE(describe_time_to_live_request)
DDB_INSTANTIATE(describe_limits_request)
DDB_INSTANTIATE(tag_resource_request)
DDB_INSTANTIATE(untag_resource_request)
DDB_INSTANTIATE(list_tags_of_resource_request)
DDB_INSTANTIATE(execute_statement_request)
DDB_INSTANTIATE(batch_execute_statement_request)
DDB_INSTANTIATE(execute_transaction_request)
#undef DDB_INSTANTIATE

} // namespace ddb
