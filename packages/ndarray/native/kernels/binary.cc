// Binary ops with NumPy broadcasting (MXNet broadcast_*) and their scalar variants. float16 and
// bfloat16 operands compute in float32 per element (half_compute.h).
//
// A broadcast is planned once: size-1 dims are dropped and neighbouring dims that step through both
// inputs alike are merged, so (n, 1) + (1, m) becomes one outer dim and one inner dim in which each
// input moves with stride 0 or 1. The inner dim then runs as a plain loop over pointers (array-array,
// scalar-array or array-scalar); outer indices advance like an odometer, so no element ever pays an
// index division.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "bkt/elemwise.h"
#include "bkt/error.h"
#include "elemwise_loop.h"
#include "half_compute.h"

namespace bkt {
namespace {

using elemwise::broadcastStrides;
using elemwise::kCheapGrain;
using elemwise::kCostlyGrain;
using half::load;
using half::store;

// Integer add/sub/mul wrap around (through unsigned arithmetic, which has no undefined overflow).
template <typename T, typename F>
inline T wrapping(T x, T y, F f) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(f(static_cast<U>(x), static_cast<U>(y)));
  } else {
    return f(x, y);
  }
}

// Calls fn(name, grain, integersAllowed, f) with the op's scalar function f; false for an unknown id.
// integersAllowed is a std::bool_constant so ops that are float-only are never compiled for ints.
template <typename Fn>
bool withBinary(BinaryOp op, Fn&& fn) {
  using Ints = std::true_type;
  using FloatsOnly = std::false_type;
  switch (op) {
    case BinaryOp::kAdd:
      fn("add", kCheapGrain, Ints{},
         [](auto x, auto y) { return wrapping(x, y, [](auto a, auto b) { return a + b; }); });
      return true;
    case BinaryOp::kSub:
      fn("subtract", kCheapGrain, Ints{},
         [](auto x, auto y) { return wrapping(x, y, [](auto a, auto b) { return a - b; }); });
      return true;
    case BinaryOp::kMul:
      fn("multiply", kCheapGrain, Ints{},
         [](auto x, auto y) { return wrapping(x, y, [](auto a, auto b) { return a * b; }); });
      return true;
    case BinaryOp::kDiv:
      fn("divide", kCheapGrain, FloatsOnly{}, [](auto x, auto y) { return x / y; });
      return true;
    case BinaryOp::kPow:
      fn("power", kCostlyGrain, FloatsOnly{}, [](auto x, auto y) { return std::pow(x, y); });
      return true;
    // NaN wins in maximum and minimum, as in NumPy (x != x only holds for NaN).
    case BinaryOp::kMaximum:
      fn("maximum", kCheapGrain, Ints{}, [](auto x, auto y) { return (x >= y || x != x) ? x : y; });
      return true;
    case BinaryOp::kMinimum:
      fn("minimum", kCheapGrain, Ints{}, [](auto x, auto y) { return (x <= y || x != x) ? x : y; });
      return true;
    case BinaryOp::kEqual:
      fn("equal", kCheapGrain, Ints{}, [](auto x, auto y) { return static_cast<decltype(x)>(x == y); });
      return true;
    case BinaryOp::kNotEqual:
      fn("notEqual", kCheapGrain, Ints{}, [](auto x, auto y) { return static_cast<decltype(x)>(x != y); });
      return true;
    case BinaryOp::kGreater:
      fn("greater", kCheapGrain, Ints{}, [](auto x, auto y) { return static_cast<decltype(x)>(x > y); });
      return true;
    case BinaryOp::kGreaterEqual:
      fn("greaterEqual", kCheapGrain, Ints{}, [](auto x, auto y) { return static_cast<decltype(x)>(x >= y); });
      return true;
    case BinaryOp::kLesser:
      fn("lesser", kCheapGrain, Ints{}, [](auto x, auto y) { return static_cast<decltype(x)>(x < y); });
      return true;
    case BinaryOp::kLesserEqual:
      fn("lesserEqual", kCheapGrain, Ints{}, [](auto x, auto y) { return static_cast<decltype(x)>(x <= y); });
      return true;
    case BinaryOp::kCount:
      break;
  }
  return false;
}

[[noreturn]] void unknownOp(BinaryOp op) {
  fail(ErrorKind::kValue, "binary: unknown op id " + std::to_string(static_cast<int32_t>(op)));
}

bool isInteger(DType t) { return t == DType::kInt32 || t == DType::kInt64; }

void requireOperandDType(const Tensor& t, const char* op, const char* arg, bool intsAllowed) {
  if (half::isFloatOrHalf(t.dtype()) || (intsAllowed && isInteger(t.dtype()))) return;
  fail(ErrorKind::kDType, std::string(op) + ": " + arg + " must be " +
                              (intsAllowed ? "float16, bfloat16, float32, float64, int32 or int64"
                                           : "float16, bfloat16, float32 or float64") +
                              ", got " + dtypeName(t.dtype()) + " with shape " + shapeStr(t.shape()));
}

// Calls fn(T{}) for the five dtypes binary ops know; int instantiations only when allowed.
template <bool Ints, typename Fn>
void dispatchOperand(DType t, Fn&& fn) {
  if constexpr (Ints) {
    if (t == DType::kInt32) return fn(int32_t{});
    if (t == DType::kInt64) return fn(int64_t{});
  }
  half::dispatchFloatOrHalf(t, fn);
}

// One run of the inner dim: x and y step by sx and sy (each 0 or 1 after planning).
template <typename T, typename F>
inline void innerRun(const T* x, int64_t sx, const T* y, int64_t sy, T* out, int64_t n, F f) {
  if (sx == 1 && sy == 1) {
    for (int64_t i = 0; i < n; ++i) out[i] = store<T>(f(load(x[i]), load(y[i])));
  } else if (sx == 0 && sy == 1) {
    const auto xv = load(*x);
    for (int64_t i = 0; i < n; ++i) out[i] = store<T>(f(xv, load(y[i])));
  } else if (sx == 1 && sy == 0) {
    const auto yv = load(*y);
    for (int64_t i = 0; i < n; ++i) out[i] = store<T>(f(load(x[i]), yv));
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = store<T>(f(load(x[i * sx]), load(y[i * sy])));
  }
}

// The merged loop nest of a broadcast: outer dims (outermost first) and the inner run.
struct BroadcastPlan {
  std::vector<int64_t> outerDims, outerX, outerY;
  int64_t inner = 1, innerX = 0, innerY = 0;
};

BroadcastPlan planBroadcast(const Shape& xs, const Shape& ys, const Shape& out) {
  const std::vector<int64_t> sx = broadcastStrides(xs, out.size());
  const std::vector<int64_t> sy = broadcastStrides(ys, out.size());
  // Merged dims, innermost first.
  std::vector<int64_t> dims, mx, my;
  for (size_t k = 0; k < out.size(); ++k) {
    const size_t i = out.size() - 1 - k;
    if (out[i] == 1) continue;
    if (!dims.empty() && sx[i] == mx.back() * dims.back() && sy[i] == my.back() * dims.back()) {
      dims.back() *= out[i];
      continue;
    }
    dims.push_back(out[i]);
    mx.push_back(sx[i]);
    my.push_back(sy[i]);
  }
  BroadcastPlan p;
  if (dims.empty()) return p;  // a single element
  p.inner = dims[0];
  p.innerX = mx[0];
  p.innerY = my[0];
  for (size_t k = dims.size(); k-- > 1;) {
    p.outerDims.push_back(dims[k]);
    p.outerX.push_back(mx[k]);
    p.outerY.push_back(my[k]);
  }
  return p;
}

// Computes output elements [begin, end) of a planned broadcast.
template <typename T, typename F>
void broadcastRange(const T* x, const T* y, T* out, const BroadcastPlan& p, int64_t begin, int64_t end, F f) {
  const size_t nOuter = p.outerDims.size();
  std::vector<int64_t> idx(nOuter);
  int64_t row = begin / p.inner;
  int64_t col = begin % p.inner;
  int64_t offX = 0, offY = 0;
  for (size_t d = nOuter; d-- > 0;) {
    idx[d] = row % p.outerDims[d];
    row /= p.outerDims[d];
    offX += idx[d] * p.outerX[d];
    offY += idx[d] * p.outerY[d];
  }
  for (int64_t pos = begin; pos < end;) {
    const int64_t len = std::min(p.inner - col, end - pos);
    innerRun(x + offX + col * p.innerX, p.innerX, y + offY + col * p.innerY, p.innerY, out + pos, len, f);
    pos += len;
    col = 0;
    for (size_t d = nOuter; d-- > 0;) {
      offX += p.outerX[d];
      offY += p.outerY[d];
      if (++idx[d] < p.outerDims[d]) break;
      offX -= p.outerX[d] * p.outerDims[d];
      offY -= p.outerY[d] * p.outerDims[d];
      idx[d] = 0;
    }
  }
}

// The scalar in T; for int dtypes it must be an integer in range (a cast would silently truncate).
// A float16 operand's scalar is rounded to float16 first, as MXNet casts it to the operand's DType.
template <typename T>
T scalarAs(double s, const char* op, DType dtype) {
  if constexpr (std::is_integral_v<half::Compute<T>>) {
    const double lo = static_cast<double>(std::numeric_limits<T>::min());
    const double hiExclusive = -lo;  // 2^31 or 2^63, both exact in double
    if (!(std::trunc(s) == s && s >= lo && s < hiExclusive)) {
      fail(ErrorKind::kValue, std::string(op) + ": scalar " + std::to_string(s) + " is not an integer that " +
                                  dtypeName(dtype) + " can hold");
    }
  }
  return store<T>(s);
}

}  // namespace

const char* binaryOpName(BinaryOp op) {
  const char* name = "unknown";
  withBinary(op, [&](const char* n, int64_t, auto, auto) { name = n; });
  return name;
}

Shape broadcastShape(const Shape& a, const Shape& b, const char* op) {
  const size_t nd = std::max(a.size(), b.size());
  Shape out(nd);
  for (size_t k = 0; k < nd; ++k) {
    const int64_t da = k < a.size() ? a[a.size() - 1 - k] : 1;
    const int64_t db = k < b.size() ? b[b.size() - 1 - k] : 1;
    if (da != db && da != 1 && db != 1) {
      fail(ErrorKind::kShape, std::string(op) + ": shapes " + shapeStr(a) + " and " + shapeStr(b) +
                                  " cannot be broadcast together (dim " + std::to_string(da) + " vs " +
                                  std::to_string(db) + ")");
    }
    out[nd - 1 - k] = da == 1 ? db : da;
  }
  return out;
}

namespace {

// Validates a binary op's operands, then calls fn(name, grain, ints, f) as withBinary does.
template <typename Fn>
void withCheckedBinary(BinaryOp op, const Tensor& a, const Tensor& b, Fn&& fn) {
  const bool known = withBinary(op, [&](const char* name, int64_t grain, auto ints, auto f) {
    constexpr bool kInts = decltype(ints)::value;
    requireOperandDType(a, name, "lhs", kInts);
    requireOperandDType(b, name, "rhs", kInts);
    if (a.dtype() != b.dtype()) {
      fail(ErrorKind::kDType, std::string(name) + ": lhs " + shapeStr(a.shape()) + " is " + dtypeName(a.dtype()) +
                                  " but rhs " + shapeStr(b.shape()) + " is " + dtypeName(b.dtype()) +
                                  "; convert one with astype");
    }
    requireSameContext(a, b, name);
    fn(name, grain, ints, f);
  });
  if (!known) unknownOp(op);
}

}  // namespace

void binaryInto(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out) {
  withCheckedBinary(op, a, b, [&](const char* name, int64_t grain, auto ints, auto f) {
    constexpr bool kInts = decltype(ints)::value;
    const bool sameShape = a.shape() == b.shape();
    if (out.dtype() != a.dtype()) {
      fail(ErrorKind::kDType, std::string(name) + ": output is " + dtypeName(out.dtype()) + " but the operands are " +
                                  dtypeName(a.dtype()));
    }
    if (sameShape ? out.shape() != a.shape() : out.shape() != broadcastShape(a.shape(), b.shape(), name)) {
      fail(ErrorKind::kShape, std::string(name) + ": output " + shapeStr(out.shape()) + " is not the broadcast of " +
                                  shapeStr(a.shape()) + " and " + shapeStr(b.shape()));
    }
    requireSameContext(a, out, name);
    requireInPlaceOrDisjoint(a, out, name, "lhs");
    requireInPlaceOrDisjoint(b, out, name, "rhs");
    dispatchOperand<kInts>(a.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* x = a.data<T>();
      const T* y = b.data<T>();
      T* o = out.data<T>();
      if (sameShape) {
        parallelFor(out.size(), grain, [=](int64_t lo, int64_t hi) BKT_VECTOR_CLONES {
          innerRun(x + lo, 1, y + lo, 1, o + lo, hi - lo, f);
        });
        return;
      }
      // A one-element side that adds no dims is a scalar: skip planning (and its allocations).
      if (b.size() == 1 && out.shape() == a.shape()) {
        parallelFor(out.size(), grain,
                    [=](int64_t lo, int64_t hi) BKT_VECTOR_CLONES { innerRun(x + lo, 1, y, 0, o + lo, hi - lo, f); });
        return;
      }
      if (a.size() == 1 && out.shape() == b.shape()) {
        parallelFor(out.size(), grain,
                    [=](int64_t lo, int64_t hi) BKT_VECTOR_CLONES { innerRun(x, 0, y + lo, 1, o + lo, hi - lo, f); });
        return;
      }
      const BroadcastPlan plan = planBroadcast(a.shape(), b.shape(), out.shape());
      parallelFor(out.size(), grain,
                  [&](int64_t lo, int64_t hi) BKT_VECTOR_CLONES { broadcastRange(x, y, o, plan, lo, hi, f); });
    });
  });
}

Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b) {
  Tensor out;
  withCheckedBinary(op, a, b, [&](const char* name, int64_t, auto, auto) {
    const Shape shape = a.shape() == b.shape() ? a.shape() : broadcastShape(a.shape(), b.shape(), name);
    out = Tensor::empty(shape, a.dtype(), a.ctx());
  });
  binaryInto(op, a, b, out);
  return out;
}

void binaryScalarInto(BinaryOp op, const Tensor& a, double scalar, bool scalarOnLeft, const Tensor& out) {
  const bool known = withBinary(op, [&](const char* name, int64_t grain, auto ints, auto f) {
    constexpr bool kInts = decltype(ints)::value;
    requireOperandDType(a, name, scalarOnLeft ? "rhs" : "lhs", kInts);
    requireElementwiseOut(a, out, name);
    requireInPlaceOrDisjoint(a, out, name, scalarOnLeft ? "rhs" : "lhs");
    dispatchOperand<kInts>(a.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T s = scalarAs<T>(scalar, name, a.dtype());
      const T* x = a.data<T>();
      T* o = out.data<T>();
      parallelFor(out.size(), grain, [=](int64_t lo, int64_t hi) BKT_VECTOR_CLONES {
        if (scalarOnLeft) {
          innerRun(&s, 0, x + lo, 1, o + lo, hi - lo, f);
        } else {
          innerRun(x + lo, 1, &s, 0, o + lo, hi - lo, f);
        }
      });
    });
  });
  if (!known) unknownOp(op);
}

Tensor binaryScalar(BinaryOp op, const Tensor& a, double scalar, bool scalarOnLeft) {
  Tensor out;
  const bool known = withBinary(op, [&](const char* name, int64_t, auto ints, auto) {
    requireOperandDType(a, name, scalarOnLeft ? "rhs" : "lhs", decltype(ints)::value);
    dispatchOperand<decltype(ints)::value>(a.dtype(),
                                           [&](auto tag) { scalarAs<decltype(tag)>(scalar, name, a.dtype()); });
    out = Tensor::empty(a.shape(), a.dtype(), a.ctx());
  });
  if (!known) unknownOp(op);
  binaryScalarInto(op, a, scalar, scalarOnLeft, out);
  return out;
}

}  // namespace bkt
