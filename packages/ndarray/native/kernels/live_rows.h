// Helpers private to the backward kernels that skip the all-zero rows of an output gradient (padded
// positions whose label SoftmaxOutput ignores): FullyConnected's (fully_connected.cc) and the fused RNN's
// (rnn.cc). A skipped row would only have added zeros to the products, unless an operand it meets is not
// finite (0 · inf is NaN): the callers check that with allFinite before skipping anything.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

#include "bkt/gemm_backend.h"
#include "bkt/parallel.h"

namespace bkt::liverows {

// Gather when the zero rows inside the span of live rows are at least span / this: a gathered row costs
// about 7% of what its products cost (measured, see the ndarray README), so a span with few zero rows
// runs in place whole.
constexpr int64_t kGatherMinZeroShare = 10;
// The midpoint between bfloat16's largest finite value 0x1.fep127 and infinity, which rounds (to even) up.
constexpr float kBFloat16Overflow = 0x1.ffp127f;
// Rows per pool task when gathering and scattering: on PTB's output layer a gathered row is 30 KB, and
// copying 23 MB on one thread cost about as much as a tenth of the rows' products.
constexpr int64_t kGatherGrain = 32;

template <typename T>
bool allZero(const T* p, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    if (p[i] != T(0)) return false;
  }
  return true;
}

// A nonzero row almost always has a nonzero first element, so only a row starting with 0 is scanned.
template <typename T>
bool zeroRow(const T* row, int64_t n) {
  return n == 0 || (row[0] == T(0) && allZero(row + 1, n - 1));
}

// The bound below which |x| keeps 0 · x at 0 in the products: infinity, or in bfloat16 precision
// kBFloat16Overflow (a float32 value from there up rounds to bfloat16's infinity).
template <typename T>
T productFiniteBound() {
  return std::is_same_v<T, float> && gemmPrecision() == GemmPrecision::kBFloat16 ? T(kBFloat16Overflow)
                                                                                 : std::numeric_limits<T>::infinity();
}

// Whether every |x| of p is below `bound`, which a NaN is not. Independent lanes so the loop vectorizes.
template <typename T>
bool allFinite(const T* p, int64_t n, T bound) {
  constexpr int64_t kLanes = 16;
  int32_t outside[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int64_t l = 0; l < kLanes; ++l) outside[l] |= static_cast<int32_t>(!(std::abs(p[i + l]) < bound));
  }
  for (; i < n; ++i) outside[0] |= static_cast<int32_t>(!(std::abs(p[i]) < bound));
  for (int64_t l = 0; l < kLanes; ++l) {
    if (outside[l] != 0) return false;
  }
  return true;
}

// How a backward runs over the live rows `live` (ascending) of `rows`: the `lead` rows from `first` in
// place (the whole span from the first to the last live row, when few of its rows are zero; otherwise the
// leading run of live rows) and live[lead..] gathered (`rest` of them). `worthSkipping`: some rows are
// left out at all.
struct LiveSplit {
  int64_t first, lead, rest;
  bool worthSkipping;
};

inline LiveSplit splitLive(const std::vector<int64_t>& live, int64_t rows) {
  const auto count = static_cast<int64_t>(live.size());
  const int64_t first = count > 0 ? live.front() : 0;
  const int64_t span = count > 0 ? live.back() - first + 1 : 0;
  if ((span - count) * kGatherMinZeroShare < span || span == count) return {first, span, 0, span < rows};
  int64_t lead = 1;  // the span has zero rows, so at least one live row follows the leading run
  while (lead < count && live[static_cast<size_t>(lead)] == first + lead) ++lead;
  return {first, lead, count - lead, true};
}

// dst's `count` rows (of `cols`, packed) = src's rows rows[0..count) (row stride ld), on the pool.
template <typename T>
void gatherRows(const T* src, int64_t ld, int64_t cols, const int64_t* rows, int64_t count, T* dst) {
  parallelFor(count, kGatherGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      std::memcpy(dst + i * cols, src + rows[i] * ld, sizeof(T) * static_cast<size_t>(cols));
    }
  });
}

// dst's rows rows[0..count) (row stride ld) = src's `count` packed rows of `cols`, on the pool.
template <typename T>
void scatterRows(const T* src, int64_t cols, const int64_t* rows, int64_t count, T* dst, int64_t ld) {
  parallelFor(count, kGatherGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      std::memcpy(dst + rows[i] * ld, src + i * cols, sizeof(T) * static_cast<size_t>(cols));
    }
  });
}

// Zeroes the packed rows (of `cols`) of dst outside [begin, end) of its `rows`.
template <typename T>
void zeroRowsOutside(T* dst, int64_t rows, int64_t cols, int64_t begin, int64_t end) {
  std::fill(dst, dst + begin * cols, T(0));
  std::fill(dst + end * cols, dst + rows * cols, T(0));
}

// A buffer of at least n values that the calling thread keeps, grown to the largest size met.
template <typename T>
T* grown(std::vector<T>& buffer, int64_t n) {
  if (static_cast<int64_t>(buffer.size()) < n) buffer.resize(static_cast<size_t>(n));
  return buffer.data();
}

}  // namespace bkt::liverows
