#include "handle.h"

#include <atomic>
#include <cmath>

#include "bkt/error.h"

namespace bkt::napi {
namespace {

std::atomic<int64_t> gLiveHandles{0};
Napi::FunctionReference gHandleCtor;
Napi::Reference<Napi::Float64Array> gScratchRef;
double* gScratch = nullptr;
constexpr size_t kScratchLen = 4 + 32;

}  // namespace

void Handle::init(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = DefineClass(env, "NativeHandle", {});
  gHandleCtor = Napi::Persistent(ctor);
  exports.Set("NativeHandle", ctor);
}

Handle::Handle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Handle>(info) { gLiveHandles++; }

Handle::~Handle() { dispose(); }

void Handle::dispose() {
  if (disposed) return;
  disposed = true;
  tensor = Tensor();
  gLiveHandles--;
}

int64_t liveHandles() { return gLiveHandles.load(); }

void setScratch(Napi::Float64Array scratch) {
  if (scratch.ElementLength() < kScratchLen) {
    throw Napi::TypeError::New(scratch.Env(), "scratch buffer is too small");
  }
  gScratchRef = Napi::Persistent(scratch);
  gScratch = scratch.Data();
}

void writeMeta(const Tensor& t) {
  gScratch[0] = t.ndim();
  gScratch[1] = static_cast<double>(t.dtype());
  gScratch[2] = t.ctx().devType;
  gScratch[3] = t.ctx().devId;
  for (int i = 0; i < t.ndim(); ++i) gScratch[4 + i] = static_cast<double>(t.dim(i));
}

Napi::Value wrap(Napi::Env env, Tensor t) {
  if (t.ndim() > 32) fail(ErrorKind::kShape, "arrays may have at most 32 dimensions, got " + shapeStr(t.shape()));
  Napi::Object obj = gHandleCtor.New({});
  Handle* h = Handle::Unwrap(obj);
  writeMeta(t);
  h->tensor = std::move(t);
  return obj;
}

bool isHandle(const Napi::Value& v) {
  return v.IsObject() && v.As<Napi::Object>().InstanceOf(gHandleCtor.Value());
}

const Tensor& tensorArg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* arg) {
  Napi::Value v = info[i];
  if (!isHandle(v)) {
    fail(ErrorKind::kValue, std::string(op) + ": " + arg + " must be an NDArray");
  }
  Handle* h = Handle::Unwrap(v.As<Napi::Object>());
  if (h->disposed) fail(ErrorKind::kState, std::string(op) + ": " + arg + " was disposed");
  return h->tensor;
}

double numberArg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* arg) {
  Napi::Value v = info[i];
  if (!v.IsNumber()) fail(ErrorKind::kValue, std::string(op) + ": " + arg + " must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

bool boolArg(const Napi::CallbackInfo& info, size_t i) { return info[i].ToBoolean().Value(); }

Shape shapeArg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* arg) {
  Napi::Value v = info[i];
  if (!v.IsArray()) fail(ErrorKind::kValue, std::string(op) + ": " + arg + " must be an array of integers");
  Napi::Array a = v.As<Napi::Array>();
  Shape s(a.Length());
  for (uint32_t k = 0; k < a.Length(); ++k) {
    Napi::Value d = a.Get(k);
    const double x = d.IsNumber() ? d.As<Napi::Number>().DoubleValue() : NAN;
    if (!std::isfinite(x) || std::floor(x) != x) {
      fail(ErrorKind::kValue, std::string(op) + ": " + arg + " must be an array of integers");
    }
    s[k] = static_cast<int64_t>(x);
  }
  return s;
}

std::vector<Tensor> tensorListArg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* arg) {
  if (!info[i].IsArray()) fail(ErrorKind::kValue, std::string(op) + ": " + arg + " must be an array of NDArrays");
  Napi::Array a = info[i].As<Napi::Array>();
  std::vector<Tensor> out;
  out.reserve(a.Length());
  for (uint32_t k = 0; k < a.Length(); ++k) {
    Napi::Value v = a.Get(k);
    if (!isHandle(v)) {
      fail(ErrorKind::kValue, std::string(op) + ": " + arg + "[" + std::to_string(k) + "] must be an NDArray");
    }
    Handle* h = Handle::Unwrap(v.As<Napi::Object>());
    if (h->disposed) fail(ErrorKind::kState, std::string(op) + ": " + arg + "[" + std::to_string(k) + "] was disposed");
    out.push_back(h->tensor);
  }
  return out;
}

Napi::Array wrapList(Napi::Env env, const std::vector<Tensor>& ts) {
  // Each wrap overwrites the scratch, so JS reads list members' metadata back through describe().
  Napi::Array out = Napi::Array::New(env, ts.size());
  for (size_t k = 0; k < ts.size(); ++k) out.Set(static_cast<uint32_t>(k), wrap(env, ts[k]));
  return out;
}

}  // namespace bkt::napi
