// The pure logic of the single-table batches and transactions: chunking, merging, mapping
// responses and unprocessed work back to keys, the backoff schedule, validation, cancellation
// reasons and request tokens. No network (DynamoDB Local never leaves anything unprocessed).
#include <ddb/error.hpp>
#include <ddb/table/batch.hpp>
#include <ddb/table/transact.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <set>

using namespace ddb;
using namespace ddb::table;
using namespace std::chrono_literals;
namespace tdetail = ddb::table::detail;

namespace {

using User = named_entity<"User">;
using Group = named_entity<"Group">;
using key = std::pair<partition_key<User>, sort_key<Group>>;

item_key k(int i) { return item_key(partition_key<User>("u" + std::to_string(i)), sort_key<Group>("g")); }

std::vector<item_key> keys(int n) {
  std::vector<item_key> out;
  for (int i = 0; i < n; ++i) out.push_back(k(i));
  return out;
}

ddb::item item_of(const item_key& key, int n) {
  auto it = key.to_item();
  it.emplace("n", n);
  return it;
}

std::vector<ddb::item> request_keys(const batch_get_request& r) {
  EXPECT_EQ(r.tables().size(), 1u);
  return r.tables().at(0).keys();
}

template <class F>
client_errc thrown(F f) {
  try {
    f();
  } catch (const ddb::error& e) {
    EXPECT_EQ(e.diag().http_status, 0u);
    return static_cast<client_errc>(e.code().value());
  }
  ADD_FAILURE() << "nothing thrown";
  return client_errc{};
}

} // namespace

TEST(TableBatch, MergeKeysKeepsFirstSeenOrder) {
  std::vector<item_key> in{k(2), k(1), k(2), k(3), k(1)};
  auto m = tdetail::merge_keys(in);
  ASSERT_EQ(m.unique.size(), 3u);
  EXPECT_EQ(m.unique[0], k(2));
  EXPECT_EQ(m.unique[1], k(1));
  EXPECT_EQ(m.unique[2], k(3));
  EXPECT_EQ(m.of_input, (std::vector<std::size_t>{0, 1, 0, 2, 1}));
}

TEST(TableBatch, GetChunksTo100DistinctKeys) {
  auto in = keys(250);
  in.push_back(k(7)); // duplicates do not count twice
  in.push_back(k(249));
  tdetail::batch_get_plan plan(in);
  std::vector<std::size_t> sizes;
  while (plan.has_pending()) {
    auto req = plan.next_request("t", batch_options());
    EXPECT_EQ(req.tables().at(0).table(), "t");
    sizes.push_back(request_keys(req).size());
    plan.apply(batch_get_item_response());
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{100, 100, 50}));
  for (std::size_t u = 0; u < 250; ++u) EXPECT_EQ(plan.state_of(u), tdetail::batch_get_plan::state::missing);
}

TEST(TableBatch, GetMapsItemsAndRequeuesUnprocessedFirst) {
  tdetail::batch_get_plan plan(keys(5), key_config(), 3);
  auto req = plan.next_request("t", batch_options().consistent_read());
  EXPECT_TRUE(req.tables().at(0).consistent_read());
  ASSERT_EQ(request_keys(req).size(), 3u); // keys 0, 1, 2

  batch_get_item_response r;
  r.responses["t"].push_back(item_of(k(0), 10));
  r.responses["t"].push_back(item_of(k(42), 0)); // not asked for: ignored
  r.unprocessed_keys["t"].keys.push_back(k(2).to_item());
  EXPECT_EQ(plan.apply(r), 1u);
  using st = tdetail::batch_get_plan::state;
  EXPECT_EQ(plan.state_of(0), st::found);
  EXPECT_EQ(plan.state_of(1), st::missing);
  EXPECT_EQ(plan.state_of(2), st::pending);
  EXPECT_EQ(plan.take_item(0)->at("n"), ddb::value(10));

  // The unprocessed key goes out first, then the rest.
  auto again = request_keys(plan.next_request("t", batch_options()));
  ASSERT_EQ(again.size(), 3u);
  EXPECT_EQ(again[0], k(2).to_item());
  EXPECT_EQ(again[1], k(3).to_item());
  EXPECT_EQ(again[2], k(4).to_item());

  // Everything unprocessed again, then the deadline: all of them are left, none lost.
  batch_get_item_response all_left;
  for (auto& key : again) all_left.unprocessed_keys["t"].keys.push_back(key);
  EXPECT_EQ(plan.apply(all_left), 3u);
  plan.give_up();
  EXPECT_FALSE(plan.has_pending());
  EXPECT_EQ(plan.state_of(2), st::unprocessed);
  EXPECT_EQ(plan.state_of(3), st::unprocessed);
  EXPECT_EQ(plan.state_of(4), st::unprocessed);
}

// Several requests in flight at once (batch_options::parallelism): each response is applied to
// its own ticket, in any order, and a failed one requeues only its keys.
TEST(TableBatch, TicketsOfRequestsInFlightTogether) {
  using st = tdetail::batch_get_plan::state;
  tdetail::batch_get_plan plan(keys(5), key_config(), 2);
  tdetail::batch_get_plan::ticket t1, t2;
  auto r1 = plan.next_request("t", batch_options(), t1);
  auto r2 = plan.next_request("t", batch_options(), t2);
  EXPECT_EQ(t1, (tdetail::batch_get_plan::ticket{0, 1}));
  EXPECT_EQ(t2, (tdetail::batch_get_plan::ticket{2, 3}));
  EXPECT_EQ(request_keys(r2).size(), 2u);

  batch_get_item_response second; // answered first: key 2 found, key 3 unprocessed
  second.responses["t"].push_back(item_of(k(2), 2));
  second.unprocessed_keys["t"].keys.push_back(k(3).to_item());
  EXPECT_EQ(plan.apply(second, t2), 1u);
  EXPECT_EQ(plan.state_of(2), st::found);
  EXPECT_EQ(plan.state_of(3), st::pending);
  EXPECT_EQ(plan.state_of(0), st::in_flight);
  plan.requeue(t1); // the first request failed: its keys go back, first
  EXPECT_EQ(plan.state_of(0), st::pending);
  EXPECT_EQ(plan.state_of(1), st::pending);
  tdetail::batch_get_plan::ticket t3;
  EXPECT_EQ(request_keys(plan.next_request("t", batch_options(), t3)).size(), 2u);
  EXPECT_EQ(t3, (tdetail::batch_get_plan::ticket{0, 1}));

  tdetail::batch_write_plan writes({item_of(k(0), 0), item_of(k(1), 1), item_of(k(2), 2)}, {}, key_config(),
                                   2);
  tdetail::batch_write_plan::ticket w1, w2;
  writes.next_request("t", w1);
  writes.next_request("t", w2);
  EXPECT_EQ(w2.size(), 1u);
  batch_write_item_response left; // names an item of w1: ignored for w2
  left.unprocessed_items["t"].push_back(put_request{item_of(k(0), 0)});
  EXPECT_EQ(writes.apply(left, w2), 0u);
  EXPECT_EQ(writes.apply(left, w1), 1u);
  EXPECT_TRUE(writes.has_pending());
  writes.give_up();
  EXPECT_EQ(writes.unprocessed_puts(), std::vector<std::size_t>{0});
}

TEST(TableBatch, GetProjectionAlwaysHasTheKeys) {
  tdetail::batch_get_plan plan(keys(1));
  auto req = plan.next_request("t", batch_options().attributes({"name", "PK"}));
  auto& t = req.tables().at(0);
  EXPECT_EQ(t.projection(), "#a0, #a1, #a2");
  EXPECT_EQ(t.names().at("#a0"), "name");
  EXPECT_EQ(t.names().at("#a1"), "PK");
  EXPECT_EQ(t.names().at("#a2"), "SK");
}

TEST(TableBatch, TypedResultMapsBackToKeys) {
  std::vector<key> in;
  for (auto name : {"a", "b", "a", "c"}) in.emplace_back(partition_key<User>(name), sort_key<Group>("1"));
  std::vector<item_key> stored;
  for (auto& x : in) stored.push_back(to_item_key(x));
  tdetail::stored_batch_get r;
  r.keys = tdetail::merge_keys(stored);
  r.items = {ddb::item{{"PK", "a"}}, std::nullopt, std::nullopt};
  r.processed = {true, true, false};
  auto typed = tdetail::to_typed(in, r);
  ASSERT_EQ(typed.items().size(), 2u);
  EXPECT_EQ(typed.items()[0].key.first.value(), "a");
  EXPECT_TRUE(typed.items()[0].item);
  EXPECT_FALSE(typed.items()[1].item);
  ASSERT_EQ(typed.unprocessed().size(), 1u);
  EXPECT_EQ(typed.unprocessed()[0].first.value(), "c");
  EXPECT_NE(typed.find(in[2]), nullptr);
  EXPECT_EQ(typed.find(in[3]), nullptr);
  EXPECT_EQ(typed.found(), 1u);
  EXPECT_FALSE(typed.complete());
}

TEST(TableBatch, WriteChunksTo25AndLastPutWins) {
  std::vector<ddb::item> puts;
  for (int i = 0; i < 60; ++i) puts.push_back(item_of(k(i), i));
  puts.push_back(item_of(k(5), 500)); // the last put of k(5) wins
  std::vector<item_key> deletes{k(100), k(101), k(100)};
  tdetail::batch_write_plan plan(puts, deletes);
  EXPECT_EQ(plan.size(), 62u);
  std::vector<std::size_t> sizes;
  std::vector<write_request> sent;
  while (plan.has_pending()) {
    auto req = plan.next_request("t");
    ASSERT_EQ(req.tables().size(), 1u);
    sizes.push_back(req.tables()[0].requests().size());
    for (auto& r : req.tables()[0].requests()) sent.push_back(r);
    plan.apply(batch_write_item_response());
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{25, 25, 12}));
  int k5 = 0, dels = 0;
  for (auto& r : sent) {
    if (auto p = std::get_if<put_request>(&r)) {
      if (p->item.at("PK") == k(5).to_item().at("PK")) {
        ++k5;
        EXPECT_EQ(p->item.at("n"), ddb::value(500));
      }
    } else
      ++dels;
  }
  EXPECT_EQ(k5, 1);
  EXPECT_EQ(dels, 2);
  EXPECT_TRUE(plan.unprocessed_puts().empty());
}

TEST(TableBatch, WriteRejectsPutAndDeleteOfOneKey) {
  std::vector<ddb::item> puts{item_of(k(1), 1)};
  std::vector<item_key> deletes{k(1)};
  EXPECT_EQ(thrown([&] { tdetail::batch_write_plan(puts, deletes); }), client_errc::invalid_argument);
  std::vector<ddb::item> no_key{ddb::item{{"PK", "USER#x"}}};
  EXPECT_EQ(thrown([&] { tdetail::batch_write_plan(no_key, {}); }), client_errc::invalid_argument);
  std::vector<ddb::item> numeric_key{ddb::item{{"PK", "USER#x"}, {"SK", 1}}};
  EXPECT_EQ(thrown([&] { tdetail::batch_write_plan(numeric_key, {}); }), client_errc::invalid_argument);
}

TEST(TableBatch, WriteUnprocessedMapBackToInputs) {
  std::vector<ddb::item> puts{item_of(k(0), 0), item_of(k(1), 1), item_of(k(0), 2)}; // input 2 wins for k(0)
  std::vector<item_key> deletes{k(7), k(8)};
  tdetail::batch_write_plan plan(puts, deletes, key_config(), 10);
  auto req = plan.next_request("t");
  EXPECT_EQ(req.tables()[0].requests().size(), 4u);
  batch_write_item_response r;
  r.unprocessed_items["t"].push_back(put_request{item_of(k(0), 2)});
  r.unprocessed_items["t"].push_back(delete_request{k(8).to_item()});
  r.unprocessed_items["t"].push_back(delete_request{k(99).to_item()}); // never sent: ignored
  EXPECT_EQ(plan.apply(r), 2u);
  EXPECT_TRUE(plan.has_pending());
  auto again = plan.next_request("t");
  EXPECT_EQ(again.tables()[0].requests().size(), 2u);
  plan.apply(r);
  plan.give_up();
  EXPECT_EQ(plan.unprocessed_puts(), (std::vector<std::size_t>{2}));
  EXPECT_EQ(plan.unprocessed_deletes(), (std::vector<std::size_t>{1}));
  EXPECT_EQ(plan.put_item(2).at("n"), ddb::value(2));
}

TEST(TableBatch, BackoffScheduleIsExponentialCappedAndEndsAtTheDeadline) {
  auto opts = tdetail::unprocessed_retry_options(batch_options().backoff(50ms, 1000ms));
  retry_state rs(opts);
  auto now = retry_state::clock::now();
  auto far = now + std::chrono::hours(1);
  std::vector<long long> ms;
  for (int i = 0; i < 7; ++i) {
    auto d = rs.next_delay(tdetail::unprocessed_error(), 0, -1, 0.999999, now, far);
    ASSERT_TRUE(d);
    ms.push_back(std::chrono::round<std::chrono::milliseconds>(*d).count());
  }
  EXPECT_EQ(ms, (std::vector<long long>{50, 100, 200, 400, 800, 1000, 1000}));
  // Full jitter: random 0 waits nothing.
  retry_state zero(opts);
  EXPECT_EQ(*zero.next_delay(tdetail::unprocessed_error(), 0, -1, 0.0, now, far),
            std::chrono::nanoseconds(0));
  // A delay that would end past the deadline is refused.
  retry_state late(opts);
  EXPECT_FALSE(late.next_delay(tdetail::unprocessed_error(), 0, -1, 0.9, now, now + 10ms));
  EXPECT_EQ(late.stop_reason(), retry_stop::deadline);
  for (int i = 0; i < 5; ++i) EXPECT_GE(tdetail::jitter01(), 0.0);
}

// ---- transactions ---------------------------------------------------------------------------

namespace {
partition_key<User> pk(int i) { return partition_key<User>("u" + std::to_string(i)); }
sort_key<Group> sk(int i) { return sort_key<Group>("g" + std::to_string(i)); }
} // namespace

TEST(TableTransact, ValidationBeforeSending) {
  EXPECT_EQ(thrown([] { tdetail::validate(transaction()); }), client_errc::invalid_argument);
  transaction big;
  for (int i = 0; i < 101; ++i) big.add(delete_arg(pk(i), sk(0)));
  EXPECT_EQ(thrown([&] { tdetail::validate(big); }), client_errc::invalid_argument);
  transaction hundred;
  for (int i = 0; i < 100; ++i) hundred.add(delete_arg(pk(i), sk(0)));
  EXPECT_NO_THROW(tdetail::validate(hundred));
  auto same_item = transaction().add(insert_arg(pk(1), sk(1))).add(condition_check_arg(pk(1), sk(1), "x"));
  EXPECT_EQ(thrown([&] { tdetail::validate(same_item); }), client_errc::invalid_argument);
  auto no_update = transaction().add(update_arg(pk(1), sk(1), ""));
  EXPECT_EQ(thrown([&] { tdetail::validate(no_update); }), client_errc::invalid_argument);
}

TEST(TableTransact, RequestOfEveryArgKind) {
  auto tx = transaction()
                .add(insert_arg(pk(1), sk(1), ddb::item{{"a", 1}}))
                .add(put_arg(pk(2), sk(2), ddb::item{{"b", "x"}}).condition("attribute_exists(PK)"))
                .add(update_arg(pk(3), sk(3), "SET #c = :c").name("#c", "c").value(":c", 3))
                .add(delete_arg(pk(4), sk(4)).return_old_on_failure())
                .add(condition_check_arg(pk(5), sk(5), "attribute_exists(PK)"));
  auto req = tdetail::make_transact_write_request("t", tx, key_config(), "tok");
  EXPECT_EQ(req.client_request_token(), "tok");
  ASSERT_EQ(req.actions().size(), 5u);
  auto& ins = std::get<transact_put>(req.actions()[0]);
  EXPECT_EQ(ins.item().at("PK"), ddb::value("USER#u1"));
  EXPECT_EQ(ins.item().at("SK"), ddb::value("GROUP#g1"));
  EXPECT_EQ(ins.item().at("a"), ddb::value(1));
  EXPECT_EQ(ins.condition(), "attribute_not_exists(#ddb_insert_pk)");
  EXPECT_EQ(ins.names().at("#ddb_insert_pk"), "PK");
  auto& put = std::get<transact_put>(req.actions()[1]);
  EXPECT_EQ(put.condition(), "attribute_exists(PK)");
  auto& upd = std::get<transact_update>(req.actions()[2]);
  EXPECT_EQ(upd.update(), "SET #c = :c");
  EXPECT_EQ(upd.key(), item_key(pk(3), sk(3)).to_item());
  EXPECT_EQ(upd.values().at(":c"), ddb::value(3));
  auto& del = std::get<transact_delete>(req.actions()[3]);
  EXPECT_EQ(del.return_values_on_condition_check_failure(), return_value::all_old);
  auto& cc = std::get<transact_condition_check>(req.actions()[4]);
  EXPECT_EQ(cc.condition(), "attribute_exists(PK)");

  // An insert's own condition is ANDed; attributes naming another key are refused.
  auto tx2 = transaction().add(insert_arg(pk(1), sk(1)).condition("a > :z").value(":z", 0));
  auto req2 = tdetail::make_transact_write_request("t", tx2, key_config(), "tok");
  EXPECT_EQ(std::get<transact_put>(req2.actions()[0]).condition(),
            "attribute_not_exists(#ddb_insert_pk) AND (a > :z)");
  auto tx3 = transaction().add(put_arg(pk(1), sk(1), ddb::item{{"PK", "USER#other"}}));
  EXPECT_EQ(thrown([&] { tdetail::make_transact_write_request("t", tx3, key_config(), "tok"); }),
            client_errc::invalid_argument);
}

TEST(TableTransact, CancellationReasonsTiedToActions) {
  auto tx =
      transaction().add(insert_arg(pk(1), sk(1))).add(delete_arg(pk(2), sk(2))).add(insert_arg(pk(3), sk(3)));
  std::vector<cancellation_reason> reasons(3);
  reasons[0].code = "None";
  reasons[1].code = "None";
  reasons[2].code = "ConditionalCheckFailed";
  reasons[2].message = "The conditional request failed";
  auto f = tdetail::failed_actions(tx, reasons);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].index, 2u);
  EXPECT_EQ(f[0].key, item_key(pk(3), sk(3)));
  EXPECT_EQ(f[0].code, "ConditionalCheckFailed");
  EXPECT_FALSE(tdetail::conflict_only(reasons));

  reasons[2].code = "TransactionConflict";
  EXPECT_TRUE(tdetail::conflict_only(reasons));
  reasons[0].code = "ConditionalCheckFailed";
  EXPECT_FALSE(tdetail::conflict_only(reasons));
  EXPECT_FALSE(tdetail::conflict_only(std::vector<cancellation_reason>(2)));

  transaction_error e(make_error_code(service_errc::transaction_canceled), diagnostics(), f);
  const ddb::error& base = e;
  EXPECT_EQ(base.code(), service_errc::transaction_canceled);
  EXPECT_EQ(e.failures().size(), 1u);
}

TEST(TableTransact, ClientRequestTokensAreUuidV4) {
  EXPECT_EQ(tdetail::make_uuid_v4(0, 0), "00000000-0000-4000-8000-000000000000");
  EXPECT_EQ(tdetail::make_uuid_v4(~0ull, ~0ull), "ffffffff-ffff-4fff-bfff-ffffffffffff");
  EXPECT_EQ(tdetail::make_uuid_v4(0x0123456789abcdefull, 0xfedcba9876543210ull),
            "01234567-89ab-4def-bedc-ba9876543210");
  // xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx, lower-case hex (no std::regex: GCC 12 + ASan
  // report a false maybe-uninitialized inside it).
  auto is_uuid_v4 = [](const std::string& t) {
    if (t.size() != 36 || t[14] != '4' || std::string_view("89ab").find(t[19]) == std::string_view::npos)
      return false;
    for (std::size_t i = 0; i < t.size(); ++i) {
      bool dash = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash != (t[i] == '-')) return false;
      if (!dash && std::string_view("0123456789abcdef").find(t[i]) == std::string_view::npos) return false;
    }
    return true;
  };
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto t = tdetail::random_uuid_v4();
    EXPECT_TRUE(is_uuid_v4(t)) << t;
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(TableTransact, ConflictRetryOptionsHaveNoAttemptLimit) {
  auto o = tdetail::conflict_retry_options(transact_options().backoff(10ms, 100ms));
  EXPECT_EQ(o.base_delay, 10ms);
  EXPECT_EQ(o.max_backoff, 100ms);
  EXPECT_GT(o.max_attempts, 1000u);
}
