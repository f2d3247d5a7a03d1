// Loop helpers shared by the element-wise kernel files (private to native/kernels).
#pragma once
#include <cstdint>
#include <utility>

#include "bkt/dtype.h"
#include "bkt/parallel.h"

namespace bkt::elemwise {

// Work sizes below which a kernel stays on the calling thread: a pool handoff costs tens of
// microseconds, which only pays off over this many elements.
constexpr int64_t kCheapGrain = 1 << 16;
constexpr int64_t kCostlyGrain = 1 << 13;

}  // namespace bkt::elemwise
