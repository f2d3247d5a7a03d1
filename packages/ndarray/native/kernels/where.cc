// where(cond, x, y) with MXNet's two condition layouts: element-wise, or one flag per row of x.
#include <algorithm>
#include <cstring>
#include <string>
#include <type_traits>

#include "bkt/elemwise.h"
#include "bkt/error.h"
#include "elemwise_loop.h"

namespace bkt {
namespace {

// Truthiness of a condition element; half bits are true unless +0 or -0, so NaN counts as true.
template <typename C>
inline bool truthy(C v) {
  if constexpr (std::is_same_v<C, uint16_t>) {
    return (v & 0x7fff) != 0;
  } else {
    return v != 0;
  }
}

}  // namespace

void whereInto(const Tensor& cond, const Tensor& x, const Tensor& y, const Tensor& out) {
  requireSameContext(cond, x, "where");
  requireSameContext(x, y, "where");
  if (x.shape() != y.shape()) {
    fail(ErrorKind::kShape,
         "where: x " + shapeStr(x.shape()) + " and y " + shapeStr(y.shape()) + " must have one shape");
  }
  if (x.dtype() != y.dtype()) {
    fail(ErrorKind::kDType, std::string("where: x is ") + dtypeName(x.dtype()) + " but y is " + dtypeName(y.dtype()));
  }
  const bool perRow = cond.shape() != x.shape();
  if (perRow && !(cond.ndim() == 1 && x.ndim() >= 1 && cond.dim(0) == x.dim(0))) {
    fail(ErrorKind::kShape, "where: condition " + shapeStr(cond.shape()) + " must have the shape of x " +
                                shapeStr(x.shape()) + " or be 1-D with length x.shape[0]");
  }
  requireSameContext(x, out, "where");
  if (out.dtype() != x.dtype()) {
    fail(ErrorKind::kDType,
         std::string("where: the output is ") + dtypeName(out.dtype()) + " but x is " + dtypeName(x.dtype()));
  }
  requireSize(out, x.size(), "where", "output");
  dispatchAll(cond.dtype(), [&](auto ctag) {
    using C = decltype(ctag);
    const C* c = cond.data<C>();
    if (perRow) {
      const int64_t rows = x.dim(0);
      const size_t rowBytes = rows == 0 ? 0 : x.nbytes() / static_cast<size_t>(rows);
      const auto* xb = static_cast<const char*>(x.raw());
      const auto* yb = static_cast<const char*>(y.raw());
      auto* ob = static_cast<char*>(out.raw());
      const int64_t grain = std::max<int64_t>(1, elemwise::kCheapGrain * 4 / static_cast<int64_t>(rowBytes + 1));
      parallelFor(rows, grain, [=](int64_t lo, int64_t hi) {
        for (int64_t r = lo; r < hi; ++r) {
          const size_t off = static_cast<size_t>(r) * rowBytes;
          std::memcpy(ob + off, (truthy(c[r]) ? xb : yb) + off, rowBytes);
        }
      });
      return;
    }
    dispatchAll(x.dtype(), [&](auto vtag) {
      using T = decltype(vtag);
      const T* xv = x.data<T>();
      const T* yv = y.data<T>();
      T* o = out.data<T>();
      parallelFor(x.size(), elemwise::kCheapGrain, [=](int64_t lo, int64_t hi) {
        for (int64_t i = lo; i < hi; ++i) o[i] = truthy(c[i]) ? xv[i] : yv[i];
      });
    });
  });
}

void whereBackwardInto(const Tensor& cond, const Tensor& gradOut, const Tensor& gradX, const Tensor& gradY) {
  const char* op = "_backward_where";
  requireFloat(gradOut, op, "out_grad");
  requireDType(gradX, gradOut.dtype(), op, "x gradient");
  requireDType(gradY, gradOut.dtype(), op, "y gradient");
  requireSize(gradX, gradOut.size(), op, "x gradient");
  requireSize(gradY, gradOut.size(), op, "y gradient");
  const bool perRow = cond.size() != gradOut.size() || (cond.ndim() == 1 && gradOut.ndim() > 1);
  const int64_t rows = gradOut.ndim() == 0 ? 1 : gradOut.dim(0);
  if (perRow) requireSize(cond, rows, op, "condition");
  const int64_t inner = perRow ? (rows == 0 ? 0 : gradOut.size() / rows) : 1;
  dispatchAll(cond.dtype(), [&](auto ctag) {
    using C = decltype(ctag);
    const C* c = cond.data<C>();
    dispatchFloat(gradOut.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* g = gradOut.data<T>();
      T* gx = gradX.data<T>();
      T* gy = gradY.data<T>();
      parallelFor(gradOut.size(), elemwise::kCheapGrain, [=](int64_t lo, int64_t hi) {
        for (int64_t i = lo; i < hi; ++i) {
          const bool t = truthy(c[perRow ? i / inner : i]);
          const T v = g[i];
          gx[i] = t ? v : T(0);
          gy[i] = t ? T(0) : v;
        }
      });
    });
  });
}

Tensor where(const Tensor& cond, const Tensor& x, const Tensor& y) {
  Tensor out = Tensor::empty(x.shape(), x.dtype(), x.ctx());
  whereInto(cond, x, y, out);
  return out;
}

}  // namespace bkt
