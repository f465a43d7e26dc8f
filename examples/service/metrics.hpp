// Counters and gauges of the service, rendered at GET /metrics in Prometheus text format.
//
// Each worker thread owns one thread_metrics and is its only writer (relaxed atomics: no lock and
// no contended cache line on the request path); /metrics, on any thread, sums them all.
#pragma once

#include <ddb/client.hpp>
#include <ddb/observer.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace svc {

/// The routes of the service (metric labels; `unknown` for 404s and 405s).
enum class route : std::uint8_t {
  healthz,
  metrics,
  users,         // POST /users
  user,          // GET /users/{u}
  user_groups,   // GET /users/{u}/groups
  user_move,     // POST /users/{u}/move
  groups,        // POST /groups
  group,         // GET /groups/{g}
  group_members, // GET /groups/{g}/members
  membership,    // PUT|DELETE /groups/{g}/members/{u}
  unknown,
};
inline constexpr std::size_t route_count = 11;
std::string_view route_name(route r) noexcept;

/// Latency buckets (seconds), shared by DynamoDB operations and HTTP requests.
inline constexpr std::array<double, 14> latency_buckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                           0.1,    0.25,  0.5,    1,     2.5,  5,     10};

using counter = std::atomic<std::uint64_t>;

struct histogram {
  std::array<counter, latency_buckets.size() + 1> buckets{}; // per bucket (not cumulative); last: +Inf
  counter count{0};
  counter sum_ns{0};
  void observe(std::chrono::nanoseconds d) noexcept;
};

/// DynamoDB operations ddb knows by name; anything else counts as "other".
inline constexpr std::array<std::string_view, 16> operation_names = {
    "GetItem",     "PutItem",       "UpdateItem",     "DeleteItem",       "Query",
    "Scan",        "BatchGetItem",  "BatchWriteItem", "TransactGetItems", "TransactWriteItems",
    "CreateTable", "DescribeTable", "DeleteTable",    "UpdateTimeToLive", "ListTables",
    "other"};

/// Error labels: client_errc and service_errc by name, then asio's abort and "transport".
std::size_t error_index(const ddb::error_code& ec) noexcept;
std::string_view error_label(std::size_t index) noexcept;
inline constexpr std::size_t error_slots = 40;

/// HTTP statuses the service answers with, and one slot for anything else.
inline constexpr std::array<unsigned, 13> http_statuses = {200, 201, 204, 400, 404, 405, 409,
                                                           413, 500, 502, 503, 504, 0};

struct operation_metrics {
  counter calls{0};
  counter attempts{0};
  counter retries{0};
  counter request_bytes{0};
  counter response_bytes{0};
  counter capacity_milli_units{0}; // consumed capacity units x 1000 (atomics of integers)
  std::array<counter, error_slots> errors{};
  std::array<counter, 5> status_class{}; // none, 2xx, 3xx, 4xx, 5xx (of DynamoDB's last response)
  histogram latency;
};

struct route_metrics {
  std::array<counter, http_statuses.size()> status{};
  counter response_bytes{0};
  histogram latency;
};

class thread_metrics {
public:
  std::array<operation_metrics, operation_names.size()> operations;
  std::array<route_metrics, route_count> routes;
  counter connections_accepted{0};
  std::atomic<std::int64_t> connections_open{0};
  // The client's pool, sampled by the owning thread (client::stats() is not thread-safe).
  counter pool_open{0}, pool_idle{0}, pool_opening{0}, pool_waiting{0};

  /// The client's on_operation hook.
  void record(const ddb::operation_event& e) noexcept;
  void record_http(route r, unsigned status, std::size_t body_bytes,
                   std::chrono::nanoseconds latency) noexcept;
  void sample(const ddb::pool_stats& s) noexcept;
};

/// The Prometheus text exposition (version 0.0.4) of all threads: counters summed, pool gauges
/// per thread (label `thread`).
std::string render_prometheus(const std::vector<std::unique_ptr<thread_metrics>>& threads);

} // namespace svc
