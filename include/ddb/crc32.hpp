// The x-amz-crc32 check: DynamoDB sends the CRC32 of every successful response body.
#pragma once

#include <ddb/error_code.hpp>

#include <cstdint>
#include <string_view>

namespace ddb {

/// CRC-32 (ISO-HDLC, zlib's and x-amz-crc32's) of `data`.
std::uint32_t crc32(std::string_view data) noexcept;

/// Checks a response body against its x-amz-crc32 header, the decimal unsigned 32-bit CRC32.
/// An empty header means "not sent" and is not checked (DynamoDB Local omits it on errors).
/// Returns client_errc::crc32_mismatch (retryable) when the body does not match, and
/// client_errc::malformed_response when the header is not a decimal number below 2^32.
error_code check_crc32(std::string_view body, std::string_view header_value) noexcept;

} // namespace ddb
