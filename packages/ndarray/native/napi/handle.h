// The JS-visible handles of native tensors. JS NDArray objects hold one; disposing frees the bytes at
// once, and a FinalizationRegistry on the JS side disposes the handles that JS forgets.
#pragma once
#include <napi.h>

#include "bkt/tensor.h"

namespace bkt::napi {

// Handles are numbers: a slot index in the low 24 bits and the slot's generation above, so a stale
// handle (disposed, slot reused) is detected instead of reaching someone else's tensor. Numbers are
// the cheapest values to pass through N-API, which keeps a tiny op's call overhead low.
// The table is this environment's (AddonState): a Worker's handles mean nothing on another thread.
void disposeHandle(Napi::Env env, double handle);
int64_t liveHandles(Napi::Env env);
// Handles this environment ever created.
int64_t totalHandles(Napi::Env env);

// Tells V8 how many tensor bytes this environment holds (Napi::MemoryManagement::AdjustExternalMemory), so that
// arrays which JS dropped without dispose() are collected in time. Called on the JS thread.
void reportExternalMemory(Napi::Env env);

// Binds the scratch Float64Array through which new handles report shape, dtype and context.
void setScratch(Napi::Float64Array scratch);

// Writes a tensor's ndim, dtype, context and dims to the scratch buffer for JS to read.
void writeMeta(Napi::Env env, const Tensor& t);

// Stores a tensor under a new handle and writes its metadata to the scratch buffer.
Napi::Value wrap(Napi::Env env, Tensor t);

// Makes a live handle hold `t` from now on, so the JS array keeps its identity while its bytes move
// (an executor's output view when its arena grows). `t` must have the handle's shape, dtype and
// context: the JS side caches those.
void retargetHandle(Napi::Env env, double handle, Tensor t, const char* op);

// Returns the tensor behind a handle argument, or throws a typed error naming op and argument.
const Tensor& tensorArg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* arg);

// Argument readers shared by every binding file.
double numberArg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* arg);
bool boolArg(const Napi::CallbackInfo& info, size_t i);
std::string stringArg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* arg);
int64_t intArg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* arg);
DType dtypeArg(const Napi::CallbackInfo& info, size_t i, const char* op);
// Reads (devType, devId) at i and i + 1; only cpu(i) exists on this build.
Context contextArg(const Napi::CallbackInfo& info, size_t i, const char* op);
Shape shapeArg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* arg);
std::vector<Tensor> tensorListArg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* arg);
Napi::Array wrapList(Napi::Env env, const std::vector<Tensor>& ts);

}  // namespace bkt::napi
