// The AWS shared config/credentials file syntax (private). Follows the Java SDK v2's profile file
// reader, the most precise of the SDKs:
//  - `[name]` at column 0 opens a section; `#` or `;` after it start a comment.
//  - `key = value` at column 0 is a property; a comment needs whitespace before it (`a = b #c`),
//    so `#` and `;` inside values (secrets, URLs) survive.
//  - An indented line continues the property above: appended to its value after a newline or,
//    under an empty value (`s3 =`), a sub-property `key = value`, stored as "parent.key".
//  - Lines starting with `#` or `;` at column 0 are comments; blank lines are ignored.
//  - Sections and keys with characters outside [A-Za-z0-9_-/.%@:+] are ignored, not errors.
//  - Later duplicates win; a section seen twice is merged.
#pragma once

#include <ddb/error_code.hpp>

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

namespace ddb::detail {

enum class ini_kind {
  config,      // ~/.aws/config: `[default]`, `[profile NAME]`, `[services NAME]`, `[sso-session NAME]`
  credentials, // ~/.aws/credentials: `[NAME]`
};

using ini_properties = std::map<std::string, std::string, std::less<>>;
/// Sections by name. Profiles are keyed by their bare name ("default", "dev"); the config file's
/// other section types by "TYPE NAME" (e.g. "services local"), which no profile name can be
/// because profile names have no spaces.
using ini_sections = std::map<std::string, ini_properties, std::less<>>;

/// Parses `text` and merges its sections into `out` (keys already there are overwritten, so parse
/// the config file first and the credentials file second). On a syntax error returns
/// client_errc::invalid_argument, sets `error_line` (1-based) if given and leaves `out` as it was.
error_code parse_ini(std::string_view text, ini_kind kind, ini_sections& out,
                     std::size_t* error_line = nullptr);

} // namespace ddb::detail
