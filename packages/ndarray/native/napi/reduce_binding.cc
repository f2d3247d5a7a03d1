// Reductions, argmax and softmax.
#include <cmath>

#include "bindings.h"
#include "bkt/error.h"
#include "bkt/reduce.h"
#include "bkt/softmax.h"
#include "errors.h"
#include "handle.h"

namespace bkt::napi {
namespace {

// null or undefined means every axis; otherwise an integer or an array of them.
std::optional<std::vector<int64_t>> axesArg(const Napi::CallbackInfo& info, size_t i, const char* op) {
  if (info[i].IsNull() || info[i].IsUndefined()) return std::nullopt;
  if (info[i].IsNumber()) return std::vector<int64_t>{intArg(info, i, op, "axis")};
  return shapeArg(info, i, op, "axis");
}

ReduceOp reduceOpArg(const Napi::CallbackInfo& info, size_t i) {
  const int64_t id = intArg(info, i, "reduce", "op");
  if (id < 0 || id >= static_cast<int64_t>(ReduceOp::kCount)) {
    fail(ErrorKind::kValue, "reduce: unknown reduction id " + std::to_string(id));
  }
  return static_cast<ReduceOp>(id);
}

// reduce(data, op, axis, keepdims, exclude, ord)
BKT_BINDING(jsReduce) {
  const ReduceOp op = reduceOpArg(info, 1);
  const char* name = reduceOpName(op);
  const Tensor& x = tensorArg(info, 0, name, "data");
  ReduceAxes ra;
  ra.axes = axesArg(info, 2, name);
  ra.keepdims = boolArg(info, 3);
  ra.exclude = boolArg(info, 4);
  const int64_t ord = intArg(info, 5, name, "ord");
  return wrap(info.Env(), reduce(x, op, ra, static_cast<int>(ord)));
}

// argmax(data, axis, keepdims): axis null flattens.
BKT_BINDING(jsArgmax) {
  const Tensor& x = tensorArg(info, 0, "argmax", "data");
  std::optional<int64_t> axis;
  if (!info[1].IsNull() && !info[1].IsUndefined()) axis = intArg(info, 1, "argmax", "axis");
  return wrap(info.Env(), argmax(x, axis, boolArg(info, 2)));
}

// softmax(data, axis, temperature, log)
BKT_BINDING(jsSoftmax) {
  const bool log = boolArg(info, 3);
  const char* name = log ? "log_softmax" : "softmax";
  const Tensor& x = tensorArg(info, 0, name, "data");
  const int64_t axis = intArg(info, 1, name, "axis");
  const double t = numberArg(info, 2, name, "temperature");
  return wrap(info.Env(), log ? logSoftmax(x, axis, t) : softmax(x, axis, t));
}

}  // namespace

void registerReduce(Napi::Env env, Napi::Object exports) {
  exports.Set("reduce", Napi::Function::New(env, jsReduce));
  exports.Set("argmax", Napi::Function::New(env, jsArgmax));
  exports.Set("softmax", Napi::Function::New(env, jsSoftmax));
}

}  // namespace bkt::napi
