#include "addon_state.h"

namespace bkt::napi {

void createAddonState(Napi::Env env) {
  auto* state = new AddonState();
  // Arrays allocated on this environment's thread are counted for it (memoryStats, V8's accounting).
  setThreadMemoryAccount(state->memory);
  env.SetInstanceData<AddonState>(state);
}

AddonState& addonState(Napi::Env env) { return *env.GetInstanceData<AddonState>(); }

}  // namespace bkt::napi
