// SigV4 signing cost: the DynamoDB fast path with a cached signing key, and the generic path.
#include <ddb/sigv4.hpp>

#include <benchmark/benchmark.h>

#include <string>

namespace {

namespace sigv4 = ddb::sigv4;

const ddb::credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", std::nullopt};
constexpr std::string_view host = "dynamodb.us-east-1.amazonaws.com";
constexpr std::string_view target = "DynamoDB_20120810.PutItem";

// A PutItem body padded to exactly 300 bytes.
std::string put_item_300() {
  std::string body = R"({"TableName":"orders","Item":{"PK":{"S":"USER#alice"},"SK":{"S":"ORDER#)"
                     R"(2015-08-30T12:36:00Z"},"total":{"N":"129.95"},"note":{"S":")";
  const std::string tail = R"("}}})";
  body.append(300 - body.size() - tail.size(), 'x');
  return body + tail;
}

void BM_sign_dynamodb_300B(benchmark::State& state) {
  const std::string body = put_item_300();
  sigv4::signer signer("us-east-1", "dynamodb");
  std::string authorization, amz_date;
  const auto now = std::chrono::system_clock::now();
  signer.sign_dynamodb(host, target, body, creds, now, authorization, amz_date); // caches the key
  for (auto _ : state) {
    signer.sign_dynamodb(host, target, body, creds, now, authorization, amz_date);
    benchmark::DoNotOptimize(authorization.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
}
BENCHMARK(BM_sign_dynamodb_300B);

// The same request through sign(): headers sorted and canonicalised, result strings allocated.
void BM_sign_generic_300B(benchmark::State& state) {
  const std::string body = put_item_300();
  sigv4::signer signer("us-east-1", "dynamodb");
  const sigv4::header headers[] = {
      {"Host", host}, {"Content-Type", sigv4::signer::dynamodb_content_type}, {"X-Amz-Target", target}};
  const sigv4::sign_input in("POST", "/", "", headers, body);
  const auto now = std::chrono::system_clock::now();
  for (auto _ : state) benchmark::DoNotOptimize(signer.sign(in, creds, now));
}
BENCHMARK(BM_sign_generic_300B);

// A cache miss every time: the four-HMAC key derivation on top of signing.
void BM_sign_dynamodb_300B_key_miss(benchmark::State& state) {
  const std::string body = put_item_300();
  sigv4::signer signer("us-east-1", "dynamodb");
  std::string authorization, amz_date;
  auto now = std::chrono::system_clock::now();
  for (auto _ : state) {
    now += std::chrono::hours(24); // a new UTC day
    signer.sign_dynamodb(host, target, body, creds, now, authorization, amz_date);
  }
}
BENCHMARK(BM_sign_dynamodb_300B_key_miss);

} // namespace

BENCHMARK_MAIN();
