#include "http_connection.hpp"
#include "pool_state.hpp"

#include <ddb/aws_config.hpp>
#include <ddb/client.hpp>
#include <ddb/default_credentials.hpp>
#include <ddb/crc32.hpp>
#include <ddb/error.hpp>
#include <ddb/parse.hpp>
#include <ddb/serialize.hpp>
#include <ddb/retry_policy.hpp>
#include <ddb/sigv4.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <charconv>
#include <cstdio>
#include <random>
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
};

// Fills in what the options leave empty, as the AWS SDKs do (environment, then shared config).
void resolve_defaults(client_options& o) {
  if (!o.region.empty() && !o.endpoint.empty()) return;
  auto env = system_env();
  auto files = system_files();
  error_code ec;
  auto cfg = load_shared_config(env, files, ec);
  if (ec) throw ddb::error(client_errc::invalid_config, "cannot read the shared AWS config files");
  if (o.region.empty()) {
    auto region = resolve_region(env, cfg);
    if (!region) throw ddb::error(client_errc::invalid_config, "no region: set client_options::region or AWS_REGION");
    o.region = *region;
  }
  if (o.endpoint.empty()) {
    o.endpoint = resolve_endpoint(env, cfg, o.region, ec);
    if (ec) throw ddb::error(ec, "cannot resolve the DynamoDB endpoint");
  }
}

endpoint_parts split_endpoint(std::string_view url) {
  error_code ec;
  auto u = parse_endpoint_url(url, ec);
  if (ec || u.path != "/")
    throw ddb::error(client_errc::invalid_config, "endpoint must be http[s]://host[:port], not '" + std::string(url) + "'");
  return {u.tls(), u.host, std::to_string(u.port), u.host_header()};
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

  // A caller waiting for a connection: release() hands it a slot and cancels its timer.
  struct waiter {
    asio::steady_timer* timer;
    std::optional<pool_state::slot> granted;
    bool reopen = false;
  };

  impl(asio::any_io_executor ex_, client_options o)
      : ex(std::move(ex_)), opts((resolve_defaults(o), std::move(o))), ep(split_endpoint(opts.endpoint)),
        resolver(ex), signer(opts.region, "dynamodb"),
        pool(opts.pool_size, opts.max_waiters, opts.idle_timeout), rng(std::random_device{}()),
        quota(opts.retry.quota_capacity) {
    if (!opts.credentials) opts.credentials = make_default_credentials_provider(ex);
    if (ep.tls) {
      tls.emplace(asio::ssl::context::tls_client);
      tls->set_options(asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                       asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
      if (opts.verify_tls) {
        tls->set_verify_mode(asio::ssl::verify_peer);
        if (opts.ca_file.empty()) tls->set_default_verify_paths();
        else tls->load_verify_file(opts.ca_file);
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

  asio::awaitable<error_code> resolve(detail::connect_target& target) {
    auto now = steady::now();
    if (resolved.empty() || now >= resolved_until) {
      auto [ec, results] = co_await resolver.async_resolve(ep.host, ep.port, tuple_awaitable);
      if (ec) co_return ec;
      resolved = std::move(results);
      resolved_until = now + std::chrono::seconds(60); // DNS answers change; don't keep them forever
    }
    target.host = ep.host;
    target.endpoints = resolved;
    target.tls = tls ? &*tls : nullptr;
    co_return error_code{};
  }

  asio::awaitable<error_code> connect(pool_state::slot s) {
    if (conns.size() <= s) conns.resize(s + 1);
    if (!conns[s]) conns[s] = std::make_unique<connection>(ex);
    detail::connect_target target;
    error_code ec = co_await resolve(target);
    auto offer = offer_session();
    if (!ec) ec = co_await conns[s]->http.connect(target, opts.connect_timeout, offer.get());
    pool.opened(s, !ec);
    if (ec) log(log_level::warn, [&] { return "connecting to " + ep.host + ":" + ep.port + " failed: " + ec.message(); });
    else log(log_level::debug, [&] { return "connected to " + ep.host + ":" + ep.port + (tls ? " (TLS)" : ""); });
    co_return ec;
  }

  // Gets a connection slot, waiting (until `deadline`) when all are busy.
  asio::awaitable<error_code> acquire(pool_state::slot& s, steady::time_point deadline) {
    auto g = pool.acquire(steady::now());
    for (auto e : pool.last_expired()) conns[e]->http.close();
    switch (g.kind) {
    case pool_state::grant_kind::reuse: s = g.s; co_return error_code{};
    case pool_state::grant_kind::open: s = g.s; co_return co_await connect(s);
    case pool_state::grant_kind::refused: co_return client_errc::pool_exhausted;
    case pool_state::grant_kind::wait: break;
    }
    asio::steady_timer timer(ex, deadline);
    waiter w{&timer, std::nullopt, false};
    waiters.emplace(g.waiter, &w);
    auto [ec] = co_await timer.async_wait(tuple_awaitable);
    waiters.erase(g.waiter);
    if (!w.granted) {
      pool.abandon(g.waiter);
      co_return ec == asio::error::operation_aborted ? ec : error_code(client_errc::timeout);
    }
    s = *w.granted;
    if (w.reopen) co_return co_await connect(s);
    co_return error_code{};
  }

  void release(pool_state::slot s) {
    auto h = pool.release(s, conns[s]->http.is_open(), steady::now());
    if (!h.waiter) {
      start_reaper();
      return;
    }
    auto it = waiters.find(*h.waiter);
    it->second->granted = s;
    it->second->reopen = h.reopen;
    it->second->timer->cancel();
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

  // One attempt: a connection, a signed request, a response. `on_ok` reads a 200 body.
  template <class OnOk>
  asio::awaitable<error_code> attempt(std::string_view operation, std::string_view body, OnOk& on_ok,
                                      diagnostics& diag, steady::time_point deadline, operation_event& ev) {
    auto creds = opts.credentials->cached(std::chrono::system_clock::now());
    if (!creds) {
      error_code ec;
      creds = co_await opts.credentials->fetch(ec);
      if (ec) {
        log(log_level::error, [&] { return "no credentials: " + ec.message(); });
        co_return ec;
      }
    }
    pool_state::slot s;
    if (auto ec = co_await acquire(s, deadline)) co_return ec;
    // Whatever happens from here (an error, an exception), the slot goes back to the pool; a
    // connection left with a request in flight is closed rather than reused.
    lease held(*this, s);
    auto& c = *conns[s];
    // Cancelled while waiting, but handed a connection at the same moment: give it back.
    asio::cancellation_state cs = co_await asio::this_coro::cancellation_state;
    if (cs.cancelled() != asio::cancellation_type::none) co_return error_code(asio::error::operation_aborted);
    bool reused = c.http.uses() > 0;

    target.assign(target_prefix);
    target.append(operation);
    signer.sign_dynamodb(ep.host_header, target, body, *creds, std::chrono::system_clock::now(),
                         authorization, amz_date);
    build_head(c.head, body.size(), creds->session_token);

    auto timeout = std::min<steady::duration>(opts.request_timeout, deadline - steady::now());
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout);
    ++ev.attempts;
    ev.request_bytes += body.size();
    error_code ec = co_await c.http.exchange(c.head, body, c.response, ms);
    // A keep-alive connection the server had already closed: replace it, unnoticed.
    if (ec && reused &&
        (ec == client_errc::connection_lost || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe)) {
      detail::connect_target t;
      ec = co_await resolve(t);
      auto offer = offer_session();
      if (!ec) ec = co_await c.http.connect(t, opts.connect_timeout, offer.get());
      if (!ec) {
        ev.request_bytes += body.size();
        ec = co_await c.http.exchange(c.head, body, c.response, ms);
      }
    }
    auto& r = c.response;
    if (!ec) {
      ev.response_bytes += r.body.size();
      ec = detail::response_outcome(parser, r, on_ok, diag);
    }
    co_return ec;
  }

  // Builds the line only when someone listens at that level.
  template <class MakeLine> void log(log_level level, MakeLine make_line) {
    if (opts.logger && level >= opts.min_log_level && level != log_level::off) opts.logger(level, make_line());
  }

  // What a failure was, for a log line: ddb's code, and DynamoDB's type and message if any.
  static std::string describe(const error_code& ec, const diagnostics& diag) {
    std::string s = ec.message();
    if (!diag.error_type.empty()) s.append(" (").append(diag.error_type).append(": ").append(diag.message).append(")");
    else if (!diag.message.empty()) s.append(" (").append(diag.message).append(")");
    if (!diag.request_id.empty()) s.append(", request id ").append(diag.request_id);
    return s;
  }

  void build_head(std::string& head, std::size_t body_size, const std::string& token) {
    head.clear();
    head.append("POST / HTTP/1.1\r\nHost: ").append(ep.host_header);
    head.append("\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: ").append(target);
    head.append("\r\nX-Amz-Date: ").append(amz_date);
    if (!token.empty()) head.append("\r\nX-Amz-Security-Token: ").append(token);
    head.append("\r\nAuthorization: ").append(authorization);
    char n[24];
    head.append("\r\nContent-Length: ").append(n, std::to_chars(n, n + sizeof n, body_size).ptr);
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
    auto deadline = start + opts.operation_timeout;
    retry_state retry(opts.retry, &quota);
    ev.operation = operation;
    error_code ec;
    for (;;) {
      diag.clear();
      ec = co_await attempt(operation, body, on_ok, diag, deadline, ev);
      if (!ec) {
        retry.on_success();
        break;
      }
      auto delay = retry.next_delay(ec, diag.http_status, diag.retry_after_seconds, jitter(rng),
                                    steady::now(), deadline);
      if (!delay) break;
      log(log_level::info, [&] {
        return std::string(operation) + " attempt " + std::to_string(ev.attempts) + " failed: " + describe(ec, diag) +
               "; retrying in " + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(*delay).count()) +
               " ms";
      });
      asio::steady_timer timer(ex, *delay);
      auto [tec] = co_await timer.async_wait(tuple_awaitable);
      if (tec) { // cancelled while backing off
        ec = tec;
        break;
      }
    }
    ev.latency = steady::now() - start;
    ev.http_status = diag.http_status;
    ev.ec = ec;
    ev.request_id = diag.request_id;
    if (ec)
      log(log_level::warn, [&] {
        return std::string(operation) + " failed after " + std::to_string(ev.attempts) + " attempt(s): " + describe(ec, diag);
      });
    co_return ec;
  }

  asio::any_io_executor ex;
  client_options opts;
  endpoint_parts ep;
  std::optional<asio::ssl::context> tls;
  SSL_SESSION* session = nullptr;
  asio::ip::tcp::resolver resolver;
  asio::ip::tcp::resolver::results_type resolved;
  steady::time_point resolved_until{};
  sigv4::signer signer;
  pool_state pool;
  std::vector<std::unique_ptr<connection>> conns;
  std::unordered_map<pool_state::waiter_id, waiter*> waiters;
  asio::steady_timer reaper_timer{ex};
  bool reaper_running = false, closing = false;
  std::mt19937_64 rng;
  std::uniform_real_distribution<double> jitter{0.0, 1.0};
  retry_quota quota;
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
error_code parse_into(response_parser& p, json_body b, page& o, diagnostics& d) { return p.parse_query(b, o, d); }
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

// A random (version 4) UUID: the ClientRequestToken the SDKs fill in when the caller gave none.
std::string random_token(std::mt19937_64& rng) {
  std::uint64_t hi = rng(), lo = rng();
  hi = (hi & ~0xF000ull) | 0x4000ull;                     // version 4
  lo = (lo & ~(3ull << 62)) | (2ull << 62);               // RFC 4122 variant
  char out[37];
  std::snprintf(out, sizeof out, "%08x-%04x-%04x-%04x-%012llx", unsigned(hi >> 32), unsigned(hi >> 16 & 0xFFFF),
                unsigned(hi & 0xFFFF), unsigned(lo >> 48), static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFull));
  return out;
}

// CapacityUnits of a response, all tables summed.
double capacity_units(const std::optional<consumed_capacity>& c) { return c ? c->capacity_units : 0; }
double capacity_units(const std::vector<consumed_capacity>& cs) {
  double sum = 0;
  for (auto& c : cs) sum += c.capacity_units;
  return sum;
}
template <class Response> double capacity_units(const Response& r) {
  if constexpr (requires { r.consumed_capacity(); }) return capacity_units(r.consumed_capacity()); // page
  else if constexpr (requires { r.consumed_capacity; }) return capacity_units(r.consumed_capacity);
  else return 0;
}

// Adds ReturnConsumedCapacity TOTAL to a serialized request that did not ask for any.
template <class Request> void ask_for_capacity(const Request& r, std::string& body) {
  if constexpr (requires { r.return_consumed_capacity(); }) {
    if (r.return_consumed_capacity() || body.size() < 2 || body.back() != '}') return;
    body.pop_back();
    body.append(body.back() == '{' ? "" : ",").append(R"("ReturnConsumedCapacity":"TOTAL"})");
  }
}

template <class Request> error_code serialize_for_send(client::impl& self, const Request& r, std::string& body) {
  if constexpr (std::is_same_v<Request, transact_write_request>) {
    // Retries resend the same body, so one token makes them idempotent: a transaction whose
    // response was lost is not applied twice (nor reported as a failed condition on retry).
    if (r.client_request_token().empty()) {
      transact_write_request with_token = r;
      with_token.client_request_token(random_token(self.rng));
      return serialize(with_token, body);
    }
  }
  return serialize(r, body);
}

// Serializes, runs and parses one operation into `out` (reused: a page keeps its memory).
template <class Request, class Response>
asio::awaitable<error_code> run_operation(client::impl& self, const Request& r, Response& out, diagnostics& diag) {
  std::string body = self.take_body();
  operation_event ev;
  ev.operation = Request::operation;
  error_code ec = serialize_for_send(self, r, body);
  if (ec) { // rejected before sending: zero attempts
    diag.clear();
    diag.message = "invalid request: " + ec.message();
    if (const char* why = serialize_error_reason(); why && *why) diag.message.append(": ").append(why);
    ev.ec = ec;
    self.log(log_level::warn, [&] { return std::string(Request::operation) + " not sent: " + diag.message; });
  } else {
    if (self.opts.report_consumed_capacity) ask_for_capacity(r, body);
    // Parsed on the connection's buffer before it is released: no copy of the body.
    auto on_ok = [&](detail::http_response& res) { return parse_into(self.parser, json_body(res.body), out, diag); };
    ec = co_await self.run(Request::operation, body, on_ok, diag, ev);
    if (!ec) ev.consumed_capacity = capacity_units(out);
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

template <operation_request Request> asio::awaitable<response_t<Request>> client::execute(const Request& r) {
  error_code ec;
  diagnostics diag;
  auto out = co_await execute(r, ec, diag);
  if (ec) throw ddb::error(ec, std::move(diag));
  co_return out;
}

namespace {
template <class Request> pager make_pager(std::shared_ptr<client::impl> self, Request r, pager_options options) {
  auto start = r.exclusive_start_key().empty() ? std::nullopt : std::optional<item>(r.exclusive_start_key());
  auto fetch = [self, r = std::move(r)](const std::optional<item>& from, page& out,
                                        diagnostics& diag) mutable -> asio::awaitable<error_code> {
    r.exclusive_start_key(from ? *from : item());
    co_return co_await run_operation(*self, r, out, diag);
  };
  return pager(self->ex, std::move(fetch), options, std::move(start));
}
} // namespace

pager client::query_pages(query_request r, pager_options options) {
  return make_pager(impl_, std::move(r), options);
}

pager client::scan_pages(scan_request r, pager_options options) { return make_pager(impl_, std::move(r), options); }

std::vector<pager> client::scan_segments(const scan_request& r, int total_segments, pager_options options) {
  std::vector<pager> pagers;
  for (int i = 0; i < total_segments; ++i) {
    scan_request segment = r;
    segment.segment(i, total_segments);
    pagers.push_back(make_pager(impl_, std::move(segment), options));
  }
  return pagers;
}

#define DDB_INSTANTIATE(Request)                                                                          \
  template asio::awaitable<response_t<Request>> client::execute(const Request&);                         \
  template asio::awaitable<response_t<Request>> client::execute(const Request&, error_code&, diagnostics&);
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
#undef DDB_INSTANTIATE

} // namespace ddb
