// Executor plans: built once at bind, then each segment (forward, backward) runs in one call.
#include <cmath>

#include "addon_state.h"
#include "bindings.h"
#include "bkt/error.h"
#include "bkt/plan.h"
#include "errors.h"
#include "handle.h"

namespace bkt::napi {
namespace {

// One instruction row: kernel, inBegin, numIn, outBegin, numOut, attrBegin, numAttr, node.
constexpr size_t kInstructionWidth = 8;

Plan& planArg(const Napi::CallbackInfo& info, size_t i, const char* op) {
  auto& plans = addonState(info.Env()).plans;
  const auto it = plans.find(intArg(info, i, op, "plan"));
  if (it == plans.end()) fail(ErrorKind::kState, std::string(op) + ": the plan was disposed");
  return *it->second;
}

template <typename T, typename Array>
std::vector<T> vectorOf(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (!info[i].IsTypedArray()) fail(ErrorKind::kValue, std::string("planCreate: ") + what + " must be a typed array");
  Array a = info[i].As<Array>();
  return std::vector<T>(a.Data(), a.Data() + a.ElementLength());
}

std::vector<std::string> stringsOf(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (!info[i].IsArray()) fail(ErrorKind::kValue, std::string("planCreate: ") + what + " must be an array of strings");
  Napi::Array arr = info[i].As<Napi::Array>();
  std::vector<std::string> out;
  for (uint32_t k = 0; k < arr.Length(); ++k) out.push_back(arr.Get(k).ToString().Utf8Value());
  return out;
}

// planCreate(code: Int32Array of [kernel, inBegin, numIn, outBegin, numOut, attrBegin, numAttr, node] rows,
//            refs: Int32Array, attrs: Float64Array, nodeNames: string[], opNames: string[], numSlots) -> plan id
BKT_BINDING(jsPlanCreate) {
  const auto code = vectorOf<int32_t, Napi::Int32Array>(info, 0, "code");
  const auto refs = vectorOf<int32_t, Napi::Int32Array>(info, 1, "refs");
  const auto attrs = vectorOf<double, Napi::Float64Array>(info, 2, "attrs");
  std::vector<std::string> names = stringsOf(info, 3, "nodeNames");
  std::vector<std::string> opNames = stringsOf(info, 4, "opNames");
  const int64_t numSlots = intArg(info, 5, "planCreate", "numSlots");
  if (code.size() % kInstructionWidth != 0) fail(ErrorKind::kValue, "planCreate: code length is not a multiple of 8");
  std::vector<Instruction> instrs;
  for (size_t r = 0; r < code.size(); r += kInstructionWidth) {
    if (code[r] < 0 || code[r] >= static_cast<int32_t>(Kernel::kCount)) {
      fail(ErrorKind::kBind, "planCreate: unknown kernel id " + std::to_string(code[r]));
    }
    instrs.push_back({static_cast<Kernel>(code[r]), code[r + 1], code[r + 2], code[r + 3], code[r + 4], code[r + 5],
                      code[r + 6], code[r + 7]});
  }
  AddonState& st = addonState(info.Env());
  const int64_t id = st.nextPlan++;
  st.plans.emplace(id, std::make_unique<Plan>(std::move(instrs), refs, attrs, std::move(names), std::move(opNames),
                                              static_cast<int32_t>(numSlots)));
  return Napi::Number::New(info.Env(), static_cast<double>(id));
}

// planSetSlot(plan, slot, array)
BKT_BINDING(jsPlanSetSlot) {
  Plan& p = planArg(info, 0, "planSetSlot");
  p.setSlot(static_cast<int32_t>(intArg(info, 1, "planSetSlot", "slot")), tensorArg(info, 2, "planSetSlot", "array"));
  return info.Env().Undefined();
}

// Reads row fields of a planSetArenaSlots table as exact non-negative integers.
class ArenaTableReader {
 public:
  explicit ArenaTableReader(Napi::Float64Array table) : data_(table.Data()), size_(table.ElementLength()) {}
  bool done() const { return next_ == size_; }
  size_t remaining() const { return size_ - next_; }
  int64_t next(const char* field) {
    if (next_ == size_) {
      fail(ErrorKind::kValue, std::string("planSetArenaSlots: the table ends inside a row, at its ") + field);
    }
    const double v = data_[next_++];
    if (!(v >= 0 && v <= 9007199254740992.0) || std::trunc(v) != v) {
      fail(ErrorKind::kValue,
           std::string("planSetArenaSlots: ") + field + " must be a non-negative integer, got " + std::to_string(v));
    }
    return static_cast<int64_t>(v);
  }

 private:
  const double* data_;
  size_t size_;
  size_t next_ = 0;
};

// planSetArenaSlots(plan, table: Float64Array of [slot, deviceId, dtype, byteOffset, ndim, ...dims] rows):
// the plan's slots that are views into the arena of cpu(deviceId), given once at bind.
BKT_BINDING(jsPlanSetArenaSlots) {
  Plan& p = planArg(info, 0, "planSetArenaSlots");
  if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    fail(ErrorKind::kValue, "planSetArenaSlots: table must be a Float64Array");
  }
  ArenaTableReader table(info[1].As<Napi::Float64Array>());
  std::vector<ArenaSlot> slots;
  while (!table.done()) {
    const int64_t slot = table.next("slot");
    const int64_t device = table.next("deviceId");
    const int64_t dtype = table.next("dtype");
    if (slot > INT32_MAX || device > INT32_MAX || dtype > INT32_MAX || !isKnownDType(static_cast<int32_t>(dtype))) {
      fail(ErrorKind::kValue, "planSetArenaSlots: slot " + std::to_string(slot) + " has device " +
                                  std::to_string(device) + " and dtype code " + std::to_string(dtype) +
                                  ", out of range");
    }
    const uint64_t byteOffset = static_cast<uint64_t>(table.next("byteOffset"));
    const int64_t ndim = table.next("ndim");
    if (static_cast<uint64_t>(ndim) > table.remaining()) {
      fail(ErrorKind::kValue, "planSetArenaSlots: slot " + std::to_string(slot) + " has " + std::to_string(ndim) +
                                  " dims, more than the table holds");
    }
    Shape shape(static_cast<size_t>(ndim));
    for (int64_t& d : shape) d = table.next("dim");
    slots.push_back({static_cast<int32_t>(slot), Context{1, static_cast<int32_t>(device)}, byteOffset, std::move(shape),
                     static_cast<DType>(dtype)});
  }
  p.setArenaSlots(std::move(slots));
  return info.Env().Undefined();
}

// planBindArena(plan, arena): points every arena slot of the arena's context at its bytes.
BKT_BINDING(jsPlanBindArena) {
  Plan& p = planArg(info, 0, "planBindArena");
  p.bindArena(tensorArg(info, 1, "planBindArena", "arena"));
  return info.Env().Undefined();
}

// planSlotArray(plan, slot) -> a new handle to the array the slot holds (what its kernels read).
BKT_BINDING(jsPlanSlotArray) {
  const Plan& p = planArg(info, 0, "planSlotArray");
  return wrap(info.Env(), p.slot(static_cast<int32_t>(intArg(info, 1, "planSlotArray", "slot"))));
}

// planRetargetSlotArray(plan, slot, array): `array` (an earlier planSlotArray of the slot) holds what the
// slot holds now, after bindArena moved it to a new arena.
BKT_BINDING(jsPlanRetargetSlotArray) {
  const Plan& p = planArg(info, 0, "planRetargetSlotArray");
  const Tensor& now = p.slot(static_cast<int32_t>(intArg(info, 1, "planRetargetSlotArray", "slot")));
  if (!info[2].IsNumber()) fail(ErrorKind::kValue, "planRetargetSlotArray: array must be an NDArray");
  retargetHandle(info.Env(), info[2].As<Napi::Number>().DoubleValue(), now, "planRetargetSlotArray");
  return info.Env().Undefined();
}

// planRun(plan, begin, end, isTrain): each instruction is timed while the profiler records symbolic operators.
BKT_BINDING_UNTIMED(jsPlanRun) {
  Plan& p = planArg(info, 0, "planRun");
  Profiler& profiler = addonState(info.Env()).profiler;
  p.run(static_cast<int32_t>(intArg(info, 1, "planRun", "begin")),
        static_cast<int32_t>(intArg(info, 2, "planRun", "end")), boolArg(info, 3),
        profiler.symbolic() ? &profiler : nullptr);
  return info.Env().Undefined();
}

// planPrepare(plan): chooses every declared GEMM shape's library and builds its primitive (at bind).
BKT_BINDING(jsPlanPrepare) {
  planArg(info, 0, "planPrepare").prepare();
  return info.Env().Undefined();
}

BKT_BINDING(jsPlanDispose) {
  if (info[0].IsNumber())
    addonState(info.Env()).plans.erase(static_cast<int64_t>(info[0].As<Napi::Number>().DoubleValue()));
  return info.Env().Undefined();
}

// viewBytes(buffer, byteOffset, shape, dtype) -> a view of the buffer's bytes as an array
BKT_BINDING(jsViewBytes) {
  const Tensor& buf = tensorArg(info, 0, "viewBytes", "buffer");
  const int64_t offset = intArg(info, 1, "viewBytes", "byteOffset");
  if (offset < 0) fail(ErrorKind::kIndex, "viewBytes: negative byte offset");
  return wrap(info.Env(), buf.viewBytes(static_cast<size_t>(offset), shapeArg(info, 2, "viewBytes", "shape"),
                                        dtypeArg(info, 3, "viewBytes")));
}

// sharedBytes(array) -> an ArrayBuffer over the array's own bytes (no copy), for native code of other
// packages (the MPI addon of @bkt/kvstore) to read and write in place. The ArrayBuffer keeps the
// storage alive until it is collected, so the memory outlives a disposed handle.
BKT_BINDING(jsSharedBytes) {
  auto* kept = new Tensor(tensorArg(info, 0, "sharedBytes", "array"));
  return Napi::ArrayBuffer::New(
      info.Env(), kept->raw(), kept->nbytes(), [](Napi::Env, void*, Tensor* t) { delete t; }, kept);
}

}  // namespace

void registerPlan(Napi::Env env, Napi::Object exports) {
  exports.Set("planCreate", Napi::Function::New(env, jsPlanCreate));
  exports.Set("planSetSlot", Napi::Function::New(env, jsPlanSetSlot));
  exports.Set("planSetArenaSlots", Napi::Function::New(env, jsPlanSetArenaSlots));
  exports.Set("planBindArena", Napi::Function::New(env, jsPlanBindArena));
  exports.Set("planSlotArray", Napi::Function::New(env, jsPlanSlotArray));
  exports.Set("planRetargetSlotArray", Napi::Function::New(env, jsPlanRetargetSlotArray));
  exports.Set("planRun", Napi::Function::New(env, jsPlanRun));
  exports.Set("planPrepare", Napi::Function::New(env, jsPlanPrepare));
  exports.Set("planDispose", Napi::Function::New(env, jsPlanDispose));
  exports.Set("viewBytes", Napi::Function::New(env, jsViewBytes));
  exports.Set("sharedBytes", Napi::Function::New(env, jsSharedBytes));
}

}  // namespace bkt::napi
