#include "bindings.h"

namespace bkt::napi {

void registerGemm(Napi::Env, Napi::Object) {}

}  // namespace bkt::napi
