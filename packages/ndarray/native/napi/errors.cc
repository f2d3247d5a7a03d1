#include "errors.h"

#include "addon_state.h"

namespace bkt::napi {
namespace {

Napi::FunctionReference& classFor(Napi::Env env, ErrorKind kind) {
  return addonState(env).errorClasses[static_cast<int>(kind)];
}

const char* className(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kShape:
      return "ShapeError";
    case ErrorKind::kDType:
      return "DTypeError";
    case ErrorKind::kBind:
      return "BindError";
    case ErrorKind::kFormat:
      return "FormatError";
    case ErrorKind::kState:
      return "StateError";
    case ErrorKind::kIndex:
      return "IndexError";
    case ErrorKind::kContext:
      return "ContextError";
    case ErrorKind::kValue:
      return "ValueError";
    case ErrorKind::kNative:
      return "NativeError";
  }
  return "NativeError";
}

}  // namespace

void setErrorClasses(const Napi::Object& classes) {
  for (int k = 0; k <= static_cast<int>(ErrorKind::kNative); ++k) {
    const auto kind = static_cast<ErrorKind>(k);
    Napi::Value cls = classes.Get(className(kind));
    if (!cls.IsFunction()) {
      throw Napi::TypeError::New(classes.Env(), std::string("error class ") + className(kind) + " is missing");
    }
    classFor(classes.Env(), kind) = Napi::Persistent(cls.As<Napi::Function>());
  }
}

Napi::Error toJsError(Napi::Env env, ErrorKind kind, const std::string& message) {
  Napi::FunctionReference& ref = classFor(env, kind);
  if (ref.IsEmpty()) return Napi::Error::New(env, std::string(className(kind)) + ": " + message);
  Napi::Object err = ref.New({Napi::String::New(env, message)});
  return Napi::Error(env, err);
}

std::string bindingOpName(const char* binding) {
  std::string name(binding);
  if (name.rfind("js", 0) == 0 && name.size() > 2) {
    name.erase(0, 2);
    if (name[0] >= 'A' && name[0] <= 'Z') name[0] = static_cast<char>(name[0] - 'A' + 'a');
  }
  return name;
}

}  // namespace bkt::napi
