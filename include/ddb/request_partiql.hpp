// PartiQL: ExecuteStatement, BatchExecuteStatement and ExecuteTransaction.
//
//     ddb::execute_statement_request(R"(SELECT * FROM "users" WHERE PK = ?)").parameter("USER#1")
//     ddb::execute_transaction_request()
//         .add(ddb::partiql_statement(R"(UPDATE "users" SET n = n + 1 WHERE PK = ?)").parameter("USER#1"))
//
// Parameters are ddb values, bound to the statement's `?` in order; strings in the statement
// itself are PartiQL literals ('single quotes'), table and attribute names "double quotes".
#pragma once

#include <ddb/request_common.hpp>
#include <ddb/value.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ddb {

/// One statement of a BatchExecuteStatement or ExecuteTransaction (BatchStatementRequest,
/// ParameterizedStatement).
class partiql_statement {
public:
  explicit partiql_statement(std::string statement) : statement_(std::move(statement)) {}

  /// The next `?` parameter.
  partiql_statement& parameter(ddb::value v) {
    parameters_.push_back(std::move(v));
    return *this;
  }
  /// ConsistentRead (BatchExecuteStatement only; ExecuteTransaction refuses it before sending).
  partiql_statement& consistent_read(bool on = true) {
    consistent_read_ = on;
    return *this;
  }
  /// ReturnValuesOnConditionCheckFailure: none or all_old.
  partiql_statement& return_values_on_condition_check_failure(return_value v) {
    on_condition_failure_ = v;
    return *this;
  }

  const std::string& statement() const noexcept { return statement_; }
  const std::vector<ddb::value>& parameters() const noexcept { return parameters_; }
  std::optional<bool> consistent_read() const noexcept { return consistent_read_; }
  std::optional<return_value> return_values_on_condition_check_failure() const noexcept {
    return on_condition_failure_;
  }

private:
  std::string statement_;
  std::vector<ddb::value> parameters_;
  std::optional<bool> consistent_read_;
  std::optional<return_value> on_condition_failure_;
};

/// ExecuteStatement: one statement; a SELECT answers with a page (ddb/page.hpp) whose
/// next_token() continues it (client::statement_pages follows it for you).
class execute_statement_request {
public:
  static constexpr std::string_view operation = "ExecuteStatement";
  /// The longest statement DynamoDB takes, in bytes.
  static constexpr std::size_t max_statement = 8192;

  explicit execute_statement_request(std::string statement) : statement_(std::move(statement)) {}

  /// The next `?` parameter.
  execute_statement_request& parameter(ddb::value v) {
    parameters_.push_back(std::move(v));
    return *this;
  }
  execute_statement_request& consistent_read(bool on = true) {
    consistent_read_ = on;
    return *this;
  }
  /// Limit: the most items evaluated for this page (at least 1).
  execute_statement_request& limit(std::int32_t n) {
    limit_ = n;
    return *this;
  }
  /// NextToken of the previous page.
  execute_statement_request& next_token(std::string token) {
    next_token_ = std::move(token);
    return *this;
  }
  execute_statement_request& return_consumed_capacity(return_capacity c) {
    consumed_capacity_ = c;
    return *this;
  }
  /// ReturnValuesOnConditionCheckFailure: none or all_old (the item then comes with
  /// ConditionalCheckFailedException, in diagnostics).
  execute_statement_request& return_values_on_condition_check_failure(return_value v) {
    on_condition_failure_ = v;
    return *this;
  }

  const std::string& statement() const noexcept { return statement_; }
  const std::vector<ddb::value>& parameters() const noexcept { return parameters_; }
  std::optional<bool> consistent_read() const noexcept { return consistent_read_; }
  std::optional<std::int32_t> limit() const noexcept { return limit_; }
  const std::string& next_token() const noexcept { return next_token_; }
  std::optional<return_capacity> return_consumed_capacity() const noexcept { return consumed_capacity_; }
  std::optional<return_value> return_values_on_condition_check_failure() const noexcept {
    return on_condition_failure_;
  }

private:
  std::string statement_;
  std::vector<ddb::value> parameters_;
  std::optional<bool> consistent_read_;
  std::optional<std::int32_t> limit_;
  std::string next_token_;
  std::optional<return_capacity> consumed_capacity_;
  std::optional<return_value> on_condition_failure_;
};

/// BatchExecuteStatement: up to 25 statements, all reads or all writes, each succeeding or
/// failing on its own: the response has one entry per statement, in order, with its error.
class batch_execute_statement_request {
public:
  static constexpr std::string_view operation = "BatchExecuteStatement";
  static constexpr std::size_t max_statements = 25;

  batch_execute_statement_request() = default;

  batch_execute_statement_request& add(partiql_statement s) {
    statements_.push_back(std::move(s));
    return *this;
  }
  batch_execute_statement_request& return_consumed_capacity(return_capacity c) {
    consumed_capacity_ = c;
    return *this;
  }

  const std::vector<partiql_statement>& statements() const noexcept { return statements_; }
  std::optional<return_capacity> return_consumed_capacity() const noexcept { return consumed_capacity_; }

private:
  std::vector<partiql_statement> statements_;
  std::optional<return_capacity> consumed_capacity_;
};

/// ExecuteTransaction: up to 100 statements, all reads or all writes, all or nothing (a failure
/// is TransactionCanceledException with its cancellation reasons in diagnostics).
class execute_transaction_request {
public:
  static constexpr std::string_view operation = "ExecuteTransaction";
  static constexpr std::size_t max_statements = 100;

  execute_transaction_request() = default;

  execute_transaction_request& add(partiql_statement s) {
    statements_.push_back(std::move(s));
    return *this;
  }
  /// ClientRequestToken (1 to 36 characters): makes retries idempotent for 10 minutes. Without
  /// one, ddb::client sends a random token, the same for every retry of the call.
  execute_transaction_request& client_request_token(std::string token) {
    client_request_token_ = std::move(token);
    return *this;
  }
  execute_transaction_request& return_consumed_capacity(return_capacity c) {
    consumed_capacity_ = c;
    return *this;
  }

  const std::vector<partiql_statement>& statements() const noexcept { return statements_; }
  const std::string& client_request_token() const noexcept { return client_request_token_; }
  std::optional<return_capacity> return_consumed_capacity() const noexcept { return consumed_capacity_; }

private:
  std::vector<partiql_statement> statements_;
  std::string client_request_token_;
  std::optional<return_capacity> consumed_capacity_;
};

} // namespace ddb
