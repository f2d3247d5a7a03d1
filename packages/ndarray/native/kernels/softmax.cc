#include "bkt/softmax.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "bkt/error.h"
#include "bkt/parallel.h"

namespace bkt {
namespace {

constexpr int64_t kGrainElems = 1 << 14;
// Columns handled together when the axis is not the last: rows of this many stay in L1.
constexpr int64_t kColBlock = 256;

int64_t grainFor(int64_t workPerTask) { return std::max<int64_t>(1, kGrainElems / std::max<int64_t>(1, workPerTask)); }

// Exponentials are taken in T (float for float32) and summed in double.
template <bool Log, typename T>
void softmaxRow(const T* x, T* y, int64_t n, T invT) {
  T m = x[0];
  for (int64_t i = 1; i < n; ++i) m = x[i] > m ? x[i] : m;
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    const T e = std::exp((x[i] - m) * invT);
    if constexpr (!Log) y[i] = e;
    sum += static_cast<double>(e);
  }
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
void softmaxColumns(const T* x, T* y, int64_t n, int64_t w, int64_t stride, T invT) {
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
      const T e = std::exp((row[j] - m[j]) * invT);
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
    parallelFor(outer, grainFor(n), [&](int64_t b, int64_t e) {
      for (int64_t o = b; o < e; ++o) softmaxRow<Log>(x + o * n, y + o * n, n, invT);
    });
    return;
  }
  const int64_t blocks = (inner + kColBlock - 1) / kColBlock;
  parallelFor(outer * blocks, grainFor(n * std::min(inner, kColBlock)), [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) {
      const int64_t off = t / blocks * n * inner + t % blocks * kColBlock;
      const int64_t w = std::min(kColBlock, inner - t % blocks * kColBlock);
      softmaxColumns<Log>(x + off, y + off, n, w, inner, invT);
    }
  });
}

template <bool Log>
Tensor softmaxImpl(const Tensor& x, int64_t axis, double temperature, const char* op) {
  requireFloat(x, op, "data");
  if (!(temperature > 0) || !std::isfinite(temperature)) {
    fail(ErrorKind::kValue, std::string(op) + ": temperature must be a positive finite number, got " +
                                std::to_string(temperature));
  }
  const int k = normalizeAxis(axis, x.ndim(), op);
  const Shape& s = x.shape();
  int64_t outer = 1;
  int64_t inner = 1;
  for (int i = 0; i < k; ++i) outer *= s[static_cast<size_t>(i)];
  for (int i = k + 1; i < x.ndim(); ++i) inner *= s[static_cast<size_t>(i)];
  const int64_t n = s[static_cast<size_t>(k)];
  Tensor y = Tensor::empty(s, x.dtype(), x.ctx());
  if (y.size() == 0) return y;
  if (x.dtype() == DType::kFloat32) {
    run<Log>(x.data<float>(), y.data<float>(), outer, n, inner, static_cast<float>(1.0 / temperature));
  } else {
    run<Log>(x.data<double>(), y.data<double>(), outer, n, inner, 1.0 / temperature);
  }
  return y;
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t axis, double temperature) {
  return softmaxImpl<false>(x, axis, temperature, "softmax");
}

Tensor logSoftmax(const Tensor& x, int64_t axis, double temperature) {
  return softmaxImpl<true>(x, axis, temperature, "log_softmax");
}

}  // namespace bkt
