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
};

bool isKnownDType(int32_t code);
size_t dtypeSize(DType t);
const char* dtypeName(DType t);
inline bool isFloat(DType t) { return t == DType::kFloat32 || t == DType::kFloat64; }

// IEEE half <-> float, round-to-nearest-even. Kernels that compute float16 do so in float
// (kernels/half_compute.h); the others reject it.
uint16_t floatToHalf(float f);
float halfToFloat(uint16_t h);

// Calls fn(T{}) with T the C++ type of `t`. Half is exposed as uint16_t bits.
template <typename Fn>
auto dispatchAll(DType t, Fn&& fn) {
  switch (t) {
    case DType::kFloat32: return fn(float{});
    case DType::kFloat64: return fn(double{});
    case DType::kFloat16: return fn(uint16_t{});
    case DType::kUint8: return fn(uint8_t{});
    case DType::kInt32: return fn(int32_t{});
    case DType::kInt8: return fn(int8_t{});
    case DType::kInt64: return fn(int64_t{});
    case DType::kBool: return fn(bool{});
  }
  return fn(float{});
}

// Calls fn(T{}) with T float or double; callers check that the dtype is one of the two first.
template <typename Fn>
auto dispatchFloat(DType t, Fn&& fn) {
  return t == DType::kFloat64 ? fn(double{}) : fn(float{});
}

}  // namespace bkt
