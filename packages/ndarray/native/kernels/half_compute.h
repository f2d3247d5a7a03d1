// float16 and bfloat16 in the kernel loops (private to native/kernels): stored as IEEE half bits
// (uint16_t) or as BFloat16, as dispatchAll exposes them, computed in float32 per element and rounded
// to nearest even on store, as MXNet computes both on CPU. For every other type load and store are
// the identity, so a loop written `o[i] = store<T>(f(load(x[i])))` compiles to what it did before.
#pragma once
#include <cstdint>
#include <string>
#include <type_traits>

#include "bkt/dtype.h"
#include "bkt/error.h"
#include "bkt/tensor.h"

#if defined(__F16C__)
#include <immintrin.h>
#endif

namespace bkt::half {

#if defined(__F16C__)
// One instruction each way; the same round-to-nearest-even as halfToFloat / floatToHalf.
inline float toFloat(uint16_t h) { return _cvtsh_ss(h); }
inline uint16_t fromFloat(float f) { return _cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT); }
#else
inline float toFloat(uint16_t h) { return halfToFloat(h); }
inline uint16_t fromFloat(float f) { return floatToHalf(f); }
#endif

// Whether storage type S is one of the two 16-bit floats, which compute in float32.
template <typename S>
inline constexpr bool kIsReduced = std::is_same_v<S, uint16_t> || std::is_same_v<S, BFloat16>;

// The type a loop computes in for storage type S: float for the 16-bit floats, S itself otherwise.
template <typename S>
using Compute = std::conditional_t<kIsReduced<S>, float, S>;

template <typename S>
inline Compute<S> load(S x) {
  if constexpr (std::is_same_v<S, uint16_t>) {
    return toFloat(x);
  } else if constexpr (std::is_same_v<S, BFloat16>) {
    return static_cast<float>(x);
  } else {
    return x;
  }
}

// Rounds a computed value (of any arithmetic type) into storage type S.
template <typename S, typename C>
inline S store(C x) {
  if constexpr (std::is_same_v<S, uint16_t>) {
    return fromFloat(static_cast<float>(x));
  } else if constexpr (std::is_same_v<S, BFloat16>) {
    // A double (a reduction's accumulator, a scalar) is rounded once, not by way of float.
    BFloat16 r;
    r.bits = std::is_same_v<C, double> ? doubleToBFloat16(x) : floatToBFloat16(static_cast<float>(x));
    return r;
  } else {
    return static_cast<S>(x);
  }
}

inline bool isFloatOrHalf(DType t) { return isFloat(t) || t == DType::kFloat16 || t == DType::kBFloat16; }

// DTypeError naming op and arg unless `t` is float16, bfloat16, float32 or float64.
inline void requireFloatOrHalf(const Tensor& t, const char* op, const char* arg) {
  if (!isFloatOrHalf(t.dtype())) {
    fail(ErrorKind::kDType, std::string(op) + ": " + arg + " must be float16, bfloat16, float32 or float64, got " +
                                dtypeName(t.dtype()) + " with shape " + shapeStr(t.shape()));
  }
}

// Calls fn(S{}) with S double, half bits (uint16_t), BFloat16 or float; callers check the dtype first.
template <typename Fn>
auto dispatchFloatOrHalf(DType t, Fn&& fn) {
  if (t == DType::kFloat16) return fn(uint16_t{});
  if (t == DType::kBFloat16) return fn(BFloat16{});
  return dispatchFloat(t, fn);
}

// The kernels that take bfloat16 but not float16 (GEMM-backed: oneDNN has a bfloat16 product; softmax
// and the losses that bfloat16 models keep next to them): DTypeError naming op and arg for other dtypes.
inline void requireFloatOrBFloat16(const Tensor& t, const char* op, const char* arg) {
  if (!isFloat(t.dtype()) && t.dtype() != DType::kBFloat16) {
    fail(ErrorKind::kDType, std::string(op) + ": " + arg + " must be float32, float64 or bfloat16, got " +
                                dtypeName(t.dtype()) + " with shape " + shapeStr(t.shape()));
  }
}

// Calls fn(S{}) with S double, float or BFloat16; callers check the dtype first.
template <typename Fn>
auto dispatchFloatOrBFloat16(DType t, Fn&& fn) {
  if (t == DType::kBFloat16) return fn(BFloat16{});
  return dispatchFloat(t, fn);
}

}  // namespace bkt::half
