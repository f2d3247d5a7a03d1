// Element-wise kernels: unary math, clip, binary ops with NumPy broadcasting (MXNet broadcast_*),
// their scalar variants (MXNet _plus_scalar, _rminus_scalar ...) and where.
#pragma once
#include "bkt/op_ids.gen.h"
#include "bkt/tensor.h"

namespace bkt {

// The public (TS) name of an op, used in error messages; "unknown" for an id out of range.
const char* unaryOpName(UnaryOp op);
const char* binaryOpName(BinaryOp op);

// Every op comes in two forms: one allocating its result and one writing into a preallocated `out`
// (executor plans). `out` may be the very array of an input of its shape (in place); a partial
// overlap is not supported.

// `out` must match `in`'s shape, dtype and context (ShapeError / DTypeError / ContextError naming op).
void requireElementwiseOut(const Tensor& in, const Tensor& out, const char* op);

// Whether the bytes of two arrays overlap.
bool overlaps(const Tensor& a, const Tensor& b);
// `out` is `in` itself (the same bytes) or disjoint from it; a partial overlap is a ValueError naming op
// and `arg`, since an element-wise loop would read inputs it already overwrote.
void requireInPlaceOrDisjoint(const Tensor& in, const Tensor& out, const char* op, const char* arg);

// float16 (computed in float32, rounded to nearest even on store), float32 and float64.
Tensor unary(UnaryOp op, const Tensor& a);
void unaryInto(UnaryOp op, const Tensor& in, const Tensor& out);
// MXNet clip: every element limited to [aMin, aMax]; aMin > aMax is a ValueError.
Tensor clip(const Tensor& a, double aMin, double aMax);
void clipInto(const Tensor& a, double aMin, double aMax, const Tensor& out);

// The broadcast of two shapes (right-aligned, dims equal or 1); ShapeError naming both otherwise.
Shape broadcastShape(const Shape& a, const Shape& b, const char* op);
// Both inputs share one dtype: float16/float32/float64 for every op, int32/int64 too for all but divide
// and power. Comparisons return 0/1 in that dtype.
Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b);
// `out` must have the broadcast shape and the operands' dtype.
void binaryInto(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out);
// op(a, scalar), or op(scalar, a) when scalarOnLeft. For int arrays the scalar must be an integer
// that the dtype can hold.
Tensor binaryScalar(BinaryOp op, const Tensor& a, double scalar, bool scalarOnLeft);
void binaryScalarInto(BinaryOp op, const Tensor& a, double scalar, bool scalarOnLeft, const Tensor& out);

// MXNet where: cond has x's shape, or is 1-D with length x.shape[0] and selects whole rows.
// x and y share shape and dtype (any dtype); cond may be any dtype, non-zero (or NaN) is true.
Tensor where(const Tensor& cond, const Tensor& x, const Tensor& y);
// Its write-into form for the executor's plan kernels: out has x's dtype and size.
void whereInto(const Tensor& cond, const Tensor& x, const Tensor& y, const Tensor& out);
// Its gradient: gradX = gradOut where cond is true, else 0; gradY the rest (float32/float64).
void whereBackwardInto(const Tensor& cond, const Tensor& gradOut, const Tensor& gradX, const Tensor& gradY);

}  // namespace bkt
