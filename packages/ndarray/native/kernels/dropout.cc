// Dropout forward and backward, MXNet 1.x semantics. Attributes: DropoutAttrs (kernel_attrs.gen.h).
// Forward inputs: data; outputs: output, mask. The mask has data's shape with 1 on the `axes`
// (one draw shared along them) and holds the scaled keep mask: 1/(1-p) where kept, else 0, so
// output = data · mask (broadcast). Dropout acts while training, or always with mode 'always';
// otherwise the output is the data and the mask is left as it is (MXNet's passthrough; the
// executor runs backward only after a training forward). p = 0 draws nothing and keeps all;
// p = 1 drops everything (a zero mask, where MXNet's 1/(1-p) would give NaN).
// Backward inputs: out_grad, mask; output: d_data = out_grad · mask (broadcast).
#include <algorithm>
#include <array>
#include <cstring>

#include "bkt/kernel_attrs.gen.h"
#include "bkt/parallel.h"
#include "bkt/random.h"
#include "layers_common.h"

namespace bkt {
namespace {

constexpr int64_t kGrain = 1 << 14;
constexpr int kMaxGroups = 32;

// data's axes, size-1 axes dropped and neighbours of the same kind merged, innermost first: each
// group either runs along the mask (stride > 0) or repeats one mask element (stride 0).
struct Broadcast {
  int groups = 0;
  std::array<int64_t, kMaxGroups> size{}, maskStride{};
};

Broadcast broadcastOf(const Shape& data, const Shape& mask, const char* op) {
  if (mask.size() != data.size()) {
    fail(ErrorKind::kShape,
         std::string(op) + ": mask " + shapeStr(mask) + " does not broadcast to data " + shapeStr(data));
  }
  Broadcast B;
  int64_t stride = 1;
  for (size_t k = data.size(); k-- > 0;) {
    const int64_t d = data[k], m = mask[k];
    if (m != d && m != 1) {
      fail(ErrorKind::kShape,
           std::string(op) + ": mask " + shapeStr(mask) + " does not broadcast to data " + shapeStr(data));
    }
    if (d == 1) continue;
    const bool kept = m != 1;
    const int last = B.groups - 1;
    if (last >= 0 && (B.maskStride[static_cast<size_t>(last)] != 0) == kept) {
      B.size[static_cast<size_t>(last)] *= d;
    } else {
      if (B.groups == kMaxGroups)
        fail(ErrorKind::kShape, std::string(op) + ": data " + shapeStr(data) + " has too many dimensions");
      B.size[static_cast<size_t>(B.groups)] = d;
      B.maskStride[static_cast<size_t>(B.groups)] = kept ? stride : 0;
      ++B.groups;
    }
    stride *= m;
  }
  if (B.groups == 0) {
    B.groups = 1;
    B.size[0] = 1;
  }
  return B;
}

// out[i] = a[i] · mask[broadcast index of i] for i in [begin, end); out may alias a.
template <typename T>
void mulBroadcast(const Broadcast& B, const T* a, const T* mask, T* out, int64_t begin, int64_t end) {
  std::array<int64_t, kMaxGroups> coord{};
  int64_t rem = begin, mi = 0;
  for (int g = 0; g < B.groups; ++g) {
    const auto k = static_cast<size_t>(g);
    coord[k] = rem % B.size[k];
    rem /= B.size[k];
    mi += coord[k] * B.maskStride[k];
  }
  const int64_t s0 = B.maskStride[0];
  for (int64_t i = begin; i < end;) {
    const int64_t run = std::min(B.size[0] - coord[0], end - i);
    if (s0 == 0) {
      const T m = mask[mi];
      for (int64_t t = 0; t < run; ++t) out[i + t] = a[i + t] * m;
    } else {
      for (int64_t t = 0; t < run; ++t) out[i + t] = a[i + t] * mask[mi + t * s0];
    }
    i += run;
    coord[0] += run;
    mi += run * s0;
    for (int g = 0; g + 1 < B.groups && coord[static_cast<size_t>(g)] == B.size[static_cast<size_t>(g)]; ++g) {
      const auto k = static_cast<size_t>(g);
      mi -= B.size[k] * B.maskStride[k];
      coord[k] = 0;
      ++coord[k + 1];
      mi += B.maskStride[k + 1];
    }
  }
}

template <typename T>
void applyMask(const Tensor& a, const Tensor& mask, const Tensor& out, const char* op) {
  const Broadcast B = broadcastOf(a.shape(), mask.shape(), op);
  const T* x = a.data<T>();
  const T* m = mask.data<T>();
  T* o = out.data<T>();
  parallelFor(a.size(), kGrain, [&](int64_t b, int64_t e) { mulBroadcast(B, x, m, o, b, e); });
}

void dropoutForward(const KernelContext& c) {
  const char* op = "Dropout";
  c.requireAtLeast(op, 1, 2);
  const Tensor& data = c.in(0);
  const Tensor& out = c.out(0);
  const Tensor& mask = c.out(1);
  requireFloat(data, op, "data");
  requireSize(out, data.size(), op, "output");
  requireDType(out, data.dtype(), op, "output");
  requireDType(mask, data.dtype(), op, "mask");
  broadcastOf(data.shape(), mask.shape(), op);  // validate before drawing anything
  const DropoutAttrs attrs = DropoutAttrs::read(c, op);
  const double p = attrs.p;
  if (!(p >= 0 && p <= 1)) fail(ErrorKind::kValue, "Dropout: p must be in [0, 1], got " + std::to_string(p));
  const bool active = attrs.mode == DropoutMode::kAlways || c.isTrain;
  if (!active || p == 0) {
    if (out.raw() != data.raw()) std::memmove(out.raw(), data.raw(), data.nbytes());
    if (active) {
      dispatchFloat(data.dtype(), [&](auto tag) {
        using T = decltype(tag);
        std::fill_n(mask.data<T>(), mask.size(), T(1));
      });
    }
    return;
  }
  const double keep = 1 - p;
  dispatchFloat(data.dtype(), [&](auto tag) {
    using T = decltype(tag);
    fillBernoulliMask(mask.data<T>(), mask.size(), keep, keep > 0 ? 1 / keep : 0.0);
    applyMask<T>(data, mask, out, op);
  });
}

void dropoutBackward(const KernelContext& c) {
  const char* op = "_backward_Dropout";
  c.requireAtLeast(op, 2, 1, 0);
  const Tensor& og = c.in(0);
  requireFloat(og, op, "out_grad");
  requireDType(c.in(1), og.dtype(), op, "mask");
  requireSize(c.out(0), og.size(), op, "data gradient");
  requireDType(c.out(0), og.dtype(), op, "data gradient");
  dispatchFloat(og.dtype(), [&](auto tag) { applyMask<decltype(tag)>(og, c.in(1), c.out(0), op); });
}

}  // namespace

BKT_PLAN_KERNEL(kDropout, dropoutForward);
BKT_PLAN_KERNEL(kDropoutBackward, dropoutBackward);

}  // namespace bkt
