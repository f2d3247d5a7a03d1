#include "bindings.h"

namespace bkt::napi {

void registerOptimizer(Napi::Env, Napi::Object) {}

}  // namespace bkt::napi
