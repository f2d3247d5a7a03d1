#include "bindings.h"

namespace bkt::napi {

void registerCompression(Napi::Env, Napi::Object) {}

}  // namespace bkt::napi
