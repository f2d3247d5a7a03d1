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

constexpr float kExpLo = -87.3365447505531f;  // below this expf is 0 or subnormal
constexpr float kExpHi = 88.0f;               // keeps the exponent below 128

// Cephes' expf for xc in [kExpLo, kExpHi]: reduction by ln 2, a degree-6 polynomial, within 2 ulp of
// std::exp.
inline float expInRange(float xc) {
  const float n = std::nearbyint(xc * 1.44269504088896341f);
  const float r = xc - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float y = p * r * r + r + 1.0f;
  return y * floatOf((static_cast<int32_t>(n) + 127) << 23);
}

// exp for float32 that loops can vectorize. Saturates to inf above 88 (expf itself overflows at
// 88.72) and to 0 below −87.3; NaN stays NaN. Out-of-range and NaN inputs are patched in with bit
// masks, not branches, because GCC will not if-convert a select that guards trapping float
// arithmetic.
inline float fastExp(float x) {
  const int32_t under = -static_cast<int32_t>(x < kExpLo);
  const int32_t over = -static_cast<int32_t>(x > kExpHi);
  const int32_t nan = -static_cast<int32_t>(x != x);
  const int32_t xb = bitsOf(x);
  const float v = expInRange(floatOf(blend(under | nan, bitsOf(kExpLo), blend(over, bitsOf(kExpHi), xb))));
  const int32_t inf = bitsOf(std::numeric_limits<float>::infinity());
  return floatOf(blend(nan, xb, blend(over, inf, bitsOf(v) & ~under)));
}

// fastExp for x <= 0 or NaN (softmax's (x - max) / t), equal to it there: with no overflow to
// patch, the loop is a few instructions shorter.
inline float fastExpNonPositive(float x) {
  const int32_t under = -static_cast<int32_t>(x < kExpLo);
  const int32_t nan = -static_cast<int32_t>(x != x);
  const int32_t xb = bitsOf(x);
  const float v = expInRange(floatOf(blend(under | nan, bitsOf(kExpLo), xb)));
  return floatOf(blend(nan, xb, bitsOf(v) & ~under));
}

inline double fastExp(double x) { return std::exp(x); }
inline double fastExpNonPositive(double x) { return std::exp(x); }

}  // namespace bkt::fastmath
