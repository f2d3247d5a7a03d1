#include "handle.h"

#include <climits>
#include <cmath>
#include <vector>

#include "addon_state.h"
#include "bkt/error.h"

namespace bkt::napi {
namespace {

constexpr double kSlotBits = 16777216.0;  // 2^24 slots
constexpr size_t kScratchLen = 4 + 32;

// Storages are freed wherever their last reference goes (a pool thread, a plan, teardown), where no
// env may be at hand, so instead of reporting each allocation and free to V8, the JS thread
// reconciles AddonState::reportedBytes with its memory account each time it creates or disposes a
// handle, once the difference reaches kReportStep.
constexpr int64_t kReportStep = int64_t{1} << 20;

HandleSlot* lookup(AddonState& st, double handle) {
  if (!(handle >= 0) || handle != std::floor(handle) || handle >= 9007199254740992.0) return nullptr;
  const auto index = static_cast<size_t>(std::fmod(handle, kSlotBits));
  const auto generation = static_cast<uint32_t>(std::floor(handle / kSlotBits));
  if (index >= st.slots.size()) return nullptr;
  HandleSlot& s = st.slots[index];
  return s.generation == generation ? &s : nullptr;
}

}  // namespace

void disposeHandle(Napi::Env env, double handle) {
  AddonState& st = addonState(env);
  HandleSlot* s = lookup(st, handle);
  if (!s || !s->live) return;
  s->tensor = Tensor();
  s->live = false;
  s->generation++;  // invalidates every copy of this handle
  st.freeSlots.push_back(static_cast<uint32_t>(s - st.slots.data()));
  st.liveHandles--;
}

int64_t liveHandles(Napi::Env env) { return addonState(env).liveHandles; }

int64_t totalHandles(Napi::Env env) { return addonState(env).totalHandles; }

void reportExternalMemory(Napi::Env env) {
  AddonState& st = addonState(env);
  const int64_t live = st.memory->liveBytes.load();
  const int64_t delta = live - st.reportedBytes;
  if (delta < kReportStep && delta > -kReportStep) return;
  Napi::MemoryManagement::AdjustExternalMemory(env, delta);
  st.reportedBytes = live;
}

void setScratch(Napi::Float64Array scratch) {
  if (scratch.ElementLength() < kScratchLen) {
    throw Napi::TypeError::New(scratch.Env(), "scratch buffer is too small");
  }
  AddonState& st = addonState(scratch.Env());
  st.scratchRef = Napi::Persistent(scratch);
  st.scratch = scratch.Data();
}

void writeMeta(Napi::Env env, const Tensor& t) {
  double* scratch = addonState(env).scratch;
  scratch[0] = t.ndim();
  scratch[1] = static_cast<double>(t.dtype());
  scratch[2] = t.ctx().devType;
  scratch[3] = t.ctx().devId;
  for (int i = 0; i < t.ndim(); ++i) scratch[4 + i] = static_cast<double>(t.dim(i));
}

Napi::Value wrap(Napi::Env env, Tensor t) {
  if (t.ndim() > 32) fail(ErrorKind::kShape, "arrays may have at most 32 dimensions, got " + shapeStr(t.shape()));
  AddonState& st = addonState(env);
  uint32_t index;
  if (!st.freeSlots.empty()) {
    index = st.freeSlots.back();
    st.freeSlots.pop_back();
  } else {
    if (st.slots.size() >= static_cast<size_t>(kSlotBits)) fail(ErrorKind::kNative, "too many live arrays (16M)");
    index = static_cast<uint32_t>(st.slots.size());
    st.slots.emplace_back();
  }
  HandleSlot& s = st.slots[index];
  writeMeta(env, t);
  s.tensor = std::move(t);
  s.live = true;
  st.liveHandles++;
  st.totalHandles++;
  reportExternalMemory(env);
  return Napi::Number::New(env, static_cast<double>(s.generation) * kSlotBits + index);
}

void retargetHandle(Napi::Env env, double handle, Tensor t, const char* op) {
  HandleSlot* s = lookup(addonState(env), handle);
  if (!s || !s->live) fail(ErrorKind::kState, std::string(op) + ": the array was disposed");
  const Tensor& old = s->tensor;
  if (old.shape() != t.shape() || old.dtype() != t.dtype() || old.ctx() != t.ctx()) {
    fail(ErrorKind::kShape, std::string(op) + ": the array is " + shapeStr(old.shape()) + " " + dtypeName(old.dtype()) +
                                " on " + old.ctx().str() + ", the new bytes are " + shapeStr(t.shape()) + " " +
                                dtypeName(t.dtype()) + " on " + t.ctx().str());
  }
  s->tensor = std::move(t);
}

static const Tensor& tensorFromValue(const Napi::Value& v, const std::string& what) {
  if (!v.IsNumber()) fail(ErrorKind::kValue, what + " must be an NDArray");
  HandleSlot* s = lookup(addonState(v.Env()), v.As<Napi::Number>().DoubleValue());
  if (!s || !s->live) fail(ErrorKind::kState, what + " was disposed");
  // Any eager call may write the arrays it is given (out=, in-place updates, copies, sharedBytes): derived
  // copies of them, such as the GEMM's cached bfloat16 weights, are made again at their next use.
  if (s->tensor.defined()) s->tensor.storage().markWritten();
  return s->tensor;
}

const Tensor& tensorArg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* arg) {
  return tensorFromValue(info[i], std::string(op) + ": " + arg);
}

double numberArg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* arg) {
  Napi::Value v = info[i];
  if (!v.IsNumber()) fail(ErrorKind::kValue, std::string(op) + ": " + arg + " must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

bool boolArg(const Napi::CallbackInfo& info, size_t i) { return info[i].ToBoolean().Value(); }

std::string stringArg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* arg) {
  if (!info[i].IsString()) fail(ErrorKind::kValue, std::string(op) + ": " + arg + " must be a string");
  return info[i].As<Napi::String>().Utf8Value();
}

int64_t intArg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* arg) {
  const double v = numberArg(info, i, op, arg);
  if (!std::isfinite(v) || std::trunc(v) != v || std::fabs(v) > 9007199254740992.0) {
    fail(ErrorKind::kValue, std::string(op) + ": " + arg + " must be an integer, got " + std::to_string(v));
  }
  return static_cast<int64_t>(v);
}

DType dtypeArg(const Napi::CallbackInfo& info, size_t i, const char* op) {
  const int64_t code = intArg(info, i, op, "dtype");
  if (code < 0 || code > INT32_MAX || !isKnownDType(static_cast<int32_t>(code))) {
    fail(ErrorKind::kDType, std::string(op) + ": unknown dtype code " + std::to_string(code));
  }
  return static_cast<DType>(code);
}

Context contextArg(const Napi::CallbackInfo& info, size_t i, const char* op) {
  const int64_t type = intArg(info, i, op, "context type");
  const int64_t id = intArg(info, i + 1, op, "context id");
  if (type != 1 || id < 0 || id > INT32_MAX) {
    fail(ErrorKind::kContext, std::string(op) + ": only cpu(i) contexts with i >= 0 exist on this machine");
  }
  return Context{1, static_cast<int32_t>(id)};
}

Shape shapeArg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* arg) {
  Napi::Value v = info[i];
  if (!v.IsArray()) fail(ErrorKind::kValue, std::string(op) + ": " + arg + " must be an array of integers");
  Napi::Array a = v.As<Napi::Array>();
  Shape s(a.Length());
  for (uint32_t k = 0; k < a.Length(); ++k) {
    Napi::Value d = a.Get(k);
    const double x = d.IsNumber() ? d.As<Napi::Number>().DoubleValue() : NAN;
    // Beyond 2^53 a double is no longer an exact integer (and the int64 cast below may overflow).
    if (!std::isfinite(x) || std::floor(x) != x || std::fabs(x) > 9007199254740992.0) {
      fail(ErrorKind::kValue, std::string(op) + ": " + arg + " must be an array of integers of magnitude at most 2^53");
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
    out.push_back(tensorFromValue(a.Get(k), std::string(op) + ": " + arg + "[" + std::to_string(k) + "]"));
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
