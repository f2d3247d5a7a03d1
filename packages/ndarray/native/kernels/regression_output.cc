// The regression loss layers LinearRegressionOutput, LogisticRegressionOutput and MAERegressionOutput.
// Forward returns the data (Logistic: its sigmoid). Backward ignores any head gradient, as MXNet's
// loss layers do, and sends grad_scale / m * f(out - label) to the data, m being the label's elements
// per example (label.size / label.shape[0]) and f the identity (linear, logistic) or sign (MAE); the
// label's gradient is zeros.
// Attributes: RegressionOutputAttrs (kernel_attrs.gen.h). Backward inputs: (label, out_data);
// outputs: (d_data, d_label). d_data may be out_data itself (the planner may run it in place).
#include <cmath>
#include <cstring>
#include <string>

#include "bkt/error.h"
#include "bkt/kernel_attrs.gen.h"
#include "bkt/parallel.h"
#include "bkt/plan.h"

namespace bkt {
namespace {

constexpr int64_t kGrain = 1 << 14;

enum class Loss { kLinear, kLogistic, kMae };

constexpr const char* lossName(Loss l) {
  return l == Loss::kLinear     ? "LinearRegressionOutput"
         : l == Loss::kLogistic ? "LogisticRegressionOutput"
                                : "MAERegressionOutput";
}

template <Loss L>
void regressionForward(const KernelContext& c) {
  const char* op = lossName(L);
  c.requireArity(op, 2, 1);
  RegressionOutputAttrs::read(c, op);  // forward ignores grad_scale, but a malformed plan still fails
  const Tensor& x = c.in(0);
  const Tensor& y = c.out(0);
  requireFloat(x, op, "data");
  requireDType(y, x.dtype(), op, "output");
  requireSize(y, x.size(), op, "output");
  if (L != Loss::kLogistic) {
    if (y.raw() != x.raw()) std::memmove(y.raw(), x.raw(), x.nbytes());
    return;
  }
  dispatchFloat(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* in = x.data<T>();
    T* out = y.data<T>();
    parallelFor(x.size(), kGrain, [=](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) out[i] = T(1) / (T(1) + std::exp(-in[i]));
    });
  });
}

template <Loss L>
void regressionBackward(const KernelContext& c) {
  const char* op = lossName(L);
  c.requireArity(op, 2, 2);
  const double scale = RegressionOutputAttrs::read(c, op).gradScale;
  const Tensor& label = c.in(0);
  const Tensor& out = c.in(1);
  const Tensor& grad = c.out(0);
  requireFloat(out, op, "out_data");
  requireFloat(label, op, "label");
  requireDType(grad, out.dtype(), op, "data gradient");
  requireSize(label, out.size(), op, "label");
  requireSize(grad, out.size(), op, "data gradient");
  if (out.size() > 0) {
    const int64_t batch = label.ndim() == 0 ? 1 : label.dim(0);
    const double perExample = static_cast<double>(label.size()) / static_cast<double>(batch);
    dispatchFloat(out.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T k = static_cast<T>(scale / perExample);
      const T* o = out.data<T>();
      T* g = grad.data<T>();
      dispatchFloat(label.dtype(), [&](auto ltag) {
        using LT = decltype(ltag);
        const LT* lab = label.data<LT>();
        parallelFor(out.size(), kGrain, [=](int64_t b, int64_t e) {
          for (int64_t i = b; i < e; ++i) {
            const T d = o[i] - static_cast<T>(lab[i]);
            g[i] = k * (L == Loss::kMae ? static_cast<T>((d > T(0)) - (d < T(0))) : d);
          }
        });
      });
    });
  }
  std::memset(c.out(1).raw(), 0, c.out(1).nbytes());
}

}  // namespace

BKT_PLAN_KERNEL(kLinearRegressionOutput, regressionForward<Loss::kLinear>);
BKT_PLAN_KERNEL(kLinearRegressionOutputBackward, regressionBackward<Loss::kLinear>);
BKT_PLAN_KERNEL(kLogisticRegressionOutput, regressionForward<Loss::kLogistic>);
BKT_PLAN_KERNEL(kLogisticRegressionOutputBackward, regressionBackward<Loss::kLogistic>);
BKT_PLAN_KERNEL(kMaeRegressionOutput, regressionForward<Loss::kMae>);
BKT_PLAN_KERNEL(kMaeRegressionOutputBackward, regressionBackward<Loss::kMae>);

}  // namespace bkt
