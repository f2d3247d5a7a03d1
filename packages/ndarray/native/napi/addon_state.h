// Everything the addon keeps between calls, one instance per JS environment (the main thread and each
// Worker load the addon separately). Node owns it as the environment's instance data and deletes it
// when the environment shuts down, before the process exits, so nothing outlives its env.
#pragma once
#include <napi.h>

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "bkt/error.h"
#include "bkt/plan.h"
#include "bkt/profiler.h"
#include "bkt/tensor.h"

namespace bkt::napi {

struct HandleSlot {
  Tensor tensor;
  uint32_t generation = 0;
  bool live = false;
};

struct AddonState {
  // The handle table (handle.cc); only this environment's JS thread touches it.
  std::vector<HandleSlot> slots;
  std::vector<uint32_t> freeSlots;
  int64_t liveHandles = 0;
  // Handles ever created: a flat count across a loop means the loop makes no arrays.
  int64_t totalHandles = 0;
  Napi::Reference<Napi::Float64Array> scratchRef;
  double* scratch = nullptr;

  // The arrays this environment allocates, and the live bytes V8 was last told about (handle.cc).
  std::shared_ptr<MemoryAccount> memory = std::make_shared<MemoryAccount>();
  int64_t reportedBytes = 0;

  // Executor plans by id (plan_binding.cc).
  std::unordered_map<int64_t, std::unique_ptr<Plan>> plans;
  int64_t nextPlan = 1;

  // This environment's operator profiler (profiler_binding.cc); plans and optimizer updates record into it.
  Profiler profiler;

  // The BktError subclasses handed over by init, indexed by ErrorKind (errors.cc).
  Napi::FunctionReference errorClasses[static_cast<int>(ErrorKind::kNative) + 1];
};

// Creates this environment's state; called once, by the module's init.
void createAddonState(Napi::Env env);

// This environment's state.
AddonState& addonState(Napi::Env env);

}  // namespace bkt::napi
