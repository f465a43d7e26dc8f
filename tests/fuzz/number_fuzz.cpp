// Number parsing: validation, comparison and conversions must never crash or disagree.
#include <ddb/error.hpp>
#include <ddb/number.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ddb::error_code ec;
  ddb::number n = ddb::number::parse(text, ec);
  if (ec != ddb::validate_number(text)) std::abort();
  if (ec) return 0;
  if (!(n == n) || n != ddb::number(n.text())) std::abort();
  try {
    double d = n.to_double();
    if (ddb::number::from_double(d) != n) std::abort(); // an exact conversion must round-trip
  } catch (const ddb::error&) {
  }
  try {
    auto i = n.to<std::int64_t>();
    if (ddb::number(i) != n) std::abort();
  } catch (const ddb::error&) {
  }
  return 0;
}
