// The addon's one thread pool. Kernels split work with parallelFor; GEMM runs in oneDNN's OpenMP team
// (or OpenBLAS's threads when forced, see gemm_backend.h), and the pool's workers sleep on a
// condition variable so the two never spin at once.
#pragma once
#include <cstdint>
#include <functional>

namespace bkt {

void parallelForPool(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

// Runs fn(begin, end) over [0, n) in chunks of at least `grain` items, on the caller plus the pool.
// Work too small to split runs inline without building a std::function, so a one-element op costs
// no allocation and no pool handoff.
template <typename Fn>
inline void parallelFor(int64_t n, int64_t grain, Fn&& fn) {
  if (n <= 0) return;
  if (n < 2 * grain) {
    fn(int64_t{0}, n);
    return;
  }
  parallelForPool(n, grain, fn);
}

// Sets the pool size and the GEMM libraries' thread counts together.
void setNumThreads(int n);
int numThreads();

}  // namespace bkt
