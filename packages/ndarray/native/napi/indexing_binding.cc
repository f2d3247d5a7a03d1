#include "bindings.h"

namespace bkt::napi {

void registerIndexing(Napi::Env, Napi::Object) {}

}  // namespace bkt::napi
