#include "random.hpp"

#include <openssl/rand.h>
#include <pthread.h>

#include <cstring>
#include <exception>

namespace ddb::detail {
namespace {

// RAND_bytes costs a getpid() system call, locks and a DRBG round each time: per request (an
// invocation id each) that was a tenth of a GetItem's CPU. Small draws come from a per-thread
// block of its output instead. A forked child must not hand out its parent's bytes again: the
// fork handler (run in the one thread a child has) empties the block.
constexpr std::size_t block_size = 512;
thread_local unsigned char block[block_size];
thread_local std::size_t block_used = block_size;

void fill(void* out, std::size_t size) {
  if (RAND_bytes(static_cast<unsigned char*>(out), static_cast<int>(size)) != 1) std::terminate();
}

const bool fork_handler_installed = [] {
  return ::pthread_atfork(nullptr, nullptr, [] { block_used = block_size; }) == 0;
}();

} // namespace

void secure_random_bytes(void* out, std::size_t size) {
  if (size > block_size / 4 || !fork_handler_installed) return fill(out, size);
  if (block_size - block_used < size) {
    fill(block, block_size);
    block_used = 0;
  }
  std::memcpy(out, block + block_used, size);
  std::memset(block + block_used, 0, size); // handed out once, then gone
  block_used += size;
}

std::string uuid_v4(std::uint64_t high, std::uint64_t low) {
  high = (high & ~std::uint64_t(0xf000)) | std::uint64_t(0x4000);           // version 4
  low = (low & ~(std::uint64_t(0xc0) << 56)) | (std::uint64_t(0x80) << 56); // variant 10xx
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  auto put = [&](std::uint64_t v, int from, int to) { // nibbles [from, to) counted from the top
    for (int n = from; n < to; ++n) out.push_back(hex[(v >> (60 - 4 * n)) & 0xf]);
  };
  put(high, 0, 8);
  out.push_back('-');
  put(high, 8, 12);
  out.push_back('-');
  put(high, 12, 16);
  out.push_back('-');
  put(low, 0, 4);
  out.push_back('-');
  put(low, 4, 16);
  return out;
}

std::string random_uuid_v4() {
  std::uint64_t words[2];
  secure_random_bytes(words, sizeof words);
  return uuid_v4(words[0], words[1]);
}

double random_unit() {
  std::uint64_t w;
  secure_random_bytes(&w, sizeof w);
  return static_cast<double>(w >> 11) * 0x1.0p-53;
}

} // namespace ddb::detail
