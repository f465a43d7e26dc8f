#include "metrics.hpp"

#include <boost/asio/error.hpp>

#include <cstdio>

namespace svc {

namespace {

constexpr std::array<std::string_view, route_count> route_names = {
    "healthz", "metrics", "users",         "user",       "user_groups", "user_move",
    "groups",  "group",   "group_members", "membership", "unknown"};

// In the order of ddb::client_errc and ddb::service_errc (values from 1).
constexpr std::array<std::string_view, 14> client_errors = {
    "invalid_number", "number_out_of_range", "precision_loss",        "wrong_type",         "invalid_utf8",
    "empty_set",      "invalid_argument",    "crc32_mismatch",        "malformed_response", "connection_lost",
    "timeout",        "pool_exhausted",      "credentials_not_found", "invalid_config"};
constexpr std::array<std::string_view, 23> service_errors = {"unknown",
                                                             "conditional_check_failed",
                                                             "transaction_canceled",
                                                             "transaction_conflict",
                                                             "transaction_in_progress",
                                                             "idempotent_parameter_mismatch",
                                                             "provisioned_throughput_exceeded",
                                                             "throttling",
                                                             "request_limit_exceeded",
                                                             "resource_not_found",
                                                             "resource_in_use",
                                                             "limit_exceeded",
                                                             "item_collection_size_limit_exceeded",
                                                             "validation",
                                                             "serialization",
                                                             "access_denied",
                                                             "unrecognized_client",
                                                             "incomplete_signature",
                                                             "invalid_signature",
                                                             "missing_authentication_token",
                                                             "expired_token",
                                                             "internal_server_error",
                                                             "service_unavailable"};
constexpr std::size_t service_base = client_errors.size();
constexpr std::size_t canceled_slot = service_base + service_errors.size();
constexpr std::size_t transport_slot = canceled_slot + 1;
constexpr std::size_t other_slot = transport_slot + 1;
static_assert(other_slot + 1 == error_slots);

constexpr std::array<std::string_view, 5> status_classes = {"none", "2xx", "3xx", "4xx", "5xx"};

std::size_t operation_index(std::string_view op) noexcept {
  for (std::size_t i = 0; i + 1 < operation_names.size(); ++i)
    if (operation_names[i] == op) return i;
  return operation_names.size() - 1;
}

std::uint64_t load(const counter& c) noexcept { return c.load(std::memory_order_relaxed); }
void bump(counter& c, std::uint64_t n = 1) noexcept { c.fetch_add(n, std::memory_order_relaxed); }

// Prometheus floats: plain decimal, enough digits.
std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

struct summed_histogram {
  std::array<std::uint64_t, latency_buckets.size() + 1> buckets{};
  std::uint64_t count = 0, sum_ns = 0;
  void add(const histogram& h) {
    for (std::size_t i = 0; i < buckets.size(); ++i) buckets[i] += load(h.buckets[i]);
    count += load(h.count);
    sum_ns += load(h.sum_ns);
  }
};

void write_histogram(std::string& out, std::string_view name, const std::string& labels,
                     const summed_histogram& h) {
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < h.buckets.size(); ++i) {
    cumulative += h.buckets[i];
    std::string le = i < latency_buckets.size() ? num(latency_buckets[i]) : "+Inf";
    out.append(name).append("_bucket{").append(labels).append(",le=\"").append(le).append("\"} ");
    out.append(std::to_string(cumulative)).push_back('\n');
  }
  out.append(name)
      .append("_sum{")
      .append(labels)
      .append("} ")
      .append(num(double(h.sum_ns) / 1e9))
      .push_back('\n');
  out.append(name)
      .append("_count{")
      .append(labels)
      .append("} ")
      .append(std::to_string(h.count))
      .push_back('\n');
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).push_back('\n');
  out.append("# TYPE ").append(name).append(" ").append(type).push_back('\n');
}

void sample(std::string& out, std::string_view name, const std::string& labels, std::uint64_t v) {
  out.append(name).append("{").append(labels).append("} ").append(std::to_string(v)).push_back('\n');
}

} // namespace

std::string_view route_name(route r) noexcept { return route_names[static_cast<std::size_t>(r)]; }

std::size_t error_index(const ddb::error_code& ec) noexcept {
  auto v = static_cast<std::size_t>(ec.value());
  if (ec.category() == ddb::client_category())
    return v >= 1 && v <= client_errors.size() ? v - 1 : other_slot;
  if (ec.category() == ddb::service_category())
    return v >= 1 && v <= service_errors.size() ? service_base + v - 1 : other_slot;
  if (ec == boost::asio::error::operation_aborted) return canceled_slot;
  return transport_slot;
}

std::string_view error_label(std::size_t i) noexcept {
  if (i < service_base) return client_errors[i];
  if (i < canceled_slot) return service_errors[i - service_base];
  if (i == canceled_slot) return "canceled";
  if (i == transport_slot) return "transport";
  return "other";
}

void histogram::observe(std::chrono::nanoseconds d) noexcept {
  double s = std::chrono::duration<double>(d).count();
  std::size_t i = 0;
  while (i < latency_buckets.size() && s > latency_buckets[i]) ++i;
  bump(buckets[i]);
  bump(count);
  bump(sum_ns, static_cast<std::uint64_t>(d.count() < 0 ? 0 : d.count()));
}

void thread_metrics::record(const ddb::operation_event& e) noexcept {
  auto& m = operations[operation_index(e.operation)];
  bump(m.calls);
  bump(m.attempts, e.attempts);
  bump(m.retries, e.attempts > 1 ? e.attempts - 1 : 0); // 0 attempts: rejected before sending
  bump(m.request_bytes, e.request_bytes);
  bump(m.response_bytes, e.response_bytes);
  bump(m.capacity_milli_units, static_cast<std::uint64_t>(e.consumed_capacity * 1000 + 0.5));
  if (e.ec) bump(m.errors[error_index(e.ec)]);
  std::size_t cls = e.http_status >= 200 && e.http_status < 600 ? e.http_status / 100 - 1 : 0;
  bump(m.status_class[cls]);
  m.latency.observe(std::chrono::duration_cast<std::chrono::nanoseconds>(e.latency));
}

void thread_metrics::record_http(route r, unsigned status, std::size_t body_bytes,
                                 std::chrono::nanoseconds latency) noexcept {
  auto& m = routes[static_cast<std::size_t>(r)];
  std::size_t i = 0;
  while (i + 1 < http_statuses.size() && http_statuses[i] != status) ++i;
  bump(m.status[i]);
  bump(m.response_bytes, body_bytes);
  m.latency.observe(latency);
}

void thread_metrics::sample(const ddb::pool_stats& s) noexcept {
  pool_open.store(s.open, std::memory_order_relaxed);
  pool_idle.store(s.idle, std::memory_order_relaxed);
  pool_opening.store(s.opening, std::memory_order_relaxed);
  pool_waiting.store(s.waiting, std::memory_order_relaxed);
}

std::string render_prometheus(const std::vector<std::unique_ptr<thread_metrics>>& threads) {
  std::string out;
  out.reserve(16 * 1024);

  // DynamoDB operations, summed over threads; operations never called are left out.
  struct op_sum {
    std::uint64_t calls = 0, attempts = 0, retries = 0, request_bytes = 0, response_bytes = 0,
                  capacity_milli = 0;
    std::array<std::uint64_t, error_slots> errors{};
    std::array<std::uint64_t, 5> status_class{};
    summed_histogram latency;
  };
  std::array<op_sum, operation_names.size()> ops{};
  for (auto& t : threads)
    for (std::size_t i = 0; i < ops.size(); ++i) {
      auto& m = t->operations[i];
      auto& s = ops[i];
      s.calls += load(m.calls);
      s.attempts += load(m.attempts);
      s.retries += load(m.retries);
      s.request_bytes += load(m.request_bytes);
      s.response_bytes += load(m.response_bytes);
      s.capacity_milli += load(m.capacity_milli_units);
      for (std::size_t e = 0; e < error_slots; ++e) s.errors[e] += load(m.errors[e]);
      for (std::size_t c = 0; c < s.status_class.size(); ++c) s.status_class[c] += load(m.status_class[c]);
      s.latency.add(m.latency);
    }
  auto op_label = [](std::size_t i) { return "operation=\"" + std::string(operation_names[i]) + "\""; };
  auto each_op = [&](auto&& f) {
    for (std::size_t i = 0; i < ops.size(); ++i)
      if (ops[i].calls) f(i, ops[i], op_label(i));
  };

  header(out, "ddb_operations_total", "counter", "DynamoDB operations finished (success or final failure).");
  each_op([&](std::size_t, const op_sum& s, const std::string& l) {
    sample(out, "ddb_operations_total", l, s.calls);
  });
  header(out, "ddb_operation_errors_total", "counter", "DynamoDB operations that failed, by final error.");
  each_op([&](std::size_t, const op_sum& s, const std::string& l) {
    for (std::size_t e = 0; e < error_slots; ++e)
      if (s.errors[e])
        sample(out, "ddb_operation_errors_total", l + ",error=\"" + std::string(error_label(e)) + "\"",
               s.errors[e]);
  });
  header(out, "ddb_operation_attempts_total", "counter",
         "HTTP attempts of DynamoDB operations, retries included.");
  each_op([&](std::size_t, const op_sum& s, const std::string& l) {
    sample(out, "ddb_operation_attempts_total", l, s.attempts);
  });
  header(out, "ddb_operation_retries_total", "counter", "Retried attempts (attempts beyond the first).");
  each_op([&](std::size_t, const op_sum& s, const std::string& l) {
    sample(out, "ddb_operation_retries_total", l, s.retries);
  });
  header(out, "ddb_operation_responses_total", "counter",
         "DynamoDB operations by HTTP status class of their last response (none: no response).");
  each_op([&](std::size_t, const op_sum& s, const std::string& l) {
    for (std::size_t c = 0; c < s.status_class.size(); ++c)
      if (s.status_class[c])
        sample(out, "ddb_operation_responses_total", l + ",status=\"" + std::string(status_classes[c]) + "\"",
               s.status_class[c]);
  });
  header(out, "ddb_operation_request_bytes_total", "counter", "Request body bytes sent, all attempts.");
  each_op([&](std::size_t, const op_sum& s, const std::string& l) {
    sample(out, "ddb_operation_request_bytes_total", l, s.request_bytes);
  });
  header(out, "ddb_operation_response_bytes_total", "counter", "Response body bytes received, all attempts.");
  each_op([&](std::size_t, const op_sum& s, const std::string& l) {
    sample(out, "ddb_operation_response_bytes_total", l, s.response_bytes);
  });
  header(
      out, "ddb_operation_consumed_capacity_units_total", "counter",
      "Capacity units DynamoDB reported consumed (pages, batch rounds and retried transactions each count).");
  each_op([&](std::size_t, const op_sum& s, const std::string& l) {
    out.append("ddb_operation_consumed_capacity_units_total{").append(l).append("} ");
    out.append(std::to_string(s.capacity_milli / 1000)).push_back('.');
    std::string frac = std::to_string(1000 + s.capacity_milli % 1000).substr(1);
    out.append(frac).push_back('\n');
  });
  header(out, "ddb_operation_duration_seconds", "histogram",
         "DynamoDB operation latency, retries and backoff included.");
  each_op([&](std::size_t, const op_sum& s, const std::string& l) {
    write_histogram(out, "ddb_operation_duration_seconds", l, s.latency);
  });

  // The connection pools: one client per thread, so one gauge per thread.
  struct gauge {
    std::string_view name, help;
    counter thread_metrics::*field;
  };
  const gauge gauges[] = {
      {"ddb_pool_open_connections", "Connections to DynamoDB, busy or idle.", &thread_metrics::pool_open},
      {"ddb_pool_idle_connections", "Connections to DynamoDB that are free.", &thread_metrics::pool_idle},
      {"ddb_pool_opening_connections", "Connections to DynamoDB being made.", &thread_metrics::pool_opening},
      {"ddb_pool_waiting_callers", "Operations waiting for a free connection.",
       &thread_metrics::pool_waiting},
  };
  for (auto& g : gauges) {
    header(out, g.name, "gauge", g.help);
    for (std::size_t t = 0; t < threads.size(); ++t)
      sample(out, g.name, "thread=\"" + std::to_string(t) + "\"", load((*threads[t]).*g.field));
  }

  // The HTTP side.
  header(out, "http_requests_total", "counter", "HTTP requests answered, by route and status.");
  std::array<summed_histogram, route_count> route_latency{};
  std::array<std::uint64_t, route_count> route_bytes{};
  for (std::size_t r = 0; r < route_count; ++r) {
    std::array<std::uint64_t, http_statuses.size()> status{};
    for (auto& t : threads) {
      auto& m = t->routes[r];
      for (std::size_t s = 0; s < status.size(); ++s) status[s] += load(m.status[s]);
      route_bytes[r] += load(m.response_bytes);
      route_latency[r].add(m.latency);
    }
    for (std::size_t s = 0; s < status.size(); ++s)
      if (status[s])
        sample(out, "http_requests_total",
               "route=\"" + std::string(route_names[r]) + "\",status=\"" +
                   (http_statuses[s] ? std::to_string(http_statuses[s]) : std::string("other")) + "\"",
               status[s]);
  }
  header(out, "http_response_bytes_total", "counter", "HTTP response body bytes, by route.");
  for (std::size_t r = 0; r < route_count; ++r)
    if (route_latency[r].count)
      sample(out, "http_response_bytes_total", "route=\"" + std::string(route_names[r]) + "\"",
             route_bytes[r]);
  header(out, "http_request_duration_seconds", "histogram",
         "HTTP request latency, from parsed request to response.");
  for (std::size_t r = 0; r < route_count; ++r)
    if (route_latency[r].count)
      write_histogram(out, "http_request_duration_seconds", "route=\"" + std::string(route_names[r]) + "\"",
                      route_latency[r]);
  std::uint64_t accepted = 0;
  std::int64_t open = 0;
  for (auto& t : threads) {
    accepted += load(t->connections_accepted);
    open += t->connections_open.load(std::memory_order_relaxed);
  }
  header(out, "http_connections_accepted_total", "counter", "HTTP connections accepted.");
  out.append("http_connections_accepted_total ").append(std::to_string(accepted)).push_back('\n');
  header(out, "http_connections_open", "gauge", "HTTP connections open now.");
  out.append("http_connections_open ").append(std::to_string(open)).push_back('\n');
  return out;
}

} // namespace svc
