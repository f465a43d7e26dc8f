// Expression builders (include/ddb/expr/): path parsing, the nodes of conditions and SET values,
// and rendering into DynamoDB's syntax with generated placeholders.
#include <ddb/error.hpp>
#include <ddb/expr/render.hpp>

#include <algorithm>
#include <array>
#include <charconv>

namespace ddb::expr {

// ---------------------------------------------------------------------------------------------
// Paths

path::path(std::string_view text) {
  auto fail = [&](std::string why) {
    elements_.clear();
    error_ = "malformed path '" + std::string(text) + "': " + std::move(why);
  };
  std::size_t i = 0;
  while (i <= text.size()) {
    // A name, up to '.', '[' or the end.
    std::size_t end = text.find_first_of(".[]", i);
    if (end == std::string_view::npos) end = text.size();
    if (end == i) {
      fail(i == 0 ? "it must start with an attribute name" : "an empty name");
      return;
    }
    elements_.push_back(element{std::string(text.substr(i, end - i)), 0, false});
    i = end;
    // Then any list indexes.
    while (i < text.size() && text[i] == '[') {
      std::size_t close = text.find(']', i);
      if (close == std::string_view::npos) {
        fail("a '[' without its ']'");
        return;
      }
      std::string_view digits = text.substr(i + 1, close - i - 1);
      std::size_t index = 0;
      auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
      if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size()) {
        fail("a list index that is not a number: [" + std::string(digits) + "]");
        return;
      }
      elements_.push_back(element{{}, index, true});
      i = close + 1;
    }
    if (i == text.size()) break;
    if (text[i] != '.') {
      fail(std::string("an unexpected '") + text[i] + "'");
      return;
    }
    ++i;
    if (i == text.size()) {
      fail("it ends with '.'");
      return;
    }
  }
  check_depth();
}

path path::name(std::string attribute) {
  path p;
  if (attribute.empty())
    p.error_ = "malformed path: an empty attribute name";
  else
    p.elements_.push_back(element{std::move(attribute), 0, false});
  return p;
}

path path::dot(std::string key) const {
  path p = *this;
  if (key.empty() && p.error_.empty()) p.error_ = "malformed path '" + str() + "': an empty map key";
  p.elements_.push_back(element{std::move(key), 0, false});
  p.check_depth();
  return p;
}

path path::then(const path& rest) const {
  path p = *this;
  if (p.error_.empty()) p.error_ = rest.error_;
  p.elements_.insert(p.elements_.end(), rest.elements_.begin(), rest.elements_.end());
  p.check_depth();
  return p;
}

path path::operator[](std::size_t i) const {
  path p = *this;
  p.elements_.push_back(element{{}, i, true});
  p.check_depth();
  return p;
}

// Every way of building a path ends here: a malformed path keeps its reason and no elements, so
// nothing can render half of it.
void path::check_depth() {
  if (error_.empty() && elements_.size() > max_depth)
    error_ = "malformed path '" + str() + "': over 32 levels";
  if (!error_.empty()) elements_.clear();
}

std::string_view path::attribute() const noexcept {
  return elements_.empty() || elements_[0].is_index ? std::string_view()
                                                    : std::string_view(elements_[0].name);
}

std::string path::str() const {
  std::string s;
  for (auto& e : elements_) {
    if (e.is_index) {
      s += '[';
      s += std::to_string(e.index);
      s += ']';
    } else {
      if (!s.empty()) s += '.';
      s += e.name;
    }
  }
  return s;
}

bool path::overlaps(const path& other) const noexcept {
  auto n = std::min(elements_.size(), other.elements_.size());
  for (std::size_t i = 0; i < n; ++i) {
    auto& a = elements_[i];
    auto& b = other.elements_[i];
    if (a.is_index != b.is_index || (a.is_index ? a.index != b.index : a.name != b.name)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Condition nodes

struct condition::node {
  enum class kind { compare, between, in, exists, not_exists, type, begins_with, contains, all, any, negate };
  kind what = kind::compare;
  comparison op = comparison::equal;
  expr::type t = expr::type::string;
  std::vector<operand> operands;           // compare: 2; between: 3; in: 1 + candidates; functions: path, arg
  std::shared_ptr<const node> left, right; // all, any; negate: left
  std::string error;                       // found when built
};

namespace {

condition make(condition::node n) { return condition(std::make_shared<const condition::node>(std::move(n))); }

condition junction(condition::node::kind k, condition a, condition b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  condition::node n;
  n.what = k;
  n.left = a.root();
  n.right = b.root();
  return make(std::move(n));
}

condition function(condition::node::kind k, const path& p, std::vector<operand> more = {},
                   type t = type::string) {
  condition::node n;
  n.what = k;
  n.t = t;
  n.operands.emplace_back(p);
  for (auto& o : more) n.operands.push_back(std::move(o));
  return make(std::move(n));
}

} // namespace

condition operator&&(condition a, condition b) {
  return junction(condition::node::kind::all, std::move(a), std::move(b));
}
condition operator||(condition a, condition b) {
  return junction(condition::node::kind::any, std::move(a), std::move(b));
}
condition operator!(condition a) {
  condition::node n;
  n.what = condition::node::kind::negate;
  if (a.empty()) n.error = "NOT of an empty condition";
  n.left = a.root();
  return make(std::move(n));
}

condition compare(const operand& a, comparison op, const operand& b) {
  condition::node n;
  n.what = condition::node::kind::compare;
  n.op = op;
  n.operands = {a, b};
  return make(std::move(n));
}

condition between(const operand& x, const operand& low, const operand& high) {
  condition::node n;
  n.what = condition::node::kind::between;
  n.operands = {x, low, high};
  return make(std::move(n));
}

condition in(const operand& x, std::vector<operand> candidates) {
  condition::node n;
  n.what = condition::node::kind::in;
  if (candidates.empty()) n.error = "IN with no candidates";
  if (candidates.size() > 100) n.error = "IN with over 100 candidates";
  n.operands.reserve(candidates.size() + 1);
  n.operands.push_back(x);
  for (auto& c : candidates) n.operands.push_back(std::move(c));
  return make(std::move(n));
}

condition attribute_exists(const path& p) { return function(condition::node::kind::exists, p); }
condition attribute_not_exists(const path& p) { return function(condition::node::kind::not_exists, p); }
condition attribute_type(const path& p, type t) { return function(condition::node::kind::type, p, {}, t); }
condition begins_with(const path& p, const operand& prefix) {
  return function(condition::node::kind::begins_with, p, {prefix});
}
condition contains(const path& p, const operand& element) {
  return function(condition::node::kind::contains, p, {element});
}

// ---------------------------------------------------------------------------------------------
// SET values

struct set_value::node {
  enum class kind { path, value, plus, minus, if_not_exists, list_append };
  kind what = kind::value;
  expr::path p = path::name("");
  ddb::value v;
  std::shared_ptr<const node> a, b;
};

set_value::set_value(path p) {
  node n;
  n.what = node::kind::path;
  n.p = std::move(p);
  root_ = std::make_shared<const node>(std::move(n));
}

set_value::set_value(ddb::value v) {
  node n;
  n.what = node::kind::value;
  n.v = std::move(v);
  root_ = std::make_shared<const node>(std::move(n));
}

namespace {
set_value two(set_value::node::kind k, set_value a, set_value b, path p = path::name("")) {
  set_value::node n;
  n.what = k;
  n.p = std::move(p);
  n.a = a.root();
  n.b = b.root();
  return set_value(std::make_shared<const set_value::node>(std::move(n)));
}
} // namespace

set_value plus(set_value a, set_value b) {
  return two(set_value::node::kind::plus, std::move(a), std::move(b));
}
set_value minus(set_value a, set_value b) {
  return two(set_value::node::kind::minus, std::move(a), std::move(b));
}
set_value if_not_exists(const path& p, set_value fallback) {
  return two(set_value::node::kind::if_not_exists, set_value(p), std::move(fallback), p);
}
set_value list_append(set_value a, set_value b) {
  return two(set_value::node::kind::list_append, std::move(a), std::move(b));
}

// ---------------------------------------------------------------------------------------------
// Rendering

namespace {

bool digits_only(std::string_view placeholder) {
  return placeholder.size() > 1 &&
         std::all_of(placeholder.begin() + 1, placeholder.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// One render call: placeholders allocated against the request's maps, undone on error.
class renderer {
public:
  renderer(expression_names& names, ddb::item& values) : names_(names), values_(values) {
    for (auto& [p, a] : names_)
      if (digits_only(p)) reuse_.emplace(a, p);
  }

  bool failed() const noexcept { return !error_.empty(); }
  void fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
  }

  error_code finish(std::string& text, std::string& out, std::string& why) {
    if (!failed()) {
      out = std::move(text);
      return {};
    }
    for (auto& p : added_names_) names_.erase(p);
    for (auto& p : added_values_) values_.erase(p);
    out.clear();
    why = std::move(error_);
    return client_errc::invalid_expression;
  }

  void name(const std::string& attribute, std::string& out) {
    auto it = reuse_.find(attribute);
    if (it == reuse_.end()) {
      std::string p;
      do p = "#" + std::to_string(next_name_++);
      while (names_.contains(p));
      names_.emplace(p, attribute);
      added_names_.push_back(p);
      it = reuse_.emplace(attribute, std::move(p)).first;
    }
    out += it->second;
  }

  void value(const ddb::value& v, std::string& out) {
    std::string p;
    do p = ":" + std::to_string(next_value_++);
    while (values_.contains(p));
    values_.emplace(p, v);
    added_values_.push_back(p);
    out += p;
  }

  void path(const expr::path& p, std::string& out) {
    if (!p.error().empty()) {
      fail(p.error());
      return;
    }
    bool first = true;
    for (auto& e : p.elements()) {
      if (e.is_index) {
        out += '[';
        out += std::to_string(e.index);
        out += ']';
      } else {
        if (!first) out += '.';
        name(e.name, out);
      }
      first = false;
    }
  }

  void operand(const expr::operand& o, std::string& out) {
    switch (o.what()) {
    case operand::kind::path:
      return path(o.target(), out);
    case operand::kind::value:
      return value(o.value(), out);
    case operand::kind::size:
      out += "size(";
      path(o.target(), out);
      out += ')';
      return;
    }
  }

  // Precedence: OR 1, AND 2, NOT 3, the rest 4. A child binding looser than its parent needs
  // parentheses.
  static int precedence(const condition::node& n) {
    using k = condition::node::kind;
    return n.what == k::any ? 1 : n.what == k::all ? 2 : n.what == k::negate ? 3 : 4;
  }

  void child(const condition::node& n, int parent, std::string& out) {
    bool parens = precedence(n) < parent;
    if (parens) out += '(';
    condition(n, out);
    if (parens) out += ')';
  }

  void condition(const condition::node& n, std::string& out) {
    using k = condition::node::kind;
    if (!n.error.empty()) {
      fail(n.error);
      return;
    }
    static constexpr std::array<std::string_view, 6> ops = {" = ", " <> ", " < ", " <= ", " > ", " >= "};
    static constexpr std::array<std::string_view, 10> types = {"S",  "SS",   "N",    "NS", "B",
                                                               "BS", "BOOL", "NULL", "L",  "M"};
    auto call = [&](std::string_view fn) {
      out += fn;
      out += '(';
      for (std::size_t i = 0; i < n.operands.size(); ++i) {
        if (i) out += ", ";
        operand(n.operands[i], out);
      }
      out += ')';
    };
    switch (n.what) {
    case k::compare:
      operand(n.operands[0], out);
      out += ops[static_cast<std::size_t>(n.op)];
      operand(n.operands[1], out);
      return;
    case k::between:
      operand(n.operands[0], out);
      out += " BETWEEN ";
      operand(n.operands[1], out);
      out += " AND ";
      operand(n.operands[2], out);
      return;
    case k::in:
      operand(n.operands[0], out);
      out += " IN (";
      for (std::size_t i = 1; i < n.operands.size(); ++i) {
        if (i > 1) out += ", ";
        operand(n.operands[i], out);
      }
      out += ')';
      return;
    case k::exists:
      return call("attribute_exists");
    case k::not_exists:
      return call("attribute_not_exists");
    case k::type: {
      out += "attribute_type(";
      operand(n.operands[0], out);
      out += ", ";
      value(ddb::value(std::string(types[static_cast<std::size_t>(n.t)])), out);
      out += ')';
      return;
    }
    case k::begins_with:
      return call("begins_with");
    case k::contains:
      return call("contains");
    case k::all:
    case k::any:
      child(*n.left, precedence(n), out);
      out += n.what == k::all ? " AND " : " OR ";
      child(*n.right, precedence(n), out);
      return;
    case k::negate:
      out += "NOT ";
      child(*n.left, 5, out); // always parenthesized: NOT (a = 1), easier to read

      return;
    }
  }

  void set(const set_value::node& n, std::string& out, bool in_arithmetic = false) {
    using k = set_value::node::kind;
    switch (n.what) {
    case k::path:
      return path(n.p, out);
    case k::value:
      return value(n.v, out);
    case k::plus:
    case k::minus:
      if (in_arithmetic) {
        fail("arithmetic inside arithmetic ((a + b) + c) is not an UpdateExpression");
        return;
      }
      set(*n.a, out, true);
      out += n.what == k::plus ? " + " : " - ";
      set(*n.b, out, true);
      return;
    case k::if_not_exists:
    case k::list_append:
      out += n.what == k::if_not_exists ? "if_not_exists(" : "list_append(";
      set_argument(*n.a, out);
      out += ", ";
      set_argument(*n.b, out);
      out += ')';
      return;
    }
  }

  void set_argument(const set_value::node& n, std::string& out) {
    using k = set_value::node::kind;
    if (n.what == k::plus || n.what == k::minus) {
      fail("arithmetic as a function argument is not an UpdateExpression");
      return;
    }
    set(n, out);
  }

private:
  expression_names& names_;
  ddb::item& values_;
  std::map<std::string, std::string, std::less<>> reuse_; // attribute -> placeholder
  std::size_t next_name_ = 0;
  std::size_t next_value_ = 0;
  std::vector<std::string> added_names_, added_values_;
  std::string error_;
};

} // namespace

error_code render(const condition& c, std::string& out, expression_names& names, ddb::item& values,
                  std::string& why) {
  renderer r(names, values);
  std::string text;
  if (!c.empty()) r.condition(*c.root(), text);
  return r.finish(text, out, why);
}

error_code render(const update_actions& u, std::string& out, expression_names& names, ddb::item& values,
                  std::string& why) {
  using k = update_actions::kind;
  renderer r(names, values);
  auto& actions = u.actions();
  if (actions.empty()) r.fail("an update with no action");
  for (std::size_t i = 0; i < actions.size() && !r.failed(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (actions[i].target.error().empty() && actions[j].target.error().empty() &&
          actions[i].target.overlaps(actions[j].target)) {
        r.fail("two actions on overlapping paths: " + actions[j].target.str() + " and " +
               actions[i].target.str());
        break;
      }
  std::string sections[4]; // SET, REMOVE, ADD, DELETE
  for (auto& a : actions) {
    std::string& s = sections[static_cast<std::size_t>(a.what)];
    if (!s.empty()) s += ", ";
    r.path(a.target, s);
    switch (a.what) {
    case k::set:
      s += " = ";
      r.set(*a.v, s);
      break;
    case k::remove:
      break;
    case k::add:
    case k::remove_elements:
      s += ' ';
      r.set(*a.v, s);
      break;
    }
  }
  static constexpr const char* keywords[4] = {"SET ", "REMOVE ", "ADD ", "DELETE "};
  std::string text;
  for (std::size_t i = 0; i < 4; ++i) {
    if (sections[i].empty()) continue;
    if (!text.empty()) text += ' ';
    text += keywords[i];
    text += sections[i];
  }
  return r.finish(text, out, why);
}

} // namespace ddb::expr
