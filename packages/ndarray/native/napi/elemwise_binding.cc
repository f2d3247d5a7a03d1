// unaryOp(op, a), clip(a, lo, hi), binaryOp(op, lhs, rhs), binaryScalarOp(op, a, scalar, scalarOnLeft),
// where(cond, x, y). Op ids come from the generated enums; the kernels validate everything else.
// Arguments are read one statement at a time so errors report the first bad one (C++ leaves the
// order of evaluating call arguments unspecified).
#include <cmath>
#include <string>

#include "bindings.h"
#include "bkt/elemwise.h"
#include "bkt/error.h"
#include "errors.h"
#include "handle.h"

namespace bkt::napi {
namespace {

template <typename Op>
Op opIdArg(const Napi::CallbackInfo& info, const char* family) {
  const double v = numberArg(info, 0, family, "op id");
  if (!(v >= 0 && v < static_cast<double>(Op::kCount) && std::floor(v) == v)) {
    fail(ErrorKind::kValue, std::string(family) + ": unknown op id " + std::to_string(v));
  }
  return static_cast<Op>(static_cast<int32_t>(v));
}

BKT_BINDING(jsUnaryOp) {
  const UnaryOp op = opIdArg<UnaryOp>(info, "unary");
  return wrap(info.Env(), unary(op, tensorArg(info, 1, unaryOpName(op), "data")));
}

BKT_BINDING(jsClip) {
  const Tensor& a = tensorArg(info, 0, "clip", "data");
  const double aMin = numberArg(info, 1, "clip", "aMin");
  const double aMax = numberArg(info, 2, "clip", "aMax");
  return wrap(info.Env(), clip(a, aMin, aMax));
}

BKT_BINDING(jsBinaryOp) {
  const BinaryOp op = opIdArg<BinaryOp>(info, "binary");
  const char* name = binaryOpName(op);
  const Tensor& lhs = tensorArg(info, 1, name, "lhs");
  const Tensor& rhs = tensorArg(info, 2, name, "rhs");
  return wrap(info.Env(), binary(op, lhs, rhs));
}

BKT_BINDING(jsBinaryScalarOp) {
  const BinaryOp op = opIdArg<BinaryOp>(info, "binary");
  const char* name = binaryOpName(op);
  const bool scalarOnLeft = boolArg(info, 3);
  const Tensor& a = tensorArg(info, 1, name, scalarOnLeft ? "rhs" : "lhs");
  const double scalar = numberArg(info, 2, name, "scalar");
  return wrap(info.Env(), binaryScalar(op, a, scalar, scalarOnLeft));
}

// binaryOpInto(op, lhs, rhs, out) and binaryScalarOpInto(op, a, scalar, scalarOnLeft, out): MXNet's
// `out=` argument; out may be an operand itself (in place).
BKT_BINDING(jsBinaryOpInto) {
  const BinaryOp op = opIdArg<BinaryOp>(info, "binary");
  const char* name = binaryOpName(op);
  const Tensor& lhs = tensorArg(info, 1, name, "lhs");
  const Tensor& rhs = tensorArg(info, 2, name, "rhs");
  const Tensor& out = tensorArg(info, 3, name, "out");
  binaryInto(op, lhs, rhs, out);
  return info.Env().Undefined();
}

BKT_BINDING(jsBinaryScalarOpInto) {
  const BinaryOp op = opIdArg<BinaryOp>(info, "binary");
  const char* name = binaryOpName(op);
  const bool scalarOnLeft = boolArg(info, 3);
  const Tensor& a = tensorArg(info, 1, name, scalarOnLeft ? "rhs" : "lhs");
  const double scalar = numberArg(info, 2, name, "scalar");
  const Tensor& out = tensorArg(info, 4, name, "out");
  binaryScalarInto(op, a, scalar, scalarOnLeft, out);
  return info.Env().Undefined();
}

BKT_BINDING(jsWhere) {
  const Tensor& cond = tensorArg(info, 0, "where", "condition");
  const Tensor& x = tensorArg(info, 1, "where", "x");
  const Tensor& y = tensorArg(info, 2, "where", "y");
  return wrap(info.Env(), where(cond, x, y));
}

}  // namespace

void registerElemwise(Napi::Env env, Napi::Object exports) {
  exports.Set("unaryOp", Napi::Function::New(env, jsUnaryOp));
  exports.Set("clip", Napi::Function::New(env, jsClip));
  exports.Set("binaryOp", Napi::Function::New(env, jsBinaryOp));
  exports.Set("binaryScalarOp", Napi::Function::New(env, jsBinaryScalarOp));
  exports.Set("binaryOpInto", Napi::Function::New(env, jsBinaryOpInto));
  exports.Set("binaryScalarOpInto", Napi::Function::New(env, jsBinaryScalarOpInto));
  exports.Set("where", Napi::Function::New(env, jsWhere));
}

}  // namespace bkt::napi
