// Base64 (RFC 4648, with padding), used only at the wire boundary.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ddb::detail {

/// Appends the base64 text of `data` to `out`.
void base64_encode(const void* data, std::size_t size, std::string& out);

/// Decodes base64 into `out` (which must hold base64_decoded_size(in.size()) bytes);
/// returns the number of bytes written, or -1 for invalid input.
std::ptrdiff_t base64_decode(std::string_view in, std::byte* out) noexcept;

constexpr std::size_t base64_decoded_size(std::size_t n) noexcept { return n / 4 * 3 + 3; }

} // namespace ddb::detail
