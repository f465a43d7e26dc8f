// ddb::page: a Query or Scan response parsed into flat storage, read through views.
//
// A page owns one byte arena (names, unescaped strings, number texts, decoded binary) and one
// vector of 16-byte nodes; nothing is allocated per item or per attribute, and both buffers keep
// their capacity when the same page is parsed into again. Views (item_view, value_view) are a
// pointer and cost nothing to copy; they read straight from the page.
//
//     ddb::page page;                                  // keep it: its memory is reused
//     ddb::response_parser parser;                     // one per connection or thread
//     if (auto ec = parser.parse_query(body, page, diag)) ...
//     for (ddb::item_view item : page.items()) {
//       std::string_view sk = item.at("SK").as_string();
//       if (auto score = item.find("score")) total += score->to_number().to<int>();
//       for (auto [name, value] : item) ...           // attributes in response order
//     }
//     if (page.last_evaluated_key()) next_request.exclusive_start_key(*page.last_evaluated_key());
//
// Lifetime: views and the string_views/spans they return are valid while the page lives and until
// it is parsed into again, cleared or assigned to. Copy what must outlive that (to_item(),
// to_value(), std::string(...)). last_evaluated_key() and consumed_capacity() are owning.
#pragma once

#include <ddb/responses.hpp>
#include <ddb/value.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace ddb {

class value_view;
class item_view;
class page;

namespace detail {

/// One attribute value of flat storage. The values of a list, map or set follow their container
/// node directly (pre-order), so a whole subtree is a contiguous run of nodes.
struct node {
  std::uint32_t offset;    // arena offset of the name (members of maps; empty otherwise),
                           // directly followed by the bytes of a scalar value
  std::uint32_t name_type; // name length << 4 | value_type
  std::uint32_t length;    // scalar: bytes of the value (BOOL: 0 or 1); container: children
  std::uint32_t span;      // nodes in this subtree, itself included: the next sibling is at +span

  value_type type() const noexcept { return static_cast<value_type>(name_type & 15u); }
  std::uint32_t name_size() const noexcept { return name_type >> 4; }
};
static_assert(sizeof(node) == 16);

/// Bodies larger than this are rejected (node fields are 32-bit; names get 28 bits).
inline constexpr std::size_t max_body_size = std::size_t{1} << 28;

/// A growable byte buffer: uninitialized growth, capacity kept by clear(), copies copy the bytes.
class arena {
public:
  arena() noexcept = default;
  arena(const arena& other);
  arena(arena&& other) noexcept
      : data_(std::move(other.data_)), size_(std::exchange(other.size_, 0)),
        capacity_(std::exchange(other.capacity_, 0)) {}
  arena& operator=(const arena& other);
  arena& operator=(arena&& other) noexcept {
    data_ = std::move(other.data_);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
    return *this;
  }
  ~arena() = default;

  const char* data() const noexcept { return data_.get(); }
  char* data() noexcept { return data_.get(); }
  std::size_t size() const noexcept { return size_; }
  std::size_t capacity() const noexcept { return capacity_; }
  void clear() noexcept { size_ = 0; }
  /// Capacity for at least `n` bytes in total, keeping the contents.
  void reserve(std::size_t n) {
    if (n > capacity_) reallocate(n);
  }
  /// Makes room for `n` more bytes and returns where they go; the size grows by `n`.
  char* extend(std::size_t n) {
    if (capacity_ - size_ < n) reallocate(size_ + n);
    char* p = data_.get() + size_;
    size_ += n;
    return p;
  }
  void append(std::string_view s) {
    if (!s.empty()) std::memcpy(extend(s.size()), s.data(), s.size());
  }
  /// Drops bytes from the end (n <= size()).
  void shrink_to(std::size_t n) noexcept { size_ = n; }

private:
  void reallocate(std::size_t at_least); // out of line: keeps the parser's hot loop small
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

/// Flat storage: the arena and the nodes.
struct flat {
  arena bytes;
  std::vector<node> nodes;
  void clear() noexcept {
    bytes.clear();
    nodes.clear();
  }
};

struct flat_access; // the parser's way in (src/)

} // namespace detail

/// A range of values: the elements of a list (L) or of a set (SS, NS, BS: values of type S, N, B).
class element_range {
public:
  class iterator;
  iterator begin() const noexcept;
  iterator end() const noexcept;
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

private:
  friend class value_view;
  element_range(const detail::node* first, const detail::node* last, const char* arena,
                std::size_t n) noexcept
      : first_(first), last_(last), arena_(arena), size_(n) {}
  const detail::node* first_;
  const detail::node* last_;
  const char* arena_;
  std::size_t size_;
};

/// A read-only view of one attribute value in a page (or other flat storage).
class value_view {
public:
  value_type type() const noexcept { return n_->type(); }
  bool is_null() const noexcept { return type() == value_type::null; }

  /// S: the unescaped UTF-8 text. Throws ddb::error(client_errc::wrong_type) for other types,
  /// as do all as_X accessors.
  std::string_view as_string() const { return scalar(value_type::string); }
  /// N: the number's text exactly as DynamoDB sent it (already validated).
  std::string_view as_number() const { return scalar(value_type::number); }
  /// N as an owning ddb::number.
  ddb::number to_number() const;
  /// B: the decoded bytes.
  std::span<const std::byte> as_binary() const {
    auto s = scalar(value_type::binary);
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
  }
  /// BOOL.
  bool as_bool() const;
  /// M: the attributes of the map.
  item_view as_map() const;
  /// L: the elements of the list.
  element_range as_list() const;
  /// L, SS, NS or BS: the elements (set elements are values of type S, N or B).
  element_range elements() const;
  /// Number of elements or attributes of a container (L, M, SS, NS, BS); 0 for scalars.
  std::size_t size() const noexcept { return is_container() ? n_->length : 0; }

  /// An owning copy.
  ddb::value to_value() const;

private:
  friend class element_range;
  friend class item_view;
  friend struct detail::flat_access;
  value_view(const detail::node* n, const char* arena) noexcept : n_(n), arena_(arena) {}
  bool is_container() const noexcept {
    auto t = type();
    return t == value_type::list || t == value_type::map || t >= value_type::string_set;
  }
  std::string_view text() const noexcept { return {arena_ + n_->offset + n_->name_size(), n_->length}; }
  std::string_view scalar(value_type t) const {
    if (type() != t) throw_wrong_type(t);
    return text();
  }
  [[noreturn]] void throw_wrong_type(value_type wanted) const;

  const detail::node* n_;
  const char* arena_;
};

class element_range::iterator {
public:
  using iterator_category = std::forward_iterator_tag;
  using value_type = value_view;
  using difference_type = std::ptrdiff_t;
  using pointer = void;
  using reference = value_view;

  iterator() noexcept = default;
  value_view operator*() const noexcept { return value_view(n_, arena_); }
  iterator& operator++() noexcept {
    n_ += n_->span;
    return *this;
  }
  iterator operator++(int) noexcept {
    auto old = *this;
    ++*this;
    return old;
  }
  friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.n_ == b.n_; }

private:
  friend class element_range;
  iterator(const detail::node* n, const char* arena) noexcept : n_(n), arena_(arena) {}
  const detail::node* n_ = nullptr;
  const char* arena_ = nullptr;
};

inline element_range::iterator element_range::begin() const noexcept { return {first_, arena_}; }
inline element_range::iterator element_range::end() const noexcept { return {last_, arena_}; }

/// One attribute of an item or map: `for (auto [name, value] : item)`.
struct attribute_view {
  std::string_view name;
  value_view value;
};

/// A read-only view of an item (or of a map attribute): its attributes in response order.
class item_view {
public:
  class iterator {
  public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = attribute_view;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = attribute_view;

    iterator() noexcept = default;
    attribute_view operator*() const noexcept {
      return {std::string_view(arena_ + n_->offset, n_->name_size()), value_view(n_, arena_)};
    }
    iterator& operator++() noexcept {
      n_ += n_->span;
      return *this;
    }
    iterator operator++(int) noexcept {
      auto old = *this;
      ++*this;
      return old;
    }
    friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.n_ == b.n_; }

  private:
    friend class item_view;
    iterator(const detail::node* n, const char* arena) noexcept : n_(n), arena_(arena) {}
    const detail::node* n_ = nullptr;
    const char* arena_ = nullptr;
  };

  iterator begin() const noexcept { return {n_ + 1, arena_}; }
  iterator end() const noexcept { return {n_ + n_->span, arena_}; }
  /// Number of attributes.
  std::size_t size() const noexcept { return n_->length; }
  bool empty() const noexcept { return n_->length == 0; }

  /// The attribute called `name`, or nullopt (a linear scan: items have few attributes).
  std::optional<value_view> find(std::string_view name) const noexcept;
  bool contains(std::string_view name) const noexcept { return find(name).has_value(); }
  /// The attribute called `name`; throws std::out_of_range when there is none.
  value_view at(std::string_view name) const;

  /// An owning copy.
  ddb::item to_item() const;

private:
  friend class value_view;
  friend struct detail::flat_access;
  item_view(const detail::node* n, const char* arena) noexcept : n_(n), arena_(arena) {}
  const detail::node* n_; // the map node
  const char* arena_;
};

inline item_view value_view::as_map() const {
  if (type() != value_type::map) throw_wrong_type(value_type::map);
  return item_view(n_, arena_);
}

/// A Query, Scan or ExecuteStatement response. Reuse one page object for consecutive pages: parsing into it
/// again reuses its memory (parsing invalidates all views obtained before).
class page {
public:
  /// The items of the page, as item_views in response order (random access).
  class item_range {
  public:
    class iterator {
    public:
      using iterator_category = std::random_access_iterator_tag;
      using value_type = item_view;
      using difference_type = std::ptrdiff_t;
      using pointer = void;
      using reference = item_view;

      iterator() noexcept = default;
      item_view operator*() const noexcept { return item_view_at(*p_); }
      item_view operator[](difference_type i) const noexcept { return item_view_at(p_[i]); }
      iterator& operator++() noexcept { return ++p_, *this; }
      iterator operator++(int) noexcept { return {p_++, f_}; }
      iterator& operator--() noexcept { return --p_, *this; }
      iterator operator--(int) noexcept { return {p_--, f_}; }
      iterator& operator+=(difference_type d) noexcept { return p_ += d, *this; }
      iterator& operator-=(difference_type d) noexcept { return p_ -= d, *this; }
      friend iterator operator+(iterator i, difference_type d) noexcept { return i += d; }
      friend iterator operator+(difference_type d, iterator i) noexcept { return i += d; }
      friend iterator operator-(iterator i, difference_type d) noexcept { return i -= d; }
      friend difference_type operator-(const iterator& a, const iterator& b) noexcept { return a.p_ - b.p_; }
      friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.p_ == b.p_; }
      friend auto operator<=>(const iterator& a, const iterator& b) noexcept { return a.p_ <=> b.p_; }

    private:
      friend class item_range;
      iterator(const std::uint32_t* p, const detail::flat* f) noexcept : p_(p), f_(f) {}
      item_view item_view_at(std::uint32_t index) const noexcept;
      const std::uint32_t* p_ = nullptr;
      const detail::flat* f_ = nullptr;
    };

    iterator begin() const noexcept { return {first_, f_}; }
    iterator end() const noexcept { return {first_ + size_, f_}; }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    item_view operator[](std::size_t i) const noexcept { return begin()[static_cast<std::ptrdiff_t>(i)]; }

  private:
    friend class page;
    item_range(const std::uint32_t* first, std::size_t n, const detail::flat* f) noexcept
        : first_(first), size_(n), f_(f) {}
    const std::uint32_t* first_;
    std::size_t size_;
    const detail::flat* f_;
  };

  page() = default;

  item_range items() const noexcept { return {items_.data(), items_.size(), &flat_}; }
  /// Number of items in this page (size() == items().size()).
  std::size_t size() const noexcept { return items_.size(); }
  bool empty() const noexcept { return items_.empty(); }
  item_view operator[](std::size_t i) const noexcept { return items()[i]; }

  /// Count: items in the page after filtering (with Select=COUNT, the only result).
  std::uint64_t count() const noexcept { return count_; }
  /// ScannedCount: items evaluated before the FilterExpression.
  std::uint64_t scanned_count() const noexcept { return scanned_count_; }
  /// LastEvaluatedKey: present when there may be more pages; pass it as the next request's
  /// ExclusiveStartKey. Owning, so it can outlive the page.
  const std::optional<ddb::item>& last_evaluated_key() const noexcept { return last_evaluated_key_; }
  /// NextToken (ExecuteStatement): present when there are more results; pass it as the next
  /// request's next_token. Query and Scan pages have none.
  const std::optional<std::string>& next_token() const noexcept { return next_token_; }
  /// True when DynamoDB returned a LastEvaluatedKey or a NextToken.
  bool has_more() const noexcept { return last_evaluated_key_.has_value() || next_token_.has_value(); }
  const std::optional<ddb::consumed_capacity>& consumed_capacity() const noexcept { return consumed_; }

  /// Owning copies of all items.
  std::vector<ddb::item> to_items() const;

  /// Empties the page, keeping its memory.
  void clear() noexcept;
  /// Bytes of memory kept for reuse (arena plus nodes).
  std::size_t capacity_bytes() const noexcept {
    return flat_.bytes.capacity() + flat_.nodes.capacity() * sizeof(detail::node) +
           items_.capacity() * sizeof(std::uint32_t);
  }

private:
  friend struct detail::flat_access;
  detail::flat flat_;
  std::vector<std::uint32_t> items_; // node index of each item
  std::uint64_t count_ = 0;
  std::uint64_t scanned_count_ = 0;
  std::optional<ddb::item> last_evaluated_key_;
  std::optional<std::string> next_token_;
  std::optional<ddb::consumed_capacity> consumed_;
};

namespace detail {
/// How the parser (src/) builds pages and views; not part of the API.
struct flat_access {
  static item_view item(const flat& f, std::uint32_t index) noexcept {
    return item_view(f.nodes.data() + index, f.bytes.data());
  }
  static value_view value(const flat& f, std::uint32_t index) noexcept {
    return value_view(f.nodes.data() + index, f.bytes.data());
  }
  static flat& storage(page& p) noexcept { return p.flat_; }
  static std::vector<std::uint32_t>& items(page& p) noexcept { return p.items_; }
  static std::uint64_t& count(page& p) noexcept { return p.count_; }
  static std::uint64_t& scanned_count(page& p) noexcept { return p.scanned_count_; }
  static std::optional<ddb::item>& last_evaluated_key(page& p) noexcept { return p.last_evaluated_key_; }
  static std::optional<std::string>& next_token(page& p) noexcept { return p.next_token_; }
  static std::optional<ddb::consumed_capacity>& consumed_capacity(page& p) noexcept { return p.consumed_; }
};
} // namespace detail

inline item_view page::item_range::iterator::item_view_at(std::uint32_t index) const noexcept {
  return detail::flat_access::item(*f_, index);
}

} // namespace ddb
