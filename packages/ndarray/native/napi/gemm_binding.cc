#include "bindings.h"
#include "bkt/gemm.h"
#include "bkt/gemm_backend.h"
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

// setGemmBackend(name): 'auto' | 'openblas' | 'onednn'
BKT_BINDING(jsSetGemmBackend) {
  setGemmPolicy(parseGemmPolicy(stringArg(info, 0, "setGemmBackend", "backend"), "setGemmBackend"));
  return info.Env().Undefined();
}

BKT_BINDING(jsGemmBackend) { return Napi::String::New(info.Env(), gemmPolicyName(gemmPolicy())); }

// setGemmPrecision(name): 'float32' | 'bfloat16'
BKT_BINDING(jsSetGemmPrecision) {
  setGemmPrecision(parseGemmPrecision(stringArg(info, 0, "setGemmPrecision", "precision"), "setGemmPrecision"));
  return info.Env().Undefined();
}

BKT_BINDING(jsGemmPrecision) { return Napi::String::New(info.Env(), gemmPrecisionName(gemmPrecision())); }

// gemmChoices(): [{m, n, k, transposeA, transposeB, lda, ldb, ldc, alpha, beta, backend, precision, bias, weight,
// bfloat16Arrays, calls, seconds, flops}] for every float32 product shape met or prepared.
BKT_BINDING(jsGemmChoices) {
  const Napi::Env env = info.Env();
  const std::vector<GemmChoice> list = gemmChoices();
  Napi::Array out = Napi::Array::New(env, list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    const GemmShape& s = list[i].shape;
    Napi::Object o = Napi::Object::New(env);
    o.Set("m", static_cast<double>(s.m));
    o.Set("n", static_cast<double>(s.n));
    o.Set("k", static_cast<double>(s.k));
    o.Set("transposeA", s.ta);
    o.Set("transposeB", s.tb);
    o.Set("lda", static_cast<double>(s.lda));
    o.Set("ldb", static_cast<double>(s.ldb));
    o.Set("ldc", static_cast<double>(s.ldc));
    o.Set("alpha", s.alpha);
    o.Set("beta", s.beta);
    o.Set("backend", list[i].backend == GemmBackend::kOneDnn ? "onednn" : "openblas");
    o.Set("precision", s.bf16 && list[i].backend == GemmBackend::kOneDnn ? "bfloat16" : "float32");
    o.Set("bias", s.bias);
    o.Set("weight", s.weight);
    o.Set("bfloat16Arrays", s.bf16Arrays && list[i].backend == GemmBackend::kOneDnn);
    o.Set("calls", static_cast<double>(list[i].calls));
    o.Set("seconds", list[i].seconds);
    o.Set("flops", static_cast<double>(list[i].flops));
    out.Set(static_cast<uint32_t>(i), o);
  }
  return out;
}

// weightLayoutReorders(): how many times a weight's copy in a oneDNN primitive's layout was (re)made.
BKT_BINDING(jsWeightLayoutReorders) {
  return Napi::Number::New(info.Env(), static_cast<double>(weightLayoutReorders()));
}

}  // namespace

void registerGemm(Napi::Env env, Napi::Object exports) {
  exports.Set("dot", Napi::Function::New(env, jsDot));
  exports.Set("batchDot", Napi::Function::New(env, jsBatchDot));
  exports.Set("blasNumThreads", Napi::Function::New(env, jsBlasNumThreads));
  exports.Set("setGemmBackend", Napi::Function::New(env, jsSetGemmBackend));
  exports.Set("gemmBackend", Napi::Function::New(env, jsGemmBackend));
  exports.Set("gemmChoices", Napi::Function::New(env, jsGemmChoices));
  exports.Set("setGemmPrecision", Napi::Function::New(env, jsSetGemmPrecision));
  exports.Set("gemmPrecision", Napi::Function::New(env, jsGemmPrecision));
  exports.Set("weightLayoutReorders", Napi::Function::New(env, jsWeightLayoutReorders));
}

}  // namespace bkt::napi
