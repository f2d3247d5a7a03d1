// Sparse storage: format checks, storage casts, csr dot products and the lazy SGD update. A sparse
// array crosses as the handles of its parts (data, indices[, indptr]) plus its dense shape.
#include "bindings.h"
#include "bkt/error.h"
#include "bkt/sparse.h"
#include "errors.h"
#include "handle.h"

namespace bkt::napi {
namespace {

Napi::Value wrapCsr(Napi::Env env, const CsrParts& p) { return wrapList(env, {p.data, p.indices, p.indptr}); }
Napi::Value wrapRsp(Napi::Env env, const RspParts& p) { return wrapList(env, {p.data, p.indices}); }

// checkCsr(data, indices, indptr, shape)
BKT_BINDING(jsCheckCsr) {
  const char* op = "csrMatrix";
  checkCsr(tensorArg(info, 0, op, "data"), tensorArg(info, 1, op, "indices"), tensorArg(info, 2, op, "indptr"),
           shapeArg(info, 3, op, "shape"), op);
  return info.Env().Undefined();
}

// checkRsp(data, indices, shape)
BKT_BINDING(jsCheckRsp) {
  const char* op = "rowSparseArray";
  checkRsp(tensorArg(info, 0, op, "data"), tensorArg(info, 1, op, "indices"), shapeArg(info, 2, op, "shape"), op);
  return info.Env().Undefined();
}

// csrToDenseInto(data, indices, indptr, out)
BKT_BINDING(jsCsrToDenseInto) {
  const char* op = "csrToDense";
  csrToDenseInto(tensorArg(info, 0, op, "data"), tensorArg(info, 1, op, "indices"), tensorArg(info, 2, op, "indptr"),
                 tensorArg(info, 3, op, "out"));
  return info.Env().Undefined();
}

// denseToCsr(dense) -> [data, indices, indptr]
BKT_BINDING(jsDenseToCsr) { return wrapCsr(info.Env(), denseToCsr(tensorArg(info, 0, "denseToCsr", "data"))); }

// rspToDenseInto(data, indices, out)
BKT_BINDING(jsRspToDenseInto) {
  const char* op = "rspToDense";
  rspToDenseInto(tensorArg(info, 0, op, "data"), tensorArg(info, 1, op, "indices"), tensorArg(info, 2, op, "out"));
  return info.Env().Undefined();
}

// denseToRsp(dense, allRows) -> [data, indices]
BKT_BINDING(jsDenseToRsp) {
  return wrapRsp(info.Env(), denseToRsp(tensorArg(info, 0, "denseToRsp", "data"), boolArg(info, 1)));
}

// csrDotDense(data, indices, indptr, shape, rhs) -> dense
BKT_BINDING(jsCsrDotDense) {
  const char* op = "dot";
  return wrap(info.Env(), csrDotDense(tensorArg(info, 0, op, "data"), tensorArg(info, 1, op, "indices"),
                                      tensorArg(info, 2, op, "indptr"), shapeArg(info, 3, op, "shape"),
                                      tensorArg(info, 4, op, "rhs")));
}

// csrTDotDense(data, indices, indptr, shape, rhs) -> [data, indices] (row_sparse)
BKT_BINDING(jsCsrTDotDense) {
  const char* op = "dot";
  return wrapRsp(info.Env(), csrTDotDense(tensorArg(info, 0, op, "data"), tensorArg(info, 1, op, "indices"),
                                          tensorArg(info, 2, op, "indptr"), shapeArg(info, 3, op, "shape"),
                                          tensorArg(info, 4, op, "rhs")));
}

// lazySgdUpdate(weight, gradData, gradIndices, mom | null, lr, momentum, wd, rescaleGrad, clipGradient)
BKT_BINDING(jsLazySgdUpdate) {
  const char* op = "lazySgdUpdate";
  const Tensor& weight = tensorArg(info, 0, op, "weight");
  const Tensor& gradData = tensorArg(info, 1, op, "grad.data");
  const Tensor& gradIndices = tensorArg(info, 2, op, "grad.indices");
  const Tensor* mom = info[3].IsNull() ? nullptr : &tensorArg(info, 3, op, "mom");
  LazySgdParams p;
  p.lr = numberArg(info, 4, op, "lr");
  p.momentum = numberArg(info, 5, op, "momentum");
  p.wd = numberArg(info, 6, op, "wd");
  p.rescaleGrad = numberArg(info, 7, op, "rescaleGrad");
  p.clipGradient = numberArg(info, 8, op, "clipGradient");
  lazySgdUpdate(weight, gradData, gradIndices, mom, p);
  return info.Env().Undefined();
}

}  // namespace

void registerSparse(Napi::Env env, Napi::Object exports) {
  exports.Set("checkCsr", Napi::Function::New(env, jsCheckCsr));
  exports.Set("checkRsp", Napi::Function::New(env, jsCheckRsp));
  exports.Set("csrToDenseInto", Napi::Function::New(env, jsCsrToDenseInto));
  exports.Set("denseToCsr", Napi::Function::New(env, jsDenseToCsr));
  exports.Set("rspToDenseInto", Napi::Function::New(env, jsRspToDenseInto));
  exports.Set("denseToRsp", Napi::Function::New(env, jsDenseToRsp));
  exports.Set("csrDotDense", Napi::Function::New(env, jsCsrDotDense));
  exports.Set("csrTDotDense", Napi::Function::New(env, jsCsrTDotDense));
  exports.Set("lazySgdUpdate", Napi::Function::New(env, jsLazySgdUpdate));
}

}  // namespace bkt::napi
