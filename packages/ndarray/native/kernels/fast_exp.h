// Private to the kernels: exp for float32 that loops can vectorize (softmax, the fused RNN's gates).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace bkt::fastmath {

inline int32_t bitsOf(float f) {
  int32_t i;
  std::memcpy(&i, &f, sizeof i);
  return i;
}

inline float floatOf(int32_t i) {
  float f;
  std::memcpy(&f, &i, sizeof f);
  return f;
}

// Bitwise select: a where mask is all ones, b where it is zero.
inline int32_t blend(int32_t mask, int32_t a, int32_t b) { return (a & mask) | (b & ~mask); }

// exp for float32 that loops can vectorize: Cephes' expf (reduction by ln 2, a degree-6
// polynomial), within 2 ulp of std::exp. Out-of-range and NaN inputs are patched in with bit masks,
// not branches, because GCC will not if-convert a select that guards trapping float arithmetic.
// Saturates to inf above 88 (expf itself overflows at 88.72) and to 0 below −87.3; NaN stays NaN.
inline float fastExp(float x) {
  constexpr float kLo = -87.3365447505531f;  // below this expf is 0 or subnormal
  constexpr float kHi = 88.0f;               // keeps the exponent below 128
  const int32_t under = -static_cast<int32_t>(x < kLo);
  const int32_t over = -static_cast<int32_t>(x > kHi);
  const int32_t nan = -static_cast<int32_t>(x != x);
  const int32_t xb = bitsOf(x);
  const float xc = floatOf(blend(under | nan, bitsOf(kLo), blend(over, bitsOf(kHi), xb)));
  const float n = std::nearbyint(xc * 1.44269504088896341f);
  const float r = xc - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float y = p * r * r + r + 1.0f;
  const float v = y * floatOf((static_cast<int32_t>(n) + 127) << 23);
  const int32_t inf = bitsOf(std::numeric_limits<float>::infinity());
  return floatOf(blend(nan, xb, blend(over, inf, bitsOf(v) & ~under)));
}

inline double fastExp(double x) { return std::exp(x); }

}  // namespace bkt::fastmath
