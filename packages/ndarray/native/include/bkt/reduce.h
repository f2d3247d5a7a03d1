// Reductions over sets of axes (sum, mean, max, min, norm) and argmax/argmin, with MXNet's axis rules.
#pragma once
#include <optional>
#include <vector>

#include "bkt/op_ids.gen.h"
#include "bkt/tensor.h"

namespace bkt {

// Which axes a reduction folds. MXNet's rules: no list, or an empty one, means every axis; negative
// axes count from the end; with `exclude` the listed axes are the ones kept.
struct ReduceAxes {
  std::optional<std::vector<int64_t>> axes;
  bool keepdims = false;
  bool exclude = false;
};

// The name MXNet gives the op ("sum", "mean", ...), used in error messages.
const char* reduceOpName(ReduceOp op);

// Marks each axis of `in` that the reduction folds; throws ShapeError naming `op` for an axis out
// of range or listed twice.
std::vector<bool> reducedAxes(const Shape& in, const ReduceAxes& ra, const char* op);

// MXNet's output shape: reduced axes become 1 with keepdims and vanish otherwise, except that a
// result with no axes left is (1,) as in MXNet 1.x.
Shape reduceShape(const Shape& in, const ReduceAxes& ra, const char* op);

// sum, mean, max, min or norm (ord 1 or 2) of float16, float32 or float64 data; float16 and float32
// accumulate in double.
// Empty reductions give 0 for sum and norm, NaN for mean, and a ShapeError for max and min.
Tensor reduce(const Tensor& x, ReduceOp op, const ReduceAxes& ra, int ord = 2);

// The write-into form the executor's plan kernels use: `reduced` flags each axis of x (see
// reducedAxes) and y, of x's dtype, holds the product of the kept dimensions.
void reduceInto(const Tensor& x, ReduceOp op, const std::vector<bool>& reduced, int ord, const Tensor& y);

// The index of the first maximum along `axis`, or in the flattened array when there is no axis
// (then the result is (1,), or all ones with keepdims). Indices have x's dtype, as in MXNet.
Tensor argmax(const Tensor& x, std::optional<int64_t> axis, bool keepdims);

// Write-into forms of argmax and of argmin (the first minimum, same rules); y has x's dtype and one
// element per position of the other axes (one in all without an axis).
void argmaxInto(const Tensor& x, std::optional<int64_t> axis, const Tensor& y);
void argminInto(const Tensor& x, std::optional<int64_t> axis, const Tensor& y);

}  // namespace bkt
