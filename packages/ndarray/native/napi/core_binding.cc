// Array lifetime, data in and out, views, conversion, creation and the process-wide settings.
#include <cstring>

#include "bindings.h"
#include "bkt/creation.h"
#include "bkt/error.h"
#include "bkt/parallel.h"
#include "bkt/random.h"
#include "errors.h"
#include "handle.h"

namespace bkt::napi {
namespace {

BKT_BINDING(jsInit) {
  setErrorClasses(info[0].As<Napi::Object>());
  setScratch(info[1].As<Napi::Float64Array>());
  return info.Env().Undefined();
}

BKT_BINDING(jsMemoryStats) {
  const MemoryStats s = memoryStats();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("liveHandles", static_cast<double>(liveHandles(info.Env())));
  o.Set("liveStorages", static_cast<double>(s.liveStorages));
  o.Set("liveBytes", static_cast<double>(s.liveBytes));
  o.Set("totalAllocations", static_cast<double>(s.totalAllocations));
  o.Set("totalHandles", static_cast<double>(totalHandles(info.Env())));
  return o;
}

BKT_BINDING(jsSetThreads) {
  const double n = numberArg(info, 0, "setNumThreads", "n");
  if (n < 1 || n != static_cast<int>(n)) fail(ErrorKind::kValue, "setNumThreads: n must be a positive integer");
  setNumThreads(static_cast<int>(n));
  return info.Env().Undefined();
}

BKT_BINDING(jsGetThreads) { return Napi::Number::New(info.Env(), numThreads()); }

BKT_BINDING(jsEmpty) {
  const Shape shape = shapeArg(info, 0, "empty", "shape");
  return wrap(info.Env(), Tensor::empty(shape, dtypeArg(info, 1, "empty"), contextArg(info, 2, "empty"), "empty"));
}

// full(shape, dtype, devType, devId, value, caller): caller 1 or 2 names zeros or ones in errors (a
// number, which is cheaper to pass than a string on every call).
BKT_BINDING(jsFull) {
  static const char* const kCallers[] = {"full", "zeros", "ones"};
  const double code = info[5].IsNumber() ? info[5].As<Napi::Number>().DoubleValue() : 0;
  const char* op = code == 1 || code == 2 ? kCallers[static_cast<int>(code)] : kCallers[0];
  const Shape shape = shapeArg(info, 0, op, "shape");
  Tensor t = Tensor::empty(shape, dtypeArg(info, 1, op), contextArg(info, 2, op), op);
  fill(t, numberArg(info, 4, op, "value"));
  return wrap(info.Env(), std::move(t));
}

// fromBuffer(bytes: ArrayBufferView, shape, dtype, devType, devId): copies the bytes in.
BKT_BINDING(jsFromBuffer) {
  if (!info[0].IsTypedArray()) fail(ErrorKind::kValue, "fromTypedArray: data must be a typed array");
  Napi::TypedArray src = info[0].As<Napi::TypedArray>();
  const Shape shape = shapeArg(info, 1, "fromTypedArray", "shape");
  Tensor t = Tensor::empty(shape, dtypeArg(info, 2, "fromTypedArray"), contextArg(info, 3, "fromTypedArray"),
                           "fromTypedArray");
  if (src.ByteLength() != t.nbytes()) {
    fail(ErrorKind::kShape, "fromTypedArray: " + std::to_string(src.ByteLength()) +
                                " bytes of data do not fill shape " + shapeStr(shape) + " of " + dtypeName(t.dtype()));
  }
  const auto* bytes = static_cast<const uint8_t*>(src.ArrayBuffer().Data()) + src.ByteOffset();
  std::memcpy(t.raw(), bytes, t.nbytes());
  return wrap(info.Env(), std::move(t));
}

BKT_BINDING(jsToBuffer) {
  const Tensor& t = tensorArg(info, 0, "toTypedArray", "array");
  Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(info.Env(), t.nbytes());
  std::memcpy(buf.Data(), t.raw(), t.nbytes());
  return buf;
}

BKT_BINDING(jsDescribe) {
  writeMeta(info.Env(), tensorArg(info, 0, "describe", "array"));
  return info.Env().Undefined();
}

BKT_BINDING(jsDispose) {
  if (info[0].IsNumber()) disposeHandle(info.Env(), info[0].As<Napi::Number>().DoubleValue());
  reportExternalMemory(info.Env());
  return info.Env().Undefined();
}

BKT_BINDING(jsReshapeView) {
  const Tensor& t = tensorArg(info, 0, "reshape", "array");
  return wrap(info.Env(), t.reshaped(shapeArg(info, 1, "reshape", "shape")));
}

BKT_BINDING(jsSliceRows) {
  const Tensor& t = tensorArg(info, 0, "slice", "array");
  return wrap(info.Env(), t.sliceRows(intArg(info, 1, "slice", "begin"), intArg(info, 2, "slice", "end")));
}

BKT_BINDING(jsAstype) {
  const Tensor& t = tensorArg(info, 0, "astype", "array");
  return wrap(info.Env(), astype(t, dtypeArg(info, 1, "astype"), contextArg(info, 2, "astype")));
}

BKT_BINDING(jsCopyInto) {
  copyInto(tensorArg(info, 0, "copyTo", "destination"), tensorArg(info, 1, "copyTo", "source"));
  return info.Env().Undefined();
}

// copyRowsInto(dst, src, begin)
BKT_BINDING(jsCopyRowsInto) {
  copyRowsInto(tensorArg(info, 0, "copyRowsTo", "target"), tensorArg(info, 1, "copyRowsTo", "source"),
               intArg(info, 2, "copyRowsTo", "begin"));
  return info.Env().Undefined();
}

BKT_BINDING(jsFillInPlace) {
  fill(tensorArg(info, 0, "fill", "array"), numberArg(info, 1, "fill", "value"));
  return info.Env().Undefined();
}

BKT_BINDING(jsArange) {
  const int64_t n = intArg(info, 2, "arange", "count");
  return wrap(info.Env(), arange(numberArg(info, 0, "arange", "start"), numberArg(info, 1, "arange", "step"), n,
                                 dtypeArg(info, 3, "arange"), contextArg(info, 4, "arange")));
}

BKT_BINDING(jsSeed) {
  seedRandom(static_cast<uint64_t>(intArg(info, 0, "seed", "seed")));
  return info.Env().Undefined();
}

// random*(a, b, shape, dtype, devType, devId)
BKT_BINDING(jsRandomUniform) {
  return wrap(info.Env(),
              randomUniform(numberArg(info, 0, "random.uniform", "low"), numberArg(info, 1, "random.uniform", "high"),
                            shapeArg(info, 2, "random.uniform", "shape"), dtypeArg(info, 3, "random.uniform"),
                            contextArg(info, 4, "random.uniform")));
}

BKT_BINDING(jsRandomNormal) {
  return wrap(info.Env(),
              randomNormal(numberArg(info, 0, "random.normal", "loc"), numberArg(info, 1, "random.normal", "scale"),
                           shapeArg(info, 2, "random.normal", "shape"), dtypeArg(info, 3, "random.normal"),
                           contextArg(info, 4, "random.normal")));
}

BKT_BINDING(jsRandomRandint) {
  return wrap(info.Env(),
              randomRandint(intArg(info, 0, "random.randint", "low"), intArg(info, 1, "random.randint", "high"),
                            shapeArg(info, 2, "random.randint", "shape"), dtypeArg(info, 3, "random.randint"),
                            contextArg(info, 4, "random.randint")));
}

}  // namespace

void registerCore(Napi::Env env, Napi::Object exports) {
  exports.Set("init", Napi::Function::New(env, jsInit));
  exports.Set("memoryStats", Napi::Function::New(env, jsMemoryStats));
  exports.Set("setNumThreads", Napi::Function::New(env, jsSetThreads));
  exports.Set("getNumThreads", Napi::Function::New(env, jsGetThreads));
  exports.Set("empty", Napi::Function::New(env, jsEmpty));
  exports.Set("full", Napi::Function::New(env, jsFull));
  exports.Set("fromBuffer", Napi::Function::New(env, jsFromBuffer));
  exports.Set("toBuffer", Napi::Function::New(env, jsToBuffer));
  exports.Set("describe", Napi::Function::New(env, jsDescribe));
  exports.Set("dispose", Napi::Function::New(env, jsDispose));
  exports.Set("reshapeView", Napi::Function::New(env, jsReshapeView));
  exports.Set("sliceRows", Napi::Function::New(env, jsSliceRows));
  exports.Set("astype", Napi::Function::New(env, jsAstype));
  exports.Set("copyInto", Napi::Function::New(env, jsCopyInto));
  exports.Set("copyRowsInto", Napi::Function::New(env, jsCopyRowsInto));
  exports.Set("fill", Napi::Function::New(env, jsFillInPlace));
  exports.Set("arange", Napi::Function::New(env, jsArange));
  exports.Set("seed", Napi::Function::New(env, jsSeed));
  exports.Set("randomUniform", Napi::Function::New(env, jsRandomUniform));
  exports.Set("randomNormal", Napi::Function::New(env, jsRandomNormal));
  exports.Set("randomRandint", Napi::Function::New(env, jsRandomRandint));
}

}  // namespace bkt::napi
