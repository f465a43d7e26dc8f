// A fixed-size log-linear latency histogram (HdrHistogram's idea, 3840 counters, 30 KB).
//
// Values are nanoseconds. Below 256 ns every value has its own bucket; above, each power of two
// is split into 128 equal buckets, so a bucket is at most 1/128 of its lower bound wide and the
// midpoint reported for it is within 0.4% of any value it holds. Values over 60 s count as 60 s.
// Memory does not grow with the number of samples: a run of a billion operations costs what a
// run of ten does (the "query over 1M items in < 64 MB RSS").
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace ddb_bench {

class latency_histogram {
public:
  static constexpr int sub_bits = 7;                                // 128 buckets per power of two
  static constexpr std::uint64_t linear_end = 1u << (sub_bits + 1); // exact below 256 ns
  static constexpr std::uint64_t max_ns = 60'000'000'000;           // 60 s
  static constexpr int max_exponent = 35;                           // bit_width(max_ns) - 1
  static constexpr std::size_t bucket_count =
      linear_end + (max_exponent - sub_bits) * (std::size_t{1} << sub_bits);

  void record(std::uint64_t ns) noexcept {
    ns = std::min(ns, max_ns);
    ++counts_[index_of(ns)];
    ++total_;
    max_ = std::max(max_, ns);
  }

  void merge(const latency_histogram& o) noexcept {
    for (std::size_t i = 0; i < bucket_count; ++i) counts_[i] += o.counts_[i];
    total_ += o.total_;
    max_ = std::max(max_, o.max_);
  }

  std::uint64_t count() const noexcept { return total_; }
  std::uint64_t max() const noexcept { return max_; }

  /// The value at quantile q (0 < q <= 1): the midpoint of the bucket holding the sample of rank
  /// ceil(q * count), never above the largest sample. 0 when empty.
  std::uint64_t quantile(double q) const noexcept {
    if (total_ == 0) return 0;
    auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total_)));
    rank = std::clamp<std::uint64_t>(rank, 1, total_);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < bucket_count; ++i) {
      seen += counts_[i];
      if (seen >= rank) return std::min(midpoint(i), max_);
    }
    return max_;
  }

  static std::size_t index_of(std::uint64_t ns) noexcept {
    if (ns < linear_end) return static_cast<std::size_t>(ns);
    int e = std::bit_width(ns) - 1; // >= sub_bits + 1
    std::uint64_t sub = (ns >> (e - sub_bits)) - (std::uint64_t{1} << sub_bits);
    return static_cast<std::size_t>(linear_end + (static_cast<std::uint64_t>(e - sub_bits - 1) << sub_bits) +
                                    sub);
  }
  static std::uint64_t lower_bound(std::size_t i) noexcept {
    if (i < linear_end) return i;
    std::size_t k = i - linear_end;
    int e = static_cast<int>(k >> sub_bits) + sub_bits + 1;
    std::uint64_t sub = k & ((std::size_t{1} << sub_bits) - 1);
    return ((std::uint64_t{1} << sub_bits) + sub) << (e - sub_bits);
  }
  static std::uint64_t width(std::size_t i) noexcept {
    if (i < linear_end) return 1;
    int e = static_cast<int>((i - linear_end) >> sub_bits) + sub_bits + 1;
    return std::uint64_t{1} << (e - sub_bits);
  }
  static std::uint64_t midpoint(std::size_t i) noexcept { return lower_bound(i) + width(i) / 2; }

private:
  std::array<std::uint64_t, bucket_count> counts_{};
  std::uint64_t total_ = 0;
  std::uint64_t max_ = 0;
};

} // namespace ddb_bench
