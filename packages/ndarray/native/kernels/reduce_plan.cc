// Plan kernels of the reductions and their gradients (MXNet's sum, mean, max, min, norm, argmax,
// argmin, _backward_sum ...). Forward runs reduce.cc's reduceInto / argmaxInto / argminInto.
// Attributes (kernel_attrs.gen.h): ReduceAttrs for sum, mean, max, min and their *_backward,
// NormAttrs for norm and norm_backward (an empty axis list reduces every axis), ArgReduceAttrs for
// argmax and argmin.
// Inputs of the gradients: sum/mean_backward (out_grad); max/min/norm_backward (out_grad, data,
// out_data). Their one output is the data's gradient, whose shape gives the data's. float16
// gradients compute in float32 per element (half_compute.h).
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "bkt/error.h"
#include "bkt/kernel_attrs.gen.h"
#include "bkt/parallel.h"
#include "bkt/plan.h"
#include "bkt/reduce.h"
#include "half_compute.h"

namespace bkt {
namespace {

using half::load;
using half::store;

constexpr int kMaxGroups = 64;
constexpr int64_t kGrain = 1 << 15;

// The reduction's attributes, whichever family it is: norm has an order where the others have exclude.
struct ReduceArgs {
  int ord = 2;
  bool exclude = false;
  std::vector<int64_t> axes;
};

ReduceArgs reduceArgs(const KernelContext& c, bool norm, const char* op) {
  if (norm) {
    NormAttrs a = NormAttrs::read(c, op);
    return {static_cast<int>(a.ord), false, std::move(a.axis)};
  }
  ReduceAttrs a = ReduceAttrs::read(c, op);
  return {2, a.exclude, std::move(a.axis)};
}

std::vector<bool> reducedFlags(const ReduceArgs& args, const Shape& data, const char* op) {
  ReduceAxes ra;
  if (!args.axes.empty()) ra.axes = args.axes;
  ra.exclude = args.exclude;
  return reducedAxes(data, ra, op);
}

template <ReduceOp Op>
void reduceForward(const KernelContext& c) {
  const char* op = reduceOpName(Op);
  c.requireArity(op, 1, 1);
  const ReduceArgs args = reduceArgs(c, Op == ReduceOp::kNorm, op);
  reduceInto(c.in(0), Op, reducedFlags(args, c.in(0).shape(), op), args.ord, c.out(0));
}

template <bool Min>
void argForward(const KernelContext& c) {
  const char* op = Min ? "argmin" : "argmax";
  c.requireArity(op, 1, 1);
  const std::optional<int64_t> ax = ArgReduceAttrs::read(c, op).axis;
  if (Min) {
    argminInto(c.in(0), ax, c.out(0));
  } else {
    argmaxInto(c.in(0), ax, c.out(0));
  }
}

// Where each element of the data sits in the reduced output: the data's axes collapsed into groups
// of adjacent axes of one kind (kept or reduced; length-1 axes dropped), each with its stride in the
// output (0 when reduced). The last group is walked as contiguous rows of the data.
struct Spread {
  int groups = 0;
  int64_t size[kMaxGroups];
  int64_t outStride[kMaxGroups];
  int64_t inner = 1;        // length of the last group
  int64_t innerStride = 0;  // its output stride
  int64_t rows = 1;         // product of the other groups
  int64_t kept = 1;         // output elements
};

Spread makeSpread(const Shape& data, const std::vector<bool>& reduced, const char* op) {
  Spread s;
  bool lastReduced = false;
  for (size_t i = 0; i < data.size(); ++i) {
    if (!reduced[i]) s.kept *= data[i];
    if (data[i] == 1) continue;
    if (s.groups > 0 && lastReduced == reduced[i]) {
      s.size[s.groups - 1] *= data[i];
      continue;
    }
    if (s.groups == kMaxGroups) fail(ErrorKind::kShape, std::string(op) + ": too many dimensions in " + shapeStr(data));
    s.size[s.groups] = data[i];
    s.outStride[s.groups] = reduced[i] ? 0 : 1;  // marks kept groups until the strides are known
    lastReduced = reduced[i];
    ++s.groups;
  }
  int64_t stride = 1;
  for (int g = s.groups - 1; g >= 0; --g) {
    if (s.outStride[g] == 0) continue;
    s.outStride[g] = stride;
    stride *= s.size[g];
  }
  if (s.groups > 0) {
    s.inner = s.size[s.groups - 1];
    s.innerStride = s.outStride[s.groups - 1];
    for (int g = 0; g + 1 < s.groups; ++g) s.rows *= s.size[g];
  }
  return s;
}

// Calls row(dataOffset, outOffset) for each row of `inner` data elements, in parallel.
template <typename Row>
void forEachRow(const Spread& s, Row row) {
  parallelFor(s.rows, std::max<int64_t>(1, kGrain / std::max<int64_t>(1, s.inner)),
              [&](int64_t b, int64_t e) BKT_VECTOR_CLONES {
                for (int64_t r = b; r < e; ++r) {
                  int64_t rest = r;
                  int64_t out = 0;
                  for (int g = s.groups - 2; g >= 0; --g) {
                    out += rest % s.size[g] * s.outStride[g];
                    rest /= s.size[g];
                  }
                  row(r * s.inner, out);
                }
              });
}

struct GradArgs {
  const char* op;
  std::vector<bool> reduced;
  int ord = 2;
};

// The attributes and shapes every reduction gradient checks: out(0) is the data's gradient, in(0)
// the output gradient, and with `inout` in(1) the data and in(2) the output.
GradArgs gradArgs(const KernelContext& c, ReduceOp op, bool inout, const char* name) {
  c.requireArity(name, inout ? 3 : 1, 1);
  GradArgs g{name, {}, 2};
  const ReduceArgs args = reduceArgs(c, op == ReduceOp::kNorm, name);
  g.ord = args.ord;
  if (g.ord != 1 && g.ord != 2)
    fail(ErrorKind::kValue, std::string(name) + ": ord must be 1 or 2, got " + std::to_string(g.ord));
  const Tensor& grad = c.out(0);
  g.reduced = reducedFlags(args, grad.shape(), name);
  half::requireFloatOrHalf(grad, name, "data gradient");
  for (int i = 0; i < c.numInputs; ++i) {
    const char* arg = i == 0 ? "out_grad" : i == 1 ? "data" : "out_data";
    requireDType(c.in(i), grad.dtype(), name, arg);
  }
  if (inout) requireSize(c.in(1), grad.size(), name, "data");
  return g;
}

// sum and mean: the output gradient spread over the reduced axes (divided by their count for mean).
template <bool Mean>
void spreadBackward(const KernelContext& c) {
  const char* name = Mean ? "_backward_mean" : "_backward_sum";
  const GradArgs g = gradArgs(c, Mean ? ReduceOp::kMean : ReduceOp::kSum, false, name);
  const Tensor& grad = c.out(0);
  const Spread s = makeSpread(grad.shape(), g.reduced, name);
  requireSize(c.in(0), s.kept, name, "out_grad");
  if (grad.size() == 0) return;
  const double scale = Mean ? static_cast<double>(s.kept) / static_cast<double>(grad.size()) : 1.0;
  half::dispatchFloatOrHalf(grad.dtype(), [&](auto tag) {
    using S = decltype(tag);
    const S* og = c.in(0).data<S>();
    S* dx = grad.data<S>();
    const auto k = static_cast<half::Compute<S>>(scale);
    forEachRow(s, [&](int64_t at, int64_t o) {
      for (int64_t j = 0; j < s.inner; ++j) dx[at + j] = store<S>(load(og[o + j * s.innerStride]) * k);
    });
  });
}

// max, min (MXNet's ReduceGrad with eq): every element equal to the extremum gets the output
// gradient. norm: ord 1 gives sign(x), ord 2 gives x / norm (0 where the norm is 0).
template <ReduceOp Op>
void inoutBackward(const KernelContext& c) {
  const char* name = Op == ReduceOp::kMax ? "_backward_max" : Op == ReduceOp::kMin ? "_backward_min" : "_backward_norm";
  const GradArgs g = gradArgs(c, Op, true, name);
  const Tensor& grad = c.out(0);
  const Spread s = makeSpread(grad.shape(), g.reduced, name);
  requireSize(c.in(0), s.kept, name, "out_grad");
  requireSize(c.in(2), s.kept, name, "out_data");
  if (grad.size() == 0) return;
  const int ord = g.ord;
  half::dispatchFloatOrHalf(grad.dtype(), [&](auto tag) {
    using S = decltype(tag);
    using T = half::Compute<S>;
    const S* og = c.in(0).data<S>();
    const S* x = c.in(1).data<S>();
    const S* y = c.in(2).data<S>();
    S* dx = grad.data<S>();
    forEachRow(s, [&](int64_t at, int64_t o) {
      for (int64_t j = 0; j < s.inner; ++j) {
        const int64_t k = o + j * s.innerStride;
        const T v = load(x[at + j]);
        const T yk = load(y[k]);
        T d;
        if constexpr (Op == ReduceOp::kNorm) {
          d = ord == 1 ? static_cast<T>((v > T(0)) - (v < T(0))) : (yk == T(0) ? T(0) : v / yk);
        } else {
          d = v == yk ? T(1) : T(0);
        }
        dx[at + j] = store<S>(load(og[k]) * d);
      }
    });
  });
}

}  // namespace

BKT_PLAN_KERNEL(kSum, reduceForward<ReduceOp::kSum>);
BKT_PLAN_KERNEL(kMean, reduceForward<ReduceOp::kMean>);
BKT_PLAN_KERNEL(kMax, reduceForward<ReduceOp::kMax>);
BKT_PLAN_KERNEL(kMin, reduceForward<ReduceOp::kMin>);
BKT_PLAN_KERNEL(kNorm, reduceForward<ReduceOp::kNorm>);
BKT_PLAN_KERNEL(kSumBackward, spreadBackward<false>);
BKT_PLAN_KERNEL(kMeanBackward, spreadBackward<true>);
BKT_PLAN_KERNEL(kMaxBackward, inoutBackward<ReduceOp::kMax>);
BKT_PLAN_KERNEL(kMinBackward, inoutBackward<ReduceOp::kMin>);
BKT_PLAN_KERNEL(kNormBackward, inoutBackward<ReduceOp::kNorm>);
BKT_PLAN_KERNEL(kArgmax, argForward<false>);
BKT_PLAN_KERNEL(kArgmin, argForward<true>);

}  // namespace bkt
