// The environment's operator profiler as @bkt/ndarray's profiler module drives it: what to record, the
// events so far, and clearing them.
#include "addon_state.h"
#include "bindings.h"
#include "bkt/error.h"
#include "bkt/profiler.h"
#include "errors.h"
#include "handle.h"

namespace bkt::napi {
namespace {

// profilerSetRecording(symbolic, imperative): which operators are timed from now on.
BKT_BINDING_UNTIMED(jsProfilerSetRecording) {
  addonState(info.Env()).profiler.setRecording(boolArg(info, 0), boolArg(info, 1));
  return info.Env().Undefined();
}

// Fields of a profilerEvents row.
constexpr size_t kEventWidth = 4;

// profilerEvents(from) -> { names: string[], events: Float64Array of [name, detail, beginNs, durationNs]
// rows for events [from, count) }: names and details are indices into names (detail -1: none), begin
// counts from the profiler's creation.
BKT_BINDING_UNTIMED(jsProfilerEvents) {
  const Profiler& profiler = addonState(info.Env()).profiler;
  const int64_t from = intArg(info, 0, "profilerEvents", "from");
  const auto& events = profiler.events();
  if (from < 0 || static_cast<uint64_t>(from) > events.size()) {
    fail(ErrorKind::kIndex, "profilerEvents: from " + std::to_string(from) + " is outside the " +
                                std::to_string(events.size()) + " events recorded");
  }
  const size_t count = events.size() - static_cast<size_t>(from);
  Napi::Env env = info.Env();
  Napi::Float64Array rows = Napi::Float64Array::New(env, count * kEventWidth);
  double* out = rows.Data();
  for (size_t k = 0; k < count; ++k) {
    const ProfileEvent& e = events[static_cast<size_t>(from) + k];
    out[k * kEventWidth] = e.name;
    out[k * kEventWidth + 1] = e.detail;
    out[k * kEventWidth + 2] = static_cast<double>(e.beginNs - profiler.originNs());
    out[k * kEventWidth + 3] = static_cast<double>(e.durationNs);
  }
  Napi::Array names = Napi::Array::New(env, profiler.names().size());
  for (size_t k = 0; k < profiler.names().size(); ++k) {
    names.Set(static_cast<uint32_t>(k), Napi::String::New(env, profiler.names()[k]));
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("names", names);
  result.Set("events", rows);
  return result;
}

// profilerClear(): drops every event recorded.
BKT_BINDING_UNTIMED(jsProfilerClear) {
  addonState(info.Env()).profiler.clear();
  return info.Env().Undefined();
}

}  // namespace

void registerProfiler(Napi::Env env, Napi::Object exports) {
  exports.Set("profilerSetRecording", Napi::Function::New(env, jsProfilerSetRecording));
  exports.Set("profilerEvents", Napi::Function::New(env, jsProfilerEvents));
  exports.Set("profilerClear", Napi::Function::New(env, jsProfilerClear));
}

}  // namespace bkt::napi
