#include "handle.h"

#include <climits>
#include <cmath>
#include <vector>

#include "bkt/error.h"

namespace bkt::napi {
namespace {

constexpr double kSlotBits = 16777216.0;  // 2^24 slots
constexpr size_t kScratchLen = 4 + 32;

struct Slot {
  Tensor tensor;
  uint32_t generation = 0;
  bool live = false;
};

// Only the JS thread touches the table.
std::vector<Slot> gSlots;
std::vector<uint32_t> gFree;
int64_t gLive = 0;
Napi::Reference<Napi::Float64Array> gScratchRef;
double* gScratch = nullptr;

// The live tensor bytes V8 was last told about. Storages are freed wherever their last reference
// goes (a pool thread, a plan, process teardown), where no env may be at hand, so instead of
// reporting each allocation and free, the JS thread reconciles this with the process-wide count
// each time it creates or disposes a handle, once the difference reaches kReportStep.
int64_t gReportedBytes = 0;
constexpr int64_t kReportStep = int64_t{1} << 20;

Slot* lookup(double handle) {
  if (!(handle >= 0) || handle != std::floor(handle) || handle >= 9007199254740992.0) return nullptr;
  const auto index = static_cast<size_t>(std::fmod(handle, kSlotBits));
  const auto generation = static_cast<uint32_t>(std::floor(handle / kSlotBits));
  if (index >= gSlots.size()) return nullptr;
  Slot& s = gSlots[index];
  return s.generation == generation ? &s : nullptr;
}

}  // namespace

void disposeHandle(double handle) {
  Slot* s = lookup(handle);
  if (!s || !s->live) return;
  s->tensor = Tensor();
  s->live = false;
  s->generation++;  // invalidates every copy of this handle
  gFree.push_back(static_cast<uint32_t>(s - gSlots.data()));
  gLive--;
}

int64_t liveHandles() { return gLive; }

void reportExternalMemory(Napi::Env env) {
  const int64_t live = memoryStats().liveBytes;
  const int64_t delta = live - gReportedBytes;
  if (delta < kReportStep && delta > -kReportStep) return;
  Napi::MemoryManagement::AdjustExternalMemory(env, delta);
  gReportedBytes = live;
}

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
  uint32_t index;
  if (!gFree.empty()) {
    index = gFree.back();
    gFree.pop_back();
  } else {
    if (gSlots.size() >= static_cast<size_t>(kSlotBits)) fail(ErrorKind::kNative, "too many live arrays (16M)");
    index = static_cast<uint32_t>(gSlots.size());
    gSlots.emplace_back();
  }
  Slot& s = gSlots[index];
  writeMeta(t);
  s.tensor = std::move(t);
  s.live = true;
  gLive++;
  reportExternalMemory(env);
  return Napi::Number::New(env, static_cast<double>(s.generation) * kSlotBits + index);
}

static const Tensor& tensorFromValue(const Napi::Value& v, const std::string& what) {
  if (!v.IsNumber()) fail(ErrorKind::kValue, what + " must be an NDArray");
  Slot* s = lookup(v.As<Napi::Number>().DoubleValue());
  if (!s || !s->live) fail(ErrorKind::kState, what + " was disposed");
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
