// Converts C++ failures into the BktError subclasses that the TS side defines and hands over at init.
#pragma once
#include <napi.h>

#include <utility>

#include "bkt/error.h"

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

// Declares a binding whose body may throw bkt::Error: `BKT_BINDING(name) { ... return value; }`.
#define BKT_BINDING(name)                                                        \
  static Napi::Value name##Impl(const Napi::CallbackInfo& info);                 \
  static Napi::Value name(const Napi::CallbackInfo& info) {                      \
    return ::bkt::napi::guarded(info.Env(), [&]() { return name##Impl(info); }); \
  }                                                                              \
  static Napi::Value name##Impl(const Napi::CallbackInfo& info)

}  // namespace bkt::napi
