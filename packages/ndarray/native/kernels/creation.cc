#include "bkt/creation.h"

#include <algorithm>
#include <cmath>

#include "bkt/elemwise.h"
#include "bkt/error.h"
#include "bkt/parallel.h"

namespace bkt {
namespace {

// Converts one value between element types; half goes through float, and bfloat16 is rounded once
// from the source's exact value (doubleToBFloat16).
template <typename To, typename From>
inline To convert(From v) {
  if constexpr (std::is_same_v<From, uint16_t> && std::is_same_v<To, uint16_t>) {
    return v;
  } else if constexpr (std::is_same_v<From, uint16_t>) {
    return static_cast<To>(halfToFloat(v));
  } else if constexpr (std::is_same_v<To, uint16_t>) {
    return floatToHalf(static_cast<float>(v));
  } else if constexpr (std::is_same_v<To, BFloat16> && !std::is_same_v<From, BFloat16>) {
    BFloat16 r;
    r.bits = doubleToBFloat16(static_cast<double>(v));
    return r;
  } else {
    return static_cast<To>(v);
  }
}

constexpr int64_t kGrain = 1 << 15;

}  // namespace

void fill(const Tensor& t, double value) {
  dispatchAll(t.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* p = t.data<T>();
    const T v = convert<T>(value);
    parallelFor(t.size(), kGrain, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) p[i] = v;
    });
  });
}

Tensor arange(double start, double step, int64_t n, DType dtype, Context ctx) {
  if (n < 0) fail(ErrorKind::kValue, "arange: the range is empty or reversed");
  Tensor t = Tensor::empty({n}, dtype, ctx, "arange");
  dispatchAll(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* p = t.data<T>();
    for (int64_t i = 0; i < n; ++i) p[i] = convert<T>(start + step * static_cast<double>(i));
  });
  return t;
}

void copyInto(const Tensor& dst, const Tensor& src) {
  requireSameShape(dst, src, "copyTo");
  if (dst.dtype() == src.dtype()) {
    if (dst.raw() != src.raw()) std::memmove(dst.raw(), src.raw(), src.nbytes());
    return;
  }
  dispatchAll(src.dtype(), [&](auto stag) {
    using S = decltype(stag);
    dispatchAll(dst.dtype(), [&](auto dtag) {
      using D = decltype(dtag);
      const S* s = src.data<S>();
      D* d = dst.data<D>();
      parallelFor(src.size(), kGrain, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) d[i] = convert<D>(s[i]);
      });
    });
  });
}

void copyRowsInto(const Tensor& dst, const Tensor& src, int64_t begin) {
  const char* op = "copyRowsTo";
  if (dst.ndim() == 0 || src.ndim() == 0) {
    fail(ErrorKind::kShape, std::string(op) + ": source " + shapeStr(src.shape()) + " and target " +
                                shapeStr(dst.shape()) + " must have at least one dimension");
  }
  const int64_t rows = dst.shape()[0];
  if (begin < 0 || begin > src.shape()[0] || rows > src.shape()[0] - begin) {
    fail(ErrorKind::kIndex, std::string(op) + ": rows [" + std::to_string(begin) + ", " + std::to_string(begin) +
                                " + " + std::to_string(rows) + ") are out of bounds for a source of shape " +
                                shapeStr(src.shape()));
  }
  if (!std::equal(dst.shape().begin() + 1, dst.shape().end(), src.shape().begin() + 1, src.shape().end())) {
    fail(ErrorKind::kShape, std::string(op) + ": target " + shapeStr(dst.shape()) +
                                " does not hold rows of a source of shape " + shapeStr(src.shape()));
  }
  const Tensor rowsOfSrc = src.sliceRows(begin, begin + rows);
  if (overlaps(rowsOfSrc, dst)) fail(ErrorKind::kValue, std::string(op) + ": the target overlaps the source rows");
  copyInto(dst, rowsOfSrc);
}

Tensor astype(const Tensor& src, DType dtype, Context ctx) {
  Tensor out = Tensor::empty(src.shape(), dtype, ctx, "astype");
  copyInto(out, src);
  return out;
}

}  // namespace bkt
