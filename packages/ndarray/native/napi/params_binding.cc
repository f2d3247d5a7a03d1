// MXNet NDArray-list files (`mx.nd.save` / `.params`): save, load, and load from bytes for tests.
#include "bindings.h"
#include "bkt/error.h"
#include "bkt/params_io.h"
#include "errors.h"
#include "handle.h"

namespace bkt::napi {
namespace {

std::vector<std::string> stringListArg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* arg) {
  if (!info[i].IsArray()) fail(ErrorKind::kValue, std::string(op) + ": " + arg + " must be an array of strings");
  Napi::Array a = info[i].As<Napi::Array>();
  std::vector<std::string> out;
  out.reserve(a.Length());
  for (uint32_t k = 0; k < a.Length(); ++k) {
    Napi::Value v = a.Get(k);
    if (!v.IsString()) {
      fail(ErrorKind::kValue, std::string(op) + ": " + arg + "[" + std::to_string(k) + "] must be a string");
    }
    out.push_back(v.As<Napi::String>().Utf8Value());
  }
  return out;
}

// { arrays: handles, names: strings } — names is empty when the file was saved from a list.
Napi::Value wrapArrayList(Napi::Env env, const ArrayList& list) {
  Napi::Object out = Napi::Object::New(env);
  Napi::Array names = Napi::Array::New(env, list.names.size());
  for (size_t k = 0; k < list.names.size(); ++k) {
    names.Set(static_cast<uint32_t>(k), Napi::String::New(env, list.names[k].data(), list.names[k].size()));
  }
  out.Set("arrays", wrapList(env, list.arrays));
  out.Set("names", names);
  Napi::Array sparse = Napi::Array::New(env, list.sparse.size());
  for (size_t k = 0; k < list.sparse.size(); ++k) {
    const SparseRecord& sp = list.sparse[k];
    if (sp.stype == 0) {
      sparse.Set(static_cast<uint32_t>(k), env.Null());
      continue;
    }
    Napi::Object rec = Napi::Object::New(env);
    rec.Set("stype", Napi::Number::New(env, sp.stype));
    Napi::Array shape = Napi::Array::New(env, sp.shape.size());
    for (size_t d = 0; d < sp.shape.size(); ++d)
      shape.Set(static_cast<uint32_t>(d), Napi::Number::New(env, static_cast<double>(sp.shape[d])));
    rec.Set("shape", shape);
    rec.Set("aux", wrapList(env, sp.aux));
    sparse.Set(static_cast<uint32_t>(k), rec);
  }
  out.Set("sparse", sparse);
  return out;
}

// Argument i: one entry per array, null (dense) or [stype, dense shape]; argument i + 1: the aux
// handles of the sparse entries, in order (1 for row_sparse, 2 for csr: indptr then indices).
std::vector<SparseRecord> sparseListArg(const Napi::CallbackInfo& info, size_t i) {
  std::vector<SparseRecord> out;
  if (info[i].IsUndefined()) return out;
  const std::vector<Tensor> auxAll = tensorListArg(info, i + 1, "save", "aux");
  size_t next = 0;
  if (!info[i].IsArray()) fail(ErrorKind::kValue, "save: the storage records must be an array");
  Napi::Array a = info[i].As<Napi::Array>();
  bool any = false;
  for (uint32_t k = 0; k < a.Length(); ++k) {
    SparseRecord sp;
    Napi::Value v = a.Get(k);
    if (!v.IsNull()) {
      if (!v.IsArray() || v.As<Napi::Array>().Length() != 2)
        fail(ErrorKind::kValue, "save: a storage record must be [stype, shape]");
      Napi::Array r = v.As<Napi::Array>();
      sp.stype = r.Get(0u).As<Napi::Number>().Int32Value();
      Napi::Array shape = r.Get(1u).As<Napi::Array>();
      for (uint32_t d = 0; d < shape.Length(); ++d) sp.shape.push_back(shape.Get(d).As<Napi::Number>().Int64Value());
      const size_t nAux = sp.stype == 2 ? 2 : 1;
      if (next + nAux > auxAll.size()) fail(ErrorKind::kValue, "save: too few aux arrays for the sparse records");
      for (size_t x = 0; x < nAux; ++x) sp.aux.push_back(auxAll[next++]);
      any = true;
    }
    out.push_back(std::move(sp));
  }
  if (!any) out.clear();
  return out;
}

// saveArrays(path, arrays, names)
BKT_BINDING(jsSaveArrays) {
  const std::string path = stringArg(info, 0, "save", "path");
  const std::vector<Tensor> arrays = tensorListArg(info, 1, "save", "arrays");
  saveArrays(path, arrays, stringListArg(info, 2, "save", "names"), sparseListArg(info, 3));
  return info.Env().Undefined();
}

BKT_BINDING(jsLoadArrays) { return wrapArrayList(info.Env(), loadArrays(stringArg(info, 0, "load", "path"))); }

BKT_BINDING(jsLoadArraysFromBuffer) {
  if (!info[0].IsTypedArray()) fail(ErrorKind::kValue, "loadFromBuffer: bytes must be a Uint8Array");
  Napi::TypedArray src = info[0].As<Napi::TypedArray>();
  const auto* bytes = static_cast<const uint8_t*>(src.ArrayBuffer().Data()) + src.ByteOffset();
  return wrapArrayList(info.Env(), loadArraysFromBuffer(bytes, src.ByteLength()));
}

}  // namespace

void registerParams(Napi::Env env, Napi::Object exports) {
  exports.Set("saveArrays", Napi::Function::New(env, jsSaveArrays));
  exports.Set("loadArrays", Napi::Function::New(env, jsLoadArrays));
  exports.Set("loadArraysFromBuffer", Napi::Function::New(env, jsLoadArraysFromBuffer));
}

}  // namespace bkt::napi
