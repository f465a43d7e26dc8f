// ddb::page and its views: reading flat storage, and owning copies of it.
#include <ddb/error.hpp>
#include <ddb/page.hpp>

#include <algorithm>
#include <stdexcept>

namespace ddb {

namespace detail {

arena::arena(const arena& other) : size_(other.size_), capacity_(other.size_) {
  if (size_) {
    data_.reset(new char[size_]);
    std::memcpy(data_.get(), other.data_.get(), size_);
  }
}

arena& arena::operator=(const arena& other) {
  if (this != &other) {
    size_ = 0;
    reserve(other.size_);
    if (other.size_) std::memcpy(data_.get(), other.data_.get(), other.size_);
    size_ = other.size_;
  }
  return *this;
}

void arena::reallocate(std::size_t at_least) {
  std::size_t n = std::max({at_least, capacity_ + capacity_ / 2, std::size_t{256}});
  std::unique_ptr<char[]> fresh(new char[n]); // not zeroed: only written bytes are ever read
  if (size_) std::memcpy(fresh.get(), data_.get(), size_);
  data_ = std::move(fresh);
  capacity_ = n;
}

} // namespace detail

void value_view::throw_wrong_type(value_type wanted) const {
  throw error(client_errc::wrong_type,
              "attribute is " + std::string(type_tag(type())) + ", not " + std::string(type_tag(wanted)));
}

number value_view::to_number() const { return number(as_number()); }

bool value_view::as_bool() const {
  if (type() != value_type::boolean) throw_wrong_type(value_type::boolean);
  return n_->length != 0;
}

element_range value_view::as_list() const {
  if (type() != value_type::list) throw_wrong_type(value_type::list);
  return {n_ + 1, n_ + n_->span, arena_, n_->length};
}

element_range value_view::elements() const {
  auto t = type();
  if (t != value_type::list && t < value_type::string_set) throw_wrong_type(value_type::list);
  return {n_ + 1, n_ + n_->span, arena_, n_->length};
}

namespace {
bytes to_bytes(std::span<const std::byte> s) { return bytes(s.begin(), s.end()); }
} // namespace

value value_view::to_value() const {
  switch (type()) {
  case value_type::string:
    return value(std::string(text()));
  case value_type::number:
    return value(to_number());
  case value_type::binary:
    return value(to_bytes(as_binary()));
  case value_type::boolean:
    return value(as_bool());
  case value_type::null:
    return value(null);
  case value_type::list: {
    list l;
    l.reserve(n_->length);
    for (value_view e : as_list()) l.push_back(e.to_value());
    return value(std::move(l));
  }
  case value_type::map:
    return value(as_map().to_item());
  case value_type::string_set: {
    string_set s;
    for (value_view e : elements()) s.emplace(e.as_string());
    return value(std::move(s));
  }
  case value_type::number_set: {
    number_set s;
    for (value_view e : elements()) s.insert(e.to_number());
    return value(std::move(s));
  }
  case value_type::binary_set: {
    binary_set s;
    for (value_view e : elements()) s.insert(to_bytes(e.as_binary()));
    return value(std::move(s));
  }
  }
  return value(); // unreachable: the parser writes only the ten types
}

std::optional<value_view> item_view::find(std::string_view name) const noexcept {
  for (auto [n, v] : *this)
    if (n == name) return v;
  return std::nullopt;
}

value_view item_view::at(std::string_view name) const {
  if (auto v = find(name)) return *v;
  throw std::out_of_range("no attribute '" + std::string(name) + "' in item");
}

item item_view::to_item() const {
  item out;
  for (auto [name, v] : *this) out.emplace(std::string(name), v.to_value());
  return out;
}

std::vector<item> page::to_items() const {
  std::vector<item> out;
  out.reserve(size());
  for (item_view i : items()) out.push_back(i.to_item());
  return out;
}

void page::clear() noexcept {
  flat_.clear();
  items_.clear();
  count_ = scanned_count_ = 0;
  last_evaluated_key_.reset();
  next_token_.reset();
  consumed_.reset();
}

} // namespace ddb
