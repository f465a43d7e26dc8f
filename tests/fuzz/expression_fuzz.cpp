// Document paths and expression rendering: a path either parses (and prints back to itself) or
// says why; rendering a well-formed builder succeeds with placeholders for every name, and a
// malformed one fails with invalid_expression and adds nothing.
#include <ddb/expr/render.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

bool same(const ddb::expr::path& a, const ddb::expr::path& b) {
  if (a.elements().size() != b.elements().size()) return false;
  for (std::size_t i = 0; i < a.elements().size(); ++i) {
    auto& x = a.elements()[i];
    auto& y = b.elements()[i];
    if (x.is_index != y.is_index || x.name != y.name || x.index != y.index) return false;
  }
  return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ddb::expr;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // Two paths, split at the first NUL.
  std::size_t cut = input.find('\0');
  path a(input.substr(0, cut));
  path b(cut == std::string_view::npos ? std::string_view("x") : input.substr(cut + 1));

  if (a.error().empty()) {
    if (a.elements().empty() || a.elements()[0].is_index) std::abort();
    if (!same(path(a.str()), a)) std::abort(); // prints back to itself
  } else if (!a.elements().empty()) {
    std::abort(); // a malformed path keeps no elements
  }

  ddb::expression_names names;
  ddb::item values;
  std::string text, why;
  auto c = (attr("x") == 1 || ddb::expr::size(a) > 2) && !begins_with(b, "p");
  auto ec = render(c, text, names, values, why);
  bool well_formed = a.error().empty() && b.error().empty();
  if (well_formed != !ec) std::abort();
  if (ec && (!text.empty() || !names.empty() || !values.empty() || why.empty())) std::abort();
  if (!ec && (values.size() != 3 || names.empty())) std::abort();

  names.clear();
  values.clear();
  auto u = update_actions().set(a, attr("n") + 1).remove(b);
  ec = render(u, text, names, values, why);
  bool ok = well_formed && !a.overlaps(b);
  if (ok != !ec) std::abort();
  if (!ec && text.rfind("SET ", 0) != 0) std::abort();
  return 0;
}
