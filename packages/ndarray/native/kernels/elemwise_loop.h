// Loop helpers shared by the element-wise kernel files (private to native/kernels).
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "bkt/shape.h"

#include "bkt/dtype.h"
#include "bkt/parallel.h"

namespace bkt::elemwise {

// Work sizes below which a kernel stays on the calling thread: a pool handoff costs tens of
// microseconds, which only pays off over this many elements.
constexpr int64_t kCheapGrain = 1 << 16;
constexpr int64_t kCostlyGrain = 1 << 13;

// Element strides of a tensor of shape `in` broadcast (right-aligned) to rank `ndim`: 0 where it
// has a unit dim.
inline std::vector<int64_t> broadcastStrides(const Shape& in, size_t ndim) {
  std::vector<int64_t> strides(ndim, 0);
  int64_t step = 1;
  for (size_t k = 0; k < in.size(); ++k) {
    const size_t i = in.size() - 1 - k;
    if (in[i] != 1) strides[ndim - 1 - k] = step;
    step *= in[i];
  }
  return strides;
}

}  // namespace bkt::elemwise
