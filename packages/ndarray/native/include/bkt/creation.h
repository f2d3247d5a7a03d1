#pragma once
#include "bkt/tensor.h"

namespace bkt {

// Writes `value` (converted to t's dtype) into every element.
void fill(const Tensor& t, double value);
Tensor arange(double start, double step, int64_t n, DType dtype, Context ctx);
// Element-wise conversion; the result is a new array on `ctx`.
Tensor astype(const Tensor& src, DType dtype, Context ctx);
// Copies src into dst; shapes must match, dtypes may differ.
void copyInto(const Tensor& dst, const Tensor& src);

}  // namespace bkt
