// Activation forward and backward (attributes: ActivationAttrs, kernel_attrs.gen.h). Backward
// differentiates from the output (softsign from the input), as MXNet does, so the input need not be
// kept alive. float16 computes in float32 (half_compute.h).
#include <cmath>

#include "bkt/error.h"
#include "bkt/kernel_attrs.gen.h"
#include "bkt/parallel.h"
#include "bkt/plan.h"
#include "half_compute.h"

namespace bkt {
namespace {

using half::load;
using half::store;

constexpr int64_t kGrain = 1 << 13;

using Act = ActType;

template <typename S, typename F>
void map(const Tensor& x, const Tensor& out, F f) {
  const S* in = x.data<S>();
  S* o = out.data<S>();
  parallelFor(out.size(), kGrain, [=](int64_t b, int64_t e) BKT_VECTOR_CLONES {
    for (int64_t i = b; i < e; ++i) o[i] = store<S>(f(load(in[i])));
  });
}

void activationForward(const KernelContext& c) {
  half::requireFloatOrHalf(c.in(0), "Activation", "data");
  const Act act = ActivationAttrs::read(c, "Activation").actType;
  requireSize(c.out(0), c.in(0).size(), "Activation", "output");
  requireDType(c.out(0), c.in(0).dtype(), "Activation", "output");
  half::dispatchFloatOrHalf(c.in(0).dtype(), [&](auto tag) {
    using S = decltype(tag);
    using T = half::Compute<S>;
    switch (act) {
      case Act::kRelu:
        return map<S>(c.in(0), c.out(0), [](T x) { return x > T(0) ? x : T(0); });
      case Act::kSigmoid:
        return map<S>(c.in(0), c.out(0), [](T x) { return T(1) / (T(1) + std::exp(-x)); });
      case Act::kTanh:
        return map<S>(c.in(0), c.out(0), [](T x) { return std::tanh(x); });
      case Act::kSoftrelu:
        return map<S>(c.in(0), c.out(0),
                      [](T x) { return x > T(0) ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); });
      case Act::kSoftsign:
        return map<S>(c.in(0), c.out(0), [](T x) { return x / (T(1) + std::abs(x)); });
    }
  });
}

// inputs: out_grad, out_data[, in_data for softsign]; output: in_grad.
void activationBackward(const KernelContext& c) {
  half::requireFloatOrHalf(c.in(0), "_backward_Activation", "out_grad");
  const Act act = ActivationAttrs::read(c, "_backward_Activation").actType;
  if (c.numInputs < (act == Act::kSoftsign ? 3 : 2)) fail(ErrorKind::kBind, "_backward_Activation: missing inputs");
  for (int i = 1; i < c.numInputs; ++i) {
    requireSize(c.in(i), c.in(0).size(), "_backward_Activation", "input");
    requireDType(c.in(i), c.in(0).dtype(), "_backward_Activation", "input");
  }
  requireSize(c.out(0), c.in(0).size(), "_backward_Activation", "output");
  requireDType(c.out(0), c.in(0).dtype(), "_backward_Activation", "output");
  half::dispatchFloatOrHalf(c.in(0).dtype(), [&](auto tag) {
    using S = decltype(tag);
    using T = half::Compute<S>;
    const S* g = c.in(0).data<S>();
    const S* y = c.in(act == Act::kSoftsign ? 2 : 1).data<S>();
    S* o = c.out(0).data<S>();
    const auto run = [&](auto f) {
      parallelFor(c.out(0).size(), kGrain, [=](int64_t b, int64_t e) BKT_VECTOR_CLONES {
        for (int64_t i = b; i < e; ++i) o[i] = store<S>(load(g[i]) * f(load(y[i])));
      });
    };
    switch (act) {
      case Act::kRelu:
        return run([](T out) { return out > T(0) ? T(1) : T(0); });
      case Act::kSigmoid:
        return run([](T out) { return out * (T(1) - out); });
      case Act::kTanh:
        return run([](T out) { return T(1) - out * out; });
      case Act::kSoftrelu:
        return run([](T out) { return -std::expm1(-out); });  // sigmoid(x) = 1 - e^-softrelu(x)
      case Act::kSoftsign:
        return run([](T x) { return T(1) / ((T(1) + std::abs(x)) * (T(1) + std::abs(x))); });
    }
  });
}

}  // namespace

BKT_PLAN_KERNEL(kActivation, activationForward);
BKT_PLAN_KERNEL(kActivationBackward, activationBackward);

}  // namespace bkt
