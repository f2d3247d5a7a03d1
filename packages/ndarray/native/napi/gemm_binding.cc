#include "bindings.h"
#include "bkt/gemm.h"
#include "errors.h"
#include "handle.h"

namespace bkt::napi {
namespace {

// dot(lhs, rhs, transposeA, transposeB)
BKT_BINDING(jsDot) {
  return wrap(info.Env(), dot(tensorArg(info, 0, "dot", "lhs"), tensorArg(info, 1, "dot", "rhs"), boolArg(info, 2),
                              boolArg(info, 3)));
}

// batchDot(lhs, rhs, transposeA, transposeB)
BKT_BINDING(jsBatchDot) {
  return wrap(info.Env(), batchDot(tensorArg(info, 0, "batchDot", "lhs"), tensorArg(info, 1, "batchDot", "rhs"),
                                   boolArg(info, 2), boolArg(info, 3)));
}

BKT_BINDING(jsBlasNumThreads) { return Napi::Number::New(info.Env(), blasNumThreads()); }

}  // namespace

void registerGemm(Napi::Env env, Napi::Object exports) {
  exports.Set("dot", Napi::Function::New(env, jsDot));
  exports.Set("batchDot", Napi::Function::New(env, jsBatchDot));
  exports.Set("blasNumThreads", Napi::Function::New(env, jsBlasNumThreads));
}

}  // namespace bkt::napi
