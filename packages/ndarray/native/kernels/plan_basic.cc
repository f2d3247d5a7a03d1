// Plan kernels for the structural ops: copies, zero fills, sums and scaling. Outputs may alias
// inputs (the planner runs these in place), so every loop reads an element before writing it.
// float16 arrays compute in float32 per element (half_compute.h).
#include <cstring>

#include "bkt/error.h"
#include "bkt/kernel_attrs.gen.h"
#include "bkt/parallel.h"
#include "bkt/plan.h"
#include "half_compute.h"

namespace bkt {
namespace {

using half::load;
using half::store;

constexpr int64_t kGrain = 1 << 16;

// The arithmetic kernels' outputs are float16, float32 or float64 and their inputs of that dtype.
void requireFloatOut(const KernelContext& c, const char* op) {
  for (int i = 0; i < c.numOutputs; ++i) half::requireFloatOrHalf(c.out(i), op, "output");
  for (int i = 0; i < c.numInputs; ++i) requireDType(c.in(i), c.out(0).dtype(), op, "input");
}

// copy: out = in (also BlockGrad's and MakeLoss's forward, and Reshape when not aliased).
void copyKernel(const KernelContext& c) {
  if (c.out(0).size() != c.in(0).size() || c.out(0).dtype() != c.in(0).dtype()) {
    fail(ErrorKind::kShape,
         "copy: input " + shapeStr(c.in(0).shape()) + " does not fit output " + shapeStr(c.out(0).shape()));
  }
  if (c.out(0).raw() != c.in(0).raw()) std::memmove(c.out(0).raw(), c.in(0).raw(), c.in(0).nbytes());
}

// zeros: every output = 0 (zeros_like, and gradients nothing reaches).
void zerosKernel(const KernelContext& c) {
  for (int i = 0; i < c.numOutputs; ++i) std::memset(c.out(i).raw(), 0, c.out(i).nbytes());
}

// add_to: out += in, for grad_req 'add'.
void addToKernel(const KernelContext& c) {
  requireFloatOut(c, "add_to");
  requireSameShape(c.out(0), c.in(0), "add_to");
  half::dispatchFloatOrHalf(c.out(0).dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* o = c.out(0).data<T>();
    const T* x = c.in(0).data<T>();
    parallelFor(c.out(0).size(), kGrain, [=](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) o[i] = store<T>(load(o[i]) + load(x[i]));
    });
  });
}

// add_n / ElementWiseSum: out = sum of all inputs.
void addNKernel(const KernelContext& c) {
  requireFloatOut(c, "add_n");
  for (int k = 0; k < c.numInputs; ++k) requireSameShape(c.out(0), c.in(k), "add_n");
  half::dispatchFloatOrHalf(c.out(0).dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* o = c.out(0).data<T>();
    parallelFor(c.out(0).size(), kGrain, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        half::Compute<T> acc = 0;
        for (int k = 0; k < c.numInputs; ++k) acc += load(c.in(k).data<T>()[i]);
        o[i] = store<T>(acc);
      }
    });
  });
}

// mul_scalar: out = in * scalar.
void mulScalarKernel(const KernelContext& c) {
  requireFloatOut(c, "mul_scalar");
  const double scalar = ScalarAttrs::read(c, "mul_scalar").scalar;
  half::dispatchFloatOrHalf(c.out(0).dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* o = c.out(0).data<T>();
    const T* x = c.in(0).data<T>();
    const auto s = static_cast<half::Compute<T>>(scalar);
    parallelFor(c.out(0).size(), kGrain, [=](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) o[i] = store<T>(load(x[i]) * s);
    });
  });
}

// elemwise_add: out = lhs + rhs (same shapes).
void elemwiseAddKernel(const KernelContext& c) {
  requireFloatOut(c, "elemwise_add");
  requireSameShape(c.in(0), c.in(1), "elemwise_add");
  half::dispatchFloatOrHalf(c.out(0).dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* o = c.out(0).data<T>();
    const T* a = c.in(0).data<T>();
    const T* b = c.in(1).data<T>();
    parallelFor(c.out(0).size(), kGrain, [=](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) o[i] = store<T>(load(a[i]) + load(b[i]));
    });
  });
}

// elemwise_add_backward: both input gradients are the output gradient.
void elemwiseAddBackwardKernel(const KernelContext& c) {
  for (int i = 0; i < c.numOutputs; ++i) {
    if (c.out(i).raw() != c.in(0).raw()) std::memmove(c.out(i).raw(), c.in(0).raw(), c.in(0).nbytes());
  }
}

}  // namespace

BKT_PLAN_KERNEL(kCopy, copyKernel);
BKT_PLAN_KERNEL(kZeros, zerosKernel);
BKT_PLAN_KERNEL(kAddTo, addToKernel);
BKT_PLAN_KERNEL(kAddN, addNKernel);
BKT_PLAN_KERNEL(kMulScalar, mulScalarKernel);
BKT_PLAN_KERNEL(kElemwiseAdd, elemwiseAddKernel);
BKT_PLAN_KERNEL(kElemwiseAddBackward, elemwiseAddBackwardKernel);

}  // namespace bkt
