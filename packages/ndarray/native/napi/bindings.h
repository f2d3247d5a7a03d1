// One registration function per binding file; module.cc calls each once.
#pragma once
#include <napi.h>

namespace bkt::napi {

void registerCore(Napi::Env env, Napi::Object exports);
void registerElemwise(Napi::Env env, Napi::Object exports);
void registerReduce(Napi::Env env, Napi::Object exports);
void registerGemm(Napi::Env env, Napi::Object exports);
void registerIndexing(Napi::Env env, Napi::Object exports);
void registerParams(Napi::Env env, Napi::Object exports);
void registerOptimizer(Napi::Env env, Napi::Object exports);
void registerCompression(Napi::Env env, Napi::Object exports);
void registerPlan(Napi::Env env, Napi::Object exports);
void registerSparse(Napi::Env env, Napi::Object exports);
void registerProfiler(Napi::Env env, Napi::Object exports);

}  // namespace bkt::napi
