// Unary math and clip over float32/float64, and float16/bfloat16 computed in float32 (half_compute.h). NaN propagates
// through every op (as NumPy), including sign and relu where MXNet's formulas would turn it into 0.
#include <cmath>
#include <string>

#include "bkt/elemwise.h"
#include "bkt/error.h"
#include "elemwise_loop.h"
#include "half_compute.h"

namespace bkt {
namespace {

using elemwise::kCheapGrain;
using elemwise::kCostlyGrain;

// Calls fn(name, grain, f) with the op's scalar function f (generic over float and double);
// false for an unknown id.
template <typename Fn>
bool withUnary(UnaryOp op, Fn&& fn) {
  switch (op) {
    case UnaryOp::kExp:
      fn("exp", kCostlyGrain, [](auto x) { return std::exp(x); });
      return true;
    case UnaryOp::kLog:
      fn("log", kCostlyGrain, [](auto x) { return std::log(x); });
      return true;
    case UnaryOp::kSqrt:
      fn("sqrt", kCostlyGrain, [](auto x) { return std::sqrt(x); });
      return true;
    case UnaryOp::kRsqrt:
      fn("rsqrt", kCostlyGrain, [](auto x) { return decltype(x)(1) / std::sqrt(x); });
      return true;
    case UnaryOp::kSquare:
      fn("square", kCheapGrain, [](auto x) { return x * x; });
      return true;
    case UnaryOp::kAbs:
      fn("abs", kCheapGrain, [](auto x) { return std::abs(x); });
      return true;
    case UnaryOp::kSign:
      fn("sign", kCheapGrain, [](auto x) {
        using T = decltype(x);
        return x > 0 ? T(1) : x < 0 ? T(-1) : x == 0 ? T(0) : x;
      });
      return true;
    case UnaryOp::kTanh:
      fn("tanh", kCostlyGrain, [](auto x) { return std::tanh(x); });
      return true;
    case UnaryOp::kSigmoid:
      fn("sigmoid", kCostlyGrain, [](auto x) {
        using T = decltype(x);
        return T(1) / (T(1) + std::exp(-x));
      });
      return true;
    case UnaryOp::kRelu:
      fn("relu", kCheapGrain, [](auto x) { return (x > 0 || x != x) ? x : decltype(x)(0); });
      return true;
    case UnaryOp::kSoftrelu:
      // log(1 + exp(x)) written so that exp never overflows: for x > 0 it is x + log(1 + exp(-x)).
      fn("softrelu", kCostlyGrain,
         [](auto x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); });
      return true;
    case UnaryOp::kNegative:
      fn("negative", kCheapGrain, [](auto x) { return -x; });
      return true;
    case UnaryOp::kReciprocal:
      fn("reciprocal", kCheapGrain, [](auto x) { return decltype(x)(1) / x; });
      return true;
    case UnaryOp::kErf:
      fn("erf", kCostlyGrain, [](auto x) { return std::erf(x); });
      return true;
    case UnaryOp::kCount:
      break;
  }
  return false;
}

template <typename S, typename F>
void mapInto(const Tensor& in, const Tensor& out, int64_t grain, F f) {
  const S* src = in.data<S>();
  S* dst = out.data<S>();
  parallelFor(in.size(), grain, [=](int64_t b, int64_t e) BKT_VECTOR_CLONES {
    for (int64_t i = b; i < e; ++i) dst[i] = half::store<S>(f(half::load(src[i])));
  });
}

[[noreturn]] void unknownUnary(UnaryOp op) {
  fail(ErrorKind::kValue, "unary: unknown op id " + std::to_string(static_cast<int32_t>(op)));
}

void checkClipBounds(double aMin, double aMax) {
  if (!(aMin <= aMax)) {
    fail(ErrorKind::kValue, "clip: aMin (" + std::to_string(aMin) + ") must not exceed aMax (" + std::to_string(aMax) +
                                ") and neither may be NaN");
  }
}

}  // namespace

const char* unaryOpName(UnaryOp op) {
  const char* name = "unknown";
  withUnary(op, [&](const char* n, int64_t, auto) { name = n; });
  return name;
}

void requireElementwiseOut(const Tensor& in, const Tensor& out, const char* op) {
  if (out.dtype() != in.dtype()) {
    fail(ErrorKind::kDType, std::string(op) + ": output is " + dtypeName(out.dtype()) + " but data " +
                                shapeStr(in.shape()) + " is " + dtypeName(in.dtype()));
  }
  if (out.shape() != in.shape()) {
    fail(ErrorKind::kShape,
         std::string(op) + ": output " + shapeStr(out.shape()) + " does not match data " + shapeStr(in.shape()));
  }
  requireSameContext(in, out, op);
}

bool overlaps(const Tensor& a, const Tensor& b) {
  const char* pa = static_cast<const char*>(a.raw());
  const char* pb = static_cast<const char*>(b.raw());
  return a.nbytes() > 0 && b.nbytes() > 0 && pa < pb + b.nbytes() && pb < pa + a.nbytes();
}

void requireInPlaceOrDisjoint(const Tensor& in, const Tensor& out, const char* op, const char* arg) {
  if (!overlaps(in, out) || (in.raw() == out.raw() && in.nbytes() == out.nbytes())) return;
  fail(ErrorKind::kValue, std::string(op) + ": output " + shapeStr(out.shape()) + " partly overlaps " + arg + " " +
                              shapeStr(in.shape()) + "; write into the operand itself or into separate memory");
}

void unaryInto(UnaryOp op, const Tensor& in, const Tensor& out) {
  const bool known = withUnary(op, [&](const char* name, int64_t grain, auto f) {
    half::requireFloatOrHalf(in, name, "data");
    requireElementwiseOut(in, out, name);
    half::dispatchFloatOrHalf(in.dtype(), [&](auto tag) { mapInto<decltype(tag)>(in, out, grain, f); });
  });
  if (!known) unknownUnary(op);
}

Tensor unary(UnaryOp op, const Tensor& a) {
  Tensor out;
  const bool known = withUnary(op, [&](const char* name, int64_t, auto) {
    half::requireFloatOrHalf(a, name, "data");
    out = Tensor::empty(a.shape(), a.dtype(), a.ctx());
  });
  if (!known) unknownUnary(op);
  unaryInto(op, a, out);
  return out;
}

void clipInto(const Tensor& a, double aMin, double aMax, const Tensor& out) {
  half::requireFloatOrHalf(a, "clip", "data");
  checkClipBounds(aMin, aMax);
  requireElementwiseOut(a, out, "clip");
  half::dispatchFloatOrHalf(a.dtype(), [&](auto tag) {
    using S = decltype(tag);
    using T = half::Compute<S>;
    const T lo = static_cast<T>(aMin);
    const T hi = static_cast<T>(aMax);
    mapInto<S>(a, out, kCheapGrain, [lo, hi](T x) { return x < lo ? lo : x > hi ? hi : x; });
  });
}

Tensor clip(const Tensor& a, double aMin, double aMax) {
  half::requireFloatOrHalf(a, "clip", "data");
  checkClipBounds(aMin, aMax);
  Tensor out = Tensor::empty(a.shape(), a.dtype(), a.ctx());
  clipInto(a, aMin, aMax, out);
  return out;
}

}  // namespace bkt
