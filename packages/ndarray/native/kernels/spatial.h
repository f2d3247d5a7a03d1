// Shared by the Convolution and Pooling plan kernels: their per-spatial-axis attributes and
// viewing 1-D and 2-D problems alike, a 1-D one as 2-D with a height of 1.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "bkt/error.h"
#include "bkt/plan.h"

namespace bkt {
namespace spatial {

// A per-spatial-axis attribute (kernel, stride, dilate, pad) as (height, width): `dflt` on every axis
// when empty, else one value per axis, right-aligned so a 1-D list becomes (dflt1d, v).
inline void axes(const std::vector<int64_t>& values, int spatial, int64_t dflt, int64_t dflt1d, const char* what,
                 const char* op, int64_t out[2]) {
  const auto n = static_cast<int64_t>(values.size());
  if (n != 0 && n != spatial) {
    fail(ErrorKind::kBind, std::string(op) + ": " + what + " has " + std::to_string(n) + " values for " +
                               std::to_string(spatial) + " spatial axes");
  }
  out[0] = dflt1d;
  out[1] = dflt;
  for (int64_t i = 0; i < n; ++i) out[2 - n + i] = values[static_cast<size_t>(i)];
  if (n == 0 && spatial == 2) out[0] = dflt;
}

inline void requireShape(const Tensor& t, const Shape& want, const char* op, const char* arg) {
  if (t.shape() != want) {
    fail(ErrorKind::kShape,
         std::string(op) + ": " + arg + " has shape " + shapeStr(t.shape()) + ", expected " + shapeStr(want));
  }
}

// The number of spatial axes of channel-first data (N, C, spatial...): 1 or 2, else an error.
inline int spatialAxes(const Tensor& data, const char* op) {
  const int n = data.ndim() - 2;
  if (n == 3)
    fail(ErrorKind::kValue,
         std::string(op) + ": 3-D data " + shapeStr(data.shape()) + " is not supported (1-D and 2-D only)");
  if (n != 1 && n != 2) {
    fail(ErrorKind::kShape,
         std::string(op) + ": data must be (N, C, W) or (N, C, H, W), got " + shapeStr(data.shape()));
  }
  return n;
}

// Height and width of channel-first data, a 1-D row being one pixel high.
inline void planeSize(const Tensor& t, int64_t& h, int64_t& w) {
  h = t.ndim() == 4 ? t.dim(2) : 1;
  w = t.dim(t.ndim() - 1);
}

// [lo, hi): the output positions o whose input position o * stride + offset lies in [0, size).
inline void validRange(int64_t outSize, int64_t stride, int64_t offset, int64_t size, int64_t& lo, int64_t& hi) {
  lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  hi = size - 1 - offset < 0 ? 0 : (size - 1 - offset) / stride + 1;
  if (hi > outSize) hi = outSize;
  if (lo > hi) lo = hi;
}

}  // namespace spatial
}  // namespace bkt
