// ddb against servers that misbehave on purpose (hostile/hostile_server.py, hostile/README.md):
// extra bytes after a response, interim 1xx responses, endless bodies, huge heads, trickling and
// hanging servers, a full accept queue, refused connections, and an authenticating proxy in front
// of DynamoDB Local that rejects skewed clocks and expired tokens as AWS does. What must hold: a
// response never reaches the wrong request, every wait ends by the operation's deadline, memory
// stays bounded, and each failure is a typed error that names its cause.
#include "ddblocal_env.hpp"
#include "script_fixture.hpp"

#include <ddb/client.hpp>
#include <ddb/default_credentials.hpp>
#include <ddb/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <malloc.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace ddb_test;
using namespace ddb;
using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

// One hostile server, started for one test and stopped at its end.
class hostile_server : public script_fixture {
public:
  explicit hostile_server(const std::string& mode, const std::string& args = "", bool upstream = false)
      : script_fixture(DDB_HOSTILE_SCRIPT, "ddb_hostile", [&](const fs::path&) {
          std::string a = mode;
          if (upstream) a += std::string(" ") + std::getenv("DDB_LOCAL_STATE");
          return a + " " + args + " --watch-pid " + std::to_string(::getpid()); // gone with a crashed test
        }) {}

  // A counter from GET /_stats ("requests", "connections", a rejection kind...), 0 when absent.
  int stat(const std::string& name) const {
    const auto res = stats();
    auto key = res.find("\"" + name + "\":");
    if (key == std::string::npos) return 0;
    auto at = key + name.size() + 3;
    while (at < res.size() && res[at] == ' ') ++at;
    return std::atoi(res.c_str() + at);
  }

  // The whole GET /_stats answer, head and JSON body.
  std::string stats() const {
    asio::io_context io;
    asio::ip::tcp::socket s(io);
    s.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port())});
    const std::string req = "GET /_stats HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    asio::write(s, asio::buffer(req));
    std::string res;
    boost::system::error_code ec;
    asio::read(s, asio::dynamic_buffer(res), ec);
    return res;
  }
};

client_options options_for(const std::string& endpoint) {
  auto o = local_options();
  o.endpoint = endpoint;
  return o;
}

get_item_request any_get() { return get_item_request("hostile_table", item{{"PK", "k"}}); }

// What a failure was, for test output: the code and the diagnostics it came with.
std::string explain(const error_code& ec, const diagnostics& d) {
  std::ostringstream s;
  s << ec.category().name() << ":" << ec.value() << " " << ec.message() << " [" << d.error_type << ": "
    << d.message << "] attempts " << d.attempts << ", status " << d.http_status;
  return s.str();
}

// The answer to a GetItem from the canned modes: the server's request number, or "stale-N".
std::string answer_of(const get_item_response& r) {
  if (!r.item) return "<no item>";
  return std::string(r.item->at("PK").as_string());
}

// One GetItem and how it ended.
struct outcome {
  error_code ec;
  diagnostics d;
  get_item_response response;
  steady::duration took{};
};
asio::awaitable<outcome> one_get(client& c) {
  auto req = any_get();
  outcome o;
  auto start = steady::now();
  o.response = co_await c.execute(req, o.ec, o.d);
  o.took = steady::now() - start;
  co_return o;
}

// Live heap bytes, as the sanitizer's allocator counts them (RSS under ASan is mostly shadow
// memory and quarantine, and says nothing about what ddb holds).
extern "C" std::size_t __sanitizer_get_current_allocated_bytes() __attribute__((weak));
std::size_t live_heap() {
  if (__sanitizer_get_current_allocated_bytes) return __sanitizer_get_current_allocated_bytes();
  return mallinfo2().uordblks;
}

// A port with nothing listening on it (bound, then closed).
int closed_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
  int port = a.local_endpoint().port();
  a.close();
  return port;
}

// A listening socket whose accept queue is full: further connects hang in SYN-SENT (Linux drops
// the SYNs), the way an overloaded or black-holed endpoint looks.
class full_backlog {
public:
  full_backlog() {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listener_, 0) != 0)
      throw std::runtime_error("full_backlog: bind/listen failed");
    socklen_t len = sizeof a;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    for (int i = 0; i < 4; ++i) { // fill the queue (backlog 0 holds one); extra ones just hang
      int s = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      (void)::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
      fillers_.push_back(s);
    }
    ::usleep(100'000);
  }
  ~full_backlog() {
    for (int s : fillers_) ::close(s);
    ::close(listener_);
  }
  int port() const { return port_; }

private:
  int listener_ = -1, port_ = 0;
  std::vector<int> fillers_;
};

// The deadline is hard: an operation that cannot finish ends at operation_timeout, give or take
// scheduling (the bound is 50 ms).
void expect_at_deadline(steady::duration took, std::chrono::milliseconds deadline) {
  EXPECT_GE(took, deadline - 5ms);
  EXPECT_LE(took, deadline + 50ms) << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                                   << " ms";
}

} // namespace

// A server that sends a second, CRC-valid response after each answer: the leftover must close the
// connection, never answer the next request.
TEST(Hostile, ExtraResponseNeverAnswersTheNextRequest) {
  hostile_server server("extra_response");
  const int connections_before = server.stat("connections"); // its start-up probe and this one
  run([&](asio::io_context& io) -> asio::awaitable<void> {
    auto o = options_for(server.endpoint());
    o.pool_size = 1;
    client c(io.get_executor(), o);
    int last = 0;
    for (int i = 0; i < 20; ++i) {
      auto [ec, d, r, took] = co_await one_get(c);
      if (ec) {
        ADD_FAILURE() << explain(ec, d);
        co_return;
      }
      auto a = answer_of(r);
      EXPECT_EQ(a.find("stale"), std::string::npos) << "request " << i << " got " << a;
      EXPECT_GT(std::atoi(a.c_str()), last) << a;
      last = std::atoi(a.c_str());
    }
  });
  // Each leftover closed its connection (the last stat() makes one more).
  EXPECT_EQ(server.stat("connections") - connections_before - 1, 20);
}

// Every attempt carries amz-sdk-invocation-id (one per logical call, shared by its retries) and
// amz-sdk-request: attempt=N; max=M, as the AWS SDKs send them. The second request is reset after
// it was read, so the second GetItem takes two attempts.
TEST(Hostile, AttemptsShareTheirInvocationIdAndCountThemselves) {
  hostile_server server("reset_after_request", "--every 2");
  run([&](asio::io_context& io) -> asio::awaitable<void> {
    auto o = options_for(server.endpoint());
    o.pool_size = 1;
    o.retry.max_attempts = 3;
    client c(io.get_executor(), o);
    for (int i = 0; i < 2; ++i) {
      auto [ec, d, r, took] = co_await one_get(c);
      EXPECT_FALSE(ec) << explain(ec, d);
      EXPECT_EQ(d.attempts, i == 0 ? 1u : 2u) << explain(ec, d);
    }
  });
  struct seen {
    int n;
    std::string invocation_id, request;
  };
  std::vector<seen> all;
  const auto stats = server.stats();
  // The server writes compact JSON: {"n":2,"invocation_id":"...","request":"..."}.
  auto field = [&](std::size_t from, const std::string& name) {
    auto at = stats.find("\"" + name + "\":\"", from) + name.size() + 4;
    return stats.substr(at, stats.find('"', at) - at);
  };
  for (auto at = stats.find("{\"n\":"); at != std::string::npos; at = stats.find("{\"n\":", at + 1))
    all.push_back({std::atoi(stats.c_str() + at + 5), field(at, "invocation_id"), field(at, "request")});
  ASSERT_EQ(all.size(), 3u) << stats;
  auto is_uuid_v4 = [](const std::string& u) { // xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx, lower case
    if (u.size() != 36 || u[14] != '4' || std::string_view("89ab").find(u[19]) == std::string_view::npos)
      return false;
    for (std::size_t i = 0; i < u.size(); ++i)
      if ((i == 8 || i == 13 || i == 18 || i == 23) ? u[i] != '-'
                                                    : !std::isxdigit(u[i]) || std::isupper(u[i]))
        return false;
    return true;
  };
  for (const auto& s : all) EXPECT_TRUE(is_uuid_v4(s.invocation_id)) << s.n << ": " << s.invocation_id;
  EXPECT_EQ(all[0].request, "attempt=1; max=3");
  EXPECT_EQ(all[1].request, "attempt=1; max=3");
  EXPECT_EQ(all[2].request, "attempt=2; max=3");
  EXPECT_NE(all[0].invocation_id, all[1].invocation_id) << "two logical calls";
  EXPECT_EQ(all[1].invocation_id, all[2].invocation_id) << "one call's two attempts";
}

TEST(Hostile, GarbageAfterAResponseClosesTheConnection) {
  hostile_server server("garbage_after");
  run([&](asio::io_context& io) -> asio::awaitable<void> {
    auto o = options_for(server.endpoint());
    o.pool_size = 1;
    o.retry.max_attempts = 1; // garbage read as the next response would fail it
    client c(io.get_executor(), o);
    for (int i = 0; i < 10; ++i) {
      auto [ec, d, r, took] = co_await one_get(c);
      EXPECT_FALSE(ec) << explain(ec, d);
      EXPECT_NE(answer_of(r), "<no item>");
    }
  });
}

// Garbage that comes on its own 30 ms after the answer, when the client has finished reading it:
// a connection idle longer than idle_check_after is peeked at before reuse, so the garbage
// closes it, unnoticed (one attempt each), instead of being read as the next answer.
TEST(Hostile, LateGarbageOnAnIdleConnectionClosesIt) {
  hostile_server server("late_garbage", "--late-ms 30");
  const int connections_before = server.stat("connections");
  run([&](asio::io_context& io) -> asio::awaitable<void> {
    auto o = options_for(server.endpoint());
    o.pool_size = 1;
    o.retry.max_attempts = 1; // garbage read as the next response would fail it
    client c(io.get_executor(), o);
    for (int i = 0; i < 5; ++i) {
      asio::steady_timer idle(io, 200ms); // past the garbage and the default idle_check_after (100 ms)
      co_await idle.async_wait(asio::use_awaitable);
      auto [ec, d, r, took] = co_await one_get(c);
      EXPECT_FALSE(ec) << "request " << i << ": " << explain(ec, d);
      EXPECT_EQ(d.attempts, 1u) << explain(ec, d);
      EXPECT_NE(answer_of(r), "<no item>");
    }
  });
  EXPECT_EQ(server.stat("connections") - connections_before - 1, 5); // one each, and this stat()'s
  EXPECT_EQ(server.stat("requests_after_leftover"), 0) << server.stats();
}

// 100 Continue and 102 Processing come before the real answer: skipped, never taken for it.
TEST(Hostile, InterimResponsesAreSkipped) {
  hostile_server server("continue_100");
  run([&](asio::io_context& io) -> asio::awaitable<void> {
    auto o = options_for(server.endpoint());
    o.pool_size = 2;
    o.retry.max_attempts = 1;
    client c(io.get_executor(), o);
    int last = 0;
    for (int i = 0; i < 10; ++i) {
      auto [ec, d, r, took] = co_await one_get(c);
      if (ec) {
        ADD_FAILURE() << explain(ec, d);
        co_return;
      }
      EXPECT_GT(std::atoi(answer_of(r).c_str()), last);
      last = std::atoi(answer_of(r).c_str());
    }
  });
}

// An endless chunked body ends at the body limit with a typed error; 64 of them at once, with a
// small limit, hold bounded memory.
TEST(Hostile, EndlessBodiesEndAtTheLimitWithBoundedMemory) {
  hostile_server server("endless_chunked");
  run([&](asio::io_context& io) -> asio::awaitable<void> {
    {
      auto o = options_for(server.endpoint());
      o.retry.max_attempts = 1;
      client c(io.get_executor(), o); // default limit: 16 MB
      auto [ec, d, r, took] = co_await one_get(c);
      EXPECT_EQ(ec, client_errc::response_too_large) << explain(ec, d);
      EXPECT_EQ(d.attempts, 1u);
    }
    auto o = options_for(server.endpoint());
    o.pool_size = 64;
    o.retry.max_attempts = 2;
    o.max_response_body = 256 * 1024; // a body's buffer may double past it as it grows
    client c(io.get_executor(), o);
    const std::size_t before = live_heap();
    std::size_t peak = before;
    int done = 0, too_large = 0;
    asio::steady_timer sampler(io);
    bool sampling = true, sampler_done = false;
    auto sample = [&]() -> asio::awaitable<void> {
      while (sampling) {
        peak = std::max(peak, live_heap());
        sampler.expires_after(5ms);
        co_await sampler.async_wait(asio::as_tuple(asio::use_awaitable));
      }
      sampler_done = true;
    };
    asio::co_spawn(io, sample(), asio::detached);
    for (int i = 0; i < 64; ++i)
      asio::co_spawn(
          io,
          [&]() -> asio::awaitable<void> {
            auto [ec, d, r, took] = co_await one_get(c);
            if (ec == client_errc::response_too_large)
              ++too_large;
            else
              ADD_FAILURE() << explain(ec, d);
            ++done;
          },
          asio::detached);
    while (done < 64) {
      asio::steady_timer t(io, 20ms);
      co_await t.async_wait(asio::use_awaitable);
    }
    sampling = false;
    sampler.cancel();
    while (!sampler_done) { // it reads this frame: let it end first
      asio::steady_timer t(io, 1ms);
      co_await t.async_wait(asio::use_awaitable);
    }
    EXPECT_EQ(too_large, 64);
    std::cout << "live heap: " << before / 1024 << " KB before, peak " << peak / 1024 << " KB\n";
    EXPECT_LT(peak - before, 64u << 20);
  });
}

// 10,000 header lines: over the head limit, a typed error, not a parser reading without end.
TEST(Hostile, HugeResponseHeadIsRefused) {
  hostile_server server("many_headers");
  run([&](asio::io_context& io) -> asio::awaitable<void> {
    auto o = options_for(server.endpoint());
    o.retry.max_attempts = 1;
    client c(io.get_executor(), o);
    auto [ec, d, r, took] = co_await one_get(c);
    EXPECT_EQ(ec, client_errc::response_too_large) << explain(ec, d);
  });
}

// One byte a second: the attempt ends at the request timeout, the operation at its deadline.
TEST(Hostile, TricklingServerEndsAtTheDeadline) {
  hostile_server server("trickle", "--trickle-interval-ms 200");
  run([&](asio::io_context& io) -> asio::awaitable<void> {
    auto o = options_for(server.endpoint());
    o.request_timeout = 10s;
    o.operation_timeout = 700ms;
    client c(io.get_executor(), o);
    auto [ec, d, r, took] = co_await one_get(c);
    expect_at_deadline(took, o.operation_timeout);
    EXPECT_EQ(ec, client_errc::timeout) << explain(ec, d);
    EXPECT_NE(d.message.find("in the middle of the response"), std::string::npos) << d.message;
  });
}

TEST(Hostile, HangingServerEndsAtTheDeadline) {
  hostile_server server("hang");
  run([&](asio::io_context& io) -> asio::awaitable<void> {
    auto o = options_for(server.endpoint());
    o.request_timeout = 10s;
    o.operation_timeout = 400ms;
    client c(io.get_executor(), o);
    auto [ec, d, r, took] = co_await one_get(c);
    expect_at_deadline(took, o.operation_timeout);
    EXPECT_EQ(ec, client_errc::timeout) << explain(ec, d);
    EXPECT_EQ(d.ambiguous_attempts, 1u); // written, never answered: it may have been applied
  });
}

// A connect that hangs (the accept queue is full) is cut at the deadline, not connect_timeout.
TEST(Hostile, HangingConnectEndsAtTheDeadline) {
  full_backlog backlog;
  run([&](asio::io_context& io) -> asio::awaitable<void> {
    auto o = options_for("http://127.0.0.1:" + std::to_string(backlog.port()));
    o.connect_timeout = 10s;
    o.operation_timeout = 400ms;
    client c(io.get_executor(), o);
    auto [ec, d, r, took] = co_await one_get(c);
    expect_at_deadline(took, o.operation_timeout);
    EXPECT_EQ(ec, client_errc::timeout) << explain(ec, d);
    EXPECT_EQ(d.attempts, 0u); // nothing was ever sent
    EXPECT_NE(d.message.find("no connection"), std::string::npos) << d.message;
  });
}

// The container credentials endpoint hangs: the operation still ends at its deadline.
TEST(Hostile, HangingCredentialsEndAtTheDeadline) {
  hostile_server server("hang");
  run([&](asio::io_context& io) -> asio::awaitable<void> {
    auto o = local_options();
    default_credentials_options dco;
    dco.read_timeout = 3s; // longer than the operation; the refresh ends on its own later
    dco.retries = 0;
    auto url = server.endpoint() + "/creds";
    o.credentials = make_default_credentials_provider(
        io.get_executor(),
        [url](std::string_view name) -> std::optional<std::string> {
          if (name == "AWS_CONTAINER_CREDENTIALS_FULL_URI") return url;
          if (name == "AWS_CONFIG_FILE" || name == "AWS_SHARED_CREDENTIALS_FILE") return "/nonexistent/ddb";
          return std::nullopt;
        },
        system_files(), dco);
    o.operation_timeout = 400ms;
    client c(io.get_executor(), o);
    auto [ec, d, r, took] = co_await one_get(c);
    expect_at_deadline(took, o.operation_timeout);
    EXPECT_EQ(ec, client_errc::timeout) << explain(ec, d);
    EXPECT_NE(d.message.find("credentials"), std::string::npos) << d.message;
  });
}

// A pool of one in front of a refused port, 50 callers: each learns of the refusal from its own
// connect as the slot passes down the queue, long before the operation's deadline.
TEST(Hostile, RefusedConnectsWakeQueuedCallers) {
  const int port = closed_port();
  run([&](asio::io_context& io) -> asio::awaitable<void> {
    auto o = options_for("http://127.0.0.1:" + std::to_string(port));
    o.pool_size = 1;
    o.operation_timeout = 20s;
    o.retry.max_attempts = 1;
    client c(io.get_executor(), o);
    int done = 0;
    steady::duration longest{};
    for (int i = 0; i < 50; ++i)
      asio::co_spawn(
          io,
          [&]() -> asio::awaitable<void> {
            auto req = any_get();
            error_code ec;
            diagnostics d;
            auto start = steady::now();
            co_await c.execute(req, ec, d);
            longest = std::max(longest, steady::now() - start);
            EXPECT_EQ(ec, asio::error::connection_refused) << explain(ec, d);
            ++done;
          },
          asio::detached);
    while (done < 50) {
      asio::steady_timer t(io, 10ms);
      co_await t.async_wait(asio::use_awaitable);
    }
    EXPECT_LT(longest, 5s); // the deadline is 20 s: nobody waited it out
    EXPECT_EQ(c.stats().waiting, 0u);
    EXPECT_EQ(c.stats().opening, 0u);
  });
}

// The io_context goes away with callers queued for a connection and requests in flight: their
// frames are destroyed, and nothing touches them afterwards (ASan checks).
TEST(Hostile, DestroyingTheIoContextWithQueuedAndInFlightRequests) {
  hostile_server server("hang");
  for (bool background : {false, true}) {
    asio::io_context io;
    auto o = options_for(server.endpoint());
    o.pool_size = 2;
    o.close_idle_in_background = background;
    auto c = std::make_unique<client>(io.get_executor(), o);
    for (int i = 0; i < 20; ++i)
      asio::co_spawn(
          io,
          [&c]() -> asio::awaitable<void> {
            auto req = any_get();
            error_code ec;
            diagnostics d;
            co_await c->execute(req, ec, d);
          },
          asio::detached);
    io.run_for(300ms);
    EXPECT_EQ(c->stats().waiting, 18u);
    c.reset(); // the client first, as an application's shutdown does; then the io_context
  }
}

// The proxy's clock is 10 minutes ahead and it refuses signatures more than 5 minutes off, as
// AWS does: ddb learns the offset from the Date header and retries once; later requests are
// signed right the first time.
TEST(Hostile, ClockSkewIsCorrectedFromTheDateHeader) {
  hostile_server proxy("auth_proxy", "--skew-seconds 600", true);
  run([&](asio::io_context& io) -> asio::awaitable<void> {
    client direct(io.get_executor(), local_options());
    std::string t = unique_table("hostile_skew");
    auto create =
        create_table_request(t, key_schema("PK")).attribute("PK", value_type::string).pay_per_request();
    co_await ddb_test::create_table(direct, create);
    std::vector<unsigned> attempts;
    auto o = options_for(proxy.endpoint());
    o.retry.max_attempts = 1; // the skew retry is outside the retry policy
    o.on_operation = [&](const operation_event& e) { attempts.push_back(e.attempts); };
    client c(io.get_executor(), o);
    auto put = put_item_request(t, item{{"PK", "a"}, {"v", number(1)}});
    error_code ec;
    diagnostics d;
    co_await c.execute(put, ec, d);
    EXPECT_FALSE(ec) << explain(ec, d);
    auto get = get_item_request(t, item{{"PK", "a"}});
    auto got = co_await c.execute(get, ec, d);
    EXPECT_FALSE(ec) << explain(ec, d);
    EXPECT_TRUE(got.item.has_value());
    EXPECT_EQ(attempts, (std::vector<unsigned>{2, 1}));
    auto drop = delete_table_request(t);
    co_await direct.delete_table(drop);
  });
  EXPECT_EQ(proxy.stat("signature_expired") + proxy.stat("signature_not_yet_current"), 1);
}

// The container's first credentials are refused as expired: ddb drops them, fetches new ones and
// retries once. Then the metadata service goes down: the last credentials are still served.
TEST(Hostile, ExpiredTokenIsRefreshedAndRetriedOnce) {
  // metadata_server.py's first container credentials carry token-container-1.
  const auto script = fs::path(__FILE__).parent_path() / "metadata_server.py";
  FILE* out =
      ::popen(("exec python3 '" + script.string() + "' --first-expiry 3600 --plain-keys").c_str(), "r");
  ASSERT_TRUE(out);
  int meta_port = 0, meta_pid = 0;
  ASSERT_EQ(std::fscanf(out, "%d %d", &meta_port, &meta_pid), 2);
  hostile_server proxy("auth_proxy", "--expired-token token-container-1", true);
  run([&](asio::io_context& io) -> asio::awaitable<void> {
    // DynamoDB Local keeps a database per access key: make the table as the second credentials.
    auto direct_options = local_options();
    direct_options.credentials = make_static_credentials_provider({"AKIDCONTAINER2", "s", "", std::nullopt});
    client direct(io.get_executor(), direct_options);
    std::string t = unique_table("hostile_expired");
    auto create =
        create_table_request(t, key_schema("PK")).attribute("PK", value_type::string).pay_per_request();
    co_await ddb_test::create_table(direct, create);
    auto o = options_for(proxy.endpoint());
    auto url = "http://127.0.0.1:" + std::to_string(meta_port) + "/container/creds";
    o.credentials = make_default_credentials_provider(
        io.get_executor(),
        [url](std::string_view name) -> std::optional<std::string> {
          if (name == "AWS_CONTAINER_CREDENTIALS_FULL_URI") return url;
          if (name == "AWS_CONTAINER_AUTHORIZATION_TOKEN") return std::string("container-secret");
          if (name == "AWS_CONFIG_FILE" || name == "AWS_SHARED_CREDENTIALS_FILE") return "/nonexistent/ddb";
          return std::nullopt;
        },
        system_files());
    std::vector<unsigned> attempts;
    o.retry.max_attempts = 1;
    o.on_operation = [&](const operation_event& e) { attempts.push_back(e.attempts); };
    client c(io.get_executor(), o);
    auto put = put_item_request(t, item{{"PK", "a"}});
    error_code ec;
    diagnostics d;
    co_await c.execute(put, ec, d);
    EXPECT_FALSE(ec) << explain(ec, d);
    EXPECT_EQ(attempts, (std::vector<unsigned>{2}));
    auto drop = delete_table_request(t);
    co_await direct.delete_table(drop);
  });
  EXPECT_EQ(proxy.stat("expired_token"), 1);
  ::kill(meta_pid, SIGTERM);
  ::pclose(out);
}

// Static keys refused as unknown cannot change: no retry, the service's error as it is.
TEST(Hostile, UnrecognizedStaticKeysAreNotRetried) {
  hostile_server proxy("auth_proxy", "--unrecognized-key AKIDLOCAL", true);
  run([&](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), options_for(proxy.endpoint()));
    auto [ec, d, r, took] = co_await one_get(c);
    EXPECT_EQ(ec, service_errc::unrecognized_client) << explain(ec, d);
    EXPECT_EQ(d.attempts, 1u);
  });
}

// Header injection: control characters in an operation name or in credentials never reach the
// wire (the endpoint is a closed port: any send attempt would show as a connection error).
TEST(Hostile, ControlCharactersInHeadersAreRefusedBeforeSending) {
  const int port = closed_port();
  run([&](asio::io_context& io) -> asio::awaitable<void> {
    std::vector<operation_event> events;
    auto o = options_for("http://127.0.0.1:" + std::to_string(port));
    o.on_operation = [&](const operation_event& e) { events.push_back(e); };
    {
      client c(io.get_executor(), o);
      std::string response;
      error_code ec;
      diagnostics d;
      co_await c.invoke("GetItem\r\nX-Injected: 1", "{}", response, ec, d);
      EXPECT_EQ(ec, client_errc::invalid_argument) << explain(ec, d);
    }
    for (auto bad : {credentials{"AKID", "secret", "token\r\nX-Injected: 1", std::nullopt},
                     credentials{"AKID\n", "secret", "", std::nullopt}}) {
      o.credentials = make_static_credentials_provider(bad);
      client c(io.get_executor(), o);
      auto [ec, d, r, took] = co_await one_get(c);
      EXPECT_EQ(ec, client_errc::invalid_credentials) << explain(ec, d);
      EXPECT_EQ(d.attempts, 0u);
    }
    for (auto& e : events) EXPECT_EQ(e.attempts, 0u);
  });
}

// A DNS server that never answers: the lookup is bounded by the operation's deadline, though
// getaddrinfo itself cannot be cancelled. The test runs in a child process with a mount namespace
// of its own, where /etc/resolv.conf names a UDP socket on 127.0.0.77:53 that reads nothing.
TEST(Hostile, HangingDnsEndsAtTheDeadline) {
  const auto dir = fs::temp_directory_path() / unique_table("ddb_dns");
  fs::create_directories(dir);
  std::ofstream(dir / "resolv.conf") << "nameserver 127.0.0.77\noptions timeout:2 attempts:1\n";
  std::ofstream(dir / "hosts") << "127.0.0.1 localhost\n";
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto fail = [](int code, const std::string& why) {
      std::fprintf(stderr, "%s\n", why.c_str());
      std::fflush(stderr);
      ::_exit(code);
    };
    if (::unshare(CLONE_NEWNS) != 0) fail(77, std::string("unshare(CLONE_NEWNS): ") + std::strerror(errno));
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) fail(77, "mount private failed");
    if (::mount((dir / "resolv.conf").c_str(), "/etc/resolv.conf", nullptr, MS_BIND, nullptr) != 0 ||
        ::mount((dir / "hosts").c_str(), "/etc/hosts", nullptr, MS_BIND, nullptr) != 0)
      fail(77, std::string("bind mount: ") + std::strerror(errno));
    int dns = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(53);
    a.sin_addr.s_addr = htonl(0x7f00004d); // 127.0.0.77
    if (::bind(dns, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
      fail(77, std::string("bind 127.0.0.77:53: ") + std::strerror(errno));
    asio::io_context io;
    client_options o;
    o.endpoint = "http://dynamodb.hang.test:8000";
    o.region = "us-east-1";
    o.credentials = make_static_credentials_provider({"AKIDLOCAL", "secret", "", std::nullopt});
    o.operation_timeout = 400ms;
    client c(io.get_executor(), o);
    auto req = any_get();
    error_code ec;
    diagnostics d;
    auto start = steady::now();
    try {
      asio::co_spawn(
          io, [&]() -> asio::awaitable<void> { co_await c.execute(req, ec, d); }, asio::detached);
      while (!ec && io.run_one()) {
      }
    } catch (const std::exception& e) {
      fail(1, std::string("exception: ") + e.what());
    }
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - start);
    std::fprintf(stderr, "lookup ended after %lld ms: %s\n", static_cast<long long>(took.count()),
                 explain(ec, d).c_str());
    std::fflush(stderr);
    // getaddrinfo is still waiting for its 2 s timeout in the resolver's thread: leave now.
    ::_exit(ec == client_errc::timeout && took >= 395ms && took <= 450ms ? 0 : 1);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 77)
    GTEST_SKIP() << "no mount namespace here (see stderr): the DNS hang is not tested";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the operation did not end at its 400 ms deadline (see stderr)";
}
