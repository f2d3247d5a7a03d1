// Plan kernels of softmax, log_softmax and SoftmaxActivation, and their gradients. Forward runs
// softmax.cc's softmaxInto, except with use_length, where only the first length[row] elements of each
// row count and the rest of the row is 0 (MXNet's masked softmax).
// Attributes (kernel_attrs.gen.h): SoftmaxAttrs for softmax, log_softmax and their gradients,
// SoftmaxActivationAttrs for softmax_activation(_backward).
// Inputs: forward (data[, length]); softmax/log_softmax_backward (out_grad[, data[, length]], out),
// whose outputs are the gradients of data[ and length (zeros)]; softmax_activation_backward
// (out_grad, out).
// MXNet's SoftmaxActivation flattens the data to 2-D as TBlob::FlatTo2D does (all leading axes
// together), so mode instance is a softmax over the last axis; mode channel is over axis 1.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "bkt/error.h"
#include "bkt/kernel_attrs.gen.h"
#include "bkt/parallel.h"
#include "bkt/plan.h"
#include "bkt/softmax.h"
#include "gather_common.h"
#include "half_compute.h"

namespace bkt {
namespace {

// Columns handled together when the axis is not the last, as in softmax.cc.
constexpr int64_t kColBlock = 256;
constexpr int64_t kGrainElems = 1 << 14;

// The data viewed as (outer, n, inner): each of the outer * inner rows runs along n with stride inner.
struct Rows {
  int64_t outer, n, inner;
};

Rows rowsOf(const Shape& s, int axis) {
  Rows r{1, s[static_cast<size_t>(axis)], 1};
  for (int i = 0; i < axis; ++i) r.outer *= s[static_cast<size_t>(i)];
  for (size_t i = static_cast<size_t>(axis) + 1; i < s.size(); ++i) r.inner *= s[i];
  return r;
}

// Row lengths: the `length` input clamped into [0, n] (NaN counts as 0), or n for every row.
class Lengths {
 public:
  Lengths(const Tensor* t, int64_t n) : t_(t), n_(n) {}
  int64_t operator()(int64_t row) const {
    if (t_ == nullptr) return n_;
    return dispatchAll(t_->dtype(), [&](auto tag) {
      using L = decltype(tag);
      const int64_t v = gather::toIndex(t_->data<L>()[row]);
      return v < 0 ? int64_t{0} : std::min(v, n_);
    });
  }

 private:
  const Tensor* t_;
  int64_t n_;
};

// Calls block(o, c0, w) over every block of up to kColBlock columns of every outer index, in parallel.
template <typename Block>
void forEachBlock(const Rows& r, Block block) {
  const int64_t blocks = (r.inner + kColBlock - 1) / kColBlock;
  const int64_t work = r.n * std::min(r.inner, kColBlock);
  parallelFor(r.outer * blocks, std::max<int64_t>(1, kGrainElems / std::max<int64_t>(1, work)),
              [&](int64_t b, int64_t e) BKT_VECTOR_CLONES {
                for (int64_t t = b; t < e; ++t) {
                  const int64_t c0 = t % blocks * kColBlock;
                  block(t / blocks, c0, std::min(kColBlock, r.inner - c0));
                }
              });
}

template <bool Log, typename T>
void maskedForward(const T* x, T* y, const Rows& r, const Lengths& lengths, double invT) {
  forEachBlock(r, [&](int64_t o, int64_t c0, int64_t w) {
    int64_t len[kColBlock];
    double mx[kColBlock];
    double sum[kColBlock];
    const int64_t base = o * r.n * r.inner + c0;
    for (int64_t j = 0; j < w; ++j) {
      len[j] = lengths(o * r.inner + c0 + j);
      mx[j] = -std::numeric_limits<double>::infinity();
      sum[j] = 0;
    }
    for (int64_t i = 0; i < r.n; ++i) {
      const T* row = x + base + i * r.inner;
      for (int64_t j = 0; j < w; ++j) {
        if (i < len[j]) mx[j] = std::max(mx[j], static_cast<double>(row[j]));
      }
    }
    for (int64_t i = 0; i < r.n; ++i) {
      const T* row = x + base + i * r.inner;
      for (int64_t j = 0; j < w; ++j) {
        if (i < len[j]) sum[j] += std::exp((static_cast<double>(row[j]) - mx[j]) * invT);
      }
    }
    for (int64_t i = 0; i < r.n; ++i) {
      const T* row = x + base + i * r.inner;
      T* out = y + base + i * r.inner;
      for (int64_t j = 0; j < w; ++j) {
        const double z = (static_cast<double>(row[j]) - mx[j]) * invT;
        const double v = Log ? z - std::log(sum[j]) : std::exp(z) / sum[j];
        out[j] = half::store<T>(i < len[j] ? v : 0.0);
      }
    }
  });
}

// softmax: dx = out * (g - sum(g * out)) / t; log_softmax: dx = (g - exp(out) * sum(g)) / t; sums over
// the first len elements of the row, and dx = 0 beyond them.
template <bool Log, typename T>
void softmaxGrad(const T* g, const T* y, T* dx, const Rows& r, const Lengths& lengths, double invT) {
  if (r.inner == 1) {
    // Contiguous rows: plain loops the compiler vectorizes, without the column bookkeeping.
    using C = half::Compute<T>;
    const C k = static_cast<C>(invT);
    parallelFor(r.outer, std::max<int64_t>(1, kGrainElems / std::max<int64_t>(1, r.n)),
                [&](int64_t b, int64_t e) BKT_VECTOR_CLONES {
                  for (int64_t o = b; o < e; ++o) {
                    const int64_t len = lengths(o);
                    const T* go = g + o * r.n;
                    const T* yo = y + o * r.n;
                    T* d = dx + o * r.n;
                    double sum = 0;
                    for (int64_t i = 0; i < len; ++i)
                      sum += Log ? static_cast<double>(half::load(go[i]))
                                 : static_cast<double>(half::load(go[i])) * half::load(yo[i]);
                    const C s = static_cast<C>(sum);
                    for (int64_t i = 0; i < len; ++i) {
                      const C gi = half::load(go[i]);
                      const C yi = half::load(yo[i]);
                      d[i] = half::store<T>((Log ? gi - std::exp(yi) * s : yi * (gi - s)) * k);
                    }
                    for (int64_t i = len; i < r.n; ++i) d[i] = half::store<T>(C(0));
                  }
                });
    return;
  }
  forEachBlock(r, [&](int64_t o, int64_t c0, int64_t w) {
    int64_t len[kColBlock];
    double sum[kColBlock];
    const int64_t base = o * r.n * r.inner + c0;
    for (int64_t j = 0; j < w; ++j) {
      len[j] = lengths(o * r.inner + c0 + j);
      sum[j] = 0;
    }
    for (int64_t i = 0; i < r.n; ++i) {
      const int64_t at = base + i * r.inner;
      for (int64_t j = 0; j < w; ++j) {
        const double gv = static_cast<double>(g[at + j]);
        if (i < len[j]) sum[j] += Log ? gv : gv * static_cast<double>(y[at + j]);
      }
    }
    for (int64_t i = 0; i < r.n; ++i) {
      const int64_t at = base + i * r.inner;
      for (int64_t j = 0; j < w; ++j) {
        const double gv = static_cast<double>(g[at + j]);
        const double yv = static_cast<double>(y[at + j]);
        const double d = Log ? gv - std::exp(yv) * sum[j] : yv * (gv - sum[j]);
        dx[at + j] = half::store<T>(i < len[j] ? d * invT : 0.0);
      }
    }
  });
}

SoftmaxAttrs checkedSoftmaxAttrs(const KernelContext& c, const char* op) {
  const SoftmaxAttrs s = SoftmaxAttrs::read(c, op);
  if (!(s.temperature > 0) || !std::isfinite(s.temperature)) {
    fail(ErrorKind::kValue,
         std::string(op) + ": temperature must be a positive finite number, got " + std::to_string(s.temperature));
  }
  return s;
}

// The lengths input (shaped like the data without the axis; (1,) for a vector) checked against the rows.
void checkLengths(const Tensor& length, const Tensor& data, const Rows& r, const char* op) {
  requireSameContext(length, data, op);
  requireSize(length, r.outer * r.inner, op, "length");
}

template <bool Log>
void softmaxForward(const KernelContext& c) {
  const char* op = Log ? "log_softmax" : "softmax";
  const SoftmaxAttrs s = checkedSoftmaxAttrs(c, op);
  c.requireArity(op, s.useLength ? 2 : 1, 1);
  const Tensor& x = c.in(0);
  if (!s.useLength) return softmaxInto(x, s.axis, s.temperature, Log, c.out(0));
  half::requireFloatOrBFloat16(x, op, "data");
  requireDType(c.out(0), x.dtype(), op, "output");
  requireSize(c.out(0), x.size(), op, "output");
  const Rows r = rowsOf(x.shape(), normalizeAxis(s.axis, x.ndim(), op));
  checkLengths(c.in(1), x, r, op);
  if (x.size() == 0) return;
  half::dispatchFloatOrBFloat16(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    maskedForward<Log>(x.data<T>(), c.out(0).data<T>(), r, Lengths(&c.in(1), r.n), 1.0 / s.temperature);
  });
}

// The checks and loop shared by every softmax gradient; the output y gives the data's shape.
template <bool Log>
void runGrad(const Tensor& g, const Tensor& y, const Tensor& dx, int64_t axis, const Tensor* length, double invT,
             const char* op) {
  half::requireFloatOrBFloat16(y, op, "out_data");
  requireDType(g, y.dtype(), op, "out_grad");
  requireDType(dx, y.dtype(), op, "data gradient");
  requireSize(g, y.size(), op, "out_grad");
  requireSize(dx, y.size(), op, "data gradient");
  if (y.ndim() == 0) fail(ErrorKind::kShape, std::string(op) + ": data must have at least one dimension");
  const Rows r = rowsOf(y.shape(), normalizeAxis(axis, y.ndim(), op));
  if (length) checkLengths(*length, y, r, op);
  if (y.size() == 0) return;
  half::dispatchFloatOrBFloat16(y.dtype(), [&](auto tag) {
    using T = decltype(tag);
    softmaxGrad<Log>(g.data<T>(), y.data<T>(), dx.data<T>(), r, Lengths(length, r.n), invT);
  });
}

template <bool Log>
void softmaxBackward(const KernelContext& c) {
  const char* op = Log ? "_backward_log_softmax" : "_backward_softmax";
  const SoftmaxAttrs s = checkedSoftmaxAttrs(c, op);
  if (s.useLength) {
    c.requireArity(op, 4, 2);
  } else if (c.numInputs != 3) {
    c.requireArity(op, 2, 1);
  } else {
    c.requireArity(op, 3, 1);
  }
  const Tensor* length = s.useLength ? &c.in(2) : nullptr;
  runGrad<Log>(c.in(0), c.in(c.numInputs - 1), c.out(0), s.axis, length, 1.0 / s.temperature, op);
  if (s.useLength) std::memset(c.out(1).raw(), 0, c.out(1).nbytes());
}

int activationAxis(const KernelContext& c, const Tensor& data, const char* op) {
  const bool channel = SoftmaxActivationAttrs::read(c, op).mode == SoftmaxActivationMode::kChannel;
  if (data.ndim() < (channel ? 3 : 1)) {
    fail(ErrorKind::kShape, std::string(op) + ": mode " + (channel ? "channel needs 3" : "instance needs 1") +
                                " or more dimensions, got data of shape " + shapeStr(data.shape()));
  }
  return channel ? 1 : data.ndim() - 1;
}

void softmaxActivationForward(const KernelContext& c) {
  const char* op = "SoftmaxActivation";
  c.requireArity(op, 1, 1);
  softmaxInto(c.in(0), activationAxis(c, c.in(0), op), 1.0, false, c.out(0));
}

void softmaxActivationBackward(const KernelContext& c) {
  const char* op = "_backward_SoftmaxActivation";
  c.requireArity(op, 2, 1);
  runGrad<false>(c.in(0), c.in(1), c.out(0), activationAxis(c, c.in(1), op), nullptr, 1.0, op);
}

}  // namespace

BKT_PLAN_KERNEL(kSoftmax, softmaxForward<false>);
BKT_PLAN_KERNEL(kSoftmaxBackward, softmaxBackward<false>);
BKT_PLAN_KERNEL(kLogSoftmax, softmaxForward<true>);
BKT_PLAN_KERNEL(kLogSoftmaxBackward, softmaxBackward<true>);
BKT_PLAN_KERNEL(kSoftmaxActivation, softmaxActivationForward);
BKT_PLAN_KERNEL(kSoftmaxActivationBackward, softmaxActivationBackward);

}  // namespace bkt
