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
// Copies rows [begin, begin + dst.shape[0]) of src (axis 0) into dst, which has src's other dims and
// any dtype; no intermediate view is made. Out-of-range rows are an IndexError, dst overlapping src
// a ValueError (a converting copy would read rows it already wrote).
void copyRowsInto(const Tensor& dst, const Tensor& src, int64_t begin);

}  // namespace bkt
