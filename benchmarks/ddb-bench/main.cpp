// ddb-bench: a load generator for DynamoDB (and DynamoDB Local, or a canned server) on ddb.
//
// It prints progress to stderr once a second and, at the end, one JSON object on stdout in the
// schema the JS SDK and boto3 peers print too, so their runs compare line for line. `--help`
// says what every flag does; benchmarks/ddb-bench/README.md how the figures are made.
#include "histogram.hpp"

#include <ddb/client.hpp>
#include <ddb/error.hpp>
#include <ddb/requests.hpp>
#include <ddb/serialize.hpp>
#include <ddb/table/batch.hpp>
#include <ddb/table/index.hpp>
#include <ddb/table/item_key.hpp>
#include <ddb/table/table.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using steady = std::chrono::steady_clock;

namespace ddb_bench {
namespace {

// ---------------------------------------------------------------------------------------------
// Command line

enum class op_kind { put, get, query, mixed, transact };

struct options {
  std::string endpoint, region, ca_file, table, log_writes;
  bool create_table = false, load = false, quiet = false;
  unsigned batch_parallelism = 4; // batch_options::parallelism of --load
  op_kind op = op_kind::put;
  std::string op_name;
  std::uint64_t concurrency = 16, threads = 1;
  std::uint64_t requests = 0; // 0: --duration
  double duration = 0;
  std::uint64_t items = 0; // 0: not given
  std::uint64_t item_bytes = 100;
  std::uint64_t seed = 1;
  std::uint64_t partitions = 100;
  std::uint64_t page_size = 0;
  std::uint64_t max_attempts = 0; // 0: ddb's default
  bool callbacks = false;         // --api callback
};

constexpr const char* usage_text =
    R"(usage: ddb-bench --endpoint URL [--region R] [--ca-file PEM] --table NAME [--create-table]
                 --op put|get|query|mixed|transact [--concurrency N] [--threads T]
                 (--requests N | --duration SECONDS) [--items N] [--item-bytes B]
                 [--log-writes FILE] [--seed S] [--load] [--partitions P] [--page-size N]
                 [--max-attempts N] [--api coroutine|callback] [--batch-parallelism N] [--quiet]

Drives DynamoDB through ddb and prints one JSON object of results on stdout, progress on stderr.
Credentials come from the default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profile, ...);
the region from --region, else AWS_REGION / AWS_DEFAULT_REGION / the profile.

  --endpoint URL       http://host:port or https://host[:port]
  --ca-file PEM        trusted CAs for https instead of the system store
  --table NAME         a single table with string keys PK and SK
  --create-table       create it first (PAY_PER_REQUEST, no index) unless it exists; wait for ACTIVE
  --op OP              put:      PutItem of item i
                       get:      GetItem of item i (as put wrote it; a missing item is error NotFound)
                       mixed:    get or put of item i, 50/50 (drawn from seed and i)
                       transact: TransactWriteItems of two puts derived from i
                       query:    query_prefix through partition BENCHQ#<seed> (ops = Query pages,
                                 items = items read)
  --concurrency N      operations in flight in total, split evenly over the threads (default 16)
  --threads T          io_context threads, each with its own client (default 1)
  --requests N         stop after N operations (put/get/mixed/transact). For query: every worker
                       reads the partition once, up to --items items, and the run stops early
                       once N pages were fetched in total (pages are fetched one ahead, so the
                       last one may be read in part: for a full pass give N above the page count)
  --duration SECONDS   run for this long instead (query: workers read the partition again and again)
  --items N            put/get/mixed/transact: the key space; operation k works on item k mod N
                       (default: --requests, or 10000 with --duration). query: the partition's size
                       and what one pass reads at most (default 1000)
  --item-bytes B       bytes of the printable payload attribute "data" (default 100)
  --seed S             items and keys derive from it (default 1)
  --load               query: batch-write the partition's --items items first (not timed here;
                       stderr gives the load's items/s)
  --batch-parallelism N  requests in flight per batch_write call of --load (default 4)
  --partitions P       put/get keys spread over P partitions BENCH#<seed>#<i mod P> (default 100)
  --page-size N        query: Limit per Query call (default: 1 MB pages)
  --max-attempts N     the client's attempts per operation, retries included (default 4)
  --api API            coroutine: co_await client.execute() (default); callback: put/get through
                       async_put_item / async_get_item with plain callbacks (the completion-token path)
  --log-writes FILE    append every write the client reported as successful, one JSON line per
                       item in DynamoDB JSON ({"PK":{"S":"..."},...})
  --quiet              no progress on stderr

Items: PK "BENCH#<seed>#<i mod P>", SK "ITEM#<i, 10 digits>" (transact: "TXA#..." and "TXB#...";
query: PK "BENCHQ#<seed>"), "data" the payload, "n" the number i.
Latency percentiles are of operations that succeeded, from a log-linear histogram (< 0.5% error).
Exit status: 0 when every operation succeeded, 1 when any finally failed, 2 for a bad command line.
)";

[[noreturn]] void usage_error(const std::string& why) {
  std::fprintf(stderr, "ddb-bench: %s\n(ddb-bench --help for usage)\n", why.c_str());
  std::exit(2);
}

std::uint64_t parse_uint(const std::string& flag, std::string_view v) {
  std::uint64_t out = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || end != v.data() + v.size() || v.empty())
    usage_error(flag + " wants a non-negative integer, not '" + std::string(v) + "'");
  return out;
}

options parse_command_line(int argc, char** argv) {
  options o;
  bool have_op = false, have_requests = false, have_duration = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool inline_value = false;
    if (auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg.resize(eq);
      inline_value = true;
    }
    auto need = [&]() -> const std::string& { // the flag's value: --flag=V or --flag V
      if (!inline_value) {
        if (i + 1 >= argc) usage_error(arg + " wants a value");
        value = argv[++i];
      }
      return value;
    };
    auto none = [&] {
      if (inline_value) usage_error(arg + " takes no value");
      return true;
    };
    if (arg == "--help" || arg == "-h") {
      std::fputs(usage_text, stdout);
      std::exit(0);
    } else if (arg == "--endpoint") {
      o.endpoint = need();
    } else if (arg == "--region") {
      o.region = need();
    } else if (arg == "--ca-file") {
      o.ca_file = need();
    } else if (arg == "--table") {
      o.table = need();
    } else if (arg == "--create-table") {
      o.create_table = none();
    } else if (arg == "--load") {
      o.load = none();
    } else if (arg == "--batch-parallelism") {
      o.batch_parallelism =
          static_cast<unsigned>(std::clamp<std::uint64_t>(parse_uint(arg, need()), 1, 1024));
    } else if (arg == "--quiet") {
      o.quiet = none();
    } else if (arg == "--op") {
      o.op_name = need();
      have_op = true;
      if (value == "put")
        o.op = op_kind::put;
      else if (value == "get")
        o.op = op_kind::get;
      else if (value == "query")
        o.op = op_kind::query;
      else if (value == "mixed")
        o.op = op_kind::mixed;
      else if (value == "transact")
        o.op = op_kind::transact;
      else
        usage_error("--op must be put, get, query, mixed or transact, not '" + value + "'");
    } else if (arg == "--concurrency") {
      o.concurrency = parse_uint(arg, need());
    } else if (arg == "--threads") {
      o.threads = parse_uint(arg, need());
    } else if (arg == "--requests") {
      o.requests = parse_uint(arg, need());
      have_requests = true;
    } else if (arg == "--duration") {
      need();
      char* end = nullptr;
      o.duration = std::strtod(value.c_str(), &end);
      if (value.empty() || *end != '\0' || !(o.duration > 0) || o.duration > 1e7)
        usage_error("--duration wants a positive number of seconds, not '" + value + "'");
      have_duration = true;
    } else if (arg == "--items") {
      o.items = parse_uint(arg, need());
      if (o.items == 0) usage_error("--items must be at least 1");
    } else if (arg == "--item-bytes") {
      o.item_bytes = parse_uint(arg, need());
    } else if (arg == "--log-writes") {
      o.log_writes = need();
    } else if (arg == "--seed") {
      o.seed = parse_uint(arg, need());
    } else if (arg == "--partitions") {
      o.partitions = parse_uint(arg, need());
    } else if (arg == "--page-size") {
      o.page_size = parse_uint(arg, need());
    } else if (arg == "--max-attempts") {
      o.max_attempts = parse_uint(arg, need());
    } else if (arg == "--api") {
      std::string api = need();
      if (api != "coroutine" && api != "callback")
        usage_error("--api must be coroutine or callback, not '" + api + "'");
      o.callbacks = api == "callback";
    } else {
      usage_error("unknown argument '" + arg + "'");
    }
  }
  if (o.endpoint.empty()) usage_error("--endpoint is required");
  if (o.table.empty()) usage_error("--table is required");
  if (!have_op) usage_error("--op is required");
  if (have_requests == have_duration) usage_error("give exactly one of --requests N and --duration SECONDS");
  if (have_requests && o.requests == 0) usage_error("--requests must be at least 1");
  if (o.concurrency == 0 || o.concurrency > 100'000) usage_error("--concurrency must be 1..100000");
  if (o.threads == 0 || o.threads > 256) usage_error("--threads must be 1..256");
  if (o.threads > o.concurrency) usage_error("--threads must not exceed --concurrency (the total)");
  if (o.item_bytes > 350'000)
    usage_error("--item-bytes must be at most 350000 (DynamoDB's 400 KB item limit)");
  if (o.partitions == 0) usage_error("--partitions must be at least 1");
  if (o.page_size > 0x7fffffff) usage_error("--page-size is too large");
  if (o.max_attempts > 100) usage_error("--max-attempts must be at most 100");
  if (o.load && o.op != op_kind::query) usage_error("--load applies to --op query only");
  if (o.callbacks && o.op != op_kind::get && o.op != op_kind::put)
    usage_error("--api callback applies to --op get and put");
  if (o.items == 0) o.items = o.op == op_kind::query ? 1000 : have_requests ? o.requests : 10'000;
  return o;
}

// ---------------------------------------------------------------------------------------------
// Items: everything derives from the seed and the index, so a get run finds what a put run wrote.

std::uint64_t splitmix64(std::uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

std::string padded(std::uint64_t i) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%010llu", static_cast<unsigned long long>(i));
  return buf;
}

// Printable and needing no JSON escapes, so the payload costs what its length says.
std::string payload(std::uint64_t seed, std::uint64_t i, std::size_t n) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out(n, ' ');
  std::uint64_t state = splitmix64(seed) ^ splitmix64(i + 0x632be59bd9b4e019ull);
  for (std::size_t k = 0; k < n; k += 8) {
    std::uint64_t r = splitmix64(state + k);
    for (std::size_t b = 0; b < 8 && k + b < n; ++b, r >>= 8) out[k + b] = alphabet[r & 63];
  }
  return out;
}

struct key_layout {
  const options& o;
  std::string pk(std::uint64_t i) const {
    return "BENCH#" + std::to_string(o.seed) + "#" + std::to_string(i % o.partitions);
  }
  std::string query_pk() const { return "BENCHQ#" + std::to_string(o.seed); }
  ddb::item make(std::string pk, std::string sk, std::uint64_t i) const {
    ddb::item it;
    it.emplace("PK", ddb::value(std::move(pk)));
    it.emplace("SK", ddb::value(std::move(sk)));
    it.emplace("data", ddb::value(payload(o.seed, i, o.item_bytes)));
    it.emplace("n", ddb::value(i));
    return it;
  }
  ddb::item item(std::uint64_t i) const { return make(pk(i), "ITEM#" + padded(i), i); }
  ddb::item key(std::uint64_t i) const {
    ddb::item k;
    k.emplace("PK", ddb::value(pk(i)));
    k.emplace("SK", ddb::value("ITEM#" + padded(i)));
    return k;
  }
  ddb::item query_item(std::uint64_t i) const { return make(query_pk(), "ITEM#" + padded(i), i); }
  ddb::item transact_item(std::uint64_t i, char which) const {
    return make(pk(i), std::string("TX") + which + "#" + padded(i), i);
  }
  bool mixed_is_get(std::uint64_t i) const {
    return (splitmix64(o.seed * 0x9e3779b97f4a7c15ull ^ i) & 1) != 0;
  }
};

// The entities of the query partition, for the single-table layer's typed keys:
// partition_key<BenchQ>("1") is "BENCHQ#1", prefix_sort_key<Item>() is "ITEM#".
struct BenchQ {
  static constexpr std::string_view entity_name = "BenchQ";
};
struct Item {
  static constexpr std::string_view entity_name = "Item";
};

// ---------------------------------------------------------------------------------------------
// Errors by name: the AWS error type for service errors, the enum name for ddb's own.

const char* client_errc_name(int v) {
  switch (static_cast<ddb::client_errc>(v)) {
  case ddb::client_errc::invalid_number:
    return "invalid_number";
  case ddb::client_errc::number_out_of_range:
    return "number_out_of_range";
  case ddb::client_errc::precision_loss:
    return "precision_loss";
  case ddb::client_errc::wrong_type:
    return "wrong_type";
  case ddb::client_errc::invalid_utf8:
    return "invalid_utf8";
  case ddb::client_errc::empty_set:
    return "empty_set";
  case ddb::client_errc::invalid_argument:
    return "invalid_argument";
  case ddb::client_errc::crc32_mismatch:
    return "crc32_mismatch";
  case ddb::client_errc::malformed_response:
    return "malformed_response";
  case ddb::client_errc::connection_lost:
    return "connection_lost";
  case ddb::client_errc::timeout:
    return "timeout";
  case ddb::client_errc::pool_exhausted:
    return "pool_exhausted";
  case ddb::client_errc::credentials_not_found:
    return "credentials_not_found";
  case ddb::client_errc::invalid_config:
    return "invalid_config";
  case ddb::client_errc::response_too_large:
    return "response_too_large";
  case ddb::client_errc::invalid_credentials:
    return "invalid_credentials";
  case ddb::client_errc::invalid_expression:
    return "invalid_expression";
  case ddb::client_errc::wait_timeout:
    return "wait_timeout";
  case ddb::client_errc::table_schema_mismatch:
    return "table_schema_mismatch";
  case ddb::client_errc::proxy_refused:
    return "proxy_refused";
  case ddb::client_errc::proxy_auth_required:
    return "proxy_auth_required";
  case ddb::client_errc::credentials_process_failed:
    return "credentials_process_failed";
  case ddb::client_errc::credentials_sts_failed:
    return "credentials_sts_failed";
  case ddb::client_errc::credentials_sso_failed:
    return "credentials_sso_failed";
  case ddb::client_errc::credentials_mfa_required:
    return "credentials_mfa_required";
  }
  return "client_error";
}

std::string error_name(const ddb::error_code& ec, const ddb::diagnostics& diag) {
  if (ec.category() == ddb::client_category()) return client_errc_name(ec.value());
  if (ec.category() == ddb::service_category() && !diag.error_type.empty()) {
    std::string_view t = diag.error_type;
    if (auto hash = t.rfind('#'); hash != std::string_view::npos) t.remove_prefix(hash + 1);
    return std::string(t);
  }
  return ec.message(); // transport errors: "Connection refused", ...
}

// ---------------------------------------------------------------------------------------------
// The write log: per-thread buffers appended to one file under a mutex, in large chunks.

class write_log {
public:
  explicit write_log(const std::string& path) : f_(std::fopen(path.c_str(), "a")) {
    if (!f_) throw std::runtime_error("cannot open " + path + " for --log-writes");
  }
  ~write_log() {
    if (f_) std::fclose(f_);
  }
  write_log(const write_log&) = delete;
  write_log& operator=(const write_log&) = delete;

  void append(std::string& buffer) {
    if (buffer.empty()) return;
    std::lock_guard lock(m_);
    if (std::fwrite(buffer.data(), 1, buffer.size(), f_) != buffer.size()) failed_ = true;
    buffer.clear();
  }
  /// False when anything could not be written.
  bool close() {
    std::lock_guard lock(m_);
    bool ok = !failed_ && std::fflush(f_) == 0 && std::ferror(f_) == 0;
    ok = std::fclose(f_) == 0 && ok;
    f_ = nullptr;
    return ok;
  }

private:
  std::FILE* f_;
  std::mutex m_;
  bool failed_ = false;
};

// ---------------------------------------------------------------------------------------------
// Per-thread state: only its own thread touches it while running, except the atomics the
// progress printer reads.

struct thread_stats {
  latency_histogram latency;
  std::uint64_t ops = 0, items = 0, retries = 0, response_bytes = 0;
  std::uint64_t resends = 0, ambiguous = 0, may_have_applied = 0; // ddb's transport accounting
  std::map<std::string, std::uint64_t> errors;
  bool timed = false; // the observer counts only the timed phase
  std::atomic<std::uint64_t> progress_ops{0}, progress_errors{0};
};

struct shared_state {
  const options& o;
  key_layout keys{o};
  std::atomic<std::uint64_t> next_ticket{0};
  std::atomic<std::uint64_t> pages{0}; // query: Query calls finished (succeeded or failed)
  steady::time_point deadline{};
  std::atomic<bool> short_partition{false};
  write_log* log = nullptr;

  bool stopped() const noexcept {
    if (o.requests == 0) return steady::now() >= deadline;
    return o.op == op_kind::query && pages.load(std::memory_order_relaxed) >= o.requests;
  }
  /// The next operation's index, or nullopt when the run is over.
  std::optional<std::uint64_t> take() noexcept {
    if (o.requests == 0 && steady::now() >= deadline) return std::nullopt;
    std::uint64_t t = next_ticket.fetch_add(1, std::memory_order_relaxed);
    if (o.requests != 0 && t >= o.requests) return std::nullopt;
    return t % o.items;
  }
};

struct worker_thread {
  worker_thread(shared_state& s, std::size_t workers) : shared(s), concurrency(workers) {}

  shared_state& shared;
  std::size_t concurrency;
  asio::io_context io{1};
  thread_stats stats;
  std::unique_ptr<ddb::client> client; // after io: destroyed first
  std::string log_buffer;
  std::exception_ptr failure;

  void succeeded(steady::duration latency, std::uint64_t items) {
    stats.latency.record(static_cast<std::uint64_t>(std::chrono::nanoseconds(latency).count()));
    ++stats.ops;
    stats.items += items;
    stats.progress_ops.fetch_add(1, std::memory_order_relaxed);
  }
  void failed(const std::string& name) {
    ++stats.errors[name];
    stats.progress_errors.fetch_add(1, std::memory_order_relaxed);
  }
  void failed(const ddb::error_code& ec, const ddb::diagnostics& diag) { failed(error_name(ec, diag)); }
  void logged(const ddb::item& it) {
    if (!shared.log) return;
    ddb::write_item_json(it, log_buffer);
    log_buffer += '\n';
    if (log_buffer.size() >= (1u << 18)) shared.log->append(log_buffer);
  }
  void flush_log() {
    if (shared.log) shared.log->append(log_buffer);
  }

  // Observer of every operation of this thread's client, on this thread.
  void observe(const ddb::operation_event& e) {
    if (!stats.timed || e.ec == asio::error::operation_aborted) return; // cancelled prefetches
    stats.retries += e.attempts > 0 ? e.attempts - 1 : 0;
    stats.response_bytes += e.response_bytes;
    stats.resends += e.resends;
    stats.ambiguous += e.ambiguous_attempts;
    if (e.ambiguous_attempts > 0 && e.ec == ddb::service_errc::conditional_check_failed)
      ++stats.may_have_applied;
    // Query pages succeed here; failures reach the worker through the stream (and count there).
    if (shared.o.op == op_kind::query && e.operation == "Query" && !e.ec) {
      shared.pages.fetch_add(1, std::memory_order_relaxed);
      stats.latency.record(static_cast<std::uint64_t>(std::chrono::nanoseconds(e.latency).count()));
      ++stats.ops;
      stats.progress_ops.fetch_add(1, std::memory_order_relaxed);
    }
  }
};

// ---------------------------------------------------------------------------------------------
// The operations

asio::awaitable<void> put_one(worker_thread& w, std::uint64_t i) {
  ddb::put_item_request req(w.shared.o.table, w.shared.keys.item(i));
  ddb::error_code ec;
  ddb::diagnostics diag;
  auto t0 = steady::now();
  co_await w.client->execute(req, ec, diag);
  auto dt = steady::now() - t0;
  if (ec) {
    w.failed(ec, diag);
    co_return;
  }
  w.succeeded(dt, 1);
  w.logged(req.item());
}

asio::awaitable<void> get_one(worker_thread& w, std::uint64_t i) {
  ddb::get_item_request req(w.shared.o.table, w.shared.keys.key(i));
  ddb::error_code ec;
  ddb::diagnostics diag;
  auto t0 = steady::now();
  auto r = co_await w.client->execute(req, ec, diag);
  auto dt = steady::now() - t0;
  if (ec)
    w.failed(ec, diag);
  else if (!r.item)
    w.failed("NotFound");
  else
    w.succeeded(dt, 1);
}

asio::awaitable<void> transact_one(worker_thread& w, std::uint64_t i) {
  ddb::transact_put a(w.shared.o.table, w.shared.keys.transact_item(i, 'A'));
  ddb::transact_put b(w.shared.o.table, w.shared.keys.transact_item(i, 'B'));
  ddb::transact_write_request req;
  req.add(std::move(a)).add(std::move(b));
  ddb::error_code ec;
  ddb::diagnostics diag;
  auto t0 = steady::now();
  co_await w.client->execute(req, ec, diag);
  auto dt = steady::now() - t0;
  if (ec) {
    w.failed(ec, diag);
    co_return;
  }
  w.succeeded(dt, 2);
  for (auto& action : req.actions()) w.logged(std::get<ddb::transact_put>(action).item());
}

asio::awaitable<void> item_worker(worker_thread& w) {
  const auto op = w.shared.o.op;
  while (auto i = w.shared.take()) {
    if (op == op_kind::put || (op == op_kind::mixed && !w.shared.keys.mixed_is_get(*i)))
      co_await put_one(w, *i);
    else if (op == op_kind::get || op == op_kind::mixed)
      co_await get_one(w, *i);
    else
      co_await transact_one(w, *i);
  }
}

// --api callback: one chain per operation in flight, each completion handler starting the next
// operation (handlers never run inside the initiating call, so the stack does not grow).
struct callback_chain {
  worker_thread& w;
  ddb::diagnostics diag;

  void next() {
    auto i = w.shared.take();
    if (!i) return;
    auto t0 = steady::now();
    if (w.shared.o.op == op_kind::get) {
      w.client->async_get_item(ddb::get_item_request(w.shared.o.table, w.shared.keys.key(*i)), diag,
                               [this, t0](ddb::error_code ec, ddb::get_item_response r) {
                                 if (ec)
                                   w.failed(ec, diag);
                                 else if (!r.item)
                                   w.failed("NotFound");
                                 else
                                   w.succeeded(steady::now() - t0, 1);
                                 next();
                               });
    } else {
      w.client->async_put_item(ddb::put_item_request(w.shared.o.table, w.shared.keys.item(*i)), diag,
                               [this, t0, i = *i](ddb::error_code ec, ddb::put_item_response) {
                                 if (ec) {
                                   w.failed(ec, diag);
                                 } else {
                                   w.succeeded(steady::now() - t0, 1);
                                   if (w.shared.log) w.logged(w.shared.keys.item(i));
                                 }
                                 next();
                               });
    }
  }
};

// Query: read the partition with query_prefix, up to --items items a pass. After an error the
// pass goes on from the stream's cursor. Ops and latency are per Query page (the observer).
asio::awaitable<void> query_worker(worker_thread& w) {
  const options& o = w.shared.o;
  ddb::table::table t(*w.client, o.table, ddb::table::table_schema());
  ddb::table::partition_key<BenchQ> pk(std::to_string(o.seed));
  ddb::table::prefix_sort_key<Item> prefix;
  do {
    std::uint64_t got = 0;
    std::optional<ddb::table::cursor> from;
    bool ended = false; // the partition ended (or --items were read) without an error
    while (!ended && !w.shared.stopped()) {
      ddb::table::query_options qo;
      qo.limit(o.items - got);
      if (o.page_size) qo.page_size(static_cast<std::int32_t>(o.page_size));
      if (from) qo.start_from(*from);
      auto stream = t.query_prefix(pk, prefix, qo);
      ddb::error_code ec;
      ddb::diagnostics diag;
      while (!w.shared.stopped()) {
        auto it = co_await stream.next(ec, diag);
        if (ec) {
          w.failed(ec, diag);
          break;
        }
        if (!it) {
          ended = true;
          break;
        }
        ++got;
        ++w.stats.items;
      }
      if (ec) {
        // Failed pages count against --requests too, so a persistent error cannot loop forever.
        w.shared.pages.fetch_add(1, std::memory_order_relaxed);
        from = stream.cursor();
        if (!from) break;
      }
    }
    if (ended && got < o.items) w.shared.short_partition = true;
  } while (o.requests == 0 && !w.shared.stopped());
}

// ---------------------------------------------------------------------------------------------
// Setup (not timed): the table, and the query partition.

struct setup_failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string describe(const ddb::error_code& ec, const ddb::diagnostics& diag) {
  std::string s = error_name(ec, diag);
  if (!diag.message.empty()) s += ": " + diag.message;
  return s;
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::use_awaitable);
}

asio::awaitable<void> create_table(worker_thread& w) {
  const options& o = w.shared.o;
  auto req = ddb::table::make_create_table_request(o.table, ddb::table::table_schema());
  ddb::error_code ec;
  ddb::diagnostics diag;
  co_await w.client->execute(req, ec, diag);
  if (ec && ec != ddb::service_errc::resource_in_use)
    throw setup_failure("CreateTable " + o.table + ": " + describe(ec, diag));
  ddb::describe_table_request d(o.table);
  for (int n = 0;; ++n) {
    auto desc = co_await w.client->execute(d, ec, diag);
    if (!ec && desc.table_status == "ACTIVE") co_return;
    if (ec && ec != ddb::service_errc::resource_not_found)
      throw setup_failure("DescribeTable " + o.table + ": " + describe(ec, diag));
    if (n == 600) throw setup_failure("table " + o.table + " not ACTIVE after 5 minutes");
    co_await sleep_for(std::chrono::milliseconds(500));
  }
}

struct load_progress {
  std::atomic<std::uint64_t> next_chunk{0};
  std::uint64_t chunks = 0, done_items = 0;
  steady::time_point last_print = steady::now();
};

constexpr std::uint64_t load_chunk = 500; // items per batch_write call (20 requests of 25)

asio::awaitable<void> loader(worker_thread& w, load_progress& p) {
  const options& o = w.shared.o;
  auto schema = ddb::table::table_schema();
  ddb::table::batch_options bo;
  bo.timeout(std::chrono::seconds(120)).parallelism(o.batch_parallelism);
  for (std::uint64_t c; (c = p.next_chunk.fetch_add(1)) < p.chunks;) {
    std::vector<ddb::item> puts;
    std::uint64_t end = std::min(o.items, (c + 1) * load_chunk);
    for (std::uint64_t i = c * load_chunk; i < end; ++i) puts.push_back(w.shared.keys.query_item(i));
    std::string lines;
    if (w.shared.log)
      for (auto& it : puts) ddb::write_item_json(it, lines), lines += '\n';
    std::vector<ddb::table::item_key> deletes;
    std::uint64_t n = puts.size();
    std::string table = o.table;
    auto r = co_await ddb::table::batch_write(*w.client, std::move(table), std::move(puts),
                                              std::move(deletes), schema, bo);
    if (!r.complete()) throw setup_failure("--load: BatchWriteItem left items unprocessed for 2 minutes");
    if (w.shared.log) w.shared.log->append(lines);
    p.done_items += n;
    if (!o.quiet && steady::now() - p.last_print >= std::chrono::seconds(1)) {
      p.last_print = steady::now();
      std::fprintf(stderr, "ddb-bench: loading %llu/%llu items\n",
                   static_cast<unsigned long long>(p.done_items), static_cast<unsigned long long>(o.items));
    }
  }
}

void run_setup(worker_thread& w) {
  const options& o = w.shared.o;
  load_progress progress;
  progress.chunks = (o.items + load_chunk - 1) / load_chunk;
  std::exception_ptr failure;
  auto done = [&failure](std::exception_ptr e) {
    if (e && !failure) failure = e;
  };
  if (o.create_table) {
    asio::co_spawn(w.io, create_table(w), done);
    w.io.run();
    if (failure) std::rethrow_exception(failure);
  }
  if (o.load) {
    w.io.restart();
    const auto load_start = steady::now();
    std::size_t loaders = std::clamp<std::size_t>(w.concurrency, 1, 16);
    for (std::size_t k = 0; k < loaders; ++k) asio::co_spawn(w.io, loader(w, progress), done);
    w.io.run();
    if (failure) std::rethrow_exception(failure);
    const double seconds = std::chrono::duration<double>(steady::now() - load_start).count();
    if (!o.quiet)
      std::fprintf(stderr, "ddb-bench: loaded %llu items into BENCHQ#%llu in %.3f s (%.0f items/s)\n",
                   static_cast<unsigned long long>(o.items), static_cast<unsigned long long>(o.seed), seconds,
                   static_cast<double>(o.items) / seconds);
  }
  w.io.restart();
}

// ---------------------------------------------------------------------------------------------
// Results

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string num(double v, int decimals = 3) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

double cpu_seconds(const rusage& r) {
  auto tv = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return tv(r.ru_utime) + tv(r.ru_stime);
}

int run(const options& o) {
  std::unique_ptr<write_log> log;
  if (!o.log_writes.empty()) log = std::make_unique<write_log>(o.log_writes);
  shared_state shared{o};
  shared.log = log.get();

  std::vector<std::unique_ptr<worker_thread>> threads;
  for (std::uint64_t t = 0; t < o.threads; ++t) {
    std::size_t workers = o.concurrency / o.threads + (t < o.concurrency % o.threads ? 1 : 0);
    auto w = std::make_unique<worker_thread>(shared, workers);
    ddb::client_options co;
    co.endpoint = o.endpoint;
    co.region = o.region;
    co.ca_file = o.ca_file;
    co.pool_size = std::max<std::size_t>(workers, 1);
    if (o.max_attempts) co.retry.max_attempts = static_cast<unsigned>(o.max_attempts);
    worker_thread* self = w.get();
    co.on_operation = [self](const ddb::operation_event& e) { self->observe(e); };
    try {
      w->client = std::make_unique<ddb::client>(w->io.get_executor(), co);
    } catch (const ddb::error& e) {
      usage_error(std::string("cannot make a client: ") + e.what());
    }
    threads.push_back(std::move(w));
  }

  try {
    if (o.create_table || o.load) run_setup(*threads[0]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ddb-bench: setup failed: %s\n", e.what());
    return 1;
  }

  // The timed phase.
  for (auto& w : threads) w->stats.timed = true;
  std::vector<std::unique_ptr<callback_chain>> chains; // --api callback
  rusage ru0{}, ru1{};
  getrusage(RUSAGE_SELF, &ru0);
  auto t0 = steady::now();
  if (o.requests == 0)
    shared.deadline =
        t0 + std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(o.duration));
  for (auto& w : threads) {
    worker_thread* self = w.get();
    auto done = [self](std::exception_ptr e) {
      if (e && !self->failure) self->failure = e;
    };
    for (std::size_t k = 0; k < w->concurrency; ++k) {
      if (o.callbacks)
        chains.push_back(std::make_unique<callback_chain>(callback_chain{*self, {}}));
      else
        asio::co_spawn(w->io, o.op == op_kind::query ? query_worker(*self) : item_worker(*self), done);
    }
  }
  for (auto& chain : chains) chain->next();
  std::atomic<std::size_t> running{threads.size()};
  std::vector<std::thread> pool;
  for (auto& w : threads)
    pool.emplace_back([self = w.get(), &running] {
      try {
        self->io.run();
      } catch (...) {
        self->failure = std::current_exception();
      }
      self->flush_log();
      running.fetch_sub(1);
    });

  // Progress, once a second.
  auto next_print = t0 + std::chrono::seconds(1);
  std::uint64_t last_ops = 0;
  while (running.load() > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto now = steady::now();
    if (now < next_print || o.quiet) continue;
    std::uint64_t ops = 0, errors = 0;
    for (auto& w : threads) {
      ops += w->stats.progress_ops.load(std::memory_order_relaxed);
      errors += w->stats.progress_errors.load(std::memory_order_relaxed);
    }
    double elapsed = std::chrono::duration<double>(now - t0).count();
    std::fprintf(stderr, "ddb-bench: %6.1f s  %llu ops  %.0f ops/s  %llu errors\n", elapsed,
                 static_cast<unsigned long long>(ops), static_cast<double>(ops - last_ops),
                 static_cast<unsigned long long>(errors));
    last_ops = ops;
    next_print += std::chrono::seconds(1);
  }
  for (auto& t : pool) t.join();
  auto t1 = steady::now();
  getrusage(RUSAGE_SELF, &ru1);

  bool log_ok = !log || log->close();
  for (auto& w : threads)
    if (w->failure) try {
        std::rethrow_exception(w->failure);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "ddb-bench: a worker failed: %s\n", e.what());
        return 1;
      }

  // Merge and print.
  thread_stats total;
  for (auto& w : threads) {
    total.latency.merge(w->stats.latency);
    total.ops += w->stats.ops;
    total.items += w->stats.items;
    total.retries += w->stats.retries;
    total.response_bytes += w->stats.response_bytes;
    total.resends += w->stats.resends;
    total.ambiguous += w->stats.ambiguous;
    total.may_have_applied += w->stats.may_have_applied;
    for (auto& [name, n] : w->stats.errors) total.errors[name] += n;
  }
  double seconds = std::chrono::duration<double>(t1 - t0).count();
  double per_s = seconds > 0 ? 1 / seconds : 0;
  auto ms = [](std::uint64_t ns) { return num(static_cast<double>(ns) / 1e6); };
  std::uint64_t error_count = 0;
  std::string errors = "{";
  for (auto& [name, n] : total.errors) {
    if (errors.size() > 1) errors += ',';
    errors += json_string(name) + ":" + std::to_string(n);
    error_count += n;
  }
  errors += "}";
  std::string out =
      "{\"client\":\"ddb\",\"op\":" + json_string(o.op_name) +
      ",\"concurrency\":" + std::to_string(o.concurrency) + ",\"threads\":" + std::to_string(o.threads) +
      ",\"ops\":" + std::to_string(total.ops) + ",\"items\":" + std::to_string(total.items) +
      ",\"errors\":" + errors + ",\"retries\":" + std::to_string(total.retries) +
      ",\"resends\":" + std::to_string(total.resends) +
      ",\"ambiguous_attempts\":" + std::to_string(total.ambiguous) +
      ",\"may_have_applied\":" + std::to_string(total.may_have_applied) + ",\"seconds\":" + num(seconds) +
      ",\"ops_per_sec\":" + num(static_cast<double>(total.ops) * per_s, 1) +
      ",\"items_per_sec\":" + num(static_cast<double>(total.items) * per_s, 1) +
      ",\"bytes_per_sec\":" + num(static_cast<double>(total.response_bytes) * per_s, 1) +
      ",\"latency_ms\":{\"p50\":" + ms(total.latency.quantile(0.50)) +
      ",\"p90\":" + ms(total.latency.quantile(0.90)) + ",\"p99\":" + ms(total.latency.quantile(0.99)) +
      ",\"max\":" + ms(total.latency.max()) + "}" +
      ",\"cpu_seconds\":" + num(cpu_seconds(ru1) - cpu_seconds(ru0)) +
      ",\"peak_rss_mb\":" + num(static_cast<double>(ru1.ru_maxrss) / 1024.0, 1) + "}\n";
  std::fputs(out.c_str(), stdout);
  std::fflush(stdout);

  if (shared.short_partition.load() && !o.quiet)
    std::fprintf(stderr,
                 "ddb-bench: the query partition held fewer than --items %llu items (run with --load)\n",
                 static_cast<unsigned long long>(o.items));
  if (!log_ok) {
    std::fprintf(stderr, "ddb-bench: writing %s failed\n", o.log_writes.c_str());
    return 1;
  }
  return error_count > 0 ? 1 : 0;
}

} // namespace
} // namespace ddb_bench

int main(int argc, char** argv) {
  auto o = ddb_bench::parse_command_line(argc, argv);
  try {
    return ddb_bench::run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ddb-bench: %s\n", e.what());
    return 1;
  }
}
