// Transactions of the single-table layer: validation, requests, cancellation reasons, retries.
#include "random.hpp"

#include <ddb/table/batch.hpp> // merge_keys, jitter01, sleep_for
#include <ddb/table/strip.hpp>
#include <ddb/table/table.hpp> // validate_item
#include <ddb/table/transact.hpp>

#include <limits>
#include <map>
#include <random>
#include <set>

namespace ddb::table::detail {
namespace {

std::string describe(const item_key& k) { return "(" + k.partition() + ", " + k.sort() + ")"; }

template <class Action, class Arg>
Action& with_common(Action& action, const Arg& arg) {
  for (auto& [p, a] : arg.names()) action.name(p, a);
  for (auto& [p, v] : arg.values()) action.value(p, v);
  if (arg.return_old_on_failure()) action.return_values_on_condition_check_failure(return_value::all_old);
  return action;
}

template <class Action, class Arg>
void set_condition(Action& action, const Arg& arg) {
  if (!arg.condition().empty()) action.condition(arg.condition());
}

/// The placeholder insert_arg's condition (and update_arg's must_exist) names the partition key
/// attribute with.
constexpr const char* insert_placeholder = "#ddb_insert_pk";

bool conflict_code(const std::string& code) noexcept { return code == "TransactionConflict"; }

} // namespace

void validate(const transaction& tx, std::size_t max_actions) {
  if (tx.size() == 0) throw ddb::error(client_errc::invalid_argument, "transact_write: no actions");
  if (tx.size() > max_actions)
    throw ddb::error(client_errc::invalid_argument, "transact_write: " + std::to_string(tx.size()) +
                                                        " actions, DynamoDB takes at most " +
                                                        std::to_string(max_actions));
  std::map<item_key, std::size_t> seen;
  for (std::size_t i = 0; i < tx.size(); ++i) {
    const auto& arg = tx.args()[i];
    auto [it, inserted] = seen.try_emplace(key_of(arg), i);
    if (!inserted)
      throw ddb::error(client_errc::invalid_argument,
                       "transact_write: actions " + std::to_string(it->second) + " and " + std::to_string(i) +
                           " are on one item " + describe(key_of(arg)));
    check_key(key_of(arg), "transact_write");
    const std::string& malformed =
        std::visit([](auto& a) -> const std::string& { return a.expression_error(); }, arg);
    if (!malformed.empty())
      throw ddb::error(client_errc::invalid_expression,
                       "transact_write: action " + std::to_string(i) + ": " + malformed);
    const ddb::item* attributes = nullptr;
    if (auto a = std::get_if<insert_arg>(&arg)) attributes = &a->attributes();
    if (auto p = std::get_if<put_arg>(&arg)) attributes = &p->attributes();
    if (attributes) {
      std::string why;
      // With the key under the default names: validate_item() needs the whole item's size.
      ddb::item whole = *attributes;
      whole.try_emplace("PK", ddb::value(key_of(arg).partition()));
      whole.try_emplace("SK", ddb::value(key_of(arg).sort()));
      if (auto ec = validate_item(whole, why))
        throw ddb::error(ec, "transact_write: action " + std::to_string(i) + ": " + why);
    }
    if (auto u = std::get_if<update_arg>(&arg); u && u->update().empty())
      throw ddb::error(client_errc::invalid_argument,
                       "transact_write: action " + std::to_string(i) + " has no update expression");
    if (auto cc = std::get_if<condition_check_arg>(&arg); cc && cc->condition().empty())
      throw ddb::error(client_errc::invalid_argument,
                       "transact_write: action " + std::to_string(i) + " has no condition");
  }
}

transact_write_request make_transact_write_request(const std::string& table, const transaction& tx,
                                                   const key_config& cfg, std::string token) {
  transact_write_request req;
  for (const auto& arg : tx.args()) {
    if (auto a = std::get_if<insert_arg>(&arg)) {
      transact_put put(table, with_key(a->attributes(), a->key(), cfg));
      with_common(put, *a);
      std::string condition = std::string("attribute_not_exists(") + insert_placeholder + ")";
      if (!a->condition().empty()) condition += " AND (" + a->condition() + ")";
      put.condition(std::move(condition)).name(insert_placeholder, cfg.partition_key());
      req.add(std::move(put));
    } else if (auto p = std::get_if<put_arg>(&arg)) {
      transact_put put(table, with_key(p->attributes(), p->key(), cfg));
      set_condition(with_common(put, *p), *p);
      req.add(std::move(put));
    } else if (auto u = std::get_if<update_arg>(&arg)) {
      transact_update update(table, u->key().to_item(cfg));
      update.update(u->update());
      with_common(update, *u);
      if (u->must_exist()) {
        std::string condition = std::string("attribute_exists(") + insert_placeholder + ")";
        if (!u->condition().empty()) condition += " AND (" + u->condition() + ")";
        update.condition(std::move(condition)).name(insert_placeholder, cfg.partition_key());
      } else {
        set_condition(update, *u);
      }
      req.add(std::move(update));
    } else if (auto d = std::get_if<delete_arg>(&arg)) {
      transact_delete del(table, d->key().to_item(cfg));
      set_condition(with_common(del, *d), *d);
      req.add(std::move(del));
    } else {
      auto& c = std::get<condition_check_arg>(arg);
      transact_condition_check check(table, c.key().to_item(cfg), c.condition());
      with_common(check, c);
      req.add(std::move(check));
    }
  }
  req.client_request_token(std::move(token));
  return req;
}

std::vector<failed_action> failed_actions(const transaction& tx,
                                          const std::vector<cancellation_reason>& reasons) {
  std::vector<failed_action> out;
  for (std::size_t i = 0; i < reasons.size() && i < tx.size(); ++i)
    if (reasons[i].failed())
      out.push_back(
          failed_action{i, key_of(tx.args()[i]), reasons[i].code, reasons[i].message, reasons[i].item});
  return out;
}

bool conflict_only(const std::vector<cancellation_reason>& reasons) noexcept {
  bool any = false;
  for (auto& r : reasons) {
    if (!r.failed()) continue;
    if (!conflict_code(r.code)) return false;
    any = true;
  }
  return any;
}

retry_options conflict_retry_options(const transact_options& options) {
  retry_options r;
  r.max_attempts = std::numeric_limits<unsigned>::max();
  r.base_delay = options.base_delay();
  r.throttling_base_delay = options.base_delay();
  r.max_backoff = options.max_backoff();
  r.max_retry_after_extra = std::chrono::milliseconds(0);
  return r;
}

std::string make_uuid_v4(std::uint64_t high, std::uint64_t low) { return ddb::detail::uuid_v4(high, low); }

// The CSPRNG's: tokens must neither repeat across processes nor be guessable.
std::string random_uuid_v4() { return ddb::detail::random_uuid_v4(); }

boost::asio::awaitable<transact_write_result> transact_write_stored(ddb::client& c, std::string table,
                                                                    transaction tx, table_schema schema,
                                                                    transact_options options) {
  using clock = retry_state::clock;
  check_table(table, "transact_write");
  validate(tx); // before anything is sent
  if (options.client_request_token().size() > 36)
    throw ddb::error(client_errc::invalid_argument,
                     "transact_write: a ClientRequestToken over 36 characters");
  const auto deadline = clock::now() + options.timeout();
  std::string token =
      options.client_request_token().empty() ? random_uuid_v4() : options.client_request_token();
  auto req = make_transact_write_request(table, tx, schema.keys(), token);
  retry_state retry(conflict_retry_options(options));
  unsigned attempts = 0;
  double consumed = 0;
  const auto call = call_info::make("transact_write");
  for (;;) {
    ++attempts;
    error_code ec;
    diagnostics diag;
    auto response = co_await c.execute(req, ec, diag, call);
    consumed += capacity_units(response.consumed_capacity);
    diag.consumed_capacity = consumed;
    if (!ec) co_return transact_write_result{std::move(token), attempts, consumed};
    const bool canceled = ec == service_errc::transaction_canceled;
    if (ec == service_errc::transaction_conflict || (canceled && conflict_only(diag.cancellation_reasons))) {
      auto delay = retry.next_delay(make_error_code(service_errc::transaction_conflict), diag.http_status, -1,
                                    jitter01(), clock::now(), deadline);
      if (delay) {
        co_await sleep_for(*delay);
        continue;
      }
    }
    if (canceled) {
      auto failures = failed_actions(tx, diag.cancellation_reasons);
      throw transaction_error(ec, std::move(diag), std::move(failures));
    }
    throw ddb::error(ec, std::move(diag));
  }
}

boost::asio::awaitable<std::vector<std::optional<ddb::item>>>
transact_get_stored(ddb::client& c, std::string table, std::vector<item_key> keys, table_schema schema,
                    transact_options options) {
  using clock = retry_state::clock;
  check_table(table, "transact_get");
  for (auto& k : keys) check_key(k, "transact_get");
  auto merged = merge_keys(keys);
  if (merged.unique.size() > transact_get_request::max_actions)
    throw ddb::error(client_errc::invalid_argument, "transact_get: " + std::to_string(merged.unique.size()) +
                                                        " distinct keys, DynamoDB takes at most " +
                                                        std::to_string(transact_get_request::max_actions));
  std::vector<std::optional<ddb::item>> out(keys.size());
  if (merged.unique.empty()) co_return out;
  transact_get_request req;
  for (auto& k : merged.unique) req.add(ddb::transact_get(table, k.to_item(schema.keys())));
  const auto deadline = clock::now() + options.timeout();
  retry_state retry(conflict_retry_options(options));
  const auto call = call_info::make("transact_get");
  double consumed = 0;
  for (;;) {
    error_code ec;
    diagnostics diag;
    auto response = co_await c.execute(req, ec, diag, call);
    consumed += capacity_units(response.consumed_capacity);
    diag.consumed_capacity = consumed;
    if (!ec) {
      for (auto& item : response.responses)
        if (item) strip_prefixes(*item, schema);
      for (std::size_t i = 0; i < keys.size(); ++i) {
        auto u = merged.of_input[i];
        if (u < response.responses.size()) out[i] = response.responses[u];
      }
      co_return out;
    }
    const bool canceled = ec == service_errc::transaction_canceled;
    if (ec == service_errc::transaction_conflict || (canceled && conflict_only(diag.cancellation_reasons))) {
      auto delay = retry.next_delay(make_error_code(service_errc::transaction_conflict), diag.http_status, -1,
                                    jitter01(), clock::now(), deadline);
      if (delay) {
        co_await sleep_for(*delay);
        continue;
      }
    }
    throw ddb::error(ec, std::move(diag));
  }
}

} // namespace ddb::table::detail
