// The addon's one thread pool. Kernels split work with parallelFor; GEMM runs in oneDNN's OpenMP team
// (or OpenBLAS's threads when forced, see gemm_backend.h), and the pool's workers sleep on a
// condition variable so the two never spin at once.
#pragma once
#include <cstdint>
#include <functional>

// The addon is built for x86-64-v2 so it loads on any x86-64 CPU of the last fifteen years. The hot
// loops (the bodies handed to parallelFor in the element-wise, softmax, RNN, reduction and optimizer
// kernels) carry this attribute: GCC compiles each of them also for x86-64-v3 (AVX2, FMA) and
// x86-64-v4 (AVX-512) and an ifunc picks the best the CPU has once, when the addon is loaded.
#if defined(__x86_64__) && defined(__ELF__) && defined(__GNUC__)
#define BKT_VECTOR_CLONES __attribute__((target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#else
#define BKT_VECTOR_CLONES
#endif

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
