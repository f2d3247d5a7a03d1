// Plan kernels of the shape and indexing ops: transpose, SwapAxis, slice_axis, stack, take, pick,
// one_hot, where, ones_like, Cast, and their gradients. (Flatten, expand_dims, squeeze, Reshape and
// their gradients are plain copies: plan_basic.cc's `copy`.) Copies move bytes, so every dtype works
// wherever no arithmetic is involved.
// Attributes (kernel_attrs.gen.h): TransposeAttrs (no axes reverses them), SwapAxisAttrs,
// SliceAxisAttrs, StackAttrs, TakeAttrs, PickAttrs, OneHotAttrs; where, where_backward, ones and
// cast take none.
// Inputs of the gradients: slice_axis/stack_backward (out_grad); take/pick_backward (out_grad,
// indices); where_backward (out_grad, condition), whose outputs are the gradients of x and y.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "bkt/creation.h"
#include "bkt/elemwise.h"
#include "bkt/error.h"
#include "bkt/indexing.h"
#include "bkt/kernel_attrs.gen.h"
#include "bkt/parallel.h"
#include "bkt/plan.h"
#include "gather_common.h"

namespace bkt {
namespace {

constexpr int64_t kByteGrain = 1 << 16;

void requireSameDType(const Tensor& t, const Tensor& like, const char* op, const char* arg) {
  requireDType(t, like.dtype(), op, arg);
}

int64_t product(const Shape& s, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end; ++i) p *= s[i];
  return p;
}

void transposeKernel(const KernelContext& c) {
  c.requireArity("transpose", 1, 1);
  transposeInto(c.in(0), TransposeAttrs::read(c, "transpose").axes, c.out(0));
}

void swapAxisKernel(const KernelContext& c) {
  const char* op = "SwapAxis";
  c.requireArity(op, 1, 1);
  const SwapAxisAttrs a = SwapAxisAttrs::read(c, op);
  const int nd = c.in(0).ndim();
  const int x = normalizeAxis(a.dim1, nd, op);
  const int y = normalizeAxis(a.dim2, nd, op);
  std::vector<int64_t> perm(static_cast<size_t>(nd));
  for (int i = 0; i < nd; ++i) perm[static_cast<size_t>(i)] = i == x ? y : i == y ? x : i;
  transposeInto(c.in(0), perm, c.out(0));
}

// The part of `full` (the data, or its gradient) that slice_axis keeps: `len` positions from `begin`
// along an axis, `outer` times, each position `inner` elements.
struct Slice {
  int64_t outer, size, begin, len, inner;
};

Slice sliceOf(const KernelContext& c, const Tensor& full, const char* op) {
  const SliceAxisAttrs a = SliceAxisAttrs::read(c, op);
  const int64_t axisArg = a.axis;
  int64_t b = a.begin;
  const bool hasEnd = a.end.has_value();
  int64_t e = a.end.value_or(0);
  if (full.ndim() == 0) fail(ErrorKind::kShape, std::string(op) + ": data must have at least one dimension");
  const int axis = normalizeAxis(axisArg, full.ndim(), op);
  const Shape& s = full.shape();
  const int64_t size = s[static_cast<size_t>(axis)];
  const int64_t begin = b;
  if (b < 0) b += size;
  if (!hasEnd) e = size;
  const int64_t end = e;
  if (e < 0) e += size;
  if (b < 0 || e > size || b >= e) {
    fail(ErrorKind::kShape, std::string(op) + ": invalid begin=" + std::to_string(begin) +
                                ", end=" + (hasEnd ? std::to_string(end) : std::string("None")) + " for axis " +
                                std::to_string(axis) + " of length " + std::to_string(size) + " in " + shapeStr(s));
  }
  return {product(s, 0, static_cast<size_t>(axis)), size, b, e - b,
          product(s, static_cast<size_t>(axis) + 1, s.size())};
}

// Copies the slice out of `full` into `part`, or (backward) back into it.
void copySlice(const Slice& sl, const Tensor& full, const Tensor& part, bool intoFull) {
  const size_t elem = dtypeSize(full.dtype());
  const size_t block = static_cast<size_t>(sl.len * sl.inner) * elem;
  const size_t stride = static_cast<size_t>(sl.size * sl.inner) * elem;
  char* f = static_cast<char*>(full.raw()) + static_cast<size_t>(sl.begin * sl.inner) * elem;
  char* p = static_cast<char*>(part.raw());
  parallelFor(sl.outer, std::max<int64_t>(1, kByteGrain / static_cast<int64_t>(std::max<size_t>(block, 1))),
              [&](int64_t lo, int64_t hi) {
                for (int64_t o = lo; o < hi; ++o) {
                  char* fo = f + static_cast<size_t>(o) * stride;
                  char* po = p + static_cast<size_t>(o) * block;
                  if (intoFull) {
                    std::memcpy(fo, po, block);
                  } else {
                    std::memcpy(po, fo, block);
                  }
                }
              });
}

void sliceAxisKernel(const KernelContext& c) {
  const char* op = "slice_axis";
  c.requireArity(op, 1, 1);
  const Slice sl = sliceOf(c, c.in(0), op);
  requireSameDType(c.out(0), c.in(0), op, "output");
  requireSize(c.out(0), sl.outer * sl.len * sl.inner, op, "output");
  if (c.out(0).size() > 0) copySlice(sl, c.in(0), c.out(0), false);
}

void sliceAxisBackwardKernel(const KernelContext& c) {
  const char* op = "_backward_slice_axis";
  c.requireArity(op, 1, 1);
  const Tensor& grad = c.out(0);
  const Slice sl = sliceOf(c, grad, op);
  requireSameDType(c.in(0), grad, op, "out_grad");
  requireSize(c.in(0), sl.outer * sl.len * sl.inner, op, "out_grad");
  std::memset(grad.raw(), 0, grad.nbytes());
  if (c.in(0).size() > 0) copySlice(sl, grad, c.in(0), true);
}

// stack's output viewed as `outer` rows (the dimensions before the new axis), each the inputs' rows
// end to end: concat's layout, so join.cc's concatInto / splitInto move the bytes.
int64_t stackOuter(const KernelContext& c, const Tensor& joined, const Tensor* const* parts, int numParts,
                   const char* op) {
  const int64_t axisArg = StackAttrs::read(c, op).axis;
  if (numParts < 1) fail(ErrorKind::kValue, std::string(op) + ": needs at least one array");
  const int axis = normalizeAxis(axisArg, joined.ndim(), op);
  Shape part = joined.shape();
  part.erase(part.begin() + axis);
  if (joined.dim(axis) != numParts) {
    fail(ErrorKind::kShape, std::string(op) + ": axis " + std::to_string(axis) + " of " + shapeStr(joined.shape()) +
                                " does not hold " + std::to_string(numParts) + " arrays");
  }
  for (int k = 0; k < numParts; ++k) {
    if (parts[k]->shape() != part) {
      fail(ErrorKind::kShape, std::string(op) + ": array " + std::to_string(k) + " has shape " +
                                  shapeStr(parts[k]->shape()) + ", expected " + shapeStr(part));
    }
  }
  return product(joined.shape(), 0, static_cast<size_t>(axis));
}

void stackKernel(const KernelContext& c) {
  const char* op = "stack";
  c.requireArity(op, c.numInputs, 1);
  const int64_t outer = stackOuter(c, c.out(0), c.inputs, c.numInputs, op);
  concatInto(c.inputs, c.numInputs, outer, c.out(0), op);
}

void stackBackwardKernel(const KernelContext& c) {
  const char* op = "_backward_stack";
  c.requireArity(op, 1, c.numOutputs);
  const int64_t outer = stackOuter(c, c.in(0), c.outputs, c.numOutputs, op);
  splitInto(c.in(0), outer, c.outputs, c.numOutputs, op);
}

struct IndexArgs {
  int64_t axis;
  IndexMode mode;
};

IndexArgs takeArgs(const KernelContext& c, const char* op) {
  const TakeAttrs a = TakeAttrs::read(c, op);
  return {a.axis, a.mode};
}

IndexArgs pickArgs(const KernelContext& c, const char* op) {
  const PickAttrs a = PickAttrs::read(c, op);
  return {a.axis, a.mode == PickMode::kWrap ? IndexMode::kWrap : IndexMode::kClip};
}

void takeKernel(const KernelContext& c) {
  const char* op = "take";
  c.requireArity(op, 2, 1);
  const IndexArgs ia = takeArgs(c, op);
  const Tensor& data = c.in(0);
  if (data.ndim() == 0) fail(ErrorKind::kShape, "take: data must have at least one dimension, got a 0-d array");
  const int axis = normalizeAxis(ia.axis, data.ndim(), op);
  requireSameContext(data, c.in(1), op);
  gatherInto(data, c.in(1), axis, ia.mode, op, c.out(0));
}

// outputs: the gradient of a (scatter-add of out_grad) and of the indices (zeros).
void takeBackwardKernel(const KernelContext& c) {
  const char* op = "_backward_take";
  c.requireArity(op, 2, 2);
  const IndexArgs ia = takeArgs(c, op);
  if (c.out(0).ndim() == 0) fail(ErrorKind::kShape, "_backward_take: a must have at least one dimension");
  takeBackwardInto(c.in(0), c.in(1), normalizeAxis(ia.axis, c.out(0).ndim(), op), ia.mode, op, c.out(0));
  std::memset(c.out(1).raw(), 0, c.out(1).nbytes());
}

void pickKernel(const KernelContext& c) {
  c.requireArity("pick", 2, 1);
  const IndexArgs ia = pickArgs(c, "pick");
  if (c.in(0).ndim() == 0) fail(ErrorKind::kShape, "pick: data must have at least one dimension, got a 0-d array");
  pickInto(c.in(0), c.in(1), normalizeAxis(ia.axis, c.in(0).ndim(), "pick"), ia.mode, c.out(0));
}

// The data's gradient: out_grad at each picked position, zeros elsewhere (each output position
// picks its own data element, so nothing accumulates).
void pickBackwardKernel(const KernelContext& c) {
  const char* op = "_backward_pick";
  c.requireArity(op, 2, 1);
  const IndexArgs ia = pickArgs(c, op);
  const Tensor& g = c.in(0);
  const Tensor& grad = c.out(0);
  requireFloat(grad, op, "data gradient");
  requireSameDType(g, grad, op, "out_grad");
  if (grad.ndim() == 0) fail(ErrorKind::kShape, std::string(op) + ": data must have at least one dimension");
  const int axis = normalizeAxis(ia.axis, grad.ndim(), op);
  const Shape& s = grad.shape();
  const int64_t n = s[static_cast<size_t>(axis)];
  const int64_t inner = product(s, static_cast<size_t>(axis) + 1, s.size());
  const int64_t positions = product(s, 0, static_cast<size_t>(axis)) * inner;
  requireSize(g, positions, op, "out_grad");
  requireSize(c.in(1), positions, op, "index");
  std::memset(grad.raw(), 0, grad.nbytes());
  if (grad.size() == 0) return;
  std::vector<int64_t> idx = gather::readIndices(c.in(1));
  gather::resolveIndices(idx, n, ia.mode, op, axis);
  dispatchFloat(grad.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* go = g.data<T>();
    T* dx = grad.data<T>();
    const int64_t* ip = idx.data();
    parallelFor(positions, 1 << 15, [&](int64_t b, int64_t e) {
      for (int64_t k = b; k < e; ++k) {
        const int64_t o = k / inner;
        dx[(o * n + ip[k]) * inner + (k - o * inner)] = go[k];
      }
    });
  });
}

void oneHotKernel(const KernelContext& c) {
  c.requireArity("one_hot", 1, 1);
  const OneHotAttrs a = OneHotAttrs::read(c, "one_hot");
  oneHotInto(c.in(0), a.depth, a.onValue, a.offValue, c.out(0));
}

void whereKernel(const KernelContext& c) {
  c.requireArity("where", 3, 1);
  whereInto(c.in(0), c.in(1), c.in(2), c.out(0));
}

void whereBackwardKernel(const KernelContext& c) {
  c.requireArity("_backward_where", 2, 2);
  whereBackwardInto(c.in(1), c.in(0), c.out(0), c.out(1));
}

// ones_like: its input only gives the shape.
void onesKernel(const KernelContext& c) {
  c.requireArity("ones_like", 1, 1);
  fill(c.out(0), 1.0);
}

// Cast and its gradient: an element-wise conversion. In place only between types of one size, where
// each element is read before it is overwritten.
void castKernel(const KernelContext& c) {
  c.requireArity("Cast", 1, 1);
  const Tensor& x = c.in(0);
  const Tensor& y = c.out(0);
  if (x.raw() == y.raw() && x.dtype() != y.dtype() && dtypeSize(x.dtype()) != dtypeSize(y.dtype())) {
    fail(ErrorKind::kValue,
         std::string("Cast: cannot convert ") + dtypeName(x.dtype()) + " to " + dtypeName(y.dtype()) + " in place");
  }
  if (x.shape() != y.shape()) {
    fail(ErrorKind::kShape,
         "Cast: the output " + shapeStr(y.shape()) + " differs from the data " + shapeStr(x.shape()));
  }
  copyInto(y, x);
}

}  // namespace

BKT_PLAN_KERNEL(kTranspose, transposeKernel);
BKT_PLAN_KERNEL(kSwapAxis, swapAxisKernel);
BKT_PLAN_KERNEL(kSliceAxis, sliceAxisKernel);
BKT_PLAN_KERNEL(kSliceAxisBackward, sliceAxisBackwardKernel);
BKT_PLAN_KERNEL(kStack, stackKernel);
BKT_PLAN_KERNEL(kStackBackward, stackBackwardKernel);
BKT_PLAN_KERNEL(kTake, takeKernel);
BKT_PLAN_KERNEL(kTakeBackward, takeBackwardKernel);
BKT_PLAN_KERNEL(kPick, pickKernel);
BKT_PLAN_KERNEL(kPickBackward, pickBackwardKernel);
BKT_PLAN_KERNEL(kOneHot, oneHotKernel);
BKT_PLAN_KERNEL(kWhere, whereKernel);
BKT_PLAN_KERNEL(kWhereBackward, whereBackwardKernel);
BKT_PLAN_KERNEL(kOnes, onesKernel);
BKT_PLAN_KERNEL(kCast, castKernel);

}  // namespace bkt
