// Executor plans: built once at bind, then each segment (forward, backward) runs in one call.
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

// planCreate(code: Int32Array of [kernel, inBegin, numIn, outBegin, numOut, attrBegin, numAttr, node] rows,
//            refs: Int32Array, attrs: Float64Array, nodeNames: string[], numSlots) -> plan id
BKT_BINDING(jsPlanCreate) {
  const auto code = vectorOf<int32_t, Napi::Int32Array>(info, 0, "code");
  const auto refs = vectorOf<int32_t, Napi::Int32Array>(info, 1, "refs");
  const auto attrs = vectorOf<double, Napi::Float64Array>(info, 2, "attrs");
  if (!info[3].IsArray()) fail(ErrorKind::kValue, "planCreate: nodeNames must be an array of strings");
  Napi::Array namesArr = info[3].As<Napi::Array>();
  std::vector<std::string> names;
  for (uint32_t k = 0; k < namesArr.Length(); ++k) names.push_back(namesArr.Get(k).ToString().Utf8Value());
  const int64_t numSlots = intArg(info, 4, "planCreate", "numSlots");
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
  st.plans.emplace(id, std::make_unique<Plan>(std::move(instrs), refs, attrs, std::move(names), static_cast<int32_t>(numSlots)));
  return Napi::Number::New(info.Env(), static_cast<double>(id));
}

// planSetSlot(plan, slot, array)
BKT_BINDING(jsPlanSetSlot) {
  Plan& p = planArg(info, 0, "planSetSlot");
  p.setSlot(static_cast<int32_t>(intArg(info, 1, "planSetSlot", "slot")), tensorArg(info, 2, "planSetSlot", "array"));
  return info.Env().Undefined();
}

// planRun(plan, begin, end, isTrain)
BKT_BINDING(jsPlanRun) {
  Plan& p = planArg(info, 0, "planRun");
  p.run(static_cast<int32_t>(intArg(info, 1, "planRun", "begin")), static_cast<int32_t>(intArg(info, 2, "planRun", "end")),
        boolArg(info, 3));
  return info.Env().Undefined();
}

BKT_BINDING(jsPlanDispose) {
  if (info[0].IsNumber()) addonState(info.Env()).plans.erase(static_cast<int64_t>(info[0].As<Napi::Number>().DoubleValue()));
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
  return Napi::ArrayBuffer::New(info.Env(), kept->raw(), kept->nbytes(),
                                [](Napi::Env, void*, Tensor* t) { delete t; }, kept);
}

}  // namespace

void registerPlan(Napi::Env env, Napi::Object exports) {
  exports.Set("planCreate", Napi::Function::New(env, jsPlanCreate));
  exports.Set("planSetSlot", Napi::Function::New(env, jsPlanSetSlot));
  exports.Set("planRun", Napi::Function::New(env, jsPlanRun));
  exports.Set("planDispose", Napi::Function::New(env, jsPlanDispose));
  exports.Set("viewBytes", Napi::Function::New(env, jsViewBytes));
  exports.Set("sharedBytes", Napi::Function::New(env, jsSharedBytes));
}

}  // namespace bkt::napi
