// Response parsing throughput: a 1 MB Query page of ~1000 items of ~1 KB (10 attributes each).
//
//   bench_parse --benchmark_filter=query_page --benchmark_repetitions=5
//
// BM_parse_query_page_1MB is the number that matters (target >= 1 GB/s): the body is a
// std::string with json_padding spare capacity (as the connection reads it) and the same page is
// parsed into again and again. The others show where the time goes: the padded copy of a
// string_view body, a bare simdjson On-Demand walk reading every string (the floor), and
// building owning ddb::items (what a std::map-based model costs).
#include <ddb/parse.hpp>

#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <cstdint>
#include <string>

namespace {

// A deterministic Query response body of about `target` bytes.
// `desc_len` sets the long description attribute; `extra` adds that many short S/N attributes.
std::string make_query_body(std::size_t target, std::size_t desc_len = 560, int extra = 0) {
  std::uint64_t seed = 0x9e3779b97f4a7c15ull;
  auto next = [&] {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
  };
  const char* words[] = {"order",  "shipped", "express", "warehouse", "customer", "priority", "fragile",
                         "return", "invoice", "gift",    "delivery",  "pending",  "north",    "south"};
  std::string body = R"({"Items":[)";
  int n = 0;
  while (body.size() + 1200 < target) {
    if (n) body += ',';
    auto id = next() % 100000;
    std::string desc;
    while (desc.size() < desc_len) {
      desc += words[next() % 14];
      desc += ' ';
    }
    body += R"({"PK":{"S":"CUSTOMER#)" + std::to_string(id) + R"("},)";
    body += R"("SK":{"S":"ORDER#2024-)" + std::to_string(1 + next() % 12) + "-" +
            std::to_string(1 + next() % 28) + "#" + std::to_string(n) + R"("},)";
    body += R"("status":{"S":")" + std::string(words[next() % 14]) + R"("},)";
    body += R"("email":{"S":"user)" + std::to_string(id) + R"(@example.com"},)";
    body += R"("description":{"S":")" + desc + R"("},)";
    body += R"("amount":{"N":")" + std::to_string(next() % 100000) + "." + std::to_string(10 + next() % 90) +
            R"("},)";
    body += R"("quantity":{"N":")" + std::to_string(1 + next() % 20) + R"("},)";
    body += R"("created":{"N":")" + std::to_string(1700000000 + next() % 30000000) + R"("},)";
    body += R"("address":{"M":{"street":{"S":")" + std::to_string(next() % 999) +
            R"( Main Street"},"city":{"S":"Oslo"},)";
    body += R"("zip":{"S":")" + std::to_string(1000 + next() % 9000) + R"("},"country":{"S":"NO"}}},)";
    body += R"("tags":{"L":[{"S":")" + std::string(words[next() % 14]) + R"("},{"S":")" + words[next() % 14] +
            R"("},{"N":")" + std::to_string(next() % 100) + R"("}]},)";
    for (int k = 0; k < extra; ++k)
      body += R"("attr)" + std::to_string(k) +
              (k % 2 ? R"(":{"N":")" + std::to_string(next() % 100000) + R"("},)"
                     : R"(":{"S":")" + std::string(words[next() % 14]) + R"("},)");
    body += R"("gift":{"BOOL":)" + std::string(next() % 2 ? "true" : "false") + "}}";
    ++n;
  }
  body += R"(],"Count":)" + std::to_string(n) + R"(,"ScannedCount":)" + std::to_string(n) +
          R"(,"LastEvaluatedKey":{"PK":{"S":"CUSTOMER#1"},"SK":{"S":"ORDER#2024-1-1#)" +
          std::to_string(n - 1) + R"("}},"ConsumedCapacity":{"TableName":"orders","CapacityUnits":128.5}})";
  return body;
}

const std::string& body_1mb() {
  static const std::string b = make_query_body(1 << 20);
  return b;
}

void BM_parse_query_page_1MB(benchmark::State& state) {
  std::string body = body_1mb();
  body.reserve(body.size() + ddb::json_padding); // as the connection reads bodies
  ddb::response_parser parser;
  ddb::page page;
  ddb::diagnostics diag;
  for (auto _ : state) {
    if (parser.parse_query(body, page, diag)) state.SkipWithError(diag.message.c_str());
    benchmark::DoNotOptimize(page.size());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
  state.counters["items"] = static_cast<double>(page.size());
  state.counters["body_bytes"] = static_cast<double>(body.size());
}
BENCHMARK(BM_parse_query_page_1MB);

// A harder page: ~1 KB items of 32 short attributes (a 60-byte description, 20 more S/N).
void BM_parse_query_page_1MB_short_attributes(benchmark::State& state) {
  std::string body = make_query_body(1 << 20, 60, 20);
  body.reserve(body.size() + ddb::json_padding);
  ddb::response_parser parser;
  ddb::page page;
  ddb::diagnostics diag;
  for (auto _ : state) {
    if (parser.parse_query(body, page, diag)) state.SkipWithError(diag.message.c_str());
    benchmark::DoNotOptimize(page.size());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
  state.counters["items"] = static_cast<double>(page.size());
  state.counters["attributes"] = static_cast<double>(page.empty() ? 0 : page[0].size());
}
BENCHMARK(BM_parse_query_page_1MB_short_attributes);

// The same from a std::string_view: the body is first copied into the parser's padded buffer.
void BM_parse_query_page_1MB_copied(benchmark::State& state) {
  const std::string& body = body_1mb();
  ddb::response_parser parser;
  ddb::page page;
  ddb::diagnostics diag;
  for (auto _ : state) {
    if (parser.parse_query(std::string_view(body), page, diag)) state.SkipWithError(diag.message.c_str());
    benchmark::DoNotOptimize(page.size());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_parse_query_page_1MB_copied);

// A fresh page each time: what not reusing the page costs (page faults on new buffers).
void BM_parse_query_page_1MB_fresh_page(benchmark::State& state) {
  std::string body = body_1mb();
  body.reserve(body.size() + ddb::json_padding);
  ddb::response_parser parser;
  ddb::diagnostics diag;
  for (auto _ : state) {
    ddb::page page;
    if (parser.parse_query(body, page, diag)) state.SkipWithError(diag.message.c_str());
    benchmark::DoNotOptimize(page.size());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_parse_query_page_1MB_fresh_page);

// Parse, then owning copies of every item (std::map-based ddb::item).
void BM_parse_query_page_1MB_to_items(benchmark::State& state) {
  std::string body = body_1mb();
  body.reserve(body.size() + ddb::json_padding);
  ddb::response_parser parser;
  ddb::page page;
  ddb::diagnostics diag;
  for (auto _ : state) {
    if (parser.parse_query(body, page, diag)) state.SkipWithError(diag.message.c_str());
    auto items = page.to_items();
    benchmark::DoNotOptimize(items.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_parse_query_page_1MB_to_items);

// Reading every attribute through the views after parsing (sum of lengths), to show views are free.
void BM_read_query_page_1MB_views(benchmark::State& state) {
  std::string body = body_1mb();
  body.reserve(body.size() + ddb::json_padding);
  ddb::response_parser parser;
  ddb::page page;
  ddb::diagnostics diag;
  if (parser.parse_query(body, page, diag)) state.SkipWithError(diag.message.c_str());
  for (auto _ : state) {
    std::size_t total = 0;
    for (ddb::item_view item : page.items())
      for (auto [name, v] : item) {
        total += name.size();
        if (v.type() == ddb::value_type::string) total += v.as_string().size();
      }
    benchmark::DoNotOptimize(total);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_read_query_page_1MB_views);

// The floor: simdjson On-Demand walking the same body, unescaping every key and string, storing
// nothing.
namespace od = simdjson::ondemand;
simdjson::error_code walk(od::value v, std::size_t& total, int depth) {
  od::json_type t;
  if (auto e = v.type().get(t)) return e;
  if (t == od::json_type::object) {
    od::object o;
    if (auto e = v.get_object().get(o)) return e;
    for (auto f : o) {
      std::string_view k;
      if (auto e = f.unescaped_key().get(k)) return e;
      total += k.size();
      od::value c;
      if (auto e = f.value().get(c)) return e;
      if (auto e = walk(c, total, depth + 1)) return e;
    }
  } else if (t == od::json_type::array) {
    od::array a;
    if (auto e = v.get_array().get(a)) return e;
    for (auto x : a) {
      od::value c;
      if (auto e = x.get(c)) return e;
      if (auto e = walk(c, total, depth + 1)) return e;
    }
  } else if (t == od::json_type::string) {
    std::string_view s;
    if (auto e = v.get_string().get(s)) return e;
    total += s.size();
  } else if (t == od::json_type::boolean) {
    bool b;
    if (auto e = v.get_bool().get(b)) return e;
    total += b;
  } else {
    double d;
    if (auto e = v.get_double().get(d)) return e;
    total += static_cast<std::size_t>(d > 0);
  }
  return simdjson::SUCCESS;
}

void BM_simdjson_walk_1MB(benchmark::State& state) {
  std::string body = body_1mb();
  body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  od::parser parser;
  for (auto _ : state) {
    od::document doc;
    if (parser.iterate(body).get(doc)) state.SkipWithError("iterate");
    od::object top;
    if (doc.get_object().get(top)) state.SkipWithError("object");
    std::size_t total = 0;
    for (auto f : top) {
      od::value v;
      if (f.value().get(v) || walk(v, total, 0)) state.SkipWithError("walk");
    }
    benchmark::DoNotOptimize(total);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_simdjson_walk_1MB);

// A GetItem-sized response (one ~1 KB item into an owning ddb::item).
void BM_parse_get_item_1KB(benchmark::State& state) {
  std::string page_body = make_query_body(2000); // a page of exactly one item
  auto start = page_body.find('[') + 1;
  auto end = page_body.find("],\"Count\"");
  std::string body = R"({"Item":)" + page_body.substr(start, end - start) + "}";
  body.reserve(body.size() + ddb::json_padding);
  ddb::response_parser parser;
  ddb::get_item_response out;
  ddb::diagnostics diag;
  for (auto _ : state) {
    if (parser.parse_get_item(body, out, diag)) state.SkipWithError(diag.message.c_str());
    benchmark::DoNotOptimize(out.item->size());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_parse_get_item_1KB);

} // namespace

BENCHMARK_MAIN();
