// Batches of the single-table layer: the pure bookkeeping (plans) and the request loops.
#include "random.hpp"

#include <ddb/error.hpp>
#include <ddb/table/batch.hpp>
#include <ddb/table/strip.hpp>
#include <ddb/table/table.hpp>      // validate_item
#include <ddb/table/table_name.hpp> // is_valid_table_name

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <exception>
#include <limits>
#include <random>

namespace ddb::table {
namespace detail {

void check_key(const item_key& k, const char* what) {
  if (k.partition().empty() || k.sort().empty())
    throw ddb::error(client_errc::invalid_argument, std::string(what) + ": an empty key value");
  if (k.partition().size() > max_partition_key_bytes || k.sort().size() > max_sort_key_bytes)
    throw ddb::error(client_errc::invalid_argument, std::string(what) + ": the key (" + k.partition() + ", " +
                                                        k.sort() + ") is over DynamoDB's size limit");
  if (!is_valid_utf8(k.partition()) || !is_valid_utf8(k.sort()))
    throw ddb::error(client_errc::invalid_utf8, std::string(what) + ": a key is not valid UTF-8");
}

void check_table(const std::string& table, const char* what) {
  if (!is_valid_table_name(table))
    throw ddb::error(client_errc::invalid_argument,
                     std::string(what) + ": table name '" + table + "' is not 3 to 255 of a-z A-Z 0-9 _ - .");
}

merged_keys merge_keys(const std::vector<item_key>& keys) {
  merged_keys out;
  out.of_input.reserve(keys.size());
  std::map<item_key, std::size_t> seen;
  for (auto& k : keys) {
    auto [it, inserted] = seen.try_emplace(k, out.unique.size());
    if (inserted) out.unique.push_back(k);
    out.of_input.push_back(it->second);
  }
  return out;
}

retry_options unprocessed_retry_options(const batch_options& options) {
  retry_options r;
  r.max_attempts = std::numeric_limits<unsigned>::max(); // the deadline ends it
  r.base_delay = options.base_delay();
  r.throttling_base_delay = options.base_delay();
  r.max_backoff = options.max_backoff();
  r.max_retry_after_extra = std::chrono::milliseconds(0);
  return r;
}

error_code unprocessed_error() noexcept {
  return make_error_code(service_errc::provisioned_throughput_exceeded);
}

double jitter01() { return ddb::detail::random_unit(); }

boost::asio::awaitable<void> sleep_for(std::chrono::nanoseconds d) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  timer.expires_after(d);
  co_await timer.async_wait(boost::asio::use_awaitable);
}

// ---- batch_get_plan ---------------------------------------------------------------------------

batch_get_plan::batch_get_plan(const std::vector<item_key>& keys, key_config cfg, std::size_t max_keys)
    : keys_(merge_keys(keys)), cfg_(std::move(cfg)), max_keys_(max_keys == 0 ? 1 : max_keys) {
  for (auto& k : keys_.unique) check_key(k, "batch_get");
  state_.assign(keys_.unique.size(), state::pending);
  items_.resize(keys_.unique.size());
  for (std::size_t u = 0; u < keys_.unique.size(); ++u) {
    index_.emplace(keys_.unique[u], u);
    pending_.push_back(u);
  }
}

batch_get_request batch_get_plan::next_request(const std::string& table, const batch_options& options,
                                               ticket& sent) {
  batch_get_table t(table);
  t.consistent_read(options.consistent_read());
  if (!options.attributes().empty()) {
    std::string projection;
    std::size_t n = 0;
    auto add = [&](const std::string& attribute) {
      std::string placeholder = "#a" + std::to_string(n++);
      if (!projection.empty()) projection += ", ";
      projection += placeholder;
      t.name(placeholder, attribute);
    };
    for (auto& a : options.attributes())
      if (a != cfg_.partition_key() && a != cfg_.sort_key()) add(a);
    add(cfg_.partition_key());
    add(cfg_.sort_key());
    t.projection(std::move(projection));
  }
  sent.clear();
  while (!pending_.empty() && sent.size() < max_keys_) {
    auto u = pending_.front();
    pending_.pop_front();
    state_[u] = state::in_flight;
    sent.push_back(u);
    t.key(keys_.unique[u].to_item(cfg_));
  }
  batch_get_request req;
  req.add(std::move(t));
  return req;
}

std::size_t batch_get_plan::apply(batch_get_item_response response, const ticket& sent) {
  for (auto& [table, items] : response.responses)
    for (auto& item : items) {
      auto k = item_key::of(item, cfg_);
      if (!k) continue;
      auto it = index_.find(*k);
      if (it == index_.end() || state_[it->second] != state::in_flight) continue;
      state_[it->second] = state::found;
      items_[it->second] = std::move(item);
    }
  std::vector<std::size_t> again;
  for (auto& [table, k] : response.unprocessed_keys)
    for (auto& key : k.keys) {
      auto ik = item_key::of(key, cfg_);
      if (!ik) continue;
      auto it = index_.find(*ik);
      if (it == index_.end() || state_[it->second] != state::in_flight) continue;
      state_[it->second] = state::pending;
      again.push_back(it->second);
    }
  for (auto u : sent)
    if (state_[u] == state::in_flight) state_[u] = state::missing;
  // Unprocessed keys go first, in the order DynamoDB gave them.
  for (auto it = again.rbegin(); it != again.rend(); ++it) pending_.push_front(*it);
  return again.size();
}

void batch_get_plan::requeue(const ticket& sent) {
  for (auto it = sent.rbegin(); it != sent.rend(); ++it) {
    if (state_[*it] != state::in_flight) continue;
    state_[*it] = state::pending;
    pending_.push_front(*it);
  }
}

void batch_get_plan::give_up() {
  requeue_in_flight();
  for (auto u : pending_) state_[u] = state::unprocessed;
  pending_.clear();
}

// ---- batch_write_plan -------------------------------------------------------------------------

batch_write_plan::batch_write_plan(std::vector<ddb::item> puts, const std::vector<item_key>& deletes,
                                   key_config cfg, std::size_t max_requests)
    : puts_(std::move(puts)), cfg_(std::move(cfg)), max_requests_(max_requests == 0 ? 1 : max_requests) {
  auto conflict = [](const item_key& k) {
    return ddb::error(client_errc::invalid_argument, "batch_write: the key (" + k.partition() + ", " +
                                                         k.sort() + ") is both put and deleted");
  };
  for (std::size_t i = 0; i < puts_.size(); ++i) {
    auto k = item_key::of(puts_[i], cfg_);
    if (!k)
      throw ddb::error(client_errc::invalid_argument, "batch_write: put #" + std::to_string(i) +
                                                          " lacks string " + cfg_.partition_key() + "/" +
                                                          cfg_.sort_key() + " attributes");
    check_key(*k, "batch_write");
    std::string why;
    if (auto ec = validate_item(puts_[i], why))
      throw ddb::error(ec, "batch_write: put #" + std::to_string(i) + ": " + why);
    auto [it, inserted] = index_.try_emplace(*k, slots_.size());
    if (inserted)
      slots_.push_back(slot{std::move(*k), true, i});
    else if (slots_[it->second].put)
      slots_[it->second].input = i; // the last put of a key wins
    else
      throw conflict(*k);
  }
  for (std::size_t i = 0; i < deletes.size(); ++i) {
    check_key(deletes[i], "batch_write");
    auto [it, inserted] = index_.try_emplace(deletes[i], slots_.size());
    if (inserted)
      slots_.push_back(slot{deletes[i], false, i});
    else if (slots_[it->second].put)
      throw conflict(deletes[i]);
    // a second delete of a key is the same delete
  }
  for (std::size_t s = 0; s < slots_.size(); ++s) pending_.push_back(s);
}

batch_write_request batch_write_plan::next_request(const std::string& table, ticket& sent) {
  batch_write_request req;
  sent.clear();
  while (!pending_.empty() && sent.size() < max_requests_) {
    auto s = pending_.front();
    pending_.pop_front();
    sent.push_back(s);
    if (slots_[s].put)
      req.put_request(table, puts_[slots_[s].input]);
    else
      req.delete_request(table, slots_[s].key.to_item(cfg_));
  }
  return req;
}

std::size_t batch_write_plan::apply(const batch_write_item_response& response, const ticket& sent) {
  std::vector<std::size_t> again;
  auto requeue = [&](const ddb::item& item, bool put) {
    auto k = item_key::of(item, cfg_);
    if (!k) return;
    auto it = index_.find(*k);
    if (it == index_.end() || slots_[it->second].put != put) return;
    if (std::find(sent.begin(), sent.end(), it->second) == sent.end()) return;
    if (std::find(again.begin(), again.end(), it->second) == again.end()) again.push_back(it->second);
  };
  for (auto& [table, requests] : response.unprocessed_items)
    for (auto& r : requests) {
      if (auto p = std::get_if<put_request>(&r))
        requeue(p->item, true);
      else
        requeue(std::get<delete_request>(r).key, false);
    }
  for (auto it = again.rbegin(); it != again.rend(); ++it) pending_.push_front(*it);
  return again.size();
}

void batch_write_plan::requeue(const ticket& sent) {
  for (auto it = sent.rbegin(); it != sent.rend(); ++it) pending_.push_front(*it);
}

void batch_write_plan::give_up() {
  requeue_in_flight();
  for (auto s : pending_)
    (slots_[s].put ? unprocessed_puts_ : unprocessed_deletes_).push_back(slots_[s].input);
  pending_.clear();
}

// ---- the loops --------------------------------------------------------------------------------

namespace {

// What the workers of one batch call share (they run on one executor: no locks).
struct batch_run {
  batch_run(const batch_options& o, call_info c)
      : options(unprocessed_retry_options(o)), retry(options),
        deadline(retry_state::clock::now() + o.timeout()), call(c) {}
  retry_options options;
  retry_state retry; // the backoff grows only while DynamoDB keeps leaving work
  retry_state::clock::time_point deadline;
  bool stop = false;        // the deadline passed or a request failed: no new requests
  std::exception_ptr error; // the first failure, rethrown when every worker is done
  call_info call;           // what the requests' operation_events name
  double consumed = 0;      // CapacityUnits of the responses so far
};

// Sends `req` as a request of the run's call; a failure is thrown with the capacity so far.
template <class Request>
boost::asio::awaitable<response_t<Request>> send(ddb::client& c, const Request& req, batch_run& run) {
  error_code ec;
  diagnostics diag;
  auto response = co_await c.execute(req, ec, diag, run.call);
  if (ec) {
    diag.consumed_capacity = run.consumed;
    throw ddb::error(ec, std::move(diag));
  }
  run.consumed += capacity_units(response.consumed_capacity);
  co_return response;
}

// One request of a plan: sent, and its response applied. Returns the work left unprocessed.
boost::asio::awaitable<std::size_t> send_one(ddb::client& c, const std::string& table, const batch_options& o,
                                             batch_get_plan& plan, batch_get_plan::ticket& t,
                                             batch_run& run) {
  auto req = plan.next_request(table, o, t);
  auto response = co_await send(c, req, run);
  co_return plan.apply(std::move(response), t);
}
boost::asio::awaitable<std::size_t> send_one(ddb::client& c, const std::string& table, const batch_options&,
                                             batch_write_plan& plan, batch_write_plan::ticket& t,
                                             batch_run& run) {
  auto req = plan.next_request(table, t);
  auto response = co_await send(c, req, run);
  co_return plan.apply(response, t);
}

// Takes requests from the plan until there are none (a worker that gets work back as
// unprocessed sends it again itself, so none is stranded when others have stopped).
template <class Plan>
boost::asio::awaitable<void> batch_worker(ddb::client& c, const std::string& table,
                                          const batch_options& options, Plan& plan, batch_run& run) {
  while (!run.stop && plan.has_pending()) {
    typename Plan::ticket t;
    std::size_t left = 0;
    bool failed = false;
    try {
      left = co_await send_one(c, table, options, plan, t, run);
    } catch (...) {
      plan.requeue(t);
      if (!run.error) run.error = std::current_exception();
      failed = true;
    }
    if (failed) {
      run.stop = true;
      co_return;
    }
    if (left == 0) {
      run.retry = retry_state(run.options);
      continue;
    }
    auto delay =
        run.retry.next_delay(unprocessed_error(), 0, -1, jitter01(), retry_state::clock::now(), run.deadline);
    if (!delay) {
      run.stop = true;
      co_return;
    }
    co_await sleep_for(*delay);
  }
}

// Up to options.parallelism() workers over one plan; then what is still pending is unprocessed.
// The first failure is rethrown once every worker has finished its request in flight.
template <class Plan>
boost::asio::awaitable<double> run_batch(ddb::client& c, const std::string& table,
                                         const batch_options& options, Plan& plan, std::size_t requests,
                                         std::string_view call) {
  batch_run run(options, call_info::make(call));
  const std::size_t workers = std::min<std::size_t>(options.parallelism(), requests);
  if (workers <= 1) {
    co_await batch_worker(c, table, options, plan, run);
  } else {
    auto ex = co_await boost::asio::this_coro::executor;
    using op = decltype(boost::asio::co_spawn(ex, batch_worker(c, table, options, plan, run),
                                              boost::asio::deferred));
    std::vector<op> ops;
    ops.reserve(workers);
    for (std::size_t i = 0; i < workers; ++i)
      ops.push_back(
          boost::asio::co_spawn(ex, batch_worker(c, table, options, plan, run), boost::asio::deferred));
    auto [order, errors] =
        co_await boost::asio::experimental::make_parallel_group(std::move(ops))
            .async_wait(boost::asio::experimental::wait_for_all(), boost::asio::use_awaitable);
    for (auto& e : errors)
      if (e && !run.error) run.error = e;
  }
  plan.give_up();
  if (run.error) std::rethrow_exception(run.error);
  co_return run.consumed;
}

std::size_t requests_for(std::size_t work, std::size_t per_request) {
  return (work + per_request - 1) / per_request;
}

} // namespace

boost::asio::awaitable<stored_batch_get> batch_get_stored(ddb::client& c, std::string table,
                                                          std::vector<item_key> keys, table_schema schema,
                                                          batch_options options) {
  check_table(table, "batch_get");
  batch_get_plan plan(keys, schema.keys());
  const double consumed =
      co_await run_batch(c, table, options, plan,
                         requests_for(plan.keys().unique.size(), batch_get_request::max_keys), "batch_get");
  stored_batch_get out;
  out.consumed_capacity = consumed;
  const std::size_t n = plan.keys().unique.size();
  out.items.resize(n);
  out.processed.assign(n, false);
  for (std::size_t u = 0; u < n; ++u) {
    auto st = plan.state_of(u);
    out.processed[u] = st == batch_get_plan::state::found || st == batch_get_plan::state::missing;
    if (st == batch_get_plan::state::found) {
      out.items[u] = plan.take_item(u);
      strip_prefixes(*out.items[u], schema);
    }
  }
  out.keys = plan.keys();
  co_return out;
}

boost::asio::awaitable<stored_batch_write> batch_write_stored(ddb::client& c, std::string table,
                                                              std::vector<ddb::item> puts,
                                                              std::vector<item_key> deletes,
                                                              table_schema schema, batch_options options) {
  check_table(table, "batch_write");
  batch_write_plan plan(std::move(puts), deletes, schema.keys()); // validates before any request
  const double consumed = co_await run_batch(
      c, table, options, plan, requests_for(plan.size(), batch_write_request::max_requests), "batch_write");
  stored_batch_write out;
  out.consumed_capacity = consumed;
  out.unprocessed_puts = plan.unprocessed_puts();
  out.unprocessed_deletes = plan.unprocessed_deletes();
  co_return out;
}

} // namespace detail

boost::asio::awaitable<batch_write_result<item_key>> batch_write(ddb::client& c, std::string table,
                                                                 std::vector<ddb::item> puts,
                                                                 std::vector<item_key> deletes,
                                                                 table_schema schema, batch_options options) {
  auto cfg = schema.keys();
  auto r = co_await detail::batch_write_stored(c, std::move(table), puts, deletes, std::move(schema),
                                               std::move(options));
  batch_write_result<item_key> out;
  for (auto i : r.unprocessed_puts) out.add_put(*item_key::of(puts[i], cfg), std::move(puts[i]));
  for (auto i : r.unprocessed_deletes) out.add_delete(std::move(deletes[i]));
  out.set_consumed_capacity(r.consumed_capacity);
  co_return out;
}

} // namespace ddb::table
