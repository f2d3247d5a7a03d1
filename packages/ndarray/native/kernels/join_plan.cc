// Plan kernels for Concat and SliceChannel (and each other's gradient, the same byte moves the other
// way, through join.cc's concatInto/splitInto), and MakeLoss's gradient. Any dtype for the copies.
// Plan attributes (kernel_attrs.gen.h): ConcatAttrs, SliceChannelAttrs, MakeLossAttrs.
#include <algorithm>
#include <string>

#include "bkt/error.h"
#include "bkt/indexing.h"
#include "bkt/kernel_attrs.gen.h"
#include "bkt/parallel.h"
#include "bkt/plan.h"

namespace bkt {
namespace {

constexpr int64_t kGrain = 1 << 16;

std::string str(int64_t v) { return std::to_string(v); }

int64_t rowsBefore(const Shape& s, int axis) { return shapeSize(Shape(s.begin(), s.begin() + axis)); }

// Checks that `parts` join into `joined` along `dim` (every other dimension shared) and returns the
// number of rows copyBlocks sees.
int64_t checkConcat(const Tensor* const* parts, int n, const Tensor& joined, int64_t dim, const char* op) {
  if (n < 1) fail(ErrorKind::kValue, std::string(op) + ": needs at least one input");
  if (joined.ndim() == 0) fail(ErrorKind::kShape, std::string(op) + ": cannot concatenate 0-d arrays");
  const int axis = normalizeAxis(dim, joined.ndim(), op);
  int64_t along = 0;
  for (int k = 0; k < n; ++k) {
    const Tensor& t = *parts[k];
    bool fits = t.ndim() == joined.ndim();
    for (int d = 0; fits && d < t.ndim(); ++d) fits = d == axis || t.dim(d) == joined.dim(d);
    if (!fits) {
      fail(ErrorKind::kShape, std::string(op) + ": input " + str(k) + " " + shapeStr(t.shape()) + " does not fit " +
                                  shapeStr(joined.shape()) + " outside axis " + str(axis));
    }
    along += t.dim(axis);
  }
  if (along != joined.dim(axis)) {
    fail(ErrorKind::kShape, std::string(op) + ": the inputs add up to " + str(along) + " along axis " + str(axis) +
                                ", but the joined array " + shapeStr(joined.shape()) + " has " + str(joined.dim(axis)));
  }
  return rowsBefore(joined.shape(), axis);
}

// Checks that `parts` are the numOutputs equal parts of `joined` along `axis` (without that axis
// when squeezed) and returns the number of rows copyBlocks sees.
int64_t checkSplit(const Tensor& joined, const Tensor* const* parts, int n, const KernelContext& k, const char* op) {
  const SliceChannelAttrs a = SliceChannelAttrs::read(k, op);
  const int64_t numOutputs = a.numOutputs;
  const bool squeeze = a.squeezeAxis;
  if (numOutputs < 1 || numOutputs != n) {
    fail(ErrorKind::kValue,
         std::string(op) + ": num_outputs " + str(numOutputs) + " does not match the plan's " + str(n) + " parts");
  }
  if (joined.ndim() == 0) fail(ErrorKind::kShape, std::string(op) + ": cannot split a 0-d array");
  const int axis = normalizeAxis(a.axis, joined.ndim(), op);
  const int64_t len = joined.dim(axis);
  if (len % numOutputs != 0 || (squeeze && len != numOutputs)) {
    fail(ErrorKind::kShape, std::string(op) + ": axis " + str(axis) + " of " + shapeStr(joined.shape()) +
                                (squeeze ? " must have length num_outputs " : " does not split evenly into ") +
                                str(numOutputs) + (squeeze ? "" : " parts"));
  }
  Shape part = joined.shape();
  if (squeeze) {
    part.erase(part.begin() + axis);
  } else {
    part[static_cast<size_t>(axis)] = len / numOutputs;
  }
  for (int i = 0; i < n; ++i) {
    if (parts[i]->shape() != part) {
      fail(ErrorKind::kShape, std::string(op) + ": part " + str(i) + " has shape " + shapeStr(parts[i]->shape()) +
                                  ", expected " + shapeStr(part));
    }
  }
  return rowsBefore(joined.shape(), axis);
}

// inputs: the arrays; outputs: the joined array.
void concatKernel(const KernelContext& k) {
  const char* op = "Concat";
  const int64_t dim = ConcatAttrs::read(k, op).dim;
  k.requireArity(op, k.numInputs, 1);
  const int64_t outer = checkConcat(k.inputs, k.numInputs, k.out(0), dim, op);
  concatInto(k.inputs, k.numInputs, outer, k.out(0), op);
}

// inputs: out_grad (joined); outputs: one gradient per input.
void concatBackwardKernel(const KernelContext& k) {
  const char* op = "_backward_Concat";
  const int64_t dim = ConcatAttrs::read(k, op).dim;
  k.requireArity(op, 1, k.numOutputs);
  const int64_t outer = checkConcat(k.outputs, k.numOutputs, k.in(0), dim, op);
  splitInto(k.in(0), outer, k.outputs, k.numOutputs, op);
}

// inputs: data; outputs: the parts.
void sliceChannelKernel(const KernelContext& k) {
  const char* op = "SliceChannel";
  k.requireArity(op, 1, k.numOutputs);
  const int64_t outer = checkSplit(k.in(0), k.outputs, k.numOutputs, k, op);
  splitInto(k.in(0), outer, k.outputs, k.numOutputs, op);
}

// inputs: one gradient per part; outputs: the data gradient.
void sliceChannelBackwardKernel(const KernelContext& k) {
  const char* op = "_backward_SliceChannel";
  k.requireArity(op, k.numInputs, 1);
  const int64_t outer = checkSplit(k.out(0), k.inputs, k.numInputs, k, op);
  concatInto(k.inputs, k.numInputs, outer, k.out(0), op);
}

// MXNet's MakeLoss gradient, whatever the output gradient: grad_scale, divided for 'batch' by the
// rows of the data seen as a matrix (MXNet's FlatTo2D: every dimension but the last, so 1 for 1-D
// data) and for 'valid' by the number of data elements above valid_thresh (at least 1).
// inputs: [data] (for 'valid' only); outputs: the data gradient.
void makeLossBackwardKernel(const KernelContext& k) {
  const char* op = "_backward_MakeLoss";
  const MakeLossAttrs a = MakeLossAttrs::read(k, op);
  const Normalization normalization = a.normalization;
  k.requireArity(op, normalization == Normalization::kValid ? 1 : 0, 1);
  const Tensor& grad = k.out(0);
  requireFloat(grad, op, "gradient");
  double divisor = 1;
  if (normalization == Normalization::kBatch && grad.ndim() > 1)
    divisor = static_cast<double>(std::max<int64_t>(1, rowsBefore(grad.shape(), grad.ndim() - 1)));
  dispatchFloat(grad.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if (normalization == Normalization::kValid) {
      const Tensor& data = k.in(0);
      requireSameShape(data, grad, op);
      requireDType(data, grad.dtype(), op, "data");
      const T* x = data.data<T>();
      const T thresh = static_cast<T>(a.validThresh);
      int64_t valid = 0;
      for (int64_t i = 0; i < data.size(); ++i) valid += x[i] > thresh ? 1 : 0;
      divisor = static_cast<double>(std::max<int64_t>(1, valid));
    }
    const T value = static_cast<T>(a.gradScale / divisor);
    T* g = grad.data<T>();
    parallelFor(grad.size(), kGrain, [=](int64_t b, int64_t e) { std::fill(g + b, g + e, value); });
  });
}

}  // namespace

BKT_PLAN_KERNEL(kConcat, concatKernel);
BKT_PLAN_KERNEL(kConcatBackward, concatBackwardKernel);
BKT_PLAN_KERNEL(kSliceChannel, sliceChannelKernel);
BKT_PLAN_KERNEL(kSliceChannelBackward, sliceChannelBackwardKernel);
BKT_PLAN_KERNEL(kMakeLossBackward, makeLossBackwardKernel);

}  // namespace bkt
