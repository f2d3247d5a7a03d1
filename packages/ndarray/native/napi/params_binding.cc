#include "bindings.h"

namespace bkt::napi {

void registerParams(Napi::Env, Napi::Object) {}

}  // namespace bkt::napi
