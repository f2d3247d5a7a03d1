// Element types, numbered with MXNet's dtype codes so `.params` files carry them unchanged.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>

namespace bkt {

enum class DType : int32_t {
  kFloat32 = 0,
  kFloat64 = 1,
  kFloat16 = 2,
  kUint8 = 3,
  kInt32 = 4,
  kInt8 = 5,
  kInt64 = 6,
  kBool = 7,
  kBFloat16 = 12,  // MXNet skips 8-11 (int16, uint16, uint32, uint64), which bkt does not have
};

bool isKnownDType(int32_t code);
size_t dtypeSize(DType t);
const char* dtypeName(DType t);
inline bool isFloat(DType t) { return t == DType::kFloat32 || t == DType::kFloat64; }

// IEEE half <-> float, round-to-nearest-even. Kernels that compute float16 do so in float
// (kernels/half_compute.h); the others reject it.
uint16_t floatToHalf(float f);
float halfToFloat(uint16_t h);

// bfloat16 <-> float: bfloat16 is the upper half of a float's bits, so the way out is exact and the
// way in rounds the dropped 16 bits to nearest even (which carries into the exponent, up to
// infinity); a NaN stays a quiet NaN of the same sign. Inline: the GEMM converts whole weight
// matrices with them.
inline uint16_t floatToBFloat16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((x >> 16) | 0x40u);
  return static_cast<uint16_t>((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}
inline float bfloat16ToFloat(uint16_t b) {
  const uint32_t x = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

// A double rounded once to the nearest bfloat16 (ties to even): through float with round-to-odd, so
// the two roundings agree with one.
uint16_t doubleToBFloat16(double d);

// bfloat16 elements as kernels see them: the bits, converted to float whenever they are computed
// with and rounded (nearest even) whenever a value is stored, so a generic loop over T — a fill, a
// cast, a select — computes in float and stores bfloat16.
struct BFloat16 {
  uint16_t bits;
  BFloat16() = default;
  BFloat16(float f) : bits(floatToBFloat16(f)) {}           // NOLINT(google-explicit-constructor): stores round
  operator float() const { return bfloat16ToFloat(bits); }  // NOLINT(google-explicit-constructor)
};
static_assert(sizeof(BFloat16) == 2, "bfloat16 elements are two bytes");

// Calls fn(T{}) with T the C++ type of `t`. Half is exposed as uint16_t bits, bfloat16 as BFloat16.
template <typename Fn>
auto dispatchAll(DType t, Fn&& fn) {
  switch (t) {
    case DType::kFloat32:
      return fn(float{});
    case DType::kFloat64:
      return fn(double{});
    case DType::kFloat16:
      return fn(uint16_t{});
    case DType::kUint8:
      return fn(uint8_t{});
    case DType::kInt32:
      return fn(int32_t{});
    case DType::kInt8:
      return fn(int8_t{});
    case DType::kInt64:
      return fn(int64_t{});
    case DType::kBool:
      return fn(bool{});
    case DType::kBFloat16:
      return fn(BFloat16{});
  }
  return fn(float{});
}

// Calls fn(T{}) with T float or double; callers check that the dtype is one of the two first.
template <typename Fn>
auto dispatchFloat(DType t, Fn&& fn) {
  return t == DType::kFloat64 ? fn(double{}) : fn(float{});
}

}  // namespace bkt
