// Randomness that must not repeat or be guessed: idempotency tokens, invocation ids and retry
// jitter come from OpenSSL's CSPRNG (RAND_bytes), never from a seeded mt19937.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ddb::detail {

/// Fills `out` with `size` bytes from RAND_bytes (small draws from a per-thread block of its
/// output, emptied in a forked child); std::terminate()s if the CSPRNG fails (it cannot be
/// seeded): a predictable token would be worse than no request.
void secure_random_bytes(void* out, std::size_t size);

/// A UUID v4 from 128 bits (version and variant bits set): `xxxxxxxx-xxxx-4xxx-[89ab]xxx-...`.
std::string uuid_v4(std::uint64_t high, std::uint64_t low);
/// A UUID v4 from the CSPRNG.
std::string random_uuid_v4();
/// A uniform number in [0, 1) from the CSPRNG (53 bits), for retry jitter.
double random_unit();

} // namespace ddb::detail
