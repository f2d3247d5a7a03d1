// take, embedding, oneHot, pick, concat, stack, split and transpose.
#include <climits>
#include <cmath>

#include "bindings.h"
#include "bkt/error.h"
#include "bkt/indexing.h"
#include "errors.h"
#include "handle.h"

namespace bkt::napi {
namespace {

// Codes outside 0..2 become -1, which the kernels reject by name.
IndexMode modeArg(const Napi::CallbackInfo& info, size_t i, const char* op) {
  const int64_t m = intArg(info, i, op, "mode");
  return static_cast<IndexMode>(m < 0 || m > 2 ? -1 : m);
}

// take(data, indices, axis, mode)
BKT_BINDING(jsTake) {
  return wrap(info.Env(), take(tensorArg(info, 0, "take", "data"), tensorArg(info, 1, "take", "indices"),
                               intArg(info, 2, "take", "axis"), modeArg(info, 3, "take")));
}

// embedding(indices, weight)
BKT_BINDING(jsEmbedding) {
  return wrap(info.Env(),
              embedding(tensorArg(info, 0, "embedding", "indices"), tensorArg(info, 1, "embedding", "weight")));
}

// embeddingBackward(indices, gradOut, inputDim)
BKT_BINDING(jsEmbeddingBackward) {
  const char* op = "embeddingBackward";
  return wrap(info.Env(), embeddingBackward(tensorArg(info, 0, op, "indices"), tensorArg(info, 1, op, "gradOut"),
                                            intArg(info, 2, op, "inputDim")));
}

// oneHot(indices, depth, onValue, offValue, dtype)
BKT_BINDING(jsOneHot) {
  const char* op = "oneHot";
  return wrap(info.Env(),
              oneHot(tensorArg(info, 0, op, "indices"), intArg(info, 1, op, "depth"), numberArg(info, 2, op, "onValue"),
                     numberArg(info, 3, op, "offValue"), dtypeArg(info, 4, op)));
}

// pick(data, index, axis, keepdims, mode)
BKT_BINDING(jsPick) {
  return wrap(info.Env(), pick(tensorArg(info, 0, "pick", "data"), tensorArg(info, 1, "pick", "index"),
                               intArg(info, 2, "pick", "axis"), boolArg(info, 3), modeArg(info, 4, "pick")));
}

// pickInto(data, index, axis, keepdims, mode, out)
BKT_BINDING(jsPickInto) {
  pickToOut(tensorArg(info, 0, "pick", "data"), tensorArg(info, 1, "pick", "index"), intArg(info, 2, "pick", "axis"),
            boolArg(info, 3), modeArg(info, 4, "pick"), tensorArg(info, 5, "pick", "out"));
  return info.Env().Undefined();
}

// concat(arrays, dim)
BKT_BINDING(jsConcat) {
  return wrap(info.Env(), concat(tensorListArg(info, 0, "concat", "arrays"), intArg(info, 1, "concat", "dim")));
}

// stack(arrays, axis)
BKT_BINDING(jsStack) {
  return wrap(info.Env(), stack(tensorListArg(info, 0, "stack", "arrays"), intArg(info, 1, "stack", "axis")));
}

// split(data, numOutputs, axis, squeezeAxis) -> handles
BKT_BINDING(jsSplit) {
  return wrapList(info.Env(), split(tensorArg(info, 0, "split", "data"), intArg(info, 1, "split", "numOutputs"),
                                    intArg(info, 2, "split", "axis"), boolArg(info, 3)));
}

// transpose(a, axes?): without axes (or with empty axes, as MXNet) the order of the axes is reversed.
BKT_BINDING(jsTranspose) {
  const Tensor& a = tensorArg(info, 0, "transpose", "a");
  const Shape axes = info[1].IsUndefined() ? Shape{} : shapeArg(info, 1, "transpose", "axes");
  return wrap(info.Env(), transpose(a, axes));
}

}  // namespace

void registerIndexing(Napi::Env env, Napi::Object exports) {
  exports.Set("take", Napi::Function::New(env, jsTake));
  exports.Set("embedding", Napi::Function::New(env, jsEmbedding));
  exports.Set("embeddingBackward", Napi::Function::New(env, jsEmbeddingBackward));
  exports.Set("oneHot", Napi::Function::New(env, jsOneHot));
  exports.Set("pick", Napi::Function::New(env, jsPick));
  exports.Set("pickInto", Napi::Function::New(env, jsPickInto));
  exports.Set("concat", Napi::Function::New(env, jsConcat));
  exports.Set("stack", Napi::Function::New(env, jsStack));
  exports.Set("split", Napi::Function::New(env, jsSplit));
  exports.Set("transpose", Napi::Function::New(env, jsTranspose));
}

}  // namespace bkt::napi
