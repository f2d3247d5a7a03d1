// One generator (xoshiro256**) per JS thread (main or Worker), seeded by seed(); the same seed gives
// the same numbers on every platform because the distributions are computed here, not by the
// standard library.
#pragma once
#include "bkt/tensor.h"

namespace bkt {

void seedRandom(uint64_t seed);
Tensor randomUniform(double low, double high, const Shape& shape, DType dtype, Context ctx);
Tensor randomNormal(double loc, double scale, const Shape& shape, DType dtype, Context ctx);
Tensor randomRandint(int64_t low, int64_t high, const Shape& shape, DType dtype, Context ctx);

}  // namespace bkt

namespace bkt {

// Fills for plan kernels, from the same generator and allocating nothing: Dropout's mask (each of
// the n elements is keepScale with probability keepProb, else 0) and RReLU's uniform slopes.
template <typename T>
void fillBernoulliMask(T* out, int64_t n, double keepProb, double keepScale);
template <typename T>
void fillUniform(T* out, int64_t n, double low, double high);

}  // namespace bkt
