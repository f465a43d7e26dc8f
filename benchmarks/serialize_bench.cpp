// Request body serialization: ns per request and MB/s of JSON written, output buffer reused.
#include <ddb/requests.hpp>
#include <ddb/serialize.hpp>

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>
#include <string>

namespace {

// An order item of 10 attributes, about 350 bytes as a PutItem body.
ddb::item order_item() {
  return ddb::item{
      {"PK", "USER#000123"},
      {"SK", "ORDER#2024-01-15T10:30:00Z#0001"},
      {"amount", ddb::number("129.99")},
      {"currency", "EUR"},
      {"status", "SHIPPED"},
      {"quantity", 3},
      {"express", true},
      {"tags", ddb::string_set{"gift", "priority"}},
      {"address", ddb::item{{"zip", "0154"}, {"city", "Oslo"}}},
      {"note", "Ring twice \"please\""},
  };
}

template <class R>
void run(benchmark::State& state, const R& request) {
  std::string out;
  if (auto ec = ddb::serialize(request, out)) {
    state.SkipWithError(ec.message().c_str());
    return;
  }
  for (auto _ : state) {
    auto ec = ddb::serialize(request, out);
    benchmark::DoNotOptimize(ec);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * out.size()));
  state.counters["body_bytes"] = static_cast<double>(out.size());
}

void BM_serialize_put_item(benchmark::State& state) {
  run(state, ddb::put_item_request("orders", order_item()).condition("attribute_not_exists(PK)"));
}
BENCHMARK(BM_serialize_put_item);

void BM_serialize_get_item(benchmark::State& state) {
  run(state,
      ddb::get_item_request("orders", {{"PK", "USER#000123"}, {"SK", "ORDER#2024-01-15T10:30:00Z#0001"}}));
}
BENCHMARK(BM_serialize_get_item);

void BM_serialize_query(benchmark::State& state) {
  run(state, ddb::query_request("orders")
                 .key_condition("PK = :pk AND begins_with(SK, :p)")
                 .filter("#s = :s")
                 .name("#s", "status")
                 .value(":pk", "USER#000123")
                 .value(":p", "ORDER#2024")
                 .value(":s", "SHIPPED")
                 .limit(100));
}
BENCHMARK(BM_serialize_query);

void BM_serialize_batch_write_25(benchmark::State& state) {
  ddb::batch_write_request r;
  for (int i = 0; i < 25; ++i) {
    auto it = order_item();
    it["SK"] = "ORDER#" + std::to_string(i);
    r.put_request("orders", std::move(it));
  }
  run(state, r);
}
BENCHMARK(BM_serialize_batch_write_25);

void BM_write_item_json(benchmark::State& state) {
  const auto item = order_item();
  std::string out;
  for (auto _ : state) {
    out.clear();
    ddb::write_item_json(item, out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * out.size()));
}
BENCHMARK(BM_write_item_json);

} // namespace

BENCHMARK_MAIN();
