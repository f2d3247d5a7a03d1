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

// The products, built once here for both the kernels and their bind-time declarations. The weight is
// B of the forward product and the data gradient (`weight`: the kernel passes it as bWeight).
GemmShape forwardProduct(const FcDims& d, bool bias) {  // out = data · weightᵀ (+ bias)
  return {false, true, d.rows, d.hidden, d.inDim, d.inDim, d.inDim, d.hidden, 1.0f, 0.0f, false, bias, true};
}
GemmShape dataGradProduct(const FcDims& d) {  // d_data = out_grad · weight
  return {false, false, d.rows, d.inDim, d.hidden, d.hidden, d.inDim, d.inDim, 1.0f, 0.0f, false, false, true};
}
GemmShape weightGradProduct(const FcDims& d) {  // d_weight = out_gradᵀ · data
  return {true, false, d.hidden, d.inDim, d.rows, d.hidden, d.inDim, d.inDim, 1.0f, 0.0f};
}

// inputs: data, weight[, bias]; output: out.
FcDims forwardDims(const KernelContext& c) {
  const FullyConnectedAttrs attrs = FullyConnectedAttrs::read(c, "FullyConnected");
  c.requireArity("FullyConnected", attrs.noBias ? 2 : 3, 1);
  const Tensor& data = c.in(0);
  requireFloat(data, "FullyConnected", "data");
  const FcDims d = fcDims(data, c.in(1), attrs.flatten);
  requireSize(c.out(0), d.rows * d.hidden, "FullyConnected", "output");
  if (!attrs.noBias) requireSize(c.in(2), d.hidden, "FullyConnected", "bias");
  return d;
}

void fcForward(const KernelContext& c) {
  const FcDims d = forwardDims(c);
  const bool bias = c.numInputs > 2;
  const Tensor& data = c.in(0);
  const Tensor& weight = c.in(1);
  dispatchFloat(data.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* o = c.out(0).data<T>();
    if (bias) {
      gemmBias(forwardProduct(d, true), data.data<T>(), weight.data<T>(), c.in(2).data<T>(), o, &weight);
    } else {
      gemm(forwardProduct(d, false), data.data<T>(), weight.data<T>(), o, &weight);
    }
  });
}

void fcForwardGemms(const KernelContext& c, std::vector<GemmShape>& out) {
  const FcDims d = forwardDims(c);
  if (c.in(0).dtype() == DType::kFloat32) out.push_back(forwardProduct(d, c.numInputs > 2));
}

// inputs: out_grad (rows, H), data, weight (H, K); outputs: d_data, d_weight, d_bias (unless noBias).
FcDims backwardDims(const KernelContext& c) {
  const bool flatten = FullyConnectedAttrs::read(c, "_backward_FullyConnected").flatten;
  c.requireAtLeast("_backward_FullyConnected", 3, 2);
  const Tensor& data = c.in(1);
  const Tensor& weight = c.in(2);
  const FcDims d = fcDims(data, weight, flatten);
  requireSize(c.in(0), d.rows * d.hidden, "_backward_FullyConnected", "out_grad");
  requireSize(c.out(0), data.size(), "_backward_FullyConnected", "data gradient");
  requireSize(c.out(1), weight.size(), "_backward_FullyConnected", "weight gradient");
  if (c.numOutputs > 2) requireSize(c.out(2), d.hidden, "_backward_FullyConnected", "bias gradient");
  return d;
}

void fcBackward(const KernelContext& c) {
  const FcDims d = backwardDims(c);
  const Tensor& data = c.in(1);
  const Tensor& weight = c.in(2);
  dispatchFloat(data.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* g = c.in(0).data<T>();
    gemm(dataGradProduct(d), g, weight.data<T>(), c.out(0).data<T>(), &weight);
    gemm(weightGradProduct(d), g, data.data<T>(), c.out(1).data<T>());
    if (c.numOutputs > 2) columnSums(g, d.rows, d.hidden, c.out(2).data<T>());
  });
}

void fcBackwardGemms(const KernelContext& c, std::vector<GemmShape>& out) {
  const FcDims d = backwardDims(c);
  if (c.in(1).dtype() != DType::kFloat32) return;
  out.push_back(dataGradProduct(d));
  out.push_back(weightGradProduct(d));
}

}  // namespace

BKT_PLAN_KERNEL(kFullyConnected, fcForward);
BKT_PLAN_GEMM_SHAPES(kFullyConnected, fcForwardGemms);
BKT_PLAN_KERNEL(kFullyConnectedBackward, fcBackward);
BKT_PLAN_GEMM_SHAPES(kFullyConnectedBackward, fcBackwardGemms);

}  // namespace bkt
