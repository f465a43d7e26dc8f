#include "ini_file.hpp"

namespace ddb::detail {
namespace {

bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

// The characters the Java SDK allows in profile and property names.
bool is_identifier(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && std::string_view("-_/.%@:+").find(c) == std::string_view::npos) return false;
  }
  return true;
}

// "profile  dev" -> "dev" for prefix "profile"; empty when `name` does not start with prefix + blank.
std::string_view after_prefix(std::string_view name, std::string_view prefix) noexcept {
  if (name.size() <= prefix.size() || name.substr(0, prefix.size()) != prefix ||
      !is_blank(name[prefix.size()]))
    return {};
  return trim(name.substr(prefix.size()));
}

// In property lines a comment needs whitespace before it, so `secret=ab#cd` keeps its '#'.
std::string_view strip_property_comment(std::string_view line) noexcept {
  for (std::size_t i = 1; i < line.size(); ++i)
    if ((line[i] == '#' || line[i] == ';') && is_blank(line[i - 1])) return line.substr(0, i);
  return line;
}

// Splits "key = value"; false without '=' or with an empty key.
bool split_property(std::string_view line, std::string_view& key, std::string_view& value) noexcept {
  const auto eq = line.find('=');
  if (eq == std::string_view::npos) return false;
  key = trim(line.substr(0, eq));
  value = trim(line.substr(eq + 1));
  return !key.empty();
}

class parser {
public:
  explicit parser(ini_kind kind) noexcept : kind_(kind) {}

  // Returns false on a syntax error.
  bool line(std::string_view l) {
    if (trim(l).empty() || l.front() == '#' || l.front() == ';') return true;
    if (l.front() == '[') return section_line(l);
    if (is_blank(l.front())) return continuation_line(l);
    return property_line(l);
  }

  ini_sections& sections() noexcept { return sections_; }

private:
  bool section_line(std::string_view l) {
    l = trim(l.substr(0, l.find_first_of("#;")));
    if (l.size() < 2 || l.back() != ']') return false;
    const std::string_view raw = trim(l.substr(1, l.size() - 2));
    property_.clear();
    ignoring_property_ = false;
    section_ = nullptr;
    in_section_ = true;

    std::string key;
    bool profile_prefix = false;
    if (kind_ == ini_kind::credentials) {
      if (is_identifier(raw)) key = raw;
    } else if (raw == "default") {
      key = raw;
    } else if (auto name = after_prefix(raw, "profile"); is_identifier(name)) {
      key = name;
      profile_prefix = true;
    } else {
      for (std::string_view type : {"services", "sso-session"})
        if (auto n = after_prefix(raw, type); is_identifier(n))
          key = std::string(type) + ' ' + std::string(n);
    }
    if (key.empty()) return true; // not a section we know: ignore it and its properties

    // In config files `[profile default]` beats `[default]`, wherever each one is.
    if (kind_ == ini_kind::config && key == "default") {
      if (!profile_prefix && seen_profile_default_) return true;
      if (profile_prefix && !seen_profile_default_) {
        sections_.erase(key);
        seen_profile_default_ = true;
      }
    }
    section_ = &sections_[key];
    return true;
  }

  bool property_line(std::string_view l) {
    if (!in_section_) return false; // a property before any section
    if (!section_) return true;     // inside an ignored section
    std::string_view key, value;
    if (!split_property(trim(strip_property_comment(l)), key, value)) return false;
    if (!is_identifier(key)) {
      property_.clear();
      ignoring_property_ = true;
      return true;
    }
    property_ = key;
    ignoring_property_ = false;
    sub_properties_ = value.empty();
    (*section_)[property_] = value;
    return true;
  }

  bool continuation_line(std::string_view l) {
    if (in_section_ && (!section_ || ignoring_property_)) return true;
    if (property_.empty()) return false; // nothing to continue
    l = trim(l);                         // comments are part of continued values
    if (!sub_properties_) {
      auto& v = (*section_)[property_];
      v += '\n';
      v += l;
      return true;
    }
    std::string_view key, value;
    if (!split_property(l, key, value)) return false;
    if (is_identifier(key)) (*section_)[property_ + '.' + std::string(key)] = value;
    return true;
  }

  ini_kind kind_;
  ini_sections sections_;
  ini_properties* section_ = nullptr; // null before any section or inside an ignored one
  bool in_section_ = false;
  std::string property_; // the property continuation lines extend; empty when none
  bool ignoring_property_ = false;
  bool sub_properties_ = false;
  bool seen_profile_default_ = false;
};

} // namespace

error_code parse_ini(std::string_view text, ini_kind kind, ini_sections& out, std::size_t* error_line) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3); // UTF-8 byte order mark
  parser p(kind);
  std::size_t number = 0;
  while (!text.empty()) {
    ++number;
    const auto end = text.find('\n');
    std::string_view l = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (!p.line(l)) {
      if (error_line) *error_line = number;
      return client_errc::invalid_argument;
    }
  }
  // Merge only a file that parsed, so the `[profile default]` rule stays within one file.
  for (auto& [name, props] : p.sections()) {
    auto& target = out[name];
    for (auto& [k, v] : props) target[k] = std::move(v);
  }
  return {};
}

} // namespace ddb::detail
