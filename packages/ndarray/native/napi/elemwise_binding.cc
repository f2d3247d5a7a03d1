#include "bindings.h"

namespace bkt::napi {

void registerElemwise(Napi::Env, Napi::Object) {}

}  // namespace bkt::napi
