#include <napi.h>

#include "addon_state.h"
#include "bindings.h"

namespace bkt::napi {

static Napi::Object init(Napi::Env env, Napi::Object exports) {
  createAddonState(env);
  registerCore(env, exports);
  registerElemwise(env, exports);
  registerReduce(env, exports);
  registerGemm(env, exports);
  registerIndexing(env, exports);
  registerParams(env, exports);
  registerOptimizer(env, exports);
  registerCompression(env, exports);
  registerPlan(env, exports);
  registerSparse(env, exports);
  registerProfiler(env, exports);
  return exports;
}

}  // namespace bkt::napi

static Napi::Object initAddon(Napi::Env env, Napi::Object exports) { return bkt::napi::init(env, exports); }

NODE_API_MODULE(bkt, initAddon)
