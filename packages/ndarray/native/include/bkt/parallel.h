// The addon's one thread pool. Kernels split work with parallelFor; GEMM runs in OpenBLAS's own
// threads, and the pool's workers sleep on a condition variable so the two never spin at once.
#pragma once
#include <cstdint>
#include <functional>

namespace bkt {

// Runs fn(begin, end) over [0, n) in chunks of at least `grain` items, on the caller plus the pool.
void parallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

// Sets the pool size and OpenBLAS's thread count together.
void setNumThreads(int n);
int numThreads();

}  // namespace bkt
