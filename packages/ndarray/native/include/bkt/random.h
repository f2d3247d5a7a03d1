// One global generator (xoshiro256**), seeded by seed(); the same seed gives the same numbers on
// every platform because the distributions are computed here, not by the standard library.
#pragma once
#include "bkt/tensor.h"

namespace bkt {

void seedRandom(uint64_t seed);
Tensor randomUniform(double low, double high, const Shape& shape, DType dtype, Context ctx);
Tensor randomNormal(double loc, double scale, const Shape& shape, DType dtype, Context ctx);
Tensor randomRandint(int64_t low, int64_t high, const Shape& shape, DType dtype, Context ctx);

}  // namespace bkt
