// SoftmaxOutput fused: forward is a softmax over the class axis; backward is (p - onehot(label)) with
// label smoothing, ignore_label and normalization in one pass, ignoring any head gradient unless
// out_grad is set (MXNet's loss-layer semantics).
// Attributes: SoftmaxOutputAttrs (kernel_attrs.gen.h).
#include <algorithm>
#include <cmath>

#include "bkt/error.h"
#include "bkt/kernel_attrs.gen.h"
#include "bkt/parallel.h"
#include "bkt/plan.h"
#include "bkt/softmax.h"

namespace bkt {
namespace {

// The data viewed as (outer, classes, inner): softmax runs over `classes` with stride `inner`.
struct Layout {
  int64_t outer, classes, inner;
};

Layout layoutOf(const Tensor& data, bool multiOutput, bool preserveShape) {
  const Shape& s = data.shape();
  if (s.empty()) fail(ErrorKind::kShape, "SoftmaxOutput: data must have at least one dimension");
  if (multiOutput) {
    if (s.size() < 2)
      fail(ErrorKind::kShape, "SoftmaxOutput: multi_output needs data of at least 2 dimensions, got " + shapeStr(s));
    return {s[0], s[1], shapeSize(Shape(s.begin() + 2, s.end()))};
  }
  if (preserveShape) return {shapeSize(Shape(s.begin(), s.end() - 1)), s.back(), 1};
  return {s[0], shapeSize(Shape(s.begin() + 1, s.end())), 1};
}

void softmaxOutputForward(const KernelContext& c) {
  const Tensor& data = c.in(0);
  requireFloat(data, "SoftmaxOutput", "data");
  requireSize(c.out(0), data.size(), "SoftmaxOutput", "output");
  const SoftmaxOutputAttrs attrs = SoftmaxOutputAttrs::read(c, "SoftmaxOutput");
  const Layout L = layoutOf(data, attrs.multiOutput, attrs.preserveShape);
  // The softmax kernel's vectorized rows, on (outer, classes, inner) views of both arrays.
  const Shape view{L.outer, L.classes, L.inner};
  softmaxInto(data.reshaped(view), 1, 1.0, false, c.out(0).reshaped(view));
}

// inputs: out_data (the softmax), label[, out_grad]; outputs: d_data, d_label (zeros).
void softmaxOutputBackward(const KernelContext& c) {
  const Tensor& p = c.in(0);
  const Tensor& label = c.in(1);
  requireFloat(p, "_backward_SoftmaxOutput", "out_data");
  requireFloat(label, "_backward_SoftmaxOutput", "label");
  const SoftmaxOutputAttrs attrs = SoftmaxOutputAttrs::read(c, "_backward_SoftmaxOutput");
  const double gradScale = attrs.gradScale;
  const double ignoreLabel = attrs.ignoreLabel;
  const bool useIgnore = attrs.useIgnore;
  const Normalization normalization = attrs.normalization;
  const bool outGrad = attrs.outGrad;
  const double alpha = attrs.smoothAlpha;
  const Layout L = layoutOf(p, attrs.multiOutput, attrs.preserveShape);
  requireSize(label, L.outer * L.inner, "_backward_SoftmaxOutput", "label");
  requireSize(c.out(0), p.size(), "_backward_SoftmaxOutput", "data gradient");
  if (outGrad) requireSize(c.in(2), p.size(), "_backward_SoftmaxOutput", "out_grad");
  dispatchFloat(p.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* prob = p.data<T>();
    T* g = c.out(0).data<T>();
    dispatchFloat(label.dtype(), [&](auto ltag) BKT_VECTOR_CLONES {
      using L_T = decltype(ltag);
      const L_T* lab = label.data<L_T>();
      const int64_t positions = L.outer * L.inner;
      int64_t valid = positions;
      if (useIgnore) {
        valid = 0;
        for (int64_t r = 0; r < positions; ++r) valid += static_cast<double>(lab[r]) != ignoreLabel;
      }
      double denom = 1;
      if (normalization == Normalization::kBatch) denom = static_cast<double>(L.outer);
      if (normalization == Normalization::kValid) denom = static_cast<double>(std::max<int64_t>(valid, 1));
      const T scale = static_cast<T>(gradScale / denom);
      const T onTarget = static_cast<T>(1 - alpha);
      const T offTarget = L.classes > 1 ? static_cast<T>(alpha / static_cast<double>(L.classes - 1)) : T(0);
      for (int64_t r = 0; r < positions; ++r) {
        const int64_t base = (r / L.inner) * L.classes * L.inner + r % L.inner;
        const double lv = static_cast<double>(lab[r]);
        const bool ignored = useIgnore && lv == ignoreLabel;
        // Out-of-range labels are clipped into range, as MXNet's kernel indexes them.
        const int64_t y = std::min<int64_t>(std::max<int64_t>(static_cast<int64_t>(lv), 0), L.classes - 1);
        for (int64_t k = 0; k < L.classes; ++k) {
          const int64_t i = base + k * L.inner;
          g[i] = ignored ? T(0) : (prob[i] - (k == y ? onTarget : offTarget)) * scale;
        }
      }
      if (outGrad) {
        const T* og = c.in(2).data<T>();
        for (int64_t i = 0; i < p.size(); ++i) g[i] *= og[i];
      }
    });
  });
  if (c.numOutputs > 1) std::memset(c.out(1).raw(), 0, c.out(1).nbytes());
}

}  // namespace

BKT_PLAN_KERNEL(kSoftmaxOutput, softmaxOutputForward);
BKT_PLAN_KERNEL(kSoftmaxOutputBackward, softmaxOutputBackward);

}  // namespace bkt
