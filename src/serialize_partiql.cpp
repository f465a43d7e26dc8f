// Request bodies of the PartiQL operations: ExecuteStatement, BatchExecuteStatement and
// ExecuteTransaction.

#include "body_writer.hpp"

#include <ddb/serialize.hpp>

namespace ddb {
namespace {

using namespace detail;

// Statement and Parameters, shared by the three operations.
void write_statement(body_writer& b, const std::string& statement, const std::vector<value>& parameters) {
  auto& w = b.json();
  b.require(statement.size() <= execute_statement_request::max_statement,
            "a PartiQL statement over 8192 bytes");
  b.required_string_field("Statement", statement);
  if (parameters.empty()) return; // DynamoDB takes no empty Parameters list
  w.raw_key("Parameters");
  w.begin_array();
  for (auto& p : parameters) b.value(p, 0);
  w.end_array();
}

void write_consistent_read(body_writer& b, std::optional<bool> on) {
  if (!on) return;
  b.json().raw_key("ConsistentRead");
  b.json().boolean(*on);
}

template <class Statements>
void write_statements(body_writer& b, std::string_view field, const Statements& statements, std::size_t max,
                      bool consistent_read_allowed) {
  auto& w = b.json();
  b.require(!statements.empty(), "a PartiQL batch or transaction without statements");
  b.require(statements.size() <= max,
            "over 25 statements in a BatchExecuteStatement or 100 in an ExecuteTransaction");
  w.raw_key(field);
  w.begin_array();
  for (auto& s : statements) {
    w.begin_object();
    write_statement(b, s.statement(), s.parameters());
    b.require(consistent_read_allowed || !s.consistent_read(),
              "ConsistentRead in an ExecuteTransaction statement");
    if (consistent_read_allowed) write_consistent_read(b, s.consistent_read());
    b.none_or_all_old_field("ReturnValuesOnConditionCheckFailure",
                            s.return_values_on_condition_check_failure());
    w.end_object();
  }
  w.end_array();
}

} // namespace

error_code serialize(const execute_statement_request& r, std::string& out) {
  body o(out);
  auto& b = o.b;
  write_statement(b, r.statement(), r.parameters());
  write_consistent_read(b, r.consistent_read());
  b.limit_field(r.limit());
  b.string_field("NextToken", r.next_token());
  b.enum_field("ReturnConsumedCapacity", r.return_consumed_capacity());
  b.none_or_all_old_field("ReturnValuesOnConditionCheckFailure",
                          r.return_values_on_condition_check_failure());
  return o.finish();
}

error_code serialize(const batch_execute_statement_request& r, std::string& out) {
  body o(out);
  write_statements(o.b, "Statements", r.statements(), batch_execute_statement_request::max_statements, true);
  o.b.enum_field("ReturnConsumedCapacity", r.return_consumed_capacity());
  return o.finish();
}

error_code serialize(const execute_transaction_request& r, std::string& out) {
  body o(out);
  auto& b = o.b;
  write_statements(b, "TransactStatements", r.statements(), execute_transaction_request::max_statements,
                   false);
  b.require(r.client_request_token().size() <= 36, "a ClientRequestToken over 36 characters");
  b.string_field("ClientRequestToken", r.client_request_token());
  b.enum_field("ReturnConsumedCapacity", r.return_consumed_capacity());
  return o.finish();
}

} // namespace ddb
