// Which table the single-table layer talks to: per call, a scoped override, the configuration,
// or the environment variable DB_TABLE_NAME (single-table-orm's convention), in that order.
//
//     auto name = ddb::table::resolve_table_name();          // DB_TABLE_NAME
//     {
//       ddb::table::table_name_scope use("test-table");     // tests: everything here uses it
//       ddb::table::resolve_table_name();                    // "test-table"
//       ddb::table::resolve_table_name("other");             // "other": per call wins
//     }
//
// The scope is per thread. Coroutines move between threads and interleave on one, so a scope
// must not be held across a co_await: in asynchronous code pass the name per call (or in the
// configuration). Scopes nest and must end in reverse order (they are RAII objects, so they do).
#pragma once

#include <ddb/error.hpp>
#include <ddb/error_code.hpp>

#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

namespace ddb::table {

/// The environment variable single-table-orm reads the table name from.
inline constexpr const char* table_name_env = "DB_TABLE_NAME";

/// DynamoDB's rule for table names: 3 to 255 of `a-z A-Z 0-9 _ - .`.
constexpr bool is_valid_table_name(std::string_view name) noexcept {
  if (name.size() < 3 || name.size() > 255) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-' || c == '.'))
      return false;
  return true;
}

/// Overrides the table name on this thread for its lifetime (tests, scripts).
class table_name_scope {
public:
  /// Throws ddb::error(client_errc::invalid_argument) for a name DynamoDB would reject.
  explicit table_name_scope(std::string name) : name_(std::move(name)), previous_(current_) {
    if (!is_valid_table_name(name_))
      throw ddb::error(client_errc::invalid_argument, "table name '" + name_ + "'");
    current_ = this;
  }
  ~table_name_scope() { current_ = previous_; }
  table_name_scope(const table_name_scope&) = delete;
  table_name_scope& operator=(const table_name_scope&) = delete;

  const std::string& name() const noexcept { return name_; }
  /// The innermost scope's name on this thread, or nullptr.
  static const std::string* current() noexcept { return current_ ? &current_->name_ : nullptr; }

private:
  std::string name_;
  const table_name_scope* previous_;
  static inline thread_local const table_name_scope* current_ = nullptr;
};

/// The table to use: `per_call` if not empty, else the innermost table_name_scope, else
/// `configured` if not empty, else $DB_TABLE_NAME. None of them, or an invalid name, sets
/// client_errc::invalid_config and returns an empty string.
inline std::string resolve_table_name(error_code& ec, std::string_view per_call = {},
                                      std::string_view configured = {}) {
  std::string name;
  if (!per_call.empty())
    name = per_call;
  else if (auto scoped = table_name_scope::current())
    name = *scoped;
  else if (!configured.empty())
    name = configured;
  else if (const char* env = std::getenv(table_name_env))
    name = env;
  if (!is_valid_table_name(name)) {
    ec = client_errc::invalid_config;
    return {};
  }
  ec = {};
  return name;
}

/// Throwing form: ddb::error(client_errc::invalid_config) when there is no usable name.
inline std::string resolve_table_name(std::string_view per_call = {}, std::string_view configured = {}) {
  error_code ec;
  auto name = resolve_table_name(ec, per_call, configured);
  if (ec)
    throw ddb::error(ec, std::string("no usable table name (pass one, use table_name_scope, or set ") +
                             table_name_env + ")");
  return name;
}

} // namespace ddb::table
