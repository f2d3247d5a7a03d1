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

// parallelFor, except that work too small to split runs inline without building a std::function,
// so a one-element op costs no allocation or pool call.
template <typename Fn>
inline void forRange(int64_t n, int64_t grain, Fn&& fn) {
  if (n <= 0) return;
  if (n < 2 * grain) {
    fn(int64_t{0}, n);
    return;
  }
  parallelFor(n, grain, fn);
}

// Calls fn(T{}) for float32/float64; callers check the dtype first.
template <typename Fn>
inline void dispatchFloat(DType t, Fn&& fn) {
  if (t == DType::kFloat64) {
    fn(double{});
  } else {
    fn(float{});
  }
}

}  // namespace bkt::elemwise
