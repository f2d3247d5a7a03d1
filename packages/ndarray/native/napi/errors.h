// Converts C++ failures into the BktError subclasses that the TS side defines and hands over at init.
#pragma once
#include <napi.h>

#include <string>
#include <utility>

#include "bkt/error.h"
#include "bkt/profiler.h"

namespace bkt::napi {

void setErrorClasses(const Napi::Object& classes);
Napi::Error toJsError(Napi::Env env, ErrorKind kind, const std::string& message);

// Runs body and turns any C++ exception into a typed JS exception.
template <typename Body>
Napi::Value guarded(Napi::Env env, Body&& body) {
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const Error& e) {
    throw toJsError(env, e.kind(), e.what());
  } catch (const std::bad_alloc&) {
    throw toJsError(env, ErrorKind::kNative, "out of memory");
  } catch (const std::exception& e) {
    throw toJsError(env, ErrorKind::kNative, e.what());
  }
}

// A binding's operator name for the profiler: its C++ name without the `js` prefix, as JS calls it
// (jsBinaryOp -> binaryOp).
std::string bindingOpName(const char* binding);

// guarded, timed as the imperative operator `binding` while the profiler records those.
template <typename Body>
Napi::Value profiled(Napi::Env env, const char* binding, Body&& body) {
  Profiler* profiler = imperativeProfiler();
  if (!profiler) return guarded(env, body);
  ImperativeTimer timer(profiler, profiler->intern(bindingOpName(binding)));
  Napi::Value result = guarded(env, body);
  timer.done();
  return result;
}

// Declares a binding whose body may throw bkt::Error: `BKT_BINDING(name) { ... return value; }`. Each
// call is an imperative operator for the profiler.
#define BKT_BINDING(name)                                                                \
  static Napi::Value name##Impl(const Napi::CallbackInfo& info);                         \
  static Napi::Value name(const Napi::CallbackInfo& info) {                              \
    return ::bkt::napi::profiled(info.Env(), #name, [&]() { return name##Impl(info); }); \
  }                                                                                      \
  static Napi::Value name##Impl(const Napi::CallbackInfo& info)

// BKT_BINDING for the bindings the profiler does not time as a whole: the plan runner (it times each
// instruction), the optimizer updates (timed under MXNet's names) and the profiler's own.
#define BKT_BINDING_UNTIMED(name)                                                \
  static Napi::Value name##Impl(const Napi::CallbackInfo& info);                 \
  static Napi::Value name(const Napi::CallbackInfo& info) {                      \
    return ::bkt::napi::guarded(info.Env(), [&]() { return name##Impl(info); }); \
  }                                                                              \
  static Napi::Value name##Impl(const Napi::CallbackInfo& info)

}  // namespace bkt::napi
