// The JS-visible handle of a native tensor. JS NDArray objects hold one; disposing frees the bytes
// at once, and the wrap's finalizer is the safety net when JS forgets.
#pragma once
#include <napi.h>

#include "bkt/tensor.h"

namespace bkt::napi {

class Handle : public Napi::ObjectWrap<Handle> {
 public:
  static void init(Napi::Env env, Napi::Object exports);
  explicit Handle(const Napi::CallbackInfo& info);
  ~Handle() override;

  Tensor tensor;
  bool disposed = false;
  void dispose();
};

int64_t liveHandles();

// Binds the scratch Float64Array through which new handles report shape, dtype and context.
void setScratch(Napi::Float64Array scratch);

// Writes a tensor's ndim, dtype, context and dims to the scratch buffer for JS to read.
void writeMeta(const Tensor& t);

// Wraps a tensor in a new handle and writes its metadata to the scratch buffer.
Napi::Value wrap(Napi::Env env, Tensor t);

bool isHandle(const Napi::Value& v);

// Returns the tensor behind a handle argument, or throws a typed error naming op and argument.
const Tensor& tensorArg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* arg);

// Argument readers shared by every binding file.
double numberArg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* arg);
bool boolArg(const Napi::CallbackInfo& info, size_t i);
Shape shapeArg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* arg);
std::vector<Tensor> tensorListArg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* arg);
Napi::Array wrapList(Napi::Env env, const std::vector<Tensor>& ts);

}  // namespace bkt::napi
