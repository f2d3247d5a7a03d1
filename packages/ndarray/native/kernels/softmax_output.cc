// SoftmaxOutput fused: forward is a softmax over the class axis; backward is (p - onehot(label)) with
// label smoothing, ignore_label and normalization in one pass, ignoring any head gradient unless
// out_grad is set (MXNet's loss-layer semantics).
// Attributes: SoftmaxOutputAttrs (kernel_attrs.gen.h).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "bkt/error.h"
#include "bkt/kernel_attrs.gen.h"
#include "bkt/parallel.h"
#include "bkt/plan.h"
#include "bkt/softmax.h"
#include "half_compute.h"

namespace bkt {
namespace {

constexpr int64_t kGrainElems = 1 << 14;
// Positions patched together when the class axis is not the last (multi_output).
constexpr int64_t kColBlock = 256;

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
  half::requireFloatOrBFloat16(data, "SoftmaxOutput", "data");
  requireDType(c.out(0), data.dtype(), "SoftmaxOutput", "output");
  requireSize(c.out(0), data.size(), "SoftmaxOutput", "output");
  const SoftmaxOutputAttrs attrs = SoftmaxOutputAttrs::read(c, "SoftmaxOutput");
  const Layout L = layoutOf(data, attrs.multiOutput, attrs.preserveShape);
  // The softmax kernel's vectorized rows, on (outer, classes, inner) views of both arrays.
  const Shape view{L.outer, L.classes, L.inner};
  softmaxInto(data.reshaped(view), 1, 1.0, false, c.out(0).reshaped(view));
}

// The class of a label: out-of-range labels are clipped into range, as MXNet's kernel indexes them
// (NaN counts as 0).
int64_t classOf(double label, int64_t classes) {
  if (!(label > 0)) return 0;
  return label >= static_cast<double>(classes - 1) ? classes - 1 : static_cast<int64_t>(label);
}

// inputs: out_data (the softmax), label[, out_grad]; outputs: d_data, d_label (zeros).
void softmaxOutputBackward(const KernelContext& c) {
  const Tensor& p = c.in(0);
  const Tensor& label = c.in(1);
  half::requireFloatOrBFloat16(p, "_backward_SoftmaxOutput", "out_data");
  half::requireFloatOrBFloat16(label, "_backward_SoftmaxOutput", "label");
  const SoftmaxOutputAttrs attrs = SoftmaxOutputAttrs::read(c, "_backward_SoftmaxOutput");
  const double ignoreLabel = attrs.ignoreLabel;
  const bool useIgnore = attrs.useIgnore;
  const double alpha = attrs.smoothAlpha;
  const Layout L = layoutOf(p, attrs.multiOutput, attrs.preserveShape);
  requireSize(label, L.outer * L.inner, "_backward_SoftmaxOutput", "label");
  requireDType(c.out(0), p.dtype(), "_backward_SoftmaxOutput", "data gradient");
  requireSize(c.out(0), p.size(), "_backward_SoftmaxOutput", "data gradient");
  if (attrs.outGrad) {
    requireDType(c.in(2), p.dtype(), "_backward_SoftmaxOutput", "out_grad");
    requireSize(c.in(2), p.size(), "_backward_SoftmaxOutput", "out_grad");
  }
  // bfloat16 computes in float32 (C) and rounds each gradient once on store.
  half::dispatchFloatOrBFloat16(p.dtype(), [&](auto tag) {
    using T = decltype(tag);
    using C = half::Compute<T>;
    const T* prob = p.data<T>();
    const T* og = attrs.outGrad ? c.in(2).data<T>() : nullptr;
    T* g = c.out(0).data<T>();
    half::dispatchFloatOrBFloat16(label.dtype(), [&](auto ltag) {
      using L_T = decltype(ltag);
      const L_T* lab = label.data<L_T>();
      const int64_t positions = L.outer * L.inner;
      const auto ignored = [&](int64_t r) { return useIgnore && static_cast<double>(lab[r]) == ignoreLabel; };
      int64_t valid = positions;
      if (useIgnore) {
        valid = 0;
        for (int64_t r = 0; r < positions; ++r) valid += !ignored(r);
      }
      double denom = 1;
      if (attrs.normalization == Normalization::kBatch) denom = static_cast<double>(L.outer);
      if (attrs.normalization == Normalization::kValid) denom = static_cast<double>(std::max<int64_t>(valid, 1));
      const C scale = static_cast<C>(attrs.gradScale / denom);
      const C onTarget = static_cast<C>(1 - alpha);
      const C offTarget = L.classes > 1 ? static_cast<C>(alpha / static_cast<double>(L.classes - 1)) : C(0);
      const int64_t block = L.classes * L.inner;
      if (block == 0) return;
      // Each (classes, inner) block in one streaming pass as if every class were off target, then the
      // target class of each position and the ignored positions patched in. The targets'
      // probabilities are read first: d_data may share out_data's buffer (MXNet's in-place option
      // for this op). The head gradient multiplies last, as MXNet applies it.
      // Forced inline so the loops are compiled in the clones of the parallelFor body.
      const auto stream = [&](T * go, const T* po, const T* oo, int64_t len) __attribute__((always_inline)) {
        if (oo) {
          for (int64_t i = 0; i < len; ++i)
            go[i] = half::store<T>((half::load(po[i]) - offTarget) * scale * half::load(oo[i]));
        } else {
          for (int64_t i = 0; i < len; ++i) go[i] = half::store<T>((half::load(po[i]) - offTarget) * scale);
        }
      };
      parallelFor(L.outer, std::max<int64_t>(1, kGrainElems / block), [&](int64_t b, int64_t e) BKT_VECTOR_CLONES {
        int64_t at[kColBlock];
        C target[kColBlock];
        for (int64_t o = b; o < e; ++o) {
          const int64_t base = o * block;
          const T* po = prob + base;
          const T* oo = og ? og + base : nullptr;
          T* go = g + base;
          for (int64_t j0 = 0; j0 < L.inner; j0 += kColBlock) {
            const int64_t w = std::min(kColBlock, L.inner - j0);
            for (int64_t j = 0; j < w; ++j) {
              const int64_t r = o * L.inner + j0 + j;
              at[j] = ignored(r) ? -1 : classOf(static_cast<double>(lab[r]), L.classes) * L.inner + j0 + j;
              if (at[j] >= 0) target[j] = half::load(po[at[j]]);
            }
            if (L.inner == 1 && at[0] < 0) {
              // An ignored row: zeros (times the head gradient, which may be NaN), in one contiguous loop.
              for (int64_t k = 0; k < L.classes; ++k) go[k] = half::store<T>(oo ? C(0) * half::load(oo[k]) : C(0));
              continue;
            }
            if (L.inner == 1) {
              stream(go, po, oo, L.classes);
            } else {
              for (int64_t k = 0; k < L.classes; ++k) {
                const int64_t off = k * L.inner + j0;
                stream(go + off, po + off, oo ? oo + off : nullptr, w);
              }
            }
            for (int64_t j = 0; j < w; ++j) {
              if (at[j] >= 0) {
                const C d = (target[j] - onTarget) * scale;
                go[at[j]] = half::store<T>(oo ? d * half::load(oo[at[j]]) : d);
              } else {
                for (int64_t k = 0; k < L.classes; ++k) {
                  const int64_t i = k * L.inner + j0 + j;
                  go[i] = half::store<T>(oo ? C(0) * half::load(oo[i]) : C(0));
                }
              }
            }
          }
        }
      });
    });
  });
  if (c.numOutputs > 1) std::memset(c.out(1).raw(), 0, c.out(1).nbytes());
}

}  // namespace

BKT_PLAN_KERNEL(kSoftmaxOutput, softmaxOutputForward);
BKT_PLAN_KERNEL(kSoftmaxOutputBackward, softmaxOutputBackward);

}  // namespace bkt
