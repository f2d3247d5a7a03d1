#include "bkt/softmax.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "bkt/error.h"
#include "bkt/parallel.h"
#include "fast_exp.h"
#include "half_compute.h"

namespace bkt {
namespace {

constexpr int64_t kGrainElems = 1 << 14;
// Columns handled together when the axis is not the last: rows of this many stay in L1.
constexpr int64_t kColBlock = 256;

using fastmath::fastExpNonPositive;

int64_t grainFor(int64_t workPerTask) { return std::max<int64_t>(1, kGrainElems / std::max<int64_t>(1, workPerTask)); }

// The row and column helpers are forced inline so they are compiled inside run's BKT_VECTOR_CLONES lambda: as
// separate functions they were built for the x86-64-v2 baseline only (4-wide SSE) and the AVX2 and
// AVX-512 clones of the caller never reached them.
#define BKT_ROW_INLINE inline __attribute__((always_inline))

// Float bit patterns turned into integers that order as the floats do, so the row maximum is an
// integer max reduction: GCC vectorizes that at each clone's width, while it will not reorder a float
// max without -ffast-math. NaN with the sign bit clear ranks above +inf and with it set below -inf;
// either way a NaN reaches the exp sum and makes the whole row NaN.
template <typename T>
struct OrderKey;
template <>
struct OrderKey<float> {
  using Int = int32_t;
};
template <>
struct OrderKey<double> {
  using Int = int64_t;
};

// The map is its own inverse: it flips the magnitude bits of negative values.
template <typename T, typename I = typename OrderKey<T>::Int>
BKT_ROW_INLINE I flipNegative(I bits) {
  return bits ^ ((bits >> (8 * sizeof(I) - 1)) & std::numeric_limits<I>::max());
}

template <typename T>
BKT_ROW_INLINE T rowMax(const T* x, int64_t n) {
  using I = typename OrderKey<T>::Int;
  I m = std::numeric_limits<I>::min();
  for (int64_t i = 0; i < n; ++i) {
    I bits;
    std::memcpy(&bits, x + i, sizeof bits);
    m = std::max(m, flipNegative<T>(bits));
  }
  const I bits = flipNegative<T>(m);
  T v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

// 64 bytes of T (GCC vector extensions), and the same lanes as double. The exp sums run in one such
// vector, which GCC keeps in registers (a zmm in the AVX-512 clone, two ymm or four xmm in the
// others), where an array of lane sums stayed on the stack and chained every add through a store.
template <typename T>
struct Lanes;
template <>
struct Lanes<float> {
  typedef float Vec __attribute__((vector_size(64)));
  typedef double Wide __attribute__((vector_size(128)));
};
template <>
struct Lanes<double> {
  typedef double Vec __attribute__((vector_size(64)));
  using Wide = Vec;
};

// exp((x - m) * invT) summed, stored to y unless only the sum is wanted. The row goes in blocks of
// kFold vectors: the exps of a block (a plain loop GCC vectorizes at the clone's width), then the sum
// of the block before it, from L1. Summing a vector as it is stored, or a block right after its
// stores, would load data still in the store queue, and a 64-byte load of it waits for the stores.
// Each lane of a block's sum adds kFold terms in [0, 1] before it is folded into the double lanes of
// `total`, so a float32 lane carries a relative error of at most ~kFold·2⁻²⁴; the double total keeps
// wide rows (tens of thousands of classes) from losing small terms.
template <bool Store, typename T>
BKT_ROW_INLINE double expSum(const T* x, T* y, int64_t n, T m, T invT) {
  using Vec = typename Lanes<T>::Vec;
  using Wide = typename Lanes<T>::Wide;
  constexpr int64_t kLanes = sizeof(Vec) / sizeof(T);
  constexpr int64_t kFold = 32;
  T buf[Store ? 1 : 2][kFold * kLanes];
  Wide total = {};
  const T* pending = nullptr;
  int64_t pendingLen = 0;
  const auto fold = [&]() __attribute__((always_inline)) {
    Vec acc = {};
    for (int64_t k = 0; k < pendingLen; k += kLanes) {
      Vec v;
      std::memcpy(&v, pending + k, sizeof v);
      acc += v;
    }
    total += __builtin_convertvector(acc, Wide);
  };
  int64_t i = 0;
  for (int64_t block = 0; i + kLanes <= n; ++block) {
    const int64_t len = std::min(kFold * kLanes, (n - i) / kLanes * kLanes);
    T* const e = Store ? y + i : buf[block % 2];
    // The next row's max pass reads from memory; fetching it while this row computes exps hides that.
    for (int64_t k = 0; k < len; k += 64 / sizeof(T)) __builtin_prefetch(x + n + i + k);
    for (int64_t k = 0; k < len; ++k) e[k] = fastExpNonPositive((x[i + k] - m) * invT);
    fold();
    pending = e;
    pendingLen = len;
    i += len;
  }
  fold();
  double sum = 0;
  for (int64_t k = 0; k < kLanes; ++k) sum += total[k];
  for (; i < n; ++i) {
    const T e = fastExpNonPositive((x[i] - m) * invT);
    if constexpr (Store) y[i] = e;
    sum += static_cast<double>(e);
  }
  return sum;
}

template <bool Log, typename T>
BKT_ROW_INLINE void softmaxRow(const T* x, T* y, int64_t n, T invT) {
  const T m = rowMax(x, n);
  const double sum = expSum<!Log>(x, y, n, m, invT);
  if constexpr (Log) {
    const T logSum = static_cast<T>(std::log(sum));
    for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - m) * invT - logSum;
  } else {
    const T scale = static_cast<T>(1.0 / sum);
    for (int64_t i = 0; i < n; ++i) y[i] *= scale;
  }
}

// The same over `n` rows of `w` columns that lie `stride` apart, column by column in lockstep.
template <bool Log, typename T>
BKT_ROW_INLINE void softmaxColumns(const T* x, T* y, int64_t n, int64_t w, int64_t stride, T invT) {
  T m[kColBlock];
  double sum[kColBlock];
  for (int64_t j = 0; j < w; ++j) {
    m[j] = x[j];
    sum[j] = 0;
  }
  for (int64_t i = 1; i < n; ++i) {
    const T* row = x + i * stride;
    for (int64_t j = 0; j < w; ++j) m[j] = row[j] > m[j] ? row[j] : m[j];
  }
  for (int64_t i = 0; i < n; ++i) {
    const T* row = x + i * stride;
    T* out = y + i * stride;
    for (int64_t j = 0; j < w; ++j) {
      const T e = fastExpNonPositive((row[j] - m[j]) * invT);
      if constexpr (!Log) out[j] = e;
      sum[j] += static_cast<double>(e);
    }
  }
  T fin[kColBlock];
  for (int64_t j = 0; j < w; ++j) fin[j] = static_cast<T>(Log ? std::log(sum[j]) : 1.0 / sum[j]);
  for (int64_t i = 0; i < n; ++i) {
    const T* row = x + i * stride;
    T* out = y + i * stride;
    for (int64_t j = 0; j < w; ++j) {
      if constexpr (Log) {
        out[j] = (row[j] - m[j]) * invT - fin[j];
      } else {
        out[j] *= fin[j];
      }
    }
  }
}

template <bool Log, typename T>
void run(const T* x, T* y, int64_t outer, int64_t n, int64_t inner, T invT) {
  if (inner == 1) {
    parallelFor(outer, grainFor(n), [&](int64_t b, int64_t e) BKT_VECTOR_CLONES {
      for (int64_t o = b; o < e; ++o) softmaxRow<Log>(x + o * n, y + o * n, n, invT);
    });
    return;
  }
  const int64_t blocks = (inner + kColBlock - 1) / kColBlock;
  parallelFor(outer * blocks, grainFor(n * std::min(inner, kColBlock)), [&](int64_t b, int64_t e) BKT_VECTOR_CLONES {
    for (int64_t t = b; t < e; ++t) {
      const int64_t off = t / blocks * n * inner + t % blocks * kColBlock;
      const int64_t w = std::min(kColBlock, inner - t % blocks * kColBlock);
      softmaxColumns<Log>(x + off, y + off, n, w, inner, invT);
    }
  });
}

// bfloat16 data: each task widens its rows (or column block) into a float32 buffer of its own, runs the
// float32 kernel there in place and rounds the result once on the way out, so the arithmetic is
// float32's (MXNet keeps softmax in float32 for bfloat16 models) without a float32 copy of the array.
void widen(const BFloat16* from, int64_t rows, int64_t cols, int64_t stride, float* to) {
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) to[i * cols + j] = from[i * stride + j];
  }
}

void narrow(const float* from, int64_t rows, int64_t cols, int64_t stride, BFloat16* to) {
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) to[i * stride + j] = BFloat16(from[i * cols + j]);
  }
}

template <bool Log>
void runBFloat16(const BFloat16* x, BFloat16* y, int64_t outer, int64_t n, int64_t inner, float invT) {
  if (inner == 1) {
    parallelFor(outer, grainFor(n), [&](int64_t b, int64_t e) BKT_VECTOR_CLONES {
      std::vector<float> row(static_cast<size_t>(n));
      for (int64_t o = b; o < e; ++o) {
        widen(x + o * n, 1, n, n, row.data());
        softmaxRow<Log>(row.data(), row.data(), n, invT);
        narrow(row.data(), 1, n, n, y + o * n);
      }
    });
    return;
  }
  const int64_t blocks = (inner + kColBlock - 1) / kColBlock;
  parallelFor(outer * blocks, grainFor(n * std::min(inner, kColBlock)), [&](int64_t b, int64_t e) BKT_VECTOR_CLONES {
    std::vector<float> block(static_cast<size_t>(n * std::min(inner, kColBlock)));
    for (int64_t t = b; t < e; ++t) {
      const int64_t off = t / blocks * n * inner + t % blocks * kColBlock;
      const int64_t w = std::min(kColBlock, inner - t % blocks * kColBlock);
      widen(x + off, n, w, inner, block.data());
      softmaxColumns<Log>(block.data(), block.data(), n, w, w, invT);
      narrow(block.data(), n, w, inner, y + off);
    }
  });
}

template <bool Log>
void softmaxIntoImpl(const Tensor& x, int64_t axis, double temperature, const Tensor& y, const char* op) {
  half::requireFloatOrBFloat16(x, op, "data");
  if (!(temperature > 0) || !std::isfinite(temperature)) {
    fail(ErrorKind::kValue,
         std::string(op) + ": temperature must be a positive finite number, got " + std::to_string(temperature));
  }
  const int k = normalizeAxis(axis, x.ndim(), op);
  if (y.dtype() != x.dtype()) {
    fail(ErrorKind::kDType,
         std::string(op) + ": the output is " + dtypeName(y.dtype()) + " but the data is " + dtypeName(x.dtype()));
  }
  requireSize(y, x.size(), op, "output");
  const Shape& s = x.shape();
  int64_t outer = 1;
  int64_t inner = 1;
  for (int i = 0; i < k; ++i) outer *= s[static_cast<size_t>(i)];
  for (int i = k + 1; i < x.ndim(); ++i) inner *= s[static_cast<size_t>(i)];
  const int64_t n = s[static_cast<size_t>(k)];
  if (y.size() == 0) return;
  if (x.dtype() == DType::kFloat32) {
    run<Log>(x.data<float>(), y.data<float>(), outer, n, inner, static_cast<float>(1.0 / temperature));
  } else if (x.dtype() == DType::kBFloat16) {
    runBFloat16<Log>(x.data<BFloat16>(), y.data<BFloat16>(), outer, n, inner, static_cast<float>(1.0 / temperature));
  } else {
    run<Log>(x.data<double>(), y.data<double>(), outer, n, inner, 1.0 / temperature);
  }
}

template <bool Log>
Tensor softmaxImpl(const Tensor& x, int64_t axis, double temperature, const char* op) {
  half::requireFloatOrBFloat16(x, op, "data");
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.ctx());
  softmaxIntoImpl<Log>(x, axis, temperature, y, op);
  return y;
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t axis, double temperature) {
  return softmaxImpl<false>(x, axis, temperature, "softmax");
}

Tensor logSoftmax(const Tensor& x, int64_t axis, double temperature) {
  return softmaxImpl<true>(x, axis, temperature, "log_softmax");
}

void softmaxInto(const Tensor& x, int64_t axis, double temperature, bool log, const Tensor& y) {
  if (log) {
    softmaxIntoImpl<true>(x, axis, temperature, y, "log_softmax");
  } else {
    softmaxIntoImpl<false>(x, axis, temperature, y, "softmax");
  }
}

}  // namespace bkt
