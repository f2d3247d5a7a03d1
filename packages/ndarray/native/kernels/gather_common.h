// Helpers private to the indexing kernels: reading index arrays of any dtype, resolving out-of-range
// indices, and copying elements by size alone (copies never need the element's real type).
#pragma once
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "bkt/dtype.h"
#include "bkt/error.h"
#include "bkt/indexing.h"
#include "bkt/parallel.h"
#include "bkt/tensor.h"

namespace bkt::gather {

// Stands for a NaN index: clip mode sends it to 0, one_hot leaves its row off, raise mode reports it.
constexpr int64_t kNanIndex = INT64_MIN;
constexpr double kIndexLimit = 4611686018427387904.0;  // 2^62: beyond any axis, and safe to cast

// MXNet casts indices to an integer type, which truncates toward zero.
template <typename I>
inline int64_t toIndex(I v) {
  if constexpr (std::is_same_v<I, uint16_t>) {
    return toIndex(halfToFloat(v));
  } else if constexpr (std::is_floating_point_v<I>) {
    if (std::isnan(v)) return kNanIndex;
    const double d = std::trunc(static_cast<double>(v));
    return static_cast<int64_t>(d > kIndexLimit ? kIndexLimit : d < -kIndexLimit ? -kIndexLimit : d);
  } else {
    return static_cast<int64_t>(v);
  }
}

// The indices as int64, truncated but not yet resolved against an axis.
inline std::vector<int64_t> readIndices(const Tensor& indices) {
  std::vector<int64_t> out(static_cast<size_t>(indices.size()));
  dispatchAll(indices.dtype(), [&](auto tag) {
    using I = decltype(tag);
    const I* p = indices.data<I>();
    int64_t* o = out.data();
    parallelFor(indices.size(), 1 << 16, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) o[i] = toIndex(p[i]);
    });
  });
  return out;
}

inline std::string indexStr(int64_t j) { return j == kNanIndex ? std::string("nan") : std::to_string(j); }

// Maps every index into [0, n) by `mode`; raise mode reports the first offender. n must be positive.
inline void resolveIndices(std::vector<int64_t>& idx, int64_t n, IndexMode mode, const char* op, int axis) {
  if (mode == IndexMode::kRaise) {
    for (int64_t j : idx) {
      if (j < 0 || j >= n) {
        fail(ErrorKind::kIndex, std::string(op) + ": index " + indexStr(j) + " is out of bounds for axis " +
                                    std::to_string(axis) + " with size " + std::to_string(n) +
                                    " (valid indices are 0 to " + std::to_string(n - 1) + " in mode 'raise')");
      }
    }
    return;
  }
  int64_t* p = idx.data();
  const bool wrap = mode == IndexMode::kWrap;
  parallelFor(static_cast<int64_t>(idx.size()), 1 << 16, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      int64_t j = p[i];
      if (wrap) {
        j %= n;
        if (j < 0) j += n;
      } else {
        j = j < 0 ? 0 : j >= n ? n - 1 : j;
      }
      p[i] = j;
    }
  });
}

inline IndexMode checkMode(IndexMode mode, bool allowRaise, const char* op) {
  const auto m = static_cast<int32_t>(mode);
  if (m < 0 || m > 2 || (!allowRaise && mode == IndexMode::kRaise)) {
    fail(ErrorKind::kValue,
         std::string(op) + ": mode must be 'clip'" + (allowRaise ? ", 'wrap' or 'raise'" : " or 'wrap'"));
  }
  return mode;
}

// Calls fn(U{}) with U an unsigned integer of `bytes` bytes, for copying elements of any dtype.
template <typename Fn>
auto dispatchBySize(size_t bytes, Fn&& fn) {
  switch (bytes) {
    case 1:
      return fn(uint8_t{});
    case 2:
      return fn(uint16_t{});
    case 4:
      return fn(uint32_t{});
    default:
      return fn(uint64_t{});
  }
}

// Converts a double into T's representation (float16 is stored as its bits).
template <typename T>
inline T castValue(double v) {
  if constexpr (std::is_same_v<T, uint16_t>) {
    return floatToHalf(static_cast<float>(v));
  } else if constexpr (std::is_same_v<T, bool>) {
    return v != 0;
  } else {
    return static_cast<T>(v);
  }
}

}  // namespace bkt::gather
