// ddb through the fault-injection proxy (faultproxy/README.md) in front of DynamoDB Local:
// throttling, 5xx, connections closed before or in the middle of a response, delays past the
// client's timeouts, corrupted bodies with the old x-amz-crc32, Connection: close and idle closes,
// each before or after the request reached DynamoDB. What must hold whatever happens:
//  - every write ddb reported successful is in the table with exactly the written content;
//  - nothing is in the table that ddb was not asked to write, and nothing is corrupted;
//  - every failure is a typed error, no operation outlives its deadline by more than a request;
//  - a corrupted body never comes back as data; no connection or descriptor is leaked.
#include "ddblocal_env.hpp"
#include "script_fixture.hpp"

#include <ddb/client.hpp>
#include <ddb/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace ddb_test;
using namespace ddb;
using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

std::size_t open_descriptors() {
  return static_cast<std::size_t>(
      std::distance(fs::directory_iterator("/proc/self/fd"), fs::directory_iterator()));
}

// The proxy, started for one test with its own configuration and stopped at the end.
class fault_proxy : public script_fixture {
public:
  explicit fault_proxy(const std::string& config)
      : script_fixture(DDB_FAULTPROXY_SCRIPT, "ddb_faultproxy", [&](const fs::path& dir) {
          std::ofstream(dir / "config.json") << config;
          return std::string(std::getenv("DDB_LOCAL_STATE")) + " " + (dir / "config.json").string();
        }) {}

  // Requests per fault name ("none", "throttle", ...), and per "fault/when", from faults.log.
  std::map<std::string, int> faults() const {
    std::map<std::string, int> n;
    std::ifstream in(dir() / "faults.log");
    for (std::string line; std::getline(in, line);) {
      if (line.find("\"event\"") != std::string::npos) continue;
      auto field = [&](const std::string& key) {
        auto p = line.find("\"" + key + "\": \"");
        std::size_t skip = key.size() + 5;
        if (p == std::string::npos) {
          p = line.find("\"" + key + "\":\"");
          skip = key.size() + 4;
        }
        if (p == std::string::npos) return std::string();
        return line.substr(p + skip, line.find('"', p + skip) - p - skip);
      };
      auto fault = field("fault");
      ++n[fault];
      ++n["requests"];
      if (auto when = field("when"); !when.empty()) ++n[fault + "/" + when];
    }
    return n;
  }
};

client_options proxied(const fault_proxy& p) {
  auto o = local_options();
  o.endpoint = p.endpoint();
  o.pool_size = 32;
  o.request_timeout = 800ms;
  o.operation_timeout = 20s;
  o.retry.throttling_base_delay = 50ms; // keep the test short; the policy is unit-tested
  o.retry.quota_capacity = 100'000;     // a quarter of requests fail on purpose
  return o;
}

asio::awaitable<std::string> make_table(client& direct, const std::string& base) {
  std::string name = unique_table(base);
  auto req = create_table_request(name, key_schema("PK", "SK"))
                 .attribute("PK", value_type::string)
                 .attribute("SK", value_type::string)
                 .pay_per_request();
  co_await ddb_test::create_table(direct, req);
  co_return name;
}

// Item content that would show any corruption: multi-byte UTF-8, 38-digit numbers, every byte value.
item make_item(const std::string& pk, const std::string& sk, int i) {
  std::string bytes;
  for (int b = 0; b < 256; ++b) bytes.push_back(static_cast<char>((b + i) & 0xFF));
  std::string digits = std::to_string(1000000 + i);
  return item{
      {"PK", pk},
      {"SK", sk},
      {"text", "élan ✓ 𝄞 #" + std::to_string(i) + std::string(static_cast<std::size_t>(i % 300), 'x')},
      {"n", number("12345678901234567890123456789" + digits.substr(0, 7) + ".12")},
      {"blob", to_bytes(bytes)},
      {"set", string_set{"a", "b", std::to_string(i)}}};
}

item key_of(const item& it) { return item{{"PK", it.at("PK")}, {"SK", it.at("SK")}}; }
std::string key_string(const item& it) {
  return std::string(it.at("PK").as_string()) + "|" + std::string(it.at("SK").as_string());
}

// A typed error: one of ddb's own or a DynamoDB error type ddb knows; never "malformed" (the
// proxy corrupts bodies: they must be caught by the CRC, not half-parsed) nor unknown.
::testing::AssertionResult typed(const error_code& ec, const diagnostics& diag) {
  if (ec.category() == client_category() && ec != client_errc::malformed_response)
    return ::testing::AssertionSuccess();
  if (ec.category() == service_category() && ec != service_errc::unknown)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "untyped or unexpected error " << ec.category().name() << ":" << ec.value() << " " << ec.message()
         << " (" << diag.error_type << ": " << diag.message << ")";
}

// What the workload did, to check against the table at the end.
struct ledger {
  std::map<std::string, item> attempted; // every item ddb was asked to write, by key
  std::set<std::string> acknowledged;    // keys of writes ddb reported successful
  std::map<std::string, int> failures;   // by error message, for the log
  int ok_ops = 0, failed_ops = 0;
  steady::duration longest{};

  void failed(const error_code& ec, const diagnostics& diag) {
    EXPECT_TRUE(typed(ec, diag));
    ++failed_ops;
    ++failures[ec.message()];
  }
};

struct observed {
  unsigned operations = 0, attempts = 0, max_attempts = 0, rejected = 0;
};

// Jobs 0..count-1, taken in turn by the workers of run_jobs().
template <class Job>
struct job_queue {
  Job& job;
  int next = 0, count = 0, running = 0;
  asio::steady_timer done;
};

template <class Job>
asio::awaitable<void> job_worker(job_queue<Job>& q) {
  while (q.next < q.count) co_await q.job(q.next++);
  if (--q.running == 0) q.done.cancel();
}

// Runs `count` jobs on `workers` coroutines of this thread (a coroutine per worker, not per job).
template <class Job>
asio::awaitable<void> run_jobs(asio::any_io_executor ex, int count, int workers, Job job) {
  job_queue<Job> q{job, 0, count, workers, asio::steady_timer(ex, steady::time_point::max())};
  for (int w = 0; w < workers; ++w) asio::co_spawn(ex, job_worker(q), asio::detached);
  if (q.running > 0) { // the last worker to finish cancels the wait
    auto [ec] = co_await q.done.async_wait(asio::as_tuple(asio::use_awaitable));
    (void)ec;
  }
}

} // namespace

// A quarter of all requests faulted, every kind of fault, before and after forwarding.
TEST(Faults, QuarterFaultedNothingLost) {
  fault_proxy proxy(R"({"seed": 20261126,
    "default": {"throttle": 0.05, "http500": 0.03, "http503": 0.03, "close_before_response": 0.04,
                "close_mid_response": 0.03, "delay": 0.02, "corrupt_body": 0.05,
                "delay_ms": 1500, "after_fraction": 0.5},
    "connection_close": 0.05})");
  const std::size_t fds_before = open_descriptors();
  ledger book;
  observed seen;
  run([&](asio::io_context& io) -> asio::awaitable<void> {
    client direct(io.get_executor(), local_options());
    auto options = proxied(proxy);
    options.on_operation = [&](const operation_event& e) {
      ++seen.operations;
      seen.attempts += e.attempts;
      seen.max_attempts = std::max(seen.max_attempts, e.attempts);
      if (e.attempts == 0) ++seen.rejected;
    };
    client c(io.get_executor(), options);
    std::string t = co_await make_table(direct, "faults");
    const auto ex = io.get_executor();
    const int partitions = 8;
    auto timed = [&](steady::time_point start) {
      book.longest = std::max(book.longest, steady::now() - start);
    };

    // 1. Single puts, half of them conditional (a retry after the write happened then fails its
    //    condition: a typed error for a write that did happen, which is allowed).
    co_await run_jobs(ex, 1200, 24, [&](int i) -> asio::awaitable<void> {
      item it = make_item("P#" + std::to_string(i % partitions), "PUT#" + std::to_string(i), i);
      auto k = key_string(it);
      book.attempted.emplace(k, it);
      auto req = put_item_request(t, it);
      if (i % 2) req.condition("attribute_not_exists(PK)");
      error_code ec;
      diagnostics diag;
      auto start = steady::now();
      co_await c.execute(req, ec, diag);
      timed(start);
      if (ec)
        book.failed(ec, diag);
      else
        book.acknowledged.insert(k), ++book.ok_ops;
    });

    // 2. Batch writes of 25 items: acknowledged unless returned as unprocessed.
    co_await run_jobs(ex, 60, 12, [&](int b) -> asio::awaitable<void> {
      batch_write_request req;
      std::vector<item> items;
      for (int j = 0; j < 25; ++j) {
        int i = 10000 + b * 25 + j;
        items.push_back(make_item("P#" + std::to_string(i % partitions), "BATCH#" + std::to_string(i), i));
        book.attempted.emplace(key_string(items.back()), items.back());
        req.put_request(t, items.back());
      }
      error_code ec;
      diagnostics diag;
      auto start = steady::now();
      auto res = co_await c.execute(req, ec, diag);
      timed(start);
      if (ec) {
        book.failed(ec, diag);
        co_return;
      }
      ++book.ok_ops;
      std::set<std::string> unprocessed;
      for (auto& [table, writes] : res.unprocessed_items)
        for (auto& w : writes)
          if (auto* put = std::get_if<put_request>(&w)) unprocessed.insert(key_string(put->item));
      for (auto& it : items)
        if (!unprocessed.count(key_string(it))) book.acknowledged.insert(key_string(it));
    });

    // 3. Transactions of two conditional puts, with the token ddb fills in: a transaction whose
    //    response was lost is not reported as a failed condition when retried.
    //    dynalite has no transactions: none there.
    const int transactions = on_dynalite() ? 0 : 300;
    co_await run_jobs(ex, transactions, 16, [&](int x) -> asio::awaitable<void> {
      int i = 20000 + 2 * x;
      item a = make_item("P#" + std::to_string(i % partitions), "TX#" + std::to_string(i), i);
      item b = make_item("P#" + std::to_string((i + 1) % partitions), "TX#" + std::to_string(i + 1), i + 1);
      book.attempted.emplace(key_string(a), a);
      book.attempted.emplace(key_string(b), b);
      auto req = transact_write_request()
                     .add(transact_put(t, a).condition("attribute_not_exists(PK)"))
                     .add(transact_put(t, b).condition("attribute_not_exists(PK)"));
      error_code ec;
      diagnostics diag;
      auto start = steady::now();
      co_await c.execute(req, ec, diag);
      timed(start);
      if (ec) {
        book.failed(ec, diag);
        // The token makes a retried transaction idempotent: it never fails its own condition.
        EXPECT_NE(ec, service_errc::transaction_canceled) << diag.message;
        co_return;
      }
      ++book.ok_ops;
      book.acknowledged.insert(key_string(a));
      book.acknowledged.insert(key_string(b));
    });

    // 4. Reads of every acknowledged item: exactly what was written, or a typed error.
    std::vector<std::string> keys(book.acknowledged.begin(), book.acknowledged.end());
    co_await run_jobs(ex, static_cast<int>(keys.size()), 24, [&](int i) -> asio::awaitable<void> {
      const item& want = book.attempted.at(keys[static_cast<std::size_t>(i)]);
      auto req = get_item_request(t, key_of(want)).consistent_read();
      error_code ec;
      diagnostics diag;
      auto start = steady::now();
      auto got = co_await c.execute(req, ec, diag);
      timed(start);
      if (ec) {
        book.failed(ec, diag);
        co_return;
      }
      ++book.ok_ops;
      EXPECT_TRUE(got.item.has_value()) << keys[static_cast<std::size_t>(i)];
      if (got.item) {
        EXPECT_EQ(*got.item, want) << keys[static_cast<std::size_t>(i)];
      }
    });

    // 5. Queries of each partition, 40 items a page: every item one that was written, exactly,
    //    and every acknowledged item of the partition seen once.
    co_await run_jobs(ex, partitions, partitions, [&](int p) -> asio::awaitable<void> {
      std::string pk = "P#" + std::to_string(p);
      auto req = query_request(t).key_condition("PK = :pk").value(":pk", pk).limit(40).consistent_read();
      auto pages = c.query_pages(req);
      std::set<std::string> seen_keys;
      auto start = steady::now();
      for (;;) {
        error_code ec;
        diagnostics diag;
        const page* pg = co_await pages.next(ec, diag);
        if (ec) {
          // A failed page: resume where the pager says, as a caller would.
          book.failed(ec, diag);
          auto resume = pages.resume_key();
          if (!resume) break;
          auto rest = query_request(req).exclusive_start_key(*resume);
          pages = c.query_pages(rest);
          continue;
        }
        if (!pg) break;
        ++book.ok_ops;
        for (item_view v : pg->items()) {
          item it = v.to_item();
          auto k = key_string(it);
          auto w = book.attempted.find(k);
          EXPECT_TRUE(w != book.attempted.end()) << "never written: " << k;
          if (w != book.attempted.end()) {
            EXPECT_EQ(it, w->second) << k;
          }
          EXPECT_TRUE(seen_keys.insert(k).second) << "seen twice: " << k;
        }
      }
      timed(start);
      for (auto& k : book.acknowledged)
        if (k.rfind(pk + "|", 0) == 0) {
          EXPECT_TRUE(seen_keys.count(k)) << "query missed " << k;
        }
    });

    // Every connection is back in the pool, none is left busy.
    auto st = c.stats();
    EXPECT_EQ(st.open, st.idle);
    EXPECT_EQ(st.waiting, 0u);
    EXPECT_LE(st.open, options.pool_size);

    // 6. The truth, read straight from DynamoDB Local.
    std::map<std::string, item> stored;
    auto everything = scan_request(t);
    auto scan = direct.scan_pages(everything);
    while (const page* pg = co_await scan.next())
      for (item_view v : pg->items()) {
        item it = v.to_item();
        stored.emplace(key_string(it), std::move(it));
      }
    for (auto& k : book.acknowledged) {
      auto s = stored.find(k);
      EXPECT_TRUE(s != stored.end()) << "acknowledged write lost: " << k;
      if (s != stored.end()) {
        EXPECT_EQ(s->second, book.attempted.at(k)) << k;
      }
    }
    for (auto& [k, it] : stored) {
      auto w = book.attempted.find(k);
      EXPECT_TRUE(w != book.attempted.end()) << "unknown item in table: " << k;
      if (w != book.attempted.end()) {
        EXPECT_EQ(it, w->second) << "stored content differs: " << k;
      }
    }
    auto drop = delete_table_request(t);
    co_await direct.delete_table(drop);
    std::cout << "stored " << stored.size() << " of " << book.attempted.size() << " attempted, "
              << book.acknowledged.size() << " acknowledged\n";
  });

  auto faults = proxy.faults();
  std::cout << "ops ok " << book.ok_ops << ", failed " << book.failed_ops << "; attempts " << seen.attempts
            << " for " << seen.operations << " operations; longest "
            << std::chrono::duration<double>(book.longest).count() << " s\nproxy:";
  for (auto& [k, v] : faults) std::cout << " " << k << "=" << v;
  std::cout << "\nfailures:";
  for (auto& [k, v] : book.failures) std::cout << " [" << k << "]=" << v;
  std::cout << "\n";

  // The faults did happen, of every kind and on both sides of the write.
  for (const char* f : {"throttle/before", "throttle/after", "http500/before", "http503/after",
                        "close_before_response/before", "close_before_response/after", "close_mid_response",
                        "delay", "corrupt_body", "connection_close"})
    EXPECT_GT(faults[f], 0) << f;
  EXPECT_GT(faults["requests"] - faults["none"], faults["requests"] / 5); // about a quarter faulted
  // Retries absorbed them: nearly everything succeeded, in few attempts.
  EXPECT_GT(seen.attempts, seen.operations + seen.operations / 10);
  EXPECT_LE(seen.max_attempts, 4u);
  EXPECT_EQ(seen.rejected, 0u);
  EXPECT_GT(book.ok_ops, 20 * book.failed_ops);
  EXPECT_GT(book.acknowledged.size(), 2400u);
  // No operation outlived its 20 s deadline by more than one 0.8 s request (plus scheduling).
  EXPECT_LT(book.longest, 23s);
  EXPECT_EQ(open_descriptors(), fds_before); // every socket closed with the clients
}

// Every response carries Connection: close; the pool reconnects each time, nothing fails.
TEST(Faults, ConnectionCloseOnEveryResponse) {
  fault_proxy proxy(R"({"seed": 1, "connection_close": true})");
  const std::size_t fds_before = open_descriptors();
  run([&](asio::io_context& io) -> asio::awaitable<void> {
    client direct(io.get_executor(), local_options());
    unsigned attempts = 0, operations = 0;
    auto options = proxied(proxy);
    options.on_operation = [&](const operation_event& e) { attempts += e.attempts, ++operations; };
    client c(io.get_executor(), options);
    std::string t = co_await make_table(direct, "faults_close");
    co_await run_jobs(io.get_executor(), 200, 8, [&](int i) -> asio::awaitable<void> {
      item it = make_item("P", "I#" + std::to_string(i), i);
      auto put = put_item_request(t, it);
      co_await c.put_item(put);
      auto get = get_item_request(t, key_of(it));
      auto got = co_await c.get_item(get);
      CO_ASSERT_TRUE(got.item.has_value());
      EXPECT_EQ(*got.item, it);
    });
    EXPECT_EQ(attempts, operations); // a close the server announced is no failure
    EXPECT_EQ(c.stats().open, 0u);   // the server closed every one
    auto drop = delete_table_request(t);
    co_await direct.delete_table(drop);
  });
  EXPECT_EQ(proxy.faults()["connection_close"], 400);
  EXPECT_EQ(open_descriptors(), fds_before);
}

// The proxy closes keep-alive connections idle for 200 ms: the next request on such a connection
// is replaced by a fresh one without a retry, unnoticed by the caller.
TEST(Faults, IdleKeepAliveClosedByServer) {
  fault_proxy proxy(R"({"seed": 2, "idle_close_ms": 200})");
  run([&](asio::io_context& io) -> asio::awaitable<void> {
    client direct(io.get_executor(), local_options());
    unsigned attempts = 0, operations = 0;
    auto options = proxied(proxy);
    options.on_operation = [&](const operation_event& e) { attempts += e.attempts, ++operations; };
    client c(io.get_executor(), options);
    std::string t = co_await make_table(direct, "faults_idle");
    for (int round = 0; round < 3; ++round) {
      co_await run_jobs(io.get_executor(), 40, 8, [&](int i) -> asio::awaitable<void> {
        item it = make_item("P", "I#" + std::to_string(round * 100 + i), i);
        auto put = put_item_request(t, it);
        co_await c.put_item(put);
      });
      asio::steady_timer pause(io, 500ms);
      co_await pause.async_wait(asio::use_awaitable);
    }
    EXPECT_EQ(attempts, operations);
    auto drop = delete_table_request(t);
    co_await direct.delete_table(drop);
  });
  auto faults = proxy.faults();
  EXPECT_EQ(faults["requests"], 120);
}

// A delay past the request timeout: each attempt times out, and the operation gives up at its
// deadline with a typed timeout, not later.
TEST(Faults, DelayPastTimeoutsEndsAtTheDeadline) {
  fault_proxy proxy(
      R"({"seed": 3, "operations": {"GetItem": {"delay": 1.0, "delay_ms": 5000, "after_fraction": 0}}})");
  run([&](asio::io_context& io) -> asio::awaitable<void> {
    auto options = proxied(proxy);
    options.request_timeout = 300ms;
    options.operation_timeout = 1000ms;
    options.retry.max_attempts = 10;
    client c(io.get_executor(), options);
    error_code ec;
    diagnostics diag;
    auto start = steady::now();
    auto req = get_item_request("any_table", item{{"PK", "a"}, {"SK", "b"}});
    auto got = co_await c.execute(req, ec, diag);
    auto took = steady::now() - start;
    EXPECT_EQ(ec, client_errc::timeout);
    EXPECT_FALSE(got.item.has_value());
    EXPECT_GE(took, 900ms);
    EXPECT_LT(took, 2500ms); // the deadline, plus scheduling slack: not 10 attempts of 300 ms + backoff
  });
}

// A corrupted body (x-amz-crc32 kept) on every GetItem: retried, then a typed CRC error; the
// corrupted bytes are never handed out as an item.
TEST(Faults, CorruptBodyIsNeverData) {
  fault_proxy proxy(R"({"seed": 4, "operations": {"GetItem": {"corrupt_body": 1.0}}})");
  run([&](asio::io_context& io) -> asio::awaitable<void> {
    client direct(io.get_executor(), local_options());
    client c(io.get_executor(), proxied(proxy));
    std::string t = co_await make_table(direct, "faults_corrupt");
    item it = make_item("P", "I", 7);
    auto put = put_item_request(t, it);
    co_await c.put_item(put); // PutItem is not faulted
    error_code ec;
    diagnostics diag;
    auto req = get_item_request(t, key_of(it));
    auto got = co_await c.execute(req, ec, diag);
    EXPECT_EQ(ec, client_errc::crc32_mismatch);
    EXPECT_FALSE(got.item.has_value());
    auto drop = delete_table_request(t);
    co_await direct.delete_table(drop);
  });
  EXPECT_EQ(proxy.faults()["corrupt_body"], 4); // every attempt of the GetItem
}

// Throttling errors as DynamoDB sends them: retried, then the typed error with its AWS type.
TEST(Faults, ThrottlingIsTypedAndRetried) {
  fault_proxy proxy(R"({"seed": 5, "default": {"throttle": 1.0, "after_fraction": 0,
                        "throttle_types": ["ProvisionedThroughputExceededException"]},
                        "operations": {"PutItem": {"throttle_types": ["ThrottlingException"]}}})");
  run([&](asio::io_context& io) -> asio::awaitable<void> {
    unsigned attempts = 0;
    auto options = proxied(proxy);
    options.retry.max_attempts = 3;
    options.on_operation = [&](const operation_event& e) { attempts += e.attempts; };
    client c(io.get_executor(), options);
    error_code ec;
    diagnostics diag;
    auto get = get_item_request("t", item{{"PK", "a"}});
    co_await c.execute(get, ec, diag);
    EXPECT_EQ(ec, service_errc::provisioned_throughput_exceeded);
    EXPECT_EQ(diag.http_status, 400u);
    EXPECT_NE(diag.error_type.find("ProvisionedThroughputExceededException"), std::string::npos);
    auto put = put_item_request("t", item{{"PK", "a"}});
    co_await c.execute(put, ec, diag);
    EXPECT_EQ(ec, service_errc::throttling);
    EXPECT_EQ(attempts, 6u);
    try {
      co_await c.put_item(put);
      ADD_FAILURE() << "no exception";
    } catch (const ddb::error& e) {
      EXPECT_EQ(e.code(), service_errc::throttling);
    }
  });
  EXPECT_EQ(proxy.faults()["throttle"], 9);
}

// The hooks a service builds its metrics and logs on: attempts and retries, consumed capacity,
// log lines at each level, and never a secret in them.
TEST(Faults, ObserverAndLoggerSeeRetriesCapacityNoSecrets) {
  fault_proxy proxy(R"({"seed": 6, "operations": {"PutItem": {"throttle": 1.0, "after_fraction": 0,
                                                               "throttle_types": ["ThrottlingException"]}}})");
  std::vector<std::pair<log_level, std::string>> lines;
  std::vector<operation_event> events;
  std::vector<std::string> request_ids;
  run([&](asio::io_context& io) -> asio::awaitable<void> {
    client direct(io.get_executor(), local_options());
    std::string t = co_await make_table(direct, "faults_hooks");
    auto options = proxied(proxy);
    options.credentials = make_static_credentials_provider(
        {"AKIDLOCAL", "s3cr3t-KEY-never-logged", "TOKEN-never-logged", std::nullopt});
    options.retry.max_attempts = 3;
    options.report_consumed_capacity = true;
    options.min_log_level = log_level::debug;
    options.logger = [&](log_level l, std::string_view line) { lines.emplace_back(l, std::string(line)); };
    options.on_operation = [&](const operation_event& e) {
      events.push_back(e);
      request_ids.emplace_back(e.request_id); // the event's views live only during the call
    };
    client c(io.get_executor(), options);

    error_code ec;
    diagnostics diag;
    item it = make_item("P", "I", 1);
    auto put = put_item_request(t, it);
    co_await c.execute(put, ec, diag); // throttled every time
    EXPECT_EQ(ec, service_errc::throttling);
    co_await direct.put_item(put); // DynamoDB Local reports 0 units for reading nothing
    auto get = get_item_request(t, key_of(it)).consistent_read();
    co_await c.execute(get, ec, diag);
    EXPECT_FALSE(ec);
    auto q = query_request(t).key_condition("PK = :pk").value(":pk", "P");
    co_await c.execute(q, ec, diag);
    EXPECT_FALSE(ec);
    auto bad = get_item_request(t, item{}); // no key: rejected before sending
    co_await c.execute(bad, ec, diag);
    EXPECT_EQ(ec, client_errc::invalid_argument);
    auto drop = delete_table_request(t);
    co_await direct.delete_table(drop);
  });

  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].operation, "PutItem");
  EXPECT_EQ(events[0].attempts, 3u);
  EXPECT_EQ(events[0].http_status, 400u);
  EXPECT_EQ(events[0].ec, service_errc::throttling);
  EXPECT_GT(events[0].request_bytes, 3 * 300u); // three bodies sent
  EXPECT_EQ(events[1].operation, "GetItem");
  EXPECT_EQ(events[1].attempts, 1u);
  EXPECT_EQ(events[1].http_status, 200u);
  EXPECT_GT(events[1].consumed_capacity, 0.0);
  EXPECT_GT(events[1].response_bytes, 0u);
  EXPECT_FALSE(request_ids[1].empty());
  EXPECT_EQ(events[2].operation, "Query");
  EXPECT_GT(events[2].consumed_capacity, 0.0);
  EXPECT_EQ(events[3].attempts, 0u);
  EXPECT_EQ(events[3].ec, client_errc::invalid_argument);

  auto has = [&](log_level l, const std::string& text) {
    for (auto& [level, line] : lines)
      if (level == l && line.find(text) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(has(log_level::debug, "connected to 127.0.0.1:"));
  EXPECT_TRUE(has(log_level::info, "PutItem attempt 1 failed"));
  EXPECT_TRUE(has(log_level::info, "ThrottlingException"));
  EXPECT_TRUE(has(log_level::warn, "PutItem failed after 3 attempt(s)"));
  EXPECT_TRUE(has(log_level::warn, "GetItem not sent: invalid request"));
  for (auto& [level, line] : lines) {
    EXPECT_EQ(line.find("s3cr3t"), std::string::npos) << line;
    EXPECT_EQ(line.find("TOKEN-never"), std::string::npos) << line;
    EXPECT_EQ(line.find("Signature"), std::string::npos) << line;
  }
}

// UpdateItem ADD n :one through connections closed before and after the request reached
// DynamoDB: a write is never resent without counting an attempt, so the counter never exceeds
// the attempts made, and every extra application is accounted for by an attempt that lost its
// answer (operation_event::ambiguous_attempts).
TEST(Faults, CounterIncrementsAreNeverSilentlyDuplicated) {
  fault_proxy proxy(R"({"seed": 11, "operations": {"UpdateItem": {"close_before_response": 0.2,
                        "close_mid_response": 0.1, "after_fraction": 0.5}}})");
  run([&](asio::io_context& io) -> asio::awaitable<void> {
    client direct(io.get_executor(), local_options());
    std::string t = co_await make_table(direct, "faults_counter");
    unsigned attempts = 0, ambiguous = 0, resends = 0;
    int ok = 0, failed = 0;
    auto options = proxied(proxy);
    options.on_operation = [&](const operation_event& e) {
      attempts += e.attempts;
      ambiguous += e.ambiguous_attempts;
      resends += e.resends;
    };
    client c(io.get_executor(), options);
    co_await run_jobs(io.get_executor(), 300, 8, [&](int) -> asio::awaitable<void> {
      auto add = update_item_request(t, item{{"PK", "C"}, {"SK", "C"}})
                     .update("ADD n :one")
                     .value(":one", number(1));
      error_code ec;
      diagnostics d;
      co_await c.execute(add, ec, d);
      if (ec) {
        ++failed;
        EXPECT_TRUE(typed(ec, d));
        EXPECT_EQ(d.attempts, 4u) << d.message; // only retries running out ends one here
      } else {
        ++ok;
      }
    });
    auto get = get_item_request(t, item{{"PK", "C"}, {"SK", "C"}}).consistent_read(true);
    auto got = co_await direct.get_item(get);
    CO_ASSERT_TRUE(got.item.has_value());
    const auto n = static_cast<unsigned>(got.item->at("n").as_number().to<std::int64_t>());
    std::cout << "counter " << n << ": " << ok << " ok, " << failed << " failed, " << attempts
              << " attempts, " << ambiguous << " ambiguous, " << resends << " silent resends\n";
    EXPECT_LE(n, attempts);
    EXPECT_GE(n, static_cast<unsigned>(ok));
    EXPECT_LE(n, ok + ambiguous); // each double application is one that lost its answer
    EXPECT_GT(ambiguous, 0u);     // the faults did happen
    auto drop = delete_table_request(t);
    co_await direct.delete_table(drop);
  });
  auto faults = proxy.faults();
  EXPECT_GT(faults["close_before_response/after"] + faults["close_mid_response"], 0);
}
