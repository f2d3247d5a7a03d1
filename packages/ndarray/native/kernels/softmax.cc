#include "bkt/softmax.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "bkt/error.h"
#include "bkt/parallel.h"
#include "fast_exp.h"

namespace bkt {
namespace {

constexpr int64_t kGrainElems = 1 << 14;
// Columns handled together when the axis is not the last: rows of this many stay in L1.
constexpr int64_t kColBlock = 256;

using fastmath::fastExp;

int64_t grainFor(int64_t workPerTask) { return std::max<int64_t>(1, kGrainElems / std::max<int64_t>(1, workPerTask)); }

// The row and column helpers are forced inline so they are compiled inside run's BKT_VECTOR_CLONES lambda: as
// separate functions they were built for the x86-64-v2 baseline only (4-wide SSE) and the AVX2 and
// AVX-512 clones of the caller never reached them.
#define BKT_ROW_INLINE inline __attribute__((always_inline))

// Sixteen running maxima so the comparison chain does not serialize the loop.
template <typename T>
BKT_ROW_INLINE T rowMax(const T* x, int64_t n) {
  constexpr int kLanes = 16;
  T lanes[kLanes];
  for (T& v : lanes) v = x[0];
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    const T* q = x + i;
    for (int k = 0; k < kLanes; ++k) lanes[k] = q[k] > lanes[k] ? q[k] : lanes[k];
  }
  T m = lanes[0];
  for (T v : lanes) m = v > m ? v : m;
  for (; i < n; ++i) m = x[i] > m ? x[i] : m;
  return m;
}

// exp((x - m) * invT) summed, stored to y unless only the sum is wanted. Sixteen lanes of T add at
// most kFold terms each (every term is in [0, 1]) before folding into a double, so a float32 lane
// carries a relative error of at most ~kFold·2⁻²⁴ while the loop stays in vector registers; the
// double total keeps wide rows (tens of thousands of classes) from losing small terms.
template <bool Store, typename T>
BKT_ROW_INLINE double expSum(const T* x, T* y, int64_t n, T m, T invT) {
  constexpr int kLanes = 16;
  constexpr int64_t kFold = 32;
  double sum = 0;
  int64_t i = 0;
  while (i + kLanes <= n) {
    T lanes[kLanes] = {};
    const int64_t end = i + std::min(kFold * kLanes, (n - i) / kLanes * kLanes);
    for (; i < end; i += kLanes) {
      for (int k = 0; k < kLanes; ++k) {
        const T e = fastExp((x[i + k] - m) * invT);
        if constexpr (Store) y[i + k] = e;
        lanes[k] += e;
      }
    }
    T block = 0;
    for (T v : lanes) block += v;
    sum += static_cast<double>(block);
  }
  for (; i < n; ++i) {
    const T e = fastExp((x[i] - m) * invT);
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
      const T e = fastExp((row[j] - m[j]) * invT);
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

template <bool Log>
void softmaxIntoImpl(const Tensor& x, int64_t axis, double temperature, const Tensor& y, const char* op) {
  requireFloat(x, op, "data");
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
  } else {
    run<Log>(x.data<double>(), y.data<double>(), outer, n, inner, 1.0 / temperature);
  }
}

template <bool Log>
Tensor softmaxImpl(const Tensor& x, int64_t axis, double temperature, const char* op) {
  requireFloat(x, op, "data");
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
