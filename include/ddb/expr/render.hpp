// Rendering expression builders into DynamoDB's expression syntax and placeholder maps. The
// requests (`condition(expr)`, `update(expr)`, `filter(expr)`) and the table layer call these; call
// them directly only to build a request field by hand.
#pragma once

#include <ddb/error_code.hpp>
#include <ddb/expr/condition.hpp>
#include <ddb/expr/path.hpp>
#include <ddb/expr/update.hpp>
#include <ddb/value.hpp>

#include <functional>
#include <map>
#include <string>

namespace ddb {

/// ExpressionAttributeNames: placeholders ("#n") to attribute names, in a stable order.
using expression_names = std::map<std::string, std::string, std::less<>>;

namespace expr {

/// Writes `c` to `out` (replacing it) and adds its placeholders to `names` and `values`: `#0`, `#1`,
/// ... for names (one per distinct name; an entry `#K` that already maps to the name is reused) and
/// `:0`, `:1`, ... for values, skipping placeholders already taken. Hand-written placeholders of
/// the same request must not be digits-only. Returns client_errc::invalid_expression with `why`,
/// leaving `out` empty, when `c` is malformed (nothing is added to the maps then).
error_code render(const condition& c, std::string& out, expression_names& names, ddb::item& values,
                  std::string& why);
/// The same for an UpdateExpression.
error_code render(const update_actions& u, std::string& out, expression_names& names, ddb::item& values,
                  std::string& why);

} // namespace expr
} // namespace ddb
