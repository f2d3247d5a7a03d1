#include "bindings.h"

namespace bkt::napi {

void registerReduce(Napi::Env, Napi::Object) {}

}  // namespace bkt::napi
