// FullyConnected as one GEMM with its bias: out = data · weightᵀ + bias. Backward is two GEMMs and a
// column sum. Attributes: FullyConnectedAttrs (kernel_attrs.gen.h).
#include "bkt/error.h"
#include "bkt/gemm.h"
#include "bkt/kernel_attrs.gen.h"
#include "bkt/plan.h"

namespace bkt {
namespace {

struct FcDims {
  int64_t rows;    // batch rows after flattening
  int64_t inDim;   // K
  int64_t hidden;  // H
};

FcDims fcDims(const Tensor& data, const Tensor& weight, bool flatten) {
  const Shape& s = data.shape();
  if (s.empty()) fail(ErrorKind::kShape, "FullyConnected: data must have at least one dimension");
  FcDims d{};
  if (flatten) {
    d.rows = s[0];
    d.inDim = s[0] == 0 ? shapeSize(Shape(s.begin() + 1, s.end())) : data.size() / s[0];
  } else {
    d.inDim = s.back();
    d.rows = d.inDim == 0 ? shapeSize(Shape(s.begin(), s.end() - 1)) : data.size() / d.inDim;
  }
  d.hidden = weight.ndim() == 2 ? weight.dim(0) : -1;
  if (weight.ndim() != 2 || weight.dim(1) != d.inDim) {
    fail(ErrorKind::kShape, "FullyConnected: weight " + shapeStr(weight.shape()) + " does not fit data " + shapeStr(s));
  }
  return d;
}

void fcForward(const KernelContext& c) {
  const FullyConnectedAttrs attrs = FullyConnectedAttrs::read(c, "FullyConnected");
  const bool noBias = attrs.noBias;
  const bool flatten = attrs.flatten;
  const Tensor& data = c.in(0);
  const Tensor& weight = c.in(1);
  const Tensor& out = c.out(0);
  requireFloat(data, "FullyConnected", "data");
  const FcDims d = fcDims(data, weight, flatten);
  requireSize(out, d.rows * d.hidden, "FullyConnected", "output");
  if (!noBias) requireSize(c.in(2), d.hidden, "FullyConnected", "bias");
  dispatchFloat(data.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* o = out.data<T>();
    if (noBias) {
      gemm(false, true, d.rows, d.hidden, d.inDim, T(1), data.data<T>(), d.inDim, weight.data<T>(), d.inDim, T(0), o,
           d.hidden, &weight);
    } else {
      gemmBias(false, true, d.rows, d.hidden, d.inDim, data.data<T>(), d.inDim, weight.data<T>(), d.inDim,
               c.in(2).data<T>(), o, d.hidden, &weight);
    }
  });
}

// inputs: out_grad (rows, H), data, weight (H, K); outputs: d_data, d_weight, d_bias (unless noBias).
void fcBackward(const KernelContext& c) {
  const bool flatten = FullyConnectedAttrs::read(c, "_backward_FullyConnected").flatten;
  const Tensor& og = c.in(0);
  const Tensor& data = c.in(1);
  const Tensor& weight = c.in(2);
  const FcDims d = fcDims(data, weight, flatten);
  requireSize(og, d.rows * d.hidden, "_backward_FullyConnected", "out_grad");
  requireSize(c.out(0), data.size(), "_backward_FullyConnected", "data gradient");
  requireSize(c.out(1), weight.size(), "_backward_FullyConnected", "weight gradient");
  if (c.numOutputs > 2) requireSize(c.out(2), d.hidden, "_backward_FullyConnected", "bias gradient");
  dispatchFloat(data.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* g = og.data<T>();
    gemm(false, false, d.rows, d.inDim, d.hidden, T(1), g, d.hidden, weight.data<T>(), d.inDim, T(0),
         c.out(0).data<T>(), d.inDim, &weight);
    gemm(true, false, d.hidden, d.inDim, d.rows, T(1), g, d.hidden, data.data<T>(), d.inDim, T(0), c.out(1).data<T>(),
         d.inDim);
    if (c.numOutputs > 2) columnSums(g, d.rows, d.hidden, c.out(2).data<T>());
  });
}

}  // namespace

BKT_PLAN_KERNEL(kFullyConnected, fcForward);
BKT_PLAN_KERNEL(kFullyConnectedBackward, fcBackward);

}  // namespace bkt
